"""Helpers for the private-beta tests (test_private_beta.py, test_access_requests.py):
what the outbox "sent", the links in it, the database file's bytes, row counts, and the
app's plain HTTP routes in a Starlette test client."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from smtp_mailbox import link_in, text_of
from starlette.testclient import TestClient

from betterjournal import api, emails, outbox
from betterjournal.core import form_tokens
from betterjournal.core.errors import CoreError
from betterjournal.db import get_engine, session_scope
from betterjournal.i18n import Reader
from betterjournal.settings import get_settings

OK = "ok"
# Every table an auth form could write to.
AUTH_TABLES = (
    "user_account",
    "auth_session",
    "account_token",
    "outbox_message",
    "recovery_code",
    "access_request",
    "invitation",
    "audit_event",
)

# The subject of each email, in English (the tests' people have no language yet).
CONFIRM = emails.confirm_email(Reader(), "x").subject
SOMEONE_TRIED = emails.someone_tried(Reader(), "x", "y").subject
RESET = emails.reset_password(Reader(), "x").subject
PASSWORD_CHANGED = emails.password_changed(Reader(), "x").subject
SET_PASSWORD = emails.set_password(Reader(), "x").subject


@dataclass(frozen=True)
class Sent:
    to: str
    subject: str
    message: EmailMessage

    @property
    def text(self) -> str:
        return text_of(self.message)

    def token(self, path: str) -> str:
        """The `token` of the message's link to `path`."""
        return parse_qs(urlsplit(link_in(self.message, path)).query)["token"][0]


class Recorder:
    """An outbox transport that keeps what it is handed, instead of sending it."""

    def __init__(self) -> None:
        self.sent: list[Sent] = []

    def deliver(self, message_id: uuid.UUID, message: EmailMessage) -> None:
        self.sent.append(Sent(to=str(message["To"]), subject=str(message["Subject"]), message=message))


def sent_emails() -> list[Sent]:
    """Every email queued since the last call (the outbox delivers each once)."""
    recorder = Recorder()
    outbox.deliver_due(transport=recorder)
    return recorder.sent


def database_bytes() -> bytes:
    """The SQLite file and its WAL, after a checkpoint and with the WAL as it was before."""
    path = Path(get_settings().database_url.removeprefix("sqlite:///"))
    wal = path.with_name(path.name + "-wal")
    before = wal.read_bytes() if wal.exists() else b""
    with get_engine().connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    return path.read_bytes() + before


def row_counts(tables: tuple[str, ...] = AUTH_TABLES) -> dict[str, int]:
    with session_scope() as session:
        connection = session.connection()
        # Table names come from the constant above, never from input.
        return {
            table: connection.exec_driver_sql(f"SELECT count(*) FROM {table}").scalar_one()  # noqa: S608
            for table in tables
        }


@contextmanager
def web_client() -> Iterator[TestClient]:
    """The app's plain HTTP routes, posted to from the app's own origin, redirects not followed."""
    settings = get_settings()
    with TestClient(
        api.http_routes(),
        base_url=settings.public_url,
        headers={"origin": settings.origin},
        follow_redirects=False,
    ) as client:
        yield client


def form(**fields: str) -> dict[str, str]:
    """A form as our pages post it: the fields and a fresh form token."""
    return {"form_token": form_tokens.issue(), **fields}


def query_of(location: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(location).query).items()}


def race(attempts: list[Callable[[], object]]) -> list[object]:
    """Run each attempt in its own thread at once: OK, or the CoreError each one got
    (anything else, such as "database is locked", fails the test)."""

    def run(attempt: Callable[[], object]) -> object:
        try:
            attempt()
        except CoreError as error:
            return error
        return OK

    with ThreadPoolExecutor(max_workers=len(attempts)) as pool:
        return list(pool.map(run, attempts))


def barrier_after(original: Callable, barrier: threading.Barrier) -> Callable:
    """`original`, then a wait for every racer to get that far: all of them have looked
    before any of them writes (the check-then-write window, held open)."""

    def wrapped(*args, **kwargs):
        result = original(*args, **kwargs)
        barrier.wait()
        return result

    return wrapped

"""Shared helpers for the core's unit tests (imported by conftest and the test modules)."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlmodel import Session, col, select

from betterjournal.core.errors import CoreError
from betterjournal.models import AuditEvent, Role

if TYPE_CHECKING:
    from betterjournal.core.items import Kind

PASSWORD = "lantern-orchard-copper-91"
ITEM_TABLES = ("client_item", "journal_entry", "item_draft", "item_share")


@dataclass(frozen=True)
class Account:
    id: uuid.UUID
    email: str
    name: str
    role: Role


@dataclass(frozen=True)
class People:
    client_a: Account
    client_b: Account
    clinician_a: Account
    clinician_b: Account


def clear_caches() -> None:
    """Forget settings, engine, vault and time zone, so the next call reads the env."""
    import betterjournal.crypto
    import betterjournal.db
    import betterjournal.keystore
    import betterjournal.settings

    betterjournal.settings.get_settings.cache_clear()
    betterjournal.db.get_engine.cache_clear()
    betterjournal.crypto.get_vault.cache_clear()
    betterjournal.keystore.get_engine.cache_clear()


def link(session: Session, *, client_id: uuid.UUID, clinician_id: uuid.UUID) -> None:
    """Link a client to a clinician the way the app does: invitation, find, accept."""
    from betterjournal.core import links

    code = links.create_invitation(session, clinician_id=clinician_id)
    invitation = links.find_invitation(session, code)
    links.accept_invitation(session, client_id=client_id, invitation_id=invitation.id)
    session.flush()


def new_entry(session: Session, *, owner_id: uuid.UUID, title: str = "", body: str) -> uuid.UUID:
    from betterjournal.core import items, journal

    entry_id = uuid.uuid4()
    items.save(
        session, owner_id=owner_id, kind=journal.KIND, item_id=entry_id, values={"title": title, "body": body}
    )
    session.flush()
    return entry_id


def share(
    session: Session,
    *,
    owner_id: uuid.UUID,
    entry_id: uuid.UUID,
    clinician_id: uuid.UUID,
    shared: bool = True,
) -> None:
    from betterjournal.core import sharing

    sharing.set_shared(session, owner_id=owner_id, item_id=entry_id, clinician_id=clinician_id, shared=shared)
    session.flush()


def row_counts(session: Session, tables: tuple[str, ...] = ITEM_TABLES) -> dict[str, int]:
    connection = session.connection()
    # Table names come from the constant above, never from input.
    return {
        table: connection.exec_driver_sql(f"SELECT count(*) FROM {table}").scalar_one()  # noqa: S608
        for table in tables
    }


def audit_events(session: Session) -> list[AuditEvent]:
    return list(session.exec(select(AuditEvent).order_by(col(AuditEvent.id))))


# --- any registered kind ------------------------------------------------------------------


def every_kind() -> list[Kind]:
    """Every kind the app registers (and any test kind imported before), by name. A kind
    registers when its module is imported: import them all here, so a generic test's list
    doesn't depend on which test modules were collected before it."""
    import betterjournal.core.agenda
    import betterjournal.core.checkins
    import betterjournal.core.homework
    import betterjournal.core.journal  # noqa: F401
    from betterjournal.core import items

    return sorted(items.registered(), key=lambda kind: kind.name)


# Per kind, the fields that can't hold free text, each with a valid value as the kind stores
# it; every other field holds text naming it.
FIXED_VALUES: dict[str, dict[str, str]] = {
    "check_in": {
        "felt_at": "2026-11-01T12:00:00+00:00",
        "mood": "5",
        "anxiety": "",
        "energy": "",
        "sleep_hours": "",
        "sleep_quality": "",
        # Private fields carry values of their own, so a leak of them can be seen.
        "tags": '["00000000-0000-4000-8000-00000000000a"]',
        "scales": "",
        "own_scales": '{"00000000-0000-4000-8000-00000000000b": 3}',
    },
    "session_agenda": {"lines": '[{"id":"0a0b0c0d","text":"an agenda line"}]'},
    "homework_response": {
        "worksheet": '{"builtin": "thought_record"}',
        "answers": '{"situation": "an answer to the homework"}',
        "not_done": "",
    },
}


def values_for(kind: Kind, text: str) -> dict[str, str]:
    """A valid value for every field of a kind: text fields each name their field (one line,
    no padding), the others hold the kind's fixed valid value."""
    fixed = FIXED_VALUES.get(kind.name, {})
    return {name: fixed.get(name, f"{text} {name}") for name in kind.field_names}


def text_fields(kind: Kind) -> tuple[str, ...]:
    """The fields of a kind that hold free text (what a leak check looks for)."""
    return tuple(name for name in kind.field_names if name not in FIXED_VALUES.get(kind.name, {}))


def new_item(session: Session, *, kind: Kind, owner_id: uuid.UUID, text: str = "words") -> uuid.UUID:
    from betterjournal.core import items

    item_id = uuid.uuid4()
    items.save(session, owner_id=owner_id, kind=kind, item_id=item_id, values=values_for(kind, text))
    session.flush()
    return item_id


AuditRow = tuple[str, str, uuid.UUID | None, uuid.UUID | None, uuid.UUID | None]


def audit_rows(events: list[AuditEvent]) -> list[AuditRow]:
    """(action, outcome, actor, subject, item) of each row, for comparing with what's expected."""
    return [(e.action, e.outcome, e.actor_id, e.subject_id, e.item_id) for e in events]


OK = "ok"


def race(attempts: list[Callable[[threading.Barrier], None]]) -> list[object]:
    """Run each attempt in its own thread; each waits at the shared barrier right before
    the write under test. Returns OK or the CoreError each one got (anything else, such as
    "database is locked", fails the test)."""
    barrier = threading.Barrier(len(attempts), timeout=30)

    def run(attempt: Callable[[threading.Barrier], None]) -> object:
        try:
            attempt(barrier)
        except CoreError as error:
            return error
        return OK

    with ThreadPoolExecutor(max_workers=len(attempts)) as pool:
        return list(pool.map(run, attempts))

"""The outbox's sender: delivers queued emails (core/mail.py) in the background.

Pages never wait for a mail server: `core.mail.send` adds a row to the caller's unit of
work, and `run_sender` (a lifespan task of the app) delivers due rows every second. A
failed delivery is retried with back-off (1 s, doubling, at most 30 s), so an outage of
the mail server loses nothing: the messages wait and all leave once it is back. A message
the relay refuses for good (a 5xx reply: no such mailbox, message rejected) is not tried
again: its content is dropped and the log says so by its id and the reply's code.

Each message is claimed before it is sent, by a conditional UPDATE that only one sender
can win, so two workers (or two machines) never send one message twice. A claim lasts
two minutes: a sender that dies mid-send leaves the message to be sent again after that.

The transport is the deployment's own relay when BJ_SMTP_URL is set; otherwise each
message is written as a file to $BJ_DATA_DIR/outbox/, so a local run needs no mail
server. Logs name a message's id and an error type, never a recipient, subject or body.
"""

from __future__ import annotations

import contextlib
import logging
import os
import smtplib
import ssl
import tempfile
import uuid
from datetime import datetime, timedelta
from email import message_from_string
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol, cast
from urllib.parse import unquote, urlsplit

from sqlalchemy import bindparam, func
from sqlmodel import col, delete, select, update

from betterjournal.core.mail import MAIL_POLICY, outbox_key
from betterjournal.db import in_rounds, off_the_loop, run_prebuilt, session_scope
from betterjournal.models import OutboxMessage, utcnow
from betterjournal.settings import get_settings

log = logging.getLogger("betterjournal.outbox")

POLL_SECONDS = 1.0
CLAIM_FOR = timedelta(minutes=2)
FIRST_RETRY = timedelta(seconds=1)
LONGEST_RETRY = timedelta(seconds=30)
KEEP_SENT = timedelta(days=1)  # a sent row (its content already dropped) is kept this long
BATCH = 50  # messages looked at per round; the rest wait for the next second
SMTP_TIMEOUT = 10.0
_DEFAULT_PORTS = {"smtp+starttls": 587, "smtps": 465, "smtp": 25}


class Transport(Protocol):
    def deliver(self, message_id: uuid.UUID, message: EmailMessage) -> None:
        """Hand one message over, or raise. Called again with the same id after a failure."""
        ...


class FolderTransport:
    """Writes each message to `<outbox id>.eml` in a folder only the app's user can read.

    The file appears whole (a temporary file renamed over it), and a message sent again
    replaces its own file, so a retry never makes a second one.
    """

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def deliver(self, message_id: uuid.UUID, message: EmailMessage) -> None:
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        final = self.directory / f"{message_id}.eml"
        # mkstemp makes the file readable by its owner only (0600).
        handle, temporary = tempfile.mkstemp(dir=self.directory, prefix=".", suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(message.as_bytes(policy=MAIL_POLICY))
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, final)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise


class SmtpTransport:
    """Sends through a relay: smtp+starttls://user:pass@host:587 (STARTTLS required, the
    certificate checked), smtps://…:465 (TLS from the start) or smtp://host:25 (no TLS:
    a relay on the same machine, or the test suite's server)."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        if parts.scheme not in _DEFAULT_PORTS or not parts.hostname:
            raise ValueError("not an smtp+starttls://, smtps:// or smtp:// URL")
        self.scheme = parts.scheme
        self.host = parts.hostname
        self.port = parts.port or _DEFAULT_PORTS[parts.scheme]
        self.username = unquote(parts.username) if parts.username else ""
        self.password = unquote(parts.password) if parts.password else ""

    def __repr__(self) -> str:  # never the password
        return f"SmtpTransport({self.scheme}://{self.host}:{self.port})"

    def deliver(self, message_id: uuid.UUID, message: EmailMessage) -> None:
        smtp = self._connect()
        try:
            if self.username:
                smtp.login(self.username, self.password)
            smtp.send_message(message)
        finally:
            # Once the relay has accepted the message it is sent: a failed goodbye must
            # not make it count as failed (and be sent again).
            with contextlib.suppress(OSError):
                smtp.quit()
            smtp.close()

    def _connect(self) -> smtplib.SMTP:
        if self.scheme == "smtps":
            return smtplib.SMTP_SSL(
                self.host, self.port, timeout=SMTP_TIMEOUT, context=ssl.create_default_context()
            )
        smtp = smtplib.SMTP(self.host, self.port, timeout=SMTP_TIMEOUT)
        if self.scheme == "smtp+starttls":
            try:
                # Raises if the server doesn't offer STARTTLS: never fall back to plain text.
                smtp.starttls(context=ssl.create_default_context())
            except BaseException:
                smtp.close()
                raise
        return smtp


def transport_from_settings() -> Transport:
    """The relay of BJ_SMTP_URL, or else the folder $BJ_DATA_DIR/outbox/."""
    settings = get_settings()
    if settings.smtp_url:
        return SmtpTransport(settings.smtp_url)
    return FolderTransport(settings.outbox_dir)


# --- the queue ------------------------------------------------------------------------

# Not sent, its time come, and nobody's claim on it (or a claim that lapsed).
_IS_DUE = (
    col(OutboxMessage.sent_at).is_(None),
    col(OutboxMessage.failed_at).is_(None),
    col(OutboxMessage.next_attempt_at) <= bindparam("now"),
    col(OutboxMessage.claimed_until).is_(None) | (col(OutboxMessage.claimed_until) < bindparam("now")),
)
_DUE = select(OutboxMessage.id).where(*_IS_DUE).order_by(col(OutboxMessage.next_attempt_at)).limit(BATCH)
# The same conditions again, in the write: of two senders, only one changes the row.
_CLAIM = (
    update(OutboxMessage)
    .where(col(OutboxMessage.id) == bindparam("message_id"), *_IS_DUE)
    .values(claimed_until=bindparam("until"))
)
_CLAIMED = select(OutboxMessage.message_ct, OutboxMessage.attempts).where(
    col(OutboxMessage.id) == bindparam("message_id")
)
_SENT = (
    update(OutboxMessage)
    .where(col(OutboxMessage.id) == bindparam("message_id"))
    .values(sent_at=bindparam("now"), message_ct=None, claimed_until=None)
)
_RETRY = (
    update(OutboxMessage)
    .where(col(OutboxMessage.id) == bindparam("message_id"))
    .values(attempts=bindparam("attempts"), next_attempt_at=bindparam("retry_at"), claimed_until=None)
)
_FAILED = (
    update(OutboxMessage)
    .where(col(OutboxMessage.id) == bindparam("message_id"))
    .values(failed_at=bindparam("now"), message_ct=None, claimed_until=None, attempts=bindparam("attempts"))
)
# Sent, or refused for good: either way done, and forgotten KEEP_SENT later.
_DONE_AT = func.coalesce(OutboxMessage.sent_at, OutboxMessage.failed_at)
_OLD_DONE = (_DONE_AT.is_not(None), bindparam("before") > _DONE_AT)
_ANY_OLD_DONE = select(OutboxMessage.id).where(*_OLD_DONE).limit(1)
_FORGET_DONE = delete(OutboxMessage).where(*_OLD_DONE)


def backoff(attempts: int) -> timedelta:
    """How long a message waits after its `attempts`-th failed delivery."""
    return min(FIRST_RETRY * 2 ** min(max(attempts - 1, 0), 16), LONGEST_RETRY)


def deliver_due(now: datetime | None = None, transport: Transport | None = None) -> int:
    """Deliver every message that is due and unclaimed; how many were delivered.

    Blocking (database and network): async code runs it off the event loop. When the
    relay can't be reached, the round's other messages are not tried but wait their
    back-off too, so an outage costs one connection attempt per round.
    """
    now = now or utcnow()
    transport = transport or transport_from_settings()
    with session_scope() as session:
        due = list(run_prebuilt(session, _DUE, now=now).scalars())
    delivered = 0
    unreachable = False
    for message_id in due:
        claimed = _claim(message_id, now)
        if claimed is None:
            continue  # another sender has it, or sent it
        blob, attempts = claimed
        if unreachable:
            _retry_later(message_id, attempts, now)
            continue
        try:
            message = _open(message_id, blob)
            transport.deliver(message_id, message)
        except Exception as error:
            refused = refused_for_good(error)
            if refused is not None:
                log.warning("email %s refused by the relay, not retried (%s)", message_id, refused)
                _give_up(message_id, attempts, now)
                continue
            log.warning("email %s not sent, will retry (%s)", message_id, type(error).__name__)
            _retry_later(message_id, attempts, now)
            unreachable = _relay_unreachable(error)
            continue
        _mark_sent(message_id, now)
        delivered += 1
    _forget_done(now)
    return delivered


def _claim(message_id: uuid.UUID, now: datetime) -> tuple[bytes | None, int] | None:
    """(sealed message, attempts so far) if this sender won the message, else None."""
    with session_scope() as session:
        won = run_prebuilt(session, _CLAIM, message_id=message_id, now=now, until=now + CLAIM_FOR)
        if won.rowcount != 1:
            return None
        row = run_prebuilt(session, _CLAIMED, message_id=message_id).one()
        return row.message_ct, row.attempts


def _open(message_id: uuid.UUID, blob: bytes | None) -> EmailMessage:
    text = outbox_key().open_field(OutboxMessage.message_ct, message_id, blob)
    if not text:
        raise ValueError("outbox message without content")
    return _open_text(text)


def _open_text(text: str) -> EmailMessage:
    """A sealed message's text (core/mail.py's `message.as_string()`) as a message again."""
    return cast(EmailMessage, message_from_string(text, policy=MAIL_POLICY))


def _mark_sent(message_id: uuid.UUID, now: datetime) -> None:
    with session_scope() as session:
        run_prebuilt(session, _SENT, message_id=message_id, now=now)


def _retry_later(message_id: uuid.UUID, attempts: int, now: datetime) -> None:
    with session_scope() as session:
        run_prebuilt(
            session,
            _RETRY,
            message_id=message_id,
            attempts=attempts + 1,
            retry_at=now + backoff(attempts + 1),
        )


def _give_up(message_id: uuid.UUID, attempts: int, now: datetime) -> None:
    with session_scope() as session:
        run_prebuilt(session, _FAILED, message_id=message_id, now=now, attempts=attempts + 1)


def _forget_done(now: datetime) -> None:
    # Look first: a read takes no write lock, and most rounds have nothing to forget.
    with session_scope() as session:
        if run_prebuilt(session, _ANY_OLD_DONE, before=now - KEEP_SENT).first() is not None:
            run_prebuilt(session, _FORGET_DONE, before=now - KEEP_SENT)


def refused_for_good(error: Exception) -> str | None:
    """The reason, if the relay's answer is final for this message: a permanent (5xx)
    reply to its sender, its data or every recipient. None for anything that may pass: the
    relay down, a 4xx reply, or a message that can't be opened (a wrong key is fixed by
    the operator, and the message then goes out)."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = sorted({code for code, _reply in error.recipients.values()})
        return f"SMTPRecipientsRefused {codes}" if codes and min(codes) >= 500 else None
    if isinstance(error, smtplib.SMTPResponseException) and error.smtp_code >= 500:
        return f"{type(error).__name__} {error.smtp_code}"
    return None


def _relay_unreachable(error: Exception) -> bool:
    """Whether the failure is the relay's (down, refusing us) rather than this message's."""
    if isinstance(error, smtplib.SMTPRecipientsRefused | smtplib.SMTPDataError):
        return False
    return isinstance(error, OSError)  # smtplib's errors are OSErrors too


async def run_sender() -> None:
    """The background sender (a Reflex lifespan task): a round every second, forever."""
    await in_rounds("outbox", lambda: off_the_loop(deliver_due), lambda: POLL_SECONDS)

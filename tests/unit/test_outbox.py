"""The email outbox (core/mail.py, outbox.py): queued in the caller's unit of work, sealed,
delivered with retries and back-off through a real SMTP server (aiosmtpd), never twice."""

from __future__ import annotations

import asyncio
import logging
import smtplib
import stat
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default
from pathlib import Path
from typing import cast

import pytest
from smtp_mailbox import Mailbox, html_of, link_in, text_of
from sqlmodel import col, select, update

from betterjournal import emails, outbox
from betterjournal.core import mail
from betterjournal.db import get_engine, session_scope
from betterjournal.i18n import FRENCH, Reader
from betterjournal.models import OutboxMessage, utcnow
from betterjournal.settings import get_settings

RESET_LINK = "https://journal.example.test/reset/RESET-TOKEN-MARKER-4f1c"


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    server = Mailbox().start()
    try:
        yield server
    finally:
        server.stop()


def _queue(to: str, *, reader: Reader | None = None, link: str = RESET_LINK) -> uuid.UUID:
    with session_scope() as session:
        return mail.send(session, to=to, email=emails.reset_password(reader or Reader(), link), for_user=None)


def _rows() -> dict[uuid.UUID, OutboxMessage]:
    with session_scope() as session:
        return {row.id: row for row in session.exec(select(OutboxMessage))}


def _database_bytes() -> bytes:
    path = Path(get_settings().database_url.removeprefix("sqlite:///"))
    wal = path.with_name(path.name + "-wal")
    return path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


class Counting:
    """A transport that counts its calls and passes them on (optionally slowly)."""

    def __init__(self, inner: outbox.Transport, delay: float = 0.0) -> None:
        self.inner = inner
        self.delay = delay
        self.calls = 0
        self._lock = threading.Lock()

    def deliver(self, message_id: uuid.UUID, message: EmailMessage) -> None:
        with self._lock:
            self.calls += 1
        time.sleep(self.delay)
        self.inner.deliver(message_id, message)


# --- queueing --------------------------------------------------------------------------


def test_a_queued_message_is_sealed_whole(db) -> None:
    address = "queued-person-7c2e@example.test"
    subject = emails.reset_password(Reader(), RESET_LINK).subject
    message_id = _queue(address)
    row = _rows()[message_id]
    assert row.message_ct and row.sent_at is None and row.attempts == 0

    def scan() -> None:
        data = _database_bytes()
        # The scan reads the right file: the accounts' (deliberately plain) emails are there.
        assert db.client_a.email.encode() in data
        for secret in (address, subject, "RESET-TOKEN-MARKER-4f1c", "Choose a new password"):
            assert secret.encode() not in data, f"{secret!r} is readable in the database"

    scan()  # the new pages are in the WAL
    with get_engine().connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    scan()  # now in the main file


def test_nothing_is_queued_when_the_callers_unit_of_work_rolls_back(db) -> None:
    with pytest.raises(RuntimeError), session_scope() as session:
        mail.send(session, to="rolled-back@example.test", email=emails.email_changed(Reader()), for_user=None)
        raise RuntimeError("the caller's work failed")
    assert _rows() == {}
    assert outbox.deliver_due() == 0


def test_the_sealed_message_opens_only_as_its_own_row(db) -> None:
    first, second = _queue("first@example.test"), _queue("second@example.test")
    rows = _rows()
    key = mail.outbox_key()
    assert "first@example.test" in key.open_field(OutboxMessage.message_ct, first, rows[first].message_ct)
    with pytest.raises(Exception, match="outbox_message"):
        key.open_field(OutboxMessage.message_ct, second, rows[first].message_ct)


@pytest.mark.parametrize(
    "to",
    [
        "someone@example.test\r\nBcc: spy@example.test",
        "someone@example.test\nBcc: spy@example.test",
        "Someone <someone@example.test>",
        "someone@example.test, spy@example.test",
        "not an address",
    ],
)
def test_only_one_plain_address_is_accepted(db, to: str) -> None:
    with pytest.raises(ValueError), session_scope() as session:
        mail.send(session, to=to, email=emails.email_changed(Reader()), for_user=None)
    assert _rows() == {}


# --- the folder transport --------------------------------------------------------------


def test_folder_transport_writes_one_eml_file_per_message(db) -> None:
    folder = get_settings().outbox_dir
    french = Reader(language=FRENCH)
    first = _queue("folder-one@example.test", reader=french)
    second = _queue("folder-two@example.test")
    assert outbox.deliver_due() == 2  # the default transport: no BJ_SMTP_URL
    assert sorted(path.name for path in folder.iterdir()) == sorted([f"{first}.eml", f"{second}.eml"])
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE((folder / f"{first}.eml").stat().st_mode) == 0o600

    message = cast(EmailMessage, message_from_bytes((folder / f"{first}.eml").read_bytes(), policy=default))
    expected = emails.reset_password(french, RESET_LINK)
    assert message["To"] == "folder-one@example.test"
    assert message["From"] == get_settings().mail_from
    assert message["Subject"] == expected.subject
    assert message["Message-ID"] == f"<{first}@localhost>"
    assert message["Date"] and message["Auto-Submitted"] == "auto-generated"
    assert message.get_content_type() == "multipart/alternative"
    assert text_of(message) == expected.text
    assert html_of(message) == expected.html
    assert {part.get_content_charset() for part in message.iter_parts()} == {"utf-8"}

    rows = _rows()
    assert all(row.sent_at is not None and row.message_ct is None for row in rows.values())
    assert outbox.deliver_due() == 0  # sent is sent
    assert len(list(folder.iterdir())) == 2


class WritesThenFails:
    """Writes the file, then fails as if the process died before recording it as sent."""

    def __init__(self, folder: Path) -> None:
        self.inner = outbox.FolderTransport(folder)

    def deliver(self, message_id: uuid.UUID, message: EmailMessage) -> None:
        self.inner.deliver(message_id, message)
        raise TimeoutError("lost the answer")


def test_a_retry_rewrites_the_same_file(db) -> None:
    folder = get_settings().outbox_dir
    message_id = _queue("retry@example.test")
    now = utcnow()
    assert outbox.deliver_due(now, WritesThenFails(folder)) == 0
    assert _rows()[message_id].attempts == 1
    assert outbox.deliver_due(now + timedelta(seconds=2), outbox.FolderTransport(folder)) == 1
    assert [path.name for path in folder.iterdir()] == [f"{message_id}.eml"]  # no temp file left either


# --- through a real SMTP server ---------------------------------------------------------


def test_delivery_through_smtp(db, mailbox: Mailbox) -> None:
    address = "smtp-person@example.test"
    link = "https://journal.example.test/reset/abc?x=1&y=2"
    message_id = _queue(address, link=link)
    assert outbox.deliver_due(transport=outbox.SmtpTransport(mailbox.url)) == 1
    received = mailbox.wait_for(address, subject_contains="new password", timeout=5)
    assert link_in(received, "/reset") == link
    assert "x=1&amp;y=2" in html_of(received)
    assert received["Message-ID"] == f"<{message_id}@localhost>"
    row = _rows()[message_id]
    assert row.sent_at is not None and row.message_ct is None and row.claimed_until is None


def test_transport_from_settings_uses_the_relay_url(db, mailbox: Mailbox, monkeypatch) -> None:
    monkeypatch.setenv("BJ_SMTP_URL", mailbox.url)
    get_settings.cache_clear()
    transport = outbox.transport_from_settings()
    assert isinstance(transport, outbox.SmtpTransport)
    _queue("via-settings@example.test")
    assert outbox.deliver_due() == 1
    mailbox.wait_for("via-settings@example.test", timeout=5)
    assert not get_settings().outbox_dir.exists()


def test_the_relay_login_is_url_decoded(db) -> None:
    with Mailbox(credentials=("mailer@clinic", "p:ss/w@rd")) as server:
        url = server.url.replace("smtp://", "smtp://mailer%40clinic:p%3Ass%2Fw%40rd@")
        transport = outbox.SmtpTransport(url)
        assert transport.username == "mailer@clinic" and transport.password == "p:ss/w@rd"
        assert "p%3Ass" not in repr(transport) and "p:ss" not in repr(transport)
        _queue("logged-in@example.test")
        assert outbox.deliver_due(transport=transport) == 1
        server.wait_for("logged-in@example.test", timeout=5)
        assert server.logins == 1

        # The wrong password: refused, and the message waits.
        _queue("refused@example.test")
        wrong = outbox.SmtpTransport(server.url.replace("smtp://", "smtp://mailer%40clinic:nope@"))
        assert outbox.deliver_due(transport=wrong) == 0
        assert server.messages_to("refused@example.test") == []
        assert server.logins == 1


def test_starttls_is_required_when_the_url_says_so(db, mailbox: Mailbox) -> None:
    # The test server offers no STARTTLS: the message must not go out in the clear.
    message_id = _queue("tls-only@example.test")
    transport = outbox.SmtpTransport(mailbox.url.replace("smtp://", "smtp+starttls://"))
    with pytest.raises(smtplib.SMTPNotSupportedError):
        transport.deliver(message_id, mail.compose(message_id, to="x@example.test", email=_an_email()))
    assert outbox.deliver_due(transport=transport) == 0
    assert mailbox.messages == []
    assert _rows()[message_id].attempts == 1


def _an_email() -> emails.Email:
    return emails.two_step_changed(Reader(), "off")


def test_an_outage_loses_nothing_and_sends_nothing_twice(db, mailbox: Mailbox, caplog) -> None:
    caplog.set_level(logging.INFO, logger="betterjournal.outbox")
    transport = Counting(outbox.SmtpTransport(mailbox.url))
    mailbox.stop()
    addresses = [f"outage-{n}@example.test" for n in range(3)]
    queued = [_queue(address) for address in addresses]

    start = utcnow()
    assert outbox.deliver_due(start, transport) == 0
    assert transport.calls == 1  # the relay is down: the round's others wait without trying
    rows = _rows()
    for message_id in queued:
        assert rows[message_id].attempts == 1
        assert rows[message_id].next_attempt_at > start
        assert rows[message_id].claimed_until is None and rows[message_id].sent_at is None
    assert outbox.deliver_due(start, transport) == 0  # not due again yet
    assert transport.calls == 1

    # Still down after the first back-off: they wait longer.
    later = start + timedelta(seconds=1)
    assert outbox.deliver_due(later, transport) == 0
    rows = _rows()
    assert {rows[message_id].attempts for message_id in queued} == {2}
    assert all(rows[message_id].next_attempt_at == later + timedelta(seconds=2) for message_id in queued)

    mailbox.start()
    back = later + timedelta(seconds=3)
    assert outbox.deliver_due(back, transport) == 3
    for address in addresses:
        mailbox.wait_for(address, timeout=5)
    assert outbox.deliver_due(back + timedelta(minutes=5), transport) == 0
    assert sorted(str(message["To"]) for message in mailbox.messages) == sorted(addresses)
    assert Counter(message["Message-ID"] for message in mailbox.messages).most_common(1)[0][1] == 1

    # The log says which message failed and why, in a word; never to whom or what.
    assert "ConnectionRefusedError" in caplog.text
    assert str(queued[0]) in caplog.text
    for secret in [*addresses, "new password", "RESET-TOKEN"]:
        assert secret not in caplog.text


def test_a_message_refused_for_good_is_not_tried_again(db, mailbox: Mailbox, caplog) -> None:
    caplog.set_level(logging.INFO, logger="betterjournal.outbox")
    mailbox.refuse("nobody@example.test")  # 550: no such mailbox
    mailbox.refuse("busy@example.test", "450 4.2.1 Mailbox busy, try later")
    transport = Counting(outbox.SmtpTransport(mailbox.url))
    gone, busy, fine = (_queue(f"{name}@example.test") for name in ("nobody", "busy", "fine"))

    start = utcnow()
    assert outbox.deliver_due(start, transport) == 1
    mailbox.wait_for("fine@example.test", timeout=5)
    rows = _rows()
    assert rows[gone].failed_at == start and rows[gone].message_ct is None  # content dropped
    assert rows[busy].failed_at is None and rows[busy].attempts == 1  # a 4xx may pass: retried
    assert rows[busy].message_ct is not None

    # Rounds later the refused one is never tried again; the busy one is, until it passes.
    calls = transport.calls
    later = start + timedelta(minutes=5)
    assert outbox.deliver_due(later, transport) == 0
    assert transport.calls == calls + 1  # the busy one only
    mailbox.accept("busy@example.test")
    assert outbox.deliver_due(later + timedelta(minutes=5), transport) == 1
    mailbox.wait_for("busy@example.test", timeout=5)
    assert transport.calls == calls + 2
    assert not mailbox.messages_to("nobody@example.test")

    # The log names the message and the reply's code, never the address or the content.
    assert f"email {gone} refused by the relay, not retried (SMTPRecipientsRefused [550])" in caplog.text
    assert "nobody@example.test" not in caplog.text and "RESET-TOKEN" not in caplog.text
    # Forgotten a day later, like a sent message.
    outbox.deliver_due(start + timedelta(hours=24, seconds=1), transport)
    assert gone not in _rows()
    assert fine not in _rows()


def test_two_senders_at_once_send_each_message_once(db, mailbox: Mailbox) -> None:
    queued = [_queue(f"race-{n}@example.test") for n in range(12)]
    transport = Counting(outbox.SmtpTransport(mailbox.url), delay=0.01)
    start = threading.Barrier(2)
    results: list[int] = []

    def sender() -> None:
        start.wait()
        results.append(outbox.deliver_due(transport=transport))

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sum(results) == len(queued) == transport.calls
    ids = Counter(message["Message-ID"] for message in mailbox.messages)
    assert ids == Counter(f"<{message_id}@localhost>" for message_id in queued)


def test_a_claimed_message_is_left_to_its_sender_until_the_claim_lapses(db, mailbox: Mailbox) -> None:
    message_id = _queue("claimed@example.test")
    now = utcnow()
    with session_scope() as session:
        session.exec(
            update(OutboxMessage)
            .where(col(OutboxMessage.id) == message_id)
            .values(claimed_until=now + timedelta(minutes=2))
        )
    transport = outbox.SmtpTransport(mailbox.url)
    assert outbox.deliver_due(now, transport) == 0  # another sender is on it
    # That sender died: once its claim lapses, the message goes out.
    assert outbox.deliver_due(now + timedelta(minutes=3), transport) == 1
    mailbox.wait_for("claimed@example.test", timeout=5)


def test_back_off_doubles_from_one_second_up_to_thirty() -> None:
    assert [outbox.backoff(n).total_seconds() for n in range(1, 9)] == [1, 2, 4, 8, 16, 30, 30, 30]
    assert outbox.backoff(10_000) == timedelta(seconds=30)


def test_sent_messages_are_forgotten_after_a_day(db) -> None:
    first = _queue("old@example.test")
    now = utcnow()
    assert outbox.deliver_due(now) == 1
    second = _queue("new@example.test")
    assert outbox.deliver_due(now + timedelta(hours=23)) == 1
    assert set(_rows()) == {first, second}
    outbox.deliver_due(now + timedelta(hours=24, seconds=1))
    assert set(_rows()) == {second}


def test_the_background_sender_delivers_and_survives_a_failing_round(db, monkeypatch) -> None:
    message_id = _queue("background@example.test")
    eml = get_settings().outbox_dir / f"{message_id}.eml"
    rounds: list[datetime] = []
    real = outbox.deliver_due

    def flaky_round(now: datetime | None = None, transport: outbox.Transport | None = None) -> int:
        rounds.append(utcnow())
        if len(rounds) == 1:
            raise RuntimeError("database busy")
        return real(now, transport)

    monkeypatch.setattr(outbox, "POLL_SECONDS", 0.05)
    monkeypatch.setattr(outbox, "deliver_due", flaky_round)

    async def run() -> None:
        sender = asyncio.create_task(outbox.run_sender())
        try:
            for _ in range(100):
                if eml.exists():
                    break
                await asyncio.sleep(0.05)
        finally:
            sender.cancel()
        with pytest.raises(asyncio.CancelledError):
            await sender

    asyncio.run(run())
    assert eml.exists()
    assert len(rounds) >= 2


def test_a_french_subject_keeps_every_space_wherever_it_is_folded(db) -> None:
    """Python's header folder dropped the space where it split a long subject's encoded
    words: "votre mot de passe a été modifié" arrived as "a étémodifié" (a walk-through's
    mail). Every French message, as a subject, arrives as it was written, through the outbox's
    seal and its folder transport."""
    from babel.messages.pofile import read_po

    from betterjournal.i18n import LOCALE_DIR

    catalogue = read_po((LOCALE_DIR / "fr_CA" / "LC_MESSAGES" / "messages.po").open("rb"))
    subjects = {
        f"Betterjournal\u00a0: {text}"
        for message in catalogue
        for text in (message.string if isinstance(message.string, tuple | list) else [message.string])
        if text and "\n" not in text and len(text) < 150
    }
    subjects.add(emails.password_changed(Reader(language=FRENCH), RESET_LINK).subject)  # the one found
    assert len(subjects) > 500
    changed = []
    for subject in subjects:
        sealed = mail.compose(uuid.uuid4(), to="x@example.test", email=emails.Email(subject, "x", "<p>x</p>"))
        sent = outbox._open_text(sealed.as_string()).as_bytes()
        if message_from_bytes(sent, policy=default)["Subject"] != subject:
            changed.append(subject)
    assert changed == []
    first = _queue("spaces@example.test", reader=Reader(language=FRENCH))
    assert outbox.deliver_due() == 1
    eml = (get_settings().outbox_dir / f"{first}.eml").read_bytes()
    arrived = cast(EmailMessage, message_from_bytes(eml, policy=default))
    assert arrived["Subject"] == emails.reset_password(Reader(language=FRENCH), RESET_LINK).subject

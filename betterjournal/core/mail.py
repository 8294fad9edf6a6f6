"""Queueing an email: every message goes through the outbox (betterjournal/outbox.py).

`send` only adds a row to the caller's unit of work: the message leaves when that unit
commits, and never if it rolls back. Nothing waits for a mail server here. The whole
message, recipient and subject included, is sealed under the deployment's outbox key, so
the database holds no address or subject in the clear for it.
"""

from __future__ import annotations

import uuid
from email.header import Header
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import EmailPolicy
from email.utils import format_datetime, parseaddr

from sqlmodel import Session

from betterjournal.crypto import SystemKey, get_vault
from betterjournal.emails import Email
from betterjournal.models import OutboxMessage, utcnow
from betterjournal.settings import get_settings

OUTBOX_KEY_PURPOSE = "outbox/v1"


class MailPolicy(EmailPolicy):
    """The SMTP policy (CRLF line ends, non-ASCII headers encoded as RFC 2047 words), but a
    non-ASCII subject is folded by `email.header.Header`: the newer folder drops the space
    where it splits the encoded words ("a été modifié" arrived as "a étémodifié" in every
    mail program; tests/unit/test_outbox.py sends every French message as a subject)."""

    def fold(self, name: str, value: str) -> str:
        if name.lower() == "subject" and not str(value).isascii():
            encoded = Header(str(value), "utf-8", header_name=name).encode(linesep=self.linesep)
            return f"{name}: {encoded}{self.linesep}"
        return super().fold(name, value)

    def fold_binary(self, name: str, value: str) -> bytes:
        if name.lower() == "subject" and not str(value).isascii():
            return self.fold(name, value).encode("ascii")
        return super().fold_binary(name, value)


MAIL_POLICY = MailPolicy(linesep="\r\n")


def outbox_key() -> SystemKey:
    """The key every outbox message is sealed under (derived from the KEK)."""
    return get_vault().system_key(OUTBOX_KEY_PURPOSE)


def send(session: Session, *, to: str, email: Email, for_user: uuid.UUID | None) -> uuid.UUID:
    """Queue `email` to the address `to` in the caller's unit of work; its outbox id.
    `for_user`: whose account it is about; deleting that account drops it unsent (PRIV-3).

    Raises ValueError for an address that isn't one plain address (no name, no second
    address, no line break): callers pass addresses they validated already.
    """
    message_id = uuid.uuid4()
    message = compose(message_id, to=to, email=email)
    sealed = outbox_key().seal_field(OutboxMessage.message_ct, message_id, message.as_string())
    session.add(OutboxMessage(id=message_id, message_ct=sealed, user_id=for_user))
    return message_id


def compose(message_id: uuid.UUID, *, to: str, email: Email) -> EmailMessage:
    """The RFC 5322 message: plain text and HTML alternatives, UTF-8."""
    settings = get_settings()
    recipient = Address(addr_spec=to)  # parses: one address, or ValueError
    if recipient.addr_spec != to:
        raise ValueError("not a plain email address")
    domain = parseaddr(settings.mail_from)[1].rpartition("@")[2] or "localhost"
    # CRLF line ends; non-ASCII headers encoded (RFC 2047), a subject's spaces kept.
    message = EmailMessage(policy=MAIL_POLICY)
    message["From"] = settings.mail_from
    message["To"] = recipient.addr_spec
    message["Subject"] = email.subject
    message["Date"] = format_datetime(utcnow())
    # The outbox id: a message sent again after an unclear failure keeps its Message-ID,
    # so mail programs show it once. It says nothing about the person.
    message["Message-ID"] = f"<{message_id}@{domain}>"
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no out-of-office replies
    if email.unsubscribe:  # one tap in the mail program stops these (RFC 2369, RFC 8058)
        message["List-Unsubscribe"] = f"<{email.unsubscribe}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(email.text, charset="utf-8")
    message.add_alternative(email.html, subtype="html", charset="utf-8")
    return message

"""Anti-forgery tokens for the plain HTML forms that POST to our auth routes (TRANS-3).

A token is `issued-at.nonce.mac`, signed with a key derived from the KEK. The routes
also check Origin / Sec-Fetch-Site; with SameSite=Strict cookies that makes three locks.
"""

from __future__ import annotations

import secrets
import time
from datetime import timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, delete

from betterjournal.crypto import get_vault, sha256_hex
from betterjournal.models import UsedFormToken, utcnow

PURPOSE = "form-token/v1"
MAX_AGE_SECONDS = 12 * 3600


def issue(now: float | None = None) -> str:
    issued = str(int(now if now is not None else time.time()))
    nonce = secrets.token_urlsafe(16)
    return f"{issued}.{nonce}.{get_vault().sign(PURPOSE, f'{issued}.{nonce}'.encode())}"


def is_valid(token: object, now: float | None = None) -> bool:
    if not isinstance(token, str) or len(token) > 200 or token.count(".") != 2:
        return False
    issued, nonce, mac = token.split(".")
    if not get_vault().verify(PURPOSE, f"{issued}.{nonce}".encode(), mac) or not issued.isdigit():
        return False
    age = (now if now is not None else time.time()) - int(issued)
    return 0 <= age <= MAX_AGE_SECONDS


def use(session: Session, token: object) -> bool:
    """Whether `token` is valid and not posted before; it is then used up (a replayed form
    is refused). One insert under the nonce's primary key: of two posts of one token at the
    same moment, one wins. Rows older than a token's lifetime are dropped."""
    if not is_valid(token):
        return False
    assert isinstance(token, str)
    return _used_up(session, token)


# A ticket for one file, fetched over HTTP rather than sent over the websocket (a big file
# held everyone's events up as it was encoded and sent): made for one person, used once,
# soon.
TICKET_PURPOSE = "file-ticket/v1"
TICKET_MAX_AGE_SECONDS = 300


def issue_ticket(person: object, now: float | None = None) -> str:
    issued = str(int(now if now is not None else time.time()))
    nonce = secrets.token_urlsafe(16)
    return f"{issued}.{nonce}.{get_vault().sign(TICKET_PURPOSE, f'{issued}.{nonce}.{person}'.encode())}"


def use_ticket(session: Session, ticket: object, person: object, now: float | None = None) -> bool:
    """Whether `ticket` was made for `person` in the last few minutes and not used before;
    it is then used up."""
    if not isinstance(ticket, str) or len(ticket) > 200 or ticket.count(".") != 2:
        return False
    issued, nonce, mac = ticket.split(".")
    if (
        not get_vault().verify(TICKET_PURPOSE, f"{issued}.{nonce}.{person}".encode(), mac)
        or not issued.isdigit()
    ):
        return False
    if not 0 <= (now if now is not None else time.time()) - int(issued) <= TICKET_MAX_AGE_SECONDS:
        return False
    return _used_up(session, ticket)


def _used_up(session: Session, token: str) -> bool:
    """Mark a token (or ticket) used; False if it was already."""
    now = utcnow()
    session.exec(
        delete(UsedFormToken).where(col(UsedFormToken.used_at) < now - timedelta(seconds=MAX_AGE_SECONDS))
    )
    try:
        with session.begin_nested():
            session.add(UsedFormToken(nonce_hash=sha256_hex(token.split(".")[1]), used_at=now))
    except IntegrityError:
        return False
    return True

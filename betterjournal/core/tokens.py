"""Single-use links sent by email: confirm an address, set a first password, reset one.

A token is 256 random bits in the link; the database keeps only its SHA-256. It is used
by one conditional write (unused, unexpired, for this purpose), so of two tabs following
one link at the same moment, one wins. Issuing a new token of a purpose ends the older
ones of that purpose for the same person.
"""

from __future__ import annotations

import secrets
import uuid
from datetime import timedelta

from sqlmodel import Session, col, select, update

from betterjournal.core.errors import InvalidInput
from betterjournal.crypto import sha256_hex
from betterjournal.i18n import N_
from betterjournal.models import AccountToken, TokenPurpose, User, utcnow

LIFETIMES = {
    TokenPurpose.CONFIRM_EMAIL: timedelta(hours=24),
    TokenPurpose.SET_PASSWORD: timedelta(hours=72),
    TokenPurpose.RESET_PASSWORD: timedelta(minutes=30),
}
TOKEN_MAX = 100  # longer input is never a token of ours

EXPIRED = N_("This link has expired or was already used. You can ask for a new one.")


def end_unused(session: Session, user_id: uuid.UUID, *purposes: TokenPurpose) -> None:
    """The person's links for these purposes not used yet stop working."""
    session.exec(
        update(AccountToken)
        .where(
            col(AccountToken.user_id) == user_id,
            col(AccountToken.purpose).in_(purposes),
            col(AccountToken.used_at).is_(None),
        )
        .values(used_at=utcnow())
    )


def issue(session: Session, *, user_id: uuid.UUID, purpose: TokenPurpose) -> str:
    """A new single-use token for `purpose`; the person's older ones for it stop working."""
    now = utcnow()
    end_unused(session, user_id, purpose)
    token = secrets.token_urlsafe(32)
    session.add(
        AccountToken(
            token_hash=sha256_hex(token),
            user_id=user_id,
            purpose=purpose,
            created_at=now,
            expires_at=now + LIFETIMES[purpose],
        )
    )
    return token


def peek(session: Session, token: object, purpose: TokenPurpose) -> uuid.UUID | None:
    """Whose token this is, if it is still usable (to show the page it opens); uses nothing."""
    # Ours are URL-safe base64: anything else (a lone surrogate can't even be hashed) isn't.
    if not isinstance(token, str) or not token or len(token) > TOKEN_MAX or not token.isascii():
        return None
    query = select(AccountToken.user_id).where(
        col(AccountToken.token_hash) == sha256_hex(token),
        col(AccountToken.purpose) == purpose,
        col(AccountToken.used_at).is_(None),
        col(AccountToken.expires_at) > utcnow(),
    )
    return session.exec(query).first()


def address_of(session: Session, token: object, purpose: TokenPurpose) -> str | None:
    """The email address a still usable link was sent to (its page shows it, and hands it to
    the sign-in page after), or None; uses nothing. A confirmation link of a change of
    address went to the new one, which the account has once it is followed (a walk-through:
    the page showed the old one, and signing in with it failed)."""
    user_id = peek(session, token, purpose)
    user = session.get(User, user_id) if user_id is not None else None
    if user is None:
        return None
    if purpose == TokenPurpose.CONFIRM_EMAIL and user.pending_email is not None:
        return user.pending_email
    return user.email


def redeem(session: Session, token: object, purpose: TokenPurpose) -> uuid.UUID:
    """Use the token, once: whose it was. Raises InvalidInput if unknown, used or expired."""
    user_id = peek(session, token, purpose)
    if user_id is None:
        raise InvalidInput(EXPIRED, code="link")
    assert isinstance(token, str)
    used = session.connection().execute(
        update(AccountToken)
        .where(
            col(AccountToken.token_hash) == sha256_hex(token),
            col(AccountToken.used_at).is_(None),
            col(AccountToken.expires_at) > utcnow(),
        )
        .values(used_at=utcnow())
    )
    if used.rowcount != 1:  # another tab used it first
        raise InvalidInput(EXPIRED, code="link")
    return user_id

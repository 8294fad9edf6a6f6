"""Password policy and argon2id hashing (AUTHN-1).

The common-password list is Django's (BSD licence), 20,000 entries, bundled here.
Hashing is slow on purpose; callers run it off the event loop.
"""

from __future__ import annotations

import functools
import gzip
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from betterjournal.core.errors import InvalidInput
from betterjournal.i18n import N_

MIN_LENGTH = 12
MAX_LENGTH = 128

_HASHER = PasswordHasher(time_cost=2, memory_cost=19_456, parallelism=1)
# Verified against for unknown emails, so they take as long as known ones (AUTHN-2).
_DUMMY_HASH = _HASHER.hash("not a real password, only here to spend time")


@functools.cache
def _common_passwords() -> frozenset[str]:
    path = Path(__file__).with_name("common-passwords.txt.gz")
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return frozenset(line.strip().lower() for line in handle if line.strip())


def check_policy(password: object) -> str:
    """Return the password if acceptable; raise InvalidInput with what to change."""
    if not isinstance(password, str) or not _encodable(password):
        raise InvalidInput(N_("Password must be text."), code="password_short")
    if len(password) < MIN_LENGTH:
        raise InvalidInput(
            N_("Use at least {count} characters for your password."), code="password_short", count=MIN_LENGTH
        )
    if len(password) > MAX_LENGTH:
        raise InvalidInput(
            N_("Use at most {count} characters for your password."), code="password_long", count=MAX_LENGTH
        )
    if password.lower() in _common_passwords():
        raise InvalidInput(
            N_("That password is too common. Try a few unrelated words together."),
            code="password_common",
        )
    return password


def _encodable(text: str) -> bool:
    """No lone surrogates (a websocket payload can carry them; UTF-8 can't)."""
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return True


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Constant work whether or not the account exists: pass None for unknown emails."""
    if not _encodable(password):
        password = ""  # still the same work: the dummy or real hash is checked
    try:
        return _HASHER.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _HASHER.check_needs_rehash(password_hash)

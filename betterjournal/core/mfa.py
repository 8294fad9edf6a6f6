"""Two-step sign-in: TOTP codes (RFC 6238, pyotp) and single-use recovery codes (AUTHN-7).

Required for clinicians and admins, offered to clients. The secret is sealed under the
person's own data key. A code is accepted once: the last accepted time step is kept and
only a later one is taken, by one conditional write (two tabs sending one code: one
wins). Ten recovery codes, shown once, are stored as hashes (each has 80 random bits, so
a plain SHA-256 is enough). Wrong codes are counted before they are checked, like
passwords: after ten in a quarter of an hour, no code is checked for a while.
"""

from __future__ import annotations

import hmac
import re
import secrets
import time
import unicodedata
import uuid
from dataclasses import dataclass
from datetime import timedelta

import segno
from pyotp import random_base32
from pyotp.totp import TOTP
from sqlmodel import Session, col, delete, func, select, update

from betterjournal.core import accounts
from betterjournal.core.errors import InvalidInput
from betterjournal.crypto import sha256_hex
from betterjournal.db import take_turns
from betterjournal.i18n import N_
from betterjournal.models import RecoveryCode, Role, SessionStage, User, utcnow

ISSUER = "Betterjournal"
REQUIRED_FOR = (Role.CLINICIAN, Role.ADMIN)
RECOVERY_CODE_COUNT = 10
WRONG_CODES_ALLOWED = 10
WRONG_CODE_WINDOW = timedelta(minutes=15)
STEP_SECONDS = 30
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i

WRONG_CODE = N_("That code didn't work. Check the time on your phone and try the newest code.")
# The setup on this page was begun again in another sign-in (another device or browser),
# with a new key: this page's key can't be confirmed.
SETUP_ELSEWHERE = N_(
    "Two-step sign-in was started again from another sign-in, with a new key. Reload this page "
    "to get a key for this one, and scan it again."
)
# The code of a step used already (or older than one used): the phone may still show it, so
# "try the newest code" doesn't help (walk-through: signed out and in again in 30 seconds).
USED_CODE = N_("That code was used already. Wait for your phone to show a new one, then enter it.")
TOO_MANY_CODES = N_("Too many wrong codes. Please wait 15 minutes, then try again.")
# A recovery code (16 characters) that isn't one left: the phone's clock has nothing to do
# with it (a walk-through used one twice and was told to check the time on their phone).
WRONG_RECOVERY_CODE = N_(
    "That recovery code didn't work. Each one works only once: try another of your recovery "
    "codes, or the code from your app."
)


@dataclass(frozen=True)
class Setup:
    """What the setup page shows: the secret as text, as a QR code drawn here, and as the
    `otpauth:` link an authenticator app on the same phone opens (a phone can't scan itself)."""

    secret: str
    qr_svg: str  # a data: URI of an SVG (the page's CSP allows data: images)
    uri: str

    @property
    def grouped_secret(self) -> str:
        return " ".join(self.secret[i : i + 4] for i in range(0, len(self.secret), 4))


def stage_after_password(user: User) -> SessionStage:
    """What a sign-in with the right password may reach before a code."""
    if user.totp_secret_ct is not None:
        return SessionStage.MFA_CODE
    if user.role in REQUIRED_FOR:
        return SessionStage.MFA_SETUP
    return SessionStage.FULL


def is_on(session: Session, user_id: uuid.UUID) -> bool:
    return session.exec(select(User.totp_secret_ct).where(col(User.id) == user_id)).first() is not None


def _setup_of(secret: str, email: str) -> Setup:
    uri = TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)
    return Setup(secret=secret, qr_svg=segno.make(uri, error="m").svg_data_uri(scale=5, border=2), uri=uri)


def begin_setup(session: Session, user_id: uuid.UUID, *, token: str) -> Setup:
    """The secret being set up by the session `token` (kept, sealed, until a code confirms
    it): the same one on every visit of that session, so a reload doesn't invalidate the
    phone that scanned it (nor a second tab opened at the same moment: they take turns, the
    second finds the first's). Another session of the person (another sign-in with the
    password) is never shown it: it begins a setup of its own, with a new secret, and the
    first one's can no longer be confirmed (SETUP_ELSEWHERE)."""
    take_turns(session, User, col(User.id) == user_id)
    user = session.get(User, user_id)
    if user is None:
        raise InvalidInput(WRONG_CODE)
    key = accounts.data_key(session, user_id)
    mine = sha256_hex(token)
    if user.totp_pending_ct is not None and user.totp_pending_for == mine:
        secret = key.open_field(User.totp_pending_ct, user_id, user.totp_pending_ct)
    else:
        secret = random_base32()
        user.totp_pending_ct = key.seal_field(User.totp_pending_ct, user_id, secret)
        user.totp_pending_for = mine
        session.add(user)
    return _setup_of(secret, user.email)


def confirm_setup(session: Session, user_id: uuid.UUID, code: object, *, token: str) -> list[str]:
    """Turn MFA on with a code from the secret the session `token` was shown; the ten
    recovery codes, shown once. Two tabs confirming at once take turns: the second finds it
    on, and makes no codes."""
    attempt = _count_attempt(session, user_id)  # committed: the turns are taken after it
    take_turns(session, User, col(User.id) == user_id)
    user = session.get(User, user_id)
    if user is None or user.totp_pending_ct is None:
        raise InvalidInput(WRONG_CODE, code="code")
    if user.totp_pending_for != sha256_hex(token):
        raise InvalidInput(SETUP_ELSEWHERE, code="code")
    key = accounts.data_key(session, user_id)
    secret = key.open_field(User.totp_pending_ct, user_id, user.totp_pending_ct)
    step = _matching_step(secret, code)
    if step is None:
        raise InvalidInput(WRONG_CODE, code="code")
    _forget_attempt(session, attempt)
    user.totp_secret_ct = key.seal_field(User.totp_secret_ct, user_id, secret)
    user.totp_pending_ct, user.totp_pending_for = None, None
    user.totp_last_step = step
    session.add(user)
    return new_recovery_codes(session, user_id)


def verify(session: Session, user_id: uuid.UUID, code: object) -> None:
    """Accept a current TOTP code not used before, or an unused recovery code. Raises
    InvalidInput (wrong, or used already) or TooManyAttempts."""
    attempt = _count_attempt(session, user_id)
    text = _normalised(code)
    if len(text) == 6 and text.isdigit():
        if not _take_totp(session, user_id, text):
            raise InvalidInput(WRONG_CODE, code="code")
    elif not _take_recovery_code(session, user_id, text):
        raise InvalidInput(WRONG_RECOVERY_CODE if len(text) == 16 else WRONG_CODE, code="code")
    _forget_attempt(session, attempt)


def turn_off(session: Session, user_id: uuid.UUID) -> None:
    """A client turning MFA off (after re-authenticating). Clinicians and admins can't."""
    user = session.get(User, user_id)
    if user is None or user.role in REQUIRED_FOR:
        raise InvalidInput(N_("Two-step sign-in is required for your account."))
    user.totp_secret_ct = user.totp_pending_ct = None
    user.totp_last_step = None
    session.add(user)
    session.exec(delete(RecoveryCode).where(col(RecoveryCode.user_id) == user_id))


def new_recovery_codes(session: Session, user_id: uuid.UUID) -> list[str]:
    """Ten fresh recovery codes (the old ones stop working), to show once."""
    session.exec(delete(RecoveryCode).where(col(RecoveryCode.user_id) == user_id))
    codes = ["-".join(_random_group() for _ in range(4)) for _ in range(RECOVERY_CODE_COUNT)]
    for code in codes:
        session.add(RecoveryCode(user_id=user_id, code_hash=sha256_hex(_normalised(code))))
    return codes


def recovery_codes_left(session: Session, user_id: uuid.UUID) -> int:
    query = select(func.count()).where(
        col(RecoveryCode.user_id) == user_id, col(RecoveryCode.used_at).is_(None)
    )
    return session.exec(query).one()


# --- codes ------------------------------------------------------------------------------


def _random_group() -> str:
    return "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(4))


def _normalised(code: object) -> str:
    """What was typed, without spaces and dashes, lower case; '' for anything too long or
    not ASCII once full-width digits are read as digits (NFKC): other digits pass
    isdigit(), and non-ASCII text can't be compared in constant time or, with a lone
    surrogate, even hashed."""
    if not isinstance(code, str) or len(code) > 40:
        return ""
    text = unicodedata.normalize("NFKC", code)
    if not text.isascii():
        return ""
    return re.sub(r"[\s-]", "", text).lower()


def _matching_step(secret: str, code: object) -> int | None:
    """The time step (now, or one either side for a slow phone clock) whose code this is."""
    text = _normalised(code)
    if len(text) != 6 or not text.isdigit():
        return None
    totp = TOTP(secret)
    now = int(time.time()) // STEP_SECONDS
    for step in (now - 1, now, now + 1):
        if hmac.compare_digest(totp.at(step * STEP_SECONDS), text):
            return step
    return None


def _take_totp(session: Session, user_id: uuid.UUID, code: str) -> bool:
    user = session.get(User, user_id)
    if user is None or user.totp_secret_ct is None:
        return False
    secret = accounts.data_key(session, user_id).open_field(User.totp_secret_ct, user_id, user.totp_secret_ct)
    step = _matching_step(secret, code)
    if step is None:
        return False
    taken = session.connection().execute(
        update(User)
        .where(
            col(User.id) == user_id,
            col(User.totp_last_step).is_(None) | (col(User.totp_last_step) < step),
        )
        .values(totp_last_step=step)
    )
    session.expire(user)
    if taken.rowcount != 1:  # this code (or a later one) was used already
        raise InvalidInput(USED_CODE, code="code")
    return True


def _take_recovery_code(session: Session, user_id: uuid.UUID, code: str) -> bool:
    if len(code) != 16:
        return False
    taken = session.connection().execute(
        update(RecoveryCode)
        .where(
            col(RecoveryCode.user_id) == user_id,
            col(RecoveryCode.code_hash) == sha256_hex(code),
            col(RecoveryCode.used_at).is_(None),
        )
        .values(used_at=utcnow())
    )
    return taken.rowcount == 1


# --- wrong codes ------------------------------------------------------------------------


def _scope(user_id: uuid.UUID) -> str:
    return f"mfa:{user_id}"


def _count_attempt(session: Session, user_id: uuid.UUID) -> list[int]:
    """Count this try before checking it (accounts.begin_attempt: committed at once, so a
    refusal rolled back by the caller still counts, and parallel tries can't all pass)."""
    return accounts.begin_attempt(session, {_scope(user_id): WRONG_CODES_ALLOWED}, window=WRONG_CODE_WINDOW)


def _forget_attempt(session: Session, attempt: list[int]) -> None:
    """A right code doesn't count against the person."""
    accounts.forgive_attempt(session, attempt)

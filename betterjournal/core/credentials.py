"""What proves who a person is, and how they get it back: email confirmation, the first
password after an approved request, password reset, and re-authenticated changes.

Every answer that a stranger could see is the same whether or not an address has an
account (AUTHN-2): the work happens, or doesn't, out of sight, and the email tells the
owner. Links are single-use tokens (core/tokens.py); emails go through the outbox, in
the caller's unit of work, so they leave only if it commits.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlmodel import Session, col, select

from betterjournal import emails, routes
from betterjournal.core import accounts, mail, mfa, passwords, tokens
from betterjournal.core.errors import InvalidInput, TooManyAttempts
from betterjournal.core.validation import clean_email
from betterjournal.crypto import sha256_hex
from betterjournal.db import take_turns
from betterjournal.i18n import N_, Reader, language_or_default
from betterjournal.models import AccountToken, TokenPurpose, User, utcnow
from betterjournal.settings import get_settings

RESEND_GAP = timedelta(minutes=5)
THROTTLE_WINDOW = timedelta(minutes=15)
RESETS_PER_ADDRESS = 10  # reset requests from one client address per window
RESETS_PER_ACCOUNT = 3  # reset emails to one account per window
REAUTH_TRIES = 10  # re-authentications (right or wrong) per account and window
WRONG_PASSWORD = N_("That password isn't right. Please try again.")


def link(path: str, token: str, **extra: str) -> str:
    query = "&".join([f"token={token}", *(f"{key}={value}" for key, value in extra.items())])
    return f"{get_settings().public_url}{path}?{query}"


def reader_for(user: User, language: object = None) -> Reader:
    """How an email reads to this person: their language, else the one they used."""
    return Reader(language_or_default(user.language or language), user.time_zone or get_settings().time_zone)


def counted(session: Session, scope: str, limit: int, window: timedelta = THROTTLE_WINDOW) -> None:
    """Count one attempt in `scope`, committed before any work (accounts.begin_attempt: a
    refusal rolled back later still counts, and parallel tries can't all pass); past
    `limit` in the window, TooManyAttempts."""
    accounts.begin_attempt(session, {scope: limit}, window=window)


# --- confirming an address -----------------------------------------------------------


def send_confirmation(session: Session, user: User, *, language: object = None) -> None:
    """Email a new account's confirmation link, at most once every few minutes (two tabs
    asking at once take turns: one email)."""
    take_turns(session, User, col(User.id) == user.id)
    recent = session.exec(
        select(AccountToken.id).where(
            col(AccountToken.user_id) == user.id,
            col(AccountToken.purpose) == TokenPurpose.CONFIRM_EMAIL,
            col(AccountToken.created_at) > utcnow() - RESEND_GAP,
        )
    ).first()
    if recent is not None:
        return
    token = tokens.issue(session, user_id=user.id, purpose=TokenPurpose.CONFIRM_EMAIL)
    message = emails.confirm_email(reader_for(user, language), link(routes.CONFIRM_EMAIL, token))
    mail.send(session, to=user.email, email=message, for_user=user.id)


def tell_owner_someone_tried(session: Session, user: User, *, language: object = None) -> None:
    """The owner of an address someone tried to register with hears of it (nothing changes)."""
    settings = get_settings()
    message = emails.someone_tried(
        reader_for(user, language), settings.public_url + routes.SIGN_IN, settings.public_url + routes.FORGOT
    )
    mail.send(session, to=user.email, email=message, for_user=user.id)


def confirm_email(session: Session, token: object) -> None:
    """Follow a confirmation link: a new account becomes usable, or the new address a
    signed-in person asked for becomes the account's (the old one is told). Raises
    InvalidInput."""
    user_id = tokens.redeem(session, token, TokenPurpose.CONFIRM_EMAIL)
    user = session.get(User, user_id)
    assert user is not None
    if user.email_confirmed_at is None:
        user.email_confirmed_at = utcnow()
    if user.pending_email is not None:
        old_address, new_address = user.email, user.pending_email
        user.pending_email = None
        if not _address_taken(session, new_address):
            user.email = new_address
            mail.send(session, to=old_address, email=emails.email_changed(reader_for(user)), for_user=user.id)
    session.add(user)


# --- passwords ---------------------------------------------------------------------------


def count_reset_request(session: Session, *, address: str) -> None:
    """A reset link asked for from this client address: refused past the address's limit
    (TooManyAttempts), whatever the email address asked about."""
    counted(session, f"reset:{address}", RESETS_PER_ADDRESS)


def send_reset_link(session: Session, *, email: object, language: object = None) -> None:
    """Email a reset link if the address has an account; nothing otherwise. The route runs
    this after its answer has gone (api.forgot_password), so the answer takes the same time
    whether or not the address has an account (AUTHN-2)."""
    try:
        clean_address = clean_email(email)
    except InvalidInput:
        return  # nothing could have an account at a malformed address; same answer
    user = session.exec(select(User).where(col(User.email) == clean_address)).first()
    if user is None or not user.is_active:
        return
    try:
        counted(session, f"reset:{sha256_hex(clean_address)}", RESETS_PER_ACCOUNT)
    except TooManyAttempts:
        return  # the owner has links already: no flood of email, and still the same answer
    token = tokens.issue(session, user_id=user.id, purpose=TokenPurpose.RESET_PASSWORD)
    message = emails.reset_password(reader_for(user, language), link(routes.CHOOSE_PASSWORD, token))
    mail.send(session, to=user.email, email=message, for_user=user.id)


def choose_password(session: Session, *, token: object, password: object, first: bool) -> User:
    """Set a password from an emailed link (the first one after approval, or a reset).

    The link proves the address, so it confirms it too. Every session of the person ends,
    any two-step setup begun and not confirmed is dropped, their sign-in failures are
    forgotten (the owner always has this way in), and a reset is told to them by email.
    Raises InvalidInput (a weak password keeps the link usable).
    """
    secret = passwords.check_policy(password)
    purpose = TokenPurpose.SET_PASSWORD if first else TokenPurpose.RESET_PASSWORD
    user_id = tokens.redeem(session, token, purpose)
    user = session.get(User, user_id)
    assert user is not None
    user.password_hash = passwords.hash_password(secret)
    if user.email_confirmed_at is None:
        user.email_confirmed_at = utcnow()
    session.add(user)
    # Nothing begun with the old password carries on (accounts.end_sessions): a two-step
    # setup (whoever had the password saw its secret), a change of address, a reset link.
    accounts.end_sessions(session, user_id)
    accounts.clear_failures(session, user.email)
    if not first:
        settings = get_settings()
        message = emails.password_changed(reader_for(user), settings.public_url + routes.FORGOT)
        mail.send(session, to=user.email, email=message, for_user=user.id)
    return user


# --- changes made while signed in, after re-authenticating ----------------------------


def reauthenticate(session: Session, user_id: uuid.UUID, *, password: object, code: object) -> User:
    """The person's password again, and a code if they have two-step sign-in on."""
    counted(session, f"reauth:{user_id}", REAUTH_TRIES)
    user = session.get(User, user_id)
    assert user is not None
    text = password if isinstance(password, str) else ""
    if not passwords.verify_password(user.password_hash, text[:1024]):
        raise InvalidInput(WRONG_PASSWORD, code="password")
    if user.totp_secret_ct is not None:
        mfa.verify(session, user_id, code)
    return user


def change_password(
    session: Session, user_id: uuid.UUID, *, session_id: uuid.UUID, current: object, code: object, new: object
) -> None:
    secret = passwords.check_policy(new)
    user = reauthenticate(session, user_id, password=current, code=code)
    user.password_hash = passwords.hash_password(secret)
    session.add(user)
    accounts.end_sessions(session, user_id, keep=session_id)
    settings = get_settings()
    mail.send(
        session,
        to=user.email,
        email=emails.password_changed(reader_for(user), settings.public_url + routes.FORGOT),
        for_user=user.id,
    )


def change_email(
    session: Session, user_id: uuid.UUID, *, current: object, code: object, new_email: object
) -> None:
    """Ask for a new address: it replaces the old one only once the person follows the link
    sent to it (a mistyped address never gets the account), and the old address is then
    told. The answer is the same whether or not the new address has an account already
    (no link is sent to one that has)."""
    address = clean_email(new_email)
    user = reauthenticate(session, user_id, password=current, code=code)
    user.pending_email = None if address == user.email else address
    session.add(user)
    if user.pending_email is None:
        return
    # The address in use hears of it now, with the way to stop it (an attack review: the owner
    # heard only once the account had moved).
    forgot = get_settings().public_url + routes.FORGOT
    mail.send(
        session, to=user.email, email=emails.email_change_asked(reader_for(user), forgot), for_user=user.id
    )
    if _address_taken(session, address):
        return
    # Ends every older confirmation link of the person, whichever address it went to.
    token = tokens.issue(session, user_id=user.id, purpose=TokenPurpose.CONFIRM_EMAIL)
    message = emails.confirm_new_address(reader_for(user), link(routes.CONFIRM_EMAIL, token))
    mail.send(session, to=address, email=message, for_user=user.id)


def _address_taken(session: Session, address: str) -> bool:
    return session.exec(select(User.id).where(col(User.email) == address)).first() is not None


def turn_two_step_off(session: Session, user_id: uuid.UUID, *, current: object, code: object) -> None:
    user = reauthenticate(session, user_id, password=current, code=code)
    mfa.turn_off(session, user_id)
    mail.send(
        session, to=user.email, email=emails.two_step_changed(reader_for(user), "off"), for_user=user.id
    )


def turn_two_step_on(session: Session, user_id: uuid.UUID, *, code: object, token: str) -> list[str]:
    """Two-step sign-in on, once the code from the new authenticator is right (mfa: the
    secret the session `token` was shown), and the person told by email, as for turning it
    off (a walk-through: nothing was sent)."""
    codes = mfa.confirm_setup(session, user_id, code, token=token)
    user = session.get(User, user_id)
    assert user is not None
    mail.send(session, to=user.email, email=emails.two_step_changed(reader_for(user), "on"), for_user=user.id)
    return codes


def renew_recovery_codes(session: Session, user_id: uuid.UUID, *, current: object, code: object) -> list[str]:
    user = reauthenticate(session, user_id, password=current, code=code)
    codes = mfa.new_recovery_codes(session, user_id)
    mail.send(
        session, to=user.email, email=emails.two_step_changed(reader_for(user), "codes"), for_user=user.id
    )
    return codes

"""Accounts, sign-in with throttling, and server-side sessions (AUTHN-1 … AUTHN-6)."""

from __future__ import annotations

import secrets
import uuid
from datetime import datetime, timedelta

from sqlalchemy import bindparam
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, delete, func, select, update

from betterjournal.core import passwords
from betterjournal.core.errors import InvalidInput, SignInFailed, TooManyAttempts
from betterjournal.core.validation import NAME_MAX, clean_email, clean_line
from betterjournal.crypto import DataKey, get_vault, sha256_hex
from betterjournal.db import run_prebuilt
from betterjournal.i18n import LANGUAGES, N_, is_time_zone
from betterjournal.models import AuthSession, Invitation, LoginFailure, Role, User, Viewer, utcnow
from betterjournal.settings import get_settings

THROTTLE_WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_ACCOUNT = 5
MAX_FAILURES_PER_ADDRESS = 30
# Registrations per address in the same window, whatever their outcome.
MAX_REGISTRATIONS_PER_ADDRESS = 20
# Refresh last_seen_at at most this often, so ordinary events don't each write.
LAST_SEEN_GRANULARITY = timedelta(seconds=30)


def create_user(
    session: Session, *, email: object, display_name: object, password: object, role: Role
) -> User:
    """Create an account with its own wrapped data key. Raises InvalidInput."""
    clean_address, name, secret = _checked_details(email, display_name, password)
    if _email_taken(session, clean_address):
        raise InvalidInput(N_("We couldn't create an account with these details."), code="details")
    return _add_user(session, email=clean_address, display_name=name, secret=secret, role=role)


def _checked_details(email: object, display_name: object, password: object) -> tuple[str, str, str]:
    """(email, name, password) for a new account, or InvalidInput saying what to fix."""
    clean_address = clean_email(email)
    try:
        name = clean_line(display_name, label=N_("Name"), max_length=NAME_MAX)
    except InvalidInput as error:
        raise InvalidInput(error.message, code="name", **error.values) from None
    return clean_address, name, passwords.check_policy(password)


def _email_taken(session: Session, email: str) -> bool:
    return session.exec(select(User.id).where(User.email == email)).first() is not None


def _add_user(session: Session, *, email: str, display_name: str, secret: str, role: Role) -> User:
    user_id = uuid.uuid4()
    wrapped = get_vault().new_data_key(user_id)
    user = User(
        id=user_id,
        email=email,
        display_name=display_name,
        role=role,
        password_hash=passwords.hash_password(secret),
        wrapped_data_key=wrapped.blob,
        kek_version=wrapped.kek_version,
    )
    session.add(user)
    session.flush()
    return user


def _scopes(email: str, address: str) -> tuple[str, str]:
    return f"account:{sha256_hex(email)}", f"address:{address}"


def _recent_attempts(session: Session, scope: str, now: datetime) -> int:
    """Throttled attempts in the window: failed sign-ins, or registrations of any outcome."""
    query = select(func.count()).where(
        LoginFailure.scope == scope, col(LoginFailure.failed_at) > now - THROTTLE_WINDOW
    )
    return session.exec(query).one()


def _forget_old_attempts(session: Session, now: datetime) -> None:
    session.exec(delete(LoginFailure).where(col(LoginFailure.failed_at) < now - THROTTLE_WINDOW))


def authenticate(session: Session, *, email: object, password: object, address: str) -> User:
    """Check credentials. One failure shape for every reason (AUTHN-2); throttled (AUTHN-3)."""
    now = utcnow()
    email_text = email.strip().lower() if isinstance(email, str) else ""
    password_text = password if isinstance(password, str) else ""
    account_scope, address_scope = _scopes(email_text[:254], address)
    if (
        _recent_attempts(session, account_scope, now) >= MAX_FAILURES_PER_ACCOUNT
        or _recent_attempts(session, address_scope, now) >= MAX_FAILURES_PER_ADDRESS
    ):
        raise TooManyAttempts()
    user = session.exec(select(User).where(User.email == email_text)).first()
    ok = passwords.verify_password(user.password_hash if user else None, password_text[:1024])
    if not ok or user is None or not user.is_active:
        session.add(LoginFailure(scope=account_scope, failed_at=now))
        session.add(LoginFailure(scope=address_scope, failed_at=now))
        _forget_old_attempts(session, now)
        session.commit()
        raise SignInFailed()
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password_text)
        session.add(user)
    session.exec(delete(LoginFailure).where(col(LoginFailure.scope) == account_scope))
    return user


def set_preferences(session: Session, *, user_id: uuid.UUID, language: object, time_zone: object) -> None:
    """Keep the person's language and time zone. Raises InvalidInput (nothing written)."""
    if not isinstance(language, str) or language not in LANGUAGES:
        raise InvalidInput(N_("Choose English or Français (Canada)."))
    if not is_time_zone(time_zone):
        raise InvalidInput(N_("Choose a time zone from the list."))
    session.exec(update(User).where(col(User.id) == user_id).values(language=language, time_zone=time_zone))


def adopt_first_preferences(session: Session, user: User, *, language: object, time_zone: object) -> None:
    """At sign-in: the browser's language and time zone, for a person who hasn't chosen yet.

    They are hints from the sign-in form: one that isn't valid is ignored, never refused.
    """
    if user.language is None and isinstance(language, str) and language in LANGUAGES:
        user.language = language
    if user.time_zone is None and is_time_zone(time_zone):
        user.time_zone = time_zone  # type: ignore[assignment]
    session.add(user)


def start_session(session: Session, user: User) -> str:
    """Create a server-side session; return the raw token (only its hash is stored)."""
    token = secrets.token_urlsafe(32)  # 256 bits
    now = utcnow()
    session.add(
        AuthSession(
            token_hash=sha256_hex(token),
            user_id=user.id,
            created_at=now,
            last_seen_at=now,
            expires_at=now + get_settings().session_lifetime,
        )
    )
    return token


# sqlalchemy's select: sqlmodel's takes at most four columns.
_SESSION_BY_TOKEN_HASH = (
    sa_select(
        col(AuthSession.id),
        col(AuthSession.last_seen_at),
        col(AuthSession.expires_at),
        col(AuthSession.revoked_at),
        col(User.id),
        col(User.role),
        col(User.display_name),
        col(User.is_active),
        col(User.language),
        col(User.time_zone),
    )
    .join(User, col(User.id) == AuthSession.user_id)
    .where(col(AuthSession.token_hash) == bindparam("token_hash"))
)
_TOUCH_SESSION = (
    update(AuthSession)
    .where(col(AuthSession.id) == bindparam("session_id"))
    .values(last_seen_at=bindparam("now"))
)


def resolve_session(session: Session, token: str | None) -> Viewer | None:
    """The viewer behind a session token, or None if unknown, revoked, expired or idle.

    Runs before every websocket event (AUTHN-5), so it is one prebuilt statement.
    """
    if not token or len(token) > 100:
        return None
    row = run_prebuilt(session, _SESSION_BY_TOKEN_HASH, token_hash=sha256_hex(token)).first()
    if row is None:
        return None
    (
        session_id,
        last_seen_at,
        expires_at,
        revoked_at,
        user_id,
        role,
        display_name,
        is_active,
        language,
        zone,
    ) = row
    now = utcnow()
    if (
        revoked_at is not None
        or expires_at <= now
        or last_seen_at + get_settings().idle_timeout(role) <= now
        or not is_active
    ):
        return None
    if now - last_seen_at >= LAST_SEEN_GRANULARITY:
        run_prebuilt(session, _TOUCH_SESSION, session_id=session_id, now=now)
    return Viewer(
        user_id=user_id,
        role=role,
        display_name=display_name,
        session_id=session_id,
        language=language,
        time_zone=zone,
    )


def end_session(session: Session, token: str | None, *, everywhere: bool = False) -> None:
    """Revoke this session, or every session of its user."""
    if not token:
        return
    auth = session.exec(select(AuthSession).where(AuthSession.token_hash == sha256_hex(token))).first()
    if auth is None:
        return
    now = utcnow()
    query = select(AuthSession).where(AuthSession.revoked_at == None)  # noqa: E711
    query = query.where(
        col(AuthSession.user_id) == auth.user_id if everywhere else col(AuthSession.id) == auth.id
    )
    for row in session.exec(query):
        row.revoked_at = now
        session.add(row)


_WRAPPED_DATA_KEY = select(User.wrapped_data_key).where(col(User.id) == bindparam("user_id"))


def data_key(session: Session, user_id: uuid.UUID) -> DataKey:
    """The user's unwrapped data key, for one unit of work (read and unwrapped once in it)."""
    keys = session.info.setdefault("bj_data_keys", {})
    if user_id not in keys:
        wrapped = run_prebuilt(session, _WRAPPED_DATA_KEY, user_id=user_id).scalar_one()
        keys[user_id] = get_vault().data_key(user_id, wrapped)
    return keys[user_id]


def list_users(session: Session) -> list[User]:
    return list(session.exec(select(User).order_by(col(User.created_at))))


def register_client(
    session: Session, *, code: object, name: object, email: object, password: object, address: str
) -> None:
    """Register a client from an open invitation, answering alike whether or not the email
    already has an account (AUTHN-2).

    A new email gets an account, and the invitation is offered to it when the client signs
    in (accepting it is their choice, once they see the clinician's name). An email that
    already has an account changes nothing, after the same work (one password hash, the
    write that uses the code): the caller answers both "registered: now sign in".

    Without an email to confirm the address, the person could still sign in afterwards to
    learn which it was. So each code serves one registration, whatever the outcome: whoever
    holds a code can test one address at most. The code is used by one conditional write;
    of several registrations with one code at the same moment, one wins and the others get
    the invalid-code refusal, before any account is made.

    Every attempt from an address counts toward that address's limit (AUTHN-3), refused or
    not. That count is the one deliberate exception to "core functions don't commit": it
    is committed at once, so a refusal below (rolled back by the caller) still counts. The
    rest is the caller's unit of work, committed or rolled back by the caller.
    """
    from betterjournal.core import links

    now = utcnow()
    scope = f"register:{address}"
    if _recent_attempts(session, scope, now) >= MAX_REGISTRATIONS_PER_ADDRESS:
        raise TooManyAttempts()
    session.add(LoginFailure(scope=scope, failed_at=now))
    _forget_old_attempts(session, now)
    session.commit()  # counted even when the attempt is refused below
    # A look-up first, so a wrong code or bad details leave the code usable ...
    invitation = links.find_invitation(session, code, to_register=True)
    clean_address, display_name, secret = _checked_details(email, name, password)
    # ... then the one write that uses it, re-checking that it is still open.
    used = session.connection().execute(
        update(Invitation)
        .where(
            col(Invitation.code_hash) == invitation.code_hash,
            col(Invitation.registered_at).is_(None),
            col(Invitation.used_at).is_(None),
            col(Invitation.expires_at) > now,
        )
        .values(registered_at=now)
    )
    if used.rowcount != 1:  # another registration (or an accept) got there first
        raise InvalidInput(links._INVALID_CODE, code="details")
    if _email_taken(session, clean_address):
        passwords.hash_password(secret)  # the work a new account costs, so timing tells nothing
    else:
        user = _add_user(
            session, email=clean_address, display_name=display_name, secret=secret, role=Role.CLIENT
        )
        session.connection().execute(
            update(Invitation).where(col(Invitation.id) == invitation.id).values(offered_to_id=user.id)
        )
    session.expire(invitation)  # written around the ORM above: reload if read again

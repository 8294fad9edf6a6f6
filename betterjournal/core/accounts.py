"""Accounts, sign-in with throttling, and server-side sessions (AUTHN-1 … AUTHN-6)."""

from __future__ import annotations

import json
import secrets
import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from sqlalchemy import bindparam
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, delete, func, select, update

from betterjournal import keystore
from betterjournal.core import passwords, tokens
from betterjournal.core.errors import InvalidInput, SignInFailed, TooManyAttempts
from betterjournal.core.validation import NAME_MAX, clean_email, clean_name
from betterjournal.crypto import DataKey, DecryptionError, UnknownKek, get_vault, sha256_hex
from betterjournal.db import run_prebuilt
from betterjournal.i18n import LANGUAGES, N_, is_time_zone, listed_time_zone
from betterjournal.models import (
    AuthSession,
    Invitation,
    LoginFailure,
    Role,
    SessionStage,
    TokenPurpose,
    User,
    Viewer,
    utcnow,
)
from betterjournal.settings import get_settings

# Throttling (AUTHN-3), counted in the database over a sliding window. Nobody else's
# guesses can refuse a person at their own address or browser: refusals are per (account,
# address) and per address; an account attacked from many addresses is slowed down, then
# refused to browsers it has never been signed in on (MAX_FAILURES_PER_ACCOUNT), and a
# password reset clears its failures (`clear_failures`).
THROTTLE_WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_ACCOUNT_ADDRESS = 5
MAX_FAILURES_PER_ADDRESS = 30
# From this many failures on one account in the window, from any addresses (more than one
# address can make), every further sign-in to it waits SLOW_DOWN_STEP more per as many
# again, up to SLOW_DOWN_MAX: the right password too, so the wait tells nothing.
SLOW_DOWN_AFTER = 10
SLOW_DOWN_STEP = timedelta(seconds=1)
SLOW_DOWN_MAX = timedelta(seconds=3)
# The slow-down is per request, and requests in parallel wait together: an attack review
# made 100 password checks on one account in 51 s from 20 addresses. Past this many failures
# on an account in the window, from any addresses, only a browser that has signed in to it
# before (`known_browser_proof`, kept in a cookie) may try it, still per (account, address);
# any other is refused until the window has passed, or a reset has cleared the failures.
MAX_FAILURES_PER_ACCOUNT = 50
KNOWN_BROWSER = "known-browser/v1"
KNOWN_ACCOUNTS = 3  # accounts a browser is known for at most (people share a computer)
MAX_FAILURES_PER_KNOWN_BROWSER = 10  # in the window, from any addresses
# Registrations per address in the same window, whatever their outcome.
MAX_REGISTRATIONS_PER_ADDRESS = 20
# Refresh last_seen_at at most this often, so ordinary events don't each write.
LAST_SEEN_GRANULARITY = timedelta(seconds=30)
# How long a sign-in may wait at its MFA step (the code, or setting MFA up).
MFA_STEP_TIME = timedelta(minutes=15)
# Words a sign-in holds for its two-step code, after that sign-in ran out: the same browser's
# next sign-in takes them on this long (a person who came back later); then they go.
HELD_WORDS_KEPT = timedelta(days=1)


def create_user(
    session: Session, *, email: object, display_name: object, password: object, role: Role
) -> User:
    """Create an account with its own wrapped data key (the operator's console command: the
    operator vouches for the address, so it counts as confirmed). Raises InvalidInput."""
    clean_address, name, secret = _checked_details(email, display_name, password)
    if _email_taken(session, clean_address):
        raise InvalidInput(N_("We couldn't create an account with these details."), code="details")
    user = _add_user(session, email=clean_address, display_name=name, secret=secret, role=role)
    user.email_confirmed_at = user.created_at
    return user


def _checked_details(email: object, display_name: object, password: object) -> tuple[str, str, str]:
    """(email, name, password) for a new account, or InvalidInput saying what to fix."""
    clean_address = clean_email(email)
    try:
        name = clean_name(display_name, label=N_("Your name"), max_length=NAME_MAX)
    except InvalidInput as error:
        raise InvalidInput(error.message, code="name", **error.values) from None
    return clean_address, name, passwords.check_policy(password)


def _email_taken(session: Session, email: str) -> bool:
    return session.exec(select(User.id).where(User.email == email)).first() is not None


def _add_user(session: Session, *, email: str, display_name: str, secret: str, role: Role) -> User:
    user_id = uuid.uuid4()
    keystore.new_data_key(user_id)
    user = User(
        id=user_id,
        email=email,
        display_name=display_name,
        role=role,
        password_hash=passwords.hash_password(secret),
    )
    session.add(user)
    session.flush()
    return user


def _scopes(email: str, address: str) -> tuple[str, str]:
    return f"account:{sha256_hex(email)}", f"address:{address}"


def _pair_prefix(email: str) -> str:
    """How every (account, address) scope of this account begins (`clear_failures`)."""
    return f"pair:{sha256_hex(email)[:32]}:"


def _pair_scope(email: str, address: str) -> str:
    return _pair_prefix(email) + sha256_hex(address)[:32]


def _recent_attempts(session: Session, scope: str, now: datetime, window: timedelta = THROTTLE_WINDOW) -> int:
    """Throttled attempts in the window: failed sign-ins and code checks (and those still
    running), or registrations of any outcome."""
    query = select(func.count()).where(
        LoginFailure.scope == scope, col(LoginFailure.failed_at) > now - window
    )
    return session.exec(query).one()


# Attempts are kept this long: the longest window any throttle counts over (a day, for
# requests for early access per email).
ATTEMPTS_KEPT = timedelta(days=1)


def _forget_old_attempts(session: Session, now: datetime) -> None:
    session.exec(delete(LoginFailure).where(col(LoginFailure.failed_at) < now - ATTEMPTS_KEPT))


def refuse_when_throttled(
    session: Session, limits: Mapping[str, int], window: timedelta = THROTTLE_WINDOW
) -> None:
    """TooManyAttempts if a scope already holds its limit of attempts in the window.

    Reads only: a refusal writes nothing, so each refused request costs one read.
    """
    now = utcnow()
    if any(_recent_attempts(session, scope, now, window) >= limit for scope, limit in limits.items()):
        raise TooManyAttempts()


def begin_attempt(
    session: Session,
    limits: Mapping[str, int],
    *,
    also: Sequence[str] = (),
    window: timedelta = THROTTLE_WINDOW,
) -> list[int]:
    """Count one attempt against each scope of `limits` (and record it under the scopes in
    `also`, which have no limit), or refuse it with TooManyAttempts. Returns the attempt's
    row ids, for `forgive_attempt` if it succeeds.

    The attempt is recorded and committed *before* the work it guards (a password hash, a
    code look-up), then each scope is counted again, this attempt included. Of any number
    of attempts at the same moment, each count sees every attempt committed before it
    started, so the k-th attempt to commit counts at least k, and at most `limit` attempts
    in a window ever get past this. That needs only that a statement sees what was
    committed before it began: SQLite (one writer at a time; a read after a commit starts
    on a fresh snapshot) and PostgreSQL in READ COMMITTED (a snapshot per statement) both
    give it. Counting before the work and writing after it let 40 parallel attempts make
    8-10 password checks instead of 5 (issue 11). A refused attempt takes its rows back.

    Like `register_client`'s count, this commits in the middle of the caller's unit of
    work, on purpose: the attempt must stay counted when the caller's work is rolled back
    (a wrong password raises). Call it first in the unit of work.
    """
    refuse_when_throttled(session, limits, window)
    now = utcnow()
    rows = [LoginFailure(scope=scope, failed_at=now) for scope in [*limits, *also]]
    session.add_all(rows)
    _forget_old_attempts(session, now)
    session.commit()
    attempt = [row.id for row in rows if row.id is not None]
    if any(_recent_attempts(session, scope, now, window) > limit for scope, limit in limits.items()):
        forgive_attempt(session, attempt)
        session.commit()
        raise TooManyAttempts()
    return attempt


def forgive_attempt(session: Session, attempt: Sequence[int]) -> None:
    """The attempt succeeded: it no longer counts (in the caller's unit of work)."""
    session.exec(delete(LoginFailure).where(col(LoginFailure.id).in_(attempt)))


def clear_failures(session: Session, email: str) -> None:
    """Forget the failed sign-ins to this account from every address: its owner has proved
    who they are another way (a password reset). In the caller's unit of work."""
    email_text = email.strip().lower()[:254]
    account_scope, _ = _scopes(email_text, "")
    session.exec(
        delete(LoginFailure).where(
            (col(LoginFailure.scope) == account_scope)
            | col(LoginFailure.scope).startswith(_pair_prefix(email_text))
        )
    )


def sign_in_wait(session: Session, *, email: object) -> float:
    """Seconds to wait before checking a password for this account: none until many recent
    sign-ins failed on it (from any addresses), then more the more there were. The caller
    waits without holding a worker thread or a transaction (api.sign_in)."""
    email_text = email.strip().lower()[:254] if isinstance(email, str) else ""
    account_scope, _ = _scopes(email_text, "")
    failures = _recent_attempts(session, account_scope, utcnow())
    if failures < SLOW_DOWN_AFTER:
        return 0.0
    return min(SLOW_DOWN_STEP * (failures // SLOW_DOWN_AFTER), SLOW_DOWN_MAX).total_seconds()


def known_browser_proof(user: User) -> str:
    """What a browser keeps once it has signed in to this account (or chosen its password
    from an emailed link): `nonce~mac`. It names nobody (a MAC under a key derived from the
    KEK) and proves only that this browser knew the account's password as it is now: a new
    password ends every proof made before it (an attack review kept guessing with one taken
    earlier). Each browser's is its own, and its failures are counted apart
    (MAX_FAILURES_PER_KNOWN_BROWSER): a copy taken away buys only so many guesses."""
    nonce = secrets.token_urlsafe(12)
    return f"{nonce}~{get_vault().sign(KNOWN_BROWSER, _proven(user, nonce))}"


def remember_browser(user: User, known: Sequence[str]) -> list[str]:
    """What a browser that held the proofs `known` keeps once it proved it knows `user`'s
    password: a new proof for `user` first, then those for other accounts (people share a
    computer), at most KNOWN_ACCOUNTS."""
    others = [proof for proof in known[:KNOWN_ACCOUNTS] if _known_browser([proof], user) is None]
    return [known_browser_proof(user), *others][:KNOWN_ACCOUNTS]


def _proven(user: User, nonce: str) -> bytes:
    return b"|".join((user.id.bytes, sha256_hex(user.password_hash).encode(), nonce.encode()))


def _known_browser(proofs: Sequence[str], user: User | None) -> str | None:
    """The nonce of the proof among `proofs` that this browser knows `user`, if any."""
    if user is None:
        return None
    for proof in proofs[:KNOWN_ACCOUNTS]:
        nonce, _, mac = proof.partition("~")
        if nonce and len(proof) <= 100 and get_vault().verify(KNOWN_BROWSER, _proven(user, nonce), mac):
            return nonce
    return None


def authenticate(
    session: Session, *, email: object, password: object, address: str, known: Sequence[str] = ()
) -> User:
    """Check credentials. One failure shape for every reason (AUTHN-2); throttled (AUTHN-3).

    Refused with TooManyAttempts, before any password check, once this account has had
    MAX_FAILURES_PER_ACCOUNT_ADDRESS failures from this address in the window, or this
    address MAX_FAILURES_PER_ADDRESS on any accounts: failures from elsewhere never refuse
    the owner at their own address. An account failed on from many addresses is slowed
    down instead: the caller waits `sign_in_wait` first, and past MAX_FAILURES_PER_ACCOUNT
    only a browser `known` to it (the proofs its cookie holds) may try. The attempt counts
    before the password is checked (`begin_attempt`, which commits); a success takes it
    back, with this address's earlier failures on the account (the owner's own typos).
    """
    email_text = email.strip().lower() if isinstance(email, str) else ""
    password_text = password if isinstance(password, str) else ""
    account_scope, address_scope = _scopes(email_text[:254], address)
    pair_scope = _pair_scope(email_text[:254], address)
    user = session.exec(select(User).where(User.email == email_text)).first()
    limits = {pair_scope: MAX_FAILURES_PER_ACCOUNT_ADDRESS, address_scope: MAX_FAILURES_PER_ADDRESS}
    if (browser := _known_browser(known, user)) is not None:
        limits[f"known:{browser}"] = MAX_FAILURES_PER_KNOWN_BROWSER
        attempt = begin_attempt(session, limits, also=[account_scope])
    else:
        attempt = begin_attempt(session, {**limits, account_scope: MAX_FAILURES_PER_ACCOUNT})
    ok = passwords.verify_password(user.password_hash if user else None, password_text[:1024])
    if not ok or user is None or not user.is_active:
        raise SignInFailed()  # the attempt stays on record as a failure: committed above
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password_text)
        session.add(user)
    forgive_attempt(session, attempt)
    session.exec(delete(LoginFailure).where(col(LoginFailure.scope) == pair_scope))
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
        user.time_zone = listed_time_zone(time_zone)  # type: ignore[arg-type]
    session.add(user)


def start_session(
    session: Session,
    user: User,
    *,
    stage: SessionStage = SessionStage.FULL,
    device: str = "",
    held_words: Mapping[str, str] | None = None,
    replacing: str | None = None,
    clinic_subject: str | None = None,
) -> str:
    """Create a server-side session; return the raw token (only its hash is stored).

    A session short of FULL (an MFA step still to do) is nobody's identity: only the MFA
    pages read it (`pending_session`), and `advance_session` makes it whole, giving back
    the `held_words` (a client's unsent editor words), held until then sealed under the
    person's data key, and binding the `clinic_subject` of a clinic sign-in to the person
    (`bind_clinic_subject`) when the step is a code from the authenticator they have.
    """
    token = secrets.token_urlsafe(32)  # 256 bits
    now = utcnow()
    auth = AuthSession(
        token_hash=sha256_hex(token),
        user_id=user.id,
        created_at=now,
        last_seen_at=now,
        expires_at=now + (get_settings().session_lifetime if stage == SessionStage.FULL else MFA_STEP_TIME),
        stage=stage,
        device=device[:80],
    )
    # Only a code from an authenticator set up before binds a clinic subject: at the setup
    # step, whoever signed in makes the second factor themselves (a review: someone holding
    # the clinician's address at the provider would bind their own subject).
    auth.clinic_subject = clinic_subject if stage == SessionStage.MFA_CODE else None
    # At most one sign-in holds a person's words, so sign-ins with the password alone can't
    # pile them up. One still waiting for its code in this same browser (`replacing`, the
    # token its cookie holds: back on the sign-in page from the code page, the words are no
    # longer in the page) hands them on to this one if it carries none and waits for a code
    # too; any other lets them go. Never another browser's: someone with the password alone
    # could otherwise leave words to be written into the person's draft at their next code.
    earlier = None
    if held_words is None and stage == SessionStage.MFA_CODE and replacing and len(replacing) <= 100:
        earlier = session.exec(
            select(AuthSession.id, AuthSession.unsent_ct).where(
                col(AuthSession.token_hash) == sha256_hex(replacing),
                col(AuthSession.user_id) == user.id,
                col(AuthSession.unsent_ct).is_not(None),
                col(AuthSession.revoked_at).is_(None),  # ended ("sign out everywhere"): not handed on
                col(AuthSession.expires_at) > now - HELD_WORDS_KEPT,
            )
        ).first()
    session.exec(
        update(AuthSession)
        .where(col(AuthSession.user_id) == user.id, col(AuthSession.unsent_ct).is_not(None))
        .values(unsent_ct=None)
    )
    if earlier is not None and earlier[1] is not None:
        earlier_id, sealed = earlier
        held_words = json.loads(
            data_key(session, user.id).open_field(AuthSession.unsent_ct, earlier_id, sealed)
        )
    if held_words:
        auth.unsent_ct = data_key(session, user.id).seal_field(
            AuthSession.unsent_ct, auth.id, json.dumps(dict(held_words))
        )
    session.add(auth)
    return token


def clinic_subject_digest(issuer: str, subject: str) -> str:
    """What is kept of a clinic provider's subject (`sub`): its digest, with the provider's."""
    return sha256_hex(f"{issuer}\n{subject}")


def bind_clinic_subject(session: Session, user_id: uuid.UUID, subject: str) -> None:
    """From now on this person's clinic sign-ins are matched by `subject` (a digest), at the
    deployment's provider. A subject names one person: taken from any other (a race of
    two first sign-ins)."""
    session.exec(
        update(User)
        .where(col(User.clinic_subject) == subject, col(User.id) != user_id)
        .values(clinic_issuer=None, clinic_subject=None)
    )
    session.exec(
        update(User)
        .where(col(User.id) == user_id)
        .values(clinic_issuer=get_settings().oidc_issuer, clinic_subject=subject)
    )


def forget_clinic_subject(session: Session, *, email: object) -> bool:
    """The operator's way back when a clinic's provider gives a clinician a new subject (their
    account there made again): the next clinic sign-in finished with the two-step code binds
    the new one. False if no account has this email."""
    user = session.exec(select(User).where(col(User.email) == clean_email(email))).first()
    if user is None:
        return False
    user.clinic_issuer, user.clinic_subject = None, None
    session.add(user)
    return True


def device_in_words(user_agent: str) -> str:
    """'Firefox on Android', from a User-Agent header (ua-parser); '' when it says nothing."""
    from ua_parser import parse

    result = parse(user_agent[:512])
    browser = result.user_agent.family if result.user_agent else ""
    system = result.os.family if result.os else ""
    if browser and system and system != "Other":
        return f"{browser} / {system}"
    return browser if browser != "Other" else ""


def home_after_sign_in(session: Session, user: User) -> str:
    """Where a signed-in person starts: a client with an invitation waiting sees it first."""
    from betterjournal import routes
    from betterjournal.core import links

    if user.role == Role.CLIENT and links.offered_invitation(session, client_id=user.id):
        return routes.CARE_TEAM
    return routes.HOME


def pending_session(session: Session, token: str | None, stage: SessionStage) -> User | None:
    """The person part-way through signing in with this token, at `stage`, if still open."""
    if not token or len(token) > 100:
        return None
    auth = session.exec(select(AuthSession).where(AuthSession.token_hash == sha256_hex(token))).first()
    if auth is None or auth.stage != stage or auth.revoked_at is not None or auth.expires_at <= utcnow():
        return None
    user = session.get(User, auth.user_id)
    return user if user is not None and user.is_active else None


def advance_session(session: Session, token: str) -> dict[str, str] | None:
    """The MFA step is done: the session becomes the person's, for its whole lifetime.
    The words held with it (`start_session`), given back once and dropped; None if none."""
    now = utcnow()
    open_now = (
        col(AuthSession.token_hash) == sha256_hex(token),
        col(AuthSession.revoked_at).is_(None),
        col(AuthSession.stage) != SessionStage.FULL,
        col(AuthSession.expires_at) > now,
    )
    held = session.exec(
        select(AuthSession.id, AuthSession.user_id, AuthSession.unsent_ct, AuthSession.clinic_subject).where(
            *open_now
        )
    ).first()
    advanced = session.exec(
        update(AuthSession)
        .where(*open_now)
        .values(
            stage=SessionStage.FULL,
            last_seen_at=now,
            expires_at=now + get_settings().session_lifetime,
            unsent_ct=None,
            clinic_subject=None,
        )
        .returning(col(AuthSession.id))
    ).first()
    if held is None or advanced is None:
        return None
    session_id, user_id, sealed, clinic_subject = held
    if clinic_subject is not None:
        bind_clinic_subject(session, user_id, clinic_subject)
    if sealed is None:
        return None
    return json.loads(data_key(session, user_id).open_field(AuthSession.unsent_ct, session_id, sealed))


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
    .where(
        col(AuthSession.token_hash) == bindparam("token_hash"),
        col(AuthSession.stage) == SessionStage.FULL,  # an MFA step still to do: nobody yet
    )
)
_TOUCH_SESSION = (
    update(AuthSession)
    .where(col(AuthSession.id) == bindparam("session_id"))
    .values(last_seen_at=bindparam("now"))
)


def people_whose_sessions_ended(session: Session, *, after: datetime, until: datetime) -> set[uuid.UUID]:
    """Whoever had a session end by itself in (`after`, `until`]: its idle time for their
    role ran out, or its lifetime (AUTHN-6). Sessions ended by a person (signed out, a new
    password) are not here: their tabs were told then (state/live.py)."""
    settings = get_settings()
    ends_idle = []
    for is_client, idle in ((True, settings.client_idle), (False, settings.clinician_idle)):
        role_is = col(User.role) == Role.CLIENT if is_client else col(User.role) != Role.CLIENT
        ends_idle.append(
            role_is
            & (col(AuthSession.last_seen_at) > after - idle)
            & (col(AuthSession.last_seen_at) <= until - idle)
        )
    ended = (
        select(AuthSession.user_id)
        .join(User, col(User.id) == AuthSession.user_id)
        .where(
            col(AuthSession.revoked_at).is_(None),
            col(AuthSession.stage) == SessionStage.FULL,
            ((col(AuthSession.expires_at) > after) & (col(AuthSession.expires_at) <= until))
            | ends_idle[0]
            | ends_idle[1],
        )
        .distinct()
    )
    return set(session.exec(ended).all())


def resolve_session(session: Session, token: str | None, *, touch: bool = True) -> Viewer | None:
    """The viewer behind a session token, or None if unknown, revoked, expired or idle.
    `touch`: count this as the person's activity (their own event; not a push from the
    server, which must never keep an idle session alive).

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
    if touch and now - last_seen_at >= LAST_SEEN_GRANULARITY:
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
    """Revoke this session, or every session of its user (`end_sessions`)."""
    if not token:
        return
    auth = session.exec(select(AuthSession).where(AuthSession.token_hash == sha256_hex(token))).first()
    if auth is None:
        return
    if everywhere:
        end_sessions(session, auth.user_id)
    else:
        session.exec(update(AuthSession).where(col(AuthSession.id) == auth.id).values(**ending_values()))


def end_sessions(session: Session, user_id: uuid.UUID, *, keep: uuid.UUID | None = None) -> bool:
    """Revoke every session of the person (but `keep`, the one making the change), letting go
    of any words one held for a two-step code, and of what any of them began
    (`drop_pending_changes`). Returns whether a change of address was waiting."""
    query = update(AuthSession).where(col(AuthSession.user_id) == user_id)
    if keep is not None:
        query = query.where(col(AuthSession.id) != keep)
    session.exec(query.values(**ending_values()))
    return drop_pending_changes(session, user_id)


def drop_pending_changes(session: Session, user_id: uuid.UUID) -> bool:
    """Drop what anyone who had the password may have begun: a new address waiting for its
    confirmation, a two-step setup not confirmed, the links emailed for them or for a
    reset. Done whenever the person takes the account back (a new password, signing a
    device out, or every one): an attack review asked for a change of address with a known
    password, and after the owner's reset its link still moved the account to the intruder.
    Returns whether a change of address was waiting: the person is told it ended."""
    waiting = session.exec(select(User.pending_email).where(col(User.id) == user_id)).first() is not None
    session.exec(
        update(User)
        .where(col(User.id) == user_id)
        .values(pending_email=None, totp_pending_ct=None, totp_pending_for=None)
    )
    tokens.end_unused(session, user_id, TokenPurpose.CONFIRM_EMAIL, TokenPurpose.RESET_PASSWORD)
    return waiting


def ending_values() -> dict[str, object]:
    """What ending sessions writes: revoked now (if not before), and any words held for a
    two-step code let go (an attack review: "sign out everywhere" left them, and the same
    browser's next sign-in wrote them into the draft)."""
    return {"revoked_at": func.coalesce(col(AuthSession.revoked_at), utcnow()), "unsent_ct": None}


def let_go_of_held_words(session: Session) -> int:
    """Words held for a two-step code by sign-ins ended, or run out over HELD_WORDS_KEPT ago:
    emptied (a person who never came back). Returns how many sign-ins held some."""
    stale = (col(AuthSession.revoked_at).is_not(None)) | (
        col(AuthSession.expires_at) <= utcnow() - HELD_WORDS_KEPT
    )
    emptied = update(AuthSession).where(col(AuthSession.unsent_ct).is_not(None), stale).values(unsent_ct=None)
    return session.exec(emptied).rowcount


def live_sessions(session: Session, *, user_id: uuid.UUID) -> list[AuthSession]:
    """The person's signed-in sessions (fully signed in, not ended), most recent first."""
    now = utcnow()
    query = (
        select(AuthSession)
        .where(
            col(AuthSession.user_id) == user_id,
            col(AuthSession.revoked_at).is_(None),
            col(AuthSession.stage) == SessionStage.FULL,
            col(AuthSession.expires_at) > now,
        )
        .order_by(col(AuthSession.last_seen_at).desc())
    )
    return list(session.exec(query))


def end_own_session(session: Session, *, user_id: uuid.UUID, session_id: object) -> bool:
    """End one of the person's own sessions (an id that isn't theirs changes nothing), and
    what any session began (`drop_pending_changes`): the device ended may have asked.
    Returns whether a change of address was waiting, and so ended."""
    from betterjournal.core.validation import parse_id

    ended = session.exec(
        update(AuthSession)
        .where(
            col(AuthSession.id) == parse_id(session_id),
            col(AuthSession.user_id) == user_id,
            col(AuthSession.revoked_at).is_(None),
        )
        .values(**ending_values())
    )
    return bool(ended.rowcount) and drop_pending_changes(session, user_id)


def data_key(session: Session, user_id: uuid.UUID) -> DataKey:
    """The user's unwrapped data key, for one unit of work (read from the key store and
    unwrapped once in it). DecryptionError when the person has no key (their account was
    deleted): nothing of theirs can be opened."""
    keys = session.info.setdefault("bj_data_keys", {})
    if user_id not in keys:
        stored = keystore.get(user_id)
        if stored is None:
            raise DecryptionError("no data key")
        try:
            keys[user_id] = get_vault().data_key(user_id, stored.wrapped, stored.kek_version)
        except UnknownKek:
            # A KEK added to the key file since the app started: read the ring again, once.
            get_vault.cache_clear()
            keys[user_id] = get_vault().data_key(user_id, stored.wrapped, stored.kek_version)
    return keys[user_id]


def account_exists(session: Session, *, user_id: uuid.UUID) -> bool:
    """Whether the account is still there: a tab whose session vanished says "deleted"
    rather than "signed out" when it is not."""
    return session.get(User, user_id) is not None


def list_users(session: Session) -> list[User]:
    return list(session.exec(select(User).order_by(col(User.created_at))))


def register_client(
    session: Session,
    *,
    code: object,
    name: object,
    email: object,
    password: object,
    address: str,
    language: object = None,
) -> None:
    """Register a client from an open invitation, answering alike whether or not the email
    already has an account (AUTHN-2).

    A new email gets an account, and the invitation is offered to it when the client signs
    in (accepting it is their choice, once they see the clinician's name). An email that
    already has an account changes nothing, after the same work (one password hash, the
    write that uses the code): the caller answers both "registered: now sign in".

    Either way one email goes out: a new account's confirmation link (no sign-in before it
    is followed), or, to the owner of a taken address, word that someone tried. So signing
    in afterwards tells the person nothing either. Each code still serves one
    registration, whatever the outcome. The code is used by one conditional write;
    of several registrations with one code at the same moment, one wins and the others get
    the invalid-code refusal, before any account is made.

    Every attempt from an address counts toward that address's limit (AUTHN-3), refused or
    not. That count is the one deliberate exception to "core functions don't commit": it
    is committed at once, so a refusal below (rolled back by the caller) still counts. The
    rest is the caller's unit of work, committed or rolled back by the caller.
    """
    from betterjournal.core import credentials, links

    now = utcnow()
    # Counted (and committed) before anything else, even when refused below.
    begin_attempt(session, {f"register:{address}": MAX_REGISTRATIONS_PER_ADDRESS})
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
    keystore.ensure_reachable()  # a new account needs it: both answers fail alike without it
    owner = session.exec(select(User).where(User.email == clean_address)).first()
    if owner is not None:
        passwords.hash_password(secret)  # the work a new account costs, so timing tells nothing
        credentials.tell_owner_someone_tried(session, owner, language=language)
    else:
        user = _add_user(
            session, email=clean_address, display_name=display_name, secret=secret, role=Role.CLIENT
        )
        session.connection().execute(
            update(Invitation).where(col(Invitation.id) == invitation.id).values(offered_to_id=user.id)
        )
        credentials.send_confirmation(session, user, language=language)
    session.expire(invitation)  # written around the ORM above: reload if read again

"""Issue 11, the private beta: emailed links, password reset, two-step sign-in, email
confirmation, and the public forms, against the real core and a real SQLite file.

Acceptance proved here (access requests: test_access_requests.py):
1. Registration and reset give byte-identical answers for a taken and a new address; only
   the email (which goes to the address's owner) differs (AUTHN-2).
2. Emailed link tokens: single use, expiring, stored as a hash, a newer one ends the
   older, one winner when two tabs use one link at once.
3. A reset ends every session, tells the owner, and forgets the failed sign-ins.
4. Two-step sign-in (AUTHN-7): setup, recovery codes once, no replay (even at once),
   ten wrong codes then a pause, the stage a password reaches, the secret sealed.
5. No sign-in before the address is confirmed; the link is sent again at most every
   five minutes.
6. Bad input on every new form changes nothing and says what to fix; a missing, forged
   or expired form token, or a foreign origin, changes nothing (TRANS-3).
"""

from __future__ import annotations

import hashlib
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta
from functools import partial

import httpx2
import pytest
from beta_support import (
    AUTH_TABLES,
    CONFIRM,
    OK,
    PASSWORD_CHANGED,
    RESET,
    SOMEONE_TRIED,
    barrier_after,
    database_bytes,
    form,
    query_of,
    race,
    row_counts,
    sent_emails,
    web_client,
)
from pyotp.totp import TOTP
from sqlmodel import col, func, select, update
from starlette.testclient import TestClient
from two_step import SETUP_TOKEN
from unit_support import PASSWORD, People

from betterjournal import api, emails, routes
from betterjournal.core import accounts, credentials, form_tokens, links, mfa, tokens
from betterjournal.core.errors import InvalidInput, SignInFailed, TooManyAttempts
from betterjournal.db import session_scope
from betterjournal.i18n import Reader
from betterjournal.models import (
    AccountToken,
    AuthSession,
    Invitation,
    LoginFailure,
    Role,
    SessionStage,
    TokenPurpose,
    User,
    utcnow,
)
from betterjournal.settings import get_settings

ADDRESS = "203.0.113.7"
NEW_PASSWORD = "quiet harbour lantern 47"
STEP = mfa.STEP_SECONDS


@pytest.fixture
def web(db: People) -> Iterator[TestClient]:
    with web_client() as client:
        yield client


def _answer(response: httpx2.Response) -> tuple[int, tuple[tuple[str, str], ...], bytes]:
    """Everything a browser (or an onlooker) gets back: status, every header, the body."""
    return response.status_code, tuple(response.headers.multi_items()), response.content


def _invitation_code(clinician_id: uuid.UUID) -> str:
    with session_scope() as session:
        return links.create_invitation(session, clinician_id=clinician_id)


def _register(web: TestClient, email: str, code: str, **extra: str) -> httpx2.Response:
    fields = {"code": code, "name": "New Client", "email": email, "password": NEW_PASSWORD, **extra}
    return web.post(routes.API_REGISTER, data=form(**fields))


def _sign_in(web: TestClient, email: str, password: str) -> httpx2.Response:
    return web.post(routes.API_SIGN_IN, data=form(email=email, password=password))


def _user(email: str) -> User | None:
    with session_scope() as session:
        return session.exec(select(User).where(User.email == email)).first()


def _start(user_id: uuid.UUID, stage: SessionStage = SessionStage.FULL) -> str:
    with session_scope() as session:
        user = session.get(User, user_id)
        assert user is not None
        return accounts.start_session(session, user, stage=stage)


def _resolves(token: str | None) -> uuid.UUID | None:
    with session_scope() as session:
        viewer = accounts.resolve_session(session, token)
        return viewer.user_id if viewer is not None else None


def _session_cookie(response: httpx2.Response) -> str | None:
    name = get_settings().session_cookie_name
    for header in response.headers.get_list("set-cookie"):
        key, _, rest = header.partition("=")
        if key == name:
            return rest.split(";", 1)[0]
    return None


# --- 1. the same answer for a taken and a new address (AUTHN-2) -------------------------


def test_registration_answers_alike_for_a_taken_and_a_new_address(db: People, web: TestClient) -> None:
    with session_scope() as session:
        before = session.get(User, db.client_a.id)
    assert before is not None
    taken = _register(web, db.client_a.email.upper(), _invitation_code(db.clinician_a.id))
    new = _register(web, "brand.new@example.test", _invitation_code(db.clinician_a.id))

    assert taken.status_code == 303
    assert taken.headers["location"] == f"{routes.SIGN_IN}?registered=1"
    assert taken.headers.get_list("set-cookie") == []
    assert _answer(taken) == _answer(new)  # status, Location, Set-Cookie (none), body: all of it

    # Out of sight, the owner of the taken address hears of it; the new one gets a link.
    sent = {email.to: email for email in sent_emails()}
    assert {to: email.subject for to, email in sent.items()} == {
        db.client_a.email: SOMEONE_TRIED,
        "brand.new@example.test": CONFIRM,
    }
    assert "token=" not in sent[db.client_a.email].text
    assert sent["brand.new@example.test"].token(routes.CONFIRM_EMAIL)
    # The taken account is untouched; the new one waits for its confirmation.
    after = _user(db.client_a.email)
    assert after is not None and after.password_hash == before.password_hash
    created = _user("brand.new@example.test")
    assert created is not None and created.role == Role.CLIENT and created.email_confirmed_at is None


def test_reset_answers_alike_for_an_account_an_unknown_a_disabled_and_a_malformed_address(
    db: People, web: TestClient
) -> None:
    with session_scope() as session:
        session.exec(update(User).where(col(User.id) == db.client_b.id).values(is_active=False))
    addresses = [db.client_a.email, "nobody-here@example.test", db.client_b.email, "not an address", ""]
    answers = [web.post(routes.API_FORGOT, data=form(email=address)) for address in addresses]

    assert answers[0].status_code == 303
    assert answers[0].headers["location"] == f"{routes.FORGOT}?sent=1"
    assert answers[0].headers.get_list("set-cookie") == []
    assert {_answer(answer) for answer in answers} == {_answer(answers[0])}
    assert [(email.to, email.subject) for email in sent_emails()] == [(db.client_a.email, RESET)]
    with session_scope() as session:
        owners = set(session.exec(select(AccountToken.user_id)))
    assert owners == {db.client_a.id}


def test_reset_answers_before_it_looks_the_address_up(db: People, monkeypatch: pytest.MonkeyPatch) -> None:
    """AUTHN-2 by time: making and queueing a link for an account took twice as long as
    finding none, and the answer waited for it (12 against 7 ms, an outside probe). The
    answer now goes first, for an account and for an unknown address alike."""
    order: list[str] = []
    look_up = credentials.send_reset_link

    def looked_up(session, **values):
        order.append("looked up")
        return look_up(session, **values)

    monkeypatch.setattr(credentials, "send_reset_link", looked_up)
    routes_app = api.http_routes()

    async def app(scope, receive, send):
        async def sent(message):
            await send(message)
            if message["type"] == "http.response.body" and not message.get("more_body"):
                order.append("answered")

        await routes_app(scope, receive, sent)

    settings = get_settings()
    with TestClient(
        app, base_url=settings.public_url, headers={"origin": settings.origin}, follow_redirects=False
    ) as web:
        for address in (db.client_a.email, "nobody-here@example.test"):
            order.clear()
            answer = web.post(routes.API_FORGOT, data=form(email=address))
            assert (answer.status_code, answer.headers["location"]) == (303, f"{routes.FORGOT}?sent=1")
            assert order == ["answered", "looked up"], address
    assert [(email.to, email.subject) for email in sent_emails()] == [(db.client_a.email, RESET)]


def test_reset_emails_to_one_account_stop_after_three_and_the_answer_stays_the_same(
    db: People, web: TestClient
) -> None:
    answers = [web.post(routes.API_FORGOT, data=form(email=db.client_a.email)) for _ in range(5)]
    assert {_answer(answer) for answer in answers} == {_answer(answers[0])}
    assert [email.subject for email in sent_emails()] == [RESET] * credentials.RESETS_PER_ACCOUNT


# --- 2. emailed link tokens ---------------------------------------------------------------


def _issue(user_id: uuid.UUID, purpose: TokenPurpose) -> str:
    with session_scope() as session:
        return tokens.issue(session, user_id=user_id, purpose=purpose)


def _redeem(token: object, purpose: TokenPurpose) -> uuid.UUID:
    with session_scope() as session:
        return tokens.redeem(session, token, purpose)


def _peek(token: object, purpose: TokenPurpose) -> uuid.UUID | None:
    with session_scope() as session:
        return tokens.peek(session, token, purpose)


@pytest.mark.parametrize("purpose", list(TokenPurpose))
def test_a_token_works_once_and_only_for_its_purpose(db: People, purpose: TokenPurpose) -> None:
    token = _issue(db.client_a.id, purpose)
    assert len(token) >= 43  # 256 random bits, URL-safe base64
    for other in TokenPurpose:
        if other != purpose:
            assert _peek(token, other) is None
            with pytest.raises(InvalidInput):
                _redeem(token, other)
    assert _peek(token, purpose) == db.client_a.id  # looking uses nothing
    with session_scope() as session:  # nor does reading whose address its page shows
        assert tokens.address_of(session, token, purpose) == db.client_a.email
        assert tokens.address_of(session, token[:-6], purpose) is None
    assert _redeem(token, purpose) == db.client_a.id
    with pytest.raises(InvalidInput) as again:
        _redeem(token, purpose)
    assert again.value.code == "link"
    assert _peek(token, purpose) is None
    with session_scope() as session:
        assert tokens.address_of(session, token, purpose) is None


@pytest.mark.parametrize("token", [None, "", 42, "x" * 43, "y" * 101, ["a-token"], "\ud800" * 43, "ｘ" * 43])
def test_anything_but_an_issued_token_is_refused_alike(db: People, token: object) -> None:
    _issue(db.client_a.id, TokenPurpose.RESET_PASSWORD)
    with pytest.raises(InvalidInput) as refused:
        _redeem(token, TokenPurpose.RESET_PASSWORD)
    assert (refused.value.code, refused.value.message) == ("link", tokens.EXPIRED)


def test_a_hash_is_not_a_token(db: People) -> None:
    token = _issue(db.client_a.id, TokenPurpose.RESET_PASSWORD)
    with pytest.raises(InvalidInput):
        _redeem(hashlib.sha256(token.encode()).hexdigest(), TokenPurpose.RESET_PASSWORD)


@pytest.mark.parametrize("purpose", list(TokenPurpose))
def test_a_token_expires_after_its_lifetime(
    db: People, purpose: TokenPurpose, monkeypatch: pytest.MonkeyPatch
) -> None:
    issued_at = utcnow()
    token = _issue(db.client_a.id, purpose)
    with session_scope() as session:
        row = session.exec(select(AccountToken)).one()
    lifetime = tokens.LIFETIMES[purpose]
    assert row.expires_at - row.created_at == lifetime
    # A clock just before the end, then just after it.
    monkeypatch.setattr(tokens, "utcnow", lambda: issued_at + lifetime - timedelta(seconds=5))
    assert _peek(token, purpose) == db.client_a.id
    monkeypatch.setattr(tokens, "utcnow", lambda: issued_at + lifetime + timedelta(seconds=5))
    assert _peek(token, purpose) is None
    with pytest.raises(InvalidInput):
        _redeem(token, purpose)
    monkeypatch.undo()
    # With the real clock: still good, until its end is moved into the past.
    assert _peek(token, purpose) == db.client_a.id
    with session_scope() as session:
        session.exec(update(AccountToken).values(expires_at=utcnow() - timedelta(seconds=1)))
    with pytest.raises(InvalidInput):
        _redeem(token, purpose)


def test_only_a_hash_of_each_token_is_stored(db: People) -> None:
    issued = [_issue(db.client_a.id, purpose) for purpose in TokenPurpose]
    data = database_bytes()
    assert db.client_a.email.encode() in data  # the scan reads the right file
    for token in issued:
        assert token.encode() not in data
        assert hashlib.sha256(token.encode()).hexdigest().encode() in data


def test_a_newer_token_ends_the_older_one_of_the_same_purpose_only(db: People) -> None:
    older = _issue(db.client_a.id, TokenPurpose.RESET_PASSWORD)
    confirm = _issue(db.client_a.id, TokenPurpose.CONFIRM_EMAIL)
    someone_elses = _issue(db.client_b.id, TokenPurpose.RESET_PASSWORD)
    newer = _issue(db.client_a.id, TokenPurpose.RESET_PASSWORD)
    with pytest.raises(InvalidInput):
        _redeem(older, TokenPurpose.RESET_PASSWORD)
    assert _redeem(newer, TokenPurpose.RESET_PASSWORD) == db.client_a.id
    assert _redeem(confirm, TokenPurpose.CONFIRM_EMAIL) == db.client_a.id
    assert _redeem(someone_elses, TokenPurpose.RESET_PASSWORD) == db.client_b.id


def test_one_link_followed_in_four_tabs_at_once_is_used_once(
    db: People, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every tab finds the token usable before any of them uses it (the look and the write
    held apart at a barrier): one wins, the others get the expired-link refusal."""
    racers = 4
    for round_number in range(10):
        token = _issue(db.client_a.id, TokenPurpose.SET_PASSWORD)
        monkeypatch.setattr(tokens, "peek", barrier_after(tokens.peek, threading.Barrier(racers, timeout=30)))
        outcomes = race([partial(_redeem, token, TokenPurpose.SET_PASSWORD)] * racers)
        monkeypatch.undo()
        where = f"round {round_number}"
        assert outcomes.count(OK) == 1, where
        refusals = [error for error in outcomes if error is not OK]
        assert all(isinstance(error, InvalidInput) and error.code == "link" for error in refusals), (
            where,
            refusals,
        )


# --- 3. a reset ends every session ---------------------------------------------------------


def _failures_of_accounts() -> int:
    """Failed sign-ins on record, by account (all addresses) and by account and address."""
    with session_scope() as session:
        query = select(func.count()).where(
            col(LoginFailure.scope).startswith("account:") | col(LoginFailure.scope).startswith("pair:")
        )
        return session.exec(query).one()


def _authenticate(email: str, password: str) -> uuid.UUID:
    with session_scope() as session:
        return accounts.authenticate(session, email=email, password=password, address=ADDRESS).id


def test_a_reset_ends_every_session_tells_the_owner_and_forgets_failed_sign_ins(db: People) -> None:
    phone, laptop = _start(db.client_a.id), _start(db.client_a.id)
    someone_else = _start(db.client_b.id)
    # Someone guessed at this address: the owner is refused here, even with the right password.
    for _ in range(accounts.MAX_FAILURES_PER_ACCOUNT_ADDRESS):
        with pytest.raises(SignInFailed):
            _authenticate(db.client_a.email, "a wrong guess, again")
    with pytest.raises(TooManyAttempts):
        _authenticate(db.client_a.email, PASSWORD)
    assert _failures_of_accounts() > 0

    with session_scope() as session:
        credentials.count_reset_request(session, address=ADDRESS)
        credentials.send_reset_link(session, email=db.client_a.email)
    [reset] = sent_emails()
    token = reset.token(routes.CHOOSE_PASSWORD)

    # A password the policy refuses keeps the link usable and changes nothing.
    with pytest.raises(InvalidInput) as weak, session_scope() as session:
        credentials.choose_password(session, token=token, password="password1234", first=False)
    assert weak.value.code == "password_common"
    assert _resolves(phone) == db.client_a.id
    # The set-password kind of link (after an approval) is another purpose: refused.
    with pytest.raises(InvalidInput), session_scope() as session:
        credentials.choose_password(session, token=token, password=NEW_PASSWORD, first=True)

    with session_scope() as session:
        credentials.choose_password(session, token=token, password=NEW_PASSWORD, first=False)

    assert _resolves(phone) is None and _resolves(laptop) is None
    assert _resolves(someone_else) == db.client_b.id
    assert [(email.to, email.subject) for email in sent_emails()] == [(db.client_a.email, PASSWORD_CHANGED)]
    assert _failures_of_accounts() == 0
    # The owner signs in at once, from the very address that was throttled, with the new password.
    assert _authenticate(db.client_a.email, NEW_PASSWORD) == db.client_a.id
    with pytest.raises(SignInFailed):
        _authenticate(db.client_a.email, PASSWORD)
    with pytest.raises(InvalidInput), session_scope() as session:  # the link worked once
        credentials.choose_password(session, token=token, password="another quiet harbour 5", first=False)


# --- 4. two-step sign-in (AUTHN-7) --------------------------------------------------------


def _now_step() -> int:
    return int(time.time()) // STEP


def _code(secret: str, step: int) -> str:
    return TOTP(secret).at(step * STEP)


def _enrol(user_id: uuid.UUID) -> tuple[str, list[str]]:
    """Set MFA up as the setup page does, with the code of the step before this one
    (so the current step's code is free for the test)."""
    with session_scope() as session:
        secret = mfa.begin_setup(session, user_id, token=SETUP_TOKEN).secret
    with session_scope() as session:
        codes = mfa.confirm_setup(session, user_id, token=SETUP_TOKEN, code=_code(secret, _now_step() - 1))
    return secret, codes


def _verify(user_id: uuid.UUID, code: object) -> None:
    with session_scope() as session:
        mfa.verify(session, user_id, code)


def _is_on(user_id: uuid.UUID) -> bool:
    with session_scope() as session:
        return mfa.is_on(session, user_id)


def _codes_left(user_id: uuid.UUID) -> int:
    with session_scope() as session:
        return mfa.recovery_codes_left(session, user_id)


def _last_step(user_id: uuid.UUID) -> int | None:
    with session_scope() as session:
        user = session.get(User, user_id)
        assert user is not None
        return user.totp_last_step


def _wrong_code(secret: str) -> str:
    """Six digits that are no code of this secret now (nor a step either side)."""
    now = _now_step()
    valid = {_code(secret, step) for step in range(now - 3, now + 4)}
    return next(code for code in ("000000", "111111", "222222", "333333", "444444") if code not in valid)


def test_setup_turns_mfa_on_with_a_right_code_and_gives_ten_recovery_codes(db: People) -> None:
    user_id = db.clinician_a.id
    with session_scope() as session:
        setup = mfa.begin_setup(session, user_id, token=SETUP_TOKEN)
    with session_scope() as session:
        assert (
            mfa.begin_setup(session, user_id, token=SETUP_TOKEN).secret == setup.secret
        )  # a reload keeps it
    assert setup.qr_svg.startswith("data:image/svg+xml")
    with pytest.raises(InvalidInput) as wrong, session_scope() as session:
        mfa.confirm_setup(session, user_id, token=SETUP_TOKEN, code=_wrong_code(setup.secret))
    assert wrong.value.code == "code"
    assert not _is_on(user_id)

    with session_scope() as session:
        codes = mfa.confirm_setup(session, user_id, token=SETUP_TOKEN, code=_code(setup.secret, _now_step()))
    assert _is_on(user_id)
    assert len(codes) == mfa.RECOVERY_CODE_COUNT == 10
    assert len(set(codes)) == 10
    assert all(re.fullmatch(r"[a-z2-9]{4}(-[a-z2-9]{4}){3}", code) for code in codes)
    assert _codes_left(user_id) == 10
    with session_scope() as session:
        user = session.get(User, user_id)
        assert user is not None and user.totp_pending_ct is None and user.totp_secret_ct is not None


def test_a_recovery_code_works_once(db: People) -> None:
    _, codes = _enrol(db.client_a.id)
    _, theirs = _enrol(db.client_b.id)
    _verify(db.client_a.id, codes[0])
    with pytest.raises(InvalidInput) as again:
        _verify(db.client_a.id, codes[0])
    assert again.value.code == "code"
    # Said as a recovery code's (a walk-through was told to check the time on their phone).
    assert again.value.message == mfa.WRONG_RECOVERY_CODE
    _verify(db.client_a.id, f"  {codes[1].replace('-', ' ').upper()} ")  # as typed from paper
    with pytest.raises(InvalidInput):
        _verify(db.client_a.id, theirs[0])  # someone else's code
    assert _codes_left(db.client_a.id) == 8
    assert _codes_left(db.client_b.id) == 10
    # New codes end the old ones.
    with session_scope() as session:
        fresh = mfa.new_recovery_codes(session, db.client_a.id)
    with pytest.raises(InvalidInput):
        _verify(db.client_a.id, codes[2])
    _verify(db.client_a.id, fresh[0])


def test_a_totp_code_is_accepted_once(db: People) -> None:
    user_id = db.clinician_a.id
    secret, _ = _enrol(user_id)
    setup_step = _last_step(user_id)
    assert setup_step is not None
    with pytest.raises(InvalidInput):
        _verify(user_id, _code(secret, setup_step))  # the setup's own code, replayed
    _verify(user_id, _code(secret, setup_step + 1))
    with pytest.raises(InvalidInput) as replayed:
        _verify(user_id, _code(secret, setup_step + 1))
    assert replayed.value.code == "code"
    # The phone may still show it: "try the newest code" wouldn't help.
    assert replayed.value.message == mfa.USED_CODE
    assert _last_step(user_id) == setup_step + 1
    _verify(user_id, _code(secret, setup_step + 2))  # a phone a little ahead: the next step
    with pytest.raises(InvalidInput) as older:
        _verify(user_id, _code(secret, setup_step + 1))  # an older step, after a later one
    assert older.value.message == mfa.USED_CODE
    with pytest.raises(InvalidInput) as wrong:
        _verify(user_id, _wrong_code(secret))
    assert wrong.value.message == mfa.WRONG_CODE


def test_one_code_sent_from_four_tabs_at_once_is_accepted_once(
    db: People, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each tab finds the code right before any of them records it: one is accepted."""
    user_id = db.clinician_a.id
    secret, _ = _enrol(user_id)
    racers = 4
    for round_number in range(8):
        now = _now_step()
        with session_scope() as session:  # a fresh start for each round
            session.exec(update(User).where(col(User.id) == user_id).values(totp_last_step=now - 2))
            session.exec(update(LoginFailure).values(failed_at=utcnow() - timedelta(hours=1)))
        code = _code(secret, now)
        barrier = threading.Barrier(racers, timeout=30)
        monkeypatch.setattr(mfa, "_matching_step", barrier_after(mfa._matching_step, barrier))
        outcomes = race([partial(_verify, user_id, code)] * racers)
        monkeypatch.undo()
        where = f"round {round_number}"
        assert outcomes.count(OK) == 1, (where, outcomes)
        assert all(isinstance(error, InvalidInput) for error in outcomes if error is not OK), where
        assert _last_step(user_id) == now, where


def test_ten_wrong_codes_then_even_the_right_one_waits(db: People) -> None:
    user_id = db.clinician_a.id
    secret, recovery = _enrol(user_id)
    step_before = _last_step(user_id)
    wrong = _wrong_code(secret)
    for _ in range(mfa.WRONG_CODES_ALLOWED):
        with pytest.raises(InvalidInput):
            _verify(user_id, wrong)
    with pytest.raises(TooManyAttempts):
        _verify(user_id, _code(secret, _now_step()))
    with pytest.raises(TooManyAttempts):
        _verify(user_id, recovery[0])
    # Nothing was used up by the refused tries.
    assert _last_step(user_id) == step_before
    assert _codes_left(user_id) == 10
    # Someone else's codes are counted apart.
    other_secret, _ = _enrol(db.clinician_b.id)
    _verify(db.clinician_b.id, _code(other_secret, _now_step()))
    # A quarter of an hour later, the right code works again.
    with session_scope() as session:
        session.exec(update(LoginFailure).values(failed_at=utcnow() - mfa.WRONG_CODE_WINDOW))
    _verify(user_id, _code(secret, _now_step()))


@pytest.mark.parametrize(
    "code",
    [
        None,
        123456,
        "",
        "12345",
        "1234567",
        "12345\x00",
        "x" * 10_000,
        ["123456"],
        "\ud800" * 16,  # a lone surrogate: can't even be encoded
        "٠١٢٣٤٥",  # other digits: isdigit() says yes
        "ab\u00e9d-efgh-jkmn-pqrs",
    ],
)
def test_a_malformed_code_is_a_wrong_code(db: People, code: object) -> None:
    _enrol(db.client_a.id)
    step = _last_step(db.client_a.id)
    with pytest.raises(InvalidInput) as refused:
        _verify(db.client_a.id, code)
    assert refused.value.code == "code"
    assert _last_step(db.client_a.id) == step and _codes_left(db.client_a.id) == 10


def test_the_stage_a_right_password_reaches(db: People) -> None:
    with session_scope() as session:
        admin = accounts.create_user(
            session, email="admin@example.test", display_name="Admin", password=PASSWORD, role=Role.ADMIN
        )
    stages = {}
    for name, user_id in [
        ("client", db.client_a.id),
        ("clinician", db.clinician_a.id),
        ("admin", admin.id),
    ]:
        with session_scope() as session:
            user = session.get(User, user_id)
            assert user is not None
            stages[name] = mfa.stage_after_password(user)
    assert stages == {
        "client": SessionStage.FULL,
        "clinician": SessionStage.MFA_SETUP,
        "admin": SessionStage.MFA_SETUP,
    }
    for user_id in (db.client_a.id, db.clinician_a.id, admin.id):
        _enrol(user_id)
        with session_scope() as session:
            user = session.get(User, user_id)
            assert user is not None
            assert mfa.stage_after_password(user) == SessionStage.MFA_CODE


@pytest.mark.parametrize("stage", [SessionStage.MFA_CODE, SessionStage.MFA_SETUP])
def test_a_session_at_an_mfa_step_is_nobodys_identity_until_advanced(db: People, stage: SessionStage) -> None:
    other = SessionStage.MFA_SETUP if stage == SessionStage.MFA_CODE else SessionStage.MFA_CODE
    token = _start(db.clinician_a.id, stage)
    assert _resolves(token) is None
    with session_scope() as session:
        pending = accounts.pending_session(session, token, stage)
        assert pending is not None and pending.id == db.clinician_a.id
        assert accounts.pending_session(session, token, other) is None
        assert accounts.pending_session(session, token, SessionStage.FULL) is None
        assert accounts.live_sessions(session, user_id=db.clinician_a.id) == []
        row = session.exec(select(AuthSession)).one()
        assert row.expires_at - row.created_at == accounts.MFA_STEP_TIME
    with session_scope() as session:
        accounts.advance_session(session, token)
    assert _resolves(token) == db.clinician_a.id
    with session_scope() as session:
        assert accounts.pending_session(session, token, stage) is None
        [live] = accounts.live_sessions(session, user_id=db.clinician_a.id)
        assert live.expires_at - live.last_seen_at == get_settings().session_lifetime


def test_an_ended_or_expired_mfa_step_cannot_be_advanced(db: People) -> None:
    ended, expired = (
        _start(db.clinician_a.id, SessionStage.MFA_CODE),
        _start(db.clinician_b.id, SessionStage.MFA_CODE),
    )
    with session_scope() as session:
        accounts.end_session(session, ended)
        session.exec(
            update(AuthSession)
            .where(col(AuthSession.user_id) == db.clinician_b.id)
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )
    with session_scope() as session:
        assert accounts.pending_session(session, ended, SessionStage.MFA_CODE) is None
        assert accounts.pending_session(session, expired, SessionStage.MFA_CODE) is None
        accounts.advance_session(session, ended)
    assert _resolves(ended) is None


def test_signing_in_over_http_stops_at_the_mfa_step(db: People, web: TestClient) -> None:
    answer = _sign_in(web, db.clinician_a.email, PASSWORD)
    assert (answer.status_code, answer.headers["location"]) == (303, routes.TWO_STEP_SETUP)
    token = _session_cookie(answer)
    assert token and _resolves(token) is None
    _enrol(db.client_a.id)
    answer = _sign_in(web, db.client_a.email, PASSWORD)
    assert answer.headers["location"] == routes.SIGN_IN_CODE
    token = _session_cookie(answer)
    assert token and _resolves(token) is None
    with session_scope() as session:
        pending = accounts.pending_session(session, token, SessionStage.MFA_CODE)
        assert pending is not None and pending.id == db.client_a.id


def test_the_totp_secret_and_recovery_codes_are_not_stored_in_clear(db: People) -> None:
    with session_scope() as session:
        pending = mfa.begin_setup(session, db.clinician_a.id, token=SETUP_TOKEN).secret
    data = database_bytes()
    assert db.clinician_a.email.encode() in data  # the scan reads the right file
    assert pending.encode() not in data and pending.lower().encode() not in data
    secret, codes = _enrol(db.clinician_a.id)
    assert secret == pending
    data = database_bytes()
    assert secret.encode() not in data and secret.lower().encode() not in data
    for code in codes:
        assert code.encode() not in data and code.replace("-", "").encode() not in data


# --- 5. no sign-in before the address is confirmed --------------------------------------


def _confirm(web: TestClient, token: str) -> httpx2.Response:
    return web.post(routes.API_CONFIRM, data=form(token=token))


def test_a_new_client_signs_in_only_after_confirming_their_address(db: People, web: TestClient) -> None:
    email = "confirm.me@example.test"
    assert _register(web, email, _invitation_code(db.clinician_a.id)).status_code == 303
    [first] = sent_emails()
    assert (first.to, first.subject) == (email, CONFIRM)
    first_link = first.token(routes.CONFIRM_EMAIL)
    sessions = row_counts(("auth_session",))

    # Before confirming: refused, told why (the password was right), no session, no cookie;
    # the email was just sent, so it isn't sent again yet.
    refused = _sign_in(web, email, NEW_PASSWORD)
    assert (refused.status_code, refused.headers["location"]) == (303, f"{routes.SIGN_IN}?error=unconfirmed")
    assert refused.headers.get_list("set-cookie") == []
    assert sent_emails() == []
    # A wrong password says nothing about the address, and sends nothing.
    wrong = _sign_in(web, email, "not the password at all")
    assert wrong.headers["location"] == f"{routes.SIGN_IN}?error=signin"
    assert sent_emails() == []

    # Five minutes later, a sign-in sends a new link (the older stops working), once.
    with session_scope() as session:
        session.exec(update(AccountToken).values(created_at=utcnow() - credentials.RESEND_GAP))
    assert _sign_in(web, email, NEW_PASSWORD).headers["location"] == f"{routes.SIGN_IN}?error=unconfirmed"
    [again] = sent_emails()
    assert (again.to, again.subject) == (email, CONFIRM)
    second_link = again.token(routes.CONFIRM_EMAIL)
    assert second_link != first_link
    assert _sign_in(web, email, NEW_PASSWORD).headers["location"] == f"{routes.SIGN_IN}?error=unconfirmed"
    assert sent_emails() == []
    assert row_counts(("auth_session",)) == sessions

    assert _confirm(web, first_link).headers["location"] == f"{routes.CONFIRM_EMAIL}?error=link"
    confirmed = _confirm(web, second_link)
    assert (confirmed.status_code, confirmed.headers["location"]) == (303, f"{routes.SIGN_IN}?confirmed=1")
    assert _confirm(web, second_link).headers["location"] == f"{routes.CONFIRM_EMAIL}?error=link"

    signed_in = _sign_in(web, email, NEW_PASSWORD)
    assert signed_in.status_code == 303
    assert signed_in.headers["location"] == routes.CARE_TEAM  # the invitation waits for them
    user = _user(email)
    assert user is not None and user.email_confirmed_at is not None
    assert _resolves(_session_cookie(signed_in)) == user.id
    [cookie] = [
        c
        for c in signed_in.headers.get_list("set-cookie")
        if c.startswith(get_settings().session_cookie_name)
    ]
    assert "httponly" in cookie.lower() and "samesite=strict" in cookie.lower()


# --- 6. bad input on the new forms --------------------------------------------------------


def _forged(token: str) -> str:
    issued, nonce, mac = token.split(".")
    return f"{issued}.{nonce}.{mac[:-2]}{'AB' if mac[-2:] != 'AB' else 'CD'}"


def _made_up_signature() -> str:
    issued, nonce, _ = form_tokens.issue().split(".")
    return f"{issued}.{nonce}.{hashlib.sha256(b'a guess').hexdigest()}"


BAD_TOKENS: dict[str, Callable[[], str | None]] = {
    "missing": lambda: None,
    "empty": lambda: "",
    "garbage": lambda: "not-a-form-token",
    "forged": lambda: _forged(form_tokens.issue()),
    "made-up signature": _made_up_signature,
    "expired": lambda: form_tokens.issue(time.time() - form_tokens.MAX_AGE_SECONDS - 60),
    "from the future": lambda: form_tokens.issue(time.time() + 3600),
    "too long": lambda: form_tokens.issue() + "A" * 200,
}
# A valid token, from a page that isn't ours (TRANS-3).
BAD_ORIGINS: dict[str, Callable[[str], dict[str, str]]] = {
    "foreign origin": lambda ours: {"origin": "https://evil.example"},
    "look-alike origin": lambda ours: {"origin": ours + ".evil.example"},
    "no origin, cross-site": lambda ours: {"origin": "null", "sec-fetch-site": "cross-site"},
    "no origin, nothing said": lambda ours: {"origin": "null"},
}


def _would_write(db: People) -> dict[str, tuple[str, dict[str, str]]]:
    """Per route, a post that writes when its form is genuine (test_the_same_posts_… shows it)."""
    with session_scope() as session:
        session.exec(update(User).where(col(User.id) == db.clinician_b.id).values(email_confirmed_at=None))
        confirm = tokens.issue(session, user_id=db.clinician_b.id, purpose=TokenPurpose.CONFIRM_EMAIL)
        reset = tokens.issue(session, user_id=db.client_b.id, purpose=TokenPurpose.RESET_PASSWORD)
    return {
        routes.API_SIGN_IN: (routes.SIGN_IN, {"email": db.client_a.email, "password": PASSWORD}),
        routes.API_REGISTER: (
            routes.REGISTER,
            {
                "code": _invitation_code(db.clinician_a.id),
                "name": "Form Tester",
                "email": "form.tester@example.test",
                "password": NEW_PASSWORD,
            },
        ),
        routes.API_FORGOT: (routes.FORGOT, {"email": db.client_a.email}),
        routes.API_PASSWORD: (routes.CHOOSE_PASSWORD, {"token": reset, "password": NEW_PASSWORD}),
        routes.API_CONFIRM: (routes.CONFIRM_EMAIL, {"token": confirm}),
    }


def _post(
    web: TestClient, route: str, fields: dict[str, str], token: str | None, headers: dict[str, str]
) -> httpx2.Response:
    data = dict(fields) if token is None else {"form_token": token, **fields}
    return web.post(route, data=data, headers=headers)


def _all_rows() -> dict[str, int]:
    return row_counts((*AUTH_TABLES, "login_failure"))


def _password_hash(user_id: uuid.UUID) -> str:
    with session_scope() as session:
        user = session.get(User, user_id)
        assert user is not None
        return user.password_hash


@pytest.mark.parametrize("case", [*BAD_TOKENS, *BAD_ORIGINS])
def test_a_post_without_a_genuine_form_changes_nothing(db: People, web: TestClient, case: str) -> None:
    posts = _would_write(db)
    before, hash_before = _all_rows(), _password_hash(db.client_b.id)
    for route, (page, fields) in posts.items():
        if case in BAD_TOKENS:
            answer = _post(web, route, fields, BAD_TOKENS[case](), {})
        else:
            answer = _post(web, route, fields, form_tokens.issue(), BAD_ORIGINS[case](get_settings().origin))
        assert answer.status_code == 303, route
        location = answer.headers["location"]
        assert location.split("?")[0] == page and query_of(location)["error"] == "form", route
        assert answer.headers.get_list("set-cookie") == [], route
        assert PASSWORD not in location and NEW_PASSWORD not in location
    assert _all_rows() == before
    assert _password_hash(db.client_b.id) == hash_before
    assert sent_emails() == []


def test_a_replayed_form_token_is_refused_and_changes_nothing(db: People, web: TestClient) -> None:
    """Each form token works once: posted again (to any form), it is refused like a forged
    one, with the same plain "this page was open too long" answer, and nothing changes."""
    posts = _would_write(db)
    used = form_tokens.issue()
    assert (
        _post(web, routes.API_FORGOT, {"email": "nobody@example.test"}, used, {}).headers["location"]
        == f"{routes.FORGOT}?sent=1"
    )
    before, hash_before = _all_rows(), _password_hash(db.client_b.id)
    for route, (page, fields) in posts.items():
        answer = _post(web, route, fields, used, {})
        location = answer.headers["location"]
        assert location.split("?")[0] == page and query_of(location)["error"] == "form", route
        assert answer.headers.get_list("set-cookie") == [], route
    assert _all_rows() == before
    assert _password_hash(db.client_b.id) == hash_before
    assert sent_emails() == []


def test_the_same_posts_with_a_genuine_form_do_write(db: People, web: TestClient) -> None:
    """The control for the test above: each of its posts writes when the form is genuine."""
    posts = _would_write(db)
    before, hash_before = _all_rows(), _password_hash(db.client_b.id)
    expected = {
        routes.API_SIGN_IN: routes.HOME,
        routes.API_REGISTER: f"{routes.SIGN_IN}?registered=1",
        routes.API_FORGOT: f"{routes.FORGOT}?sent=1",
        routes.API_PASSWORD: f"{routes.SIGN_IN}?password_set=1",
        routes.API_CONFIRM: f"{routes.SIGN_IN}?confirmed=1",
    }
    for route, (_, fields) in posts.items():
        assert _post(web, route, fields, form_tokens.issue(), {}).headers["location"] == expected[route]
    after = _all_rows()
    assert after["auth_session"] == before["auth_session"] + 1
    assert after["user_account"] == before["user_account"] + 1
    assert _password_hash(db.client_b.id) != hash_before
    assert len(sent_emails()) == 3  # a confirmation, a reset link, "your password was changed"


REGISTRATION_REFUSALS = [
    ("name", "n" * 101, "name"),
    ("name", "Nul\x00Name", "name"),
    ("name", "Escape\x1b[31m", "name"),
    ("name", "Two\nLines", "name"),
    ("name", "", "name"),
    ("email", "not-an-address", "email"),
    ("email", "two@@example.test", "email"),
    ("email", "spaced out@example.test", "email"),
    ("email", "no-dot@localhost", "email"),
    ("password", "short", "password_short"),
    ("password", "p" * 129, "password_long"),
    ("password", "password1234", "password_common"),
    ("code", "NOT-A-REAL-CODE", "details"),
]


@pytest.mark.parametrize(("field", "value", "code"), REGISTRATION_REFUSALS)
def test_bad_registration_details_change_nothing_and_say_what_to_fix(
    db: People, web: TestClient, field: str, value: str, code: str
) -> None:
    invitation = _invitation_code(db.clinician_a.id)
    fields = {"code": invitation, "name": "New Client", "email": "new.client@example.test"}
    fields |= {"password": NEW_PASSWORD, field: value}
    before = row_counts()
    answer = web.post(routes.API_REGISTER, data=form(**fields))
    assert (answer.status_code, answer.headers["location"]) == (303, f"{routes.REGISTER}?error={code}")
    assert row_counts() == before
    assert sent_emails() == []
    with session_scope() as session:  # the code is still good for a corrected form
        assert session.exec(select(Invitation.registered_at)).one() is None


def test_a_forged_role_on_the_registration_form_is_ignored(db: People, web: TestClient) -> None:
    answer = _register(
        web,
        "would.be.admin@example.test",
        _invitation_code(db.clinician_a.id),
        role="admin",
        is_admin="1",
        email_confirmed_at="2020-01-01T00:00:00Z",
    )
    assert answer.headers["location"] == f"{routes.SIGN_IN}?registered=1"
    user = _user("would.be.admin@example.test")
    assert user is not None and user.role == Role.CLIENT and user.email_confirmed_at is None


def test_choosing_a_password_with_a_bad_link_or_a_weak_password_changes_nothing(
    db: People, web: TestClient
) -> None:
    token = _issue(db.client_a.id, TokenPurpose.RESET_PASSWORD)
    hash_before = _password_hash(db.client_a.id)
    cases = [
        ({"token": token, "password": "short"}, "password_short"),
        ({"token": token, "password": "password1234"}, "password_common"),
        ({"token": "not-a-token", "password": NEW_PASSWORD}, "link"),
        ({"token": token, "password": NEW_PASSWORD, "first": "1"}, "link"),  # not a first-password link
    ]
    for fields, code in cases:
        answer = web.post(routes.API_PASSWORD, data=form(**fields))
        location = answer.headers["location"]
        assert location.split("?")[0] == routes.CHOOSE_PASSWORD
        assert query_of(location)["error"] == code
        assert "password" not in query_of(location)  # never sent back
    assert _password_hash(db.client_a.id) == hash_before
    assert _peek(token, TokenPurpose.RESET_PASSWORD) == db.client_a.id  # still usable
    assert sent_emails() == []


@pytest.mark.parametrize(
    "new_email", ["not-an-address", "two@@example.test", "a@b", None, 42, "x" * 250 + "@example.test"]
)
def test_a_malformed_new_email_is_refused_before_anything_changes(db: People, new_email: object) -> None:
    before = row_counts((*AUTH_TABLES, "login_failure"))
    with pytest.raises(InvalidInput), session_scope() as session:
        credentials.change_email(session, db.client_a.id, current=PASSWORD, code=None, new_email=new_email)
    assert row_counts((*AUTH_TABLES, "login_failure")) == before
    assert _user(db.client_a.email) is not None


NEW_ADDRESS = emails.confirm_new_address(Reader(), "x").subject
ADDRESS_CHANGED = emails.email_changed(Reader()).subject
CHANGE_ASKED = emails.email_change_asked(Reader(), "x").subject


def _change_email(user_id, new_email: str) -> None:
    with session_scope() as session:
        credentials.change_email(session, user_id, current=PASSWORD, code=None, new_email=new_email)


def test_a_new_address_is_the_accounts_only_once_its_link_is_followed(db: People) -> None:
    """A mistyped address never gets the account: until the link sent to it is followed,
    the account keeps (and signs in with) its old address. A second change ends the first
    one's link; following the second switches the address and tells the old one."""
    old = db.client_a.email
    _change_email(db.client_a.id, "first.new@example.test")
    _change_email(db.client_a.id, "second.new@example.test")
    assert _user(old) is not None and _user("second.new@example.test") is None
    sent = sent_emails()
    links_to = {email.to: email.token(routes.CONFIRM_EMAIL) for email in sent if email.subject == NEW_ADDRESS}
    assert set(links_to) == {"first.new@example.test", "second.new@example.test"}
    with pytest.raises(InvalidInput), session_scope() as session:
        credentials.confirm_email(session, links_to["first.new@example.test"])
    assert _user("first.new@example.test") is None
    with session_scope() as session:
        # Its page shows the address it went to, and hands that to the sign-in page after (a
        # walk-through: the old one, which no longer signed in once the link was followed).
        shown = tokens.address_of(session, links_to["second.new@example.test"], TokenPurpose.CONFIRM_EMAIL)
        assert shown == "second.new@example.test"
        credentials.confirm_email(session, links_to["second.new@example.test"])
    user = _user("second.new@example.test")
    assert user is not None and user.id == db.client_a.id and user.pending_email is None
    assert _user(old) is None
    assert [(email.to, email.subject) for email in sent_emails()] == [(old, ADDRESS_CHANGED)]


def test_asking_for_an_address_that_has_an_account_answers_alike_and_sends_it_nothing(db: People) -> None:
    _change_email(db.client_a.id, db.client_b.email)  # no error: the same answer
    # Only the account's own address hears of the request (as for any other address).
    assert [(email.to, email.subject) for email in sent_emails()] == [(db.client_a.email, CHANGE_ASKED)]
    assert _user(db.client_a.email) is not None and _user(db.client_b.email).id == db.client_b.id  # type: ignore[union-attr]


def test_a_code_typed_with_full_width_digits_is_read_as_digits(db: People) -> None:
    """Some phone keyboards (Japanese, Chinese) type full-width digits: the same code."""
    user_id = db.client_a.id
    with session_scope() as session:
        secret = mfa.begin_setup(session, user_id, token=SETUP_TOKEN).secret
    wide = str.maketrans("0123456789", "０１２３４５６７８９")
    with session_scope() as session:
        mfa.confirm_setup(
            session, user_id, token=SETUP_TOKEN, code=_code(secret, _now_step() - 1).translate(wide)
        )
    _verify(user_id, _code(secret, _now_step()).translate(wide))
    assert _last_step(user_id) == _now_step() or _last_step(user_id) == _now_step() - 1


def test_a_two_step_setup_is_shown_only_to_the_sign_in_that_began_it(db: People) -> None:
    """Attack review: two sign-ins with the password, at the setup step, were shown the same
    secret, and whoever copied it kept working codes once the owner confirmed it. Each sign-in
    now gets its own; the later one replaces the earlier, which can't be confirmed."""
    user_id = db.clinician_a.id
    with session_scope() as session:
        intruders = mfa.begin_setup(session, user_id, token="the intruder's sign-in").secret
    with session_scope() as session:
        owners = mfa.begin_setup(session, user_id, token="the owner's sign-in").secret
    assert owners != intruders
    with session_scope() as session:  # the owner's reload keeps the key their phone scanned
        assert mfa.begin_setup(session, user_id, token="the owner's sign-in").secret == owners
    for secret, sign_in in ((intruders, "the intruder's sign-in"), (owners, "the intruder's sign-in")):
        with pytest.raises(InvalidInput) as refused, session_scope() as session:
            mfa.confirm_setup(session, user_id, _code(secret, _now_step()), token=sign_in)
        assert refused.value.message == mfa.SETUP_ELSEWHERE
    with session_scope() as session:
        mfa.confirm_setup(session, user_id, _code(owners, _now_step() - 1), token="the owner's sign-in")
    with pytest.raises(InvalidInput):  # the intruder's key makes no code that signs in
        _verify(user_id, _code(intruders, _now_step()))


def test_a_reset_drops_a_two_step_setup_begun_before_it(db: People) -> None:
    """Whoever had the old password and began the setup saw its secret: after a reset, the
    owner's setup starts with a new one."""
    with session_scope() as session:
        seen_before = mfa.begin_setup(session, db.clinician_a.id, token=SETUP_TOKEN).secret
        token = tokens.issue(session, user_id=db.clinician_a.id, purpose=TokenPurpose.RESET_PASSWORD)
    with session_scope() as session:
        credentials.choose_password(session, token=token, password=NEW_PASSWORD, first=False)
    with session_scope() as session:
        assert mfa.begin_setup(session, db.clinician_a.id, token=SETUP_TOKEN).secret != seen_before


@pytest.mark.parametrize(
    "taken_back_by",
    [
        "a_reset",
        "a_new_password",
        "signing_out_everywhere",
        "signing_out_everywhere_else",
        "signing_a_device_out",
    ],
)
def test_taking_the_account_back_ends_a_change_of_address_begun_before(
    db: People, taken_back_by: str
) -> None:
    """Attack review: someone who once knew a client's password asked to move the account to
    their own address. The owner heard nothing, reset the password and signed out
    everywhere, and the link still moved the account to them. Now the owner hears of the
    request at once, and taking the account back ends it, with any reset link not used."""
    owner = db.client_a
    _change_email(owner.id, "intruder@example.test")
    sent = sent_emails()
    (told,) = [email for email in sent if email.to == owner.email]
    assert told.subject == CHANGE_ASKED and routes.FORGOT in told.text
    intruders_link = next(
        email.token(routes.CONFIRM_EMAIL) for email in sent if email.to == "intruder@example.test"
    )
    with session_scope() as session:
        earlier_reset = tokens.issue(session, user_id=owner.id, purpose=TokenPurpose.RESET_PASSWORD)
    token = _start(owner.id)
    with session_scope() as session:
        if taken_back_by == "a_reset":
            reset = tokens.issue(session, user_id=owner.id, purpose=TokenPurpose.RESET_PASSWORD)
            credentials.choose_password(session, token=reset, password=NEW_PASSWORD, first=False)
        elif taken_back_by == "a_new_password":
            viewer = accounts.resolve_session(session, token)
            assert viewer is not None
            credentials.change_password(
                session, owner.id, session_id=viewer.session_id, current=PASSWORD, code=None, new=NEW_PASSWORD
            )
        elif taken_back_by == "signing_out_everywhere":
            accounts.end_session(session, token, everywhere=True)
        elif taken_back_by == "signing_out_everywhere_else":
            viewer = accounts.resolve_session(session, token)
            assert viewer is not None
            accounts.end_sessions(session, owner.id, keep=viewer.session_id)
        else:
            viewer = accounts.resolve_session(session, _start(owner.id))
            assert viewer is not None
            accounts.end_own_session(session, user_id=owner.id, session_id=str(viewer.session_id))
    with pytest.raises(InvalidInput), session_scope() as session:
        credentials.confirm_email(session, intruders_link)
    with pytest.raises(InvalidInput), session_scope() as session:
        credentials.choose_password(
            session, token=earlier_reset, password="someone else's 9 words", first=False
        )
    user = _user(owner.email)
    assert user is not None and user.id == owner.id and user.pending_email is None
    assert _user("intruder@example.test") is None


def test_a_browser_that_signed_in_keeps_its_way_in_while_the_account_is_attacked(
    db: People, web: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past the account's limit of failures, only a browser it was signed in on may try it
    (attack review: the slow-down alone let 100 guesses through in 51 s). That browser's
    cookie names nobody and goes only to the sign-in route."""
    monkeypatch.setattr(accounts, "sign_in_wait", lambda session, email: 0.0)  # not what is tested
    first = _sign_in(web, db.client_a.email, PASSWORD)
    assert first.status_code == 303
    (kept,) = [
        value
        for name, value in first.headers.multi_items()
        if name == "set-cookie" and value.startswith(api.KNOWN_BROWSER_COOKIE + "=")
    ]
    attributes = {part.strip().lower() for part in kept.split(";")[1:]}
    assert {"httponly", "samesite=strict", f"path={api.KNOWN_BROWSER_PATH}"} <= attributes
    proof = kept.split(";")[0].partition("=")[2]
    assert proof and not any(name in proof for name in (str(db.client_a.id), db.client_a.id.hex, "client"))
    with web_client() as other_browser:  # each browser's proof is its own
        assert proof != _sign_in(other_browser, db.client_a.email, PASSWORD).cookies.get(
            api.KNOWN_BROWSER_COOKIE
        )
    with session_scope() as session:
        account_scope, _ = accounts._scopes(db.client_a.email, "")
        failed = [
            LoginFailure(scope=account_scope, failed_at=utcnow())
            for _ in range(accounts.MAX_FAILURES_PER_ACCOUNT)
        ]
        session.add_all(failed)
    with web_client() as stranger:  # another browser, right password: refused, as any guess
        refused = _sign_in(stranger, db.client_a.email, PASSWORD)
    assert refused.status_code == 303 and "error=signin_throttled" in refused.headers["location"]
    again = _sign_in(web, db.client_a.email, PASSWORD)  # the browser keeps its cookie
    assert again.status_code == 303 and "error=" not in again.headers["location"]
    # A new browser gets in once its owner chose a new password there from the emailed link
    # (an attack review: refilled in 20 s, the limit kept the owner out after a reset).
    with session_scope() as session:
        reset = tokens.issue(session, user_id=db.client_a.id, purpose=TokenPurpose.RESET_PASSWORD)
    with web_client() as new_browser:
        chosen = new_browser.post(
            routes.API_PASSWORD, data=form(token=reset, password=NEW_PASSWORD, first="")
        )
        assert chosen.headers["location"] == f"{routes.SIGN_IN}?password_set=1"
        with session_scope() as session:  # the attack goes on
            session.add_all(
                [
                    LoginFailure(scope=account_scope, failed_at=utcnow())
                    for _ in range(accounts.MAX_FAILURES_PER_ACCOUNT)
                ]
            )
        back_in = _sign_in(new_browser, db.client_a.email, NEW_PASSWORD)
        assert back_in.status_code == 303 and "error=" not in back_in.headers["location"]
    # The old browser's proof was for the old password.
    assert "error=signin_throttled" in _sign_in(web, db.client_a.email, NEW_PASSWORD).headers["location"]

"""Issue 11: requests for early access (core/access.py), against the real core and a real
SQLite file.

Acceptance proved here:
6. Bad input on the request form changes nothing and gets a message naming the field.
7. The same answer whether or not the email has an account; a filled honeypot keeps
   nothing; throttled per client address and per email; a clinician is approved only
   after the register check; an approval makes an account whose emailed link sets the
   first password and confirms the address; deciding twice, or at once, has one winner;
   a decline sends nothing; the admin's list filters by status and role.
"""

from __future__ import annotations

import threading
import uuid
from datetime import timedelta
from functools import partial

import pytest
from beta_support import (
    OK,
    barrier_after,
    form,
    race,
    row_counts,
    sent_emails,
    web_client,
)
from sqlmodel import col, func, select, update
from unit_support import PASSWORD, People

from betterjournal import emails, routes
from betterjournal.core import access, accounts, credentials, mfa
from betterjournal.core.errors import InvalidInput, NotFound, TooManyAttempts
from betterjournal.db import session_scope
from betterjournal.i18n import FRENCH, Reader
from betterjournal.models import (
    AccessRequest,
    AccessStatus,
    AuditAction,
    AuditEvent,
    LoginFailure,
    Role,
    SessionStage,
    User,
    utcnow,
)

ADDRESS = "198.51.100.23"
NEW_PASSWORD = "quiet harbour lantern 47"
CLIENT = {"name": "Robin Client", "email": "robin@example.test", "role": "client"}
CLINICIAN = {
    "name": "Dr. Sam Rivera",
    "email": "sam.rivera@example.test",
    "role": "clinician",
    "profession": "Psychotherapist",
    "province": "ON",
    "college": "College of Registered Psychotherapists of Ontario",
    "registration_number": "001234",
}
WRITTEN = ("access_request", "user_account", "outbox_message", "account_token", "audit_event")


def _request(fields: dict, address: str = ADDRESS, language: object = "en") -> None:
    with session_scope() as session:
        access.request_access(session, fields=fields, address=address, language=language)


def _requests() -> list[AccessRequest]:
    with session_scope() as session:
        return list(session.exec(select(AccessRequest).order_by(col(AccessRequest.created_at))))


def _only_request_id() -> uuid.UUID:
    [request] = _requests()
    return request.id


@pytest.fixture
def admin_id(db: People) -> uuid.UUID:
    with session_scope() as session:
        admin = accounts.create_user(
            session, email="admin@example.test", display_name="Ada Admin", password=PASSWORD, role=Role.ADMIN
        )
        return admin.id


def _approve(admin_id: uuid.UUID, request_id: object) -> None:
    with session_scope() as session:
        access.approve(session, admin_id=admin_id, request_id=request_id)


def _decline(admin_id: uuid.UUID, request_id: object) -> None:
    with session_scope() as session:
        access.decline(session, admin_id=admin_id, request_id=request_id)


def _check_register(admin_id: uuid.UUID, request_id: object) -> None:
    with session_scope() as session:
        access.record_register_check(session, admin_id=admin_id, request_id=request_id)


# --- 6. bad input ---------------------------------------------------------------------------

BAD_FIELDS: list[tuple[str, dict, str]] = [
    ("a name of 101 characters", CLIENT | {"name": "n" * 101}, "name"),
    ("a NUL in the name", CLIENT | {"name": "Robin\x00Client"}, "name"),
    ("an escape in the name", CLIENT | {"name": "Robin\x1b[2JClient"}, "name"),
    ("a newline in the name", CLIENT | {"name": "Robin\nClient"}, "name"),
    ("a tab in the name", CLIENT | {"name": "Robin\tClient"}, "name"),
    ("a lone surrogate in the name", CLIENT | {"name": "Robin\ud800"}, "name"),
    ("no name", CLIENT | {"name": "   "}, "name"),
    ("a name that isn't text", CLIENT | {"name": {"first": "Robin"}}, "name"),
    ("no email", {k: v for k, v in CLIENT.items() if k != "email"}, "email"),
    ("a plain word", CLIENT | {"email": "robin"}, "email"),
    ("two at signs", CLIENT | {"email": "robin@@example.test"}, "email"),
    ("no domain dot", CLIENT | {"email": "robin@localhost"}, "email"),
    ("a space", CLIENT | {"email": "robin client@example.test"}, "email"),
    ("a header injection", CLIENT | {"email": "robin@example.test\r\nBcc: x@example.test"}, "email"),
    ("a name and address", CLIENT | {"email": "Robin <robin@example.test>"}, "email"),
    ("an over-long address", CLIENT | {"email": "r" * 250 + "@example.test"}, "email"),
    ("an email that isn't text", CLIENT | {"email": ["robin@example.test"]}, "email"),
    ("a forged role: admin", CLIENT | {"role": "admin"}, "role"),
    ("a forged role: superuser", CLIENT | {"role": "superuser"}, "role"),
    ("a role in capitals", CLIENT | {"role": "CLIENT"}, "role"),
    ("no role", {k: v for k, v in CLIENT.items() if k != "role"}, "role"),
    ("a role that isn't text", CLIENT | {"role": ["client"]}, "role"),
    ("a 10 KB registration number", CLINICIAN | {"registration_number": "9" * 10_240}, "registration_number"),
    ("a registration number of 41", CLINICIAN | {"registration_number": "9" * 41}, "registration_number"),
    ("no registration number", CLINICIAN | {"registration_number": ""}, "registration_number"),
    ("a province not in the list", CLINICIAN | {"province": "XX"}, "province"),
    ("a province by its name", CLINICIAN | {"province": "Ontario"}, "province"),
    ("a province in lower case", CLINICIAN | {"province": "on"}, "province"),
    ("a province that isn't text", CLINICIAN | {"province": ["ON"]}, "province"),
    ("a province as a mapping", CLINICIAN | {"province": {"ON": 1}}, "province"),
    ("no profession", CLINICIAN | {"profession": ""}, "profession"),
    ("a profession of 101", CLINICIAN | {"profession": "p" * 101}, "profession"),
    ("a college on two lines", CLINICIAN | {"college": "College\nof X"}, "college"),
    ("a college of 201", CLINICIAN | {"college": "c" * 201}, "college"),
    ("an extra field", CLIENT | {"is_admin": "1"}, "fields"),
    ("an extra field: status", CLIENT | {"status": "approved"}, "fields"),
    ("an extra field: decided_by", CLINICIAN | {"decided_by": str(uuid.uuid4())}, "fields"),
]


@pytest.mark.parametrize(
    ("fields", "code"), [case[1:] for case in BAD_FIELDS], ids=[c[0] for c in BAD_FIELDS]
)
def test_a_bad_request_keeps_nothing_and_names_the_field(db: People, fields: dict, code: str) -> None:
    before = row_counts(WRITTEN)
    with pytest.raises(InvalidInput) as refused:
        _request(fields)
    assert refused.value.code == code
    message = str(refused.value)
    assert message.endswith(".") and len(message) < 200  # a sentence a person can act on
    bad = fields.get(code)
    if isinstance(bad, str) and len(bad) > 3:
        assert bad not in message  # the message never repeats what was typed
    assert row_counts(WRITTEN) == before
    assert sent_emails() == []


def test_a_good_request_is_kept_cleanly(db: People) -> None:
    _request(
        CLINICIAN | {"name": "  Dr. Sam  Rivera ", "email": " Sam.Rivera@Example.TEST "}, language=FRENCH
    )
    [kept] = _requests()
    assert (kept.name, kept.email, kept.role, kept.status) == (
        "Dr. Sam  Rivera",
        "sam.rivera@example.test",
        Role.CLINICIAN,
        AccessStatus.PENDING,
    )
    assert (kept.province, kept.registration_number, kept.language) == ("ON", "001234", FRENCH)
    # A client's request keeps no clinician's fields, even when they were sent.
    _request(CLIENT | {"province": "QC", "registration_number": "777"}, language="klingon")
    client = next(r for r in _requests() if r.role == Role.CLIENT)
    assert (client.province, client.registration_number, client.language) == (None, None, "en")


# --- 7. the same answer, the honeypot, the throttle ----------------------------------------


def test_the_same_answer_whether_or_not_the_email_has_an_account(db: People) -> None:
    answers = [
        _request(CLIENT | {"email": db.client_a.email.upper()}),
        _request(CLIENT | {"email": "nobody.yet@example.test"}),
    ]
    assert answers == [None, None]  # no exception, nothing to show but the thank-you
    assert sent_emails() == []  # nobody is told anything either way
    assert sorted(r.email for r in _requests()) == sorted([db.client_a.email, "nobody.yet@example.test"])
    # Asking again while a request waits keeps one, and answers alike.
    assert _request(CLIENT | {"email": "nobody.yet@example.test"}) is None
    assert len(_requests()) == 2


def test_a_filled_honeypot_is_answered_alike_and_keeps_nothing(db: People) -> None:
    before = row_counts(WRITTEN)
    assert _request(CLIENT | {"website": "https://spam.example"}) is None
    assert row_counts(WRITTEN) == before
    assert sent_emails() == []
    # The bot's address spent a try; the person's email did not.
    assert _request(CLIENT) is None
    assert len(_requests()) == 1


def test_requests_are_throttled_per_client_address(db: People) -> None:
    for n in range(access.REQUESTS_PER_ADDRESS):
        _request(CLIENT | {"email": f"person{n}@example.test"})
    with pytest.raises(TooManyAttempts):
        _request(CLIENT | {"email": "one.more@example.test"})
    with pytest.raises(TooManyAttempts):  # a bot's honeypot try is refused alike
        _request(CLIENT | {"email": "one.more@example.test", "website": "x"})
    _request(CLIENT | {"email": "one.more@example.test"}, address="192.0.2.99")
    assert len(_requests()) == access.REQUESTS_PER_ADDRESS + 1
    # An hour later the address may ask again.
    with session_scope() as session:
        session.exec(update(LoginFailure).values(failed_at=utcnow() - timedelta(hours=1, seconds=1)))
    _request(CLIENT | {"email": "later@example.test"})


def test_requests_are_throttled_per_email_from_any_address(db: People) -> None:
    for n in range(access.REQUESTS_PER_EMAIL):
        _request(CLIENT, address=f"192.0.2.{n}")
    with pytest.raises(TooManyAttempts):
        _request(CLIENT | {"email": CLIENT["email"].upper()}, address="192.0.2.200")
    _request(CLIENT | {"email": "someone.else@example.test"}, address="192.0.2.200")
    assert len(_requests()) == 2


def test_the_daily_limit_per_email_outlasts_other_peoples_sign_ins(db: People) -> None:
    for n in range(access.REQUESTS_PER_EMAIL):
        _request(CLIENT, address=f"192.0.2.{n}")
    with session_scope() as session:  # twenty minutes later: still the same day
        session.exec(update(LoginFailure).values(failed_at=utcnow() - timedelta(minutes=20)))
    # Someone, anywhere, tries to register (a wrong invitation code will do).
    with pytest.raises(InvalidInput), session_scope() as session:
        accounts.register_client(
            session,
            code="NOT-A-CODE",
            name="X",
            email="x@example.test",
            password=NEW_PASSWORD,
            address="192.0.2.250",
        )
    with pytest.raises(TooManyAttempts):
        _request(CLIENT, address="192.0.2.201")


# --- 7. the admin's decision -----------------------------------------------------------------


def test_a_clinician_is_approved_only_after_the_register_check(db: People, admin_id: uuid.UUID) -> None:
    _request(CLINICIAN)
    request_id = _only_request_id()
    with pytest.raises(InvalidInput):
        _approve(admin_id, request_id)
    assert _requests()[0].status == AccessStatus.PENDING
    assert row_counts(("user_account", "outbox_message")) == {"user_account": 5, "outbox_message": 0}

    _check_register(admin_id, str(request_id))
    [checked] = access_list(status=AccessStatus.PENDING)
    assert checked.register_checked_by == "Ada Admin" and checked.register_checked_at is not None
    _approve(admin_id, str(request_id))
    user = _user(CLINICIAN["email"])
    assert user is not None and user.role == Role.CLINICIAN and user.email_confirmed_at is None
    # The new clinician's first sign-in can only set up two-step sign-in.
    assert mfa.stage_after_password(user) == SessionStage.MFA_SETUP
    with session_scope() as session:
        actions = list(session.exec(select(AuditEvent.action).where(col(AuditEvent.actor_id) == admin_id)))
    assert actions == [AuditAction.ADMIT, AuditAction.ADMIT]  # the check, then the approval


def test_a_clients_request_has_no_register_to_check(db: People, admin_id: uuid.UUID) -> None:
    _request(CLIENT)
    with pytest.raises(InvalidInput):
        _check_register(admin_id, _only_request_id())


# A fixed id no request has (the suite's two processes must collect the same tests).
@pytest.mark.parametrize("request_id", [None, "", "not-an-id", "7f1c2a3e-0b4d-4e5f-8a9b-0c1d2e3f4a5b", 42])
def test_an_unknown_or_malformed_request_id_is_not_found(
    db: People, admin_id: uuid.UUID, request_id: object
) -> None:
    _request(CLIENT)
    for decide in (_approve, _decline, _check_register):
        with pytest.raises(NotFound):
            decide(admin_id, request_id)
    assert _requests()[0].status == AccessStatus.PENDING


def _user(email: str) -> User | None:
    with session_scope() as session:
        return session.exec(select(User).where(User.email == email)).first()


def access_list(**filters) -> list[access.RequestView]:
    with session_scope() as session:
        return access.list_requests(session, **filters)


def test_an_approval_emails_a_link_that_sets_the_first_password_and_confirms(
    db: People, admin_id: uuid.UUID
) -> None:
    _request(CLIENT, language=FRENCH)
    _approve(admin_id, _only_request_id())
    user = _user(CLIENT["email"])
    assert user is not None
    assert (user.role, user.display_name, user.language, user.email_confirmed_at) == (
        Role.CLIENT,
        CLIENT["name"],
        FRENCH,
        None,
    )
    [email] = sent_emails()
    assert (email.to, email.subject) == (CLIENT["email"], emails.set_password(Reader(FRENCH), "x").subject)
    token = email.token(routes.CHOOSE_PASSWORD)
    assert "first=1" in email.text
    # Nobody can sign in before choosing a password: the one made at approval is unknown.
    with pytest.raises(InvalidInput), session_scope() as session:  # not a reset link
        credentials.choose_password(session, token=token, password=NEW_PASSWORD, first=False)

    with web_client() as web:
        answer = web.post(routes.API_PASSWORD, data=form(token=token, password=NEW_PASSWORD, first="1"))
        assert answer.headers["location"] == f"{routes.SIGN_IN}?password_set=1"
        assert sent_emails() == []  # a first password is no change to warn about
        signed_in = web.post(routes.API_SIGN_IN, data=form(email=CLIENT["email"], password=NEW_PASSWORD))
        assert (signed_in.status_code, signed_in.headers["location"]) == (303, routes.HOME)
        assert signed_in.headers.get_list("set-cookie")
        again = web.post(
            routes.API_PASSWORD, data=form(token=token, password="another harbour 1234", first="1")
        )
        assert "error=link" in again.headers["location"]
    confirmed = _user(CLIENT["email"])
    assert confirmed is not None and confirmed.email_confirmed_at is not None


def test_approving_an_email_that_has_an_account_is_refused(db: People, admin_id: uuid.UUID) -> None:
    _request(CLIENT | {"email": db.client_a.email})
    with pytest.raises(InvalidInput):
        _approve(admin_id, _only_request_id())
    assert sent_emails() == []
    _decline(admin_id, _only_request_id())


def test_a_decline_sends_nothing_and_makes_nothing(db: People, admin_id: uuid.UUID) -> None:
    _request(CLINICIAN)
    before = row_counts(("user_account", "account_token", "outbox_message"))
    _decline(admin_id, _only_request_id())  # no register check needed to decline
    assert row_counts(("user_account", "account_token", "outbox_message")) == before
    assert sent_emails() == []
    [declined] = _requests()
    assert (declined.status, declined.decided_by) == (AccessStatus.DECLINED, admin_id)
    assert declined.decided_at is not None


def test_a_request_is_decided_once(db: People, admin_id: uuid.UUID) -> None:
    _request(CLIENT)
    request_id = _only_request_id()
    _approve(admin_id, request_id)
    for decide in (_approve, _decline):
        with pytest.raises(InvalidInput):
            decide(admin_id, request_id)
    assert _requests()[0].status == AccessStatus.APPROVED
    assert len(sent_emails()) == 1
    with session_scope() as session:
        assert session.exec(select(func.count()).where(User.email == CLIENT["email"])).one() == 1


@pytest.mark.parametrize("second", ["approve", "decline"])
def test_two_admins_deciding_at_once_one_wins(
    db: People, admin_id: uuid.UUID, second: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both admins find the request pending before either decides (held at a barrier)."""
    for round_number in range(4):
        email = f"race{round_number}@example.test"
        _request(CLIENT | {"email": email}, address=f"192.0.2.{round_number}")
        [pending] = access_list(status=AccessStatus.PENDING)
        monkeypatch.setattr(
            access, "_pending", barrier_after(access._pending, threading.Barrier(2, timeout=30))
        )
        other = _approve if second == "approve" else _decline
        outcomes = race([partial(_approve, admin_id, pending.id), partial(other, admin_id, pending.id)])
        monkeypatch.undo()
        where = f"round {round_number}"
        assert outcomes.count(OK) == 1, (where, outcomes)
        assert all(isinstance(o, InvalidInput) for o in outcomes if o is not OK), where
        decided = next(view for view in access_list(status=None) if view.email == email)
        approved = decided.status == AccessStatus.APPROVED
        assert (_user(email) is not None) == approved, where
        assert len(sent_emails()) == (1 if approved else 0), where


def test_two_requests_for_one_email_approved_at_once_make_one_account(
    db: People, admin_id: uuid.UUID, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two requests for the same email (sent at once, each finding no other pending), each
    approved by an admin at the same moment: one account and one email; the other admin is
    told the account exists, and that request stays pending, to decline."""
    for round_number in range(4):
        email = f"twice{round_number}@example.test"
        with session_scope() as session:
            for _ in range(2):
                session.add(AccessRequest(name="Robin Client", email=email, role=Role.CLIENT, language="en"))
        pending = [view for view in access_list(status=AccessStatus.PENDING) if view.email == email]
        monkeypatch.setattr(
            access, "_pending", barrier_after(access._pending, threading.Barrier(2, timeout=30))
        )
        outcomes = race([partial(_approve, admin_id, view.id) for view in pending])
        monkeypatch.undo()
        where = f"round {round_number}"
        assert outcomes.count(OK) == 1, (where, outcomes)
        (refused,) = [o for o in outcomes if o is not OK]
        assert isinstance(refused, InvalidInput) and "exists already" in str(refused.message), (
            where,
            refused,
        )
        with session_scope() as session:
            assert session.exec(select(func.count()).where(User.email == email)).one() == 1, where
        assert [m.to for m in sent_emails()] == [email], where
        still = [view for view in access_list(status=AccessStatus.PENDING) if view.email == email]
        assert len(still) == 1, where
        _decline(admin_id, still[0].id)


def test_the_list_filters_by_status_and_role(db: People, admin_id: uuid.UUID) -> None:
    _request(CLIENT | {"email": "client.one@example.test"})
    _request(CLIENT | {"email": "client.two@example.test"})
    _request(CLINICIAN | {"email": "clinician.one@example.test"})
    _request(CLINICIAN | {"email": "clinician.two@example.test"})
    ids = {r.email: r.id for r in _requests()}
    _approve(admin_id, ids["client.one@example.test"])
    _decline(admin_id, ids["clinician.one@example.test"])

    def emails(**filters) -> list[str]:
        return [view.email for view in access_list(**filters)]

    assert emails() == ["client.two@example.test", "clinician.two@example.test"]  # pending by default
    assert emails(role=Role.CLINICIAN) == ["clinician.two@example.test"]
    assert emails(status=AccessStatus.APPROVED) == ["client.one@example.test"]
    assert emails(status=AccessStatus.DECLINED, role=Role.CLINICIAN) == ["clinician.one@example.test"]
    assert emails(status=AccessStatus.DECLINED, role=Role.CLIENT) == []
    assert emails(status=None, role=Role.CLIENT) == ["client.one@example.test", "client.two@example.test"]
    assert len(emails(status=None)) == 4
    [view] = access_list(status=AccessStatus.PENDING, role=Role.CLINICIAN)
    assert (view.profession, view.province, view.registration_number) == ("Psychotherapist", "ON", "001234")
    assert view.register_checked_by == "" and view.decided_at is None

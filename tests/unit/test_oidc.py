"""Clinic sign-in (issue 11), end to end against a real local OpenID provider.

The app's two routes run in a Starlette test client; the provider (tests/oidc_provider.py)
runs on 127.0.0.1 and the app's server-side calls reach it over HTTP. The test plays the
browser: it follows the redirect to the provider and the one back by hand.

Acceptance: the flow refuses a wrong state, nonce, issuer and audience and an unverified
email; and every refusal looks the same (AUTHN-2) and starts no session.
"""

from __future__ import annotations

import logging
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx2
import pytest
import two_step
from oidc_provider import FAULTS, Fault, OpenIDProvider
from sqlmodel import col, select, update
from starlette.applications import Starlette
from starlette.testclient import TestClient
from unit_support import PASSWORD, People, clear_caches

from betterjournal import oidc, routes
from betterjournal.core import accounts
from betterjournal.db import session_scope
from betterjournal.models import AuthSession, Role, SessionStage, User, utcnow
from betterjournal.state.base import CLINIC_SIGN_IN_PROBLEMS, PUBLIC_PAGE_PROBLEMS

APP_URL = "http://testserver"  # the test client's own address: the app's public URL here
REFUSED = f"{routes.SIGN_IN}?error=clinic"
UNAVAILABLE = f"{routes.SIGN_IN}?error=clinic_unavailable"


@pytest.fixture(scope="module")
def provider() -> Iterator[OpenIDProvider]:
    running = OpenIDProvider(redirect_uris=[APP_URL + oidc.CALLBACK]).start()
    yield running
    running.stop()


@dataclass
class Clinic:
    client: TestClient  # the browser, on the app
    provider: OpenIDProvider
    people: People

    def go_to_provider(self) -> str:
        """Press "Sign in with your clinic account": the provider's authorization URL."""
        response = self.client.get(oidc.START, follow_redirects=False)
        assert response.status_code == 303
        return response.headers["location"]

    def come_back(self, authorization_url: str) -> str:
        """The browser at the provider, sent straight back: the app's callback URL."""
        at_provider = httpx2.get(authorization_url, follow_redirects=False)
        assert at_provider.status_code == 302
        back = at_provider.headers["location"]
        assert back.startswith(APP_URL + oidc.CALLBACK + "?")
        return back

    def sign_in(
        self, email: str, *, email_verified: bool = True, subject: str | None = None
    ) -> httpx2.Response:
        self.provider.next_identity(email=email, email_verified=email_verified, subject=subject)
        return self.client.get(self.come_back(self.go_to_provider()), follow_redirects=False)

    def take_the_second_step(self) -> None:
        """The app's own two-step code, right (as TwoStepState/SignInCodeState then do)."""
        with session_scope() as session:
            accounts.advance_session(session, self.client.cookies["bj_session"])


def _configure(monkeypatch: pytest.MonkeyPatch, *, issuer: str, client_id: str, secret: str) -> None:
    monkeypatch.setenv("BJ_PUBLIC_URL", APP_URL)
    monkeypatch.setenv("BJ_OIDC_ISSUER", issuer)
    monkeypatch.setenv("BJ_OIDC_CLIENT_ID", client_id)
    monkeypatch.setenv("BJ_OIDC_CLIENT_SECRET", secret)
    clear_caches()
    oidc.forget_providers()


@pytest.fixture
def clinic(db: People, provider: OpenIDProvider, monkeypatch: pytest.MonkeyPatch) -> Iterator[Clinic]:
    _configure(
        monkeypatch, issuer=provider.issuer, client_id=provider.client_id, secret=provider.client_secret
    )
    provider.reset()
    _confirm(db.clinician_a.email, db.client_a.email)
    # Clinician A has set two-step sign-in up: a clinic sign-in asks for its code. (Without
    # it, the first sign-in is with the password: test_the_first_time_is_with_the_password.)
    two_step.enrol(db.clinician_a.id, db.clinician_a.email)
    with TestClient(Starlette(routes=oidc.oidc_routes()), base_url=APP_URL) as client:
        yield Clinic(client=client, provider=provider, people=db)
    oidc.forget_providers()


def _confirm(*emails: str) -> None:
    with session_scope() as session:
        for user in session.exec(select(User).where(col(User.email).in_(emails))):
            user.email_confirmed_at = utcnow()
            session.add(user)


def _set_pending(client: TestClient, value: str) -> None:
    """Put a pending cookie in the browser, in place of any it holds."""
    client.cookies.delete("bj_oidc")
    client.cookies.set("bj_oidc", value, domain="testserver.local", path=oidc.COOKIE_PATH)


def _sessions() -> list[AuthSession]:
    with session_scope() as session:
        return list(session.exec(select(AuthSession)))


def _assert_refused(response: httpx2.Response, clinic: Clinic) -> None:
    """The one refusal: back to sign-in with the same code, no session, the pending cookie gone."""
    assert response.status_code == 303
    assert response.headers["location"] == REFUSED
    assert _sessions() == []
    set_cookies = response.headers.get_list("set-cookie")
    assert not any(c.startswith("bj_session=") for c in set_cookies)
    assert any(c.startswith("bj_oidc=") and "Max-Age=0" in c for c in set_cookies)
    assert "bj_oidc" not in clinic.client.cookies


# --- success -----------------------------------------------------------------------------


def test_an_approved_clinician_signs_in_and_still_takes_the_second_step(clinic: Clinic) -> None:
    response = clinic.sign_in(clinic.people.clinician_a.email)

    assert response.status_code == 303
    assert response.headers["location"] == routes.SIGN_IN_CODE
    (started,) = _sessions()
    assert started.user_id == clinic.people.clinician_a.id
    assert started.stage == SessionStage.MFA_CODE
    assert "bj_session" in clinic.client.cookies
    assert "bj_oidc" not in clinic.client.cookies


def test_the_email_is_matched_whatever_its_case(clinic: Clinic) -> None:
    response = clinic.sign_in(clinic.people.clinician_a.email.upper())

    assert response.headers["location"] == routes.SIGN_IN_CODE
    assert [s.user_id for s in _sessions()] == [clinic.people.clinician_a.id]


def test_the_trip_to_the_provider_carries_pkce_state_and_nonce(clinic: Clinic) -> None:
    response = clinic.client.get(oidc.START, follow_redirects=False)

    url = urlsplit(response.headers["location"])
    query = {key: values[0] for key, values in parse_qs(url.query).items()}
    assert f"{url.scheme}://{url.netloc}{url.path}" == clinic.provider.issuer + "/authorize"
    assert query["response_type"] == "code"
    assert query["client_id"] == clinic.provider.client_id
    assert query["scope"] == "openid email"
    assert query["redirect_uri"] == APP_URL + oidc.CALLBACK
    assert query["code_challenge_method"] == "S256"
    assert len(query["code_challenge"]) == 43
    assert len(query["state"]) >= 43 and len(query["nonce"]) >= 43
    # Nothing in the cookie can be read or forged without the deployment's key.
    (cookie,) = [c for c in response.headers.get_list("set-cookie") if c.startswith("bj_oidc=")]
    for secret in (query["state"], query["nonce"]):
        assert secret not in cookie
    attributes = {part.strip().lower() for part in cookie.split(";")[1:]}
    assert {"httponly", "samesite=lax", "path=/api/auth/oidc", "max-age=600"} <= attributes
    assert "secure" not in attributes  # http:// here; Secure whenever the public URL is https


def test_two_tabs_each_keep_their_own_state(clinic: Clinic) -> None:
    """A second start replaces the pending sign-in: the first tab's way back is refused."""
    clinic.provider.next_identity(email=clinic.people.clinician_a.email)
    first = clinic.come_back(clinic.go_to_provider())
    clinic.go_to_provider()

    _assert_refused(clinic.client.get(first, follow_redirects=False), clinic)


def test_over_https_the_cookies_are_secure(clinic: Clinic, monkeypatch: pytest.MonkeyPatch) -> None:
    https_url = "https://testserver"
    provider = clinic.provider
    provider.register_redirect_uri(https_url + oidc.CALLBACK)
    _configure(
        monkeypatch, issuer=provider.issuer, client_id=provider.client_id, secret=provider.client_secret
    )
    monkeypatch.setenv("BJ_PUBLIC_URL", https_url)
    clear_caches()
    provider.next_identity(email=clinic.people.clinician_a.email)
    with TestClient(Starlette(routes=oidc.oidc_routes()), base_url=https_url) as browser:
        started = browser.get(oidc.START, follow_redirects=False)
        (pending,) = [c for c in started.headers.get_list("set-cookie") if "bj_oidc=" in c]
        assert pending.startswith("__Secure-bj_oidc=") and "Secure" in pending

        back = httpx2.get(started.headers["location"], follow_redirects=False).headers["location"]
        assert back.startswith(https_url + oidc.CALLBACK + "?")
        response = browser.get(back, follow_redirects=False)

    assert response.headers["location"] == routes.SIGN_IN_CODE
    set_cookies = response.headers.get_list("set-cookie")
    assert any(c.startswith("__Host-bj_session=") and "Secure" in c for c in set_cookies)
    assert any(c.startswith("__Secure-bj_oidc=") and "Max-Age=0" in c for c in set_cookies)


# --- the provider's subject ---------------------------------------------------------------


def _binding(user_id) -> tuple[str | None, str | None]:
    with session_scope() as session:
        user = session.get(User, user_id)
        assert user is not None
        return user.clinic_issuer, user.clinic_subject


def test_the_subject_is_bound_only_once_the_second_step_is_done(clinic: Clinic) -> None:
    clinician = clinic.people.clinician_a
    response = clinic.sign_in(clinician.email, subject="alice-at-the-clinic")
    assert response.headers["location"] == routes.SIGN_IN_CODE

    assert _binding(clinician.id) == (None, None)  # the clinic's word alone binds nothing
    (waiting,) = _sessions()
    digest = accounts.clinic_subject_digest(clinic.provider.issuer, "alice-at-the-clinic")
    assert waiting.clinic_subject == digest
    assert "alice-at-the-clinic" not in digest

    clinic.take_the_second_step()

    assert _binding(clinician.id) == (clinic.provider.issuer, digest)
    assert [s.clinic_subject for s in _sessions()] == [None]


def test_the_first_time_is_with_the_password(clinic: Clinic) -> None:
    """At the setup of two-step sign-in, whoever signed in makes the second factor: after a
    clinic sign-in, someone holding the clinician's address at the provider would make
    their own and own the account (a review). A clinician without it is refused, told to
    sign in with the password this first time; nothing is started or bound."""
    clinician = clinic.people.clinician_b
    _confirm(clinician.email)

    response = clinic.sign_in(clinician.email, subject="mallory")

    assert response.status_code == 303
    assert response.headers["location"] == f"{routes.SIGN_IN}?error={oidc.FIRST_TIME}"
    assert _sessions() == [] and _binding(clinician.id) == (None, None)
    assert "bj_oidc" not in clinic.client.cookies
    assert "password" in PUBLIC_PAGE_PROBLEMS[oidc.FIRST_TIME]
    # (No "type your password again" after any clinic sign-in's answer: AppState knows them.)
    assert set(CLINIC_SIGN_IN_PROBLEMS) == {oidc.REFUSED, oidc.FIRST_TIME, oidc.UNAVAILABLE}


def test_once_bound_the_address_with_another_subject_is_refused(clinic: Clinic) -> None:
    """A provider that lets people change their address: someone takes the clinician's."""
    clinician = clinic.people.clinician_a
    clinic.sign_in(clinician.email, subject="alice-at-the-clinic")
    clinic.take_the_second_step()

    response = clinic.sign_in(clinician.email, subject="mallory-at-the-clinic")

    assert response.headers["location"] == REFUSED
    assert len(_sessions()) == 1  # the owner's, no new one


def test_once_bound_the_subject_signs_its_own_person_in_whatever_address_it_names(clinic: Clinic) -> None:
    """The clinician's address changed at the provider, to another clinician's here."""
    people = clinic.people
    clinic.sign_in(people.clinician_a.email, subject="alice-at-the-clinic")
    clinic.take_the_second_step()
    _confirm(people.clinician_b.email)

    response = clinic.sign_in(people.clinician_b.email, subject="alice-at-the-clinic")

    assert response.status_code == 303 and response.headers["location"] != REFUSED
    assert [s.user_id for s in _sessions()] == [people.clinician_a.id] * 2


def test_a_sign_in_left_at_the_second_step_does_not_lock_the_owner_out(clinic: Clinic) -> None:
    clinician = clinic.people.clinician_a
    clinic.sign_in(clinician.email, subject="mallory-at-the-clinic")  # no code: stops here

    response = clinic.sign_in(clinician.email, subject="alice-at-the-clinic")
    clinic.take_the_second_step()

    assert response.headers["location"] == routes.SIGN_IN_CODE
    digest = accounts.clinic_subject_digest(clinic.provider.issuer, "alice-at-the-clinic")
    assert _binding(clinician.id) == (clinic.provider.issuer, digest)


def test_after_a_change_of_provider_the_address_binds_again(clinic: Clinic) -> None:
    clinician = clinic.people.clinician_a
    with session_scope() as session:
        accounts.bind_clinic_subject(session, clinician.id, "0" * 64)
        session.exec(
            update(User).where(col(User.id) == clinician.id).values(clinic_issuer="https://old.example")
        )

    response = clinic.sign_in(clinician.email, subject="alice-at-the-new-clinic")
    clinic.take_the_second_step()

    assert response.headers["location"] == routes.SIGN_IN_CODE
    digest = accounts.clinic_subject_digest(clinic.provider.issuer, "alice-at-the-new-clinic")
    assert _binding(clinician.id) == (clinic.provider.issuer, digest)


def test_the_operator_lets_a_new_subject_bind_when_the_provider_made_the_account_again(
    clinic: Clinic,
) -> None:
    from typer.testing import CliRunner

    from betterjournal.cli import app

    clinician = clinic.people.clinician_a
    clinic.sign_in(clinician.email, subject="alice-first-account")
    clinic.take_the_second_step()
    assert clinic.sign_in(clinician.email, subject="alice-made-again").headers["location"] == REFUSED

    runner = CliRunner()
    unknown = runner.invoke(app, ["user", "forget-clinic-sign-in", "--email", "nobody@example.test"])
    assert unknown.exit_code == 1 and "No account has this email." in unknown.output
    done = runner.invoke(app, ["user", "forget-clinic-sign-in", "--email", clinician.email.upper()])
    assert done.exit_code == 0, done.output
    assert _binding(clinician.id) == (None, None)

    assert (
        clinic.sign_in(clinician.email, subject="alice-made-again").headers["location"] == routes.SIGN_IN_CODE
    )
    clinic.take_the_second_step()
    digest = accounts.clinic_subject_digest(clinic.provider.issuer, "alice-made-again")
    assert _binding(clinician.id) == (clinic.provider.issuer, digest)


# --- refusals ----------------------------------------------------------------------------


def test_a_wrong_state_is_refused(clinic: Clinic) -> None:
    clinic.provider.next_identity(email=clinic.people.clinician_a.email)
    back = urlsplit(clinic.come_back(clinic.go_to_provider()))
    query = {key: values[0] for key, values in parse_qs(back.query).items()}
    query["state"] = query["state"][:-2] + ("AA" if not query["state"].endswith("AA") else "BB")

    response = clinic.client.get(f"{back.path}?{urlencode(query)}", follow_redirects=False)

    _assert_refused(response, clinic)
    assert clinic.provider.token_requests == 0  # refused before the code was used


def test_a_way_back_without_the_pending_cookie_is_refused(clinic: Clinic) -> None:
    """E.g. a callback URL sent to someone else's browser (login CSRF)."""
    clinic.provider.next_identity(email=clinic.people.clinician_a.email)
    back = clinic.come_back(clinic.go_to_provider())
    clinic.client.cookies.clear()

    _assert_refused(clinic.client.get(back, follow_redirects=False), clinic)


def test_a_forged_pending_cookie_is_refused(clinic: Clinic) -> None:
    clinic.provider.next_identity(email=clinic.people.clinician_a.email)
    back = clinic.come_back(clinic.go_to_provider())
    pending_id, blob = clinic.client.cookies["bj_oidc"].split(".")
    _set_pending(clinic.client, f"{pending_id}.{blob[:-4]}AAAA")

    _assert_refused(clinic.client.get(back, follow_redirects=False), clinic)


def test_a_replayed_way_back_is_refused(clinic: Clinic) -> None:
    clinic.provider.next_identity(email=clinic.people.clinician_a.email)
    back = clinic.come_back(clinic.go_to_provider())
    pending = clinic.client.cookies["bj_oidc"]
    assert clinic.client.get(back, follow_redirects=False).headers["location"] == routes.SIGN_IN_CODE

    # The same URL again: first without the cookie (cleared by the first answer), then
    # with a copy of it kept by an attacker: the code is spent at the provider.
    replay = clinic.client.get(back, follow_redirects=False)
    assert replay.headers["location"] == REFUSED
    _set_pending(clinic.client, pending)
    replay = clinic.client.get(back, follow_redirects=False)
    assert replay.headers["location"] == REFUSED
    assert len(_sessions()) == 1


@pytest.mark.parametrize("fault", FAULTS)
def test_a_wrong_id_token_is_refused(clinic: Clinic, fault: Fault) -> None:
    clinic.provider.spoil_next_token(fault)

    response = clinic.sign_in(clinic.people.clinician_a.email)

    _assert_refused(response, clinic)
    assert clinic.provider.token_requests == 1


def test_an_unverified_email_is_refused(clinic: Clinic) -> None:
    response = clinic.sign_in(clinic.people.clinician_a.email, email_verified=False)

    _assert_refused(response, clinic)


@pytest.mark.parametrize("who", ["nobody", "client", "admin", "unconfirmed clinician", "disabled clinician"])
def test_only_an_approved_clinician_account_may_sign_in(clinic: Clinic, who: str) -> None:
    people = clinic.people
    email = {
        "nobody": "no-account@example.test",
        "client": people.client_a.email,
        "admin": "admin@example.test",
        "unconfirmed clinician": people.clinician_b.email,
        "disabled clinician": people.clinician_a.email,
    }[who]
    with session_scope() as session:
        if who == "admin":
            accounts.create_user(
                session, email=email, display_name="Admin", password=PASSWORD, role=Role.ADMIN
            )
            session.flush()
        user = session.exec(select(User).where(User.email == email)).first()
        if user is not None:
            user.email_confirmed_at = None if who == "unconfirmed clinician" else utcnow()
            user.is_active = who != "disabled clinician"
            session.add(user)

    _assert_refused(clinic.sign_in(email), clinic)


def test_a_provider_that_signs_nobody_in_is_refused(clinic: Clinic) -> None:
    back = clinic.come_back(clinic.go_to_provider())  # no identity: access_denied
    assert "error=access_denied" in back

    _assert_refused(clinic.client.get(back, follow_redirects=False), clinic)


def test_refusals_log_a_reason_but_no_address_or_code(
    clinic: Clinic, caplog: pytest.LogCaptureFixture
) -> None:
    email = clinic.people.client_a.email
    clinic.provider.next_identity(email=email)
    back = clinic.come_back(clinic.go_to_provider())

    with caplog.at_level(logging.DEBUG):
        _assert_refused(clinic.client.get(back, follow_redirects=False), clinic)

    code = parse_qs(urlsplit(back).query)["code"][0]
    # The app's own log (the test client's lines are the browser's, not the app's).
    logged = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("betterjournal"))
    assert "clinic sign-in refused: no approved clinician" in logged
    assert email not in logged and code not in logged


# --- configuration -----------------------------------------------------------------------


def test_without_an_issuer_the_routes_do_not_exist(clinic: Clinic, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BJ_OIDC_ISSUER")
    clear_caches()

    assert clinic.client.get(oidc.START, follow_redirects=False).status_code == 404
    assert clinic.client.get(oidc.CALLBACK + "?state=x&code=y", follow_redirects=False).status_code == 404


def test_a_provider_that_cannot_be_reached_is_reported_before_leaving(
    clinic: Clinic, monkeypatch: pytest.MonkeyPatch
) -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{sock.getsockname()[1]}"
    _configure(monkeypatch, issuer=closed, client_id="x", secret="y")

    response = clinic.client.get(oidc.START, follow_redirects=False)

    assert response.headers["location"] == UNAVAILABLE
    assert "bj_oidc" not in clinic.client.cookies


def test_metadata_naming_another_issuer_is_not_trusted(
    clinic: Clinic, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same provider reached as localhost: its metadata says 127.0.0.1, so no."""
    provider = clinic.provider
    _configure(
        monkeypatch,
        issuer=f"http://localhost:{provider.port}",
        client_id=provider.client_id,
        secret=provider.client_secret,
    )

    assert clinic.client.get(oidc.START, follow_redirects=False).headers["location"] == UNAVAILABLE


def test_a_wrong_client_secret_is_refused(clinic: Clinic, monkeypatch: pytest.MonkeyPatch) -> None:
    provider = clinic.provider
    _configure(monkeypatch, issuer=provider.issuer, client_id=provider.client_id, secret="not-the-secret")

    _assert_refused(clinic.sign_in(clinic.people.clinician_a.email), clinic)

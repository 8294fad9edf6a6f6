"""AUTHN-7 from outside: a sign-in short of its second step is nobody's identity.

A clinician without two-step sign-in set up gets, with the right password, a session
that can do one thing: set it up. One with it set up gets a session that waits for the
code. Over the raw Socket.IO connection, every guarded handler in the app answers either
with the guard's redirect to sign in, writes nothing and sends back nobody's data; over
HTTP, the draft beacon refuses it. The setup page's own handlers serve it, and only it.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid

import pytest
import two_step
from pyotp.totp import TOTP
from reflex.state import State
from socket_support import (
    FEEDBACK_VARS,
    World,
    all_handlers,
    connect,
    connected,
    downloads_of,
    filled_vars,
    plausible_payload,
    problem_of,
    reconnect_same_token,
    redirects_of,
    secrets_in,
    short_name,
    snapshot,
    state_of,
    writes_between,
)
from socketclient import EventClient, form_token_from, handler_name, post_form, sign_in

from betterjournal import routes
from betterjournal.models import Role
from betterjournal.state.account import SecurityState, SignInCodeState, TwoStepState
from betterjournal.state.base import AppState

PASSWORD = "a long enough passphrase for tests"


async def _password_only(url: str, email: str) -> tuple[str, str]:
    """The sign-in form's answer to the right password: (cookie, where it sends the person)."""
    anonymous = EventClient(url)
    await anonymous.connect()
    try:
        updates = await anonymous.exchange(handler_name(AppState, "prepare_public_page"), path="/signin/")
    finally:
        await anonymous.close()
    status, headers = await asyncio.to_thread(
        post_form,
        url,
        routes.API_SIGN_IN,
        {"email": email, "password": PASSWORD, "form_token": form_token_from(updates)},
    )
    assert status == 303
    cookie = (headers.get("set-cookie") or headers.get("Set-Cookie") or "").split(";", 1)[0]
    return cookie, headers.get("location") or ""


def _guarded() -> list[tuple[type, str]]:
    return [
        (state_class, name)
        for state_class, name in all_handlers()
        if getattr(state_class.event_handlers[name].fn, "__bj_roles__", None) is not None  # type: ignore[attr-defined]
    ]


async def _clinician_without_two_step(app, email: str, name: str) -> None:
    """A clinician made with the console command alone: no authenticator set up yet."""
    await asyncio.to_thread(
        app.cli,
        "user",
        "create",
        "--role",
        "clinician",
        "--email",
        email,
        "--name",
        name,
        stdin=PASSWORD + "\n",
    )


@pytest.fixture(scope="module")
async def half_signed_in(running_app) -> dict[str, str]:
    """Cookies of sign-ins that stopped before their second step."""
    suffix = uuid.uuid4().hex[:8]
    without = f"gate-setup-{suffix}@clinic.example"
    with_code = f"gate-code-{suffix}@clinic.example"
    await _clinician_without_two_step(running_app, without, "Dr. Gate")
    await asyncio.to_thread(running_app.create_user, "clinician", with_code, "Dr. Code", PASSWORD)
    setup_cookie, setup_location = await _password_only(running_app.url, without)
    code_cookie, code_location = await _password_only(running_app.url, with_code)
    assert setup_location == routes.TWO_STEP_SETUP
    assert code_location == routes.SIGN_IN_CODE
    return {"setup": setup_cookie, "code": code_cookie, "code_email": with_code}


async def test_every_guarded_handler_turns_away_a_sign_in_short_of_its_second_step(
    running_app, world: World, half_signed_in: dict[str, str]
) -> None:
    handlers = _guarded()
    assert len(handlers) >= 20
    problems: list[str] = []
    secret = world.phi | world.names
    for stage in ("setup", "code"):
        tab = await connect(running_app, half_signed_in[stage])
        try:
            for state_class, name in handlers:
                before = snapshot(running_app)
                updates = await tab.exchange(
                    handler_name(state_class, name),
                    plausible_payload(state_class, name, world),
                    path=routes.SHARED_ENTRY,
                    query={"id": world.entries["shared"].id, "client": world["a"].id},
                )
                after = snapshot(running_app)
                label = f"{stage}: {short_name(state_class, name)}"
                if (redirects := redirects_of(updates)) != [routes.SIGN_IN]:
                    problems.append(f"{label}: redirected to {redirects}, not to sign in")
                if secrets_in(updates, secret):
                    problems.append(f"{label}: the reply holds someone's data")
                if filled := filled_vars(updates, allowed=set(FEEDBACK_VARS)):
                    problems.append(f"{label}: the reply fills {filled}")
                problems += [f"{label}: wrote {change}" for change in writes_between(before, after)]
        finally:
            with contextlib.suppress(Exception):
                await tab.close()
    assert problems == [], "\n".join(problems)


async def test_the_draft_beacon_refuses_a_sign_in_short_of_its_second_step(
    running_app, half_signed_in: dict[str, str]
) -> None:
    from betterjournal.core import form_tokens

    with running_app.core():
        token = form_tokens.issue()
    for stage in ("setup", "code"):
        status, _ = await asyncio.to_thread(
            post_form,
            running_app.url,
            routes.API_KEEP_DRAFT,
            {
                "form_token": token,
                "entry_id": str(uuid.uuid4()),
                "title": "t",
                "body": "b",
                "seen": "",
                "known_title": "",
                "known_body": "",
                "mark": "",
            },
            cookie=half_signed_in[stage],
        )
        assert status == 403, stage


async def test_the_setup_session_can_only_set_up_and_the_code_session_only_enter_a_code(
    running_app, half_signed_in: dict[str, str]
) -> None:
    setup_tab = await connect(running_app, half_signed_in["setup"])
    code_tab = await connect(running_app, half_signed_in["code"])
    try:
        # The setup page shows a QR code and key to the setup session ...
        opened = await setup_tab.exchange(
            handler_name(TwoStepState, "open_setup"), path=routes.TWO_STEP_SETUP
        )
        setup = state_of(opened, TwoStepState)
        assert setup.get("qr_code", "").startswith("data:image/svg+xml")
        assert len(setup.get("secret", "").replace(" ", "")) >= 16
        # ... but not to the session waiting for a code (its person has MFA on already).
        refused = await code_tab.exchange(
            handler_name(TwoStepState, "open_setup"), path=routes.TWO_STEP_SETUP
        )
        assert not state_of(refused, TwoStepState).get("secret")
        # The code page is the code session's only; the setup session is sent to sign in.
        assert redirects_of(
            await setup_tab.exchange(handler_name(SignInCodeState, "open_code"), path=routes.SIGN_IN_CODE)
        ) == [routes.SIGN_IN]
        # A wrong code leaves the session waiting (still nobody's identity).
        wrong = await code_tab.exchange(
            handler_name(SignInCodeState, "submit_code"),
            {"form": {"code": "000000"}},
            path=routes.SIGN_IN_CODE,
        )
        assert redirects_of(wrong) == []
        home = await code_tab.exchange(handler_name(AppState, "route_home"), path=routes.HOME)
        assert redirects_of(home) == [routes.SIGN_IN]
        # The right code makes it whole.
        right = await code_tab.exchange(
            handler_name(SignInCodeState, "submit_code"),
            {"form": {"code": two_step.next_code(half_signed_in["code_email"])}},
            path=routes.SIGN_IN_CODE,
        )
        assert redirects_of(right) == [routes.HOME]
        home = await code_tab.exchange(handler_name(AppState, "route_home"), path=routes.HOME)
        assert redirects_of(home) == [routes.CLIENTS]
    finally:
        for tab in (setup_tab, code_tab):
            with contextlib.suppress(Exception):
                await tab.close()


def test_roles_that_must_use_two_step_sign_in() -> None:
    from betterjournal.core import mfa

    assert set(mfa.REQUIRED_FOR) == {Role.CLINICIAN, Role.ADMIN}


async def test_a_new_authenticator_key_and_its_recovery_codes_stay_with_the_setup_session(
    running_app, half_signed_in: dict[str, str]
) -> None:
    """AUTHN-5, AUTHN-7: a session short of its second step identifies nobody, but its setup
    page is shown the new key, then the recovery codes. Whoever reconnects with that tab's
    token and another cookie, or none, and asks for the tab's state (`hydrate`) gets neither;
    the setup session itself, reconnecting, still finds its page as it was."""
    email = f"gate-key-{uuid.uuid4().hex[:8]}@clinic.example"
    await _clinician_without_two_step(running_app, email, "Dr. Key")
    cookie, _ = await _password_only(running_app.url, email)
    hydrate = handler_name(State, "hydrate")

    async def hydrated_again(token: str, with_cookie: str) -> dict[str, object]:
        tab = await reconnect_same_token(running_app, token, with_cookie)
        try:
            return state_of(await tab.exchange(hydrate, path=routes.TWO_STEP_SETUP), TwoStepState)
        finally:
            await tab.close()

    tab = await connect(running_app, cookie)
    opened = state_of(
        await tab.exchange(handler_name(TwoStepState, "open_setup"), path=routes.TWO_STEP_SETUP), TwoStepState
    )
    key = str(opened.get("secret", ""))
    assert len(key.replace(" ", "")) >= 16
    await tab.close()
    for someone_else in ("", half_signed_in["code"]):
        assert not (await hydrated_again(tab.token, someone_else)).get("secret")
    # The wipe was for those cookies: the setup session's own tab shows the key again.
    tab = await connect(running_app, cookie)
    opened = state_of(
        await tab.exchange(handler_name(TwoStepState, "open_setup"), path=routes.TWO_STEP_SETUP), TwoStepState
    )
    assert opened.get("secret") == key
    await tab.close()
    assert (await hydrated_again(tab.token, cookie)).get("secret") == key

    tab = await reconnect_same_token(running_app, tab.token, cookie)
    confirmed = state_of(
        await tab.exchange(
            handler_name(TwoStepState, "confirm_setup"),
            {"form": {"code": TOTP(key.replace(" ", "")).now()}},
            path=routes.TWO_STEP_SETUP,
        ),
        TwoStepState,
    )
    codes = confirmed.get("recovery_codes") or []
    assert len(codes) >= 5
    # Kept as a file: the setup session's own tab gets the codes it shows.
    (kept,) = downloads_of(
        await tab.exchange(handler_name(TwoStepState, "download_codes"), path=routes.TWO_STEP_SETUP)
    )
    assert [code for code in codes if str(code) not in kept.decode()] == []
    await tab.close()
    assert not (await hydrated_again(tab.token, "")).get("recovery_codes")
    for someone_else in ("", half_signed_in["code"]):
        stranger = await reconnect_same_token(running_app, tab.token, someone_else)
        try:
            asked = await stranger.exchange(
                handler_name(TwoStepState, "download_codes"), path=routes.TWO_STEP_SETUP
            )
        finally:
            await stranger.close()
        assert downloads_of(asked) == []


async def test_new_recovery_codes_can_be_kept_as_a_file_by_their_own_tab_only(running_app) -> None:
    """Settings' new recovery codes, like the first ones, can be downloaded by the tab they
    were made for; the same tab token reconnecting without the session gets no file."""
    email = f"gate-renew-{uuid.uuid4().hex[:8]}@clinic.example"
    await asyncio.to_thread(running_app.create_user, "clinician", email, "Dr. Renew", PASSWORD)
    cookie = await sign_in(running_app.url, email, PASSWORD)
    tab = await connect(running_app, cookie)
    download = handler_name(SecurityState, "download_codes")
    try:
        assert downloads_of(await tab.exchange(download, path=routes.SECURITY)) == []  # none made yet
        made = state_of(
            await tab.exchange(
                handler_name(SecurityState, "renew_recovery_codes"),
                {"form": {"current_password": PASSWORD, "code": two_step.next_code(email)}},
                path=routes.SECURITY,
            ),
            SecurityState,
        )
        codes = made.get("new_recovery_codes") or []
        assert len(codes) >= 5
        (kept,) = downloads_of(await tab.exchange(download, path=routes.SECURITY))
        assert [code for code in codes if str(code) not in kept.decode()] == []
    finally:
        await tab.close()
    stranger = await reconnect_same_token(running_app, tab.token, "")
    try:
        assert downloads_of(await stranger.exchange(download, path=routes.SECURITY)) == []
    finally:
        await stranger.close()


async def test_a_second_sign_in_at_the_setup_step_never_sees_the_owners_key(running_app) -> None:
    """Attack review: a sign-in with a phished password, opened at the setup step before the
    clinician's, was shown the same key; once the clinician confirmed it, that key made
    codes that signed the intruder in. Each sign-in now gets a key of its own."""
    email = f"setup-twice-{uuid.uuid4().hex[:8]}@clinic.example"
    await _clinician_without_two_step(running_app, email, "Dr. Twice")
    intruders_cookie, _ = await _password_only(running_app.url, email)
    owners_cookie, _ = await _password_only(running_app.url, email)
    intruder, owner = await connect(running_app, intruders_cookie), await connect(running_app, owners_cookie)
    setup = handler_name(TwoStepState, "open_setup")
    confirm = handler_name(TwoStepState, "confirm_setup")
    try:
        intruders_key = state_of(await intruder.exchange(setup, path=routes.TWO_STEP_SETUP), TwoStepState)[
            "secret"
        ]
        owners_key = state_of(await owner.exchange(setup, path=routes.TWO_STEP_SETUP), TwoStepState)["secret"]
        assert owners_key.replace(" ", "") != intruders_key.replace(" ", "")
        # The earlier key can't be confirmed any more: that page is told to reload.
        refused = await intruder.exchange(
            confirm,
            {"form": {"code": TOTP(intruders_key.replace(" ", "")).now()}},
            path=routes.TWO_STEP_SETUP,
        )
        assert problem_of(refused).startswith("Two-step sign-in was started again from another sign-in")
        confirmed = await owner.exchange(
            confirm, {"form": {"code": TOTP(owners_key.replace(" ", "")).now()}}, path=routes.TWO_STEP_SETUP
        )
        assert len(state_of(confirmed, TwoStepState).get("recovery_codes") or []) >= 5
    finally:
        await intruder.close()
        await owner.close()
    # The intruder signs in again with the password: the old key makes no code that works.
    cookie, location = await _password_only(running_app.url, email)
    assert location == routes.SIGN_IN_CODE
    async with connected(running_app, cookie) as tab:
        tried = await tab.exchange(
            handler_name(SignInCodeState, "submit_code"),
            {"form": {"code": TOTP(intruders_key.replace(" ", "")).now()}},
            path=routes.SIGN_IN_CODE,
        )
        assert redirects_of(tried) == []
        home = await tab.exchange(handler_name(AppState, "route_home"), path=routes.HOME)
        assert redirects_of(home) == [routes.SIGN_IN]

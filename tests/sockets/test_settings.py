"""Each person's language and time zone, through the running app: saved only when valid,
used for everything the server writes for that person, and nobody else's."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest
from appserver import RunningApp
from socket_support import (
    connected,
    new_password,
    problem_of,
    pushed_values,
    snapshot,
    state_of,
    writes_between,
)
from socketclient import EventClient, handler_name, sign_in

from betterjournal import routes
from betterjournal.state.account import SecurityState, SessionsState
from betterjournal.state.base import AppState
from betterjournal.state.clinician import ClientsState
from betterjournal.state.settings import SettingsState

SETTINGS: dict[str, Any] = {"path": routes.SETTINGS}


async def _person(app: RunningApp, role: str, name: str) -> str:
    email, password = f"{role}-{uuid.uuid4().hex[:8]}@example.com", new_password()
    await asyncio.to_thread(app.create_user, role, email, name, password)
    return await sign_in(app.url, email, password)


async def _save(tab: EventClient, form: Any) -> list[dict[str, Any]]:
    await tab.exchange(handler_name(SettingsState, "load_settings"), **SETTINGS)
    return await tab.exchange(handler_name(SettingsState, "save_settings"), {"form": form}, **SETTINGS)


@pytest.mark.parametrize(
    "form",
    [
        {"language": "de", "time_zone": "America/Halifax"},
        {"language": "fr-CA", "time_zone": "Europe/Nowhere"},
        {"language": "fr-CA", "time_zone": "../../etc/passwd"},
        {"language": ["fr-CA"], "time_zone": "America/Halifax"},
        {"language": "fr-CA"},
        {"language": "fr-CA", "time_zone": "America/Halifax", "role": "admin"},
        "fr-CA",
        None,
    ],
)
async def test_bad_settings_get_a_clear_message_and_change_nothing(
    running_app: RunningApp, form: Any
) -> None:
    cookie = await _person(running_app, "client", "Settings Client")
    async with connected(running_app, cookie) as tab:
        before = snapshot(running_app)
        updates = await _save(tab, form)
        after = snapshot(running_app)
        assert problem_of(updates).startswith(("Choose ", "These settings couldn't be saved."))
        assert writes_between(before, after) == []
        # The tab still reads in English.
        assert state_of(updates, AppState).get("language") in (None, "en")


async def test_a_client_in_french_and_a_clinician_in_english_each_get_their_own_words(
    running_app: RunningApp,
) -> None:
    client_cookie = await _person(running_app, "client", "Camille Socket")
    clinician_cookie = await _person(running_app, "clinician", "Dr. Socket")
    async with (
        connected(running_app, client_cookie) as client,
        connected(running_app, clinician_cookie) as doctor,
    ):
        saved = await _save(client, {"language": "fr-CA", "time_zone": "America/Vancouver"})
        assert state_of(saved, AppState)["language"] == "fr-CA"
        assert state_of(saved, AppState)["notice"] == "Paramètres enregistrés."
        zones = state_of(saved, SettingsState)["time_zones"]
        assert {"value": "America/Vancouver", "label": "Heure du Pacifique (Vancouver)"} in zones

        # The clinician, in the same run, still gets English from the server.
        made = await doctor.exchange(handler_name(ClientsState, "create_invitation"), path=routes.CLIENTS)
        assert state_of(made, AppState)["notice"].startswith("Invitation code created.")

        # A new tab of the client's starts in French: the choice is theirs, not the tab's.
        async with connected(running_app, client_cookie) as other_tab:
            loaded = await other_tab.exchange(handler_name(SettingsState, "load_settings"), **SETTINGS)
            assert state_of(loaded, SettingsState)["chosen_language"] == "fr-CA"
            assert state_of(loaded, SettingsState)["chosen_time_zone"] == "America/Vancouver"
            # English again, from the first tab: the open one switches at once (a walk-through's
            # tab left in French wrote its language back as the browser's at sign-out).
            since = len(other_tab.received)
            await _save(client, {"language": "en", "time_zone": "America/Vancouver"})
            await pushed_values(other_tab, since, AppState, lambda v: v.get("language") == "en")


@pytest.mark.parametrize("language", ["de", "<img src=x onerror=alert(1)>", "", 7, None, ["fr-CA"]])
async def test_a_tab_cannot_be_given_a_language_the_app_does_not_have(
    running_app: RunningApp, language: Any
) -> None:
    async with connected(running_app) as tab:
        await tab.exchange(handler_name(AppState, "prepare_public_page"), path=routes.SIGN_IN)
        updates = await tab.exchange(
            handler_name(AppState, "choose_language"), {"language": language}, path=routes.SIGN_IN
        )
        assert state_of(updates, AppState).get("language") in (None, "en")
        chosen = await tab.exchange(
            handler_name(AppState, "choose_language"), {"language": "fr-CA"}, path=routes.SIGN_IN
        )
        assert state_of(chosen, AppState)["language"] == "fr-CA"


async def test_the_security_page_says_which_address_the_account_uses_and_which_one_waits(
    running_app: RunningApp,
) -> None:
    """A walk-through couldn't tell where the app's emails went: the page named an address
    only while a change waited for its link."""
    email, password = f"which-address-{uuid.uuid4().hex[:8]}@example.com", new_password()
    await asyncio.to_thread(running_app.create_user, "client", email, "Which Address", password)
    async with connected(running_app, await sign_in(running_app.url, email, password)) as tab:
        page: dict[str, Any] = {"path": routes.SECURITY}
        shown = state_of(
            await tab.exchange(handler_name(SecurityState, "load_security"), **page), SecurityState
        )
        assert (shown["email"], shown["pending_email"]) == (email, "")
        new = f"new-{email}"
        form = {"current_password": password, "new_email": new}
        changed = await tab.exchange(handler_name(SecurityState, "change_email"), {"form": form}, **page)
        assert problem_of(changed) == ""
        shown = state_of(
            await tab.exchange(handler_name(SecurityState, "load_security"), **page), SecurityState
        )
        assert shown.get("email", email) == email and shown["pending_email"] == new
        # Signing the other devices out ends the change too (attack review 9: an intruder's
        # asked change outlived it), and says so (walk-through 13: it went silently).
        ended = await tab.exchange(handler_name(SessionsState, "end_other_sessions"), path=routes.SESSIONS)
        assert state_of(ended, AppState)["notice"] == (
            "Signed out everywhere else. The change of email address you asked for is cancelled "
            "too: ask for it again if it was you."
        )
        shown = state_of(
            await tab.exchange(handler_name(SecurityState, "load_security"), **page), SecurityState
        )
        assert shown.get("email", email) == email and shown.get("pending_email", "") == ""
        again = await tab.exchange(handler_name(SessionsState, "end_other_sessions"), path=routes.SESSIONS)
        assert state_of(again, AppState)["notice"] == "Signed out everywhere else."

"""Ending a session from elsewhere reaches that device's open tab at once: it is wiped
and says it is signed out, without sending anything (the quality bar's "a revoke shows
at once"), and its next event is refused as before."""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs

import pytest
import reflex as rx
from socket_support import (
    connect,
    connected,
    link,
    new_people,
    reconnect_same_token,
    redirect_targets,
    redirects_of,
    secrets_in,
    set_shared,
    state_of,
    write_entry,
)
from socketclient import EventClient, handler_name, sign_in, sign_out
from sqlmodel import col, select, update

from betterjournal import routes
from betterjournal.api import session_token_from_cookie_header
from betterjournal.crypto import sha256_hex
from betterjournal.db import session_scope
from betterjournal.models import AuditAction, AuditEvent, AuthSession, User, utcnow
from betterjournal.settings import get_settings
from betterjournal.state.account import SessionsState
from betterjournal.state.base import AppState
from betterjournal.state.clinician import SharedWithMeState
from betterjournal.state.journal import JournalState

PUSH_WITHIN_SECONDS = 2.0


async def _signed_out_pushed(tab: EventClient, since: int) -> list[dict[str, Any]]:
    deadline = time.monotonic() + PUSH_WITHIN_SECONDS
    while time.monotonic() < deadline:
        pushed = tab.received[since:]
        if any(state_of([update], AppState).get("signed_out_here") is True for update in pushed):
            return pushed
        await asyncio.sleep(0.02)
    raise AssertionError(f"no sign-out push within {PUSH_WITHIN_SECONDS} s")


async def _journal_tab(app, cookie: str) -> EventClient:
    tab = await connect(app, cookie)
    await tab.exchange(handler_name(JournalState, "load_journal"), path=routes.JOURNAL)
    return tab


async def test_sign_out_there_reaches_that_devices_open_tab_at_once(running_app) -> None:
    person = (await new_people(running_app, "live-session", a="client"))["a"]
    phone_cookie = await sign_in(running_app.url, person.email, person.password)
    laptop = await connect(running_app, person.cookie)
    phone = await _journal_tab(running_app, phone_cookie)
    try:
        listed = await laptop.exchange(handler_name(SessionsState, "load_sessions"), path=routes.SESSIONS)
        sessions = state_of(listed, SessionsState)["signed_in_sessions"]
        assert len(sessions) == 2 and sum(s["this_one"] for s in sessions) == 1
        phone_session = next(s["id"] for s in sessions if not s["this_one"])
        since = len(phone.received)
        await laptop.exchange(
            handler_name(SessionsState, "end_session"), {"session_id": phone_session}, path=routes.SESSIONS
        )
        pushed = await _signed_out_pushed(phone, since)
        app_state = {k: v for u in pushed for k, v in state_of([u], AppState).items()}
        assert app_state.get("viewer_name", "") == ""
        # Its "Sign in again" comes back to the page it showed (walk-through: it went home).
        path, _, query = app_state.get("sign_in_again", "").partition("?")
        assert path == routes.SIGN_IN and parse_qs(query)["next"][0].startswith(routes.JOURNAL)
        # Its next event goes to sign in; the laptop is still signed in.
        again = await phone.exchange(handler_name(JournalState, "load_journal"), path=routes.JOURNAL)
        assert redirects_of(again) == [routes.SIGN_IN]
        still = await laptop.exchange(handler_name(SessionsState, "load_sessions"), path=routes.SESSIONS)
        assert len(state_of(still, SessionsState)["signed_in_sessions"]) == 1
    finally:
        for tab in (laptop, phone):
            await tab.close()


@pytest.mark.parametrize("ended_by", ["signing_out_there", "running_out"])
async def test_a_closed_tab_whose_session_ends_holds_nothing_of_it_in_server_memory(
    running_app, ended_by
) -> None:
    """Attack review: a tab closed (or between reconnects) when its session ended elsewhere
    kept its decrypted state in server memory until its expiry, half an hour later: only
    the tabs connected then were wiped. Now it is wiped as the session ends, and only that
    session's tabs: the tab of the session still signed in keeps what it shows."""
    person = (await new_people(running_app, f"closed-tab-{ended_by}", a="client"))["a"]
    writer = await connect(running_app, person.cookie)
    entry = await write_entry(running_app, writer, "closed tab")
    secrets = {entry.title, entry.body}
    phone_cookie = await sign_in(running_app.url, person.email, person.password)
    phone, kept = (
        await _journal_tab(running_app, phone_cookie),
        await _journal_tab(running_app, person.cookie),
    )
    assert secrets_in(phone.received, secrets) and secrets_in(kept.received, secrets)
    for tab in (phone, kept):
        await tab.close()
    await asyncio.sleep(0.5)  # the server has let the connections go: the tabs are closed ones
    if ended_by == "signing_out_there":
        listed = await writer.exchange(handler_name(SessionsState, "load_sessions"), path=routes.SESSIONS)
        (phone_session,) = [
            s["id"] for s in state_of(listed, SessionsState)["signed_in_sessions"] if not s["this_one"]
        ]
        await writer.exchange(
            handler_name(SessionsState, "end_session"), {"session_id": phone_session}, path=routes.SESSIONS
        )
    else:  # the phone's idle time runs out while its tab is closed, and the app's round sees it
        phone_token = session_token_from_cookie_header(phone_cookie)
        assert phone_token is not None
        with running_app.core(), session_scope() as session:
            session.exec(
                update(AuthSession)
                .where(col(AuthSession.token_hash) == sha256_hex(phone_token))
                .values(last_seen_at=utcnow() - get_settings().client_idle + timedelta(seconds=1))
            )
    await asyncio.sleep(3)
    # What each closed tab holds on the server, seen through a cookie still signed in to the
    # same person (a reconnect with the ended cookie would be wiped then, as before).
    hydrate = handler_name(rx.State, "hydrate")
    for token, holds in ((phone.token, []), (kept.token, sorted(secrets))):
        back = await reconnect_same_token(running_app, token, person.cookie)
        try:
            assert secrets_in(await back.exchange(hydrate, path=routes.JOURNAL), secrets) == holds
        finally:
            await back.close()
    await writer.close()


async def test_sign_out_everywhere_reaches_every_other_open_tab_at_once(running_app) -> None:
    person = (await new_people(running_app, "live-everywhere", a="client"))["a"]
    other_cookie = await sign_in(running_app.url, person.email, person.password)
    other = await _journal_tab(running_app, other_cookie)
    try:
        since = len(other.received)
        assert await asyncio.to_thread(sign_out, running_app.url, person.cookie, everywhere=True) == 303
        await _signed_out_pushed(other, since)
    finally:
        await other.close()


async def test_a_tab_whose_session_ended_meanwhile_is_told_why_at_sign_in(running_app) -> None:
    """Found in a walk-through: back at a tab after the idle limit, the next tap went to the
    sign-in page with no word of why. It now says the session ended, and still comes back
    to the page afterwards."""
    person = (await new_people(running_app, "ended-session", a="client"))["a"]
    tab = await _journal_tab(running_app, person.cookie)
    try:
        with running_app.core(), session_scope() as session:
            user_id = session.exec(select(User.id).where(User.email == person.email)).one()
            session.exec(
                update(AuthSession)
                .where(col(AuthSession.user_id) == user_id)
                .values(last_seen_at=utcnow() - timedelta(days=1))
            )
        again = await tab.exchange(handler_name(JournalState, "load_journal"), path=routes.JOURNAL)
        (target,) = redirect_targets(again)
        path, _, query = target.partition("?")
        assert path == routes.SIGN_IN
        assert parse_qs(query) == {"next": [routes.JOURNAL], "ended": ["1"]}
        shown = await tab.exchange(
            handler_name(AppState, "prepare_public_page"),
            path=routes.SIGN_IN,
            query={"next": routes.JOURNAL, "ended": "1"},
        )
        assert state_of(shown, AppState).get("notice") == (
            "You were signed out: your session ended (after a time without activity, or from "
            "another device). Sign in to carry on."
        )
        # Never signed in on this tab (or signed out here): no such word.
        async with connected(running_app, "") as stranger:
            refused = await stranger.exchange(handler_name(JournalState, "load_journal"), path=routes.JOURNAL)
        assert "ended=" not in redirect_targets(refused)[0]
    finally:
        await tab.close()


@pytest.mark.parametrize("ended_by", ["signing_out_elsewhere", "running_out"])
async def test_a_tab_away_when_its_session_ended_is_sent_nothing_shared_later(running_app, ended_by) -> None:
    """Attack review: a clinician's tab on a client's shared entries, away (lid closed) when
    the session ended, came back with its tab token and no cookie, sent nothing, and was
    pushed an entry the client shared afterwards, decrypted, audited as the clinician's view
    and marked seen. Every push re-checks the tab's session first."""
    people = await new_people(running_app, "away-tab", a="client", c="clinician")
    client, clinician = people["a"], people["c"]
    await link(running_app, client, clinician)
    client_tab = await connect(running_app, client.cookie)
    first = await write_entry(running_app, client_tab, "first")
    await set_shared(client_tab, first, clinician, True)
    tab = await connect(running_app, clinician.cookie)
    listed = await tab.exchange(
        handler_name(SharedWithMeState, "load_client_entries"),
        path=routes.CLIENT_ENTRIES,
        query={"client": client.id},
    )
    assert [e["title"] for e in state_of(listed, SharedWithMeState)["entries"]] == [first.title]
    await tab.close()
    if ended_by == "signing_out_elsewhere":
        assert await asyncio.to_thread(sign_out, running_app.url, clinician.cookie) == 303
    else:  # its idle time runs out while the tab is away, and the app's round sees it
        with running_app.core(), session_scope() as session:
            session.exec(
                update(AuthSession)
                .where(col(AuthSession.user_id) == uuid.UUID(clinician.id))
                .values(last_seen_at=utcnow() - get_settings().clinician_idle + timedelta(seconds=1))
            )
        await asyncio.sleep(3)
    back = await reconnect_same_token(running_app, tab.token, cookie="")
    try:
        later = await write_entry(running_app, client_tab, "shared after the session ended")
        await set_shared(client_tab, later, clinician, True)
        await asyncio.sleep(1.5)  # a push takes milliseconds
        assert secrets_in(back.received, {later.title, later.body, first.title}) == []
        with running_app.core(), session_scope() as session:
            views = session.exec(
                select(AuditEvent.action).where(
                    col(AuditEvent.item_id) == uuid.UUID(later.id),
                    col(AuditEvent.action) != AuditAction.SHARE,
                )
            ).all()
        assert views == []  # nobody viewed it, nor was it marked seen
    finally:
        await back.close()
        await client_tab.close()

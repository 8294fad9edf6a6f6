"""The reminders' handlers through the running app: the settings form saves only valid
reminders for the signed-in client (nothing else), and the banner's handlers hold only a
kind and a link, never anyone else's reminder."""

from __future__ import annotations

import asyncio
import uuid
from datetime import date
from typing import Any

import pytest
from appserver import RunningApp
from socket_support import connected, new_password, problem_of, snapshot, state_of, writes_between
from socketclient import EventClient, handler_name, sign_in
from sqlmodel import select

from betterjournal import routes
from betterjournal.core import reminders
from betterjournal.db import session_scope
from betterjournal.models import ReminderKind, User
from betterjournal.state.base import AppState
from betterjournal.state.reminders import ReminderBannerState
from betterjournal.state.settings import SettingsState

SETTINGS: dict[str, Any] = {"path": routes.SETTINGS}
GOOD = {"check_in_on": "on", "check_in_day_0": "on", "check_in_at": "20:00", "homework_at": "09:00"}


async def _client(app: RunningApp) -> tuple[str, str]:
    email, password = f"client-{uuid.uuid4().hex[:8]}@example.com", new_password()
    await asyncio.to_thread(app.create_user, "client", email, "Reminder Socket", password)
    return email, await sign_in(app.url, email, password)


async def _save(tab: EventClient, form: Any) -> list[dict[str, Any]]:
    await tab.exchange(handler_name(SettingsState, "load_settings"), **SETTINGS)
    return await tab.exchange(handler_name(SettingsState, "save_reminders"), {"form": form}, **SETTINGS)


@pytest.mark.parametrize(
    "form",
    [
        {**GOOD, "check_in_at": "24:61"},
        {**GOOD, "check_in_at": ["20:00"]},
        {**GOOD, "check_in_day_0": "", "check_in_on": "on"},  # on, but no day
        {**GOOD, "quiet_on": "on", "quiet_start": "22:00", "quiet_end": "22:00"},
        {**GOOD, "user_id": str(uuid.uuid4())},
        {**GOOD, "check_in_day_9": "on"},
        "on",
        None,
    ],
)
async def test_bad_reminders_get_a_clear_message_and_change_nothing(
    running_app: RunningApp, form: Any
) -> None:
    _, cookie = await _client(running_app)
    async with connected(running_app, cookie) as tab:
        before = snapshot(running_app)
        updates = await _save(tab, form)
        after = snapshot(running_app)
        assert problem_of(updates).startswith(
            ("Enter a time", "Choose at least", "Quiet hours", "This couldn't")
        )
        assert writes_between(before, after) == []


async def test_a_client_saves_their_own_reminders_and_the_banner_holds_no_content(
    running_app: RunningApp,
) -> None:
    email, cookie = await _client(running_app)
    async with connected(running_app, cookie) as tab:
        saved = await _save(tab, GOOD)
        assert state_of(saved, AppState)["notice"] == "Reminders saved."
        assert state_of(saved, SettingsState)["check_in_on"] is True
        with running_app.core(), session_scope() as session:
            user = session.exec(select(User).where(User.email == email)).one()
            plan = reminders.preferences(session, user_id=user.id)
        assert plan.check_in.on and plan.check_in.days == {0}
        shown = await tab.exchange(handler_name(ReminderBannerState, "load_reminder"), path=routes.JOURNAL)
        assert state_of(shown, ReminderBannerState).get("reminder_kind", "") == ""
        # Dismissing with no banner (or twice) is harmless.
        gone = await tab.exchange(handler_name(ReminderBannerState, "dismiss_reminder"), path=routes.JOURNAL)
        assert problem_of(gone) == ""


@pytest.mark.parametrize(
    ("kind", "page", "put_away"),
    [
        (ReminderKind.JOURNAL, routes.WRITE, True),
        (ReminderKind.CHECK_IN, routes.CHECK_IN, True),
        (ReminderKind.HOMEWORK, routes.WORKSHEET, True),  # a page under the homework list
        (ReminderKind.CHECK_IN, routes.CHECK_INS, False),  # the charts: not checking in
        (ReminderKind.JOURNAL, routes.JOURNAL, False),
    ],
)
async def test_a_reminder_is_put_away_on_the_page_it_leads_to(
    running_app: RunningApp, kind: ReminderKind, page: str, put_away: bool
) -> None:
    """A walk-through met "A reminder from Betterjournal: a moment to write? Write" while
    writing, its link to the page already open. Where it leads, it is done: dismissed
    there, so it does not follow the client to the next page either."""
    email, cookie = await _client(running_app)
    with running_app.core(), session_scope() as session:
        user = session.exec(select(User).where(User.email == email)).one()
        reminders._record(
            session, user.id, reminders.Due(kind=kind, slot=date.today())
        )  # as the scheduler does
    load = handler_name(ReminderBannerState, "load_reminder")
    async with connected(running_app, cookie) as tab:
        shown = await tab.exchange(load, path=routes.SETTINGS)
        assert state_of(shown, ReminderBannerState).get("reminder_kind") == kind.value
        there = await tab.exchange(load, path=page, query={"id": str(uuid.uuid4())})
        assert merged_kind(shown + there) == ("" if put_away else kind.value)
        after = await tab.exchange(load, path=routes.SETTINGS)
        assert merged_kind(shown + there + after) == ("" if put_away else kind.value)
    with running_app.core(), session_scope() as session:
        assert (reminders.banner(session, user_id=user.id) is None) is put_away


def merged_kind(updates: Any) -> str:
    return str(state_of(updates, ReminderBannerState).get("reminder_kind", ""))


async def test_dismissing_a_reminder_shows_another_given_the_same_evening(running_app: RunningApp) -> None:
    """A walk-through's two reminders, to check in at 20:04 and to write at 20:05: the second
    banner hid the first, and dismissing it showed nothing until a reload brought the
    first back. Now the first shows as the second is dismissed; then none."""
    email, cookie = await _client(running_app)
    with running_app.core(), session_scope() as session:
        user = session.exec(select(User).where(User.email == email)).one()
        for kind in (ReminderKind.CHECK_IN, ReminderKind.JOURNAL):  # as the scheduler gives them
            reminders._record(session, user.id, reminders.Due(kind=kind, slot=date.today()))
    dismiss = handler_name(ReminderBannerState, "dismiss_reminder")
    async with connected(running_app, cookie) as tab:
        shown = await tab.exchange(handler_name(ReminderBannerState, "load_reminder"), path=routes.SETTINGS)
        first = merged_kind(shown)
        assert first in {ReminderKind.CHECK_IN.value, ReminderKind.JOURNAL.value}
        then = await tab.exchange(dismiss, path=routes.SETTINGS)
        second = merged_kind(shown + then)
        assert {first, second} == {ReminderKind.CHECK_IN.value, ReminderKind.JOURNAL.value}
        last = await tab.exchange(dismiss, path=routes.SETTINGS)
        assert merged_kind(shown + then + last) == ""
    with running_app.core(), session_scope() as session:
        assert reminders.banner(session, user_id=user.id) is None

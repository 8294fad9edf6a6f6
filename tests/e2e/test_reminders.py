"""Reminders on a phone (390×844): a client in Vancouver turns check-in reminders on in
Settings, sees the gentle banner once one is due, follows or dismisses it; the reminder
email's one-tap link turns them off. The screenshot of the banner is
docs/screenshots/reminder-banner-390x844-en.png.

The timing itself (which minute, which zone, quiet hours) is the core's, proved with a
fake clock in tests/unit/test_reminder_rules.py; here the scheduler's round is run once with
the moment the client asked for, against the running app's database.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from appserver import PROJECT_ROOT, RunningApp
from people import sign_in
from playwright.sync_api import Page, expect
from smtp_mailbox import link_in, text_of
from sqlmodel import select

from betterjournal import routes, scheduler
from betterjournal.core import reminders
from betterjournal.db import session_scope
from betterjournal.models import User

pytestmark = pytest.mark.e2e

PASSWORD = "lantern-spruce-meadow-81"
SCREENSHOT = PROJECT_ROOT / "docs" / "screenshots" / "reminder-banner-390x844-en.png"
VANCOUVER = ZoneInfo("America/Vancouver")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")


def _last_weekday_at(moment: time) -> datetime:
    """The latest weekday (Monday–Friday) at `moment` in Vancouver, not in the future."""
    now = datetime.now(VANCOUVER)
    day = now.date()
    while True:
        candidate = datetime.combine(day, moment, tzinfo=VANCOUVER)
        if candidate <= now and day.weekday() < 5:
            return candidate
        day -= timedelta(days=1)


def _give_due_reminders(app: RunningApp, at: datetime) -> int:
    """The scheduler's round, run once at the moment the reminder was asked for."""
    with app.core():
        return scheduler.give_due(at)


def _banner(page: Page):
    return page.get_by_role("complementary", name="Reminder")


def test_a_client_turns_reminders_on_sees_the_banner_and_dismisses_it(open_phone, running_app) -> None:
    email = "reminded-client@example.test"
    running_app.create_user("client", email, "Robin Reminded", PASSWORD)
    person = open_phone(timezone_id="America/Vancouver")
    page = person.page
    sign_in(person, email, PASSWORD)

    # Settings: reminders are off until the client turns them on.
    person.goto(routes.SETTINGS)
    expect(page.get_by_role("heading", name="Reminders")).to_be_visible()
    turn_on = page.get_by_role("checkbox", name="Remind me to check in")
    expect(turn_on).not_to_be_checked()
    turn_on.check()
    days = page.get_by_role("group", name="Days for check-in reminders")
    days.get_by_role("checkbox", name="Saturday").uncheck()
    days.get_by_role("checkbox", name="Sunday").uncheck()
    page.get_by_label("Time for check-in reminders").fill("20:00")
    page.get_by_role("checkbox", name="Send no reminders during quiet hours").check()
    page.get_by_label("Quiet hours start").fill("22:30")
    page.get_by_label("Quiet hours end").fill("07:00")
    page.get_by_role("button", name="Save reminders").click()
    expect(page.get_by_role("status").filter(has_text="Reminders saved.")).to_be_visible()

    with running_app.core(), session_scope() as session:
        client = session.exec(select(User).where(User.email == email)).one()
        plan = reminders.preferences(session, user_id=client.id)
    assert plan.check_in == reminders.Schedule(True, frozenset(range(5)), time(20, 0))
    assert not plan.journal.on and not plan.homework.on
    assert plan.quiet == (time(22, 30), time(7, 0))

    # After a reload the form shows what the server holds.
    page.reload()
    expect(page.get_by_role("checkbox", name="Remind me to check in")).to_be_checked()
    expect(days.get_by_role("checkbox", name="Sunday")).not_to_be_checked()
    expect(days.get_by_role("checkbox", name="Monday")).to_be_checked()

    # No banner before a reminder is due.
    person.goto(routes.JOURNAL)
    expect(page.get_by_role("heading", name="Your journal")).to_be_visible()
    expect(_banner(page)).to_have_count(0)

    # The reminder comes due: the scheduler gives it (once), and the banner appears.
    due = _last_weekday_at(time(20, 0))
    assert _give_due_reminders(running_app, due) == 1
    assert _give_due_reminders(running_app, due + timedelta(minutes=1)) == 0
    person.goto(routes.JOURNAL)
    banner = _banner(page)
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("A reminder from Betterjournal: a moment to check in?")
    expect(banner.get_by_role("link", name="Check in")).to_have_attribute("href", routes.CHECK_IN)
    page.evaluate("window.scrollTo(0, 0)")
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT))

    # It follows the client from page to page until dismissed, then stays away.
    banner.get_by_role("link", name="Check in").click()
    expect(page).to_have_url(running_app.url + routes.CHECK_IN)
    expect(_banner(page)).to_be_visible()
    _banner(page).get_by_role("button", name="Dismiss this reminder").click()
    expect(_banner(page)).to_have_count(0)
    person.goto(routes.JOURNAL)
    expect(page.get_by_role("heading", name="Your journal")).to_be_visible()
    expect(_banner(page)).to_have_count(0)

    # The email: calm, nothing about health; its one-tap link turns reminders off.
    message = running_app.mailbox.wait_for(email, subject_contains="A reminder from Betterjournal")
    assert "a moment to check in?" in text_of(message)
    assert "Robin" not in text_of(message)
    person.page.goto(link_in(message, routes.API_REMINDERS_OFF))
    expect(page.get_by_role("heading", name="Reminders are off")).to_be_visible()
    page.get_by_role("link", name="Go to settings").click()
    expect(page.get_by_role("checkbox", name="Remind me to check in")).not_to_be_checked()

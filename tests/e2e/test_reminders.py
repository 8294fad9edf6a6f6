"""Reminders on a phone (390×844): a client in Vancouver turns check-in reminders on in
Settings; the app's own scheduler gives the reminder (the suite's app looks every second),
and its gentle banner appears at once on the page the client has open; it follows them
from page to page until dismissed; the reminder email's one-tap link turns them off. The
screenshot of the banner is docs/screenshots/reminder-banner-390x844-en.png.

The timing itself (which minute, which zone, quiet hours, once only) is the core's, proved
with a fake clock in tests/unit/test_reminder_rules.py.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from appserver import PROJECT_ROOT
from people import Tab, cut_words, sign_in
from playwright.sync_api import Page, expect
from smtp_mailbox import link_in, text_of
from sqlmodel import select

from betterjournal import routes
from betterjournal.core import reminders
from betterjournal.db import session_scope
from betterjournal.models import User

pytestmark = pytest.mark.e2e

PASSWORD = "lantern-spruce-meadow-81"
SCREENSHOT = PROJECT_ROOT / "docs" / "screenshots" / "reminder-banner-390x844-en.png"
VANCOUVER = ZoneInfo("America/Vancouver")
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _hhmm(moment: datetime) -> str:
    return moment.strftime("%H:%M")


def _this_minute() -> datetime:
    """The minute it is in Vancouver, with at least 20 s of it left (waited for, else): a
    reminder set for it comes, while the settings' last change is made within it (one set
    after its minute counts from its next time)."""
    now = datetime.now(VANCOUVER)
    if now.second >= 40:
        time.sleep(60.5 - now.second - now.microsecond / 1e6)
        now = datetime.now(VANCOUVER)
    return now.replace(second=0, microsecond=0)


def _banner(page: Page):
    return page.get_by_role("complementary", name="Reminder")


def test_a_client_turns_reminders_on_sees_the_banner_and_dismisses_it(open_phone, running_app) -> None:
    email = "reminded-client@example.test"
    running_app.create_user("client", email, "Robin Reminded", PASSWORD)
    person = open_phone(timezone_id="America/Vancouver")
    page = person.page
    sign_in(person, email, PASSWORD)
    # The reminder is for the minute it is in Vancouver (one turned on after its time comes
    # from its next time: a walk-through got one at once, then none at the time it chose);
    # two other days are left out; quiet hours are hours away from it.
    at = _this_minute()
    today = at.weekday()
    left_out = {(today + 3) % 7, (today + 4) % 7}
    quiet = (at + timedelta(hours=6), at + timedelta(hours=8))

    # Settings: reminders are off until the client turns them on.
    person.goto(routes.SETTINGS)
    expect(page.get_by_role("heading", name="Reminders")).to_be_visible()
    expect(_banner(page)).to_have_count(0)
    turn_on = page.get_by_role("checkbox", name="Remind me to check in")
    expect(turn_on).not_to_be_checked()
    turn_on.check()
    days = page.get_by_role("group", name="Days for check-in reminders")
    for day in left_out:
        days.get_by_role("checkbox", name=DAYS[day]).uncheck()
    page.get_by_label("Time for check-in reminders").fill(_hhmm(at))
    page.get_by_role("checkbox", name="Send no reminders during quiet hours").check()
    page.get_by_label("Quiet hours start").fill(_hhmm(quiet[0]))
    page.get_by_label("Quiet hours end").fill(_hhmm(quiet[1]))
    # Each change is kept as it is made (there is no Save button to forget).
    expect(page.get_by_role("status").filter(has_text="Reminders saved.")).to_be_visible()
    expect(page.get_by_role("button", name="Save reminders")).to_have_count(0)

    def saved_plan() -> reminders.Plan:
        with running_app.core(), session_scope() as session:
            client = session.exec(select(User).where(User.email == email)).one()
            return reminders.preferences(session, user_id=client.id)

    wanted = reminders.Plan(
        check_in=reminders.Schedule(
            True, frozenset(range(7)) - left_out, at.time().replace(second=0, microsecond=0)
        ),
        journal=reminders.OFF.journal,
        homework=reminders.OFF.homework,
        quiet_on=True,
        quiet_hours=(
            quiet[0].time().replace(second=0, microsecond=0),
            quiet[1].time().replace(second=0, microsecond=0),
        ),
    )
    deadline = time.monotonic() + 10  # the last change's save may still be on its way
    while (plan := saved_plan()) != wanted:
        assert time.monotonic() < deadline, plan
        time.sleep(0.1)

    # The app's scheduler gives the reminder: its banner appears on the page open, with
    # no click and no reload.
    banner = _banner(page)
    expect(banner).to_be_visible(timeout=10_000)
    expect(banner).to_have_text("A moment to check in?Check in")
    # Read out as it arrives (a walk-through's screen reader said nothing of it).
    expect(banner.get_by_role("status")).to_have_text("A moment to check in?")
    expect(banner.get_by_role("link", name="Check in")).to_have_attribute("href", routes.CHECK_IN)

    # After a reload the form shows what the server holds (and the banner is still there).
    page.reload()
    expect(page.get_by_role("checkbox", name="Remind me to check in")).to_be_checked()
    for day in range(7):
        checkbox = days.get_by_role("checkbox", name=DAYS[day])
        if day in left_out:
            expect(checkbox).not_to_be_checked()
        else:
            expect(checkbox).to_be_checked()
    expect(_banner(page)).to_be_visible()

    person.goto(routes.JOURNAL)
    expect(page.get_by_role("heading", name="Your journal")).to_be_visible()
    expect(banner).to_be_visible()
    page.evaluate("window.scrollTo(0, 0)")
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT))

    # At 200 % text on a 320-px screen (walk-through: "reminde/r" cut mid-word, and the
    # banner filled the first screen): whole words, and most of the screen left to the page.
    page.set_viewport_size({"width": 320, "height": 640})
    fonts = page.context.new_cdp_session(page)
    fonts.send("Page.setFontSizes", {"fontSizes": {"standard": 32, "fixed": 26}})
    page.reload()
    expect(banner).to_be_visible()
    assert cut_words(page, 'aside[aria-label="Reminder"]') == []
    height = banner.bounding_box()["height"]  # type: ignore[index]
    assert height <= 0.3 * 640, height
    fonts.send("Page.setFontSizes", {"fontSizes": {"standard": 16, "fixed": 13}})
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()

    # It follows the client from page to page until dismissed, then stays away.
    _banner(page).get_by_role("button", name="Dismiss this reminder").click()
    expect(_banner(page)).to_have_count(0)
    person.goto(routes.SETTINGS)
    expect(page.get_by_role("heading", name="Reminders")).to_be_visible()
    expect(_banner(page)).to_have_count(0)

    # Another, for writing: followed to the page it leads to, it is done there (before, it
    # said "a moment to write? Write" above the editor) and does not come back.
    page.get_by_role("checkbox", name="Remind me to write").check()
    page.get_by_label("Time for writing reminders").fill(_hhmm(_this_minute()))
    expect(banner).to_contain_text("A moment to write?", timeout=10_000)
    banner.get_by_role("link", name="Write").click()
    expect(page.get_by_role("heading", name="New entry")).to_be_visible()
    expect(_banner(page)).to_have_count(0)
    person.goto(routes.JOURNAL)
    expect(page.get_by_role("heading", name="Your journal")).to_be_visible()
    expect(_banner(page)).to_have_count(0)

    # The email: calm, nothing about health; its one-tap link turns reminders off.
    message = running_app.mailbox.wait_for(email, subject_contains="A reminder from Betterjournal")
    assert "a moment to check in?" in text_of(message)
    assert "Robin" not in text_of(message)
    # Each given once (check in, then write), although the scheduler has looked every second.
    for _ in range(50):  # the second is sent by the outbox a moment after its banner
        if len(running_app.mailbox.messages_to(email)) >= 2:
            break
        time.sleep(0.2)
    time.sleep(1.5)  # a scheduler round or two more
    sent = running_app.mailbox.messages_to(email)
    assert len(sent) == 2 and "a moment to write?" in text_of(sent[1]), [text_of(m) for m in sent]
    # Settings open in another tab: turned off from the email, its boxes untick at once, and a
    # change made there then keeps them off (it sent the old choices back: all on again).
    desk = Tab(person.context.new_page(), running_app)
    desk.goto(routes.SETTINGS)
    expect(desk.page.get_by_role("checkbox", name="Remind me to check in")).to_be_checked()
    person.page.goto(link_in(message, routes.API_REMINDERS_OFF))
    # Opening the link asks (a mail scanner opening every link must not turn them off).
    expect(page.get_by_role("heading", name="Turn reminders off?")).to_be_visible()
    expect(desk.page.get_by_role("checkbox", name="Remind me to check in")).to_be_checked()
    page.get_by_role("button", name="Turn reminders off").click()
    expect(page.get_by_role("heading", name="Reminders are off")).to_be_visible()
    expect(desk.page.get_by_role("checkbox", name="Remind me to check in")).not_to_be_checked()
    expect(desk.page.get_by_role("checkbox", name="Remind me to write")).not_to_be_checked()
    desk.page.get_by_role("checkbox", name="Remind me on days homework is due").check()
    expect(desk.page.get_by_role("status").filter(has_text="Reminders saved.")).to_be_visible()
    deadline = time.monotonic() + 10
    while not (plan := saved_plan()).homework.on:
        assert time.monotonic() < deadline, plan
        time.sleep(0.1)
    assert not plan.check_in.on and not plan.journal.on, plan
    desk.page.close()
    page.get_by_role("link", name="Go to settings").click()
    expect(page.get_by_role("checkbox", name="Remind me to check in")).not_to_be_checked()
    expect(page.get_by_role("checkbox", name="Remind me to write")).not_to_be_checked()

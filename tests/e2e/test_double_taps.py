"""A double tap (or a double click) on a button that makes something makes it once.

Found by a new user's walk-through: a double click on "Assign" gave the client the same
homework twice, and one on "Create invitation code" made two codes, showing only the
second. Each is counted in the app's database after the double click."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest
from appserver import RunningApp
from people import Tab, linked_pair, sign_in
from playwright.sync_api import Browser, expect
from sqlmodel import col, func, select
from test_journey import PASSWORD

from betterjournal import routes
from betterjournal.db import session_scope
from betterjournal.models import Assignment, Invitation, User

pytestmark = pytest.mark.e2e


def _count(app: RunningApp, model: type, clinician_email: str) -> int:
    with app.core(), session_scope() as session:
        clinician = session.exec(select(User.id).where(User.email == clinician_email)).one()
        column = col(model.clinician_id)  # type: ignore[attr-defined]
        return session.exec(select(func.count()).select_from(model).where(column == clinician)).one()


def test_a_double_click_assigns_once_and_makes_one_invitation_code(
    browser: Browser, running_app: RunningApp
) -> None:
    doctor, client, ids = linked_pair(running_app, "Twice", "Casey")
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-CA")
    desk = Tab(context.new_page(), running_app)
    sign_in(desk, doctor, PASSWORD)
    page = desk.page

    expect(page.get_by_role("button", name="Create invitation code")).to_be_visible()
    codes_before = _count(running_app, Invitation, doctor)
    page.get_by_role("button", name="Create invitation code").dblclick()
    expect(page.get_by_label("Invitation code")).to_be_visible()
    page.wait_for_timeout(1500)  # the second click's event would have landed by now
    assert _count(running_app, Invitation, doctor) == codes_before + 1

    desk.goto(routes.client_homework(str(ids[client])))
    expect(page.get_by_role("heading", name="Homework for Casey")).to_be_visible()
    page.get_by_label("Worksheet").select_option(label="Thought record")
    page.get_by_role("button", name="Assign", exact=True).dblclick()
    expect(page.get_by_role("status").filter(has_text="Assigned.")).to_be_visible()
    page.wait_for_timeout(1500)
    assert _count(running_app, Assignment, doctor) == 1
    # The second click's event, now handled, left the notice on screen.
    expect(page.get_by_role("status").filter(has_text="Assigned.")).to_be_visible()
    context.close()


def test_a_double_tap_on_approve_never_approves_the_request_that_slides_under_it(
    browser: Browser, running_app: RunningApp
) -> None:
    """The approved request leaves the waiting list at once and the next one takes its
    place: a second tap a moment later (a person's double tap, after the page changed)
    lands on the next request's Approve. Within a second it must do nothing."""
    from betterjournal.core import access
    from betterjournal.models import AccessRequest, AccessStatus

    suffix = uuid.uuid4().hex[:8]
    first, second = f"first-{suffix}@example.ca", f"second-{suffix}@example.ca"
    with running_app.core(), session_scope() as session:
        for email in (first, second):
            fields = {"name": f"Request {email}", "email": email, "role": "client"}
            access.request_access(session, fields=fields, address=f"10.9.{suffix}", language="en")
    admin_email = f"admin-twice-{suffix}@betterjournal.example"
    running_app.create_user("admin", admin_email, "Ada Twice", PASSWORD)
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-CA")
    phone = Tab(context.new_page(), running_app)
    sign_in(phone, admin_email, PASSWORD)
    page = phone.page
    requests = page.get_by_role("list", name="Requests").get_by_role("listitem")
    requests.filter(has_text=first).get_by_role("button", name="Approve").click()
    expect(requests.filter(has_text=first)).to_have_count(0)  # gone from the waiting list
    requests.filter(has_text=second).get_by_role("button", name="Approve").click()  # at once
    page.wait_for_timeout(1500)
    with running_app.core(), session_scope() as session:
        status = {
            r.email: r.status
            for r in session.exec(select(AccessRequest).where(col(AccessRequest.email).in_([first, second])))
        }
    assert status == {first: AccessStatus.APPROVED, second: AccessStatus.PENDING}
    # A second later, a tap is a choice again.
    requests.filter(has_text=second).get_by_role("button", name="Approve").click()
    expect(requests.filter(has_text=second)).to_have_count(0)
    context.close()


def test_a_double_tap_on_add_adds_once_and_says_nothing_went_wrong(
    browser: Browser, running_app: RunningApp
) -> None:
    """The form empties once its line or tag is added: the second tap of a double tap would
    send the empty field and show "can't be empty" after a success. A second line or tag
    typed at once after the first is added too (a throttle on the form lost it, and its words,
    as the form emptied); a tag's name the client already has chooses that tag."""
    _doctor, client, _ids = linked_pair(running_app, "Add", "Alex")
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-CA", has_touch=True)
    phone = Tab(context.new_page(), running_app)
    sign_in(phone, client, PASSWORD)
    page = phone.page

    phone.goto(routes.PREPARE)
    bring = page.get_by_role("region", name="What I want to bring")
    bring.get_by_label("Add a line").fill("Sleep since the new shift")
    bring.get_by_role("button", name="Add to agenda").dblclick()
    expect(page.get_by_role("status").filter(has_text="Added to your agenda.")).to_be_visible()
    bring.get_by_label("Add a line").fill("Work stress")  # at once, within the second
    bring.get_by_label("Add a line").press("Enter")
    lines = bring.get_by_role("list", name="Your agenda").get_by_role("listitem")
    expect(lines.filter(has_text="Work stress")).to_have_count(1)
    page.wait_for_timeout(1500)  # the second tap's event would have landed by now
    expect(lines).to_have_count(2)
    expect(page.get_by_text("can't be empty")).to_have_count(0)

    page.get_by_role("navigation").get_by_role("link", name="Check in").click()
    expect(page.get_by_role("radiogroup", name="Mood")).to_be_visible()
    page.get_by_text("More (optional)").click()
    page.get_by_label("New tag").fill("walk")
    page.get_by_role("button", name="Add tag").dblclick()
    expect(page.get_by_role("status").filter(has_text="Tag added to this check-in.")).to_be_visible()
    page.get_by_label("New tag").fill("sleep")  # at once
    page.get_by_label("New tag").press("Enter")
    tags = page.get_by_role("group", name="Tags")
    expect(tags.get_by_role("button", name="sleep")).to_have_attribute("aria-pressed", "true")
    page.wait_for_timeout(1500)
    expect(page.get_by_text("can't be empty")).to_have_count(0)
    page.get_by_label("New tag").fill("Walk")
    page.get_by_role("button", name="Add tag").click()
    expect(page.get_by_role("status").filter(has_text="You already have this tag.")).to_be_visible()
    expect(tags.get_by_role("button")).to_have_count(2)  # walk and sleep, each once
    context.close()


def test_a_double_tap_on_share_several_shares_once_and_says_nothing_went_wrong(
    browser: Browser, running_app: RunningApp
) -> None:
    """Sharing the chosen check-ins empties the choice: the second tap of a double tap found
    nothing chosen and showed "Choose at least one…" under the first tap's success (a new
    user's walk-through: they took it for a failure)."""
    from betterjournal.core import checkins, items
    from betterjournal.models import utcnow

    _doctor, client, ids = linked_pair(running_app, "Bulk", "Sam")
    with running_app.core(), session_scope() as session:
        for hours in (2, 26, 50):
            values = {"felt_at": (utcnow() - timedelta(hours=hours)).isoformat(), "mood": 6}
            items.save(session, owner_id=ids[client], kind=checkins.KIND, item_id=uuid.uuid4(), values=values)
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-CA", has_touch=True)
    phone = Tab(context.new_page(), running_app)
    sign_in(phone, client, PASSWORD)
    page = phone.page
    phone.goto(routes.CHECK_INS)
    page.get_by_role("button", name="Choose the last 7 days").click()
    expect(page.get_by_text("Chosen: 3")).to_be_visible()
    page.get_by_role("button", name="Share with Dr. Bulk").dblclick()
    said = page.get_by_role("status").filter(has_text="3 check-ins shared with Dr. Bulk.")
    expect(said).to_be_visible()
    page.wait_for_timeout(1500)  # the second tap's event would have landed by now
    expect(said).to_be_visible()
    expect(page.get_by_text("Choose at least one")).to_have_count(0)
    context.close()


def test_a_double_tap_on_save_check_in_saves_one_and_says_so(
    browser: Browser, running_app: RunningApp
) -> None:
    """A walk-through double-tapped "Save check-in": the charts came, but no "Check-in saved."
    and the address still said /check-in."""
    from betterjournal.models import ClientItem

    _doctor, client, ids = linked_pair(running_app, "Twotap", "Kim")
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-CA", has_touch=True)
    phone = Tab(context.new_page(), running_app)
    sign_in(phone, client, PASSWORD)
    page = phone.page
    page.get_by_role("navigation").get_by_role("link", name="Check in").click()
    page.get_by_role("radiogroup", name="Mood").get_by_role("radio", name="7", exact=True).click()
    page.get_by_role("button", name="Save check-in").dblclick()
    expect(page.get_by_role("status").filter(has_text="Check-in saved.")).to_be_visible()
    page.wait_for_timeout(1500)  # the second tap's event would have landed by now
    expect(page.get_by_role("status").filter(has_text="Check-in saved.")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/check-ins$"))
    with running_app.core(), session_scope() as session:
        owned = session.exec(
            select(func.count()).select_from(ClientItem).where(ClientItem.owner_id == ids[client])
        ).one()
    assert owned == 1
    context.close()


def test_a_double_tap_on_return_returns_once_and_says_so(browser: Browser, running_app: RunningApp) -> None:
    """A walk-through double-tapped "Return to my clinician": Homework came, with no word of
    the return (the second tap reached the server around the next page's load, and took the
    notice away). The button takes one tap a second; the notice stays (8 runs of 8)."""
    from datetime import date

    from betterjournal.core import homework

    doctor, client, ids = linked_pair(running_app, "Retwice", "Robin")
    with running_app.core(), session_scope() as session:
        homework.assign(
            session,
            clinician_id=ids[doctor],
            client_id=ids[client],
            template="prompt",
            questions=["What helped this week?"],
            today=date.today(),
        )
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-CA", has_touch=True)
    phone = Tab(context.new_page(), running_app)
    sign_in(phone, client, PASSWORD)
    page = phone.page
    page.get_by_role("navigation").get_by_role("link", name="Homework").click()
    page.get_by_role("link").filter(has_text="Journaling prompt").first.click()
    page.get_by_label("Answer", exact=True).fill("A walk by the river.")
    expect(page.get_by_role("status").filter(has_text="Draft saved")).to_be_visible()
    page.get_by_role("button", name="Return to my clinician").dblclick()
    returned = page.get_by_role("status").filter(has_text="Returned to Dr. Retwice.")
    expect(returned).to_be_visible()
    page.wait_for_timeout(1500)  # the second tap's event would have landed by now
    expect(returned).to_be_visible()
    expect(page).to_have_url(re.compile(r"/homework$"))
    context.close()

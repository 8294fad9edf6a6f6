"""Keyboard only: a client signs in, writes an entry, saves it, shares it with their
clinician, and checks in, with Tab, Shift+Tab, Enter, Space and the arrow keys, never the
mouse. After every key the focus is on something (never lost to the page itself), and
Tab always moves on (never trapped)."""

from __future__ import annotations

import re
import uuid
from urllib.parse import urlsplit

import pytest
from appserver import RunningApp
from people import PASSWORD, sign_in
from playwright.sync_api import Page, expect
from sqlmodel import select
from unit_support import link

from betterjournal.db import session_scope
from betterjournal.models import User

pytestmark = pytest.mark.e2e

# What has the focus, as a person hears it: its role and its accessible name.
FOCUSED = """() => {
    const el = document.activeElement;
    if (!el || el === document.body || el === document.documentElement) return 'BODY';
    const labelled = el.getAttribute('aria-labelledby');
    const name = el.getAttribute('aria-label')
        || (labelled && labelled.split(' ').map(id => document.getElementById(id)?.textContent).join(' '))
        || (el.labels && el.labels.length ? el.labels[0].textContent : '')
        || el.textContent || '';
    const role = el.getAttribute('role') || el.tagName.toLowerCase();
    return `${role}: ${name.replace(/\\s+/g, ' ').trim()}`;
}"""


class Keyboard:
    """One person's keyboard on one page, checking the focus after every key."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.moves = 0

    def focused(self) -> str:
        return self.page.evaluate(FOCUSED)

    def press(self, key: str) -> str:
        """A key that acts (Enter, Space, an arrow): once the page has answered (a notice,
        another page), the focus is on something."""
        self.page.keyboard.press(key)
        self.moves += 1
        return self.settled(f"after {key} (move {self.moves})")

    def tab_to(self, wanted: str, *, back: bool = False, most: int = 40) -> list[str]:
        """Tab (or Shift+Tab) until the focus is on `wanted` ("role: name" starts with it);
        the stops on the way. Past the first or last control the focus leaves the page for
        the browser's own controls, once, as it should; the next Tab comes back (nothing
        traps it)."""
        seen: list[str] = []
        for _ in range(most):
            self.page.keyboard.press("Shift+Tab" if back else "Tab")
            self.moves += 1
            now = self.focused()
            assert not (now == "BODY" and seen[-1:] == ["BODY"]), f"Tab went nowhere: {seen}"
            if now.startswith(wanted):
                self.assert_ring()
                return seen
            seen.append(now)
        raise AssertionError(f"{wanted!r} never got the focus; Tab went through {seen}")

    def assert_ring(self) -> None:
        """What has the focus shows it: a solid outline at least 2 px wide."""
        style, width = self.page.evaluate(
            "() => { const s = getComputedStyle(document.activeElement); "
            "return [s.outlineStyle, parseFloat(s.outlineWidth)]; }"
        )
        assert style != "none" and width >= 2, f"{self.focused()}: no visible focus ({style} {width}px)"

    def settled(self, when: str = "") -> str:
        """The focus once a page has answered an action (a save that opens another page)."""
        self.page.wait_for_load_state("networkidle")
        self.page.wait_for_timeout(500)
        now = self.focused()
        assert now != "BODY", f"the focus was lost {when}"
        return now


@pytest.fixture(scope="module")
def linked_client(running_app: RunningApp) -> tuple[str, str]:
    suffix = uuid.uuid4().hex[:8]
    email, clinician_email = f"keys-{suffix}@example.ca", f"keys-dr-{suffix}@clinic.example"
    running_app.create_user("client", email, "Jordan", PASSWORD)
    running_app.create_user("clinician", clinician_email, "Dr. Okafor", PASSWORD)
    with running_app.core(), session_scope() as session:
        client = session.exec(select(User).where(User.email == email)).one()
        clinician = session.exec(select(User).where(User.email == clinician_email)).one()
        link(session, client_id=client.id, clinician_id=clinician.id)
    return email, "Dr. Okafor"


def test_write_save_share_and_check_in_with_the_keyboard_only(open_phone, running_app, linked_client) -> None:
    email, clinician = linked_client
    title = running_app.marker("keyboard-title")
    person = open_phone()
    page = person.page
    keys = Keyboard(page)

    # Sign in: Tab to each field, type, Enter.
    person.goto("/signin")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    keys.tab_to("input: Email")
    page.keyboard.type(email)
    keys.tab_to("input: Password")
    page.keyboard.type(PASSWORD)
    with page.expect_navigation():  # the sign-in form posts to the server (a new document)
        page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Your journal")).to_be_visible()

    # Shift+Tab from the top reaches the tab bar at the bottom (Tab wraps, nothing traps it).
    keys.tab_to("a: Write", back=True, most=80)
    keys.press("Enter")
    expect(page.get_by_role("heading", name="New entry")).to_be_visible()
    assert keys.settled() == "textarea: Your entry"  # the editor is ready to type in

    # Write, then save with Enter on the button.
    keys.tab_to("input: Title (optional)", back=True)
    page.keyboard.type(title)
    keys.tab_to("textarea: Your entry")
    page.keyboard.type("Written without a mouse.\nA second line.")
    expect(page.get_by_text("Draft saved")).to_be_visible()
    keys.tab_to("button: Save entry")
    keys.press("Enter")
    expect(page.get_by_text("Entry saved. It is private until you share it.")).to_be_visible()
    expect(page.get_by_role("heading", name=title)).to_be_visible()
    keys.settled()

    # Share it: Tab to its switch, Space.
    switch = page.get_by_role("switch", name=f"Share with {clinician}")
    expect(switch).not_to_be_checked()
    keys.tab_to(f"switch: Share with {clinician}")
    keys.press("Space")
    expect(page.get_by_role("status").filter(has_text=f"Shared with {clinician} on")).to_be_visible()
    expect(page.get_by_role("switch", name=f"Share with {clinician}")).to_be_checked()
    keys.settled()

    # Check in: the tab bar, a mood (a radio group: one Tab stop, the arrows choose), save.
    keys.tab_to("a: Check in")
    keys.press("Enter")
    expect(page.get_by_role("heading", name="Check in")).to_be_visible()
    keys.settled()
    keys.tab_to("radio: 0")  # the mood's Tab stop: its first choice while none is chosen
    mood = page.get_by_role("radiogroup", name="Mood")
    for _ in range(7):
        keys.press("ArrowRight")
    expect(mood.get_by_role("radio", name="7", exact=True)).to_be_checked()
    assert keys.focused() == "radio: 7"
    keys.press("ArrowLeft")
    expect(mood.get_by_role("radio", name="6", exact=True)).to_be_checked()
    keys.press("ArrowDown")  # the choice moves, not the page
    expect(mood.get_by_role("radio", name="7", exact=True)).to_be_checked()
    keys.press("End")
    expect(mood.get_by_role("radio", name="10", exact=True)).to_be_checked()
    keys.press("ArrowRight")  # past the last: round to the first
    expect(mood.get_by_role("radio", name="0", exact=True)).to_be_checked()
    keys.press("Home")  # already there: still chosen
    expect(mood.get_by_role("radio", name="0", exact=True)).to_be_checked()
    for _ in range(4):
        keys.press("ArrowLeft")
    expect(mood.get_by_role("radio", name="7", exact=True)).to_be_checked()
    on_the_way = keys.tab_to("button: Save check-in")
    # One Tab stop per scale: the others' first choice (none chosen there), never 8, 9, 10.
    assert {stop for stop in on_the_way if stop.startswith("radio:")} <= {"radio: 0"}, on_the_way
    keys.press("Enter")
    expect(page.get_by_role("heading", name="Your check-ins")).to_be_visible()
    keys.settled()
    expect(page.get_by_role("main").get_by_role("link").filter(has_text="7").first).to_be_visible()

    # The journal says the entry is shared.
    person.goto("/journal")
    expect(page.get_by_role("link").filter(has_text=title)).to_contain_text(f"Shared with {clinician}")


@pytest.mark.parametrize("text_size", [16, 32], ids=["100%", "200%"])
def test_what_has_the_focus_is_never_under_the_tab_bar(open_phone, running_app, text_size: int) -> None:
    """WCAG 2.4.11: Tab through the check-in (its "More" open) and along a 0–10 scale with
    the arrows; each control with the focus is in view above the tab bar fixed at the
    bottom of the phone (at 200 % text, the chosen 7 sat under it: a walk-through)."""
    email = f"keys-bar-{uuid.uuid4().hex[:8]}@example.ca"
    running_app.create_user("client", email, "Sam", PASSWORD)
    person = open_phone()
    page = person.page
    sign_in(person, email, PASSWORD)
    page.context.new_cdp_session(page).send("Page.setFontSizes", {"fontSizes": {"standard": text_size}})
    person.goto("/check-in")
    page.get_by_text("More (optional)").click()
    under = """() => {
        const el = document.activeElement, bar = document.querySelector('.bj-tab-bar');
        if (!el || bar.contains(el) || el === document.body) return null;
        const box = el.getBoundingClientRect(), top = bar.getBoundingClientRect().top;
        return box.bottom > top + 1 ? `${el.outerHTML.slice(0, 80)}: ${box.bottom} > ${top}` : null;
    }"""
    keys = Keyboard(page)
    hidden = []
    page.locator("main h1").first.focus()
    for _ in range(30):
        page.keyboard.press("Tab")
        hidden.append(page.evaluate(under))
    keys.tab_to("radio: 0", back=True, most=60)  # the last 0–10 scale, lowest on the page
    for _ in range(5):
        page.keyboard.press("ArrowRight")
        hidden.append(page.evaluate(under))
    assert [spot for spot in hidden if spot] == []


def _journal(open_phone, linked_client: tuple[str, str]) -> Page:
    """The linked client's journal, signed in on a phone."""
    email, _clinician = linked_client
    person = open_phone()
    sign_in(person, email, PASSWORD)
    person.goto("/journal")
    expect(person.page.get_by_role("heading", name="Your journal")).to_be_visible()
    return person.page


def test_the_first_tab_offers_to_skip_to_the_pages_content(open_phone, running_app, linked_client) -> None:
    """WCAG 2.4.1: the first Tab on a page shows "Skip to content"; Enter on it moves the
    focus to the page's heading (past the header), and the next Tab to a control of the
    page itself, on the same page."""
    page = _journal(open_phone, linked_client)
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).not_to_be_in_viewport()  # out of sight until Tab reaches it
    keys = Keyboard(page)
    page.evaluate("() => document.activeElement?.blur()")
    keys.tab_to("a: Skip to content", most=3)
    expect(skip).to_be_in_viewport()
    assert keys.press("Enter") == "h1: Your journal"
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.querySelector('main').contains(document.activeElement)")
    assert urlsplit(page.url)[2:] == ("/journal", "", "")  # the same page, no "#" added
    expect(page.get_by_role("heading", name="Your journal")).to_be_visible()


def test_a_question_before_an_action_keeps_the_focus_and_gives_it_back(
    open_phone, running_app, linked_client
) -> None:
    """The question before "Sign out on all devices" (the browser's own modal dialog, as
    every such question: components/inputs.py `ask_first`): Enter on the button opens it
    with the focus on the way out ("Stay signed in"); Tab goes round its own buttons and
    never reaches the page behind; Escape closes it and gives the focus back to the button;
    nothing happened."""
    page = _journal(open_phone, linked_client)
    keys = Keyboard(page)
    page.get_by_role("button", name="Sign out on all devices").focus()
    assert keys.press("Enter") == "button: Stay signed in"
    question = page.get_by_role("alertdialog", name="Sign out on all devices?")
    expect(question).to_be_visible()
    expect(question).to_have_accessible_description(re.compile("Every phone and computer"))
    stops = set()
    for _ in range(4):
        page.keyboard.press("Tab")
        stops.add(keys.focused())
    assert stops <= {"button: Stay signed in", "button: Sign out on all devices", "BODY"}, stops
    assert "button: Sign out on all devices" in stops  # the way ahead is reachable too
    keys.assert_ring()
    assert keys.press("Escape") == "button: Sign out on all devices"
    expect(question).to_be_hidden()
    assert page.evaluate("() => !document.querySelector('main').inert")  # the page answers again
    expect(page.get_by_role("heading", name="Your journal")).to_be_visible()  # still signed in


def test_a_line_moved_on_the_agenda_keeps_the_focus_and_is_said(
    open_phone, running_app, linked_client
) -> None:
    """Found in a walk-through: after "Move down" with Enter the focus stayed in place, on
    the button of the line that took its place, so a second Enter moved that one back. Now
    the focus moves with the line, each move is said, and three Enters take the first line
    of three to the bottom (where its "Move down" can't act: the focus goes to the notice)."""
    page = _journal(open_phone, linked_client)
    page.get_by_role("navigation").get_by_role("link", name="Prepare").click()
    bring = page.get_by_role("region", name="What I want to bring")
    words = [f"{word} {uuid.uuid4().hex[:6]}" for word in ("sleep", "my sister", "work")]
    agenda = bring.get_by_role("list", name="Your agenda")
    for added, line in enumerate(words, start=1):
        bring.get_by_label("Add a line").fill(line)
        bring.get_by_role("button", name="Add to agenda").click()
        # Each line on the list before the next (the last add's notice is still on screen:
        # a CI run moved the first line while the third was on its way, "2 of 2").
        expect(agenda.get_by_role("listitem")).to_have_count(added)
        expect(page.get_by_role("status").filter(has_text="Added to your agenda.")).to_be_visible()
    keys = Keyboard(page)
    agenda.get_by_role("button", name=f"Move down: {words[0]}").focus()
    assert keys.press("Enter") == f"button: Move down: {words[0]}"
    expect(page.get_by_role("status")).to_have_text(f"Moved to 2 of 3: {words[0]}")
    expect(agenda.get_by_role("listitem").nth(1)).to_contain_text(words[0])
    keys.press("Enter")
    expect(agenda.get_by_role("listitem").nth(2)).to_contain_text(words[0])
    expect(page.get_by_role("status")).to_have_text(f"Moved to 3 of 3: {words[0]}")
    assert keys.settled().startswith("status")  # at the bottom: what happened, not the page's top
    expect(agenda.get_by_role("listitem").nth(0)).to_contain_text(words[1])

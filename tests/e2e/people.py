"""How the browser tests' people get in, as a person does: sign in (with the code from
their authenticator when they have one), register, and confirm their address from the
email that reached the suite's SMTP server."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import two_step
from appserver import RunningApp
from playwright.sync_api import expect
from smtp_mailbox import link_in

PASSWORD = "correct horse battery staple"

WORDS = {
    False: {
        "email": "Email",
        "password": "Password",
        "sign_in": "Sign in",
        "code_heading": "Two-step sign-in",
        "code": "Code",
        "continue": "Continue",
        "confirm": "Confirm my email address",
        "confirmed": "Your email address is confirmed.",
        "registered": "Check your email",
    },
    True: {
        "email": "Courriel",
        "password": "Mot de passe",
        "sign_in": "Se connecter",
        "code_heading": "Connexion en deux étapes",
        "code": "Code",
        "continue": "Continuer",
        "confirm": "Confirmer mon adresse courriel",
        "confirmed": "Votre adresse courriel est confirmée.",
        "registered": "Vérifiez vos courriels",
    },
}


def assert_fits_the_screen(page: Any, where: str = "") -> None:
    """Nothing scrolls sideways: the page is no wider than the screen. (Not than
    `innerWidth`: a phone zooms out to show a page too wide, and `innerWidth` grows with it,
    so a check against it passes whatever the page does.)"""
    size = page.viewport_size
    assert size is not None
    width = page.evaluate("() => document.scrollingElement.scrollWidth")
    screen = size["width"]
    assert width <= screen, f"{where or page.url}: the page is {width} px wide on a {screen} px screen"


# A websocket that sends nothing once `window.__silence` is set: a connection that died
# silently, for what a closing tab must deliver another way.
SILENCEABLE_WEBSOCKET = """
  const send = WebSocket.prototype.send;
  WebSocket.prototype.send = function (data) {
    if (!window.__silence) {
      send.call(this, data);
    }
  };
"""


def cut_words(page: Any, within: str = "main") -> list[str]:
    """Ordinary words (up to 12 letters) cut across two lines though they would fit on a line
    of the page: a box squeezed narrower than its words, which `overflow-wrap: anywhere` then
    cuts mid-word ("Exhaus/ted"). (A heading's one long word in a 320-px window at 200 % may
    be wider than the page itself: that one has to be cut.)"""
    return page.evaluate(
        """(within) => {
            const out = [];
            const main = document.querySelector('main');
            const scope = document.querySelector(within);
            const style = getComputedStyle(main);
            const room = main.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
            const walker = document.createTreeWalker(scope, NodeFilter.SHOW_TEXT);
            for (let node; (node = walker.nextNode()); ) {
                if (!node.parentElement.checkVisibility()) continue;
                for (const word of node.data.matchAll(/[^\\s\\-\u2010-\u2014/]+/g)) {
                    if (word[0].length > 12) continue;  // a long code or name may need cutting
                    const range = document.createRange();
                    range.setStart(node, word.index);
                    range.setEnd(node, word.index + word[0].length);
                    const boxes = [...range.getClientRects()].filter(box => box.width > 0);
                    const lines = new Set(boxes.map(box => Math.round(box.top)));
                    const wide = boxes.reduce((sum, box) => sum + box.width, 0);
                    if (lines.size > 1 && wide <= room)  // it would fit on a line of the page
                        out.push(`"${word[0]}" is cut across lines in "${node.data.slice(0, 60)}"`);
                }
            }
            return out;
        }""",
        within,
    )


def wait_until_ready(page) -> None:
    """Until React has taken over the prerendered page (`<html data-hydrated>`): before
    that, a tap on a button that needs a script does nothing, so a test tapping early would
    fail now and then."""
    page.locator("html[data-hydrated='true']").wait_for(state="attached")  # no eval: the CSP forbids it


def type_and_close_with_a_dead_websocket(page, address: str, label: str, words: str) -> None:
    """Another tab of `page`'s browser opens `address`, types `words` at the end of the field
    labelled `label` and is closed 300 ms after the last key, its websocket dead without a
    word (a phone that changed networks): only the beacon the page hands them to keeps them."""
    page.context.add_init_script(SILENCEABLE_WEBSOCKET)
    closing = page.context.new_page()
    closing.goto(address)
    wait_until_ready(closing)
    closing.get_by_label(label).press("Control+End")
    closing.keyboard.type(words)
    closing.evaluate("window.__silence = true")
    closing.wait_for_timeout(300)
    closing.close(run_before_unload=True)


def draw_every_chart(page) -> None:
    """A chart is drawn once its place nears the screen (assets/draw_later.jsx): bring each
    chart on the page into view until Plotly has drawn it, then go back to the top."""
    boxes = page.locator(".bj-chart")
    count = boxes.count()
    for index in range(count):
        boxes.nth(index).scroll_into_view_if_needed()
        boxes.nth(index).locator(".main-svg").first.wait_for(state="attached")
    if count:
        page.evaluate("() => window.scrollTo(0, 0)")


# The browser's print dialog stood in for: each time the page asks for it, whether each
# chart's place held a drawn chart then (`add_init_script` it before the page loads).
PRINT_DIALOG = """
window.__printed = [];
window.print = () => window.__printed.push(
    [...document.querySelectorAll('.bj-chart')].map((place) => place.querySelector('.main-svg') !== null));
"""


def print_from_the_page(page, button_name: str) -> list[bool]:
    """Tap the page's print button (e.g. "Print / save as PDF"); once the page has opened
    the print dialog (PRINT_DIALOG), whether each chart was drawn then."""
    page.get_by_role("button", name=button_name).click()
    # Asked from here, not polled in the page: Playwright's polling evaluates its predicate
    # as a string, which the app's CSP refuses (no 'unsafe-eval') once it has to poll.
    deadline = time.monotonic() + 20
    while not page.evaluate("window.__printed.length"):
        assert time.monotonic() < deadline, "the page never opened the print dialog"
        page.wait_for_timeout(100)
    return page.evaluate("window.__printed[0]")


@dataclass
class Tab:
    """Any browser tab (a phone's, a clinician's laptop's): enough of a person for
    `sign_in`."""

    page: Any
    app: Any

    def goto(self, path: str) -> None:
        self.page.goto(self.app.url + path)
        wait_until_ready(self.page)


def sign_in(person, email: str, password: str = PASSWORD, *, french: bool = False) -> None:
    """The sign-in form, then the two-step code page for a person with an authenticator."""
    words = WORDS[french]
    page = person.page
    if urlsplit(page.url).path.rstrip("/") != "/signin":
        person.goto("/signin")
    page.get_by_label(words["email"]).fill(email)
    page.get_by_label(words["password"]).fill(password)
    with page.expect_navigation():  # the form posts: the next page (or this one again) loads anew
        page.get_by_role("button", name=words["sign_in"]).click()
    wait_until_ready(page)
    if two_step.has_authenticator(email):
        enter_code(person, two_step.next_code(email), french=french)


def enter_code(person, code: str, *, french: bool = False) -> None:
    words = WORDS[french]
    page = person.page
    expect(page.get_by_role("heading", name=words["code_heading"])).to_be_visible()
    page.get_by_label(words["code"], exact=True).fill(code)
    page.get_by_role("button", name=words["continue"]).click()
    expect(page.get_by_role("heading", name=words["code_heading"])).not_to_be_visible()


def confirm_email(person, email: str, *, french: bool = False) -> None:
    """Open the confirmation link from the email that reached the suite's SMTP server."""
    words = WORDS[french]
    message = person.app.mailbox.wait_for(email)
    person.page.goto(link_in(message, "/confirm"))
    person.page.get_by_role("button", name=words["confirm"]).click()
    expect(person.page.get_by_role("status").filter(has_text=words["confirmed"])).to_be_visible()


def register(
    person, code: str, name: str, email: str, password: str = PASSWORD, *, confirm: bool = True
) -> None:
    """Create an account with an invitation code, then (by default) confirm the address."""
    page = person.page
    person.goto("/register")
    page.get_by_label("Invitation code").fill(code)
    page.get_by_label("Your name").fill(name)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("status").filter(has_text=WORDS[False]["registered"])).to_be_visible()
    if confirm:
        confirm_email(person, email)


def linked_pair(app: RunningApp, name: str, client_name: str) -> tuple[str, str, dict[str, uuid.UUID]]:
    """A clinician (Dr. `name`) and a client linked to them: their emails, and ids by email."""
    from sqlmodel import col, select
    from unit_support import link

    from betterjournal.db import session_scope
    from betterjournal.models import User

    suffix = uuid.uuid4().hex[:8]
    doctor, client = f"{name.lower()}-dr-{suffix}@clinic.example", f"{name.lower()}-{suffix}@example.ca"
    app.create_user("clinician", doctor, f"Dr. {name}", PASSWORD)
    app.create_user("client", client, client_name, PASSWORD)
    with app.core(), session_scope() as session:
        ids = {u.email: u.id for u in session.exec(select(User).where(col(User.email).in_([doctor, client])))}
        link(session, client_id=ids[client], clinician_id=ids[doctor])
    return doctor, client, ids

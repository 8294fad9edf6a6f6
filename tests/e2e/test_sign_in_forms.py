"""The sign-in and registration forms as a person meets them: what was typed comes back
after an error (never the password), the password can be shown, and a deep link opened
while signed out is where the person lands once signed in, two-step code included."""

from __future__ import annotations

import re
import time
import uuid

import two_step
from people import PASSWORD, sign_in
from playwright.sync_api import expect
from pyotp.totp import TOTP

from betterjournal.state.base import PUBLIC_PAGE_PROBLEMS


def test_a_wrong_password_keeps_the_email_and_the_password_can_be_shown(open_phone, running_app) -> None:
    email = f"typed-{uuid.uuid4().hex[:8]}@example.com"
    running_app.create_user("client", email, "Typed Client", PASSWORD)
    phone = open_phone()
    page = phone.page
    phone.goto("/signin")
    password = page.get_by_label("Password", exact=True)
    page.get_by_label("Email").fill(email)
    password.fill("not the right one")

    page.get_by_role("button", name="Show password").click()
    expect(password).to_have_attribute("type", "text")
    page.get_by_role("button", name="Hide password").click()
    expect(password).to_have_attribute("type", "password")

    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("alert").filter(has_text=PUBLIC_PAGE_PROBLEMS["signin"])).to_be_visible()
    expect(page.get_by_label("Email")).to_have_value(email)
    expect(password).to_have_value("")
    # Its hint is its description, read with it (a walk-through: hints were only beside).
    expect(password).to_have_accessible_description(
        "Type your password again: for your safety, it is never kept."
    )
    # The page came back from the server: the focus is where the problem is (it was lost
    # to the top of the document, and a screen reader said only the page's name).
    expect(password).to_be_focused()
    # Kept only across that one trip: nothing stays in the tab's storage.
    assert email not in page.evaluate("JSON.stringify(sessionStorage)")

    password.fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("heading", name="Your journal")).to_be_visible()


def test_show_password_waits_for_the_page_to_be_ready_rather_than_ignore_a_tap(browser, running_app) -> None:
    """The sign-in page is prerendered: until its scripts have run, the button is disabled
    (a tap on it would otherwise do nothing, and the password stay hidden)."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, locale="en-CA")
    try:
        page = context.new_page()
        page.route(re.compile(r"\.m?js(\?.*)?$"), lambda route: route.abort())
        page.goto(running_app.url + "/signin")
        expect(page.get_by_label("Password", exact=True)).to_be_visible()
        expect(page.get_by_role("button", name="Show password")).to_be_disabled()
    finally:
        context.close()


def test_a_refused_registration_keeps_the_code_name_and_email(open_phone) -> None:
    phone = open_phone()
    page = phone.page
    phone.goto("/register")
    expect(page.get_by_label("Password", exact=True)).to_have_accessible_description(
        "At least 12 characters. A few unrelated words work well."
    )
    code = "ABCD-EFGH-JKLM-NPQR-STUV-WXYZ-2345"
    page.get_by_label("Invitation code").fill(code)
    page.get_by_label("Your name").fill("Kept Name")
    page.get_by_label("Email").fill("kept@example.com")
    page.get_by_label("Password", exact=True).fill("password1234")
    page.get_by_role("button", name="Create account").click()

    expect(page.get_by_role("alert").filter(has_text=PUBLIC_PAGE_PROBLEMS["details"])).to_be_visible()
    expect(page.get_by_label("Invitation code")).to_have_value(code)
    expect(page.get_by_label("Your name")).to_have_value("Kept Name")
    expect(page.get_by_label("Email")).to_have_value("kept@example.com")
    expect(page.get_by_label("Password", exact=True)).to_have_value("")
    expect(page.get_by_label("Password", exact=True)).to_be_focused()


def test_a_deep_link_opened_signed_out_is_where_the_client_lands(open_phone, running_app) -> None:
    email = f"deep-{uuid.uuid4().hex[:8]}@example.com"
    running_app.create_user("client", email, "Deep Client", PASSWORD)
    phone = open_phone()
    phone.goto("/care-team")
    expect(phone.page.get_by_role("heading", name="Sign in")).to_be_visible()
    assert "next=%2Fcare-team" in phone.page.url
    sign_in(phone, email)
    expect(phone.page.get_by_role("heading", name="Care team")).to_be_visible()
    assert phone.page.url.rstrip("/").endswith("/care-team")


def test_a_clinicians_deep_link_survives_the_two_step_code(open_phone, running_app) -> None:
    email = f"deep-doc-{uuid.uuid4().hex[:8]}@clinic.example"
    running_app.create_user("clinician", email, "Dr. Deep", PASSWORD)
    phone = open_phone()
    page = phone.page
    phone.goto("/worksheets")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    # The code page's one field has the cursor: the code is typed at once (a keyboard user
    # had to Tab three times to reach it).
    expect(page.get_by_label("Code", exact=True)).to_be_focused()
    page.keyboard.type(two_step.next_code(email))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Your worksheets")).to_be_visible()


def test_a_sign_in_left_at_its_second_step_can_be_ended_by_signing_out(open_phone, running_app) -> None:
    """Setting up two-step sign-in (a clinician's first sign-in) and entering its code each
    offer a way out: signing out ends that half-done sign-in, on the server too (its cookie,
    put back, opens nothing)."""
    first_time = f"later-doc-{uuid.uuid4().hex[:8]}@clinic.example"
    running_app.create_user("clinician", first_time, "Dr. Later", PASSWORD, two_step=False)
    enrolled = f"other-doc-{uuid.uuid4().hex[:8]}@clinic.example"
    running_app.create_user("clinician", enrolled, "Dr. Other", PASSWORD)
    phone = open_phone()
    page = phone.page
    for email, heading in ((first_time, "Set up two-step sign-in"), (enrolled, "Two-step sign-in")):
        phone.goto("/signin")
        page.get_by_label("Email").fill(email)
        page.get_by_label("Password", exact=True).fill(PASSWORD)
        page.get_by_role("button", name="Sign in", exact=True).click()
        expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
        half_done = [cookie for cookie in page.context.cookies() if cookie.get("httpOnly")]
        assert half_done, "no session cookie after the password"
        expect(page.get_by_text("Not now?")).to_be_visible()
        page.get_by_role("button", name="Sign out").click()
        expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
        page.context.add_cookies(half_done)  # type: ignore[arg-type]
        for path in ("/two-step", "/signin/code"):
            phone.goto(path)
            expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


def test_a_link_to_another_site_is_never_followed_after_sign_in(open_phone, running_app) -> None:
    email = f"nowhere-{uuid.uuid4().hex[:8]}@example.com"
    running_app.create_user("client", email, "Safe Client", PASSWORD)
    phone = open_phone()
    phone.goto("/signin?next=//evil.example/journal")
    sign_in(phone, email)
    expect(phone.page.get_by_role("heading", name="Your journal")).to_be_visible()
    assert phone.page.url.startswith(running_app.url)


def test_a_client_changes_their_password_on_the_security_page(open_phone, running_app) -> None:
    """The page has four forms that each ask for the password again. Before, every one's
    field had the same id, and Reflex sent the last one's (empty) value: the right current
    password was refused as wrong, every time."""
    email = f"changing-{uuid.uuid4().hex[:8]}@example.com"
    new_password = "a-new-and-longer-passphrase-7"
    running_app.create_user("client", email, "Changing Client", PASSWORD)
    phone = open_phone()
    page = phone.page
    sign_in(phone, email)
    expect(page.get_by_role("heading", name="Your journal")).to_be_visible()
    phone.goto("/settings/security")
    form = page.locator("form").filter(has=page.get_by_role("heading", name="Change your password"))
    form.get_by_label("Current password").fill(PASSWORD)
    # Too short: the browser says so beside the field, and nothing is sent.
    page.evaluate("window.addEventListener('invalid', (e) => { window.lastInvalid = e; }, true)")
    new_field = form.get_by_label("New password")
    new_field.fill("eleven-char")
    form.get_by_role("button", name="Change password").click()
    expect(new_field).to_be_focused()
    assert new_field.evaluate("(field) => field.validity.tooShort && field.validationMessage != ''")
    said = page.evaluate("window.lastInvalid.target.name + ' ' + window.lastInvalid.defaultPrevented")
    assert said == "new_password false", said  # not cancelled: the browser shows its message
    new_field.fill(new_password)
    form.get_by_role("button", name="Change password").click()
    expect(page.get_by_role("status").filter(has_text="Password changed.")).to_be_visible()
    page.get_by_role("banner").get_by_role("button", name="Sign out", exact=True).click()
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    sign_in(phone, email, new_password)
    expect(page.get_by_role("heading", name="Your journal")).to_be_visible()


def test_the_home_page_offers_sign_in_on_its_first_screen(open_phone) -> None:
    """The installed app opens on the home page once a session has ended (30 minutes idle):
    "Sign in" sat under the early-access form, a few screens down on a phone (walk-through).
    It is on the first screen, and it leads to sign-in."""
    person = open_phone()
    page = person.page
    person.goto("/")
    link = page.get_by_role("main").get_by_role("link", name="Sign in", exact=True)
    expect(link).to_be_visible()
    box = link.bounding_box()
    assert box is not None and box["y"] + box["height"] <= page.viewport_size["height"], box
    link.click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


def test_two_step_sign_in_is_set_up_on_the_phone_that_has_the_app(open_phone, running_app) -> None:
    """A phone can't scan a QR code on its own screen: a link hands the key to the
    authenticator app on it (`otpauth:`, the key the QR code and the text show). A wrong code
    says so and keeps the password that was typed; the right one turns it on."""
    email = f"phone-only-{uuid.uuid4().hex[:8]}@example.com"
    running_app.create_user("client", email, "Phone Client", PASSWORD)
    phone = open_phone()
    page = phone.page
    sign_in(phone, email)
    phone.goto("/settings/security")
    page.get_by_role("link", name="Turn on two-step sign-in").click()
    expect(page.get_by_role("heading", level=1, name="Set up two-step sign-in")).to_be_visible()
    secret = page.locator("code").first.inner_text().replace(" ", "")
    link = page.get_by_role("link", name="Is your authenticator app on this device? Add the key to it")
    expect(link).to_be_visible()
    href = link.get_attribute("href") or ""
    assert href.startswith("otpauth://totp/Betterjournal:"), href
    assert f"secret={secret}" in href and "issuer=Betterjournal" in href, href

    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_label("Code", exact=True).fill("000000")
    page.get_by_role("button", name="Turn on two-step sign-in").click()
    expect(page.get_by_role("alert").filter(has_text="That code didn't work.")).to_be_visible()
    expect(page.get_by_label("Your password")).to_have_value(PASSWORD)

    step = int(time.time()) // 30
    page.get_by_label("Code", exact=True).fill(TOTP(secret).at(step * 30))
    page.get_by_role("button", name="Turn on two-step sign-in").click()
    expect(page.get_by_role("list", name="Recovery codes").get_by_role("listitem")).to_have_count(10)
    # Back where it was turned on, which shows it on (a walk-through landed on the journal).
    page.get_by_role("button", name="I've kept my codes. Continue").click()
    expect(page.get_by_role("heading", level=1, name="Password and two-step sign-in")).to_be_visible()
    expect(page.get_by_text("Two-step sign-in is on. Recovery codes left: 10.")).to_be_visible()

    # The security page's four forms that ask for the password again are each named by their
    # heading, and two-step sign-in's own two are headed under it (a walk-through's screen
    # reader heard "Current password" four times over, with nothing to tell them apart).
    phone.goto("/settings/security")
    for name in ("Change your password", "Change your email address", "New recovery codes"):
        expect(page.get_by_role("form", name=name).get_by_label("Current password")).to_be_visible()
    turn_off = page.get_by_role("form", name="Turn off two-step sign-in")
    expect(turn_off.get_by_label("Code from your authenticator app, or a recovery code")).to_be_visible()
    expect(page.get_by_role("heading", level=2, name="Two-step sign-in")).to_be_visible()
    for name in ("New recovery codes", "Turn off two-step sign-in"):
        expect(page.get_by_role("heading", level=3, name=name)).to_be_visible()


def test_an_email_the_browser_can_tell_is_mistyped_is_said_before_anything_is_sent(open_phone) -> None:
    """The early-access form's email is an email field: a browser that can tell an address is
    mistyped says so beside it and sends nothing. Radix's form primitive, which the app's
    forms were, took that message away (it cancels the browser's `invalid` event): the
    button then did nothing that anyone could see."""
    person = open_phone()
    page = person.page
    person.goto("/")
    page.evaluate("window.addEventListener('invalid', (e) => { window.lastInvalid = e; }, true)")
    page.get_by_label("Your name").fill("Sam")
    email = page.get_by_label("Email")
    email.fill("sam.example.com")
    page.get_by_role("button", name="Request early access").click()
    expect(email).to_be_focused()
    assert email.evaluate("(field) => field.validationMessage")  # the browser's own words
    said = page.evaluate(
        "window.lastInvalid && window.lastInvalid.target.name + ' ' + window.lastInvalid.defaultPrevented"
    )
    assert said == "email false", said  # not cancelled: the browser shows its message
    page.wait_for_timeout(500)
    expect(page.get_by_text("We've received your request.")).to_have_count(0)

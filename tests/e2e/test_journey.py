"""The core promise, end to end in a real browser at phone size, against the production app.

A client registers with an invitation code, writes two entries, shares one; the
clinician sees exactly that one and reads it; the client sees it was seen; the client
makes it private again; the clinician's next action shows it as unavailable.
"""

from __future__ import annotations

import re
import uuid

import pytest
from appserver import RunningApp
from people import PASSWORD, confirm_email, register, sign_in
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

# Other browser tests import these from here: PASSWORD, REGISTERED, register, sign_in,
# write_entry (the first three from people.py, where every browser test's people get in).
__all__ = ["PASSWORD", "REGISTERED", "register", "sign_in", "write_entry"]

XSS = '<img src=x onerror="alert(1)"><script>alert(2)</script>'
REGISTERED = (
    "Thank you. Check your email: we've sent you a message. Follow its link to confirm "
    "your address, then sign in here."
)


@pytest.fixture(scope="module")
def clinician(running_app: RunningApp) -> dict[str, str]:
    email = f"rivera-{uuid.uuid4().hex[:8]}@clinic.example"
    running_app.create_user("clinician", email, "Dr. Rivera", PASSWORD)
    return {"email": email, "name": "Dr. Rivera"}


def write_entry(person, title: str, body: str) -> None:
    page = person.page
    before = page.url
    page.get_by_role("navigation").get_by_role("link", name="Write").click()
    # The new entry's own editor: tapped on Write itself, the last one stays a moment.
    page.wait_for_url(lambda url: "/journal/write?id=" in url and url != before)
    expect(page.get_by_role("heading", name="New entry")).to_be_visible()
    page.get_by_label("Title (optional)").fill(title)
    page.get_by_label("Your entry").fill(body)
    expect(page.get_by_text("Draft saved")).to_be_visible()
    page.get_by_role("button", name="Save entry").click()
    expect(page.get_by_text("Entry saved. It is private until you share it.")).to_be_visible()
    expect(page.get_by_role("heading", name=title)).to_be_visible()


def test_share_one_entry_see_it_seen_then_revoke(open_phone, running_app, clinician, watch) -> None:
    shared_title = running_app.marker("shared-title")
    shared_body = running_app.marker("shared-body") + "\nSecond line. " + XSS
    private_title = running_app.marker("private-title")
    private_body = running_app.marker("private-body")

    # The clinician makes an invitation code.
    doctor = open_phone()
    sign_in(doctor, clinician["email"])
    expect(doctor.page.get_by_role("heading", name="Clients")).to_be_visible()
    doctor.page.get_by_role("button", name="Create invitation code").click()
    code = doctor.page.get_by_label("Invitation code").inner_text(timeout=20_000)
    assert re.fullmatch(r"([A-Z0-9]{4}-){6}[A-Z0-9]{4}", code), code

    # The client registers with it, signs in, sees who invited them, and accepts.
    client = open_phone()
    sam = f"sam-{uuid.uuid4().hex[:8]}@example.ca"
    register(client, code, "Sam Client", sam, confirm=False)
    expect(client.page.get_by_role("status").filter(has_text=REGISTERED)).to_be_visible()
    confirm_email(client, sam)
    sign_in(client, sam)
    expect(client.page.get_by_role("heading", name="Invitation from Dr. Rivera")).to_be_visible()
    client.page.get_by_role("button", name="Accept").click()
    expect(
        client.page.get_by_role("status").filter(has_text="You're connected with Dr. Rivera")
    ).to_be_visible()
    # On the clinician's open page, the client appears at once and the used code is gone
    # (a walk-through found it still there, with its Copy button, to be handed out again).
    expect(doctor.page.get_by_role("link").filter(has_text="Sam Client")).to_be_visible()
    expect(doctor.page.get_by_label("Invitation code")).to_have_count(0)
    expect(doctor.page.get_by_role("button", name="Copy code")).to_have_count(0)

    # Two entries; both private by default.
    write_entry(client, shared_title, shared_body)
    switch = client.page.get_by_role("switch", name="Share with Dr. Rivera")
    expect(switch).not_to_be_checked()
    write_entry(client, private_title, private_body)
    client.page.get_by_role("navigation").get_by_role("link", name="Journal").click()
    expect(client.page.get_by_role("link").filter(has_text=private_title)).to_contain_text("Private")

    # Share the first one.
    client.page.get_by_role("link").filter(has_text=shared_title).click()
    client.page.get_by_role("switch", name="Share with Dr. Rivera").click()
    expect(client.page.get_by_role("status").filter(has_text="Shared with Dr. Rivera on")).to_be_visible()
    expect(client.page.get_by_text("Not seen yet.")).to_be_visible()

    # The clinician sees exactly that entry, and reads it: the payload is text, nothing runs.
    doctor.page.reload()
    doctor.page.get_by_role("link").filter(has_text="Sam Client").click()
    expect(doctor.page.get_by_role("heading", name="Entries shared by Sam Client")).to_be_visible()
    # The entry cards (the page also links to the client's mood check-ins, homework and
    # session brief, and back to the clients).
    cards = (
        doctor.page.get_by_role("main")
        .get_by_role("link")
        .filter(has_not_text="Mood check-ins")
        .filter(has_not_text="Homework")
        .filter(has_not_text="Session brief")
        .filter(has_not_text="Back to clients")
    )
    expect(cards).to_have_count(1)
    expect(cards.first).to_contain_text(shared_title)
    expect(doctor.page.get_by_text(private_title)).to_have_count(0)
    cards.first.click()
    expect(doctor.page.get_by_role("heading", name=shared_title)).to_be_visible()
    body = doctor.page.get_by_role("main").get_by_text("Second line.")
    expect(body).to_contain_text(XSS)
    assert doctor.page.locator("main img[src='x']").count() == 0
    assert watch.dialogs == []

    # The client sees that it was seen.
    client.page.reload()
    expect(client.page.get_by_text(re.compile(r"Seen on .+"))).to_be_visible()

    # The client makes it private again; the clinician's open page loses it at once,
    # without a click (AUTHZ-6, pushed from the server).
    client.page.get_by_role("switch", name="Share with Dr. Rivera").click()
    private = client.page.get_by_role("status").filter(
        has_text="Private: Dr. Rivera can't see this any more."
    )
    expect(private).to_be_visible()
    expect(doctor.page.get_by_text("This entry isn't available.")).to_be_visible(timeout=2_000)
    expect(doctor.page.get_by_text(shared_title)).to_have_count(0)

    assert watch.dialogs == []
    assert watch.page_errors == []
    assert watch.console_errors == [], watch.console_errors


def test_registering_a_taken_email_looks_exactly_like_registering_a_new_one(
    open_phone, running_app, clinician
) -> None:
    """AUTHN-2: registering answers alike for a taken and a new address, and a taken
    address keeps its own password."""
    doctor = open_phone()
    sign_in(doctor, clinician["email"])
    seen, code = [], ""
    for email in (clinician["email"], f"new-{uuid.uuid4().hex[:8]}@example.ca"):
        # A code serves one registration: a fresh one each time.
        doctor.page.get_by_role("button", name="Create invitation code").click()
        shown = doctor.page.get_by_label("Invitation code")
        expect(shown).to_have_text(re.compile(r"^(?!" + re.escape(code) + r"$)[A-Z0-9-]{34}$"))
        code = shown.inner_text()
        visitor = open_phone()
        register(visitor, code, "Curious Person", email, password="a-different-passphrase-42", confirm=False)
        expect(visitor.page.get_by_role("status").filter(has_text=REGISTERED)).to_be_visible()
        seen.append((visitor.page.url, visitor.page.get_by_role("main").inner_text()))
    assert seen[0] == seen[1]

    # The taken address kept its own password: the visitor's gets the usual failure.
    visitor = open_phone()
    visitor.goto("/signin")
    visitor.page.get_by_label("Email").fill(clinician["email"])
    visitor.page.get_by_label("Password").fill("a-different-passphrase-42")
    visitor.page.get_by_role("button", name="Sign in").click()
    expect(visitor.page.get_by_role("alert")).to_contain_text("don't match an account")
    expect(visitor.page.get_by_label("Email")).to_have_value(clinician["email"])
    expect(
        visitor.page.get_by_text("Type your password again: for your safety, it is never kept.")
    ).to_be_visible()


def test_unsaved_words_survive_a_reload(open_phone, running_app, clinician) -> None:
    words = running_app.marker("draft")
    email = f"kit-{uuid.uuid4().hex[:8]}@example.ca"
    running_app.create_user("client", email, "Kit Client", PASSWORD)
    person = open_phone()
    sign_in(person, email)
    expect(person.page.get_by_role("heading", name="Your journal")).to_be_visible()
    person.page.get_by_role("link", name="Write an entry").click()
    person.page.get_by_label("Your entry").fill(words)
    expect(person.page.get_by_text("Draft saved")).to_be_visible()
    person.page.reload()
    expect(person.page.get_by_label("Your entry")).to_have_value(words)
    expect(person.page.get_by_text("Draft saved: ")).to_be_visible()

    # Another phone (a fresh tab state, as after a server restart) finds the draft too.
    other = open_phone()
    sign_in(other, email)
    other.page.get_by_role("link").filter(has_text=words).click()
    expect(other.page.get_by_label("Your entry")).to_have_value(words)

    # A double click on save makes one entry.
    save = person.page.get_by_role("button", name="Save entry")
    save.dblclick()
    expect(person.page.get_by_text("Entry saved. It is private until you share it.")).to_be_visible()
    person.page.get_by_role("navigation").get_by_role("link", name="Journal").click()
    expect(person.page.get_by_role("main").get_by_role("link").filter(has_text=words[:20])).to_have_count(1)


def test_bad_input_gets_a_clear_message_and_saves_nothing(open_phone, running_app) -> None:
    email = f"lee-{uuid.uuid4().hex[:8]}@example.ca"
    running_app.create_user("client", email, "Lee Client", PASSWORD)
    person = open_phone()
    sign_in(person, email)
    person.page.get_by_role("link", name="Write an entry").click()
    person.page.get_by_role("button", name="Save entry").click()
    expect(person.page.get_by_role("alert")).to_contain_text("Your entry can't be empty.")
    person.page.get_by_label("Your entry").fill("x" * 50_001)
    # Kept as a draft (nothing typed is lost), with how many characters to take out.
    expect(person.page.get_by_text("1 character too many", exact=True)).to_be_visible()
    person.page.get_by_role("button", name="Save entry").click()
    expect(person.page.get_by_role("alert")).to_contain_text("the limit is 50,000 characters")
    person.page.get_by_role("navigation").get_by_role("link", name="Journal").click()
    # No entry saved; under the draft, not "Nothing here yet" (a walk-through).
    expect(person.page.get_by_text("No saved entries yet. Your drafts are above.")).to_be_visible()
    expect(person.page.get_by_text("Nothing here yet.")).to_have_count(0)
    expect(person.page.get_by_role("heading", name="Drafts", exact=True)).to_be_visible()


def test_sign_in_failure_is_generic_and_sign_out_ends_the_session(open_phone, running_app, clinician) -> None:
    person = open_phone()
    sign_in(person, "nobody-" + uuid.uuid4().hex[:6] + "@example.ca")
    unknown = person.page.get_by_role("alert").inner_text()
    person.page.get_by_label("Email").fill(clinician["email"])
    person.page.get_by_label("Password").fill("wrong password, quite long")
    person.page.get_by_role("button", name="Sign in").click()
    expect(person.page.get_by_role("alert")).to_have_text(unknown)

    sign_in(person, clinician["email"])
    expect(person.page.get_by_role("heading", name="Clients")).to_be_visible()
    cookie = next(c for c in person.context.cookies() if c["name"] == "bj_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    assert "bj_session" not in person.page.evaluate("document.cookie")
    person.page.get_by_role("button", name="Sign out", exact=True).click()
    expect(person.page.get_by_text("You're signed out.")).to_be_visible()
    person.goto("/clients")
    expect(person.page.get_by_role("heading", name="Sign in")).to_be_visible()


def test_sign_out_on_all_devices_ends_the_other_phone_too(open_phone, clinician) -> None:
    laptop, phone = open_phone(), open_phone()
    for device in (laptop, phone):
        sign_in(device, clinician["email"])
        expect(device.page.get_by_role("heading", name="Clients")).to_be_visible()
    # It asks first: staying signed in changes nothing.
    laptop.page.get_by_role("button", name="Sign out on all devices").click()
    question = laptop.page.get_by_role("alertdialog", name="Sign out on all devices?")
    question.get_by_role("button", name="Stay signed in").click()
    expect(question).to_have_count(0)
    expect(laptop.page.get_by_role("heading", name="Clients")).to_be_visible()
    laptop.page.get_by_role("button", name="Sign out on all devices").click()
    question.get_by_role("button", name="Sign out on all devices").click()
    expect(laptop.page.get_by_text("You're signed out.")).to_be_visible()
    # The phone says so at once, without a tap, and its page holds nothing any more.
    expect(
        phone.page.get_by_role("alert").filter(has_text="You're signed out on this device.")
    ).to_be_visible()
    expect(phone.page.get_by_text(clinician["name"])).to_have_count(0)
    phone.page.get_by_role("link", name="Sign in again").click()
    expect(phone.page.get_by_role("heading", name="Sign in")).to_be_visible()


def test_browser_talked_only_to_the_app(running_app, watch) -> None:
    """PRIV-4: across the whole run, every request went to the app's own origin."""
    own = {running_app.url, running_app.url.replace("http", "ws", 1)}
    if running_app.oidc is not None:
        # The clinic's own identity provider, set by the deployment (BJ_OIDC_ISSUER):
        # reached only when a clinician chooses "Sign in with your clinic account".
        own.add(running_app.oidc.issuer)
    assert watch.origins, "no requests were recorded"
    assert watch.origins <= own | {"data", "blob"}, watch.origins

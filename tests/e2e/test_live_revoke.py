"""AUTHZ-6 in two browsers: the clinician's open entry disappears within 2 s, without a
click, when the client deletes it, ends the link or deletes their account (revoking is in
test_journey). The account's deletion comes after the client took all their data (PRIV-1,
PRIV-3)."""

from __future__ import annotations

import io
import json
import uuid
import zipfile

import pytest
from people import confirm_email
from playwright.sync_api import expect
from test_journey import PASSWORD, REGISTERED, register, sign_in, write_entry

pytestmark = pytest.mark.e2e

GONE = "This entry isn't available."


def _linked_pair(open_phone, running_app, client_email: str = ""):
    """A clinician (laptop-sized is not needed: phones for both) and a client linked to them."""
    email = f"lane-{uuid.uuid4().hex[:8]}@clinic.example"
    running_app.create_user("clinician", email, "Dr. Lane", PASSWORD)
    doctor = open_phone()
    sign_in(doctor, email)
    doctor.page.get_by_role("button", name="Create invitation code").click()
    code = doctor.page.get_by_label("Invitation code").inner_text(timeout=20_000)
    client = open_phone()
    client_email = client_email or f"robin-{uuid.uuid4().hex[:8]}@example.ca"
    register(client, code, "Robin Client", client_email, confirm=False)
    expect(client.page.get_by_role("status").filter(has_text=REGISTERED)).to_be_visible()
    confirm_email(client, client_email)
    sign_in(client, client_email)
    client.page.get_by_role("button", name="Accept").click()
    expect(
        client.page.get_by_role("status").filter(has_text="You're connected with Dr. Lane")
    ).to_be_visible()
    return doctor, client


def _share_and_open(doctor, client, title: str, body: str) -> None:
    write_entry(client, title, body)
    client.page.get_by_role("switch", name="Share with Dr. Lane").click()
    expect(client.page.get_by_role("status").filter(has_text="Shared with Dr. Lane on")).to_be_visible()
    doctor.goto("/clients")
    doctor.page.get_by_role("link").filter(has_text="Robin Client").click()
    doctor.page.get_by_role("main").get_by_role("link").filter(has_text=title).click()
    expect(doctor.page.get_by_role("heading", name=title)).to_be_visible()


def test_deleting_and_ending_the_link_reach_the_open_page_at_once(open_phone, running_app) -> None:
    doctor, client = _linked_pair(open_phone, running_app)

    title = running_app.marker("live-delete-title")
    _share_and_open(doctor, client, title, running_app.marker("live-delete-body"))
    client.page.get_by_role("button", name="Delete entry").click()
    client.page.get_by_role("alertdialog").get_by_role("button", name="Delete").click()
    expect(client.page.get_by_role("status").filter(has_text="Entry deleted.")).to_be_visible()
    expect(doctor.page.get_by_text(GONE)).to_be_visible(timeout=2_000)
    expect(doctor.page.get_by_text(title)).to_have_count(0)
    # Their list of the client's shared items says how things stand now (not "… yet").
    doctor.goto("/clients")
    doctor.page.get_by_role("link").filter(has_text="Robin Client").click()
    expect(
        doctor.page.get_by_text("Nothing is shared with you right now. Your client chooses what to share.")
    ).to_be_visible()

    title = running_app.marker("live-unlink-title")
    _share_and_open(doctor, client, title, running_app.marker("live-unlink-body"))
    client.page.get_by_role("navigation").get_by_role("link", name="Care team").click()
    client.page.get_by_role("button", name="Disconnect").click()
    client.page.get_by_role("alertdialog").get_by_role("button", name="Disconnect").click()
    expect(client.page.get_by_role("status").filter(has_text="no longer connected")).to_be_visible()
    expect(doctor.page.get_by_text(GONE)).to_be_visible(timeout=2_000)
    expect(doctor.page.get_by_text(title)).to_have_count(0)


def test_a_share_switch_tapped_offline_says_it_waits_and_takes_effect_when_back(
    open_phone, running_app
) -> None:
    """Walk-through: offline, "Share with Dr. …" turned off still read "Shared with …" under
    it, with nothing to say the change was waiting. It says so, and the change is made (and
    reaches the clinician's open entry) once the connection is back."""
    doctor, client = _linked_pair(open_phone, running_app)
    title, body = running_app.marker("offline-share-title"), running_app.marker("offline-share-body")
    _share_and_open(doctor, client, title, body)
    page = client.page
    waiting = page.get_by_text("Offline: a change here is made when the connection is back.", exact=False)
    expect(waiting).to_have_count(0)
    page.context.set_offline(True)
    page.get_by_role("switch", name="Share with Dr. Lane").click()
    expect(waiting).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="Shared with Dr. Lane on")).to_be_visible()
    expect(doctor.page.get_by_role("heading", name=title)).to_be_visible()
    page.context.set_offline(False)
    expect(waiting).to_have_count(0, timeout=20_000)
    expect(page.get_by_role("switch", name="Share with Dr. Lane")).not_to_be_checked()
    expect(doctor.page.get_by_text(GONE)).to_be_visible()


def test_stop_sharing_everything_reaches_the_clinicians_open_page_and_keeps_the_link(
    open_phone, running_app
) -> None:
    """PRIV-2: from Care team, one action (asked first) makes everything shared with one
    clinician private again; their open entry goes within 2 s; the client stays connected."""
    doctor, client = _linked_pair(open_phone, running_app)
    title = running_app.marker("stop-everything-title")
    _share_and_open(doctor, client, title, running_app.marker("stop-everything-body"))
    client.page.get_by_role("navigation").get_by_role("link", name="Care team").click()
    client.page.get_by_role("button", name="Stop sharing everything").click()
    question = client.page.get_by_role("alertdialog", name="Stop sharing everything with Dr. Lane?")
    question.get_by_role("button", name="Stop sharing everything").click()
    expect(
        client.page.get_by_role("status").filter(
            has_text="Everything you had shared with Dr. Lane is private again. You're still connected."
        )
    ).to_be_visible()
    expect(doctor.page.get_by_text(GONE)).to_be_visible(timeout=2_000)
    expect(doctor.page.get_by_text(title)).to_have_count(0)
    expect(client.page.get_by_text("Dr. Lane", exact=True)).to_be_visible()  # still connected
    client.page.get_by_role("navigation").get_by_role("link", name="Journal").click()
    client.page.get_by_role("link").filter(has_text=title).click()
    expect(client.page.get_by_role("switch", name="Share with Dr. Lane")).not_to_be_checked()


def test_the_clinician_ends_the_link_and_the_clients_open_care_team_page_says_so(
    open_phone, running_app
) -> None:
    """The work together ended: the clinician ends the link from the client's page (it asks
    first); the client's Care team page, open on their phone, drops the clinician and says
    everything is private again, without a click; the entry's switch is gone."""
    doctor, client = _linked_pair(open_phone, running_app)
    title = running_app.marker("clinician-ends-title")
    write_entry(client, title, running_app.marker("clinician-ends-body"))
    client.page.get_by_role("switch", name="Share with Dr. Lane").click()
    expect(client.page.get_by_role("status").filter(has_text="Shared with Dr. Lane on")).to_be_visible()
    client.page.get_by_role("navigation").get_by_role("link", name="Care team").click()
    expect(client.page.get_by_text("Dr. Lane", exact=True)).to_be_visible()

    doctor.goto("/clients")
    doctor.page.get_by_role("link").filter(has_text="Robin Client").click()
    expect(doctor.page.get_by_role("main").get_by_role("link").filter(has_text=title)).to_be_visible()
    doctor.page.get_by_role("button", name="End the connection").click()
    dialog = doctor.page.get_by_role("alertdialog", name="End the connection with Robin Client?")
    dialog.get_by_role("button", name="Stay connected").click()  # a second thought: nothing ends
    expect(dialog).to_be_hidden()
    expect(doctor.page.get_by_role("main").get_by_role("link").filter(has_text=title)).to_be_visible()
    doctor.page.get_by_role("button", name="End the connection").click()
    dialog.get_by_role("button", name="End the connection").click()
    ended = "You're no longer connected with Robin Client. Nothing they shared is visible to you now."
    expect(doctor.page.get_by_role("status").filter(has_text=ended)).to_be_visible()
    assert doctor.page.url.endswith("/clients")
    expect(doctor.page.get_by_role("link").filter(has_text="Robin Client")).to_have_count(0)

    expect(
        client.page.get_by_role("status").filter(
            has_text="You're no longer connected with Dr. Lane. Everything you had shared is private again."
        )
    ).to_be_visible(timeout=2_000)
    expect(client.page.get_by_text("Dr. Lane", exact=True)).to_have_count(0)
    client.page.get_by_role("navigation").get_by_role("link", name="Journal").click()
    client.page.get_by_role("link").filter(has_text=title).click()
    expect(client.page.get_by_role("heading", name=title)).to_be_visible()
    expect(client.page.get_by_role("switch", name="Share with Dr. Lane")).to_have_count(0)


def test_a_client_takes_everything_then_deletes_the_account_and_it_leaves_every_screen(
    open_phone, running_app
) -> None:
    email = f"leaving-{uuid.uuid4().hex[:8]}@example.ca"
    doctor, client = _linked_pair(open_phone, running_app, email)
    title, body = running_app.marker("leaving-title"), running_app.marker("leaving-body")
    _share_and_open(doctor, client, title, body)
    page = client.page
    client_id = _account_id(running_app, email)

    # From the settings, the client's data: everything in one file, made now.
    client.goto("/settings")
    page.get_by_role("link", name="Your data: download it all, or delete your account").click()
    expect(page.get_by_role("heading", name="Your data", level=1)).to_be_visible()
    with page.expect_download() as downloading:
        page.get_by_role("button", name="Download all my data").click()
    download = downloading.value
    expect(page.get_by_role("status").filter(has_text="Your download has begun.")).to_be_visible()
    bundle = zipfile.ZipFile(io.BytesIO(download.path().read_bytes()))
    data = json.loads(bundle.read("betterjournal-data.json"))
    assert [item["fields"]["body"] for item in data["items"]["journal_entry"]] == [body]
    assert data["items"]["journal_entry"][0]["shared_with_now"] == ["Dr. Lane"]
    assert title in bundle.read("betterjournal-data.html").decode()

    # Deleting asks for the box to be ticked and the password again; nothing goes before.
    delete = page.get_by_role("button", name="Delete my account")
    # Marked as removing for good (red), not the page's own colour as every other button.
    expect(delete).to_have_attribute("data-accent-color", "red")
    expect(page.get_by_role("button", name="Download all my data")).not_to_have_attribute(
        "data-accent-color", "red"
    )
    page.get_by_label("Current password").fill(PASSWORD)
    delete.click()
    expect(page.get_by_role("alert").filter(has_text="Tick the box to confirm")).to_be_visible()
    page.get_by_label("Current password").fill("not my password at all")
    page.get_by_role("checkbox", name="I understand that everything will be deleted").check()
    delete.click()
    expect(page.get_by_role("alert").filter(has_text="That password isn't right.")).to_be_visible()
    # The password goes; the tick stays (a walk-through had to tick it again).
    expect(page.get_by_label("Current password")).to_have_value("")
    expect(page.get_by_role("checkbox", name="I understand that everything will be deleted")).to_be_checked()
    expect(doctor.page.get_by_role("heading", name=title)).to_be_visible()

    # Another tab of theirs, open on their journal, is told at once what happened (it said
    # "You're signed out on this device. Sign in again", to an account that is gone).
    other = client.context.new_page()
    other.goto(running_app.url + "/journal")
    expect(other.get_by_role("heading", name="Your journal")).to_be_visible()

    page.get_by_label("Current password").fill(PASSWORD)
    page.get_by_role("checkbox", name="I understand that everything will be deleted").check()
    delete.click()
    expect(
        page.get_by_role("status").filter(has_text="Your account and everything in it are deleted.")
    ).to_be_visible()
    gone = other.get_by_role("alert").filter(has_text="Your account and everything in it are deleted.")
    expect(gone).to_be_visible()
    expect(other.get_by_role("link", name="Sign in again")).to_have_count(0)
    other.close()
    # The clinician's open page drops the entry at once, and it can't be signed in to again.
    expect(doctor.page.get_by_text(GONE)).to_be_visible(timeout=2_000)
    expect(doctor.page.get_by_text(title)).to_have_count(0)
    # Their list of clients no longer has them, and says why a client can leave it so (a
    # walk-through's clinician took the vanished client for a fault).
    doctor.goto("/clients")
    expect(doctor.page.get_by_role("heading", name="Clients", level=1)).to_be_visible()
    expect(
        doctor.page.get_by_text("A client who deletes their account leaves this list at once")
    ).to_be_visible()
    expect(doctor.page.get_by_text("Robin Client")).to_have_count(0)
    sign_in(client, email)
    expect(page.get_by_role("alert").filter(has_text="don't match an account")).to_be_visible()
    # Crypto-shredding: the account's data key left the key store with it (CRYPTO-6).
    with running_app.core():
        from betterjournal import keystore

        assert keystore.get(client_id) is None


def _account_id(running_app, email: str) -> uuid.UUID:
    """The account's id, once it is known to hold a data key in the app's key store."""
    from sqlmodel import select

    from betterjournal import keystore
    from betterjournal.db import session_scope
    from betterjournal.models import User

    with running_app.core(), session_scope() as session:
        user_id = session.exec(select(User.id).where(User.email == email)).one()
        assert keystore.get(user_id) is not None
    return user_id

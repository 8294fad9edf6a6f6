"""The whole way in, on phones, by what is on screen (issue 11, acceptance 1).

A visitor asks for early access as a clinician; the admin records the register check and
approves; the set-password email reaches the suite's SMTP server; the clinician chooses a
password, is made to set up two-step sign-in (the test reads the key off the page and
computes the codes, as an authenticator app would), signs in and invites a client. The
client, on a French phone, finds from the start page where a code is used, registers with it,
confirms the address from the email (in French), signs in, and reaches the journal.
"""

from __future__ import annotations

import re
import time
import uuid
from pathlib import Path

import two_step
from people import PASSWORD, sign_in
from playwright.sync_api import expect
from pyotp.totp import TOTP
from smtp_mailbox import link_in, text_of
from test_languages import _fr, assert_all_english, assert_all_french

from betterjournal.state.base import PUBLIC_PAGE_NOTICES, PUBLIC_PAGE_PROBLEMS


def _status(page, text: str):
    return page.get_by_role("status").filter(has_text=text)


def test_from_a_request_for_early_access_to_a_client_writing_in_french(open_phone, running_app) -> None:
    suffix = uuid.uuid4().hex[:8]
    doctor_email = f"okafor-{suffix}@clinic.example"
    client_email = f"elodie-{suffix}@example.ca"

    # A visitor reads what Betterjournal is and asks for early access as a clinician.
    visitor = open_phone()
    page = visitor.page
    visitor.goto("/")
    expect(
        page.get_by_role("heading", name="Between sessions, a private space for your work")
    ).to_be_visible()
    page.get_by_label("Your name").fill("Dr. Okafor")
    email = page.get_by_label("Email")
    email.fill("okafor@clinic")  # the browser takes it, the server doesn't: the field says so
    page.get_by_label("a clinician").check()
    page.get_by_label("Profession").fill("Psychologist")
    page.get_by_label("Province or territory where you practise").select_option("ON")
    page.get_by_label("Regulatory college").fill("College of Psychologists of Ontario")
    page.get_by_label("Registration number").fill("R-48213")
    page.get_by_role("button", name="Request early access").click()
    expect(page.get_by_role("alert")).to_have_text("Enter an email address like name@example.com.")
    expect(email).to_have_attribute("aria-invalid", "true")
    email.fill(doctor_email)
    page.get_by_role("button", name="Request early access").click()
    expect(_status(page, "We've received your request.")).to_be_visible()
    assert_all_english(page)

    # The admin (who has two-step sign-in, as every admin must) finds it on the waiting list.
    admin_email = f"admin-{suffix}@betterjournal.example"
    running_app.create_user("admin", admin_email, "Ada Admin", PASSWORD)
    admin = open_phone()
    sign_in(admin, admin_email)
    expect(admin.page.get_by_role("heading", name="Early access requests")).to_be_visible()
    card = (
        admin.page.get_by_role("list", name="Requests").get_by_role("listitem").filter(has_text=doctor_email)
    )
    expect(card).to_contain_text("R-48213")
    expect(card.get_by_role("button", name="Approve")).to_have_count(0)  # not before the check
    card.get_by_role("button", name="I checked the public register").click()
    expect(card).to_contain_text("Registration checked by Ada Admin")
    expect(card).to_contain_text("Profession: Psychologist")
    card.get_by_role("button", name="Approve").click()
    expect(_status(admin.page, "Approved.")).to_be_visible()

    # Declining asks first (a declined request can't be approved afterwards).
    stranger = open_phone()
    stranger.goto("/")
    stranger_email = f"stranger-{suffix}@example.ca"
    stranger.page.get_by_label("Your name").fill("Sam Stranger")
    stranger.page.get_by_label("Email").fill(stranger_email)
    stranger.page.get_by_label("a client").check()
    stranger.page.get_by_role("button", name="Request early access").click()
    expect(_status(stranger.page, "We've received your request.")).to_be_visible()
    admin.page.reload()
    requests = admin.page.get_by_role("list", name="Requests")
    waiting = requests.get_by_role("listitem").filter(has_text=stranger_email)
    waiting.get_by_role("button", name="Decline").click()
    question = admin.page.get_by_role("alertdialog", name="Decline the request from Sam Stranger?")
    expect(question).to_be_visible()
    question.get_by_role("button", name="Keep it waiting").click()
    expect(question).to_be_hidden()
    expect(waiting).to_contain_text("Waiting")
    waiting.get_by_role("button", name="Decline").click()
    question.get_by_role("button", name="Decline").click()
    expect(_status(admin.page, "Declined. No email was sent.")).to_be_visible()

    # The set-password email arrives; the clinician chooses a password from its link.
    approval = running_app.mailbox.wait_for(doctor_email)
    assert "therapy" not in (str(approval["Subject"]) + text_of(approval)).lower()
    page.goto(link_in(approval, "/password"))
    expect(page.get_by_role("heading", name="Choose your password")).to_be_visible()
    # Whose account it is, read-only (and saved with the password by a password manager).
    expect(page.get_by_label("Email")).to_have_value(doctor_email)
    expect(page.get_by_label("Email")).not_to_be_editable()
    page.get_by_label("New password").fill(PASSWORD)
    page.get_by_role("button", name="Save password").click()
    expect(_status(page, "Your password is saved.")).to_be_visible()
    # The sign-in page it leads to has the address filled in (a walk-through typed it again).
    expect(page.get_by_label("Email")).to_have_value(doctor_email)
    expect(page.get_by_label("Password")).to_have_value("")
    # The link works once, and says so when it is opened again, before anything is typed
    # (the form was shown, and refused the new password only once it was sent).
    page.goto(link_in(approval, "/password"))
    expect(_status(page, "This link has expired or was already used.")).to_be_visible()
    expect(page.get_by_label("New password")).to_have_count(0)
    expect(page.get_by_role("link", name="Ask for a new link")).to_be_visible()

    # Signing in, the clinician is made to set up two-step sign-in first.
    visitor.goto("/signin")
    page.get_by_label("Email").fill(doctor_email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Set up two-step sign-in")).to_be_visible()
    expect(page.get_by_role("img", name="QR code for your authenticator app")).to_be_visible()
    # Nothing else is reachable yet: the clients page sends them back to sign in.
    secret = page.locator("code").first.inner_text().replace(" ", "")
    assert re.fullmatch(r"[A-Z2-7]{16,}", secret), secret
    step = int(time.time()) // 30
    page.get_by_label("Code", exact=True).fill(TOTP(secret).at(step * 30))
    page.get_by_role("button", name="Turn on two-step sign-in").click()
    codes = page.get_by_role("list", name="Recovery codes").get_by_role("listitem")
    expect(codes).to_have_count(10)
    with page.expect_download() as downloading:  # kept as a file, to print or store
        page.get_by_role("button", name="Download the codes").click()
    kept = Path(downloading.value.path()).read_text()
    assert downloading.value.suggested_filename == "betterjournal-recovery-codes.txt"
    assert [code for code in codes.all_inner_texts() if code.strip() not in kept] == []
    two_step.remember(doctor_email, secret, used_step=step)
    page.get_by_role("button", name="I've kept my codes. Continue").click()
    expect(page.get_by_role("heading", name="Clients")).to_be_visible()

    # The clinician invites a client, as before.
    page.get_by_role("button", name="Create invitation code").click()
    code = page.get_by_label("Invitation code").inner_text(timeout=20_000)

    # The client, on a French phone, starts where anyone starts and registers with the code ...
    client = open_phone(locale="fr-CA", timezone_id="America/Montreal")
    french = client.page
    client.goto("/")
    french.get_by_role("link", name=_fr("Create your account")).click()
    expect(french.get_by_role("heading", name=_fr("Create your account"))).to_be_visible()
    french.get_by_label(_fr("Invitation code")).fill(code)
    french.get_by_label(_fr("Your name")).fill("Élodie")
    french.get_by_label(_fr("Email")).fill(client_email)
    french.get_by_label(_fr("Password")).fill(PASSWORD)
    french.get_by_role("button", name=_fr("Create account")).click()
    expect(_status(french, _fr(PUBLIC_PAGE_NOTICES["registered"]))).to_be_visible()
    assert_all_french(french)

    # ... can't sign in before confirming ...
    french.get_by_label(_fr("Email")).fill(client_email)
    french.get_by_label(_fr("Password")).fill(PASSWORD)
    french.get_by_role("button", name=_fr("Sign in")).click()
    expect(
        french.get_by_role("alert").filter(has_text=_fr(PUBLIC_PAGE_PROBLEMS["unconfirmed"]))
    ).to_be_visible()

    # ... confirms from the email, which is in French ...
    confirmation = running_app.mailbox.wait_for(client_email)
    assert str(confirmation["Subject"]).startswith("Betterjournal")
    assert "courriel" in text_of(confirmation).lower()
    link = link_in(confirmation, "/confirm")
    # A link cut short by a mail program: the page says how to get a new one, and shows where.
    french.goto(link[:-6])
    expect(french.get_by_role("button", name=_fr("Confirm my email address"))).to_be_enabled()
    expect(french.get_by_label(_fr("Email"))).to_have_count(0)  # nobody's: no address shown
    french.get_by_role("button", name=_fr("Confirm my email address")).click()
    expect(french.get_by_role("alert").filter(has_text=_fr(PUBLIC_PAGE_PROBLEMS["link"]))).to_be_visible()
    french.get_by_role("link", name=_fr("Sign in to get a new one")).click()
    expect(french.get_by_role("heading", name=_fr("Sign in"))).to_be_visible()
    french.goto(link)
    expect(french.get_by_label(_fr("Email"))).to_have_value(client_email)
    french.get_by_role("button", name=_fr("Confirm my email address")).click()
    expect(_status(french, _fr("Your email address is confirmed. You can sign in now."))).to_be_visible()

    # ... signs in (the address is filled in), accepts the invitation, and reaches the journal.
    expect(french.get_by_label(_fr("Email"))).to_have_value(client_email)
    french.get_by_label(_fr("Password")).fill(PASSWORD)
    french.get_by_role("button", name=_fr("Sign in")).click()
    french.get_by_role("button", name=_fr("Accept")).click()
    french.get_by_role("navigation").get_by_role("link", name=_fr("Journal")).click()
    expect(french.get_by_role("heading", name=_fr("Your journal"))).to_be_visible()
    assert_all_french(french)

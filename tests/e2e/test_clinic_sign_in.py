"""Clinic sign-in in a real browser, against the OpenID provider the suite runs: the
clinician is sent to their clinic's provider and back, and still enters the app's own
two-step code; an unverified email at the provider is turned away with a plain message."""

from __future__ import annotations

import uuid

import two_step
from people import PASSWORD, enter_code
from playwright.sync_api import expect

from betterjournal.state.base import PUBLIC_PAGE_PROBLEMS


def test_a_clinician_signs_in_with_the_clinic_account_then_the_app_code(open_phone, running_app) -> None:
    email = f"clinic-{uuid.uuid4().hex[:8]}@clinic.example"
    running_app.create_user("clinician", email, "Dr. Clinic", PASSWORD)
    phone = open_phone()
    page = phone.page

    running_app.oidc.next_identity(email=email.upper(), email_verified=False)
    phone.goto("/signin")
    page.get_by_role("link", name="Sign in with your clinic account").click()
    expect(page.get_by_role("alert").filter(has_text=PUBLIC_PAGE_PROBLEMS["clinic"])).to_be_visible()

    running_app.oidc.next_identity(email=email.upper(), email_verified=True)
    page.get_by_role("link", name="Sign in with your clinic account").click()
    enter_code(phone, two_step.next_code(email))
    expect(page.get_by_role("heading", name="Clients")).to_be_visible()


def test_a_clinician_without_two_step_sign_in_is_told_to_use_the_password_the_first_time(
    open_phone, running_app
) -> None:
    """Whoever signs in at the setup of two-step sign-in makes the second factor: the first
    time is with the password (a review: after a clinic sign-in, someone holding the
    clinician's address at the provider would make their own)."""
    email = f"clinic-new-{uuid.uuid4().hex[:8]}@clinic.example"
    running_app.create_user("clinician", email, "Dr. New", PASSWORD, two_step=False)
    phone = open_phone()
    page = phone.page

    running_app.oidc.next_identity(email=email, email_verified=True)
    phone.goto("/signin")
    page.get_by_role("link", name="Sign in with your clinic account").click()
    expect(
        page.get_by_role("alert").filter(has_text=PUBLIC_PAGE_PROBLEMS["clinic_first_time"])
    ).to_be_visible()
    expect(page.get_by_label("Email")).to_be_visible()  # the password form is right there
    expect(page.get_by_text("Type your password again", exact=False)).to_have_count(0)  # none typed

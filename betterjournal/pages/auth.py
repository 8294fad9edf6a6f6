"""Sign in and register: plain HTML forms posting to the server's auth routes."""

from __future__ import annotations

import reflex as rx

from betterjournal import routes
from betterjournal.components.clinic_sign_in import clinic_sign_in
from betterjournal.components.forms import KeepTyped, form_field
from betterjournal.components.layout import BrowserTimeZone, UnsentDraft, public_shell, unsent_words
from betterjournal.components.native_form import native_form
from betterjournal.components.text import Text, tr
from betterjournal.i18n import N_
from betterjournal.state.base import AppState

# Under the password field of a form the server sent back with a problem (KeepTyped refills
# the other fields, never a password).
RETYPE_PASSWORD = N_("Type your password again: for your safety, it is never kept.")


def _auth_form(action: str, submit_label: Text, *fields: rx.Component, keep: str) -> rx.Component:
    """A form the browser posts itself, with the anti-forgery token and one wide button.

    It also sends the tab's language and the browser's time zone: a person who hasn't
    chosen them in Settings yet gets these as their first choice when they sign in. The
    fields named in `keep` come back filled when the server returns the form with an error.
    It also sends on the page a signed-out person was sent here from (`next`).
    """
    return native_form(
        rx.vstack(
            rx.el.input(type="hidden", name="form_token", value=AppState.form_token, read_only=True),
            rx.el.input(type="hidden", name="language", value=AppState.language, read_only=True),
            BrowserTimeZone.create(name="time_zone"),
            rx.el.input(type="hidden", name="next", value=AppState.next_path, read_only=True),
            *fields,
            KeepTyped.create(fields=keep),
            rx.button(
                submit_label, type="submit", size="3", width="100%", disabled=AppState.form_token == ""
            ),
            spacing="4",
            width="100%",
        ),
        action=action,
        method="post",
        width="100%",
    )


def invitation_code_line() -> rx.Component:
    """Where a client with a code from their clinician starts: the start page and sign-in."""
    return rx.text(
        tr("Have an invitation code from your clinician?"),
        " ",
        rx.link(tr("Create your account"), href=routes.REGISTER),
        size="2",
    )


def sign_in_page() -> rx.Component:
    return public_shell(
        unsent_words(),  # a session that ended as the editor held words the server hadn't confirmed
        _auth_form(
            routes.API_SIGN_IN,
            tr("Sign in"),
            form_field(tr("Email"), "email", type="email", auto_complete="username"),
            form_field(
                tr("Password"),
                "password",
                type="password",
                auto_complete="current-password",
                hint=rx.cond(AppState.retype_password, tr(RETYPE_PASSWORD), ""),
            ),
            UnsentDraft.create(sign_in_path=routes.SIGN_IN),
            keep="email",
        ),
        rx.text(rx.link(tr("Forgot your password?"), href=routes.FORGOT), size="2"),
        clinic_sign_in(),
        invitation_code_line(),
        heading=tr("Sign in"),
    )


def register_page() -> rx.Component:
    return public_shell(
        rx.text(
            tr(
                "Your clinician gives you an invitation code. Your journal stays private: "
                "nothing is shared unless you choose to share it, one entry at a time."
            ),
            size="2",
        ),
        _auth_form(
            routes.API_REGISTER,
            tr("Create account"),
            form_field(tr("Invitation code"), "code", auto_complete="off", auto_capitalize="characters"),
            form_field(
                tr("Your name"),
                "name",
                auto_complete="name",
                max_length=100,
                hint=tr("Your clinician will see this name."),
            ),
            form_field(tr("Email"), "email", type="email", auto_complete="username"),
            form_field(
                tr("Password"),
                "password",
                type="password",
                auto_complete="new-password",
                min_length=12,
                max_length=128,
                hint=rx.cond(
                    AppState.retype_password,
                    tr(RETYPE_PASSWORD),
                    tr("At least 12 characters. A few unrelated words work well."),
                ),
            ),
            keep="code,name,email",
        ),
        rx.text(tr("Already have an account?"), " ", rx.link(tr("Sign in"), href=routes.SIGN_IN), size="2"),
        heading=tr("Create your account"),
    )

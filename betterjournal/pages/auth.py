"""Sign in and register: plain HTML forms posting to the server's auth routes."""

from __future__ import annotations

import reflex as rx

from betterjournal import routes
from betterjournal.components.layout import labelled_field, public_shell
from betterjournal.components.native_form import native_form
from betterjournal.i18n import t
from betterjournal.state.base import AppState


def _field(label: str, name: str, *, hint: str = "", **props) -> rx.Component:
    """A labelled, required text field; `name` is also its id and form key."""
    control = rx.input(id=name, name=name, required=True, size="3", width="100%", **props)
    return labelled_field(label, control, hint=hint)


def _auth_form(action: str, submit_label: str, *fields: rx.Component) -> rx.Component:
    """A form the browser posts itself, with the anti-forgery token and one wide button."""
    return native_form(
        rx.vstack(
            rx.el.input(type="hidden", name="form_token", value=AppState.form_token, read_only=True),
            *fields,
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


def sign_in_page() -> rx.Component:
    return public_shell(
        _auth_form(
            routes.API_SIGN_IN,
            t("Sign in"),
            _field(t("Email"), "email", type="email", auto_complete="username"),
            _field(t("Password"), "password", type="password", auto_complete="current-password"),
        ),
        rx.text(
            t("Have an invitation code from your clinician? "),
            rx.link(t("Create your account"), href=routes.REGISTER),
            size="2",
        ),
        heading=t("Sign in"),
    )


def register_page() -> rx.Component:
    return public_shell(
        rx.text(
            t(
                "Your clinician gives you an invitation code. Your journal stays private: "
                "nothing is shared unless you choose to share it, one entry at a time."
            ),
            size="2",
        ),
        _auth_form(
            routes.API_REGISTER,
            t("Create account"),
            _field(t("Invitation code"), "code", auto_complete="off", auto_capitalize="characters"),
            _field(
                t("Your name"),
                "name",
                auto_complete="name",
                max_length=100,
                hint=t("Your clinician will see this name."),
            ),
            _field(t("Email"), "email", type="email", auto_complete="username"),
            _field(
                t("Password"),
                "password",
                type="password",
                auto_complete="new-password",
                min_length=12,
                max_length=128,
                hint=t("At least 12 characters. A few unrelated words work well."),
            ),
        ),
        rx.text(t("Already have an account? "), rx.link(t("Sign in"), href=routes.SIGN_IN), size="2"),
        heading=t("Create your account"),
    )

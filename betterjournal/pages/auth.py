"""Sign in and register: plain HTML forms posting to the server's auth routes."""

from __future__ import annotations

import reflex as rx

from betterjournal import routes
from betterjournal.components.layout import labelled_field, public_shell
from betterjournal.components.native_form import native_form
from betterjournal.i18n import t
from betterjournal.state.base import AppState


def _token_field() -> rx.Component:
    return rx.el.input(type="hidden", name="form_token", value=AppState.form_token, read_only=True)


def _submit(label: str) -> rx.Component:
    return rx.button(label, type="submit", size="3", width="100%", disabled=AppState.form_token == "")


def sign_in_page() -> rx.Component:
    return public_shell(
        native_form(
            rx.vstack(
                _token_field(),
                labelled_field(
                    t("Email"),
                    rx.input(
                        id="email",
                        name="email",
                        type="email",
                        auto_complete="username",
                        required=True,
                        size="3",
                        width="100%",
                    ),
                ),
                labelled_field(
                    t("Password"),
                    rx.input(
                        id="password",
                        name="password",
                        type="password",
                        auto_complete="current-password",
                        required=True,
                        size="3",
                        width="100%",
                    ),
                ),
                _submit(t("Sign in")),
                spacing="4",
                width="100%",
            ),
            action=routes.API_SIGN_IN,
            method="post",
            width="100%",
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
        native_form(
            rx.vstack(
                _token_field(),
                labelled_field(
                    t("Invitation code"),
                    rx.input(
                        id="code",
                        name="code",
                        auto_complete="off",
                        required=True,
                        size="3",
                        width="100%",
                        auto_capitalize="characters",
                    ),
                ),
                labelled_field(
                    t("Your name"),
                    rx.input(
                        id="name",
                        name="name",
                        auto_complete="name",
                        required=True,
                        max_length=100,
                        size="3",
                        width="100%",
                    ),
                    hint=t("Your clinician will see this name."),
                ),
                labelled_field(
                    t("Email"),
                    rx.input(
                        id="email",
                        name="email",
                        type="email",
                        auto_complete="username",
                        required=True,
                        size="3",
                        width="100%",
                    ),
                ),
                labelled_field(
                    t("Password"),
                    rx.input(
                        id="password",
                        name="password",
                        type="password",
                        auto_complete="new-password",
                        required=True,
                        min_length=12,
                        max_length=128,
                        size="3",
                        width="100%",
                    ),
                    hint=t("At least 12 characters. A few unrelated words work well."),
                ),
                _submit(t("Create account")),
                spacing="4",
                width="100%",
            ),
            action=routes.API_REGISTER,
            method="post",
            width="100%",
        ),
        rx.text(t("Already have an account? "), rx.link(t("Sign in"), href=routes.SIGN_IN), size="2"),
        heading=t("Create your account"),
    )

"""The way in: the public home page with its request for early access, the pages emailed
links open (confirm an address, choose a password), a forgotten password, and the two
steps of two-step sign-in (the code, and setting it up)."""

from __future__ import annotations

import reflex as rx

from betterjournal import routes
from betterjournal.components.entries import back_link
from betterjournal.components.forms import KeepTyped, form, form_field, native_select, recovery_codes
from betterjournal.components.layout import labelled_field, public_shell, sign_out_form
from betterjournal.components.native_form import native_form
from betterjournal.components.text import LANGUAGE, Text, tr
from betterjournal.core import access, tokens
from betterjournal.i18n import LANGUAGES, Reader, alphabetical
from betterjournal.pages.auth import invitation_code_line
from betterjournal.state.account import LandingState, SignInCodeState, TwoStepState
from betterjournal.state.base import AppState


def _hidden(name: str, value: rx.Var | str) -> rx.Component:
    return rx.el.input(type="hidden", name=name, value=value, read_only=True)


def _post_form(
    action: str,
    submit_label: Text,
    *fields: rx.Component,
    link: bool = False,
    keep: str = "",
    keep_to: str = "",
) -> rx.Component:
    """A form the browser posts itself (see pages/auth.py), with the anti-forgery token.

    A `link` form posts the token of the emailed link the page was opened with: its button
    waits for the page to have read it (the tab's state can still hold an earlier page's
    form token, so that token alone says nothing about this page being ready). The fields
    named in `keep` come back if the form is sent back with an error, or go on `keep_to`
    that page."""
    waiting = AppState.form_token == ""
    if link:
        waiting = waiting | (AppState.link_token == "")
    return native_form(
        rx.vstack(
            _hidden("form_token", AppState.form_token),
            _hidden("language", AppState.language),
            *fields,
            *([KeepTyped.create(fields=keep, to=keep_to)] if keep else []),
            rx.button(submit_label, type="submit", size="3", width="100%", disabled=waiting),
            spacing="4",
            width="100%",
        ),
        action=action,
        method="post",
        width="100%",
    )


def _select(name: str, label: Text, options: list[tuple[Text, Text]], **props) -> rx.Component:
    control = native_select(
        name,
        rx.el.option(tr("Choose…"), value=""),
        *[rx.el.option(text, value=value) for value, text in options],
        **props,
    )
    return labelled_field(label, control)


def _provinces_in_order() -> list[tuple[Text, Text]]:
    """The provinces and territories in the tab's language's alphabetical order (the
    French list began with "Alberta, Colombie-Britannique, Manitoba, Nouveau-Brunswick,
    Terre-Neuve…": the English order)."""
    order = {
        language: sorted(access.PROVINCES.items(), key=lambda one: alphabetical(Reader(language).t(one[1])))
        for language in LANGUAGES
    }
    return [
        (
            rx.Var.create({language: order[language][place][0] for language in LANGUAGES})[LANGUAGE].to(str),
            rx.Var.create(
                {language: Reader(language).t(order[language][place][1]) for language in LANGUAGES}
            )[LANGUAGE].to(str),
        )
        for place in range(len(access.PROVINCES))
    ]


# --- the public home page -------------------------------------------------------------


def _promise(title: Text, text: Text) -> rx.Component:
    return rx.vstack(rx.heading(title, as_="h2", size="3"), rx.text(text, size="2"), spacing="1")


def _request_form() -> rx.Component:
    clinician = LandingState.asked_as == "clinician"
    return form(
        rx.vstack(
            form_field(tr("Your name"), "name", auto_complete="name", max_length=100),
            form_field(
                tr("Email"),
                "email",
                type="email",
                auto_complete="email",
                max_length=254,
                # The address the server refused (one the browser took): said with the problem.
                aria_invalid=rx.cond(LandingState.refused_field == "email", "true", "false"),
            ),
            rx.el.fieldset(
                rx.el.legend(tr("I am"), font_weight="500"),
                rx.hstack(
                    *[
                        rx.el.label(
                            rx.el.input(
                                type="radio",
                                name="role",
                                value=value,
                                default_checked=value == "client",
                                on_change=LandingState.ask_as(value),
                                width="20px",
                                height="20px",
                            ),
                            label,
                            display="flex",
                            align_items="center",
                            gap="0.5em",
                            min_height="2.75rem",
                        )
                        for value, label in (("client", tr("a client")), ("clinician", tr("a clinician")))
                    ],
                    spacing="5",
                ),
                border="none",
                padding="0",
                margin="0",
            ),
            rx.cond(
                clinician,
                rx.vstack(
                    form_field(
                        tr("Profession"), "profession", max_length=100, hint=tr("For example: psychologist.")
                    ),
                    _select(
                        "province",
                        tr("Province or territory where you practise"),
                        _provinces_in_order(),
                        required=True,
                    ),
                    form_field(tr("Regulatory college"), "college", max_length=200),
                    form_field(
                        tr("Registration number"),
                        "registration_number",
                        max_length=40,
                        hint=tr("We check it in your college's public register before approving."),
                    ),
                    spacing="4",
                    width="100%",
                ),
            ),
            # Hidden from people (and from screen readers); a bot fills it in.
            rx.box(
                rx.el.label(
                    "Website",
                    rx.el.input(name="website", tab_index=-1, auto_complete="off"),
                    aria_hidden="true",
                ),
                position="absolute",
                left="-10000px",
                width="1px",
                height="1px",
                overflow="hidden",
            ),
            rx.button(tr("Request early access"), type="submit", size="3", width="100%"),
            spacing="4",
            width="100%",
        ),
        on_submit=LandingState.request_access,
        reset_on_submit=False,
    )


def landing_page() -> rx.Component:
    return rx.cond(
        LandingState.landing_ready,
        public_shell(
            # First, for whoever comes back: the installed app opens here once a session has
            # ended, and the line sat under the early-access form, a few screens down.
            rx.text(tr("Already have an account?"), " ", rx.link(tr("Sign in"), href=routes.SIGN_IN)),
            rx.text(
                tr(
                    "Most of the change that therapy brings happens between appointments. "
                    "Betterjournal is a private space for that work: journaling, mood check-ins, "
                    "the homework your clinician assigns, and preparing for your next session."
                ),
            ),
            rx.vstack(
                _promise(
                    tr("You choose what to share"),
                    tr(
                        "Nothing is shared automatically. You share entry by entry, and you can "
                        "stop at any time."
                    ),
                ),
                _promise(
                    tr("Homework in one place"),
                    tr("Your clinician assigns an exercise; you do it here and return it here."),
                ),
                _promise(
                    tr("Your data stays in Canada"),
                    tr("It is stored on servers in Canada, and the app talks to no one else."),
                ),
                _promise(
                    tr("A support, not therapy"),
                    tr(
                        "No artificial intelligence, no risk scores: it supports the work you do "
                        "with your clinician."
                    ),
                ),
                spacing="3",
                width="100%",
            ),
            invitation_code_line(),
            rx.heading(tr("Request early access"), as_="h2", size="4"),
            rx.text(
                tr(
                    "Betterjournal is in a private beta for registered clinicians in Canada and "
                    "their clients. Tell us who you are; we'll email you if you're invited."
                ),
                size="2",
            ),
            rx.cond(LandingState.access_requested, rx.fragment(), _request_form()),
            heading=tr("Between sessions, a private space for your work"),
        ),
        rx.center(rx.spinner(size="3"), rx.text(tr("Opening…")), padding="3em", role="status"),
    )


# --- passwords and addresses ----------------------------------------------------------


def forgot_page() -> rx.Component:
    return public_shell(
        rx.text(
            tr("Enter the email address of your account. We'll send a link to choose a new password."),
            size="2",
        ),
        _post_form(
            routes.API_FORGOT,
            tr("Send the link"),
            form_field(tr("Email"), "email", type="email", auto_complete="username"),
            keep="email",
        ),
        rx.text(rx.link(tr("Back to sign in"), href=routes.SIGN_IN), size="2"),
        heading=tr("Forgot your password?"),
    )


def choose_password_page() -> rx.Component:
    return public_shell(
        rx.cond(
            AppState.link_usable,
            _choose_password(),
            # Said before anything is typed (it was said only once a new password was sent).
            rx.text(tr(tokens.EXPIRED), size="2", role="status"),
        ),
        rx.text(rx.link(tr("Ask for a new link"), href=routes.FORGOT), size="2"),
        heading=rx.cond(AppState.first_password, tr("Choose your password"), tr("Choose a new password")),
    )


def _choose_password() -> rx.Component:
    return rx.fragment(
        rx.cond(
            AppState.first_password,
            rx.text(tr("Welcome to Betterjournal. Choose the password you'll sign in with."), size="2"),
            rx.text(tr("Choose a new password. You'll be signed out everywhere else."), size="2"),
        ),
        _post_form(
            routes.API_PASSWORD,
            tr("Save password"),
            _hidden("token", AppState.link_token),
            _hidden("first", rx.cond(AppState.first_password, "1", "")),
            _whose_link(),
            form_field(
                tr("New password"),
                "password",
                type="password",
                auto_complete="new-password",
                min_length=12,
                max_length=128,
                hint=tr("At least 12 characters. A few unrelated words work well."),
            ),
            link=True,
            keep="email",
            keep_to=routes.SIGN_IN,
        ),
    )


def _whose_link() -> rx.Component:
    """The address the emailed link was sent to, read-only: the person sees whose account it
    is, a password manager saves the new password under it, and the sign-in page after is
    filled in with it (a walk-through typed it again on a phone)."""
    return rx.cond(
        AppState.link_email != "",
        form_field(
            tr("Email"),
            "email",
            type="email",
            auto_complete="username",
            read_only=True,
            required=False,
            value=AppState.link_email,
        ),
    )


def confirm_email_page() -> rx.Component:
    return public_shell(
        rx.text(tr("One more step: confirm that this email address is yours."), size="2"),
        _post_form(
            routes.API_CONFIRM,
            tr("Confirm my email address"),
            _hidden("token", AppState.link_token),
            _whose_link(),
            link=True,
            keep="email",
            keep_to=routes.SIGN_IN,
        ),
        # Signing in sends a new link to an address not confirmed yet (api.sign_in).
        rx.text(
            tr("Link expired or already used?"),
            " ",
            rx.link(tr("Sign in to get a new one"), href=routes.SIGN_IN),
            size="2",
        ),
        heading=tr("Confirm your email address"),
    )


# --- two-step sign-in -----------------------------------------------------------------


def _code_field(hint: Text = "", **props) -> rx.Component:
    return form_field(
        tr("Code"),
        "code",
        auto_complete="one-time-code",
        input_mode="text",
        max_length=40,
        hint=hint,
        **props,
    )


def sign_in_code_page() -> rx.Component:
    return public_shell(
        rx.cond(
            SignInCodeState.code_ready,
            rx.vstack(
                rx.text(tr("Enter the 6-digit code from your authenticator app."), size="2"),
                form(
                    rx.vstack(
                        # The page's one task: the code is typed at once, with no Tab to reach it.
                        _code_field(
                            tr("Lost your phone? Enter one of your recovery codes instead."), auto_focus=True
                        ),
                        rx.button(tr("Continue"), type="submit", size="3", width="100%"),
                        spacing="4",
                        width="100%",
                    ),
                    on_submit=SignInCodeState.submit_code,
                    reset_on_submit=True,
                ),
                _not_now(),
                spacing="4",
                width="100%",
            ),
            rx.center(rx.spinner(), role="status", aria_label=tr("Loading"), width="100%"),
        ),
        heading=tr("Two-step sign-in"),
    )


def _not_now() -> rx.Component:
    """The way out of a sign-in left half done: signing out ends it."""
    return rx.hstack(
        rx.text(tr("Not now?"), size="2"),
        sign_out_form(),
        align="center",
        wrap="wrap",
        spacing="2",
    )


def two_step_setup_page() -> rx.Component:
    codes = rx.vstack(
        recovery_codes(TwoStepState.recovery_codes, TwoStepState.download_codes),
        rx.button(
            tr("I've kept my codes. Continue"), size="3", width="100%", on_click=TwoStepState.finish_setup
        ),
        spacing="4",
        width="100%",
    )
    setup = rx.vstack(
        # Chosen from the settings (a client's): the way back, without turning it on.
        rx.cond(TwoStepState.needs_password, back_link(tr("Back to settings"), routes.SECURITY)),
        rx.text(
            tr(
                "Two-step sign-in keeps your account safe even if someone learns your password. "
                "Scan this code with an authenticator app on your phone (for example the one "
                "built into your phone's passwords, or any TOTP app)."
            ),
            size="2",
        ),
        rx.image(
            src=TwoStepState.qr_code,
            alt=tr("QR code for your authenticator app"),
            width="220px",
            height="220px",
            background="white",
        ),
        # On the phone that has the app, a QR code can't be scanned: the link opens the app.
        rx.button(
            rx.el.a(
                # Said for any device: at a desk, "this phone" was not what was in hand.
                tr("Is your authenticator app on this device? Add the key to it"),
                href=TwoStepState.setup_link,
            ),
            as_child=True,
            variant="soft",
            size="3",
            width="100%",
        ),
        rx.text(tr("Can't scan it? Enter this key in the app:"), size="2"),
        rx.code(TwoStepState.secret, size="3", word_break="break-all"),
        form(
            rx.vstack(
                rx.cond(
                    TwoStepState.needs_password,
                    form_field(
                        tr("Your password"), "password", type="password", auto_complete="current-password"
                    ),
                ),
                _code_field(tr("Then enter the 6-digit code the app shows.")),
                rx.button(tr("Turn on two-step sign-in"), type="submit", size="3", width="100%"),
                spacing="4",
                width="100%",
            ),
            on_submit=TwoStepState.confirm_setup,
        ),
        # Required at a first sign-in: signing out is the way to leave it for later.
        rx.cond(~TwoStepState.needs_password, _not_now()),
        spacing="4",
        width="100%",
    )
    return public_shell(
        rx.cond(
            TwoStepState.setup_ready,
            rx.cond(TwoStepState.recovery_codes.length() > 0, codes, setup),  # type: ignore[attr-defined]
            rx.center(rx.spinner(), role="status", aria_label=tr("Loading"), width="100%"),
        ),
        heading=tr("Set up two-step sign-in"),
    )

"""Settings: language and time zone, the account's security, and where the person is signed in."""

from __future__ import annotations

import reflex as rx

from betterjournal import routes
from betterjournal.components.appearance import appearance_choice
from betterjournal.components.layout import labelled_field, page_shell
from betterjournal.components.text import tr
from betterjournal.i18n import LANGUAGE_NAMES
from betterjournal.state.account import SecurityState, SessionsState
from betterjournal.state.settings import SettingsState


def _select(name: str, options: rx.Component, chosen: str | rx.Var[str]) -> rx.Component:
    """A native select (the phone's own picker), set to what the person has now."""
    return rx.el.select(
        options,
        id=name,
        name=name,
        default_value=chosen,
        # Mounted again once loaded or saved, so it shows the choice the server holds.
        key=chosen,
        font_size="1rem",
        min_height="2.75rem",
        padding_x="0.5em",
        width="100%",
        border="1px solid var(--gray-8)",
        border_radius="var(--radius-2)",
        background="var(--color-surface)",
        color="var(--gray-12)",
    )


def settings_page() -> rx.Component:
    return page_shell(
        rx.cond(
            SettingsState.settings_loaded,
            rx.form(
                rx.vstack(
                    labelled_field(
                        tr("Language"),
                        _select(
                            "language",
                            # Each language named in its own words (and marked as that language).
                            rx.fragment(
                                *[
                                    rx.el.option(name, value=code, lang=code)
                                    for code, name in LANGUAGE_NAMES.items()
                                ]
                            ),
                            SettingsState.chosen_language,
                        ),
                    ),
                    labelled_field(
                        tr("Time zone"),
                        _select(
                            "time_zone",
                            rx.foreach(
                                SettingsState.time_zones,
                                lambda zone: rx.el.option(zone.label, value=zone.value),
                            ),
                            SettingsState.chosen_time_zone,
                        ),
                        hint=tr("Dates and times in the app are shown in this time zone."),
                    ),
                    rx.button(tr("Save settings"), type="submit", size="3"),
                    spacing="4",
                    width="100%",
                ),
                on_submit=SettingsState.save_settings,
                width="100%",
            ),
            rx.center(rx.spinner(), role="status", aria_label=tr("Loading"), width="100%"),
        ),
        appearance_choice(),
        _settings_links(),
        heading=tr("Settings"),
    )


def _settings_links() -> rx.Component:
    return rx.vstack(
        rx.link(tr("Password and two-step sign-in"), href=routes.SECURITY),
        rx.link(tr("Where you're signed in"), href=routes.SESSIONS),
        spacing="3",
        padding_top="1em",
    )


def _password_fields(state_needs_code: rx.Var[bool] | bool) -> rx.Component:
    """The password again (and a code with two-step sign-in on), before any change here."""
    return rx.fragment(
        _input(tr("Current password"), "current_password", type="password", auto_complete="current-password"),
        rx.cond(
            state_needs_code,
            _input(
                tr("Code from your authenticator app"),
                "code",
                auto_complete="one-time-code",
                max_length=40,
            ),
        ),
    )


def _input(label, name: str, **props) -> rx.Component:
    return labelled_field(label, rx.input(id=name, name=name, required=True, size="3", width="100%", **props))


def _section(title, *children: rx.Component, on_submit, button) -> rx.Component:
    return rx.el.section(
        rx.form(
            rx.vstack(
                rx.heading(title, as_="h2", size="4"),
                *children,
                rx.button(button, type="submit", size="3"),
                spacing="3",
                width="100%",
            ),
            on_submit=on_submit,
            reset_on_submit=True,
            width="100%",
        ),
        width="100%",
        padding_bottom="1.5em",
        border_bottom="1px solid var(--gray-5)",
    )


def security_page() -> rx.Component:
    needs_code = SecurityState.two_step_on
    return page_shell(
        rx.cond(
            SecurityState.security_loaded,
            rx.vstack(
                rx.text(tr("Each change here asks for your password again."), size="2"),
                _section(
                    tr("Change your password"),
                    _password_fields(needs_code),
                    _input(
                        tr("New password"),
                        "new_password",
                        type="password",
                        auto_complete="new-password",
                        min_length=12,
                        max_length=128,
                    ),
                    on_submit=SecurityState.change_password,
                    button=tr("Change password"),
                ),
                _section(
                    tr("Change your email address"),
                    _password_fields(needs_code),
                    rx.cond(
                        SecurityState.pending_email != "",
                        rx.text(
                            tr(
                                "Waiting for you to follow the link sent to {address}.",
                                address=SecurityState.pending_email,
                            ),
                            size="2",
                        ),
                    ),
                    _input(tr("New email address"), "new_email", type="email", auto_complete="email"),
                    on_submit=SecurityState.change_email,
                    button=tr("Change email address"),
                ),
                rx.el.section(
                    rx.vstack(
                        rx.heading(tr("Two-step sign-in"), as_="h2", size="4"),
                        rx.cond(
                            needs_code,
                            rx.text(
                                tr(
                                    "Two-step sign-in is on. Recovery codes left: {count}.",
                                    count=SecurityState.codes_left,
                                ),
                                size="2",
                            ),
                            rx.vstack(
                                rx.text(
                                    tr(
                                        "Two-step sign-in asks for a code from your phone as well "
                                        "as your password."
                                    ),
                                    size="2",
                                ),
                                rx.link(tr("Turn on two-step sign-in"), href=routes.TWO_STEP_SETUP),
                            ),
                        ),
                        rx.cond(
                            SecurityState.new_recovery_codes.length() > 0,  # type: ignore[attr-defined]
                            rx.el.ul(
                                rx.foreach(
                                    SecurityState.new_recovery_codes, lambda code: rx.el.li(rx.code(code))
                                ),
                                aria_label=tr("Recovery codes"),
                            ),
                        ),
                        spacing="3",
                        width="100%",
                    ),
                    width="100%",
                ),
                rx.cond(
                    needs_code,
                    _section(
                        tr("New recovery codes"),
                        _password_fields(needs_code),
                        on_submit=SecurityState.renew_recovery_codes,
                        button=tr("Make new recovery codes"),
                    ),
                ),
                rx.cond(
                    needs_code & ~SecurityState.two_step_required,
                    _section(
                        tr("Turn off two-step sign-in"),
                        _password_fields(needs_code),
                        on_submit=SecurityState.turn_two_step_off,
                        button=tr("Turn off two-step sign-in"),
                    ),
                ),
                spacing="4",
                width="100%",
            ),
            rx.center(rx.spinner(), role="status", aria_label=tr("Loading"), width="100%"),
        ),
        heading=tr("Password and two-step sign-in"),
    )


def _session_card(item) -> rx.Component:
    return rx.card(
        rx.hstack(
            rx.vstack(
                rx.text(item.device, weight="medium"),
                rx.cond(
                    item.this_one,
                    rx.text(tr("This device"), size="2", color_scheme="teal"),
                    rx.text(
                        tr("Last active {moment}", moment=item.last_active), size="2", color_scheme="gray"
                    ),
                ),
                spacing="1",
                flex="1",
                min_width="0",
            ),
            rx.cond(
                item.this_one,
                rx.fragment(),
                rx.button(
                    tr("Sign out there"),
                    variant="soft",
                    color_scheme="gray",
                    size="3",
                    on_click=SessionsState.end_session(item.id),
                ),
            ),
            align="center",
            width="100%",
        ),
        width="100%",
    )


def sessions_page() -> rx.Component:
    return page_shell(
        rx.cond(
            SessionsState.sessions_loaded,
            rx.vstack(
                rx.el.ul(
                    rx.foreach(SessionsState.signed_in_sessions, lambda item: rx.el.li(_session_card(item))),
                    list_style="none",
                    padding="0",
                    margin="0",
                    width="100%",
                    display="flex",
                    flex_direction="column",
                    gap="0.75em",
                ),
                rx.button(
                    tr("Sign out everywhere else"),
                    size="3",
                    variant="soft",
                    on_click=SessionsState.end_other_sessions,
                ),
                spacing="4",
                width="100%",
            ),
            rx.center(rx.spinner(), role="status", aria_label=tr("Loading"), width="100%"),
        ),
        heading=tr("Where you're signed in"),
    )

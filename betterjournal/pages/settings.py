"""Settings: language and time zone, reminders (clients), the account's security, and where
the person is signed in."""

from __future__ import annotations

from typing import Any, Literal

import reflex as rx

from betterjournal import routes
from betterjournal.components.appearance import appearance_choice
from betterjournal.components.entries import back_link
from betterjournal.components.forms import (
    NATIVE_CONTROL,
    SaveOnChange,
    form,
    form_field,
    native_select,
    recovery_codes,
)
from betterjournal.components.layout import labelled_field, page_shell
from betterjournal.components.text import tr
from betterjournal.i18n import LANGUAGE_NAMES
from betterjournal.models import Role
from betterjournal.state.account import SecurityState, SessionsState
from betterjournal.state.base import AppState
from betterjournal.state.settings import SettingsState
from betterjournal.state.your_data import YourDataState


def _select(name: str, options: rx.Component, chosen: str | rx.Var[str], on_change: Any) -> rx.Component:
    """A native select (the phone's own picker), set to what the person has now."""
    # Mounted again once loaded or saved, so it shows the choice the server holds.
    return native_select(name, options, default_value=chosen, key=chosen, on_change=on_change)


def settings_page() -> rx.Component:
    # Each choice is kept as soon as it is made (and said so), the reminders' too: a time zone
    # chosen here was lost with no word when this part had a Save button of its own, and
    # reminders ticked were lost when theirs had one (walk-throughs).
    return page_shell(
        rx.cond(
            SettingsState.settings_loaded,
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
                        lambda language: SettingsState.save_settings(
                            {"language": language, "time_zone": SettingsState.chosen_time_zone}
                        ),
                    ),
                    hint=tr("The app changes to it as soon as you choose."),
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
                        lambda zone: SettingsState.save_settings(
                            {"language": SettingsState.chosen_language, "time_zone": zone}
                        ),
                    ),
                    hint=tr("Dates, times and reminders follow this time zone as soon as you choose it."),
                ),
                spacing="4",
                width="100%",
            ),
            rx.center(rx.spinner(), role="status", aria_label=tr("Loading"), width="100%"),
        ),
        rx.cond(SettingsState.reminders_offered, _reminders_section()),
        appearance_choice(),
        _settings_links(),
        heading=tr("Settings"),
    )


def _checkbox(label, name: str, checked: rx.Var[bool] | bool) -> rx.Component:
    """A native checkbox inside its label: the whole line is the target, at least 44 px tall."""
    return rx.el.label(
        rx.el.input(
            type="checkbox",
            id=name,
            name=name,
            default_checked=checked,
            width="20px",
            height="20px",
            margin="0",
            flex_shrink="0",
            aria_label=label,
        ),
        # The app's words (days, "Remind me…"), said by the box's name: a screen reader heard
        # each twice (walk-through).
        rx.text(label, class_name="whole-words", aria_hidden="true"),
        display="flex",
        align_items="center",
        gap="0.6em",
        min_height="44px",
    )


def _time(label, name: str, value: rx.Var[str] | str) -> rx.Component:
    return labelled_field(
        label,
        rx.el.input(
            type="time",
            id=name,
            name=name,
            default_value=value,
            **{
                **NATIVE_CONTROL,
                "width": "100%",  # as wide as it can be, up to 10em (large text on a narrow screen)
                "max_width": "10em",
            },
        ),
    )


def _group(legend, *children: rx.Component) -> rx.Component:
    return rx.el.fieldset(
        rx.el.legend(legend, font_weight="500", padding_x="0.25em"),
        rx.vstack(*children, spacing="1", width="100%"),
        border="1px solid var(--gray-5)",
        border_radius="var(--radius-3)",
        padding="0.5em 1em 1em",
        margin="0",
        width="100%",
    )


def _days(kind: str, legend, chosen: Any) -> rx.Component:
    return rx.el.fieldset(
        rx.el.legend(legend, font_size="0.875rem"),
        rx.flex(
            *[
                # Monday first, as date.weekday() counts (core/reminders.py)
                _checkbox(SettingsState.weekdays[number], f"{kind}_day_{number}", chosen[number])
                for number in range(7)
            ],
            wrap="wrap",
            column_gap="1em",
        ),
        border="0",
        padding="0",
        margin="0",
    )


def _reminders_section() -> rx.Component:
    state = SettingsState
    return rx.el.section(
        form(
            rx.vstack(
                rx.heading(tr("Reminders"), as_="h2", size="4"),
                rx.text(
                    tr(
                        "Gentle reminders by email and here in the app, in your time zone. They never "
                        "say what you wrote or what your homework is. Off until you turn them on."
                    ),
                    size="2",
                ),
                rx.text(tr("Each change is kept as soon as you make it."), size="2", color_scheme="gray"),
                _group(
                    tr("Check-ins"),
                    _checkbox(tr("Remind me to check in"), "check_in_on", state.check_in_on),
                    _days("check_in", tr("Days for check-in reminders"), state.check_in_days),
                    _time(tr("Time for check-in reminders"), "check_in_at", state.check_in_at),
                ),
                _group(
                    tr("Journal"),
                    _checkbox(tr("Remind me to write"), "journal_on", state.journal_on),
                    _days("journal", tr("Days for writing reminders"), state.journal_days),
                    _time(tr("Time for writing reminders"), "journal_at", state.journal_at),
                ),
                _group(
                    tr("Homework"),
                    _checkbox(tr("Remind me on days homework is due"), "homework_on", state.homework_on),
                    _time(tr("Time for homework reminders"), "homework_at", state.homework_at),
                ),
                _group(
                    tr("Quiet hours"),
                    _checkbox(tr("Send no reminders during quiet hours"), "quiet_on", state.quiet_on),
                    rx.hstack(
                        _time(tr("Quiet hours start"), "quiet_start", state.quiet_start),
                        _time(tr("Quiet hours end"), "quiet_end", state.quiet_end),
                        spacing="4",
                        wrap="wrap",
                    ),
                    rx.text(
                        tr("A reminder whose time falls in quiet hours is skipped that day."),
                        size="1",
                        color_scheme="gray",
                    ),
                ),
                # As the language and time zone above: a Save button far below the first
                # box left reminders ticked, unsaved, without a word (a walk-through).
                SaveOnChange.create(),
                spacing="3",
                width="100%",
            ),
            on_submit=state.save_reminders,
            # Mounted again once loaded, so the boxes show what the server holds.
            key=state.reminders_version,
        ),
        width="100%",
        padding_top="1em",
        border_top="1px solid var(--gray-5)",
    )


def _settings_links() -> rx.Component:
    return rx.vstack(
        rx.link(tr("Password and two-step sign-in"), href=routes.SECURITY),
        rx.link(tr("Where you're signed in"), href=routes.SESSIONS),
        rx.cond(
            AppState.viewer_role == Role.CLIENT.value,
            rx.link(tr("Your data: download it all, or delete your account"), href=routes.YOUR_DATA),
        ),
        spacing="3",
        padding_top="1em",
    )


def _password_fields(state_needs_code: rx.Var[bool] | bool, form_id: str) -> rx.Component:
    """The password again (and a code with two-step sign-in on), before any change here;
    `form_id` makes their ids the form's own (the security page has four such forms)."""
    return rx.fragment(
        form_field(
            tr("Current password"),
            "current_password",
            field_id=f"{form_id}-current-password",
            type="password",
            auto_complete="current-password",
        ),
        rx.cond(
            state_needs_code,
            form_field(
                tr("Code from your authenticator app, or a recovery code"),
                "code",
                field_id=f"{form_id}-code",
                auto_complete="one-time-code",
                max_length=40,
            ),
        ),
    )


def _section(
    title,
    form_id: str,
    *children: rx.Component,
    on_submit,
    button,
    working: Any = False,
    removes: bool = False,
    level: Literal["h2", "h3"] = "h2",
) -> rx.Component:
    """A form of its own under `title` (a heading at `level`), named by it: on the security
    page four forms each ask for the current password, and a screen reader moving from one
    field to the next heard "Current password" four times with nothing to tell them apart
    (a walk-through). `form_id` as `_password_fields` takes it. One that `removes` something
    for good has the red outline of the app's other removing buttons (a walk-through:
    "Delete my account" was the page's green, like every other button)."""
    submit = (
        rx.button(button, type="submit", size="3", loading=working, variant="outline", color_scheme="red")
        if removes
        else rx.button(button, type="submit", size="3", loading=working)
    )
    heading_id = f"{form_id}-heading"
    return rx.el.section(
        form(
            rx.vstack(
                rx.heading(
                    title,
                    as_=level,
                    size="4" if level == "h2" else "3",
                    id=heading_id,
                ),
                *children,
                submit,
                spacing="3",
                width="100%",
            ),
            on_submit=on_submit,
            reset_on_submit=True,
            aria_labelledby=heading_id,
        ),
        width="100%",
        padding_bottom="1.5em",
        border_bottom="1px solid var(--gray-5)",
    )


def security_page() -> rx.Component:
    needs_code = SecurityState.two_step_on
    return page_shell(
        back_link(tr("Back to settings"), routes.SETTINGS),
        rx.cond(
            SecurityState.security_loaded,
            rx.vstack(
                rx.text(tr("Each change here asks for your password again."), size="2"),
                _section(
                    tr("Change your password"),
                    "password",
                    _password_fields(needs_code, "password"),
                    form_field(
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
                    "email",
                    rx.text(tr("Your account uses {address}.", address=SecurityState.email), size="2"),
                    _password_fields(needs_code, "email"),
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
                    form_field(tr("New email address"), "new_email", type="email", auto_complete="email"),
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
                            recovery_codes(SecurityState.new_recovery_codes, SecurityState.download_codes),
                        ),
                        # Its two forms are parts of it, headed one level down.
                        rx.cond(
                            needs_code,
                            _section(
                                tr("New recovery codes"),
                                "recovery",
                                _password_fields(needs_code, "recovery"),
                                on_submit=SecurityState.renew_recovery_codes,
                                button=tr("Make new recovery codes"),
                                level="h3",
                            ),
                        ),
                        rx.cond(
                            needs_code & ~SecurityState.two_step_required,
                            _section(
                                tr("Turn off two-step sign-in"),
                                "two-step-off",
                                _password_fields(needs_code, "two-step-off"),
                                on_submit=SecurityState.turn_two_step_off,
                                button=tr("Turn off two-step sign-in"),
                                level="h3",
                            ),
                        ),
                        spacing="3",
                        width="100%",
                    ),
                    width="100%",
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
                flex="1 1 10rem",  # the button goes under it in large text (no word cut)
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
                    # Which one, read out or said to voice control: the words start the same.
                    aria_label=tr(
                        "Sign out there: {device}, last active {moment}",
                        device=item.device,
                        moment=item.last_active,
                    ),
                ),
            ),
            align="center",
            wrap="wrap",
            width="100%",
        ),
        width="100%",
    )


def sessions_page() -> rx.Component:
    return page_shell(
        back_link(tr("Back to settings"), routes.SETTINGS),
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


def your_data_page() -> rx.Component:
    """A client's data: all of it in one file to take away, or the account deleted."""
    return page_shell(
        back_link(tr("Back to settings"), routes.SETTINGS),
        rx.cond(
            YourDataState.data_loaded,
            rx.vstack(
                rx.el.section(
                    rx.vstack(
                        rx.heading(tr("Take everything with you"), as_="h2", size="4"),
                        rx.text(
                            tr(
                                "One file with everything you have here: your entries, check-ins, "
                                "homework answers, agendas and drafts, who you share each with, and "
                                "your care team. It holds a page to read in any browser and the same "
                                "data for other apps (JSON). It is made for you now and kept nowhere."
                            ),
                            size="2",
                        ),
                        rx.button(
                            rx.icon("download", aria_hidden="true"),
                            tr("Download all my data"),
                            size="3",
                            loading=YourDataState.preparing_download,
                            on_click=[YourDataState.begin_download, YourDataState.download_everything],
                        ),
                        spacing="3",
                        width="100%",
                    ),
                    width="100%",
                    padding_bottom="1.5em",
                    border_bottom="1px solid var(--gray-5)",
                ),
                _section(
                    tr("Delete your account"),
                    "delete",
                    rx.text(
                        tr(
                            "Everything you have here is deleted for good: your entries, check-ins, "
                            "homework answers, agendas and drafts. Your clinicians no longer see "
                            "anything you shared. It can't be undone: download your data first if "
                            "you'd like to keep it."
                        ),
                        size="2",
                    ),
                    _password_fields(YourDataState.two_step_on, "delete"),
                    _checkbox(
                        tr("I understand that everything will be deleted and can't be recovered."),
                        "confirm",
                        YourDataState.confirm_ticked,
                    ),
                    on_submit=[YourDataState.begin_delete, YourDataState.delete_account],
                    button=tr("Delete my account"),
                    working=YourDataState.deleting,
                    removes=True,
                ),
                spacing="5",
                width="100%",
            ),
            rx.center(rx.spinner(), role="status", aria_label=tr("Loading"), width="100%"),
        ),
        heading=tr("Your data"),
    )

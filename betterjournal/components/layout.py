"""The app shell: header, navigation, feedback, the crisis line. Mobile first."""

from __future__ import annotations

from typing import Any

import reflex as rx

from betterjournal import routes
from betterjournal.components.native_form import native_form
from betterjournal.components.reminders import reminder_banner
from betterjournal.components.text import LANGUAGE, Text, tr
from betterjournal.i18n import LANGUAGE_NAMES, LANGUAGES, N_
from betterjournal.state.base import AppState

CRISIS_LINE = N_("Betterjournal is not for emergencies. In crisis, call or text 988.")


class DocumentLanguage(rx.Component):
    """Sets <html lang> to the tab's language (assets/language.jsx)."""

    library = "$/public/language.jsx"
    tag = "DocumentLanguage"

    lang: rx.Var[str]
    chosen: rx.Var[str]  # the language the server chose for the tab, once it has


class BrowserTimeZone(rx.Component):
    """A hidden form field holding the browser's time zone (assets/language.jsx)."""

    library = "$/public/language.jsx"
    tag = "BrowserTimeZone"

    name: rx.Var[str]


class OnPage(rx.Component):
    """Its children only while the browser is on `path` (assets/page_feedback.jsx)."""

    library = "$/public/page_feedback.jsx"
    tag = "OnPage"

    path: rx.Var[str]


def feedback() -> rx.Component:
    """Notices are announced politely; problems assertively. Both say what to do next, and
    both belong to the page they were given on: another page never shows them."""
    return rx.box(
        OnPage.create(
            rx.cond(
                AppState.notice != "",
                rx.callout(AppState.notice, icon="check", color_scheme="teal", role="status", width="100%"),
            ),
            rx.cond(
                AppState.problem != "",
                rx.callout(AppState.problem, icon="info", color_scheme="amber", role="alert", width="100%"),
            ),
            path=AppState.feedback_on,
        ),
        width="100%",
    )


def footer(*extra: rx.Component) -> rx.Component:
    return rx.el.footer(
        rx.text(tr(CRISIS_LINE), size="2", color_scheme="gray", align="center"),
        rx.center(
            rx.link(tr("Install on your phone"), href=routes.INSTALL, size="2", **_tap_target("44px", "44px"))
        ),
        *extra,
        padding_y="1.5em",
        padding_x="1em",
        padding_bottom="6em",
        width="100%",
    )


def _tap_target(width: str, height: str) -> dict[str, Any]:
    """Props of a link at least `width` × `height` (a fingertip), its content centred."""
    return {
        "min_width": width,
        "min_height": height,
        "display": "flex",
        "align_items": "center",
        "justify_content": "center",
    }


def _nav_link(label: Text, href: str, icon: str) -> rx.Component:
    return rx.link(
        rx.vstack(
            rx.icon(icon, size=22, aria_hidden="true"), rx.text(label, size="1"), align="center", spacing="0"
        ),
        href=href,
        underline="none",
        **_tap_target("60px", "48px"),
    )


def _sign_out_form(*, everywhere: bool = False) -> rx.Component:
    return native_form(
        rx.el.input(type="hidden", name="form_token", value=AppState.form_token, read_only=True),
        *([rx.el.input(type="hidden", name="everywhere", value="yes", read_only=True)] if everywhere else []),
        rx.button(
            tr("Sign out on all devices") if everywhere else tr("Sign out"),
            type="submit",
            variant="ghost" if everywhere else "soft",
            color_scheme="gray",
            size="2",
            white_space="nowrap",
        ),
        action=routes.API_SIGN_OUT,
        method="post",
        flex_shrink="0",
    )


def _client_nav() -> rx.Component:
    return rx.hstack(
        _nav_link(tr("Journal"), routes.JOURNAL, "book-open"),
        _nav_link(tr("Write"), routes.WRITE, "pencil"),
        _nav_link(tr("Check in"), routes.CHECK_IN, "smile"),
        _nav_link(tr("Homework"), routes.HOMEWORK, "clipboard-list"),
        _nav_link(tr("Prepare"), routes.PREPARE, "calendar-check"),
        _nav_link(tr("Care team"), routes.CARE_TEAM, "users"),
        justify="center",
        spacing="0",
        width="100%",
    )


def _clinician_nav() -> rx.Component:
    return rx.hstack(
        _nav_link(tr("Caseload"), routes.CASELOAD, "calendar-check"),
        _nav_link(tr("Clients"), routes.CLIENTS, "users"),
        justify="center",
        spacing="2",
        width="100%",
    )


def _admin_nav() -> rx.Component:
    return rx.hstack(
        _nav_link(tr("Requests"), routes.ADMIN, "inbox"),
        _nav_link(tr("Settings"), routes.SETTINGS, "settings"),
        justify="center",
        spacing="2",
        width="100%",
    )


def _signed_out_here() -> rx.Component:
    """Shown at once when this device's session was ended from elsewhere (state/live.py)."""
    return rx.cond(
        AppState.signed_out_here,
        rx.callout(
            rx.text(
                tr("You're signed out on this device."),
                " ",
                rx.link(tr("Sign in again"), href=routes.SIGN_IN),
            ),
            icon="log-out",
            color_scheme="gray",
            role="alert",
            width="100%",
        ),
    )


def page_shell(*children: rx.Component, heading: Text) -> rx.Component:
    """A signed-in page: header with sign-out, feedback, content, footer, bottom tab bar."""
    return rx.box(
        DocumentLanguage.create(lang=LANGUAGE, chosen=AppState.language),
        rx.el.header(
            rx.hstack(
                rx.link(
                    rx.heading("Betterjournal", size="4"), href=routes.HOME, underline="none", flex_shrink="0"
                ),
                # The name gives way first on a narrow screen (or at 200 % zoom): "Camil…".
                rx.text(
                    AppState.viewer_name,
                    size="2",
                    color_scheme="gray",
                    flex="1",
                    min_width="0",
                    text_align="right",
                    white_space="nowrap",
                    overflow="hidden",
                    text_overflow="ellipsis",
                ),
                rx.link(
                    rx.icon("settings", size=20, aria_hidden="true"),
                    href=routes.SETTINGS,
                    aria_label=tr("Settings"),
                    title=tr("Settings"),
                    color_scheme="gray",
                    flex_shrink="0",
                    **_tap_target("44px", "44px"),
                ),
                _sign_out_form(),
                align="center",
                spacing="2",
                width="100%",
            ),
            padding="0.75em 1em",
            border_bottom="1px solid var(--gray-5)",
        ),
        _main(heading, (_signed_out_here(), reminder_banner(), *children), padding="1em", max_width="720px"),
        footer(rx.center(_sign_out_form(everywhere=True), padding_top="0.5em")),
        rx.el.nav(
            rx.match(
                AppState.viewer_role,
                ("clinician", _clinician_nav()),
                ("admin", _admin_nav()),
                _client_nav(),
            ),
            aria_label=tr("Main"),
            position="fixed",
            bottom="0",
            left="0",
            right="0",
            background="var(--color-panel-solid)",
            border_top="1px solid var(--gray-5)",
            padding_y="0.25em",
        ),
    )


def _main(
    heading: Text,
    children: tuple[rx.Component, ...],
    *,
    padding: str,
    max_width: str,
    above: rx.Component | None = None,
) -> rx.Component:
    """The page's one main column: its heading, the feedback line, then the content."""
    top = [above] if above is not None else []
    return rx.el.main(
        rx.vstack(
            *top,
            rx.heading(heading, as_="h1", size="6"),
            feedback(),
            *children,
            spacing="4",
            width="100%",
        ),
        padding=padding,
        max_width=max_width,
        margin_x="auto",
    )


def public_shell(*children: rx.Component, heading: Text) -> rx.Component:
    """Sign-in and registration: no navigation, the same calm frame, and a way to switch
    language before signing in."""
    return rx.box(
        DocumentLanguage.create(lang=LANGUAGE, chosen=AppState.language),
        _main(
            heading,
            children,
            padding="1.5em 1em",
            max_width="480px",
            above=rx.hstack(
                rx.heading("Betterjournal", size="5", color_scheme="teal"),
                rx.spacer(),
                _language_switch(),
                align="center",
                width="100%",
            ),
        ),
        footer(),
    )


def _language_switch() -> rx.Component:
    """The other language, named in its own words (and marked as that language)."""
    return rx.hstack(
        *[
            rx.cond(
                language != LANGUAGE,
                rx.button(
                    LANGUAGE_NAMES[language],
                    lang=language,
                    variant="ghost",
                    size="2",
                    on_click=AppState.choose_language(language),
                ),
            )
            for language in LANGUAGES
        ]
    )


def labelled_field(label: Text, control: rx.Component, *, hint: Text = "") -> rx.Component:
    """A visible label tied to its control by id, with an optional hint."""
    return rx.vstack(
        rx.el.label(label, html_for=control.id, font_weight="500"),  # type: ignore[attr-defined]
        control,
        rx.cond(hint != "", rx.text(hint, size="1", color_scheme="gray")),
        spacing="1",
        width="100%",
    )

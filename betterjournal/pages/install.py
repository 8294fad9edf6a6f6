"""Install on your phone: how to put Betterjournal on the home screen (public and signed in).

The browser's own install prompt is offered here, and only here, where the browser has
one (components/pwa.py InstallButton); the other pages never ask.
"""

from __future__ import annotations

import reflex as rx

from betterjournal.components.layout import page_shell, public_shell
from betterjournal.components.pwa import InstallButton
from betterjournal.components.text import Text, tr
from betterjournal.state.base import AppState


def _steps(heading: Text, *steps: Text, numbered: bool = True) -> rx.Component:
    items = [rx.el.li(rx.text(step, size="3"), margin_bottom="0.4em") for step in steps]
    listing = rx.el.ol if numbered else rx.el.ul
    return rx.el.section(
        rx.heading(heading, as_="h2", size="4"),
        listing(
            *items,
            list_style_type="decimal" if numbered else "disc",
            padding_left="1.75em",
            margin_top="0.5em",
        ),
        width="100%",
    )


def _content() -> rx.Component:
    return rx.vstack(
        rx.text(
            tr(
                "Betterjournal can sit on your home screen like an app and open in its own "
                "window. Your journal stays on our server, not on your phone."
            )
        ),
        InstallButton.create(
            rx.button(tr("Install Betterjournal"), type="button", size="3"),
            installed_text=tr("Betterjournal is on your home screen."),
        ),
        _steps(
            tr("Android (Chrome)"),
            tr("Open Betterjournal in Chrome."),
            tr("Tap the menu (⋮) at the top right."),
            tr("Tap Install app or Add to Home screen."),
            tr("Tap Install. Betterjournal is now with your other apps."),
        ),
        _steps(
            tr("iPhone and iPad (Safari)"),
            tr("Open Betterjournal in Safari."),
            tr("Tap the Share button (a square with an arrow pointing up)."),
            tr("Scroll down and tap Add to Home Screen."),
            tr("Tap Add. Betterjournal is now on your home screen."),
        ),
        _steps(
            tr("Without a connection"),
            tr("The app says it is offline instead of showing an error."),
            tr("If you were writing, your words stay on screen and are saved when you're back online."),
            numbered=False,
        ),
        spacing="4",
        width="100%",
    )


def install_page() -> rx.Component:
    heading = tr("Install on your phone")
    return rx.cond(
        AppState.viewer_role != "",
        page_shell(_content(), heading=heading),
        public_shell(_content(), heading=heading),
    )

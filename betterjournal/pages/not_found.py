"""The page for an address that isn't one of the app's (a mistyped or old link): calm, in
the person's language, with the way on (public and signed in)."""

from __future__ import annotations

import reflex as rx

from betterjournal import routes
from betterjournal.components.layout import page_shell, public_shell
from betterjournal.components.text import tr
from betterjournal.state.base import AppState


def _content() -> rx.Component:
    return rx.vstack(
        rx.text(tr("The address may have a typo, or the page has moved. Nothing you wrote is affected.")),
        rx.link(tr("Go to the start page"), href=routes.HOME),
        spacing="3",
        width="100%",
    )


def not_found_page() -> rx.Component:
    heading = tr("This page doesn't exist")
    return rx.cond(
        AppState.viewer_role != "",
        page_shell(_content(), heading=heading),
        public_shell(_content(), heading=heading),
    )

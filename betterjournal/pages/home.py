"""The front door, which sends each person to their own work, and the admin page."""

from __future__ import annotations

import reflex as rx

from betterjournal.components.layout import footer, page_shell
from betterjournal.components.text import tr


def home_page() -> rx.Component:
    return rx.box(
        rx.center(rx.spinner(size="3"), rx.text(tr("Opening…")), padding="3em", role="status"),
        footer(),
    )


def admin_page() -> rx.Component:
    return page_shell(
        rx.text(
            tr(
                "Administrators read no journal content. Accounts are managed with the "
                "betterjournal console command."
            )
        ),
        heading=tr("Administration"),
    )

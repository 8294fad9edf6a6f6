"""The gentle reminder banner at the top of signed-in pages: calm, dismissible, and saying
only where to go (never what is there)."""

from __future__ import annotations

import reflex as rx

from betterjournal.components.inputs import dismiss_button
from betterjournal.components.text import tr
from betterjournal.emails import reminder_words
from betterjournal.state.base import AppState
from betterjournal.state.reminders import ReminderBannerState


def _words(kind: str) -> rx.Component:
    sentence, label = reminder_words(kind)
    return rx.fragment(
        rx.text(tr(sentence), size="2"),
        rx.link(
            tr(label),
            href=ReminderBannerState.reminder_href,
            weight="medium",
            size="2",
            display="inline-flex",
            align_items="center",
            min_height="44px",
        ),
    )


def reminder_banner() -> rx.Component:
    """Shown to a client when a reminder they asked for is due, until they dismiss it."""
    return rx.cond(
        AppState.viewer_role == "client",
        rx.box(
            rx.cond(
                ReminderBannerState.reminder_kind != "",
                rx.el.aside(
                    rx.hstack(
                        rx.icon("bell", size=18, aria_hidden="true", flex_shrink="0", margin_top="2px"),
                        rx.vstack(
                            rx.match(
                                ReminderBannerState.reminder_kind,
                                ("journal", _words("journal")),
                                ("homework", _words("homework")),
                                _words("check_in"),
                            ),
                            spacing="0",
                            flex="1",
                            min_width="0",
                        ),
                        dismiss_button(tr("Dismiss this reminder"), ReminderBannerState.dismiss_reminder),
                        align="start",
                        spacing="3",
                        width="100%",
                    ),
                    aria_label=tr("Reminder"),
                    padding="0.75em 0.5em 0.75em 1em",
                    border_radius="var(--radius-3)",
                    background="var(--teal-2)",
                    border="1px solid var(--teal-6)",
                    width="100%",
                ),
            ),
            width="100%",
            # No box of its own in the page's column: with no banner it takes no room (and no
            # gap), so the page doesn't move down when a client's page has loaded.
            display="contents",
        ),
    )

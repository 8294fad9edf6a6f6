"""The gentle reminder banner at the top of signed-in pages: calm, dismissible, and saying
only where to go (never what is there)."""

from __future__ import annotations

import reflex as rx

from betterjournal.components.inputs import dismiss_button
from betterjournal.components.text import tr
from betterjournal.i18n import N_
from betterjournal.state.base import AppState
from betterjournal.state.reminders import ReminderBannerState

# Shorter than the email's sentences: the bell and the banner's name ("Reminder") say what
# it is (at 200 % text, "A reminder from Betterjournal: …" filled a phone's first screen).
_WORDS = {
    "check_in": (N_("A moment to check in?"), N_("Check in")),
    "journal": (N_("A moment to write?"), N_("Write")),
    "homework": (N_("Something on your list is due today."), N_("Open your list")),
}


def _words(kind: str) -> rx.Component:
    """The sentence across the banner, then the way there and the way to put it away: beside
    a column of their own, the words had a third of a 320-px screen at 200 % text, one word
    a line."""
    sentence, label = _WORDS[kind]
    return rx.fragment(
        rx.text(
            rx.icon("bell", size=18, aria_hidden="true", display="inline", vertical_align="-0.15em"),
            " ",
            tr(sentence),
            size="2",
            class_name="whole-words",  # the app's own words: never cut mid-word
            # Read out as it arrives on an open page (a walk-through's screen reader said
            # nothing), calmly: after what is being read.
            role="status",
        ),
        rx.hstack(
            rx.link(
                tr(label),
                href=ReminderBannerState.reminder_href,
                weight="medium",
                size="2",
                display="inline-flex",
                align_items="center",
                min_height="44px",
                flex="1",  # the row's room, so "Check in" stays on one line in large text
                class_name="whole-words",
            ),
            dismiss_button(tr("Dismiss this reminder"), ReminderBannerState.dismiss_reminder),
            justify="between",
            align="center",
            width="100%",
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
                    rx.match(
                        ReminderBannerState.reminder_kind,
                        ("journal", _words("journal")),
                        ("homework", _words("homework")),
                        _words("check_in"),
                    ),
                    aria_label=tr("Reminder"),
                    padding="0.75em 0.5em 0.25em 1em",
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

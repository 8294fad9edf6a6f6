"""Settings: the person's language and time zone."""

from __future__ import annotations

import reflex as rx

from betterjournal.components.layout import labelled_field, page_shell
from betterjournal.components.text import tr
from betterjournal.i18n import LANGUAGE_NAMES
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
        font_size="16px",
        min_height="44px",
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
        heading=tr("Settings"),
    )

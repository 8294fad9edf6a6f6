"""Light, dark, or the phone's own setting: a choice kept by this browser (Reflex's
color mode, in localStorage). It is not personal data, so the server never sees it."""

from __future__ import annotations

import reflex as rx
from reflex_base.style import color_mode, set_color_mode

from betterjournal.components.inputs import radio_button, radio_row
from betterjournal.components.text import tr
from betterjournal.i18n import N_

_CHOICES = (
    ("light", N_("Light"), "sun"),
    ("dark", N_("Dark"), "moon"),
    ("system", N_("Same as my phone"), "smartphone"),
)


def appearance_choice() -> rx.Component:
    """Three choices, one chosen (a radio group); the page changes at once."""
    return rx.vstack(
        rx.text(tr("Appearance"), id="appearance-label", weight="medium"),
        radio_row(
            *[
                radio_button(
                    rx.fragment(rx.icon(icon, size=18, aria_hidden="true"), tr(label)),
                    color_mode == mode,
                    set_color_mode(mode),  # type: ignore[arg-type]
                    size="3",
                )
                for mode, label, icon in _CHOICES
            ],
            aria_labelledby="appearance-label",
            spacing="2",
            wrap="wrap",
        ),
        spacing="2",
        width="100%",
    )

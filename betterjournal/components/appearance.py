"""Light, dark, or the phone's own setting: a choice kept by this browser (Reflex's
color mode, in localStorage). It is not personal data, so the server never sees it."""

from __future__ import annotations

import reflex as rx
from reflex_base.style import color_mode, set_color_mode

from betterjournal.components.text import tr
from betterjournal.i18n import N_

_CHOICES = (
    ("light", N_("Light"), "sun"),
    ("dark", N_("Dark"), "moon"),
    ("system", N_("Same as my phone"), "smartphone"),
)


def appearance_choice() -> rx.Component:
    """Three buttons, the chosen one pressed; the page changes at once."""
    return rx.vstack(
        rx.text(tr("Appearance"), id="appearance-label", weight="medium"),
        rx.hstack(
            *[
                rx.button(
                    rx.icon(icon, size=18, aria_hidden="true"),
                    tr(label),
                    type="button",
                    variant=rx.cond(color_mode == mode, "solid", "outline"),
                    aria_pressed=rx.cond(color_mode == mode, "true", "false"),
                    on_click=set_color_mode(mode),  # type: ignore[arg-type]
                    size="3",
                )
                for mode, label, icon in _CHOICES
            ],
            role="group",
            aria_labelledby="appearance-label",
            spacing="2",
            wrap="wrap",
        ),
        spacing="2",
        width="100%",
    )

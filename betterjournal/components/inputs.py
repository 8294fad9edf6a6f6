"""Controls more than one page uses."""

from __future__ import annotations

from typing import Any

import reflex as rx


class RadioKeys(rx.Component):
    """The keys of a radio group for the radios in its parent: one Tab stop, arrows to move
    and choose, Home and End (assets/choices.jsx)."""

    library = "$/public/choices.jsx"
    tag = "RadioKeys"


def number_grid(chosen: Any, choose: Any, labelled_by: Any, description: Any = None) -> rx.Component:
    """0–10 as large buttons (one tap each), a radio group to assistive technology and the
    keyboard (one Tab stop, arrow keys): the one chosen is checked."""
    return rx.grid(
        *[
            rx.button(
                str(value),
                type="button",
                size="3",
                role="radio",
                variant=rx.cond(chosen == value, "solid", "outline"),
                aria_checked=rx.cond(chosen == value, "true", "false"),
                on_click=choose(value),
                min_height="2.75rem",
                white_space="nowrap",  # "10" is one number, whatever the width
            )
            for value in range(11)
        ],
        RadioKeys.create(),
        # As many fingertip-wide columns as fit: seven on a phone, fewer when the text is
        # larger (the buttons grow with it), one row on a laptop.
        grid_template_columns="repeat(auto-fill, minmax(var(--tap), 1fr))",
        spacing="2",
        width="100%",
        role="radiogroup",
        aria_labelledby=labelled_by,
        **({"aria_description": description} if description is not None else {}),
    )


def choice_chip(label: Any, chosen: Any, on_click: Any) -> rx.Component:
    """One of several choices that can each be on or off (a check-in's tags, the reasons
    for "I couldn't do it"): a rounded chip, ticked when chosen. Drawn apart from the
    page's action buttons, so a chosen one never reads as "do this"."""
    return rx.button(
        rx.cond(chosen, rx.icon("check", size=16, aria_hidden="true")),
        label,
        type="button",
        size="2",
        radius="full",
        variant=rx.cond(chosen, "soft", "outline"),
        aria_pressed=rx.cond(chosen, "true", "false"),
        on_click=on_click,
        min_height="2.75rem",
    )

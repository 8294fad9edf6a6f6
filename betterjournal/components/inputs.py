"""Controls more than one page uses."""

from __future__ import annotations

from typing import Any, Literal

import reflex as rx


class RadioKeys(rx.Component):
    """The keys of a radio group for the radios in its parent: one Tab stop, arrows to move
    and choose, Home and End (assets/choices.jsx)."""

    library = "$/public/choices.jsx"
    tag = "RadioKeys"


def radio_button(
    label: Any, checked: Any, on_click: Any, *, unchecked: Literal["outline", "soft"] = "outline", **props
) -> rx.Component:
    """One choice of a `radio_row`: a button, solid when it is the one chosen."""
    return rx.button(
        label,
        type="button",
        role="radio",
        aria_checked=rx.cond(checked, "true", "false"),
        variant=rx.cond(checked, "solid", unchecked),
        on_click=on_click,
        **props,
    )


def show_more(more: Any, label: Any, on_click: Any) -> rx.Component:
    """Under a list shown in part: a button that lists more of it, while there is more."""
    return rx.cond(more, rx.button(label, variant="soft", size="3", on_click=on_click))


def radio_row(*choices: rx.Component, container: Any = rx.hstack, **props) -> rx.Component:
    """Buttons of which one is chosen (`radio_button`s), as a radio group for assistive
    technology and the keyboard: one Tab stop, the arrow keys move and choose. Name it
    with `aria_labelledby` or `aria_label`."""
    return container(*choices, RadioKeys.create(), role="radiogroup", **props)


def number_grid(chosen: Any, choose: Any, labelled_by: Any, description: Any = None) -> rx.Component:
    """0–10 as large buttons (one tap each), a radio group: the one chosen is checked."""
    return radio_row(
        *[
            radio_button(
                str(value),
                chosen == value,
                choose(value),
                size="3",
                min_height="2.75rem",
                white_space="nowrap",  # "10" is one number, whatever the width
            )
            for value in range(11)
        ],
        container=rx.grid,
        # As many fingertip-wide columns as fit: seven on a phone, fewer when the text is
        # larger (the buttons grow with it), one row on a laptop.
        grid_template_columns="repeat(auto-fill, minmax(var(--tap), 1fr))",
        spacing="2",
        width="100%",
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
        class_name="bj-chip",  # a person's own words: wrapped anywhere (assets/app.css)
    )


def dismiss_button(label: Any, on_click: Any, **props) -> rx.Component:
    """A × that puts something away (a reminder, a notice): `label` is its name and its
    tooltip; a fingertip wide whatever the text size."""
    return rx.button(
        rx.icon("x", size=18, aria_hidden="true"),
        aria_label=label,
        title=label,
        variant="ghost",
        color_scheme="gray",
        # --tap: 44 px, and no more on a phone in large text (2.75rem was 88 px at 200 %,
        # and with its padding took half a reminder's row)
        min_width="var(--tap)",
        min_height="var(--tap)",
        padding="0",
        margin="0",
        on_click=on_click,
        **props,
    )


def removing_button(label: Any, **props: Any) -> rx.Component:
    """An `ask_first` dialog's button that removes something (delete, discard, withdraw):
    red, not the page's own colour (a walk-through read the dialog's "Delete" as "Save")."""
    return rx.button(label, type="button", variant="outline", color_scheme="red", **props)


def ask_first(
    label: Any,
    *,
    dialog_id: str | rx.Var[str],
    question: Any,
    explanation: Any,
    keep: Any,
    go_ahead: rx.Component,
    **button_props: Any,
) -> rx.Component:
    """A button (`label`) that asks `question` before `go_ahead` (a `type="button"` button,
    or a whole form) does anything: the browser's own modal dialog. The page behind it is
    inert; the focus goes to `keep`, the first button; a tap on any of its buttons closes
    it, as Escape does, and the focus goes back to the button. `dialog_id` is unique on the
    page. (A Radix alert dialog did the same with 39 KB of script that every page's footer
    loaded.) No form of its own: the dialog may sit inside a page's form (the editor's)."""
    dialog_id = rx.Var.create(dialog_id).to(str)
    open_it = rx.Var(
        f"(() => document.getElementById({dialog_id})?.showModal())",
        _var_data=dialog_id._get_all_var_data(),
    )
    # After the tapped button's own action (the click reaches the dialog after it).
    close_after_a_button = rx.Var(
        "((event) => { if (event.target.closest('button')) event.currentTarget.close(); })"
    )
    return rx.fragment(
        rx.button(
            label, type="button", aria_haspopup="dialog", custom_attrs={"onClick": open_it}, **button_props
        ),
        rx.el.dialog(
            rx.heading(question, as_="h2", size="5", id=dialog_id + "-question"),
            rx.text(explanation, size="3", as_="div", id=dialog_id + "-explanation"),
            rx.el.div(
                rx.button(keep, type="button", variant="soft", color_scheme="gray"),
                go_ahead,
                class_name="bj-dialog-buttons",
            ),
            id=dialog_id,
            role="alertdialog",
            aria_labelledby=dialog_id + "-question",
            aria_describedby=dialog_id + "-explanation",
            class_name="bj-dialog",
            custom_attrs={"onClick": close_after_a_button},
        ),
    )

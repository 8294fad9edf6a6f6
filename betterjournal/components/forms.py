"""Forms and their fields, one way each: `form` for a form the app answers over the websocket
(`native_form` is the one the browser posts itself), a labelled text field (a password one can
be shown), a native select, and the plain HTML forms' small kindnesses (assets/forms.jsx: what
was typed comes back after an error)."""

from __future__ import annotations

from typing import Any

import reflex as rx

from betterjournal.components.layout import labelled_field
from betterjournal.components.text import LANGUAGE, Text, tr, tr_counted


class KeepTyped(rx.Component):
    """Inside a form: its fields named in `fields` (comma-separated, never a password) are
    filled again when the server sends the form back with an error, or, `to` a page, filled
    in there (the address a password was just chosen for, on the sign-in page)."""

    library = "$/public/forms.jsx"
    tag = "KeepTyped"

    fields: rx.Var[str]
    to: rx.Var[str]


class KeepUnsent(rx.Component):
    """Inside a form: what was typed in it and not sent yet comes back when the person returns
    from another page of the app (kept in the tab's memory under `name`, never stored)."""

    library = "$/public/forms.jsx"
    tag = "KeepUnsent"

    name: rx.Var[str]


class SaveOnChange(rx.Component):
    """Inside a form: each change made in it sends the form at once (its on_submit)."""

    library = "$/public/forms.jsx"
    tag = "SaveOnChange"


class ShowPassword(rx.Component):
    """A button showing or hiding the password in the field with id `target`."""

    library = "$/public/forms.jsx"
    tag = "ShowPassword"

    target: rx.Var[str]
    show_label: rx.Var[str]  # its name: "Show password" (it shows an eye)
    hide_label: rx.Var[str]


class CharactersLeft(rx.Component):
    """ "12 characters left" under the field with id `target`, once few of its `limit` are
    left (counted in the browser as the person types)."""

    library = "$/public/forms.jsx"
    tag = "CharactersLeft"

    target: rx.Var[str]
    limit: rx.Var[int]
    value: rx.Var[str]  # what the server last put in the field
    one: rx.Var[str]
    other: rx.Var[str]
    over_one: rx.Var[str]  # past the limit: "{count} character too many"
    over_other: rx.Var[str]
    language: rx.Var[str]


def form(*children: rx.Component, **props: Any) -> rx.Component:
    """A form the app answers over the websocket (its `on_submit` gets the fields by name):
    Reflex's HTML form, the page's width by class. Not Radix's form primitive: none of its
    parts is used, and it cost every form six components and a style worked out in the
    browser."""
    return rx.el.form(*children, class_name="bj-form", **props)


def characters_left(target: str | rx.Var, limit: int | rx.Var, *, value: str | rx.Var = "") -> rx.Component:
    """How many characters the field `target` still takes, shown near its limit; place it
    right after the field (`labelled_field(..., after=...)`)."""
    one, other = tr_counted("{count} character left", "{count} characters left")
    over_one, over_other = tr_counted("{count} character too many", "{count} characters too many")
    return CharactersLeft.create(
        target=target,
        limit=limit,
        value=value,
        one=one,
        other=other,
        over_one=over_one,
        over_other=over_other,
        language=LANGUAGE,
    )


def form_field(
    label: Text, name: str, *, hint: Text = "", required: bool = True, field_id: str = "", **props
) -> rx.Component:
    """A labelled text field; `name` is its form key and, unless `field_id` is given, its id
    (one page with two forms holding a field of the same name gives each its own id: Reflex
    also sends each field by its id, the last one drawn winning). A password field has a
    button to show what was typed."""
    field_id = field_id or name
    slots = []
    if props.get("type") == "password":
        slots.append(
            rx.input.slot(
                ShowPassword.create(
                    target=field_id,
                    show_label=tr("Show password"),
                    hide_label=tr("Hide password"),
                ),
                side="right",
            )
        )
    control = rx.input(*slots, id=field_id, name=name, required=required, size="3", width="100%", **props)
    return labelled_field(label, control, hint=hint)


# A native control's look beside Radix's fields: the phone's own picker, 16 px text (no zoom
# on focus), a 44 px target, the theme's border and surface in light and dark.
NATIVE_CONTROL: dict[str, Any] = {
    "font_size": "1rem",
    "min_height": "2.75rem",
    "padding_x": "0.5em",
    "border": "1px solid var(--gray-8)",
    "border_radius": "var(--radius-2)",
    "background": "var(--color-surface)",
    "color": "var(--gray-12)",
    # Never wider than the room it has: a date field keeps its own width (323 px at 320 px
    # in large text) unless told.
    "max_width": "100%",
    "min_width": "0",
    "box_sizing": "border-box",
}


def native_select(name: str, *options: rx.Component, **props) -> rx.Component:
    """A native select (the phone's own picker); `name` is also its id and form key."""
    return rx.el.select(*options, **{"id": name, "name": name, "width": "100%", **NATIVE_CONTROL, **props})


def recovery_codes(codes: Any, download: Any) -> rx.Component:
    """Recovery codes shown once, with a way to keep them as a file."""
    return rx.vstack(
        rx.el.ul(
            rx.foreach(codes, lambda code: rx.el.li(rx.code(code, size="3"), padding_y="0.2em")),
            aria_label=tr("Recovery codes"),
            padding_left="1.2em",
            margin="0",
        ),
        rx.button(
            rx.icon("download", size=18, aria_hidden="true"),
            tr("Download the codes"),
            variant="soft",
            size="3",
            on_click=download,
        ),
        spacing="3",
        width="100%",
    )


def words_input(**props: Any) -> rx.Component:
    """A one-line field for a person's own words (a title, an answer, a note, a name): its
    spelling is checked, as in a text area (Radix turns spell checking off in every input)."""
    return rx.input(spell_check=True, **props)

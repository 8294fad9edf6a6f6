"""The plain HTML forms' small kindnesses (assets/forms.jsx): what was typed comes back
after an error, and a password can be shown while it is typed."""

from __future__ import annotations

import reflex as rx

from betterjournal.components.layout import labelled_field
from betterjournal.components.text import Text, tr


class KeepTyped(rx.Component):
    """Inside a form: its fields named in `fields` (comma-separated, never a password) are
    filled again when the server sends the form back with an error."""

    library = "$/public/forms.jsx"
    tag = "KeepTyped"

    fields: rx.Var[str]


class ShowPassword(rx.Component):
    """A button showing or hiding the password in the field with id `target`."""

    library = "$/public/forms.jsx"
    tag = "ShowPassword"

    target: rx.Var[str]
    show_label: rx.Var[str]
    hide_label: rx.Var[str]


def form_field(label: Text, name: str, *, hint: Text = "", required: bool = True, **props) -> rx.Component:
    """A labelled text field; `name` is also its id and form key. A password field has a
    button to show what was typed."""
    slots = []
    if props.get("type") == "password":
        slots.append(
            rx.input.slot(
                ShowPassword.create(
                    target=name, show_label=tr("Show password"), hide_label=tr("Hide password")
                ),
                side="right",
            )
        )
    control = rx.input(*slots, id=name, name=name, required=required, size="3", width="100%", **props)
    return labelled_field(label, control, hint=hint)

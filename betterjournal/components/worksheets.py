"""The one worksheet renderer: any definition (built-in or a clinician's), to fill in or to
read. Its fields come as views.FieldView: each field has rows of controls (one row for a
single answer, one per item for a list or a table), so one set of controls serves all."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Protocol

import reflex as rx
from reflex_base.event import input_event
from reflex_components_core.el.elements.forms import Input

from betterjournal import routes
from betterjournal.components.entries import entry_body
from betterjournal.components.forms import NATIVE_CONTROL, characters_left, words_input
from betterjournal.components.inputs import number_grid, radio_button, radio_row
from betterjournal.components.text import tr
from betterjournal.core.worksheets import LIST, PROMPT_ANSWER, PROMPT_LIBRARY, SHORT_MAX
from betterjournal.views import CellView, FieldView, RowView

# Where a prompt's questions are on its page: they describe its answer's field.
PROMPT_QUESTIONS_ID = "bj-prompt-questions"


# What a control does when answered: (cell, value) -> the event that saves it.
class Answer(Protocol):
    """Sends one control's answer; `resting`: a slider let go of where it rests (see
    WorksheetState.choose_resting)."""

    def __call__(self, cell: Any, value: Any, *, resting: bool = False) -> Any: ...


def _text_control(cell: CellView, answer: Answer, *, long: bool) -> rx.Component:
    control = (
        rx.text_area(
            id=cell.key,
            on_change=lambda value: answer(cell, value),
            size="3",
            width="100%",
            min_height="6em",
            # A prompt's answer is described by its questions, above it (a screen reader
            # landing in the field heard only "Answer": walk-through).
            aria_describedby=rx.cond(cell.field == PROMPT_ANSWER.id, PROMPT_QUESTIONS_ID, ""),
        )
        if long
        else words_input(
            id=cell.key,
            on_change=lambda value: answer(cell, value),
            max_length=SHORT_MAX,
            size="3",
            width="100%",
        )
    )
    # Its words also go as the tab closes (assets/page_feedback.jsx): which control it is,
    # and the answer the server last gave this page for it (`seen`: words written since on
    # another device are kept apart before the beacon's are written over them).
    where = {
        "data-keep": "",
        "data-keep-field": cell.field,
        "data-keep-row": cell.row,
        "data-keep-column": cell.column,
        "data-keep-seen": cell.text,
    }
    typed = rx.debounce_input(control, value=cell.text, debounce_timeout=700, custom_attrs=where)
    # Near its limit, what is left; past it, how many too many (kept as a draft a fifth past
    # it; Save and Return wait until it fits: WorksheetState._save).
    return rx.fragment(typed, characters_left(cell.key, cell.limit, value=cell.text))


class RangeInput(Input):
    """A native range input that also gives its value when the finger or mouse lets go:
    a tap on the thumb where it rests (50, before any answer) changes nothing, so sends no
    change, and must still choose 50. (That value only chooses while there is no answer:
    by the time the finger lifts, the controlled input may show 50 again until the server
    answers the tap's own change.)"""

    on_pointer_up: rx.EventHandler[input_event]


def _slider(cell: CellView, answer: Answer) -> rx.Component:
    """0–100 in steps of 5: a native range input (keyboard and screen readers know it). Not
    answered yet, it says so (in words, and to screen readers) rather than a number, and no
    thumb is drawn where it rests (assets/app.css): nothing looks like a chosen 50.

    The browser keeps its value (`default_value`, drawn once the answers are loaded): held
    by the server instead, each quick arrow press was put back by the answer to the one
    before (five presses moved it 10, in a walk-through)."""
    not_rated = tr("Not rated yet")
    return rx.hstack(
        RangeInput.create(
            key=cell.drawn,  # a row removed above: drawn afresh with its own row's value
            id=cell.key,
            type="range",
            min=0,
            max=100,
            step=5,
            default_value=rx.cond(cell.text != "", cell.text, "50"),
            aria_valuetext=rx.cond(cell.text != "", cell.text, not_rated),
            on_change=lambda value: answer(cell, value),
            on_pointer_up=lambda value: answer(cell, value, resting=True),
            width="100%",
            flex="1 1 8rem",
            min_height="2.75rem",
            custom_attrs={"data-answered": rx.cond(cell.text != "", "true", "false")},
        ),
        # Beside the slider; under it in large text rather than cut mid-word.
        rx.text(rx.cond(cell.text != "", cell.text, not_rated), min_width="4ch", aria_hidden="true"),
        width="100%",
        align="center",
        wrap="wrap",
    )


def _yes_no(cell: CellView, answer: Answer) -> rx.Component:
    def choice(label: Any, value: bool, flag: str) -> rx.Component:
        return radio_button(label, cell.flag == flag, answer(cell, value), size="3", min_height="2.75rem")

    return radio_row(
        choice(tr("Yes"), True, "yes"),
        choice(tr("No"), False, "no"),
        aria_labelledby=cell.key + "-label",
        spacing="2",
    )


def _control(cell: CellView, answer: Answer) -> rx.Component:
    return rx.match(  # type: ignore[return-value]
        cell.type,
        ("long_text", _text_control(cell, answer, long=True)),
        ("scale_10", number_grid(cell.number, lambda value: answer(cell, value), cell.key + "-label")),
        ("slider_100", _slider(cell, answer)),
        ("yes_no", _yes_no(cell, answer)),
        (
            "date",
            rx.el.input(
                id=cell.key,
                type="date",
                value=cell.text,
                on_change=lambda value: answer(cell, value),
                **NATIVE_CONTROL,
            ),
        ),
        _text_control(cell, answer, long=False),
    )


def _labelled(cell: CellView, control: rx.Component) -> rx.Component:
    """The control with its visible label (a <label> for inputs, a group's name otherwise)."""
    return rx.vstack(
        rx.el.label(cell.label, html_for=cell.key, id=cell.key + "-label", font_weight="500"),
        control,
        spacing="1",
        width="100%",
    )


def _filled_row(
    field: FieldView, row: RowView, answer: Answer, remove: Callable[[Any, Any], Any]
) -> rx.Component:
    return rx.el.fieldset(
        # A list's item is one field, labelled "Item 2" itself: no legend saying it again.
        rx.cond(field.type != LIST, rx.el.legend(row.label, font_weight="500", class_name="whole-words")),
        rx.vstack(
            rx.foreach(row.cells, lambda cell: _labelled(cell, _control(cell, answer))),
            rx.button(
                tr("Remove"),
                type="button",
                variant="ghost",
                color_scheme="gray",
                size="2",
                aria_label=tr("Remove {item}", item=row.label),
                on_click=remove(field.id, row.index),
                # The focus then goes to the next item's Remove, else to the list's Add
                # (assets/page_feedback.jsx), not back to the top of the page.
                custom_attrs={"data-focus-after": "add-" + field.id},
            ),
            spacing="2",
            width="100%",
        ),
        border="1px solid var(--gray-5)",
        border_radius="var(--radius-3)",
        padding="12px",  # not em: in large text the words need the width more than the frame
        width="100%",
    )


def _rows_button(icon: str, label: Any, on_click: Any, **props: Any) -> rx.Component:
    """A button that changes a list's rows: add one, or start from the names above."""
    return rx.button(
        rx.icon(icon, aria_hidden="true"), label, type="button", variant="soft", on_click=on_click, **props
    )


def worksheet_form(
    fields: Any,
    answer: Answer,
    add: Callable[[Any], Any],
    remove: Callable[[Any, Any], Any],
    carry: Callable[[Any], Any],
    *,
    kept_by: Mapping[str, Any],
) -> rx.Component:
    """Every field of a worksheet as controls: each answer is sent as it is given. A text
    answer typed just before the tab closes goes to the route `kept_by["url"]` with the
    rest of `kept_by` (assets/page_feedback.jsx: what a closing tab hands over)."""

    def one(field: FieldView) -> rx.Component:
        return rx.cond(
            field.repeatable,
            rx.el.fieldset(
                rx.el.legend(field.label, font_weight="600", font_size="1.05em", class_name="whole-words"),
                rx.cond(field.hint != "", rx.text(field.hint, size="2", color_scheme="gray")),
                rx.cond(
                    field.carry_label != "",
                    _rows_button("copy", field.carry_label, carry(field.id), margin_top="0.5em"),
                ),
                rx.vstack(
                    rx.foreach(field.rows, lambda row: _filled_row(field, row, answer, remove)),
                    rx.cond(
                        ~field.full,
                        _rows_button(
                            "plus",
                            field.add_label,
                            add(field.id),
                            aria_label=tr("Add another: {label}", label=field.label),
                            id="add-" + field.id,
                            # The new item's field takes the focus (assets/page_feedback.jsx).
                            custom_attrs={"data-focus-new": "list-" + field.id},
                        ),
                    ),
                    spacing="3",
                    width="100%",
                    padding_top="0.5em",
                ),
                width="100%",
                border="none",
                padding="0",
                margin="0",
                id="list-" + field.id,
            ),
            rx.vstack(
                rx.foreach(
                    field.rows,
                    lambda row: rx.foreach(row.cells, lambda cell: _labelled(cell, _control(cell, answer))),
                ),
                rx.cond(field.hint != "", rx.text(field.hint, size="2", color_scheme="gray")),
                spacing="1",
                width="100%",
            ),
        )

    return rx.vstack(
        rx.foreach(fields, one),
        spacing="5",
        width="100%",
        custom_attrs={f"data-keep-{name}": value for name, value in kept_by.items()},
    )


def worksheet_answers(fields: Any, *, level: str = "h3") -> rx.Component:
    """A worksheet's answers to read, laid out like the worksheet (user text as plain text),
    each field under a heading at `level` (one below the page's own)."""

    def cell(one: CellView) -> rx.Component:
        return rx.vstack(
            rx.text(one.label, size="2", color_scheme="gray"),
            entry_body(one.shown),
            spacing="0",
            width="100%",
        )

    def one(field: FieldView) -> rx.Component:
        return rx.vstack(
            rx.heading(field.label, as_=level, size="3", class_name="whole-words"),
            rx.cond(
                field.rows.length() > 0,  # type: ignore[attr-defined]
                rx.foreach(
                    field.rows,
                    lambda row: rx.cond(
                        field.repeatable,
                        rx.card(rx.vstack(rx.foreach(row.cells, cell), spacing="2"), width="100%"),
                        rx.foreach(row.cells, lambda c: entry_body(c.shown)),
                    ),
                ),
                entry_body("—"),
            ),
            spacing="2",
            width="100%",
        )

    return rx.vstack(rx.foreach(fields, one), spacing="4", width="100%")


def prompt_links() -> rx.Component:
    """The library's journaling prompts, each a link to write an entry from it."""
    return rx.vstack(
        *[
            rx.link(tr(question), href=f"{routes.WORKSHEET}?prompt={index}")
            for index, question in enumerate(PROMPT_LIBRARY)
        ],
        spacing="2",
    )

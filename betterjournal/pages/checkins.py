"""Mood check-ins: a new one in a few taps, the charts and the list, one check-in, and a
clinician's charts of what a client shares."""

from __future__ import annotations

from typing import Any

import plotly.colors
import plotly.graph_objects as go
import reflex as rx

from betterjournal import charts, routes
from betterjournal.components.entries import (
    back_link,
    card_link,
    empty_state,
    entry_body,
    loading,
    pager,
    title_and_badge,
    unavailable_or_loading,
)
from betterjournal.components.forms import NATIVE_CONTROL, characters_left, form, words_input
from betterjournal.components.inputs import (
    ask_first,
    choice_chip,
    number_grid,
    radio_button,
    radio_row,
    removing_button,
)
from betterjournal.components.items import edit_and_delete, share_controls, who_sees_edits
from betterjournal.components.layout import (
    WhenNear,
    WhenOpen,
    labelled_field,
    link_button,
    page_shell,
    print_button,
)
from betterjournal.components.text import Text, tr
from betterjournal.core import checkins
from betterjournal.i18n import N_, Message, pN_
from betterjournal.state.checkins import (
    NEW_TAG_FIELD,
    SLEEP_FIELD,
    CheckInItemState,
    CheckInsState,
    CheckInState,
    ClientCheckInsState,
)
from betterjournal.views import KIND_VIEWS, CheckInLine, CheckInNote

# Words at the ends and the middle of each scale, not only numbers.
SCALE_WORDS: dict[str, tuple[Message, Message, Message]] = {
    "mood": (N_("Very low"), N_("Okay"), N_("Very good")),
    "anxiety": (N_("None"), N_("Some"), N_("Extreme")),
    "energy": (N_("Exhausted"), N_("Some"), N_("Full of energy")),
    "sleep_quality": (N_("Very poor"), N_("Okay"), N_("Very good")),
}


def _scale_words(dimension: str) -> rx.Component:
    low, middle, high = SCALE_WORDS[dimension]
    return rx.flex(
        rx.text(tr("0: {words}", words=tr(low)), size="1", color_scheme="gray"),
        rx.text(tr("5: {words}", words=tr(middle)), size="1", color_scheme="gray"),
        rx.text(tr("10: {words}", words=tr(high)), size="1", color_scheme="gray"),
        # One after the other, as a key: spread out, they looked placed under 0, 5 and 10,
        # which they aren't once the eleven buttons wrap onto two rows on a phone.
        justify="start",
        wrap="wrap",  # in large text, the words go under one another rather than being cut
        column_gap="1.25em",
        class_name="whole-words",
        width="100%",
        aria_hidden="true",  # the group's description says it once for screen readers
    )


def rating_picker(dimension: str, label: Text) -> rx.Component:
    """A rating, 0–10, with words at the ends and the middle."""
    low, middle, high = SCALE_WORDS[dimension]
    return rx.vstack(
        rx.text(label, as_="div", font_weight="500", id=f"{dimension}-label"),
        number_grid(
            CheckInState.ratings[dimension],
            lambda value: CheckInState.choose_rating(dimension, value),
            f"{dimension}-label",
            tr("0 means {low}, 5 {middle}, 10 {high}.", low=tr(low), middle=tr(middle), high=tr(high)),
        ),
        _scale_words(dimension),
        spacing="1",
        width="100%",
    )


def scale_picker(scale: Any) -> rx.Component:
    """An extra scale (a clinician's suggestion, or the client's own, marked private)."""
    label_id = "scale-" + scale.id
    return rx.vstack(
        rx.text(
            rx.cond(scale.private, tr("{name} (private)", name=scale.name), scale.name),
            as_="div",
            font_weight="500",
            id=label_id,
        ),
        number_grid(
            CheckInState.ratings[scale.id],
            lambda value: CheckInState.choose_rating(scale.id, value),
            label_id,
        ),
        spacing="1",
        width="100%",
    )


NEW_TAG_FORM = "new-tag-form"


def tag_chips() -> rx.Component:
    """The client's tags: tap to add one to this check-in (pressed: added); and a new tag,
    made here without leaving the check-in in progress (it joins this check-in)."""
    chosen = CheckInState.chosen_tags
    in_new_tag_form = {"form": NEW_TAG_FORM}
    return rx.vstack(
        rx.text(tr("Tags"), as_="div", font_weight="500", id="tags-label"),
        rx.cond(
            CheckInState.tags.length() > 0,  # type: ignore[attr-defined]
            rx.flex(
                rx.foreach(
                    CheckInState.tags,
                    lambda tag: choice_chip(
                        tag.name,
                        chosen.contains(tag.id),  # type: ignore[attr-defined]
                        CheckInState.toggle_tag(tag.id),
                    ),
                ),
                wrap="wrap",
                spacing="2",
                role="group",
                aria_labelledby="tags-label",
            ),
        ),
        # Its own form (NEW_TAG_FORM, outside the check-in's): Enter adds the tag, never
        # saves the check-in (whose form also sends the field by its id, and ignores it).
        rx.hstack(
            rx.el.label(
                tr("New tag"),
                words_input(
                    id=NEW_TAG_FIELD,
                    name="name",
                    max_length=checkins.NAME_MAX,
                    size="3",
                    custom_attrs=in_new_tag_form,
                ),
                display="flex",
                flex_direction="column",
                gap="0.25rem",
                font_weight="500",
            ),
            rx.button(tr("Add tag"), type="submit", size="3", variant="soft", custom_attrs=in_new_tag_form),
            align="end",
            wrap="wrap",
            spacing="2",
        ),
        characters_left(NEW_TAG_FIELD, checkins.NAME_MAX),
        spacing="2",
        width="100%",
    )


def _new_tag_form() -> rx.Component:
    """The new tag's form, empty: its field and button sit among the check-in's tags."""
    # A double tap adds one tag: the second tap's emptied field is ignored (AppState._second_tap).
    return form(id=NEW_TAG_FORM, on_submit=CheckInState.add_tag, reset_on_submit=True)


def check_in_page() -> rx.Component:
    labels = dict(checkins.RATINGS)
    return page_shell(
        rx.cond(CheckInState.opened, _check_in_form(labels), loading(tr("Opening the check-in"))),
        _new_tag_form(),
        rx.link(tr("Your check-ins and charts"), href=routes.CHECK_INS),
        heading=rx.cond(CheckInState.editing, tr("Edit check-in"), tr("Check in")),  # type: ignore[arg-type]
    )


def _check_in_form(labels: dict[str, Message]) -> rx.Component:
    return form(
        rx.vstack(
            rx.cond(
                CheckInState.taken_back,
                rx.button(
                    tr("Start afresh"),
                    type="button",
                    variant="soft",
                    color_scheme="gray",
                    size="2",
                    on_click=CheckInState.start_afresh,
                ),
            ),
            rating_picker("mood", tr(labels["mood"])),
            rx.el.details(
                rx.el.summary(
                    tr("More (optional)"),
                    # What is inside, so "I forgot yesterday" finds its time field.
                    rx.text(
                        tr("Other scales, tags, sleep, a note, or an earlier time"),
                        as_="span",
                        display="block",
                        size="1",
                        color_scheme="gray",
                    ),
                    padding_y="0.5em",
                    cursor="pointer",
                ),
                rx.vstack(
                    *[rating_picker(name, tr(labels[name])) for name in ("anxiety", "energy")],
                    rx.foreach(CheckInState.scales, scale_picker),
                    tag_chips(),
                    labelled_field(
                        tr("Hours of sleep"),
                        rx.input(
                            id=SLEEP_FIELD,
                            name=SLEEP_FIELD,
                            default_value=CheckInState.sleep_hours,
                            key=CheckInState.fields_drawn,
                            # Kept as typed, as the note is (CheckInState.keep_typed).
                            on_change=lambda hours: CheckInState.keep_typed("sleep_hours", hours).debounce(
                                700
                            ),
                            on_blur=lambda hours: CheckInState.keep_typed("sleep_hours", hours),
                            input_mode="decimal",
                            size="3",
                            width="8em",
                        ),
                    ),
                    rating_picker("sleep_quality", tr(labels["sleep_quality"])),
                    labelled_field(
                        tr("Note"),
                        # Kept as it is typed (after a pause), so a reload or a trip to
                        # another page never loses it (CheckInState.keep_note).
                        rx.debounce_input(
                            rx.text_area(
                                id="note",
                                name="note",
                                # No maxlength: it would cut a pasted note silently; the save
                                # says the limit instead, and keeps the words to shorten.
                                on_change=CheckInState.keep_note,
                                size="3",
                                width="100%",
                            ),
                            value=CheckInState.note,
                            debounce_timeout=700,
                        ),
                    ),
                    labelled_field(
                        tr("When"),
                        rx.el.input(
                            id="felt_at",
                            name="felt_at",
                            type="datetime-local",
                            default_value=CheckInState.felt_at,
                            key=CheckInState.fields_drawn,
                            on_change=lambda moment: CheckInState.keep_typed("felt_at", moment).debounce(700),
                            on_blur=lambda moment: CheckInState.keep_typed("felt_at", moment),
                            # The picker offers what can be saved (core/checkins.clean_felt_at).
                            min=f"{checkins.EARLIEST.date().isoformat()}T00:00",
                            max=CheckInState.latest,
                            # The browser's own "Value must be … or earlier" is in its language
                            # (English on a French page, in a walk-through): the app's instead.
                            custom_attrs={
                                "data-too-late": tr(
                                    "A check-in can't be in the future. Choose now or an earlier time."
                                ),
                                "data-too-early": tr("Choose a time between January 1, 2000 and now."),
                            },
                            **NATIVE_CONTROL,
                        ),
                        hint=tr("Leave empty for now, or choose an earlier time."),
                    ),
                    spacing="4",
                    width="100%",
                    padding_top="0.5em",
                ),
                # Editing one, or one not saved coming back: what it holds is shown at once
                # (its note, its time), not folded.
                open=CheckInState.editing | CheckInState.more_open,
                width="100%",
            ),
            rx.button(
                tr("Save check-in"),
                type="submit",
                size="3",
                width="100%",
                # Never disabled: a mood tapped offline is only in the page until the connection
                # is back, and Save tapped then waits behind it (a walk-through found Save dead
                # offline). Without a mood, the server says what is missing.
                aria_describedby="save-check-in-needs",
                custom_attrs={"data-once": ""},  # one tap a second (assets/page_feedback.jsx)
            ),
            # What Save needs, for someone who filled the optional fields first (hidden as soon
            # as a mood is tapped, before the server's answer: assets/app.css).
            rx.text(
                rx.cond(
                    CheckInState.ratings.contains("mood"),  # type: ignore[attr-defined]
                    "",
                    tr(checkins.NEEDS_MOOD),
                ),
                id="save-check-in-needs",
                size="2",
            ),
            who_sees_edits(  # a shared check-in's note is read
                CheckInState.shared_line,
                ~CheckInState.editing,
                tr("New check-ins are private. You choose what to share."),
                tr("This check-in is private: only you can see it."),
            ),
            spacing="4",
            width="100%",
        ),
        # A new check-in is a new form: nothing typed into the last one stays.
        key=CheckInState.check_in_id,
        on_submit=CheckInState.save_check_in,
    )


def range_picker(chosen: Any, choose: Any) -> rx.Component:
    """2 weeks / 3 months / 1 year / All: the chosen one is shown (a radio group)."""
    return radio_row(
        *[
            radio_button(tr(label), chosen == name, choose(name), unchecked="soft", size="2")
            for name, label, _ in charts.RANGES
        ],
        spacing="2",
        wrap="wrap",
        aria_label=tr("Range"),
    )


def mood_colour_key() -> rx.Component:
    """What the year's colours mean, from a very low mood to a very good one (the colour
    scale the chart draws with, charts.MOOD_SCALE). Seen only: the summary and the table
    say it in words."""
    low, _, high = SCALE_WORDS["mood"]
    colours = getattr(plotly.colors.sequential, charts.MOOD_SCALE)
    return rx.hstack(
        rx.text(tr("0: {words}", words=tr(low)), size="1", color_scheme="gray", white_space="nowrap"),
        rx.box(
            background=f"linear-gradient(to right, {', '.join(colours)})",
            height="0.75rem",
            flex="1",
            min_width="3rem",
            border_radius="2px",
        ),
        rx.text(tr("10: {words}", words=tr(high)), size="1", color_scheme="gray", white_space="nowrap"),
        align="center",
        spacing="2",
        wrap="wrap",  # in large text, the words go on lines of their own
        width="100%",
        aria_hidden="true",
    )


def trend_key() -> rx.Component:
    """What the trend's marks mean: a dot is one day, the line its 7-day average (the
    legend names the ratings by colour only)."""
    grey = "var(--gray-11)"
    return rx.hstack(
        rx.hstack(
            rx.box(width="0.6rem", height="0.6rem", border_radius="50%", background=grey, flex_shrink="0"),
            rx.text(tr("Dot: one day"), size="1", color_scheme="gray"),
            align="center",
            spacing="1",
        ),
        rx.hstack(
            rx.box(width="1.2rem", height="2px", background=grey, flex_shrink="0"),
            rx.text(tr("Line: the 7-day average"), size="1", color_scheme="gray"),
            align="center",
            spacing="1",
        ),
        spacing="4",
        wrap="wrap",
        width="100%",
    )


# The browser's own Print (its menu, Ctrl+P) does not wait for a chart to be drawn.
PRINT_NOTE = N_("This chart is not drawn yet. To print it, use “Print / save as PDF” on the page.")


def chart(
    figure: Any, summary: Any, height: str = "300px", loaded: Any = True, *, key: rx.Component | None = None
) -> rx.Component:
    """A chart (its points can be tapped for their values) and its text summary. Until
    `loaded`, its place is kept empty and "Loading" stands for the summary: nothing below
    moves when the figure arrives, nor when Plotly's code (loaded after the page) has run.
    The figure is drawn once its place nears the screen, and the table once it is opened
    (drawing them was most of a chart page's work on a phone); the summary is there at once.
    `key`: what its marks or colours mean, under it (`trend_key()`, `mood_colour_key()`)."""
    plot = rx.plotly.basic(
        data=figure.to(go.Figure),  # the state holds Plotly's JSON (charts.py)
        config={"displayModeBar": False, "responsive": True, "scrollZoom": False},
        use_resize_handler=True,
        width="100%",
        height=height,
    )
    caption = rx.text(summary, size="2")
    if loaded is not True:
        plot = rx.cond(loaded, plot)
        # Not a live region: four charts said "Loading" four times over the notice a screen
        # reader was to hear ("Check-in saved…", a walk-through).
        waiting = rx.hstack(rx.spinner(size="1"), rx.text(tr("Loading"), size="2"), align="center")
        caption = rx.cond(loaded, caption, waiting)
    return rx.vstack(
        rx.box(
            WhenNear.create(plot),
            aria_hidden="true",  # the summary below says what it shows
            class_name="bj-chart",  # (the tests wait for every one to be drawn)
            # On paper while it is not drawn yet (assets/app.css, @media print).
            custom_attrs={"data-print-note": tr(PRINT_NOTE)},
            width="100%",
            max_width="100%",
            height=height,  # exactly: the figure drawn in it never moves what is below
            overflow="hidden",
        ),
        *([key] if key is not None else []),
        caption,
        rx.el.details(
            rx.el.summary(tr("Show as a table")),
            WhenOpen.create(_data_table(figure)),
            width="100%",
            class_name="bj-table-toggle",  # closed, left off paper (assets/app.css)
        ),
        spacing="2",
        width="100%",
    )


def _note(note: CheckInNote) -> rx.Component:
    return rx.el.li(
        rx.card(
            rx.vstack(
                rx.text(note.when, " · ", note.mood, size="2", color_scheme="gray", class_name="whole-words"),
                entry_body(note.note),
                spacing="1",
                width="100%",
            ),
            width="100%",
        ),
        width="100%",
    )


def notes_list(notes: Any, heading: str, more: rx.Component) -> rx.Component:
    """For a clinician, beside the chart: the notes of the shared check-ins it draws (a
    note is shared with its check-in), newest first. `heading`: its level on the page;
    `more`: what shows older ones (the page shows it when there are)."""
    return rx.cond(
        notes.length() > 0,  # type: ignore[attr-defined]
        rx.vstack(
            rx.heading(tr("Notes with these check-ins"), as_=heading, size="3"),
            rx.el.ul(
                rx.foreach(notes, _note),
                display="flex",
                flex_direction="column",
                gap="0.5em",
                list_style="none",
                padding="0",
                margin="0",
                width="100%",
            ),
            more,
            spacing="2",
            width="100%",
        ),
    )


def _table_part(figure: Any, part: str, var_type: type) -> rx.Var:
    """The chart's numbers as text (charts.py puts them in the figure's layout.meta),
    or nothing while the figure is still empty."""
    return rx.Var(
        _js_expr=f"({figure}?.layout?.meta?.table?.{part} ?? [])",
        _var_type=var_type,
        _var_data=figure._get_all_var_data(),
    )


def _data_table(figure: Any) -> rx.Component:
    """The chart as a data table: a day (or weekday, or tag) a row, its first cell the row's
    header. A wide table scrolls inside its own box, never the page. With no rows yet (no
    check-in has a tag, say), a sentence says so rather than a table of headers only."""
    head: rx.Var[list[str]] = _table_part(figure, "head", list[str])
    rows: rx.Var[list[list[str]]] = _table_part(figure, "rows", list[list[str]])
    table = rx.box(
        rx.table.root(
            rx.table.header(
                rx.table.row(rx.foreach(head, lambda name: rx.table.column_header_cell(name, scope="col")))
            ),
            rx.table.body(
                rx.foreach(
                    rows,
                    lambda row: rx.table.row(
                        rx.foreach(
                            row,
                            lambda cell, index: rx.cond(
                                index == 0,
                                rx.table.row_header_cell(cell, scope="row"),
                                rx.table.cell(cell),
                            ),
                        )
                    ),
                )
            ),
            size="1",
        ),
        overflow_x="auto",
        # The table scrolls inside it: its width never widens the page (nor the boxes around it).
        # A shade at an edge says more columns are beyond it (assets/app.css).
        class_name="bj-scrolls-sideways",
        contain="inline-size",
        max_height="24rem",
        overflow_y="auto",
        tab_index=0,  # a box that scrolls can be scrolled from the keyboard
        width="100%",
    )
    return rx.cond(
        rows.to(list).length() > 0,
        table,
        rx.text(tr("Nothing to put in a table yet."), size="2", color_scheme="gray"),
    )


def _check_in_card(line: CheckInLine) -> rx.Component:
    return card_link(
        routes.CHECK_IN_ITEM + "?id=" + line.id,
        title_and_badge(
            line.mood, rx.badge(line.label, color_scheme="gray", variant="soft"), class_name="whole-words"
        ),
        rx.cond(line.details != "", rx.text(line.details, size="2", color_scheme="gray")),
        rx.cond(line.note != "", rx.text(line.note, size="2", color_scheme="gray", trim="both")),
        rx.text(line.felt_on, size="1", color_scheme="gray", class_name="whole-words"),
        # Beside its box; under it when the two don't fit (large text on a narrow screen).
        flex="1 1 12rem",
    )


# What a clinician sees of a check-in shared with them (their charts, and its note on their
# pages; the client's tags and own scales are never sent).
WHAT_A_SHARE_SHOWS = N_(
    "A clinician you share a check-in with sees its scores in their charts, and its note. "
    "Your tags and your own scales stay private."
)


def _check_in_row(line: CheckInLine) -> rx.Component:
    """A check-in of the list, with a box to choose it for sharing several at once."""
    return rx.hstack(
        # In a label: the tap target is 44 × 44 px (assets/app.css), not the box's 20 (a
        # walk-through's near miss opened the card beside it).
        rx.el.label(
            rx.checkbox(
                checked=CheckInsState.selected.contains(line.id),  # type: ignore[attr-defined]
                on_change=lambda _checked: CheckInsState.toggle_selected(line.id),
                aria_label=tr("Choose the check-in of {when}", when=line.felt_on),
                size="3",
            ),
            justify_content="center",
            class_name="bj-screen-only",  # (on paper: the check-in, not the box)
        ),
        _check_in_card(line),
        align="center",
        spacing="3",
        wrap="wrap",
        width="100%",
    )


def _share_several() -> rx.Component:
    """For the chosen check-ins: share them with a clinician, or stop sharing them. Under the
    list, held at the foot of the screen while the list is in view (a walk-through ticked a
    check-in low in the list, and these buttons were a screen and more above it)."""
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.text(tr("Chosen: {count}", count=CheckInsState.selected.length()), weight="bold"),  # type: ignore[attr-defined]
                rx.button(tr("Choose none"), variant="ghost", size="2", on_click=CheckInsState.select_none),
                justify="between",
                align="center",
                width="100%",
                wrap="wrap",
            ),
            rx.text(tr(WHAT_A_SHARE_SHOWS), size="2", color_scheme="gray"),
            rx.cond(
                CheckInsState.clinicians.length() > 0,  # type: ignore[attr-defined]
                rx.foreach(
                    CheckInsState.clinicians,
                    lambda person: rx.hstack(
                        rx.button(
                            tr("Share with {name}", name=person.name),
                            on_click=CheckInsState.share_selected(person.id, True),
                        ),
                        rx.button(
                            tr("Stop sharing with {name}", name=person.name),
                            variant="soft",
                            color_scheme="gray",
                            on_click=CheckInsState.share_selected(person.id, False),
                        ),
                        wrap="wrap",
                        spacing="2",
                    ),
                ),
                rx.text(tr("Connect with your clinician under Care team to be able to share."), size="2"),
            ),
            spacing="2",
            width="100%",
        ),
        width="100%",
        role="region",
        aria_label=tr("Share several"),
        class_name="bj-held-at-foot bj-screen-only",
    )


def _name_form(field_id: str, label: Any, button: Any, on_submit: Any, hint: Any = "") -> rx.Component:
    """A one-field form: a name, and its button (a double tap adds once: AppState._second_tap)."""
    return form(
        rx.hstack(
            labelled_field(
                label,
                words_input(id=field_id, name="name", max_length=checkins.NAME_MAX, size="3"),
                after=characters_left(field_id, checkins.NAME_MAX),
                hint=hint,
            ),
            rx.button(button, type="submit", size="3"),
            align="end",
            wrap="wrap",
            spacing="2",
        ),
        on_submit=on_submit,
        reset_on_submit=True,
    )


def _rename_form(
    id_field: str, thing: Any, redrawn: Any, on_submit: Any, box_label: Any, rename_label: Any, remove: Any
) -> rx.Component:
    """A name's box with its Rename and its Remove. The box starts with the saved name, and
    is drawn again with it (its key) when the name changes or a rename is refused: the browser
    kept the refused name in it, which looked renamed (a walk-through); the problem says why."""
    return form(
        rx.hstack(
            rx.el.input(type="hidden", name=id_field, value=thing.id, read_only=True),
            words_input(
                name="name",
                default_value=thing.name,
                max_length=checkins.NAME_MAX,
                aria_label=box_label,
                size="2",
            ),
            rx.button(tr("Rename"), type="submit", size="2", variant="soft", aria_label=rename_label),
            remove,
            wrap="wrap",
            spacing="2",
            align="center",
        ),
        key=thing.id + thing.name + redrawn.to_string(),
        on_submit=on_submit,
    )


def _tag_row(tag: Any) -> rx.Component:
    """A tag with its name in a box to rename it, and its Remove, which asks first as a
    scale's does (a walk-through took a tag off every past check-in at one tap)."""
    return _rename_form(
        "tag_id",
        tag,
        CheckInsState.names_redrawn,
        CheckInsState.rename_tag,
        tr("Name of the tag {name}", name=tag.name),
        tr("Rename the tag {name}", name=tag.name),
        _remove_asking_first(
            "remove-tag-" + tag.id,
            tr("Remove the tag {name}?", name=tag.name),
            tr(
                "It comes off every check-in that has it, and out of your charts. Adding a tag of "
                "the same name later does not put it back on them."
            ),
            CheckInsState.remove_tag(tag.id),
            tr("Remove the tag {name}", name=tag.name),
        ),
    )


def _remove_asking_first(
    dialog_id: Any, question: Any, what_goes: Any, remove: Any, name: Any
) -> rx.Component:
    """A tag's or a scale's Remove: asks first, saying what goes with it (`ask_first`)."""
    return ask_first(
        tr("Remove"),
        dialog_id=dialog_id,
        question=question,
        explanation=what_goes,
        keep=tr("Keep it"),
        go_ahead=removing_button(tr("Remove"), on_click=remove),
        size="2",
        variant="soft",
        color_scheme="gray",
        aria_label=name,
    )


def _scale_line(
    words: Any, scale: Any, remove: Any, what_goes: Any, rename: tuple[Any, Any] | None = None
) -> rx.Component:
    """A scale on a list of them, with its Remove (the client's list, the clinician's), which
    asks first and says what goes with it (a walk-through lost a scale's values at a tap);
    and, for who added it, its name in a box to rename it (`rename`: the handler, and the
    count of rows redrawn; a typo no longer means removing it, and its values with it)."""
    remove_button = _remove_asking_first(
        "remove-scale-" + scale.id,
        tr("Remove the scale {name}?", name=scale.name),
        what_goes,
        remove,
        tr("Remove the scale {name}", name=scale.name),
    )
    if rename is None:
        return rx.hstack(
            rx.text(words),
            rx.spacer(),
            remove_button,
            align="center",
            wrap="wrap",
            width="100%",
        )
    on_submit, redrawn = rename
    renaming = _rename_form(
        "scale_id",
        scale,
        redrawn,
        on_submit,
        tr("Name of the scale {name}", name=scale.name),
        tr("Rename the scale {name}", name=scale.name),
        remove_button,
    )
    if words is None:
        return renaming
    return rx.vstack(rx.text(words), renaming, spacing="1", width="100%")


def _scale_row(scale: Any) -> rx.Component:
    what_goes = tr(
        "It leaves your check-in, and what you rated on it no longer shows in your check-ins "
        "or charts. Adding a scale of the same name later starts afresh."
    )
    remove = CheckInsState.remove_own_scale(scale.id)
    # The client renames their own scales; a clinician's suggestion keeps the clinician's
    # name (they read its ratings by it), and the client may remove it.
    return rx.cond(
        scale.private,
        _scale_line(
            tr("{name} (private)", name=scale.name),
            scale,
            remove,
            what_goes,
            (CheckInsState.rename_own_scale, CheckInsState.names_redrawn),
        ),
        _scale_line(tr("{name} (suggested by your clinician)", name=scale.name), scale, remove, what_goes),
    )


def _tags_and_scales() -> rx.Component:
    return rx.vstack(
        rx.heading(tr("Your tags and scales"), as_="h2", size="4", id="tags"),
        rx.text(
            tr("Your tags and scales are private: a clinician never sees them, even on a shared check-in."),
            size="1",
            color_scheme="gray",
        ),
        rx.foreach(CheckInsState.tags, _tag_row),
        _name_form("new-tag", tr("New tag"), tr("Add tag"), CheckInsState.add_tag),
        rx.foreach(CheckInsState.scales, _scale_row),
        _name_form(
            "new-scale", tr("A scale of your own, from 0 to 10"), tr("Add scale"), CheckInsState.add_own_scale
        ),
        class_name="bj-screen-only",  # its forms do nothing on paper (a walk-through's printout)
        spacing="3",
        width="100%",
    )


def _own_charts() -> list[rx.Component]:
    """The client's four charts, each under its heading (the trend's heading is above the
    range picker)."""
    charts_ = [
        (None, CheckInsState.figure, CheckInsState.summary, "300px", trend_key()),
        (
            tr("Your year"),
            CheckInsState.calendar_figure,
            CheckInsState.calendar_summary,
            "150px",
            mood_colour_key(),
        ),
        (tr("By weekday"), CheckInsState.weekday_figure, CheckInsState.weekday_summary, "220px", None),
        (
            tr("With and without each tag"),
            CheckInsState.tag_figure,
            CheckInsState.tag_summary,
            "240px",
            None,
        ),
    ]
    parts: list[rx.Component] = []
    loaded = CheckInsState.check_ins_loaded
    for heading, figure, summary, height, key in charts_:
        if heading is not None:
            parts.append(rx.heading(heading, as_="h2", size="4"))
        parts.append(chart(figure, summary, height=height, loaded=loaded, key=key))
    return parts


def check_ins_page() -> rx.Component:
    # On paper ("Print / save as PDF"): the charts, their summaries and the check-ins, none of
    # the page's controls (a walk-through's printout held every button, box and form).
    return page_shell(
        link_button(
            rx.icon("smile", aria_hidden="true"),
            tr("Check in now"),
            href=routes.CHECK_IN,
            size="3",
            width="100%",
            class_name="bj-screen-only",
        ),
        # The charts' places are laid out before their figures arrive: nothing below jumps.
        # With no check-in at all, four empty frames would say nothing: a line says what
        # will be there.
        rx.cond(
            CheckInsState.check_ins_loaded & (CheckInsState.check_ins.length() == 0),  # type: ignore[attr-defined]
            rx.text(tr("Your charts will appear here after your first check-in."), size="2"),
            rx.vstack(
                rx.heading(tr("Trend"), as_="h2", size="4"),
                range_picker(CheckInsState.chart_range, CheckInsState.show_range),
                *_own_charts(),
                print_button(),
                spacing="3",
                width="100%",
            ),
        ),
        rx.heading(tr("Latest check-ins"), as_="h2", size="4"),
        rx.cond(
            CheckInsState.check_ins.length() > 0,  # type: ignore[attr-defined]
            rx.vstack(
                rx.button(
                    tr("Choose the last 7 days"),
                    variant="soft",
                    size="2",
                    on_click=CheckInsState.select_last_week,
                    class_name="bj-screen-only",
                ),
                rx.foreach(CheckInsState.check_ins, _check_in_row),
                rx.cond(CheckInsState.selected.length() > 0, _share_several()),  # type: ignore[attr-defined]
                rx.box(
                    pager(
                        KIND_VIEWS[checkins.KIND.name].words,
                        CheckInsState.page > 0,
                        CheckInsState.has_more,
                        CheckInsState.newer_check_ins,
                        CheckInsState.older_check_ins,
                    ),
                    class_name="bj-screen-only",
                    width="100%",
                ),
                spacing="3",
                width="100%",
            ),
            rx.cond(
                CheckInsState.check_ins_loaded,
                empty_state(tr("No check-ins yet. A check-in takes a few seconds: how is your mood?")),
            ),
        ),
        _tags_and_scales(),
        heading=tr("Your check-ins"),
    )


def check_in_item_page() -> rx.Component:
    line = CheckInItemState.check_in
    return page_shell(
        back_link(tr("Back to your check-ins"), routes.CHECK_INS),
        rx.cond(
            CheckInItemState.found,
            rx.vstack(
                rx.text(line.felt_on, size="1", color_scheme="gray"),
                rx.cond(line.details != "", rx.text(line.details)),
                rx.cond(line.note != "", entry_body(line.note)),
                rx.divider(),
                share_controls(line.id),
                rx.text(tr(WHAT_A_SHARE_SHOWS), size="2", color_scheme="gray"),
                edit_and_delete(
                    line.id,
                    edit_href=routes.CHECK_IN + "?id=" + line.id,
                    edit_label=tr("Edit check-in"),
                    delete_label=tr("Delete check-in"),
                    question=tr("Delete this check-in?"),
                    explanation=tr(
                        pN_(
                            "check-in",
                            "It will be removed for good, and anyone you shared it with "
                            "will no longer see it.",
                        )
                    ),
                ),
                spacing="3",
                width="100%",
            ),
            unavailable_or_loading(
                CheckInItemState.loaded,
                tr("This check-in isn't available."),
                None,  # the way back is above
                tr("Opening the check-in"),
            ),
        ),
        # What it says and when: "Mood 7 / 10" with its day beneath, not just "Check-in".
        heading=rx.cond(CheckInItemState.found, line.mood, tr("Check-in")),  # type: ignore[arg-type]
    )


def client_check_ins_page() -> rx.Component:
    return page_shell(
        rx.cond(
            ClientCheckInsState.chart_available,
            rx.vstack(
                # On paper: the charts and notes, not the controls (a walk-through's printout
                # held the way back, the closed table toggles and the suggest form).
                rx.box(
                    back_link(
                        tr("Back to {name}", name=ClientCheckInsState.client_name),
                        routes.CLIENT_ENTRIES + "?client=" + ClientCheckInsState.client_id,
                    ),
                    class_name="bj-screen-only",
                ),
                rx.heading(
                    tr("Check-ins shared by {name}", name=ClientCheckInsState.client_name), as_="h2", size="4"
                ),
                # (Printed: the range chosen says what the chart covers.)
                range_picker(ClientCheckInsState.chart_range, ClientCheckInsState.show_range),
                chart(ClientCheckInsState.figure, ClientCheckInsState.summary, key=trend_key()),
                notes_list(
                    ClientCheckInsState.notes,
                    "h3",
                    rx.cond(
                        ClientCheckInsState.older_notes > 0,
                        rx.button(
                            tr("Show older notes"),
                            on_click=ClientCheckInsState.show_older_notes,
                            variant="soft",
                            size="3",
                        ),
                    ),
                ),
                rx.heading(tr("The last year"), as_="h3", size="3"),
                chart(
                    ClientCheckInsState.calendar_figure,
                    ClientCheckInsState.calendar_summary,
                    height="150px",
                    key=mood_colour_key(),
                ),
                print_button(),
                rx.vstack(
                    rx.heading(tr("Scales you suggested"), as_="h3", size="3"),
                    rx.foreach(
                        ClientCheckInsState.scales,
                        lambda scale: _scale_line(
                            None,  # its name is in its box
                            scale,
                            ClientCheckInsState.remove_scale(scale.id),
                            tr(
                                "It leaves your client's check-in, and you no longer see what they "
                                "rated on it."
                            ),
                            (ClientCheckInsState.rename_scale, ClientCheckInsState.names_redrawn),
                        ),
                    ),
                    _name_form(
                        "suggest-scale",
                        tr("Suggest a scale, from 0 to 10"),
                        tr("Suggest"),
                        ClientCheckInsState.suggest_scale,
                        # What is refused, said before (a walk-through suggested "Sleep quality").
                        hint=tr("Every check-in already asks about mood, anxiety, energy and sleep quality."),
                    ),
                    class_name="bj-screen-only",
                    spacing="3",
                    width="100%",
                ),
                rx.text(
                    tr("Only check-ins your client chose to share are drawn. Days without one are gaps."),
                    size="1",
                    color_scheme="gray",
                ),
                rx.link(
                    tr("Shared entries"),
                    href=routes.CLIENT_ENTRIES + "?client=" + ClientCheckInsState.client_id,
                ),
                spacing="3",
                width="100%",
            ),
            unavailable_or_loading(
                ClientCheckInsState.loaded,
                tr("This client isn't available."),
                rx.link(tr("Back to clients"), href=routes.CLIENTS),
                tr("Loading"),
            ),
        ),
        # Whose: the page's title says it (a screen reader lands on it; a walk-through heard
        # "Mood check-ins" for every client).
        heading=rx.cond(
            ClientCheckInsState.client_name != "",
            tr("Mood check-ins: {name}", name=ClientCheckInsState.client_name),
            tr("Mood check-ins"),
        ),  # type: ignore[arg-type]
    )

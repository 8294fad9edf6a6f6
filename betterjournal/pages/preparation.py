"""Session preparation: the client's Prepare page; the clinician's caseload and brief."""

from __future__ import annotations

from typing import Any

import reflex as rx

from betterjournal import routes
from betterjournal.components.entries import (
    card_link,
    empty_state,
    entry_body,
    loading,
    unavailable_or_loading,
)
from betterjournal.components.forms import (
    NATIVE_CONTROL,
    characters_left,
    form,
    native_select,
    words_input,
)
from betterjournal.components.inputs import ask_first
from betterjournal.components.layout import labelled_field, page_shell, print_button
from betterjournal.components.text import Text, tr
from betterjournal.core import agenda
from betterjournal.pages.checkins import chart, notes_list
from betterjournal.state.base import ONE_TAP_MS
from betterjournal.state.preparation import BriefState, CaseloadState, PrepareState
from betterjournal.views import AgendaLineView, CaseLineView, Choice, GivenLine, SharedView, TimelineLine


def _section(heading: Text, *children: rx.Component, label: Text) -> rx.Component:
    return rx.el.section(
        rx.vstack(rx.heading(heading, as_="h2", size="5"), *children, spacing="3", width="100%"),
        aria_label=label,
        width="100%",
    )


def _select(name: str, label: Text, choices: Any) -> rx.Component:
    return labelled_field(
        label,
        native_select(name, rx.foreach(choices, lambda c: rx.el.option(c.label, value=c.value))),
    )


# --- the client's ------------------------------------------------------------------------------


def _timeline_line(line: TimelineLine) -> rx.Component:
    return card_link(
        line.href,
        rx.hstack(
            rx.badge(line.kind, color_scheme="gray", variant="soft"),
            rx.text(line.title, weight="bold", overflow_wrap="anywhere"),
            spacing="2",
            align="center",
            wrap="wrap",
        ),
        rx.text(line.when, " · ", line.label, size="1", color_scheme="gray"),
    )


def _own_line(line: AgendaLineView, index: rx.Var[int], editable: bool) -> rx.Component:
    text = rx.cond(
        line.href != "",
        rx.link(line.text, href=line.href, overflow_wrap="anywhere"),
        rx.text(line.text, overflow_wrap="anywhere"),
    )
    controls = rx.hstack(
        rx.icon_button(
            rx.icon("arrow-up", aria_hidden="true"),
            variant="soft",
            size="3",
            aria_label=tr("Move up: {text}", text=line.text),
            on_click=PrepareState.move_line(line.id, -1),
            disabled=index == 0,
        ),
        rx.icon_button(
            rx.icon("arrow-down", aria_hidden="true"),
            variant="soft",
            size="3",
            aria_label=tr("Move down: {text}", text=line.text),
            on_click=PrepareState.move_line(line.id, 1),
            disabled=index == PrepareState.lines.length() - 1,  # type: ignore[attr-defined]
        ),
        rx.icon_button(
            rx.icon("x", aria_hidden="true"),
            variant="soft",
            color_scheme="gray",
            size="3",
            aria_label=tr("Remove: {text}", text=line.text),
            on_click=PrepareState.remove_line(line.id),
        ),
        spacing="2",
        wrap="wrap",
    )
    return rx.el.li(
        rx.card(
            rx.vstack(
                text,
                rx.cond(
                    line.discussed,
                    # High contrast: the soft green's words are 4.3:1 on their ground (4.5 needed).
                    rx.badge(line.status, color_scheme="green", variant="soft", high_contrast=True),
                ),
                *([_pin_share(line)] if editable else []),
                *([controls] if editable else []),
                spacing="2",
                width="100%",
            ),
            width="100%",
        ),
        list_style="none",
        width="100%",
        # Keyed by line: a moved line's element moves, with the focus on its button.
        key=line.id,
    )


def _pin_share(line: AgendaLineView) -> rx.Component:
    """A pinned item's own share switch: the agenda never shares it."""
    return rx.cond(
        line.pinned,
        rx.vstack(
            rx.el.label(
                rx.hstack(
                    rx.switch(
                        checked=rx.cond(line.private, False, True),
                        on_change=lambda on: PrepareState.set_pinned_shared(line.item_id, on),
                        size="2",
                        # Named by its item, as Move and Remove are (a walk-through heard the
                        # same switch name for every pin).
                        aria_label=tr(
                            "Share this item with {name}: {text}",
                            name=PrepareState.clinician_name,
                            text=line.text,
                        ),
                    ),
                    rx.text(tr("Share this item with {name}", name=PrepareState.clinician_name), size="2"),
                    align="center",
                    spacing="2",
                ),
            ),
            rx.cond(
                line.private,
                rx.text(
                    tr(
                        "Only you can see this item: {name} sees this line only once you share it.",
                        name=PrepareState.clinician_name,
                    ),
                    size="2",
                ),
            ),
            spacing="1",
        ),
    )


def _undo_remove() -> rx.Component:
    """Right under the list, where the line was: what was removed, and a way to put it back
    (focused, so the keyboard's place isn't lost with the button that was tapped)."""
    return rx.cond(
        PrepareState.removed_line != "",
        rx.hstack(
            rx.text(
                tr("Removed from your agenda: {text}", text=PrepareState.removed_line),
                role="status",
                size="2",
                flex="1",
                min_width="12em",
            ),
            rx.button(
                rx.icon("undo-2", aria_hidden="true"),
                tr("Undo"),
                on_click=PrepareState.undo_remove,
                variant="soft",
                size="3",
                auto_focus=True,
                key=PrepareState.removed_line,  # a new removal: a new button, focused again
            ),
            align="center",
            spacing="3",
            wrap="wrap",
            width="100%",
        ),
    )


def _agenda() -> rx.Component:
    return _section(
        tr("What I want to bring"),
        rx.el.label(
            rx.hstack(
                rx.switch(
                    checked=PrepareState.agenda_shared,
                    on_change=PrepareState.set_agenda_shared,
                    size="3",
                ),
                rx.text(tr("Share this agenda with {name}", name=PrepareState.clinician_name)),
                align="center",
                spacing="3",
            ),
        ),
        rx.text(PrepareState.agenda_status, size="2"),
        rx.cond(
            PrepareState.lines.length() > 0,  # type: ignore[attr-defined]
            rx.el.ol(
                rx.foreach(PrepareState.lines, lambda line, i: _own_line(line, i, True)),
                aria_label=tr("Your agenda"),
                padding="0",
                margin="0",
                width="100%",
                display="flex",
                flex_direction="column",
                gap="0.5em",
            ),
            rx.text(tr("Nothing on your agenda yet. Add a line, or pin something."), size="2"),
        ),
        _undo_remove(),
        form(
            rx.vstack(
                labelled_field(
                    tr("Add a line"),
                    # A line half typed is kept on the server as the field is left and as the
                    # page goes (a beacon: assets/page_feedback.jsx), and comes back when the
                    # page is opened again; once added, the form empties itself. (Not after a
                    # pause too: a send landing after the next tap moved the focus it set.)
                    words_input(
                        id="agenda-text",
                        name="text",
                        size="3",
                        width="100%",
                        max_length=agenda.LINE_MAX,
                        default_value=PrepareState.line_typed,
                        key=PrepareState.line_shown,
                        on_blur=lambda text: PrepareState.keep_line(text, PrepareState.line_shown),
                        custom_attrs={"data-keep": ""},
                    ),
                    after=characters_left("agenda-text", agenda.LINE_MAX, value=PrepareState.line_typed),
                    hint=tr("A few words are enough, like “sleep” or “the talk with my sister”."),
                ),
                rx.button(tr("Add to agenda"), type="submit", size="3"),
                spacing="2",
                width="100%",
            ),
            on_submit=PrepareState.add_line,  # a double tap adds one line (AppState._second_tap)
            reset_on_submit=True,
            custom_attrs={
                "data-keep-url": routes.API_KEEP_LINE,
                "data-keep-agenda-id": PrepareState.agenda_id,
            },
        ),
        rx.cond(
            PrepareState.pin_choices.length() > 0,  # type: ignore[attr-defined]
            form(
                rx.vstack(
                    _select("item", tr("Pin an entry, homework or your chart"), PrepareState.pin_choices),
                    rx.text(tr("Pinning shares nothing: each item keeps its own sharing."), size="1"),
                    rx.button(tr("Pin to agenda"), type="submit", size="3", variant="soft"),
                    spacing="2",
                    width="100%",
                ),
                on_submit=PrepareState.pin,
            ),
        ),
        # The list offers what is new since the last session; a walk-through, after a session
        # marked held, found no way here to bring an older entry.
        rx.text(
            tr("To bring an older entry, open it in your journal and tap “Pin to my agenda”."),
            size="2",
            color_scheme="gray",
            high_contrast=True,
        ),
        label=tr("What I want to bring"),
    )


def _last_time() -> rx.Component:
    return _section(
        tr("Last time"),
        rx.cond(
            PrepareState.last_lines.length() > 0,  # type: ignore[attr-defined]
            rx.el.ul(
                rx.foreach(PrepareState.last_lines, lambda line, i: _own_line(line, i, False)),
                padding="0",
                margin="0",
                width="100%",
                display="flex",
                flex_direction="column",
                gap="0.5em",
            ),
            rx.text(tr("You brought no agenda to the last session."), size="2"),
        ),
        form(
            rx.vstack(
                labelled_field(
                    tr("What I want to remember"),
                    # Saved as it is typed (and when the field is left), like an entry's draft:
                    # leaving the page never loses the note.
                    rx.debounce_input(
                        rx.text_area(
                            id="remember",
                            name="remember",
                            # Which field: a replaced one's last words overwrite nothing.
                            on_change=lambda note: PrepareState.keep_remember(
                                note, PrepareState.remember_shown
                            ),
                            size="3",
                            width="100%",
                            rows="4",
                        ),
                        value=PrepareState.remember,
                        debounce_timeout=800,
                        key=PrepareState.remember_shown,
                        # Its words also go as the tab closes (assets/page_feedback.jsx).
                        custom_attrs={"data-keep": ""},
                    ),
                    hint=tr("Your note after the session, saved as you type. Only you can see it."),
                ),
                rx.hstack(
                    rx.button(tr("Save note"), type="submit", size="3", variant="soft"),
                    rx.text(PrepareState.remember_status, size="2", color_scheme="gray", aria_live="polite"),
                    align="center",
                    spacing="3",
                    wrap="wrap",
                ),
                spacing="2",
                width="100%",
            ),
            on_submit=PrepareState.save_remember,
            custom_attrs={
                "data-keep-url": routes.API_KEEP_NOTE,
                "data-keep-clinician-id": PrepareState.clinician_id,
            },
        ),
        label=tr("Last time"),
    )


def _summary_form() -> rx.Component:
    def entry_choice(choice: Choice) -> rx.Component:
        return rx.el.label(
            rx.hstack(
                rx.checkbox(name="entry-" + choice.value, size="3", aria_label=choice.label),
                rx.text(choice.label, aria_hidden="true"),
                align="center",
            ),
        )

    def choice(name: str, label: Text) -> rx.Component:
        return rx.el.label(
            rx.hstack(
                rx.checkbox(name=name, default_checked=True, size="3", aria_label=label),
                rx.text(label, aria_hidden="true", class_name="whole-words"),
            ),
        )

    # Only what has something in it is offered: a summary never leaves out what was ticked.
    has_lines = PrepareState.lines.length() > 0  # type: ignore[attr-defined]
    return _section(
        tr("Print / save as PDF"),
        rx.cond(
            has_lines | PrepareState.has_chart | (PrepareState.entry_choices.length() > 0),  # type: ignore[attr-defined]
            rx.fragment(
                rx.text(tr("A one-page summary to bring on paper. Choose what goes in it."), size="2"),
                form(
                    rx.vstack(
                        rx.cond(has_lines, choice("agenda", tr("My agenda"))),
                        rx.cond(
                            PrepareState.has_chart,
                            choice("chart", tr("My mood chart since the last session")),
                        ),
                        rx.foreach(PrepareState.entry_choices, entry_choice),
                        rx.button(
                            rx.icon("download", aria_hidden="true"),
                            tr("Download PDF"),
                            type="submit",
                            size="3",
                        ),
                        spacing="3",
                        width="100%",
                    ),
                    on_submit=PrepareState.download_summary,
                ),
            ),
            rx.text(
                tr(
                    "A one-page summary to bring on paper, once there is something to put in it: "
                    "a line on your agenda, a check-in or an entry since the last session."
                ),
                size="2",
            ),
        ),
        label=tr("Print / save as PDF"),
    )


def _since_last() -> rx.Component:
    return _section(
        tr("Since last session"),
        rx.text(PrepareState.since_line, size="2", color_scheme="gray"),
        rx.cond(
            PrepareState.has_chart,
            chart(PrepareState.figure, PrepareState.chart_summary, height="220px"),
            # "No check-ins since…" only beside things done: with nothing at all, the line
            # below says it once ("Nothing written or checked in since then yet.").
            rx.cond(
                PrepareState.timeline.length() > 0,  # type: ignore[attr-defined]
                rx.text(PrepareState.chart_summary, size="2"),
            ),
        ),
        rx.cond(
            PrepareState.to_do.length() > 0,  # type: ignore[attr-defined]
            rx.vstack(
                rx.heading(tr("Homework to do"), as_="h3", size="3"),
                rx.foreach(PrepareState.to_do, _timeline_line),
                width="100%",
            ),
        ),
        rx.cond(
            PrepareState.timeline.length() > 0,  # type: ignore[attr-defined]
            rx.vstack(
                rx.heading(tr("What you did"), as_="h3", size="3"),
                rx.text(tr("Only you see this list. Sharing is chosen item by item."), size="1"),
                rx.foreach(PrepareState.timeline, _timeline_line),
                width="100%",
            ),
            rx.text(tr("Nothing written or checked in since then yet."), size="2"),
        ),
        label=tr("Since last session"),
    )


def prepare_page() -> rx.Component:
    return page_shell(
        rx.cond(
            PrepareState.prepare_loaded,
            rx.cond(
                PrepareState.clinician_id != "",
                rx.vstack(
                    rx.cond(
                        PrepareState.clinicians.length() > 1,  # type: ignore[attr-defined]
                        rx.hstack(
                            rx.foreach(
                                PrepareState.clinicians,
                                lambda c: rx.button(
                                    c.label,
                                    variant=rx.cond(c.value == PrepareState.clinician_id, "solid", "soft"),
                                    on_click=PrepareState.choose_clinician(c.value),
                                ),
                            ),
                            wrap="wrap",
                            spacing="2",
                        ),
                    ),
                    rx.callout(
                        PrepareState.next_session, icon="calendar", width="100%", class_name="whole-words"
                    ),
                    _agenda(),
                    _since_last(),
                    rx.cond(PrepareState.session_held, _last_time()),
                    _summary_form(),
                    spacing="6",
                    width="100%",
                ),
                empty_state(
                    tr("Connect with your clinician under Care team to prepare for your sessions together."),
                    rx.link(tr("Go to Care team"), href=routes.CARE_TEAM),
                ),
            ),
            loading(tr("Opening your session preparation")),
        ),
        heading=tr("Prepare for your next session"),
    )


# --- the clinician's ---------------------------------------------------------------------------


def _case(line: CaseLineView) -> rx.Component:
    return card_link(
        line.brief_href,
        rx.text(line.name, weight="bold"),
        rx.text(line.next_session, size="2"),
        rx.cond(
            line.attention.length() > 0,  # type: ignore[attr-defined]
            rx.el.ul(
                rx.foreach(line.attention, lambda a: rx.el.li(rx.text(a, size="2"))),
                padding_left="1.2em",
                margin="0",
            ),
            rx.text(tr("Nothing new since you last looked."), size="2", color_scheme="gray"),
        ),
    )


def caseload_page() -> rx.Component:
    return page_shell(
        rx.text(tr("Soonest session first. Open a client for their brief."), size="2"),
        rx.cond(
            CaseloadState.cases.length() > 0,  # type: ignore[attr-defined]
            rx.vstack(rx.foreach(CaseloadState.cases, _case), width="100%", spacing="3"),
            rx.cond(
                CaseloadState.caseload_loaded,
                empty_state(
                    tr("No clients yet. Invite a client from the Clients page."),
                    rx.link(tr("Go to Clients"), href=routes.CLIENTS),
                ),
                loading(tr("Opening your caseload")),
            ),
        ),
        heading=tr("Caseload"),
    )


def _brief_line(line: AgendaLineView) -> rx.Component:
    return rx.el.li(
        rx.card(
            rx.el.label(
                rx.hstack(
                    rx.checkbox(
                        checked=line.discussed,
                        on_change=lambda on: BriefState.set_discussed(line.id, on),
                        size="3",
                        aria_label=line.text,
                    ),
                    rx.cond(
                        line.href != "",
                        rx.link(line.text, href=line.href, overflow_wrap="anywhere"),
                        rx.text(line.text, overflow_wrap="anywhere"),
                    ),
                    align="center",
                    spacing="3",
                ),
            ),
            width="100%",
        ),
        list_style="none",
        width="100%",
    )


def _shared_item(item: SharedView) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.cond(
                item.href != "",
                rx.link(item.title, href=item.href, weight="bold", overflow_wrap="anywhere"),
                rx.text(item.title, weight="bold"),
            ),
            rx.cond(item.body != "", entry_body(item.body)),  # homework's answers: on its page
            rx.text(item.dates, size="1", color_scheme="gray"),
            spacing="2",
            width="100%",
        ),
        width="100%",
    )


def _given(line: GivenLine) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.text(line.title, weight="bold"),
            rx.text(line.status, rx.cond(line.due != "", " · " + line.due, ""), size="2"),
            rx.cond(
                line.returned,
                rx.link(
                    rx.cond(line.not_done, tr("See what they told you"), tr("Read what was returned")),
                    href=routes.RETURNED + "?assignment=" + line.id,
                ),
            ),
            spacing="1",
        ),
        width="100%",
    )


def _session_controls() -> rx.Component:
    """The next session in words; the controls that plan it are for the screen only (a printed
    brief showed empty date and time fields and their buttons)."""
    return _section(
        tr("Sessions"),
        rx.text(BriefState.next_session),
        rx.vstack(
            _planning_form(),
            _mark_held(),
            # A walk-through's clinician looked here for a notes field: the app keeps none (a
            # support tool, not a clinical record), and says so where one would be sought.
            rx.text(
                tr("Betterjournal keeps no clinical notes: keep yours in your own record system."),
                size="2",
                color_scheme="gray",
            ),
            class_name="bj-screen-only",
            spacing="3",
            width="100%",
        ),
        label=tr("Sessions"),
    )


def _planning_form() -> rx.Component:
    return form(
        rx.vstack(
            rx.hstack(
                # The planned session's, to move it without typing both again (keyed:
                # filled afresh when it changes).
                labelled_field(
                    tr("Date"),
                    rx.el.input(
                        id="day",
                        name="day",
                        type="date",
                        default_value=BriefState.planned_day,
                        key=BriefState.planned_day,
                        **NATIVE_CONTROL,
                    ),
                ),
                labelled_field(
                    tr("Time"),
                    rx.el.input(
                        id="time",
                        name="time",
                        type="time",
                        default_value=BriefState.planned_time,
                        key=BriefState.planned_time,
                        **NATIVE_CONTROL,
                    ),
                    hint=BriefState.time_hint,
                ),
                spacing="3",
                wrap="wrap",
                width="100%",  # the fields' room: a date field never pushes past it
            ),
            rx.hstack(
                rx.button(tr("Save next session"), type="submit", size="3"),
                rx.button(
                    tr("Clear"),
                    type="button",
                    size="3",
                    variant="soft",
                    color_scheme="gray",
                    on_click=BriefState.clear_session,
                ),
                spacing="3",
                wrap="wrap",
            ),
            spacing="3",
            width="100%",
        ),
        on_submit=BriefState.plan_session,
    )


def _mark_held() -> rx.Component:
    """Mark held; just after, what was done instead (a walk-through tapped it again at once,
    and the dialog asked the same question before saying it was held already)."""
    return rx.cond(
        BriefState.held_moments_ago != "",
        rx.text(BriefState.held_moments_ago, size="2"),
        _ask_mark_held(),
    )


def _ask_mark_held() -> rx.Component:
    return ask_first(
        tr("Mark session held"),
        dialog_id="mark-held",
        question=tr("Mark this session as held?"),
        explanation=rx.fragment(
            rx.text(BriefState.held_which, as_="span", display="block", margin_bottom="0.5em"),
            tr(
                "A new “since last session” window starts now. "
                "Agenda lines not ticked as discussed carry over for your client."
            ),
        ),
        keep=tr("Not yet"),
        go_ahead=rx.button(
            tr("Mark held"), type="button", on_click=BriefState.mark_held.throttle(ONE_TAP_MS)
        ),
        size="3",
        variant="soft",
    )


def _more(words: Any, page: str) -> rx.Component:
    """A way from the brief to all of this client's of a kind, beyond the window (the brief
    was a dead end: a walk-through's clinician found no way to assign homework from it)."""
    return rx.link(words, href=page + "?client=" + BriefState.client_id, class_name="bj-screen-only")


def brief_page() -> rx.Component:
    return page_shell(
        rx.cond(
            BriefState.brief_loaded,
            rx.vstack(
                # (Whose brief it is, the page's h1 says: "Session brief: Noor".)
                rx.text(BriefState.since_line, size="2", color_scheme="gray"),
                _section(
                    tr("Agenda"),
                    rx.cond(
                        BriefState.lines.length() > 0,  # type: ignore[attr-defined]
                        rx.vstack(
                            rx.text(
                                tr("Tick what you discussed: your client sees it."),
                                size="2",
                                class_name="bj-screen-only",
                            ),
                            rx.el.ol(
                                rx.foreach(BriefState.lines, _brief_line),
                                padding="0",
                                margin="0",
                                width="100%",
                                display="flex",
                                flex_direction="column",
                                gap="0.5em",
                            ),
                            width="100%",
                        ),
                        rx.text(tr("No agenda shared for this session."), size="2"),
                    ),
                    rx.foreach(BriefState.pinned, _shared_item),
                    label=tr("Agenda"),
                ),
                _section(
                    tr("Shared check-ins"),
                    # The window's heading above names this window; the chart also draws the one before.
                    rx.cond(
                        BriefState.has_earlier,
                        rx.text(
                            tr("In grey: the weeks before, for comparison."), size="2", color_scheme="gray"
                        ),
                    ),
                    rx.cond(
                        BriefState.has_check_ins,
                        chart(BriefState.figure, BriefState.chart_summary, height="220px"),
                        rx.text(BriefState.chart_summary, size="2"),
                    ),
                    notes_list(
                        BriefState.notes,
                        "h3",
                        rx.cond(
                            BriefState.older_notes > 0,
                            rx.link(
                                tr("Older notes: see their check-ins"),
                                href=routes.CLIENT_CHECK_INS + "?range=all&client=" + BriefState.client_id,
                            ),
                        ),
                    ),
                    _more(tr("All their shared check-ins"), routes.CLIENT_CHECK_INS),
                    label=tr("Shared check-ins"),
                ),
                _section(
                    tr("Homework"),
                    rx.cond(
                        BriefState.homework.length() > 0,  # type: ignore[attr-defined]
                        rx.foreach(BriefState.homework, _given),
                        rx.text(tr("Nothing to review, nothing overdue."), size="2"),
                    ),
                    rx.cond(
                        BriefState.more_overdue != "",
                        rx.link(
                            BriefState.more_overdue,
                            href=routes.CLIENT_HOMEWORK + "?client=" + BriefState.client_id,
                        ),
                    ),
                    _more(tr("All their homework, or assign more"), routes.CLIENT_HOMEWORK),
                    label=tr("Homework"),
                ),
                _section(
                    tr("Shared entries"),
                    rx.cond(
                        BriefState.entries.length() > 0,  # type: ignore[attr-defined]
                        rx.foreach(BriefState.entries, _shared_item),
                        rx.text(tr("No entries shared since the last session."), size="2"),
                    ),
                    _more(tr("All their shared entries"), routes.CLIENT_ENTRIES),
                    label=tr("Shared entries"),
                ),
                _session_controls(),
                print_button(),  # the chart with the rest: drawn first if it is below the screen
                rx.link(tr("Back to caseload"), href=routes.CASELOAD),
                spacing="6",
                width="100%",
            ),
            unavailable_or_loading(
                BriefState.brief_checked,
                tr("This brief isn't available. The client may no longer be linked with you."),
                rx.link(tr("Back to caseload"), href=routes.CASELOAD),
                tr("Opening the brief"),
            ),
        ),
        # Whose: the page's title says it (a screen reader lands on it; a walk-through heard
        # "Session brief" for every client).
        heading=rx.cond(
            BriefState.client_name != "",
            tr("Session brief: {name}", name=BriefState.client_name),
            tr("Session brief"),
        ),  # type: ignore[arg-type]
    )

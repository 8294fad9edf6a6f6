"""Homework pages: the client's to-do list and an exercise being done; the clinician's
assignments to a client, a returned response, and their own worksheets."""

from __future__ import annotations

from typing import Any

import reflex as rx

from betterjournal import routes
from betterjournal.components.entries import (
    back_link,
    card_link,
    empty_state,
    entry_body,
    entry_card,
    loading,
    share_status_line,
    title_and_badge,
    unavailable_or_loading,
)
from betterjournal.components.forms import (
    NATIVE_CONTROL,
    KeepUnsent,
    characters_left,
    form,
    native_select,
    words_input,
)
from betterjournal.components.inputs import ask_first, choice_chip, removing_button, show_more
from betterjournal.components.items import bring_to_a_session, delete_button
from betterjournal.components.layout import (
    OFFLINE_WORDS,
    WhenOffline,
    WhenOnline,
    labelled_field,
    link_button,
    page_shell,
    titled_section,
)
from betterjournal.components.text import tr
from betterjournal.components.worksheets import (
    PROMPT_QUESTIONS_ID,
    prompt_links,
    worksheet_answers,
    worksheet_form,
)
from betterjournal.core import homework, worksheets
from betterjournal.i18n import pN_
from betterjournal.state.homework import (
    ClientHomeworkState,
    HomeworkState,
    ReturnedState,
    WorksheetsState,
    WorksheetState,
)
from betterjournal.state.items import ItemSharingState
from betterjournal.views import Choice, GivenLine, TaskLine

# --- the client's --------------------------------------------------------------------------------


def task_card(task: TaskLine) -> rx.Component:
    return card_link(
        routes.WORKSHEET + "?assignment=" + task.id,
        title_and_badge(
            task.title,
            rx.badge(task.status, color_scheme=rx.cond(task.marked, "teal", "gray"), variant="soft"),
        ),
        rx.cond(task.due != "", rx.text(task.due, size="2")),
        rx.cond(task.then != "", rx.text(task.then, size="2", color_scheme="gray")),
        rx.text(task.by, size="1", color_scheme="gray"),
    )


def homework_page() -> rx.Component:
    return page_shell(
        rx.cond(
            HomeworkState.homework_loaded,
            rx.vstack(
                rx.heading(tr("To do"), as_="h2", size="4"),
                rx.cond(
                    HomeworkState.to_do.length() > 0,  # type: ignore[attr-defined]
                    rx.foreach(HomeworkState.to_do, task_card),
                    empty_state(tr("Nothing to do right now. Your clinician's assignments will show here.")),
                ),
                show_more(HomeworkState.more_to_do, tr("Show more"), HomeworkState.show_more_to_do),
                rx.cond(
                    HomeworkState.done.length() > 0,  # type: ignore[attr-defined]
                    titled_section(
                        tr("Returned to your clinician"),
                        rx.foreach(HomeworkState.done, task_card),
                        show_more(HomeworkState.more_done, tr("Show more"), HomeworkState.show_more_returned),
                    ),
                ),
                width="100%",
                spacing="3",
            ),
            loading(tr("Loading your homework")),
        ),
        rx.cond(
            HomeworkState.exercises.length() > 0,  # type: ignore[attr-defined]
            rx.vstack(
                rx.heading(tr("Your own exercises"), as_="h2", size="4"),
                rx.foreach(
                    HomeworkState.exercises, lambda e: entry_card(e, routes.WORKSHEET + "?id=" + e.id)
                ),
                show_more(
                    HomeworkState.more_exercises, tr("Show more exercises"), HomeworkState.show_more_exercises
                ),
                width="100%",
            ),
        ),
        rx.heading(tr("Start an exercise on your own"), as_="h2", size="4"),
        rx.text(tr("What you do here is private until you choose to share it."), size="2"),
        rx.flex(
            *[
                # Size 2: "Expérience comportementale" fits a 320-px screen in 200 % text.
                link_button(
                    tr(sheet.title),
                    href=f"{routes.WORKSHEET}?template={key}",
                    variant="soft",
                    size="2",
                    padding_x="0.5rem",
                )
                for key, sheet in worksheets.BUILT_IN.items()
                if not sheet.is_prompt
            ],
            wrap="wrap",
            spacing="2",
        ),
        rx.heading(tr("Something to write about"), as_="h3", size="3"),
        prompt_links(),
        heading=tr("Homework"),
    )


def to_do_on_home() -> rx.Component:
    """For the client's home screen: comments from a clinician not opened yet, and the first
    few things to do."""
    return rx.fragment(
        rx.cond(
            HomeworkState.new_comments.length() > 0,  # type: ignore[attr-defined]
            titled_section(
                tr("New comments on your homework"),
                rx.foreach(HomeworkState.new_comments, task_card),
                rx.cond(
                    HomeworkState.more_new_comments,
                    rx.link(tr("More new comments under Homework"), href=routes.HOMEWORK),
                ),
            ),
        ),
        rx.cond(
            HomeworkState.to_do.length() > 0,  # type: ignore[attr-defined]
            rx.vstack(
                rx.heading(tr("To do"), as_="h2", size="4"),
                rx.foreach(HomeworkState.to_do[:3], task_card),  # type: ignore[index]
                rx.link(tr("All your homework"), href=routes.HOMEWORK),
                width="100%",
            ),
        ),
    )


def _answer(cell, value, *, resting: bool = False):
    send = WorksheetState.choose_resting if resting else WorksheetState.answer
    return send(cell.field, cell.row, cell.column, value)


def _about() -> rx.Component:
    """What the exercise is: folded away with its example when it has one (a built-in
    exercise); a clinician's own worksheet has none, and its explanation shows as it is."""
    return rx.cond(
        WorksheetState.example.length() > 0,  # type: ignore[attr-defined]
        rx.el.details(
            rx.el.summary(tr("What is this, and an example"), padding_y="0.5em", cursor="pointer"),
            rx.vstack(
                rx.text(WorksheetState.explanation, size="2"),
                rx.card(
                    rx.vstack(
                        rx.heading(tr("Example"), as_="h2", size="3"),
                        worksheet_answers(WorksheetState.example),
                        spacing="3",
                    ),
                    width="100%",
                ),
                spacing="3",
                width="100%",
            ),
            width="100%",
        ),
        rx.cond(WorksheetState.explanation != "", entry_body(WorksheetState.explanation)),
    )


def _from_clinician() -> rx.Component:
    return rx.cond(
        WorksheetState.assignment_id != "",
        rx.card(
            rx.vstack(
                rx.text(WorksheetState.by, weight="bold"),
                # Returned, it is no longer due (as on the homework list's card).
                rx.cond(~WorksheetState.returned, rx.text(WorksheetState.due, size="2")),
                rx.cond(WorksheetState.instructions != "", entry_body(WorksheetState.instructions)),
                rx.cond(WorksheetState.note != "", entry_body(WorksheetState.note)),
                spacing="2",
                width="100%",
            ),
            width="100%",
        ),
    )


def _comment() -> rx.Component:
    return rx.cond(
        WorksheetState.comment != "",
        rx.callout(
            rx.vstack(
                rx.text(tr("Comment from your clinician"), weight="bold"),
                entry_body(WorksheetState.comment),
                rx.cond(WorksheetState.reviewed, rx.text(tr("Reviewed"), size="1")),
                spacing="1",
            ),
            icon="message-circle",
            color_scheme="teal",
            width="100%",
        ),
        rx.cond(
            WorksheetState.reviewed, rx.callout(tr("Your clinician reviewed it."), icon="check", width="100%")
        ),
    )


def _reason_chosen(reason: rx.Var[str]) -> rx.Var[bool]:
    return WorksheetState.chosen_reasons.contains(reason)  # type: ignore[attr-defined]


def _could_not() -> rx.Component:
    """ "I couldn't do it": reasons to pick (none needed), kept private or returned."""
    return rx.el.details(
        rx.el.summary(tr("I couldn't do it"), padding_y="0.5em", cursor="pointer"),
        rx.vstack(
            rx.text(
                tr("That's okay. If you like, say why (you can pick none):"), size="2", id="reasons-label"
            ),
            rx.flex(
                rx.foreach(
                    WorksheetState.reasons,
                    lambda reason: choice_chip(
                        reason.label, _reason_chosen(reason.value), WorksheetState.toggle_reason(reason.value)
                    ),
                ),
                wrap="wrap",
                spacing="2",
                role="group",
                aria_labelledby="reasons-label",
            ),
            rx.hstack(
                rx.button(tr("Let my clinician know"), on_click=WorksheetState.mark_not_done(True)),
                rx.button(
                    tr("Keep it private"), variant="soft", on_click=WorksheetState.mark_not_done(False)
                ),
                spacing="2",
                wrap="wrap",
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def _actions() -> rx.Component:
    return rx.vstack(
        # Beside the buttons, where the person looks: the server's last word only while it can
        # be reached ("Draft saved" read, offline, as if the words typed since were kept).
        rx.text(
            WhenOnline.create(WorksheetState.status),
            WhenOffline.create(tr(OFFLINE_WORDS)),
            size="2",
            color_scheme="gray",
            role="status",
        ),
        rx.cond(
            (WorksheetState.assignment_id != "") & ~WorksheetState.returned,
            rx.cond(
                WorksheetState.linked,
                rx.button(
                    tr("Return to my clinician"),
                    size="3",
                    width="100%",
                    on_click=WorksheetState.return_worksheet,
                    custom_attrs={"data-once": ""},  # one tap a second (assets/page_feedback.jsx)
                ),
                rx.text(
                    tr(
                        "You're no longer connected to {name}, so this can't be returned. It stays private.",
                        name=WorksheetState.clinician_name,
                    ),
                    size="2",
                ),
            ),
        ),
        rx.button(
            rx.cond(
                WorksheetState.returned,
                tr("Save changes ({name} can see them)", name=WorksheetState.clinician_name),
                rx.cond(WorksheetState.is_prompt, tr("Save in my journal"), tr("Save and keep private")),
            ),
            size="3",
            variant=rx.cond(WorksheetState.assignment_id != "", "soft", "solid"),
            width="100%",
            on_click=WorksheetState.save_worksheet,
            custom_attrs={"data-once": ""},
        ),
        rx.text(
            rx.cond(
                WorksheetState.returned,
                tr(
                    "{name} can see this. Changes you save show to them; drafts don't.",
                    name=WorksheetState.clinician_name,
                ),
                tr("Your answers are saved as a draft while you work. Nothing is shared until you choose."),
            ),
            size="1",
            color_scheme="gray",
        ),
        spacing="2",
        width="100%",
    )


def _returned_or_delete() -> rx.Component:
    """Returned: to whom, whether seen, and taking it back. An exercise of the client's own,
    once saved: delete (it is theirs alone)."""
    return rx.cond(
        WorksheetState.returned,
        rx.card(
            rx.vstack(
                rx.foreach(
                    ItemSharingState.shares,
                    lambda share: rx.cond(
                        share.clinician_id == WorksheetState.clinician_id, share_status_line(share)
                    ),
                ),
                # Asked first, as Withdraw and Mark session held are (a walk-through).
                ask_first(
                    tr("Take it back"),
                    dialog_id="take-back",
                    question=tr("Take it back?"),
                    explanation=tr(
                        "Your clinician will no longer see these answers. You can return them again later."
                    ),
                    keep=tr("Keep it returned"),
                    go_ahead=rx.button(tr("Take it back"), type="button", on_click=WorksheetState.take_back),
                    variant="soft",
                    color_scheme="gray",
                ),
                spacing="2",
            ),
            width="100%",
        ),
        rx.cond(
            WorksheetState.assignment_id == "",
            rx.cond(
                WorksheetState.saved,
                delete_button(
                    WorksheetState.item_id,
                    label=tr("Delete exercise"),
                    question=tr("Delete this exercise?"),
                    explanation=tr(
                        pN_(
                            "exercise",
                            "It will be removed for good, and anyone you shared it with "
                            "will no longer see it.",
                        )
                    ),
                ),
                ask_first(
                    tr("Discard draft"),
                    dialog_id="discard-exercise",
                    question=tr("Discard this draft?"),
                    explanation=tr("The answers written here will be removed."),
                    keep=tr("Keep it"),
                    go_ahead=rx.button(
                        tr("Discard"), type="button", on_click=WorksheetState.discard_exercise
                    ),
                    variant="soft",
                    color_scheme="gray",
                ),
            ),
        ),
    )


def worksheet_page() -> rx.Component:
    return page_shell(
        rx.cond(
            WorksheetState.own_prompt,  # journaling of the client's own: it belongs to the journal
            back_link(tr("Back to your journal"), routes.JOURNAL),
            back_link(tr("Back to your homework"), routes.HOMEWORK),
        ),
        rx.cond(
            WorksheetState.found,
            rx.vstack(
                _from_clinician(),
                _comment(),
                _about(),
                rx.vstack(
                    rx.foreach(
                        WorksheetState.questions, lambda q: rx.callout(q, icon="pencil", width="100%")
                    ),
                    id=PROMPT_QUESTIONS_ID,
                    width="100%",
                ),
                rx.cond(
                    WorksheetState.marked_not_done & WorksheetState.is_prompt,
                    rx.text(tr("You marked this as not done."), size="2"),
                    rx.fragment(
                        rx.cond(
                            WorksheetState.marked_not_done,
                            rx.text(
                                tr(
                                    "You marked this as not done. If you answer it after all, "
                                    "saving your answers replaces that."
                                ),
                                size="2",
                            ),
                        ),
                        worksheet_form(
                            WorksheetState.fields,
                            _answer,
                            WorksheetState.add_row,
                            WorksheetState.remove_row,
                            WorksheetState.carry_rows,
                            kept_by={
                                "url": routes.API_KEEP_ANSWER,
                                "item-id": WorksheetState.item_id,
                                "mark": WorksheetState.words_mark,
                                "assignment-id": WorksheetState.assignment_id,
                                "template": WorksheetState.template,
                                "prompt": WorksheetState.prompt,
                            },
                        ),
                    ),
                ),
                _actions(),
                rx.cond(
                    (WorksheetState.assignment_id != "") & ~WorksheetState.returned,
                    _could_not(),
                ),
                _returned_or_delete(),
                rx.cond(
                    WorksheetState.saved, bring_to_a_session(WorksheetState.item_kind, WorksheetState.item_id)
                ),
                spacing="4",
                width="100%",
            ),
            unavailable_or_loading(
                WorksheetState.loaded,
                tr("This exercise isn't available. It may have been withdrawn."),
                None,  # the way back is above
                tr("Opening the exercise"),
            ),
        ),
        # The exercise's own title ("Thought record"), not the section's name.
        heading=rx.cond(WorksheetState.found, WorksheetState.title, tr("Homework exercise")),  # type: ignore[arg-type]
    )


# --- the clinician's ----------------------------------------------------------------------------


def _select(
    name: str, options: list[tuple[str, rx.Var[str] | str]] | None = None, items: Any = None
) -> rx.Component:
    return native_select(
        name,
        *(
            [rx.el.option(label, value=value) for value, label in options]
            if options is not None
            else [rx.foreach(items, lambda c: rx.el.option(c.label, value=c.value))]
        ),
    )


# The assign form shows a field only where it applies (questions for a journaling prompt,
# how many times for a repeat), by what is chosen in its selects, with no round trip. A
# hidden field is still sent, and ignored by homework.assign.
_A_PROMPT = f"builtin:{worksheets.JOURNALING_PROMPT.key}"
_ONLY_WHERE_IT_APPLIES = {
    f"&:has(#template option:checked:not([value='{_A_PROMPT}'])) .for-a-prompt": {"display": "none"},
    "&:has(#repeat option[value='']:checked) .for-a-repeat": {"display": "none"},
}


def _assign_form() -> rx.Component:
    return form(
        rx.vstack(
            rx.heading(tr("Assign homework"), as_="h2", size="4"),
            # Half-typed instructions wait here while the clinician looks at another page (a
            # shared entry) and comes back; an assignment made starts the next form empty.
            KeepUnsent.create(
                name=rx.cond(
                    ClientHomeworkState.client_id != "",
                    "assign:"
                    + ClientHomeworkState.client_id
                    + ":"
                    + ClientHomeworkState.assigned_round.to(str),  # type: ignore[attr-defined]
                    "",
                )
            ),
            # Which form this is: a second tap sends the same one, which the server has
            # already assigned (a refused first tap leaves it open to a quick second try).
            rx.el.input(
                type="hidden",
                name="round",
                value=ClientHomeworkState.assigned_round.to(str),  # type: ignore[attr-defined]
            ),
            labelled_field(
                tr("Worksheet"),
                _select("template", items=ClientHomeworkState.templates),
                # (a walk-through's clinician, wanting "read chapter 3", looked for a kind of it)
                hint=tr("For a reading or a practice, build a short worksheet under “Your worksheets”."),
            ),
            rx.box(
                labelled_field(
                    tr("Questions (for a journaling prompt)"),
                    rx.text_area(id="questions", name="questions", size="3", width="100%"),
                    hint=tr("One question per line, up to {count}.", count=worksheets.QUESTIONS_MAX),
                ),
                class_name="for-a-prompt",
                width="100%",
            ),
            labelled_field(
                tr("Instructions"),
                rx.text_area(id="instructions", name="instructions", size="3", width="100%"),
                hint=tr("What to do and when. Your client reads it with the worksheet."),
            ),
            labelled_field(
                tr("Note for your client"),
                words_input(id="note", name="note", size="3", width="100%"),
                hint=tr("A short personal word, shown under the instructions."),
            ),
            labelled_field(
                tr("Due date (optional)"),
                rx.el.input(id="due_on", name="due_on", type="date", **NATIVE_CONTROL),
                hint=tr("Needed for a repeat: the first one is due that day."),
            ),
            labelled_field(
                tr("Repeat"),
                _select("repeat", [("", tr("Once")), ("daily", tr("Daily")), ("weekly", tr("Weekly"))]),
            ),
            rx.box(
                labelled_field(
                    tr("How many times"),
                    rx.input(
                        id="times",
                        name="times",
                        default_value="1",
                        input_mode="numeric",
                        size="3",
                        width="6em",
                    ),
                    hint=tr(
                        "For a repeated assignment: from 1 to {count}, from the due date.",
                        count=homework.REPEAT_MAX,
                    ),
                ),
                class_name="for-a-repeat",
                width="100%",
            ),
            rx.button(tr("Assign"), type="submit", size="3"),
            spacing="3",
            width="100%",
        ),
        on_submit=ClientHomeworkState.assign,
        reset_on_submit=False,  # a refusal keeps what was typed; once assigned, a new key
        key=ClientHomeworkState.assigned_round,  # draws the form afresh, empty
        style=_ONLY_WHERE_IT_APPLIES,
    )


def _given_card(line: GivenLine) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.text(line.title, weight="bold"),
                rx.spacer(),
                rx.badge(line.status, variant="soft"),
                width="100%",
                align="start",
            ),
            rx.cond(line.due != "", rx.text(line.due, size="2")),
            rx.cond(line.instructions != "", rx.text(line.instructions, size="2", color_scheme="gray")),
            rx.cond(
                line.returned,
                link_button(
                    rx.cond(line.not_done, tr("See what they told you"), tr("Read their answers")),
                    href=routes.RETURNED + "?assignment=" + line.id,
                    size="2",
                ),
            ),
            rx.cond(
                line.editable,
                rx.el.details(
                    rx.el.summary(tr("Edit or withdraw"), cursor="pointer"),
                    form(
                        rx.vstack(
                            # Changes half made wait while the clinician looks elsewhere, as the
                            # Assign form's do; keyed by what is saved: once saved (here or in
                            # another tab), the form starts from the saved words.
                            KeepUnsent.create(
                                name="edit:"
                                + line.id
                                + ":"
                                + line.due_on
                                + ":"
                                + line.note
                                + ":"
                                + line.instructions
                            ),
                            rx.el.input(type="hidden", name="assignment_id", value=line.id, read_only=True),
                            labelled_field(
                                # Not the new assignment's "Instructions": a screen reader heard
                                # two fields of that name on the page (walk-through).
                                tr("Instructions for this assignment"),
                                rx.text_area(
                                    id="instructions-" + line.id,
                                    name="instructions",
                                    default_value=line.instructions,
                                    width="100%",
                                ),
                            ),
                            labelled_field(
                                tr("Note for this assignment"),
                                words_input(
                                    id="note-" + line.id, name="note", default_value=line.note, width="100%"
                                ),
                            ),
                            labelled_field(
                                tr("Due date for this assignment (optional)"),
                                rx.el.input(
                                    id="due-" + line.id,
                                    name="due_on",
                                    type="date",
                                    default_value=line.due_on,
                                    **NATIVE_CONTROL,
                                ),
                            ),
                            rx.hstack(
                                rx.button(tr("Save changes"), type="submit", size="2"),
                                # Asked first (walk-through: it went at a tap, beside "Save").
                                ask_first(
                                    tr("Withdraw"),
                                    dialog_id="withdraw-" + line.id,
                                    question=tr("Withdraw {title}?", title=line.title),
                                    explanation=tr(
                                        "It leaves your client's homework. Anything they wrote in it "
                                        "stays theirs, as an exercise of their own."
                                    ),
                                    keep=tr("Keep it"),
                                    go_ahead=removing_button(
                                        tr("Withdraw"), on_click=ClientHomeworkState.withdraw(line.id)
                                    ),
                                    size="2",
                                    variant="soft",
                                    color_scheme="gray",
                                ),
                                spacing="2",
                            ),
                            spacing="2",
                            width="100%",
                            padding_top="0.5em",
                        ),
                        on_submit=ClientHomeworkState.edit_assignment,
                        reset_on_submit=False,
                    ),
                    width="100%",  # its boxes the card's width (a walk-through: a third of it)
                ),
            ),
            spacing="2",
            width="100%",
        ),
        width="100%",
        # Keyed by assignment: a new one assigned above was drawn in the element of the one
        # before it, whose edit form kept that one's instructions, note and due date (a
        # walk-through saved them over the new assignment's).
        key=line.id,
    )


def client_homework_page() -> rx.Component:
    return page_shell(
        rx.cond(
            ClientHomeworkState.available,
            rx.vstack(
                # To the client's page, as the client's check-ins page goes (not the whole list).
                back_link(
                    tr("Back to {name}", name=ClientHomeworkState.client_name),
                    routes.CLIENT_ENTRIES + "?client=" + ClientHomeworkState.client_id,
                ),
                rx.heading(
                    tr("Homework for {name}", name=ClientHomeworkState.client_name), as_="h2", size="4"
                ),
                rx.cond(
                    ClientHomeworkState.given.length() > 0,  # type: ignore[attr-defined]
                    rx.foreach(ClientHomeworkState.given, _given_card),
                    empty_state(tr("Nothing assigned yet.")),
                ),
                _assign_form(),
                rx.link(tr("Your worksheets"), href=routes.WORKSHEETS),
                spacing="4",
                width="100%",
            ),
            unavailable_or_loading(
                ClientHomeworkState.loaded,
                tr("This client isn't available."),
                rx.link(tr("Back to your clients"), href=routes.CLIENTS),
                tr("Loading the homework"),
            ),
        ),
        # Whose: the page's title says it (a screen reader lands on it).
        heading=rx.cond(
            ClientHomeworkState.client_name != "",
            tr("Homework: {name}", name=ClientHomeworkState.client_name),
            tr("Homework"),
        ),  # type: ignore[arg-type]
    )


def _comment_form() -> rx.Component:
    """The clinician's comment. Taken back while open, the box stays with what was typed in
    it (not saved: it can't be now), to copy or to save once the homework is returned again."""
    return form(
        # A comment half written waits here while the clinician looks elsewhere;
        # once one is saved (here or in another tab), what was kept is not used.
        KeepUnsent.create(name="comment:" + ReturnedState.assignment_id + ":" + ReturnedState.comment),
        rx.cond(
            ReturnedState.taken_back,
            rx.callout(
                tr(
                    "This homework isn't available now, so a comment can't be saved. What you typed "
                    "stays here while this page is open: copy it if you want to keep it."
                ),
                icon="info",
                width="100%",
            ),
        ),
        labelled_field(
            tr("Your comment"),
            rx.text_area(
                id="comment",
                name="comment",
                default_value=ReturnedState.comment,
                size="3",
                width="100%",
                max_length=homework.COMMENT_MAX,
            ),
            after=characters_left("comment", homework.COMMENT_MAX, value=ReturnedState.comment),
            hint=tr("Your client sees it next to their answers."),
        ),
        rx.button(
            tr("Save comment"), type="submit", size="3", margin_top="0.5em", disabled=ReturnedState.taken_back
        ),
        on_submit=ReturnedState.save_comment,
        reset_on_submit=False,
    )


def returned_page() -> rx.Component:
    return page_shell(
        rx.vstack(
            rx.cond(
                ReturnedState.found,
                rx.vstack(
                    back_link(
                        tr("Back to {name}'s homework", name=ReturnedState.client_name),
                        routes.CLIENT_HOMEWORK + "?client=" + ReturnedState.client_id,
                    ),
                    rx.text(ReturnedState.dates, size="1", color_scheme="gray"),
                    rx.cond(ReturnedState.instructions != "", entry_body(ReturnedState.instructions)),
                    rx.foreach(ReturnedState.questions, lambda q: rx.callout(q, icon="pencil", width="100%")),
                    rx.cond(
                        ReturnedState.not_done,
                        rx.callout(
                            rx.vstack(
                                rx.text(tr("Your client couldn't do it this time."), weight="bold"),
                                rx.foreach(ReturnedState.reasons, lambda r: rx.text(r)),
                            ),
                            icon="info",
                            width="100%",
                        ),
                    ),
                    # Marked "couldn't do it" with nothing written: no list of empty answers.
                    rx.cond(ReturnedState.answered, worksheet_answers(ReturnedState.fields, level="h2")),
                    rx.divider(),
                    spacing="4",
                    width="100%",
                ),
                unavailable_or_loading(
                    ReturnedState.loaded,
                    tr("This response isn't available. Your client may have taken it back."),
                    rx.link(tr("Back to your clients"), href=routes.CLIENTS),
                    tr("Opening the response"),
                ),
            ),
            # Outside the answers' branch: a take-back empties the page, not the comment box.
            rx.cond(ReturnedState.found | ReturnedState.taken_back, _comment_form()),
            rx.cond(
                ReturnedState.found,
                rx.cond(
                    ReturnedState.reviewed,
                    rx.text(tr("Reviewed"), weight="bold"),
                    rx.button(
                        tr("Mark as reviewed"), variant="soft", size="3", on_click=ReturnedState.mark_reviewed
                    ),
                ),
            ),
            spacing="4",
            width="100%",
        ),
        heading=rx.cond(
            ReturnedState.found,
            rx.cond(
                ReturnedState.not_done,
                tr(
                    "{title}: {name} couldn't do it",
                    title=ReturnedState.title,
                    name=ReturnedState.client_name,
                ),
                tr("{title}, returned by {name}", title=ReturnedState.title, name=ReturnedState.client_name),
            ),
            tr("Returned homework"),
        ),  # type: ignore[arg-type]
    )


def _draft_field(spec: Choice, index: int) -> rx.Component:
    return rx.hstack(
        rx.text(spec.value, weight="bold"),
        rx.badge(spec.label, variant="soft"),
        rx.spacer(),
        rx.button(
            tr("Remove"),
            variant="ghost",
            size="2",
            type="button",
            on_click=WorksheetsState.remove_builder_field(index),
            aria_label=tr("Remove {item}", item=spec.value),
        ),
        width="100%",
        align="center",
    )


def worksheets_page() -> rx.Component:
    return page_shell(
        rx.heading(tr("Your library"), as_="h2", size="4"),
        rx.cond(
            WorksheetsState.templates.length() > 0,  # type: ignore[attr-defined]
            rx.foreach(
                WorksheetsState.templates,
                lambda t: rx.card(
                    rx.hstack(
                        rx.text(t.label, weight="bold"),
                        rx.spacer(),
                        rx.button(
                            tr("Remove"),
                            variant="ghost",
                            size="2",
                            on_click=WorksheetsState.remove_template(t.value),
                            aria_label=tr("Remove {item}", item=t.label),
                        ),
                        width="100%",
                        align="center",
                    ),
                    # What it asks, before assigning it (a walk-through could see only its name).
                    rx.el.details(
                        rx.el.summary(tr("What it asks"), cursor="pointer"),
                        rx.cond(t.explanation != "", rx.text(t.explanation, size="2")),
                        rx.el.ol(
                            rx.foreach(t.fields, lambda line: rx.el.li(rx.text(line, size="2"))),
                            padding_left="1.5em",
                            margin="0.5em 0 0",
                        ),
                        width="100%",
                    ),
                    width="100%",
                ),
            ),
            rx.cond(
                WorksheetsState.loaded,
                empty_state(tr("No worksheets of your own yet. Build one below.")),
                loading(tr("Loading your worksheets")),
            ),
        ),
        rx.heading(tr("Build a worksheet"), as_="h2", size="4"),
        rx.text(tr("Add the fields in order, then give the worksheet a title and save it."), size="2"),
        rx.foreach(WorksheetsState.draft_fields, _draft_field),
        form(
            rx.vstack(
                labelled_field(
                    tr("Field name"), words_input(id="field_label", name="label", size="3", width="100%")
                ),
                labelled_field(tr("Field type"), _select("type", items=WorksheetsState.type_choices)),
                rx.button(tr("Add field"), type="submit", variant="soft", size="3"),
                spacing="2",
                width="100%",
            ),
            on_submit=WorksheetsState.add_builder_field,
            reset_on_submit=True,
        ),
        form(
            rx.vstack(
                labelled_field(
                    tr("Title"), words_input(id="worksheet_title", name="title", size="3", width="100%")
                ),
                labelled_field(
                    tr("Explanation for your client (optional)"),
                    rx.text_area(id="worksheet_explanation", name="explanation", size="3", width="100%"),
                ),
                rx.button(tr("Save worksheet"), type="submit", size="3"),
                spacing="2",
                width="100%",
            ),
            on_submit=WorksheetsState.save_template,
            reset_on_submit=False,  # a refusal keeps the title and explanation typed
            key=WorksheetsState.builder_round,  # saved: drawn afresh, empty
        ),
        rx.link(tr("Back to your clients"), href=routes.CLIENTS),
        heading=tr("Your worksheets"),
    )

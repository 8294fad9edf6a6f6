"""Homework: the client's to-do list and the exercise being done; the clinician's
assignments to a client, a returned response to read and comment on, and their own
worksheets. The rules are core/homework.py's; these states only hold what is on screen."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from typing import Any, ClassVar, cast

import reflex as rx
from sqlmodel import Session

from betterjournal import routes
from betterjournal.core import drafts, homework, items, links, worksheets
from betterjournal.core.errors import AnswersChangedElsewhere, BegunElsewhere, CoreError, InvalidInput
from betterjournal.core.worksheets import Worksheet
from betterjournal.db import in_session
from betterjournal.i18n import N_, Reader
from betterjournal.models import Role
from betterjournal.state import live
from betterjournal.state.base import AppState, form_fields, guarded
from betterjournal.state.items import ItemSharingState, shares_and_pins
from betterjournal.views import (
    Choice,
    FieldView,
    GivenLine,
    ItemCard,
    LibraryLine,
    TaskLine,
    draft_card,
    given_line,
    library_lines,
    own_card,
    share_lines,
    task_line,
    worksheet_fields,
)


def _tasks(session: Session, *, client_id: uuid.UUID, limit: int, returned: int, exercises: int, home: bool):
    """One more of each than shown: are there more? On the home page, the new comments too."""
    return (
        homework.to_do(session, client_id=client_id, limit=limit + 1),
        homework.returned_tasks(session, client_id=client_id, limit=returned + 1),
        homework.own_exercises(session, client_id=client_id, limit=exercises + 1),
        homework.new_comments(session, client_id=client_id, limit=NEW_COMMENTS_SHOWN + 1) if home else [],
    )


NEW_COMMENTS_SHOWN = 3  # on the home page; every comment is also under Homework


class HomeworkState(AppState):
    """The client's homework: to do (by due date, started first on the same day), the last returned,
    and exercises to start. The first 20 to do and the last 5 returned are shown; more on
    request."""

    to_do: list[TaskLine] = []
    done: list[TaskLine] = []
    new_comments: list[TaskLine] = []  # the home page's: comments not opened since written
    more_new_comments: bool = False
    exercises: list[ItemCard] = []  # done on the client's own (saved, or a draft)
    more_to_do: bool = False
    more_done: bool = False
    more_exercises: bool = False
    homework_loaded: bool = False
    _shown: int = homework.TASKS_SHOWN
    _shown_done: int = homework.RETURNED_SHOWN
    _shown_exercises: int = homework.EXERCISES_SHOWN
    _held_path: str = ""  # kept current: an assignment given, edited, withdrawn or reviewed shows at once

    @guarded(Role.CLIENT)
    async def load_homework(self) -> None:
        self._show_first()
        await self._load(page=routes.HOMEWORK)

    @guarded(Role.CLIENT, quiet=True)
    async def load_to_do(self) -> None:
        """The to-do list on the home screen, beside the journal: quiet, so the notice the
        journal's own load shows ("Entry deleted.") stays on screen."""
        self._show_first()
        await self._load(page=routes.JOURNAL)

    def _show_first(self) -> None:
        self._shown, self._shown_done = homework.TASKS_SHOWN, homework.RETURNED_SHOWN
        self._shown_exercises = homework.EXERCISES_SHOWN

    @guarded(Role.CLIENT)
    async def show_more_to_do(self) -> None:
        self._shown = items.show_more(self._shown, homework.TASKS_SHOWN)
        await self._load(page=routes.HOMEWORK)

    @guarded(Role.CLIENT)
    async def show_more_returned(self) -> None:
        self._shown_done = items.show_more(self._shown_done, homework.TASKS_SHOWN)
        await self._load(page=routes.HOMEWORK)

    @guarded(Role.CLIENT)
    async def show_more_exercises(self) -> None:
        """Past the newest 20, the older exercises of the client's own (saved, or drafts):
        before, they could be opened from nowhere but the data download (attack review)."""
        self._shown_exercises = items.show_more(self._shown_exercises, homework.EXERCISES_SHOWN)
        await self._load(page=routes.HOMEWORK)

    async def _load(self, *, page: str, client_id: uuid.UUID | None = None) -> None:
        client = client_id or self._viewer().user_id
        open_tasks, returned, (saved, unsaved), commented = await in_session(
            _tasks,
            client_id=client,
            limit=self._shown,
            returned=self._shown_done,
            exercises=self._shown_exercises,
            home=page == routes.JOURNAL,
        )
        reader = self._reader()
        today = reader.today()
        self.to_do = [
            task_line(t, reader, today, later)
            for t, later in homework.next_of_each_series(open_tasks[: self._shown])
        ]
        self.more_to_do = items.more_to_show(len(open_tasks), self._shown)
        self.done = [task_line(t, reader, today) for t in returned[: self._shown_done]]
        self.more_done = items.more_to_show(len(returned), self._shown_done)
        self.new_comments = [task_line(t, reader, today) for t in commented[:NEW_COMMENTS_SHOWN]]
        self.more_new_comments = len(commented) > NEW_COMMENTS_SHOWN
        shown = self._shown_exercises
        self.exercises = [draft_card(d, reader) for d in unsaved[:shown]] + [
            own_card(i, reader) for i in saved[:shown]
        ]
        self.more_exercises = items.more_to_show(max(len(unsaved), len(saved)), shown)
        self.homework_loaded, self._held_path = True, page
        if client_id is None:
            self._keep_current()

    def _leave(self) -> None:
        self.reset()

    async def _recheck_access(self, viewer_id: str) -> None:
        """The clinician assigned, edited, withdrew, commented or reviewed: the lists as they
        are now (the client's own; nothing of anyone else's is read)."""
        await self._load(page=self._held_path, client_id=uuid.UUID(viewer_id))


def _library(reader: Any) -> list[Choice]:
    return [Choice(str(i), reader.t(q)) for i, q in enumerate(worksheets.PROMPT_LIBRARY)]


class WorksheetState(AppState):
    """One exercise being done: an assignment (`?assignment=`), a built-in one started on
    the client's own (`?template=`), a library prompt (`?prompt=`), or an exercise of the
    client's own opened again (`?id=`). Every answer is autosaved as a draft."""

    title: str = ""
    explanation: str = ""
    questions: list[str] = []
    instructions: str = ""
    note: str = ""
    by: str = ""  # the clinician who assigned it ("From …")
    clinician_name: str = ""
    due: str = ""
    fields: list[FieldView] = []
    example: list[FieldView] = []
    item_id: str = ""
    words_mark: str = ""  # whose answers they are (items.words_mark), sent with the closing beacon
    # An exercise of the client's own: its address's built-in (`template=`) or library
    # prompt (`prompt=`), which the answers sent as the tab closes name (api.keep_answer).
    template: str = ""
    prompt: str = ""
    item_kind: str = ""  # a prompt's answer is a journal entry; a worksheet's, a homework response
    assignment_id: str = ""
    clinician_id: str = ""
    is_prompt: bool = False
    own_prompt: bool = False  # a prompt the client chose (not assigned): an entry of their journal
    linked: bool = True  # still connected to the clinician who assigned it (else it can't be returned)
    saved: bool = False
    returned: bool = False
    reviewed: bool = False
    comment: str = ""
    status: str = ""  # "Draft saved", "Your answers so far are back."
    reasons: list[Choice] = []  # "couldn't do it": the reasons offered
    chosen_reasons: list[str] = []
    marked_not_done: bool = False
    found: bool = False
    loaded: bool = False
    _answers: dict[str, Any] = {}
    # An answer typed on the page and sent just after the tab left it (a tap on a link while
    # the last keystrokes were on their way) is still saved before the page's data is dropped.
    _finishes_own_events: ClassVar[bool] = True
    _worksheet: str = ""  # the definition (to_json), for an exercise of the client's own
    # Answers the server refused (too long, characters it can't keep), by "field/row/column":
    # their problem. They are only on the screen, so Save and Return wait until they're fixed.
    _refused: dict[str, str] = {}
    _issued: tuple[str, ...] = ()  # ids this tab was given for new exercises of the client's own
    _held_path: str = ""
    _kept_apart_here: bool = False  # another device wrote over this page's answers: a copy was kept

    def _sheet(self) -> Worksheet:
        """The worksheet on screen (none open: nothing can be answered)."""
        if not self._worksheet:
            raise InvalidInput(N_("This couldn't be saved. Please try again."))
        return worksheets.from_json(self._worksheet)

    def _show_fields(self) -> None:
        self.fields = worksheet_fields(self._sheet(), self._answers, self._reader())

    @guarded(Role.CLIENT)
    async def open_worksheet(self) -> rx.event.EventSpec | None:
        viewer = self._viewer()
        issued = self._issued
        self.reset()
        self._issued = issued
        query = self.router.url.query_parameters
        reader = self._reader()
        self.reasons = [Choice(key, reader.t(label)) for key, label in homework.NOT_DONE_REASONS.items()]
        moving_on = False  # to the new exercise's own address: nothing to say here meanwhile
        try:
            if query.get("assignment"):
                try:
                    await self._open_assignment(viewer.user_id, query["assignment"])
                except CoreError:
                    # Withdrawn since (a reload, a bookmark, a reminder's link): the answers
                    # are the client's own exercise now, at its own address.
                    kept = await in_session(
                        homework.kept_after_withdrawal,
                        client_id=viewer.user_id,
                        assignment_id=query["assignment"],
                    )
                    if kept is None:
                        raise
                    self._flash(
                        self._t(
                            "Your clinician withdrew this homework. Your answers are kept here, as your own."
                        )
                    )
                    moving_on = True
                    return rx.redirect(f"{routes.WORKSHEET}?id={kept}", replace=True)
            else:
                self.template, self.prompt = query.get("template", ""), query.get("prompt", "")
                chosen = worksheets.chosen_exercise(self.template, self.prompt)
                if not query.get("id"):
                    if chosen is None:
                        raise InvalidInput(N_("This couldn't be shown. Please try again."))
                    # A new exercise gets its id now, in the address: a reload opens the same one.
                    new_id = str(uuid.uuid4())
                    self._issued = (*self._issued, new_id)[-8:]
                    place = f"prompt={query['prompt']}" if chosen.is_prompt else f"template={chosen.key}"
                    moving_on = True
                    return rx.redirect(f"{routes.WORKSHEET}?{place}&id={new_id}", replace=True)
                answered = await in_session(
                    homework.assignment_answered_by, client_id=viewer.user_id, item_id=query["id"]
                )
                if answered is not None:  # an assignment's answers: at the assignment's address
                    moving_on = True
                    return rx.redirect(f"{routes.WORKSHEET}?assignment={answered}", replace=True)
                await self._open_own(viewer.user_id, query["id"], chosen)
            self.found = True
            self._held_path = routes.WORKSHEET
            self._keep_current()
        finally:
            # Not while moving on: "This exercise isn't available" would flash before the
            # new address opens it.
            self.loaded = not moving_on
        return None

    async def _open_own(self, client_id: uuid.UUID, item_id: str, chosen: Worksheet | None) -> None:
        """An exercise of the client's own: its draft, else as saved, else new (an id this
        tab was given); anything else is the one refusal."""
        kind = homework.kind_for(chosen) if chosen is not None else homework.KIND
        opened = await in_session(
            drafts.open_for_editing,
            owner_id=client_id,
            kind=kind,
            item_id=item_id,
            issued=item_id in self._issued,
        )
        if kind is homework.KIND and opened.fields.get("worksheet"):
            chosen = worksheets.from_json(opened.fields["worksheet"])  # as it was begun
        if chosen is None:
            raise InvalidInput(N_("This couldn't be shown. Please try again."))
        self.item_id, self.item_kind, self.saved = item_id, kind.name, not opened.is_new
        self.words_mark = items.words_mark(client_id, item_id)
        self._answers = homework.answers_of(kind, opened.fields)
        self.status = self._t("Your answers so far are back.") if opened.from_draft else ""
        self._present(chosen)
        if self.saved:
            await self._show_shares(client_id)

    async def _open_assignment(self, client_id: uuid.UUID, assignment_id: str) -> None:
        opened = await in_session(homework.open_task, client_id=client_id, assignment_id=assignment_id)
        if opened.comment_read_now:  # the home page's "New comments" in the client's other tabs
            live.recheck_people([client_id], but=self.router.session.client_token)
        task, reader = opened.task, self._reader()
        self.assignment_id, self.clinician_id = task.id, task.clinician_id
        self.item_id = task.response_id or str(uuid.uuid4())
        self.words_mark = items.words_mark(client_id, self.item_id, within=self.assignment_id)
        self.item_kind = homework.kind_for(task.worksheet).name
        self._answers = opened.answers
        self.instructions, self.note, self.comment = opened.instructions, opened.note, opened.comment
        self.clinician_name = task.clinician_name
        self.by = reader.t("From {name}", name=task.clinician_name)
        self.due = homework.due_text(reader, task.due_on, reader.today())
        self.saved = opened.saved
        self.returned = task.status in ("returned", "reviewed")
        self.linked = task.linked
        self.reviewed = task.status == "reviewed"
        self.marked_not_done = opened.not_done
        self.chosen_reasons = opened.reasons
        self.status = reader.t("Your answers so far are back.") if opened.from_draft else ""
        self._present(task.worksheet)
        if task.response_id and opened.saved:
            await self._show_shares(client_id)

    async def _show_shares(self, client_id: uuid.UUID) -> None:
        """The saved answers' share switches and pins (components/items.py)."""
        shares, pinned = await in_session(
            shares_and_pins, owner_id=client_id, item_id=uuid.UUID(self.item_id)
        )
        sharing_state = await self.get_state(ItemSharingState)
        sharing_state._show(
            self.item_id, share_lines(shares, self._reader()), pinned=pinned, page=routes.WORKSHEET
        )

    def _present(self, sheet: Worksheet) -> None:
        reader = self._reader()
        self._worksheet = worksheets.to_json(sheet)
        self.title, self.explanation = str(reader.shown(sheet.title)), str(reader.shown(sheet.explanation))
        self.questions = [str(reader.shown(q)) for q in sheet.questions]
        self.is_prompt = sheet.is_prompt
        self.own_prompt = sheet.is_prompt and not self.assignment_id
        self._show_fields()
        if sheet.example:
            self.example = worksheet_fields(sheet, sheet.example, reader, reading=True)

    def _leave(self) -> None:
        self.reset()

    async def _recheck_access(self, viewer_id: str) -> None:
        """The clinician commented, reviewed or withdrew it: show that at once (the answers
        on screen stay as they are). Withdrawn, the answers go on as an exercise of the
        client's own (nothing is lost, nothing refused is recorded)."""
        if not self.assignment_id:
            return
        client = uuid.UUID(viewer_id)
        if not await in_session(homework.is_live_for, client_id=client, assignment_id=self.assignment_id):
            self.assignment_id = self.by = self.due = self.instructions = self.note = ""
            self.returned, self.own_prompt = False, self.is_prompt
            self.words_mark = items.words_mark(client, self.item_id)  # its own exercise's now
            # At the top, where notices are (a walk-through found it under the last field).
            self.notice = self._t("Your clinician withdrew this. Your answers are kept as your own exercise.")
            self.feedback_on, self.status = routes.WORKSHEET, ""
            return
        try:
            opened = await in_session(homework.open_task, client_id=client, assignment_id=self.assignment_id)
        except CoreError:
            self._leave()
            self.loaded = True
            return
        if opened.task.status in ("returned", "reviewed") and not self.returned:
            # Returned from another tab or device: this one shows it as returned, and says that
            # what is changed here now is a draft until saved (a walk-through: it went on saying
            # "Draft saved", and what it typed never reached the clinician).
            await self._open_assignment(client, self.assignment_id)
            self.notice = self._t(
                "This was returned to {name} from another tab or device. What you change here now "
                "stays a draft until you tap “Save changes”.",
                name=self._by_name(),
            )
            self.feedback_on = routes.WORKSHEET
            return
        self.comment = opened.comment
        self.reviewed = opened.task.status == "reviewed"
        self.returned = opened.task.status in ("returned", "reviewed")

    # --- answering -----------------------------------------------------------------------

    @guarded(Role.CLIENT, quiet=True)
    async def answer(self, field: str, row: object, column: str, value: object) -> None:
        """One control's answer (`row` -1: the field itself), checked and autosaved. (A
        number's argument is `object`: typed `int`, anything else sent made the framework log
        a warning per event, an attack review; the core refuses what isn't a row.)"""
        await self._answer(field, row, column, value)

    @guarded(Role.CLIENT, quiet=True)
    async def choose_resting(self, field: str, row: object, column: str, value: object) -> None:
        """A slider let go of: a tap on its thumb where it rests before any answer (50)
        moves nothing, so the browser sends no change, and this chooses it. Once the control
        has an answer (the same tap's change, sent just before), it does nothing: the value
        tapped stands, whatever the slider shows while the server's answer is on its way."""
        if not isinstance(field, str) or type(row) is not int or not isinstance(column, str):
            raise InvalidInput(N_("This couldn't be saved. Please try again."))
        current = self._answers.get(field)
        if row >= 0:
            rows = current if isinstance(current, list) else []
            cell = rows[row] if type(row) is int and row < len(rows) else None
            current = cell.get(column) if isinstance(cell, dict) else cell
        if current in (None, ""):
            await self._answer(field, row, column, value)

    async def _answer(self, field: str, row: object, column: str, value: object) -> None:
        shown, place = self._answers, f"{field}/{row}/{column}"
        try:
            await self._keep(
                lambda sheet, held: {
                    field: worksheets.answer_given(sheet, held, field, row, column, value, shown=shown)
                },
            )
        except InvalidInput as error:
            self._refused = {**self._refused, place: self._t(error.message, **error.values)}
            raise
        self._refused = {k: v for k, v in self._refused.items() if k != place}

    @guarded(Role.CLIENT, quiet=True)
    async def add_row(self, field: str) -> None:
        drawn = next((len(f.rows) for f in self.fields if f.id == field), 0)
        await self._keep(
            lambda sheet, held: {field: worksheets.row_added(sheet, held, field, drawn=drawn)},
        )

    @guarded(Role.CLIENT, quiet=True)
    async def carry_rows(self, field: str) -> None:
        """Start a field's rows from the names given above it (the emotions, to rate again)."""
        await self._keep(lambda sheet, held: {field: worksheets.rows_carried(sheet, held, field)})

    @guarded(Role.CLIENT, quiet=True)
    async def remove_row(self, field: str, row: object) -> None:
        shown = self._answers
        await self._keep(
            lambda sheet, held: {field: worksheets.row_removed(sheet, held, field, row, shown=shown)},
        )
        removed = cast(int, row)  # the core refused anything but a row's number
        # A refused answer in that row went with it; those below move up a row.
        kept: dict[str, str] = {}
        for place, problem in self._refused.items():
            name, at, column = place.split("/", 2)
            if name != field or int(at) < removed:
                kept[place] = problem
            elif int(at) > removed:
                kept[f"{name}/{int(at) - 1}/{column}"] = problem
        self._refused = kept

    async def _keep(self, change: Callable[[Worksheet, dict[str, Any]], Mapping[str, object]]) -> None:
        """Autosave a change into what the server holds (`homework.keep_change`: another
        tab's answers stay); then show every answer the server holds now."""
        viewer = self._viewer()
        if not self.found:
            raise InvalidInput(N_("This couldn't be saved. Please try again."))
        shown = self._answers  # what this page showed when the answer was given

        def keep(item_id: str) -> Any:
            return in_session(
                homework.keep_change,
                client_id=viewer.user_id,
                item_id=item_id,
                assignment_id=self.assignment_id or None,
                worksheet=None if self.assignment_id else self._sheet(),
                translate=self._translate,
                change=change,
                shown=shown,
            )

        try:
            try:
                kept = await keep(self.item_id)
            except BegunElsewhere as begun:
                # Begun (perhaps returned) on another device meanwhile: this page shows that
                # response now, and the answer joins it (a walk-through was told to reload,
                # which lost it). Said, as the other device's answers now show here too.
                await self._open_assignment(viewer.user_id, self.assignment_id)
                kept = await keep(self.item_id)
                self.notice = self._t(begun.message)
        except CoreError as error:
            self.status = self._t("Not saved yet")
            raise error
        if kept.set_aside is not None and self.is_prompt:  # a prompt's answer is a journal entry
            self.notice = self._t(
                "This answer was changed in another tab or on another device too. So that nothing "
                "is lost, the answers from there are kept as a separate draft in your journal."
            )
        elif kept.set_aside is not None:
            self.notice = self._t(
                "This answer was changed in another tab or on another device too. So that nothing "
                "is lost, the answers from there are kept as a separate draft, under “Your own "
                "exercises” in your homework."
            )
        if kept.set_aside is not None:
            live.tell_written_over(viewer.user_id, self.item_id, but=self.router.session.client_token)
        self._answers = kept.answers
        self._show_fields()
        self.status = (
            self._t("Draft saved. {name} sees it once you tap “Save changes”.", name=self._by_name())
            if self.returned
            else self._t("Draft saved")
        )

    def _writes(self, item_id: str) -> bool:
        return self.found and self.item_id == item_id

    def _written_over_elsewhere(self) -> None:
        """Another tab or device just wrote over answers of this page's (they were kept apart
        first): said here, where they were typed (live.tell_written_over)."""
        self.notice = (
            self._t(
                "Your answers here were just changed in another tab or on another device. So that "
                "nothing is lost, the answers as they were before are kept as a separate draft in "
                "your journal."
            )
            if self.is_prompt  # a prompt's answer is a journal entry
            else self._t(
                "Your answers here were just changed in another tab or on another device. So that "
                "nothing is lost, the answers as they were before are kept as a separate draft, "
                "under “Your own exercises” in your homework."
            )
        )
        self._kept_apart_here = True
        self.feedback_on = routes.WORKSHEET

    def _where_kept_apart(self) -> str:
        return (
            self._t("The answers this page had before are kept as a separate draft in your journal.")
            if self.is_prompt
            else self._t(
                "The answers this page had before are kept as a separate draft, under “Your own "
                "exercises” in your homework."
            )
        )

    def _translate(self, text: str) -> str:
        """A built-in text (a library question) in this tab's language; other text as it is."""
        return str(self._reader().shown(text))

    # --- saving, returning ---------------------------------------------------------------

    @guarded(Role.CLIENT)
    async def save_worksheet(self) -> rx.event.EventSpec | None:
        """Save it, kept private (it can be returned or shared later)."""
        return await self._save(return_it=False)

    @guarded(Role.CLIENT)
    async def return_worksheet(self) -> rx.event.EventSpec | None:
        """Save it and return it to the clinician who assigned it: an explicit share."""
        return await self._save(return_it=True)

    async def _save(self, *, return_it: bool) -> rx.event.EventSpec | None:
        viewer = self._viewer()
        if not self.found:
            raise InvalidInput(N_("This couldn't be saved. Please try again."))
        if self._refused:  # saved now, that answer would be lost: nothing is saved or returned
            self.problem = self._t(
                "{problem} Change that answer, then try again: until then, it is only on this screen.",
                problem=next(iter(self._refused.values())),
            )
            return None
        try:
            task = await in_session(
                homework.save_response,
                client_id=viewer.user_id,
                item_id=self.item_id,
                assignment_id=self.assignment_id or None,
                worksheet=None if self.assignment_id else self._sheet(),
                seen=self._answers,  # what this page shows is what is saved (or nothing is)
                return_it=return_it,
                translate=self._translate,
            )
        except (BegunElsewhere, AnswersChangedElsewhere) as changed:
            # The answers as they are now, here, to check before saving or returning again.
            if self.assignment_id:
                await self._open_assignment(viewer.user_id, self.assignment_id)
            else:
                self._answers = await in_session(
                    homework.answers_held,
                    client_id=viewer.user_id,
                    item_id=self.item_id,
                    worksheet=self._sheet(),
                )
                self._show_fields()
            self.status = ""  # nothing to say of them here: another device changed them
            if not self._kept_apart_here:
                raise AnswersChangedElsewhere() from changed
            # The words this page had leave its fields: where they are is said again, here
            # (the notice that said so goes with this tap; a walk-through was left wondering).
            self.problem = " ".join((self._t(AnswersChangedElsewhere().message), self._where_kept_apart()))
            return None
        # Where it stands now, from the server: another tab may have returned it meanwhile.
        returned = task is not None and task.status in ("returned", "reviewed")
        self.returned = returned  # this tab's own return is no news to it (_recheck_access)
        # The client's other open tabs show it too, and the clinician's if they can see it.
        live.recheck_people([viewer.user_id, self.clinician_id] if returned else [viewer.user_id])
        # (A double tap on these buttons is taken as one tap in the browser: data-once.)
        if return_it:
            self._flash(
                self._t("Returned to {name}. You can take it back at any time.", name=self._by_name())
            )
        elif returned:
            self._flash(self._t("Saved. {name} can see your changes.", name=self._by_name()))
        elif self.is_prompt:
            self._flash(self._t("Saved in your journal. It is private until you share it."))
            if not self.assignment_id:  # journaling of the client's own: the entry, in the journal
                return rx.redirect(routes.entry(self.item_id))
        else:
            self._flash(self._t("Exercise saved. It is private until you choose to share it."))
        return rx.redirect(routes.HOMEWORK)

    @guarded(Role.CLIENT)
    async def discard_exercise(self) -> rx.event.EventSpec:
        """An exercise of the client's own never saved (a draft, or one kept apart from another
        device's answers): its draft goes (a walk-through found such copies could only pile up)."""
        viewer = self._viewer()
        if not self.found or self.saved or self.assignment_id:
            raise InvalidInput(N_("This couldn't be saved. Please try again."))
        await in_session(homework.discard_own_exercise, client_id=viewer.user_id, item_id=self.item_id)
        self._flash(self._t("Draft discarded."))
        return rx.redirect(routes.JOURNAL if self.is_prompt else routes.HOMEWORK)

    @guarded(Role.CLIENT)
    async def take_back(self) -> None:
        """Un-return: the clinician can no longer see it (a revoke, audited)."""
        viewer = self._viewer()
        if not self.assignment_id:
            raise InvalidInput(N_("This couldn't be saved. Please try again."))
        clinician = await in_session(
            homework.take_back, client_id=viewer.user_id, assignment_id=self.assignment_id
        )
        self.returned = self.reviewed = False
        await self._show_shares(viewer.user_id)
        self.notice = self._t("Private again. {name} can no longer see it.", name=self._by_name())
        live.recheck_people([clinician, viewer.user_id])  # and this client's other open tabs

    def _by_name(self) -> str:
        return self.clinician_name

    @guarded(Role.CLIENT, quiet=True)
    async def toggle_reason(self, reason: str) -> None:
        if not isinstance(reason, str):
            raise InvalidInput(N_("Choose reasons from the list, or none."))
        if reason in self.chosen_reasons:
            self.chosen_reasons = [r for r in self.chosen_reasons if r != reason]
        elif reason in homework.NOT_DONE_REASONS:
            self.chosen_reasons = [*self.chosen_reasons, reason]

    @guarded(Role.CLIENT)
    async def mark_not_done(self, return_it: bool) -> rx.event.EventSpec | None:
        """ "I couldn't do it", with the reasons chosen; returned only if the client chooses."""
        viewer = self._viewer()
        if not isinstance(return_it, bool) or not self.assignment_id:
            raise InvalidInput(N_("This couldn't be saved. Please try again."))
        await in_session(
            homework.not_done,
            client_id=viewer.user_id,
            item_id=self.item_id,
            assignment_id=self.assignment_id,
            reasons=list(self.chosen_reasons),
            return_it=return_it,
        )
        self.returned = self.returned or return_it  # no news to this tab (_recheck_access)
        live.recheck_people([self.clinician_id, viewer.user_id] if return_it else [viewer.user_id])
        if return_it:
            self._flash(self._t("{name} will see that you couldn't do it this time.", name=self._by_name()))
        else:
            self._flash(self._t("Marked as not done. It is private until you return it."))
        return rx.redirect(routes.HOMEWORK)


# --- the clinician's side ----------------------------------------------------------------------


def _client_homework(session: Session, *, clinician_id: uuid.UUID, client_id: object, today):
    given = homework.given_to(session, clinician_id=clinician_id, client_id=client_id, today=today)
    templates = homework.templates_of(session, clinician_id=clinician_id)
    name = next(
        (p.name for p in links.linked_clients(session, clinician_id=clinician_id) if p.id == str(client_id)),
        "",
    )
    return given, templates, name


class ClientHomeworkState(AppState):
    """A clinician's assignments to one client: assign, edit, withdraw, and each status."""

    client_id: str = ""
    client_name: str = ""
    given: list[GivenLine] = []
    templates: list[Choice] = []
    loaded: bool = False
    available: bool = False
    assigned_round: int = 0  # the assign form's key: a new one after each assignment made
    _held_path: str = ""

    @guarded(Role.CLINICIAN)
    async def load_client_homework(self) -> None:
        await self._load(self.router.url.query_parameters.get("client", ""))

    async def _load(self, client_id: str, *, clinician_id: uuid.UUID | None = None) -> None:
        """The list as it is now (statuses only: nothing the client wrote is read here)."""
        clinician = clinician_id or self._viewer().user_id
        self._leave()
        try:
            reader = self._reader()
            today = reader.today()
            given, templates, name = await in_session(
                _client_homework, clinician_id=clinician, client_id=client_id, today=today
            )
            self.given = [given_line(g, reader, today) for g in given]
            self.templates = [
                # Nothing chosen until the clinician chooses: an Assign tapped too soon is
                # refused ("Choose a worksheet from the list.") rather than a thought record.
                Choice("", reader.t("Choose a worksheet")),
                *(
                    Choice(f"builtin:{key}", str(reader.shown(sheet.title)))
                    for key, sheet in worksheets.BUILT_IN.items()
                ),
                *(Choice(f"custom:{own.id}", own.worksheet.title) for own in templates),
            ]
            self.client_id, self.client_name, self.available = client_id, name, True
            self._held_path = routes.CLIENT_HOMEWORK
            self._keep_current()
        finally:
            self.loaded = True

    @guarded(Role.CLINICIAN)
    async def assign(self, form: dict) -> None:
        viewer = self._viewer()
        values = form_fields(
            form, {"template", "instructions", "note", "due_on", "repeat", "times", "questions", "round"}
        )
        if values.get("round", str(self.assigned_round)) != str(self.assigned_round):
            # The form already assigned (a double tap's second): made once, and the notice
            # this event's start cleared is said again.
            self.notice = self._added_notice
            return
        if self._second_tap(values.get("template"), "assign"):
            return  # the same, sent from the next form, drawn empty in between
        times_text = values.get("times") or "1"
        if not isinstance(times_text, str) or not times_text.strip().isdigit() or len(times_text) > 6:
            raise InvalidInput(N_("Repeat it from 1 to {count} times."), count=homework.REPEAT_MAX)
        questions = values.get("questions", "")
        made = await in_session(
            homework.assign,
            clinician_id=viewer.user_id,
            client_id=self.client_id,
            template=values.get("template", ""),
            questions=[q for q in questions.split("\n") if q.strip()]
            if isinstance(questions, str)
            else questions,
            instructions=values.get("instructions", ""),
            note=values.get("note", ""),
            due_on=values.get("due_on", ""),
            repeat=values.get("repeat", ""),
            times=int(times_text),
            today=self._reader().today(),
        )
        self.notice = self._reader().n("Assigned.", "Assigned {count} times.", len(made))
        self._added("assign")
        self.assigned_round += 1  # an empty form for the next one (a refusal keeps what was typed)
        # The client's open pages, and this clinician's other tabs (a second assignment
        # made from a stale list would give the client the exercise twice).
        live.recheck_people([self.client_id, viewer.user_id], but=self.router.session.client_token)
        await self._load(self.client_id)

    @guarded(Role.CLINICIAN)
    async def edit_assignment(self, form: dict) -> None:
        viewer = self._viewer()
        values = form_fields(form, {"assignment_id", "instructions", "note", "due_on"})
        await in_session(
            homework.edit_assignment,
            clinician_id=viewer.user_id,
            assignment_id=values.get("assignment_id", ""),
            instructions=values.get("instructions", ""),
            note=values.get("note", ""),
            due_on=values.get("due_on", ""),
            today=self._reader().today(),
        )
        self.notice = self._t("Assignment updated.")
        live.recheck_people([self.client_id, viewer.user_id], but=self.router.session.client_token)
        await self._load(self.client_id)

    @guarded(Role.CLINICIAN)
    async def withdraw(self, assignment_id: str) -> None:
        viewer = self._viewer()
        client = await in_session(homework.withdraw, clinician_id=viewer.user_id, assignment_id=assignment_id)
        self.notice = self._t("Assignment withdrawn.")
        live.recheck_people([client, viewer.user_id], but=self.router.session.client_token)
        await self._load(self.client_id)

    def _leave(self) -> None:
        self.client_id = self.client_name = ""
        self.given, self.templates, self.available, self.loaded, self._held_path = [], [], False, False, ""

    async def _recheck_access(self, viewer_id: str) -> None:
        """A response returned or taken back, or the link ended: the list as it is now.
        Access is checked first (nothing audited), so a push after the link ended records
        no attempt the clinician never made."""
        clinician = uuid.UUID(viewer_id)
        shown = self.given
        try:
            if not await in_session(_still_linked, clinician_id=clinician, client_id=self.client_id):
                self._leave()
            else:
                await self._load(self.client_id, clinician_id=clinician)
        except CoreError:
            self._leave()
        if self.given != shown:
            self._drop_notice(routes.CLIENT_HOMEWORK)  # "Assigned." was about the list before
        self.loaded = True


def _still_linked(session: Session, *, clinician_id: uuid.UUID, client_id: str) -> bool:
    from betterjournal.core import sharing

    return bool(client_id) and sharing.is_linked(
        session, client_id=uuid.UUID(client_id), clinician_id=clinician_id
    )


def _still_visible(session: Session, *, clinician_id: uuid.UUID, item_id: str) -> bool:
    from betterjournal.core import sharing

    return bool(item_id) and bool(
        sharing.visible_item_ids(session, clinician_id=clinician_id, among=[item_id])
    )


def _response_dates(opened: homework.Returned, reader: Reader, *, written: bool) -> str:
    """When the response was written, returned and edited; for a "couldn't do it" with
    nothing written, only when it came (a walk-through read "Written …" over nothing)."""
    if not written:
        return reader.t("Returned {returned}", returned=opened.shared_at)
    if opened.edited_at:
        return reader.t(
            "Written {written} · returned {returned} · edited {edited}",
            written=opened.written_at,
            returned=opened.shared_at,
            edited=opened.edited_at,
        )
    return reader.t(
        "Written {written} · returned {returned}", written=opened.written_at, returned=opened.shared_at
    )


class ReturnedState(AppState):
    """A response a client returned, laid out like the worksheet; the clinician's comment."""

    title: str = ""
    client_name: str = ""
    client_id: str = ""
    assignment_id: str = ""
    questions: list[str] = []
    instructions: str = ""
    fields: list[FieldView] = []
    not_done: bool = False  # marked "couldn't do it"
    reasons: list[str] = []  # its reasons, in words (perhaps none)
    answered: bool = False  # some answer is written (one marked "couldn't do it" may have none)
    comment: str = ""
    reviewed: bool = False
    dates: str = ""
    found: bool = False
    loaded: bool = False
    # Taken back while open here: the answers went, the comment box stays with what was typed
    # in it (a walk-through's half-written comment vanished), until it is returned again.
    taken_back: bool = False
    _item_id: str = ""  # the response read (for re-checking access without reading it)
    _held_path: str = ""

    @guarded(Role.CLINICIAN)
    async def load_returned(self) -> None:
        await self._read(self.router.url.query_parameters.get("assignment", ""))

    async def _read(self, assignment_id: str, clinician_id: uuid.UUID | None = None) -> None:
        clinician = clinician_id or self._viewer().user_id
        self._leave()
        try:
            reader = self._reader()
            opened = await in_session(
                homework.open_returned,
                clinician_id=clinician,
                assignment_id=assignment_id,
                today=reader.today(),
            )
            sheet = opened.given.worksheet
            self.title, self.client_name = str(reader.shown(sheet.title)), opened.given.client_name
            self.client_id, self.assignment_id = opened.given.client_id, opened.given.id
            self.questions = [str(reader.shown(q)) for q in sheet.questions]
            self.instructions = opened.given.instructions
            self.fields = worksheet_fields(sheet, opened.answers, reader, reading=True)
            self.answered = worksheets.answered(opened.answers)
            self.not_done = opened.given.not_done
            self.reasons = [reader.t(homework.NOT_DONE_REASONS[r]) for r in opened.reasons]
            self.comment, self.reviewed = opened.comment, opened.reviewed_at is not None
            self.dates = _response_dates(opened, reader, written=self.answered or not self.not_done)
            self._item_id = opened.item_id
            self.found, self._held_path = True, routes.RETURNED
            self._keep_current()
            live.recheck_people([self.client_id])  # "Seen" shows on the client's page
        finally:
            self.loaded = True

    @guarded(Role.CLINICIAN)
    async def save_comment(self, form: dict) -> None:
        viewer = self._viewer()
        values = form_fields(form, {"comment"})
        client = await in_session(
            homework.comment,
            clinician_id=viewer.user_id,
            assignment_id=self.assignment_id,
            text=values.get("comment", ""),
        )
        self.notice = self._t("Comment saved. Your client sees it next to their answers.")
        live.recheck_people([client, viewer.user_id], but=self.router.session.client_token)
        await self._read(self.assignment_id)

    @guarded(Role.CLINICIAN)
    async def mark_reviewed(self) -> None:
        viewer = self._viewer()
        client = await in_session(
            homework.mark_reviewed, clinician_id=viewer.user_id, assignment_id=self.assignment_id
        )
        self.notice = self._t("Marked as reviewed.")
        live.recheck_people([client, viewer.user_id], but=self.router.session.client_token)
        await self._read(self.assignment_id)

    def _leave(self) -> None:
        assignment_id = self.assignment_id
        self.reset()
        self.assignment_id = assignment_id

    async def _recheck_access(self, viewer_id: str) -> None:
        """Taken back (un-returned), deleted or unlinked: nothing of it stays; else it is
        read again (an edit shows). Access is checked first, without an audit row, so a
        push after a take-back records no attempt the clinician never made."""
        clinician = uuid.UUID(viewer_id)
        shown = (self.fields, self.not_done, self.reasons) if self.found else None
        was_open, item_id, held_path = self.found or self.taken_back, self._item_id, self._held_path
        try:
            if not await in_session(_still_visible, clinician_id=clinician, item_id=self._item_id):
                self._leave()
                self._drop_notice(routes.RETURNED)  # "…changed their answers" is about nothing now
            else:
                await self._read(self.assignment_id, clinician)
                if shown is not None and shown != (self.fields, self.not_done, self.reasons):
                    # Words that change under the reader's eyes are named, not swapped silently.
                    self.notice = self._t(
                        "{name} changed their answers. You're reading them as they are now.",
                        name=self.client_name,
                    )
                    self.feedback_on = routes.RETURNED
        except CoreError:
            self._leave()
        if was_open and not self.found:
            # Taken back (or returned again, not shown until asked: "Show it"): nothing of it
            # is held, and the comment box stays; returned again, it shows here again.
            self.taken_back, self._item_id, self._held_path = True, item_id, held_path
            self._keep_current()  # a reconnected tab too: told when it is returned again
        self.loaded = True


class WorksheetsState(AppState):
    """The clinician's own worksheets, and the builder of a new one."""

    templates: list[LibraryLine] = []
    draft_fields: list[Choice] = []  # the fields added so far: label, and type in words
    type_choices: list[Choice] = []
    loaded: bool = False
    builder_round: int = 0  # the title form's key: drawn afresh (empty) once a worksheet is saved
    _draft: list[dict[str, str]] = []

    @guarded(Role.CLINICIAN)
    async def load_worksheets(self) -> None:
        viewer = self._viewer()
        reader = self._reader()
        own = await in_session(homework.templates_of, clinician_id=viewer.user_id)
        self.templates = library_lines(own, self._reader())
        self.type_choices = [Choice(key, reader.t(label)) for key, label in worksheets.CUSTOM_TYPES.items()]
        self._show_draft()
        self.loaded = True

    def _show_draft(self) -> None:
        names = {key: self._t(label) for key, label in worksheets.CUSTOM_TYPES.items()}
        self.draft_fields = [Choice(spec["label"], names[spec["type"]]) for spec in self._draft]

    @guarded(Role.CLINICIAN)
    async def add_builder_field(self, form: dict) -> None:
        values = form_fields(form, {"label", "type", "field_label", "field_type"})
        spec = {"label": values.get("label", ""), "type": values.get("type", "")}
        if self._second_tap(spec["label"]):
            return
        worksheets.custom_definition({"title": "-", "fields": [*self._draft, spec]})  # checked as a whole
        self._draft = [*self._draft, spec]
        self._added()
        self._show_draft()

    @guarded(Role.CLINICIAN)
    async def remove_builder_field(self, index: object) -> None:
        if type(index) is int and 0 <= index < len(self._draft):
            self._draft = [spec for i, spec in enumerate(self._draft) if i != index]
        self._show_draft()

    @guarded(Role.CLINICIAN)
    async def save_template(self, form: dict) -> None:
        viewer = self._viewer()
        values = form_fields(form, {"title", "explanation", "worksheet_title", "worksheet_explanation"})
        definition = {
            "title": values.get("title", ""),
            "explanation": values.get("explanation", ""),
            "fields": list(self._draft),
        }
        if self._second_tap(self._draft, "save"):  # (it said "Add at least one field" over "saved")
            return
        await in_session(homework.save_template, clinician_id=viewer.user_id, definition=definition)
        self._draft = []
        # An empty builder: the title and explanation left on screen looked unsaved.
        self.builder_round += 1
        self.notice = self._t("Worksheet saved in your library. You can assign it to any of your clients.")
        self._added("save")
        await self._reload(viewer.user_id)

    @guarded(Role.CLINICIAN)
    async def remove_template(self, template_id: str) -> None:
        viewer = self._viewer()
        await in_session(homework.remove_template, clinician_id=viewer.user_id, template_id=template_id)
        self.notice = self._t("Removed from your library. Assignments already given keep their copy.")
        await self._reload(viewer.user_id)

    async def _reload(self, clinician_id: uuid.UUID) -> None:
        own = await in_session(homework.templates_of, clinician_id=clinician_id)
        self.templates = library_lines(own, self._reader())
        self._show_draft()

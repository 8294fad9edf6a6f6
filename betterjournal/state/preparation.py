"""Session preparation: the client's Prepare page; the clinician's caseload and brief.

The rules are core/agenda.py's, core/appointments.py's and core/caseload.py's; these
states hold what is on screen. Each side's changes reach the other's open page at once
(state/live.py): a tick, a planned or held session, a share.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import reflex as rx
from sqlmodel import Session

from betterjournal import charts, routes, summary_pdf
from betterjournal.core import agenda, appointments, caseload, checkins, homework, journal, links, sharing
from betterjournal.core.errors import CoreError, InvalidInput
from betterjournal.core.validation import parse_bool
from betterjournal.db import in_session, made_in_turn
from betterjournal.i18n import N_, Reader, pN_
from betterjournal.models import OwnItem, Role, SharedItem, utcnow
from betterjournal.state import live
from betterjournal.state.base import AppState, form_fields, guarded
from betterjournal.state.items import ItemSharingState
from betterjournal.views import (
    AgendaLineView,
    CaseLineView,
    CheckInNote,
    Choice,
    GivenLine,
    Pinned,
    SharedView,
    TimelineLine,
    agenda_line_text,
    assignment_title,
    attention_line,
    card_title,
    case_line,
    check_in_notes,
    next_session_line,
    pin_choices,
    shared_view,
)

ONE_HOMEWORK = pN_("one item", "Homework")  # "Devoir", where the page is "Devoirs"
_KIND_WORDS = {
    journal.KIND.name: N_("Entry"),
    checkins.KIND.name: N_("Check-in"),
    homework.KIND.name: ONE_HOMEWORK,
}


def _item_href(kind: str, item_id: str) -> str:
    if kind == journal.KIND.name:
        return routes.entry(item_id)
    if kind == checkins.KIND.name:
        return routes.check_in_item(item_id)
    return f"{routes.WORKSHEET}?id={item_id}"


# The most entries one summary holds (its text is limited too: summary_pdf.TEXT_MAX).
SUMMARY_ENTRIES_MAX = 50

# What the notice says once the summary is made, by what was chosen but had nothing in it
# (the agenda, the chart): nothing ticked is ever left out without a word.
_SUMMARY_READY = {
    (False, False): N_("Your summary is ready. Check your downloads."),
    (True, False): N_("Your summary is ready, without an agenda: yours has no lines. Check your downloads."),
    (False, True): N_(
        "Your summary is ready, without a chart: there are no check-ins since the last session. "
        "Check your downloads."
    ),
    (True, True): N_(
        "Your summary is ready, with your entries only: your agenda has no lines and there are no "
        "check-ins since the last session. Check your downloads."
    ),
}


def _pinned(item: OwnItem | SharedItem | None) -> Pinned | None:
    return Pinned(item.kind, item.fields, item.created_at) if item else None


def _line_text(line: agenda.Line, item: OwnItem | SharedItem | None, reader: Reader) -> str:
    return agenda_line_text(line, _pinned(item), reader)


def _own_lines(lines: tuple[agenda.Line, ...], review: agenda.Review, reader: Reader) -> list[AgendaLineView]:
    shown = []
    for line in lines:
        item = review.pinned.get(line.item_id)
        shown.append(
            AgendaLineView(
                id=line.id,
                text=_line_text(line, item, reader),
                href=_item_href(item.kind, line.item_id) if item else "",
                discussed=line.discussed,
                status=reader.t("Discussed") if line.discussed else "",
                item_id=line.item_id,
                pinned=item is not None,
                private=item is not None and line.item_id not in review.visible,
            )
        )
    return shown


def _timeline(review: agenda.Review, reader: Reader) -> list[TimelineLine]:
    found: list[tuple[datetime, TimelineLine]] = []
    for item in (*review.entries, *review.check_ins, *review.responses):
        moment = item.created_at
        if item.kind == checkins.KIND.name:
            title = reader.t("Mood {value} / 10", value=int(item.fields["mood"]))
            moment = datetime.fromisoformat(item.fields["felt_at"])  # when it is about
        else:
            title = card_title(item.kind, item.fields, reader, item.created_at)
        label = reader.t("Shared with {names}", names=", ".join(item.shared_with)) if item.shared_with else ""
        found.append(
            (
                moment,
                TimelineLine(
                    id=str(item.id),
                    kind=reader.t(_KIND_WORDS[item.kind]),
                    title=title,
                    when=reader.when(moment),
                    href=_item_href(item.kind, str(item.id)),
                    label=label or reader.t("Private"),
                ),
            )
        )
    return [line for _, line in sorted(found, key=lambda pair: pair[0], reverse=True)]


def _readings(found: list[Any]) -> list[checkins.Reading]:
    return [r for item in found if (r := checkins.reading(item.id, item.fields)) is not None]


def _clinicians_and_review(session: Session, *, client_id: uuid.UUID, wanted: str):
    clinicians = links.linked_clinicians(session, client_id=client_id)
    chosen = next((p for p in clinicians if p.id == wanted), clinicians[0] if clinicians else None)
    if chosen is None:
        return clinicians, None, None
    return clinicians, chosen, agenda.review(session, client_id=client_id, clinician_id=chosen.id)


class PrepareState(AppState):
    """The client's next session with one clinician (`?with=`; the first linked by
    default): since last session, last time, and what they want to bring."""

    clinicians: list[Choice] = []
    clinician_id: str = ""
    clinician_name: str = ""
    next_session: str = ""
    since_line: str = ""
    timeline: list[TimelineLine] = []
    to_do: list[TimelineLine] = []
    figure: dict = {}  # charts.py: Plotly JSON
    chart_summary: str = ""
    agenda_id: str = ""
    lines: list[AgendaLineView] = []
    agenda_shared: bool = False
    agenda_status: str = ""
    last_lines: list[AgendaLineView] = []
    session_held: bool = False  # a session was held: the note after it can be written
    remember: str = ""
    remember_shown: int = 0  # counts the notes put in the field from the server: its key
    remember_status: str = ""  # "Note saved." once the note typed is on the server
    line_typed: str = ""  # a line half typed in "Add a line" when the page was last left
    line_shown: int = 0  # counts the fields drawn for a line: their key
    entry_choices: list[Choice] = []  # the window's entries, to print
    pin_choices: list[Choice] = []  # the window's entries and homework, and the chart, to pin
    has_chart: bool = False
    prepare_loaded: bool = False
    removed_line: str = ""  # the line just removed, as it read: "Undo" puts it back
    _removed: agenda.Removed | None = None
    _note_kept: str | None = None  # the note as this tab last put it in the field or saved it
    _line_drawn: bool = False  # the field for a line was drawn with the line half typed
    _held_path: str = ""

    @guarded(Role.CLIENT)
    async def load_prepare(self) -> None:
        self._removed, self.removed_line, self._note_kept, self._line_drawn = None, "", None, False
        await self._load(self._viewer().user_id, self.router.url.query_parameters.get("with", ""))

    async def _load(self, client_id: uuid.UUID, wanted: str) -> None:
        clinicians, chosen, review = await in_session(
            _clinicians_and_review, client_id=client_id, wanted=wanted
        )
        reader = self._reader()
        self.clinicians = [Choice(p.id, p.name) for p in clinicians]
        self.prepare_loaded, self._held_path = True, routes.PREPARE
        self._keep_current()
        if chosen is None or review is None:
            self.clinician_id = self.clinician_name = self.agenda_id = ""
            self.lines, self.last_lines, self.timeline, self.to_do = [], [], [], []
            return
        self._show(review, chosen.id, chosen.name, reader)

    def _show(self, review: agenda.Review, clinician_id: str, name: str, reader: Reader) -> None:
        ready = review.preparation
        self.clinician_id, self.clinician_name = clinician_id, name
        self.next_session = next_session_line(reader, ready.window.next_at)
        if ready.window.start is None:
            self.since_line = reader.t("The last two weeks (no session marked held yet)")
        else:
            self.since_line = reader.t("Since your session on {day}", day=reader.day(ready.window.start))
        self.timeline = _timeline(review, reader)
        today = reader.today()
        self.to_do = [
            TimelineLine(
                id=task.id,
                kind=reader.t(ONE_HOMEWORK),
                title=assignment_title(task.worksheet, reader),
                when=homework.due_text(reader, task.due_on, today),
                href=routes.assignment(task.id),
                label=reader.t("Not started") if task.status == "assigned" else reader.t("Started"),
            )
            for task, _ in homework.next_of_each_series(review.to_do)  # a repeated one: its next copy
        ]
        readings = _readings(review.check_ins)
        held = ready.window.start is not None
        chart = charts.window(readings, reader, since=review.since, now=utcnow(), held=held)
        self.figure, self.chart_summary, self.has_chart = chart.figure, chart.summary, bool(readings)
        self.agenda_id = str(ready.agenda.id)
        self.lines = _own_lines(ready.agenda.lines, review, reader)
        self.agenda_shared = ready.agenda.shared
        last = ready.last_time
        if not ready.agenda.shared and last is not None and last.shared and ready.agenda.lines:
            # Last time's was shared; this is a new agenda, and nothing is shared by itself.
            self.agenda_status = reader.t(
                "A new agenda for your next session, with what wasn't discussed last time. "
                "It is private until you share it: {name} can't see it yet.",
                name=name,
            )
        elif not ready.agenda.shared:
            self.agenda_status = reader.t("Private: {name} can't see this agenda.", name=name)
        elif ready.agenda.seen_at is None:
            self.agenda_status = reader.t(
                "Shared with {name}: they see its lines, and the pinned items you share with them. "
                "Not seen yet.",
                name=name,
            )
        elif ready.agenda.changed_after_seen is not None:  # "Seen" is of what it was then
            self.agenda_status = reader.t(
                "Shared with {name}: they see its lines, and the pinned items you share with them. "
                "Seen on {moment}, before your changes of {changed}.",
                name=name,
                moment=ready.agenda.seen_at,
                changed=ready.agenda.changed_after_seen,
            )
        else:
            self.agenda_status = reader.t(
                "Shared with {name}: they see its lines, and the pinned items you share with them. "
                "Seen on {moment}.",
                name=name,
                moment=ready.agenda.seen_at,
            )
        self.last_lines = _own_lines(last.lines, review, reader) if last else []
        self._show_note(last.remember if last else "")
        if not self._line_drawn:  # a page just opened; later, the field holds what is typed here
            self._draw_line_field(ready.typed_line)
        self.session_held = ready.window.previous_key is not None
        # The window's entries, and those pinned to the agenda from before it (carried over):
        # the paper copy can hold what the client means to bring.
        in_window = {str(e.id) for e in review.entries}
        pinned_before = [
            review.pinned[line.item_id]
            for line in ready.agenda.lines
            if line.pin == journal.KIND.name and line.item_id in review.pinned.keys() - in_window
        ]
        self.entry_choices = [
            Choice(str(e.id), card_title(e.kind, e.fields, reader, e.created_at))
            for e in (*review.entries, *pinned_before)
        ]
        pinned = {line.item_id for line in ready.agenda.lines}
        self.pin_choices = pin_choices(
            [item for item in (*review.entries, *review.responses) if str(item.id) not in pinned], reader
        )
        if not any(line.pin == agenda.CHART for line in ready.agenda.lines):
            self.pin_choices.insert(
                0, Choice(agenda.CHART, _line_text(agenda.Line("", pin=agenda.CHART), None, reader))
            )

    def _show_note(self, note: str) -> None:
        """The note after the last session, put in the field only when it is not what this tab
        already holds: a page brought up to date by another tab's change must not take back
        words typed here and not sent yet (the field sends them after a pause)."""
        if note != self._note_kept:  # a new page, or the note changed in another tab
            self.remember, self._note_kept, self.remember_status = note, note, ""
            self.remember_shown += 1  # a new field: it shows this note even if `remember` was it

    def _draw_line_field(self, text: str) -> None:
        """A new "Add a line" field, holding `text`; what an older one sends after is not kept
        (`keep_line`)."""
        self.line_typed, self._line_drawn = text, True
        self.line_shown += 1

    def _leave(self) -> None:
        self.reset()

    async def _recheck_access(self, viewer_id: str) -> None:
        """The clinician ticked a line, planned or held a session: the page as it is now
        (the client's own; nothing of anyone else's is read)."""
        await self._load(uuid.UUID(viewer_id), self.clinician_id)

    async def _after(self, notice: str = "") -> None:
        """After a change: the page as it is now (a line removed before can't be put back by
        "Undo" any more); a shared agenda changes on the clinician's open brief too."""
        self._removed, self.removed_line = None, ""
        client = self._viewer().user_id
        await self._load(client, self.clinician_id)
        live.recheck_people([client], but=self.router.session.client_token)  # their other tabs
        if self.agenda_shared:
            live.recheck_people([self.clinician_id])
        if notice:
            self.notice = notice

    @guarded(Role.CLIENT)
    async def choose_clinician(self, clinician_id: str) -> rx.event.EventSpec:
        return rx.redirect(f"{routes.PREPARE}?with={clinician_id}")

    @guarded(Role.CLIENT)
    async def add_line(self, form: dict[str, Any]) -> None:
        text = form_fields(form, {"text", "agenda_text"}).get("text")
        if self._second_tap(text):
            return
        try:
            await in_session(
                agenda.add_text, client_id=self._viewer().user_id, agenda_id=self.agenda_id, text=text
            )
        except CoreError:
            # The form emptied itself as it was sent: refused, the words come back to change.
            self._draw_line_field(text if isinstance(text, str) else "")
            raise
        await self._after(self._t("Added to your agenda."))
        self._draw_line_field("")
        self._added()

    @guarded(Role.CLIENT, quiet=True)
    async def keep_line(self, text: str, field: object = None) -> None:
        """A line half typed, kept on the server as the field is left (a reload or a closed
        tab loses none of it; assets/page_feedback.jsx hands it to a beacon too). `field`: the
        field it was typed in (`line_shown`): one replaced since (the line added) sends its
        last words late, and they are a line already."""
        if field is not None and field != self.line_shown:
            return
        await in_session(
            agenda.keep_typed_line, client_id=self._viewer().user_id, agenda_id=self.agenda_id, text=text
        )

    @guarded(Role.CLIENT)
    async def pin(self, form: dict[str, Any]) -> None:
        """Pin what the form chose: "chart", or "<kind>:<id>" of an entry or a homework
        response of the client's. Pinning shares nothing."""
        chosen = form_fields(form, {"item"}).get("item")
        if not isinstance(chosen, str) or not chosen:
            raise InvalidInput(N_("Choose what to pin first."))
        kind, _, item_id = chosen.partition(":")
        await in_session(
            agenda.pin, client_id=self._viewer().user_id, agenda_id=self.agenda_id, kind=kind, item_id=item_id
        )
        await self._after(self._t("Pinned to your agenda."))

    @guarded(Role.CLIENT)
    async def pin_for_next_session(self, kind: str, item_id: str, clinician_id: str) -> None:
        """From an item's own page (an entry of any time): pinned to the agenda for the next
        session with this clinician."""
        client = self._viewer().user_id
        pinned = await in_session(
            agenda.pin_for_next_session,
            client_id=client,
            clinician_id=clinician_id,
            kind=kind,
            item_id=item_id,
        )
        live.recheck_people([client], but=self.router.session.client_token)  # their other tabs
        if pinned.shared:
            live.recheck_people([pinned.clinician_id])  # their open brief
        sharing_state = await self.get_state(ItemSharingState)
        if sharing_state._item_id == item_id:  # its page says so where the tap was
            sharing_state.pinned_with = [*sharing_state.pinned_with, str(pinned.clinician_id)]
        self.notice = self._t("Pinned to your agenda for your next session.")

    @guarded(Role.CLIENT)
    async def remove_line(self, line_id: str) -> None:
        shown = next((line.text for line in self.lines if line.id == line_id), "")
        removed = await in_session(
            agenda.remove_line, client_id=self._viewer().user_id, agenda_id=self.agenda_id, line_id=line_id
        )
        await self._after()  # said under the list, with "Undo" (pages/preparation.py)
        self._removed, self.removed_line = removed, shown  # (after _after, which forgets the last)

    @guarded(Role.CLIENT)
    async def undo_remove(self) -> None:
        """Put the line just removed back where it was."""
        removed = self._removed
        if removed is None:
            raise InvalidInput(N_("There is nothing to undo. Reload the page to see your agenda as it is."))
        await in_session(
            agenda.put_back, client_id=self._viewer().user_id, agenda_id=self.agenda_id, removed=removed
        )
        await self._after(self._t("Back on your agenda."))

    @guarded(Role.CLIENT)
    async def move_line(self, line_id: str, by: object) -> None:
        await in_session(
            agenda.move, client_id=self._viewer().user_id, agenda_id=self.agenda_id, line_id=line_id, by=by
        )
        await self._after()
        # Said, for whoever can't see the list change (a screen reader reads it out).
        place = next((i for i, line in enumerate(self.lines) if line.id == line_id), None)
        if place is not None:
            self.notice = self._t(
                "Moved to {place} of {count}: {text}",
                place=place + 1,
                count=len(self.lines),
                text=self.lines[place].text,
            )

    @guarded(Role.CLIENT)
    async def set_agenda_shared(self, shared: bool) -> None:
        """Share this agenda with its clinician, or make it private again."""
        wanted = parse_bool(shared, label=N_("Sharing"))
        _shares, changed = await in_session(
            sharing.set_shared,
            owner_id=self._viewer().user_id,
            item_id=self.agenda_id,
            clinician_id=self.clinician_id,
            shared=wanted,
        )
        if changed and not wanted:  # (a shared agenda's page pushes after every change: _after)
            live.recheck_people([self.clinician_id])
        # (This client's other tabs, the agenda's switch on their Prepare page: _after.)
        if wanted:
            await self._after(self._t("Agenda shared with {name}.", name=self.clinician_name))
        else:
            await self._after(
                self._t(
                    "Your agenda is private again. {name} can no longer see it.", name=self.clinician_name
                )
            )

    @guarded(Role.CLIENT)
    async def set_pinned_shared(self, item_id: str, shared: bool) -> None:
        """A pinned item's own share switch, on the agenda: share that item with the
        agenda's clinician (the one tap offered beside a private pin), or stop sharing it."""
        wanted = parse_bool(shared, label=N_("Sharing"))
        _shares, changed = await in_session(
            sharing.set_shared,
            owner_id=self._viewer().user_id,
            item_id=item_id,
            clinician_id=self.clinician_id,
            shared=wanted,
        )
        if changed:  # their open lists gain or lose it at once (this client's other tabs: _after)
            live.recheck_people([self.clinician_id])
        if wanted:
            await self._after(self._t("Item shared with {name}.", name=self.clinician_name))
        else:
            await self._after(
                self._t("This item is private again. {name} can no longer see it.", name=self.clinician_name)
            )

    @guarded(Role.CLIENT)
    async def save_remember(self, form: dict[str, Any]) -> None:
        await self._keep_note(form_fields(form, {"remember"}).get("remember"))
        await self._after(self._t("Your note is saved. Only you can see it."))

    @guarded(Role.CLIENT, quiet=True)
    async def keep_remember(self, note: str, field: object = None) -> None:
        """The note as typed, saved after a pause (and when the field is left). The field
        keeps what is typed meanwhile: `remember` is not sent back. `field`: which field it
        was typed in (`remember_shown`); a field replaced meanwhile by a note saved in
        another tab sends its last words as it goes, and they must not overwrite that note
        (the tab now shows it): the one time two tabs' words meet, the last saved wins."""
        if field is not None and field != self.remember_shown:
            return
        self.remember_status = ""
        await self._keep_note(note)
        self.remember_status = self._t("Note saved.")
        # Their other tabs show it at once (a new field there).
        live.recheck_people([self._viewer().user_id], but=self.router.session.client_token)

    async def _keep_note(self, note: object) -> None:
        self._note_kept = await in_session(
            agenda.remember_last_time,
            client_id=self._viewer().user_id,
            clinician_id=self.clinician_id,
            text=note,
        )

    @guarded(Role.CLIENT)
    async def download_summary(self, form: dict[str, Any]) -> rx.event.EventSpec | None:
        """A PDF of what the client chooses (the agenda, the chart, some entries), made in
        memory and sent over this connection: no file is left on the server."""
        client = self._viewer().user_id
        fields = form_fields(form)
        chosen = [key.removeprefix("entry-") for key, on in fields.items() if key.startswith("entry-") and on]
        with_agenda, with_chart = bool(fields.get("agenda")), bool(fields.get("chart"))
        if not (chosen or with_agenda or with_chart):
            raise InvalidInput(N_("Choose at least one thing to put in your summary."))
        if len(chosen) > SUMMARY_ENTRIES_MAX:
            raise InvalidInput(
                N_("Choose at most {count} entries for one summary."), count=SUMMARY_ENTRIES_MAX
            )
        reader = self._reader()

        def gather(session: Session):
            review = agenda.review(session, client_id=client, clinician_id=self.clinician_id)
            entries = agenda.chosen_entries(session, client_id=client, entry_ids=chosen)
            lines = review.preparation.agenda.lines if with_agenda else ()
            check_ins = review.check_ins if with_chart else []
            if not (lines or check_ins or entries):  # (a tab from before the lines were removed)
                raise InvalidInput(
                    N_("What you chose has nothing in it yet. Add a line to your agenda, or check in.")
                )
            return review, entries, _own_lines(lines, review, reader), _readings(check_ins)

        with self._one_file_at_a_time():
            review, entries, lines, readings = await in_session(gather)
            data, readable = await made_in_turn(  # a long summary takes a moment
                _summary_and_readable,
                reader=reader,
                next_at=review.preparation.window.next_at,
                since=review.since,
                agenda=[line.text for line in lines],
                readings=readings,
                entries=[
                    summary_pdf.SummaryEntry(e.created_at, e.fields["title"], e.fields["body"])
                    for e in entries
                ],
            )
        # Audited before it is sent (AUD-2: no record, no file); a summary refused above, none.
        await in_session(agenda.record_export, client_id=client, item_ids=[e.id for e in entries])
        self.notice = self._t(_SUMMARY_READY[(with_agenda and not lines, with_chart and not readings)])
        if not readable:
            # Said, not hidden: the paper would show "?" where the screen shows the words.
            self.notice += " " + self._t(
                "Some letters in your words can't be shown in this PDF: they print as “?”. "
                "Each entry's own page prints them as written, with your browser's Print."
            )
        return rx.download(data=data, filename="betterjournal-summary.pdf")


def _summary_and_readable(
    *, reader: Reader, agenda: list[str], entries: list[summary_pdf.SummaryEntry], **rest: Any
) -> tuple[bytes, bool]:
    """The summary, and whether it shows every letter of the person's words (both read every
    character: in the file maker's thread, off the event loop)."""
    data = summary_pdf.session_summary(reader, agenda=agenda, entries=entries, **rest)
    words = [*agenda, *(text for entry in entries for text in (entry.title, entry.body))]
    return data, summary_pdf.shows_every_letter(words, reader.language)


# --- the clinician's side ----------------------------------------------------------------------


class CaseloadState(AppState):
    """The clinician's clients, soonest session first, with what needs attention in plain
    counts. Nothing a client wrote is read here: nothing is audited or marked seen."""

    cases: list[CaseLineView] = []
    caseload_loaded: bool = False
    _held_path: str = ""

    @guarded(Role.CLINICIAN)
    async def load_caseload(self) -> None:
        await self._load(self._viewer().user_id)
        self._keep_current()

    async def _load(self, clinician_id: uuid.UUID) -> None:
        reader = self._reader()
        found = await in_session(caseload.caseload, clinician_id=clinician_id, today=reader.today())
        self.cases = [case_line(line, reader) for line in found]
        self.caseload_loaded, self._held_path = True, routes.CASELOAD

    def _leave(self) -> None:
        self.reset()

    async def _recheck_access(self, viewer_id: str) -> None:
        """A client shared, returned, revoked or ended the link: the counts as they are now."""
        await self._load(uuid.UUID(viewer_id))


def _held_which(reader: Reader, planned: datetime | None) -> str:
    """Which session marking it held records: the planned one, unless it is on a later day
    (then today's, and the planned one stays next), as appointments.mark_held does."""
    if planned is None:
        return reader.t("No session is planned: today's is recorded as held.")
    moment = reader.long_moment(planned)
    if planned.astimezone(reader.zone).date() > reader.today():
        return reader.t(
            "Today's session is recorded as held; the one on {moment} stays planned.", moment=moment
        )
    return reader.t("The session planned for {moment} is recorded as held.", moment=moment)


def _where_read(kind: str, item_id: str, answers_to: Mapping[str, str]) -> str:
    """Where the clinician reads a pinned item on its own: homework it answers, on the page
    of returned homework (a walk-through found a pinned response on the brief, a title with
    nothing under it and no way to its answers); an entry, on its page."""
    if item_id in answers_to:
        return f"{routes.RETURNED}?assignment={answers_to[item_id]}"
    return routes.shared_entry(item_id) if kind == journal.KIND.name else ""


class BriefState(AppState):
    """One client's window before a session, as far as the clinician may see it, and the
    session's controls: plan the next one, tick what was discussed, mark it held."""

    client_id: str = ""
    client_name: str = ""
    next_session: str = ""
    planned_day: str = ""  # the next session's date and time in the clinician's zone, for
    planned_time: str = ""  # the form that moves it ("2026-12-05", "14:30"); "" if none
    time_hint: str = ""  # the zone the form's time is in, the clinician's own
    held_which: str = ""  # which session "Mark held" records (appointments.mark_held's rule)
    # Marked held moments ago (Mark held would only repeat it): when, said instead ("" if not).
    held_moments_ago: str = ""
    since_line: str = ""
    agenda_id: str = ""
    lines: list[AgendaLineView] = []
    pinned: list[SharedView] = []
    figure: dict = {}  # charts.py: Plotly JSON
    chart_summary: str = ""
    has_earlier: bool = False  # the chart draws shared check-ins of the weeks before, in grey
    has_check_ins: bool = False  # any to draw (else the summary says there are none, no frame)
    notes: list[CheckInNote] = []  # the notes of this window's shared check-ins, newest first
    older_notes: int = 0  # more of them, not listed (on the client's check-ins page)
    entries: list[SharedView] = []
    homework: list[GivenLine] = []
    more_overdue: str = ""  # overdue homework not listed in the brief
    brief_loaded: bool = False
    brief_checked: bool = False  # the load ended, shown or refused (no spinner left turning)
    _held_path: str = ""

    @guarded(Role.CLINICIAN)
    async def load_brief(self) -> None:
        self._leave()  # a refused load leaves nothing of the client shown before
        try:
            await self._load(self._viewer().user_id, self.router.url.query_parameters.get("client", ""))
        finally:
            self.brief_checked = True
        live.recheck_people([self.client_id])  # "Seen on …" shows on the client's open pages

    async def _load(self, clinician_id: uuid.UUID, client_id: str) -> None:
        reader = self._reader()
        found = await in_session(
            caseload.brief, clinician_id=clinician_id, client_id=client_id, today=reader.today()
        )
        now = utcnow()
        window = found.window
        self.client_id, self.client_name = found.client_id, found.client_name
        self.next_session = next_session_line(reader, window.next_at)
        planned = window.next_at.astimezone(reader.zone) if window.next_at else None
        self.planned_day = planned.date().isoformat() if planned else ""
        self.planned_time = planned.strftime("%H:%M") if planned else ""
        self.time_hint = reader.t(
            "Your time ({zone}). Your client sees it in their own time zone.",
            zone=reader.zone_name(window.next_at or now),
        )
        self.held_which = _held_which(reader, window.next_at)
        self.held_moments_ago = (
            reader.t("Marked held at {time}: a new window has started.", time=reader.time(window.start))
            if window.start is not None
            and appointments.held_moments_ago(window.start, window.next_at, now, reader.zone)
            else ""
        )
        if window.start is None:
            self.since_line = reader.t("The last two weeks (no session marked held yet)")
        else:
            self.since_line = reader.t("Since the session on {day}", day=reader.day(window.start))
        self.agenda_id = found.agenda_id
        self.lines = [
            AgendaLineView(
                id=line.id,
                text=agenda_line_text(line, _pinned(found.pinned.get(line.item_id)), reader, clinician=True),
                href=_where_read(line.pin, line.item_id, found.answers_to),
                discussed=line.discussed,
                status=reader.t("Discussed") if line.discussed else "",
                item_id=line.item_id,
                pinned=bool(line.item_id),
                private=False,
            )
            for line in found.agenda
        ]
        self.pinned = [
            dataclasses.replace(
                shared_view(item, reader), href=_where_read(item.kind, str(item.id), found.answers_to)
            )
            for item in found.pinned.values()
        ]
        since = window.since(now)
        before = window.previous_start or since - (now - since)
        readings = _readings(found.check_ins)
        chart = charts.window(
            readings,
            reader,
            since=since,
            now=now,
            before=before,
            held=window.start is not None,
            shared=True,
        )
        self.figure, self.chart_summary = chart.figure, chart.summary
        self.has_earlier, self.has_check_ins = chart.compared, chart.drawn
        self.notes, self.older_notes = check_in_notes(found.check_ins, reader, since=since)
        self.entries = [
            dataclasses.replace(shared_view(item, reader), href=routes.shared_entry(str(item.id)))
            for item in found.entries
        ]
        today = reader.today()
        self.homework = [attention_line(item, reader, today) for item in found.homework]
        self.more_overdue = (
            reader.n(
                "{count} more overdue: see their Homework page.",
                "{count} more overdue: see their Homework page.",
                found.more_overdue,
            )
            if found.more_overdue
            else ""
        )
        self.brief_loaded, self._held_path = True, routes.BRIEF
        self._keep_current()  # also after the clinician's own taps here (marked held, planned)

    def _leave(self) -> None:
        self.reset()

    async def _recheck_access(self, viewer_id: str) -> None:
        """The client shared, revoked, deleted or ended the link: the brief as it is now.
        A client no longer linked leaves nothing on screen."""
        clinician = uuid.UUID(viewer_id)
        linked = self.client_id and await in_session(
            sharing.is_linked, client_id=uuid.UUID(self.client_id), clinician_id=clinician
        )
        if not linked:  # not a refusal to audit: the client ended the link
            self.reset()
            self.brief_checked = True  # the page says so, rather than opening forever
            return
        try:
            await self._load(clinician, self.client_id)
        except CoreError:
            self.reset()
            self.brief_checked = True

    def _changed_for(self, client: uuid.UUID | str) -> None:
        """The clinician changed the client's agenda or sessions: the client's open pages and
        the clinician's other tabs (another brief, the caseload) show it at once."""
        live.recheck_people([client, self._viewer().user_id], but=self.router.session.client_token)

    @guarded(Role.CLINICIAN)
    async def set_discussed(self, line_id: str, discussed: bool) -> None:
        wanted = parse_bool(discussed, label=N_("Discussed"))
        clinician = self._viewer().user_id
        client = await in_session(
            agenda.set_discussed,
            clinician_id=clinician,
            agenda_id=self.agenda_id,
            line_id=line_id,
            discussed=wanted,
        )
        self._changed_for(client)
        await self._load(clinician, self.client_id)

    @guarded(Role.CLINICIAN)
    async def plan_session(self, form: dict[str, Any]) -> None:
        fields = form_fields(form, {"day", "time"})
        clinician = self._viewer().user_id
        client = await in_session(
            appointments.plan,
            clinician_id=clinician,
            client_id=self.client_id,
            day=fields.get("day"),
            at=fields.get("time"),
            zone=self._reader().zone,
        )
        self._changed_for(client)
        await self._load(clinician, self.client_id)
        self.notice = self._t(
            "Next session saved. {name} sees it on their Prepare page.", name=self.client_name
        )

    @guarded(Role.CLINICIAN)
    async def clear_session(self) -> None:
        clinician = self._viewer().user_id
        client = await in_session(appointments.unplan, clinician_id=clinician, client_id=self.client_id)
        self._changed_for(client)
        await self._load(clinician, self.client_id)
        self.notice = self._t("No next session planned now.")

    @guarded(Role.CLINICIAN)
    async def mark_held(self) -> None:
        clinician = self._viewer().user_id
        client = await in_session(
            appointments.mark_held, clinician_id=clinician, client_id=self.client_id, zone=self._reader().zone
        )
        self._changed_for(client)
        await self._load(clinician, self.client_id)
        self.notice = self._t(
            "Session marked held. A new window starts now; what wasn't discussed carries over."
        )

"""Mood check-ins: making one in a few taps, the client's charts and list, one check-in
with its share switches, and a clinician's charts of what a client shared."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime, time

import reflex as rx
from sqlmodel import Session

from betterjournal import charts, routes
from betterjournal.core import checkins, items, sharing
from betterjournal.core.errors import CoreError, InvalidInput
from betterjournal.core.validation import parse_bool
from betterjournal.db import in_session
from betterjournal.i18n import N_
from betterjournal.models import Cursor, OwnItem, Page, Role, Share, Version, utcnow
from betterjournal.state import live
from betterjournal.state.base import AppState, guarded
from betterjournal.state.items import ItemSharingState, who_sees_edits
from betterjournal.views import (
    NOTES_SHOWN,
    CheckInLine,
    CheckInNote,
    PersonLine,
    check_in_line,
    check_in_notes,
    editing_shared_line,
    person_lines,
    share_lines,
)

RATING_NAMES = tuple(name for name, _ in checkins.RATINGS)


def _labels(session: Session, *, client_id: uuid.UUID):
    """The client's tags and extra scales (their own and those a clinician suggested)."""
    return (
        checkins.tags_of(session, owner_id=client_id),
        checkins.scales_of(session, client_id=client_id, viewer_id=client_id),
    )


def _add_tag(session: Session, *, owner_id: uuid.UUID, name: object):
    tag_id = checkins.add_tag(session, owner_id=owner_id, name=name)
    return tag_id, *_labels(session, client_id=owner_id)


def _check_in_to_edit(session: Session, *, owner_id: uuid.UUID, item_id: str):
    """The check-in to edit (None: a new one), who it is shared with, and the client's labels."""
    labels = _labels(session, client_id=owner_id)
    if not item_id:
        return None, [], *labels
    item = items.open_own(session, owner_id=owner_id, kind=checkins.KIND, item_id=item_id)
    return item, sharing.shared_with(session, owner_id=owner_id, item_ids=[item.id]).get(item.id, []), *labels


TYPED = ("sleep_hours", "felt_at")  # the form's fields kept as typed (`keep_typed`)
SLEEP_FIELD = "sleep_hours"  # the hours of sleep field's id and name
FORM_FIELDS = {SLEEP_FIELD, "note", "felt_at"}  # the form's typed fields: each its id and name
NEW_TAG_FIELD = "check_in_new_tag"  # in the check-in's form (its key, as its id), but a form of its own


class CheckInState(AppState):
    """A new check-in, or one being edited (`?id=`): the ratings and tags tapped so far,
    and what the form's other fields start with; the rest comes with the form."""

    ratings: dict[str, int] = {}  # a rating, or an extra scale (by its id), chosen
    tags: list[checkins.Label] = []
    chosen_tags: list[str] = []
    scales: list[checkins.Label] = []
    check_in_id: str = ""  # chosen when the page opens: a double tap on Save makes one
    # The form is drawn once the page has opened this check-in (its id, an edit's fields):
    # drawn before, it was drawn again when they came, and what was typed or opened was lost.
    opened: bool = False
    editing: bool = False
    shared_line: str = ""  # an edited check-in shared: "Shared with …: once you save, they see …"
    sleep_hours: str = ""  # the form's fields, as an edited check-in had them
    note: str = ""
    felt_at: str = ""  # local date and time ("2026-11-30T20:05")
    latest: str = ""  # the picker's last choice: the end of today, in the person's time zone
    more_open: bool = False  # "More (optional)" opened: what was kept of an unsaved one is in it
    taken_back: bool = False  # the form holds an unsaved check-in kept from before
    fields_drawn: int = 0  # the key of the typed fields (sleep, time): a new count draws them again
    # The note, hours of sleep and an earlier time as typed and kept, not saved yet.
    _typed: dict[str, str] = {}
    _held_path: str = ""  # kept current: a scale a clinician suggests appears at once
    _based_on: Version | None = None  # the check-in as it was saved when the page opened

    @guarded(Role.CLIENT)
    async def open_check_in(self) -> None:
        viewer = self._viewer()
        self.reset()
        requested = self.router.url.query_parameters.get("id", "")
        item, shared_with, self.tags, self.scales = await in_session(
            _check_in_to_edit, owner_id=viewer.user_id, item_id=requested
        )
        self._held_path = routes.CHECK_IN
        self._keep_current()
        self.opened = True
        self.latest = f"{self._reader().today().isoformat()}T23:59"
        if item is None:
            self.check_in_id, self._based_on = str(uuid.uuid4()), Version(None)
            kept = await in_session(checkins.unsaved, owner_id=viewer.user_id)
            if kept:
                self._take_back(kept)
            return
        self._based_on = Version(item.updated_at)
        fields, reader = item.fields, self._reader()
        reading = checkins.reading(item.id, fields)
        self.check_in_id, self.editing = str(item.id), True
        if reading is not None:
            known = {*RATING_NAMES, *(scale.id for scale in self.scales)}
            self.ratings = {k: int(v) for k, v in reading.values.items() if k in known}
            self.chosen_tags = [t for t in reading.tags if any(tag.id == t for tag in self.tags)]
            self.felt_at = reading.felt_at.astimezone(reader.zone).strftime("%Y-%m-%dT%H:%M")
        self.sleep_hours, self.note = fields.get("sleep_hours", ""), fields.get("note", "")
        self.shared_line = editing_shared_line(shared_with, reader)  # its note is shared with it

    def _take_back(self, kept: dict) -> None:
        """What was tapped and typed in a check-in not saved (a reload, a closed tab, a trip
        to another page): on the form again, and said."""
        known = {*RATING_NAMES, *(scale.id for scale in self.scales)}
        ratings = {**{k: v for k, v in kept.items() if k in RATING_NAMES}, **kept.get("scales", {})}
        ratings.update(kept.get("own_scales", {}))
        self.ratings = {k: v for k, v in ratings.items() if k in known and type(v) is int and 0 <= v <= 10}
        self.chosen_tags = [t for t in kept.get("tags", []) if any(tag.id == t for tag in self.tags)]
        self._typed = {name: kept[name] for name in (*TYPED, "note") if isinstance(kept.get(name), str)}
        self.note = self._typed.get("note", "")
        self.sleep_hours, self.felt_at = self._typed.get("sleep_hours", ""), self._typed.get("felt_at", "")
        self.fields_drawn += 1
        self.more_open = bool(self.note or self._typed or self.chosen_tags or set(self.ratings) - {"mood"})
        self.taken_back = True
        self.notice = self._t("Your unsaved check-in is back.")

    @guarded(Role.CLIENT)
    async def start_afresh(self) -> None:
        """Put away the unsaved check-in that came back: an empty form, nothing kept."""
        if self.editing:
            return
        await in_session(checkins.forget_unsaved, owner_id=self._viewer().user_id)
        self.ratings, self.chosen_tags, self.note = {}, [], ""
        self._typed, self.sleep_hours, self.felt_at = {}, "", ""
        self.fields_drawn += 1
        self.more_open = self.taken_back = False
        self.notice = self._t("A new check-in, from the start.")

    async def _keep(self) -> None:
        """A new check-in's taps and note so far, kept (an edit keeps its saved version)."""
        if self.editing or not self.opened:
            return
        extra = {scale.id: scale.private for scale in self.scales}
        await in_session(
            checkins.keep_unsaved,
            owner_id=self._viewer().user_id,
            values={
                **{name: self.ratings.get(name) for name in RATING_NAMES},
                "tags": list(self.chosen_tags),
                "scales": {k: v for k, v in self.ratings.items() if extra.get(k) is False},
                "own_scales": {k: v for k, v in self.ratings.items() if extra.get(k) is True},
                **self._typed,
            },
        )

    @guarded(Role.CLIENT, quiet=True)
    async def keep_typed(self, name: str, value: str) -> None:
        """Hours of sleep or an earlier time as typed (after a pause, and as the field is
        left): kept with the rest. (A reload brought back the mood and the note but not the
        time chosen, and the check-in was saved for now without a word.) Checked on Save."""
        if name not in TYPED or not isinstance(value, str) or len(value) > 20:
            raise InvalidInput(N_("This couldn't be saved. Please try again."))
        await self._keep_as_typed(name, value)

    async def _keep_as_typed(self, name: str, value: str) -> None:
        """Keep a typed field with the rest. Refused for this very field, what was kept before
        still is (an attack review: a refused value stayed, and every later tap's keeping was
        refused with it). Refused for anything else, it stays with the rest, to be kept with
        the next tap: put back, a note on screen went from what was kept, and a reload lost
        it (a CI run: its cause is not known)."""
        kept = self._typed
        self._typed = {**kept, name: value}
        try:
            await self._keep()
        except InvalidInput as error:
            if error.field == name:
                self._typed = kept
            raise

    @guarded(Role.CLIENT, quiet=True)
    async def keep_note(self, value: str) -> None:
        """The note as it is typed (after a pause): kept with the rest, never lost to a reload.
        A note past the limit isn't kept: the save says the limit, and the words stay on screen."""
        if not isinstance(value, str):
            raise InvalidInput(N_("This couldn't be saved. Please try again."))
        self.note = value
        if len(value) <= checkins.NOTE_MAX:
            await self._keep_as_typed("note", value)

    def _leave(self) -> None:
        self.reset()

    async def _recheck_access(self, viewer_id: str) -> None:
        """The client's tags and scales now (a clinician suggested or removed one), and who
        sees an edited check-in (shared or made private in another tab); what was tapped stays."""
        self.tags, self.scales = await in_session(_labels, client_id=uuid.UUID(viewer_id))
        known = {*RATING_NAMES, *(scale.id for scale in self.scales)}
        self.ratings = {k: v for k, v in self.ratings.items() if k in known}
        if self.editing:
            self.shared_line = await who_sees_edits(uuid.UUID(viewer_id), self.check_in_id, self._reader())

    @guarded(Role.CLIENT, quiet=True)
    async def toggle_tag(self, tag_id: str) -> None:
        if tag_id in self.chosen_tags:
            self.chosen_tags = [chosen for chosen in self.chosen_tags if chosen != tag_id]
        elif any(tag.id == tag_id for tag in self.tags):
            self.chosen_tags = [*self.chosen_tags, tag_id]
        await self._keep()

    @guarded(Role.CLIENT)
    async def add_tag(self, form: dict) -> None:
        """A new tag, made during a check-in: it joins this check-in, and what was tapped
        and typed so far stays. A name the client already has chooses that tag."""
        name = _field(form, "name")
        if self._second_tap(name):
            return
        viewer = self._viewer()
        had = {tag.id for tag in self.tags}
        tag_id, self.tags, self.scales = await in_session(_add_tag, owner_id=viewer.user_id, name=name)
        if str(tag_id) not in self.chosen_tags:
            self.chosen_tags = [*self.chosen_tags, str(tag_id)]
        await self._keep()
        if str(tag_id) in had:
            self.notice = self._t("You already have this tag. It is chosen for this check-in.")
        else:
            self.notice = self._t("Tag added to this check-in.")
        self._added()

    @guarded(Role.CLIENT, quiet=True)
    async def choose_rating(self, dimension: str, value: object) -> None:
        """Tap a number (again to clear an optional one). `value` is not annotated `int`:
        Reflex would turn the text "5" into 5, and a rating is a number, never its text."""
        scale = next((scale for scale in self.scales if scale.id == dimension), None)
        if dimension not in RATING_NAMES and scale is None:
            raise InvalidInput(N_("This couldn't be saved. Please try again."))
        # A number, not its text ("5"), true or null; then a whole number from 0 to 10.
        if type(value) is not int or not 0 <= value <= 10:
            if scale is not None:
                raise InvalidInput(N_("Each scale: choose a whole number from 0 to 10."))
            label = dict(checkins.RATINGS)[dimension]
            raise InvalidInput(N_("{label}: choose a whole number from 0 to 10."), label=label)
        chosen = dict(self.ratings)
        if chosen.get(dimension) == value and dimension != "mood":
            del chosen[dimension]
        else:
            chosen[dimension] = value
        self.ratings = chosen
        if dimension == "mood" and self.problem == self._t(checkins.NEEDS_MOOD):
            self.problem = ""  # what Save asked for is there now
        await self._keep()

    @guarded(Role.CLIENT)
    async def save_check_in(self, form: dict) -> rx.event.EventSpec | None:
        """Save the tapped ratings with the form's sleep, note and time; then show the charts.
        The second tap of a double tap finds the form emptied by the first: it goes (again)
        where the first went, saying what the first said."""
        if self._second_tap(self.ratings, "save check-in"):
            return self._go_again(routes.CHECK_INS)
        viewer = self._viewer()
        if "mood" not in self.ratings:
            raise InvalidInput(checkins.NEEDS_MOOD)
        if not isinstance(form, dict) or set(form) - {SLEEP_FIELD, "note", "felt_at", NEW_TAG_FIELD}:
            raise InvalidInput(N_("This couldn't be saved. Please try again."))
        try:
            await self._save_check_in(viewer.user_id, form)
        except InvalidInput as error:
            if error.field not in FORM_FIELDS:
                raise
            # Said, and the field that is wrong has the focus (walk-through: it stayed on Save).
            self.problem = self._t(error.message, **error.values)
            return rx.set_focus(error.field)
        edited = self.editing
        self.reset()
        self.check_in_id = str(uuid.uuid4())
        if edited:
            saved = self._t("Check-in saved.")
        else:
            saved = self._t("Check-in saved. It is private until you share it.")
        self._flash(saved)
        self._added("save check-in", saved)
        return rx.redirect(routes.CHECK_INS)

    async def _save_check_in(self, owner_id: uuid.UUID, form: dict[str, str]) -> None:
        hours = _hours(form.get(SLEEP_FIELD, ""))
        extra = {scale.id: scale.private for scale in self.scales}
        values = {
            **{name: self.ratings.get(name) for name in RATING_NAMES},
            "sleep_hours": hours,
            "note": form.get("note", ""),
            "felt_at": self._moment(form.get("felt_at", "")),
            "tags": list(self.chosen_tags),
            "scales": {k: v for k, v in self.ratings.items() if extra.get(k) is False},
            "own_scales": {k: v for k, v in self.ratings.items() if extra.get(k) is True},
        }

        def save(session: Session) -> None:
            checkins.save(
                session,
                owner_id=owner_id,
                item_id=self.check_in_id,
                values=values,
                based_on=self._based_on,  # changed on another device meanwhile: refused, and said
            )
            if not self.editing:
                checkins.forget_unsaved(session, owner_id=owner_id)

        await in_session(save)

    def _moment(self, local: object) -> str:
        """The form's local date and time ('2026-11-30T20:05', empty for now) in UTC."""
        if local in ("", None):
            return utcnow().isoformat()
        if not isinstance(local, str) or len(local) > 20:
            raise InvalidInput(N_("Choose when this check-in is for.")).in_field("felt_at")
        try:
            moment = datetime.fromisoformat(local)
        except ValueError:
            raise InvalidInput(N_("Choose when this check-in is for.")).in_field("felt_at") from None
        if moment.tzinfo is not None:
            raise InvalidInput(N_("Choose when this check-in is for.")).in_field("felt_at")
        return moment.replace(tzinfo=self._reader().zone).isoformat()


def _hours(text: object) -> float | None:
    """Hours of sleep as typed ('7', '7.5', '7,5'); None when left empty."""
    if text in ("", None):
        return None
    if not isinstance(text, str) or len(text) > 10:
        raise InvalidInput(N_("Sleep: enter hours from 0 to 24, like 7 or 7.5.")).in_field(SLEEP_FIELD)
    try:
        return float(text.strip().replace(",", "."))
    except ValueError:
        raise InvalidInput(N_("Sleep: enter hours from 0 to 24, like 7 or 7.5.")).in_field(
            SLEEP_FIELD
        ) from None


def _readings(found: list) -> list[checkins.Reading]:
    return [r for item in found if (r := checkins.reading(item.id, item.fields)) is not None]


def _own_check_ins(session: Session, *, owner_id: uuid.UUID):
    """Every check-in of the owner's (for the chart), the first page (for the list), and the
    clinicians they can be shared with."""
    from betterjournal.core import links

    every = items.every_own(session, owner_id=owner_id, kind=checkins.KIND)
    page = items.list_own(session, owner_id=owner_id, kind=checkins.KIND)
    tags, scales = _labels(session, client_id=owner_id)
    return every, page, links.linked_clinicians(session, client_id=owner_id), tags, scales


def _list_page_and_clinicians(session: Session, *, owner_id: uuid.UUID, older: Cursor | None):
    from betterjournal.core import links

    page = items.list_own(session, owner_id=owner_id, kind=checkins.KIND, older=older)
    return page, links.linked_clinicians(session, client_id=owner_id)


class CheckInsState(AppState):
    """The client's charts and latest check-ins."""

    figure: dict = {}  # charts.py: Plotly JSON
    summary: str = ""
    calendar_figure: dict = {}  # charts.py: Plotly JSON
    calendar_summary: str = ""
    weekday_figure: dict = {}  # charts.py: Plotly JSON
    weekday_summary: str = ""
    tag_figure: dict = {}  # charts.py: Plotly JSON
    tag_summary: str = ""
    tags: list[checkins.Label] = []  # the client's own, to manage
    scales: list[checkins.Label] = []
    names_redrawn: int = 0  # in the keys of the rows of names: a refused rename redraws them
    chart_range: str = ""  # set when the page loads: "2w" first
    check_ins: list[CheckInLine] = []
    check_ins_loaded: bool = False
    selected: list[str] = []  # check-ins chosen to share or make private together
    clinicians: list[PersonLine] = []  # whom they can be shared with
    page: int = 0
    has_more: bool = False
    # Where each page of the list shown so far starts (keyset paging); the last is this one's.
    _page_starts: tuple[Cursor | None, ...] = (None,)
    _next_page: Cursor | None = None
    _held_path: str = ""

    @guarded(Role.CLIENT)
    async def load_check_ins(self) -> None:
        self.selected = []
        await self._load(self.chart_range or "2w")

    @guarded(Role.CLIENT)
    async def older_check_ins(self) -> None:
        if self._next_page is not None:
            await self._list_page((*self._page_starts, self._next_page))

    @guarded(Role.CLIENT)
    async def newer_check_ins(self) -> None:
        await self._list_page(self._page_starts[:-1] or (None,))

    async def _list_page(self, starts: tuple[Cursor | None, ...]) -> None:
        """One page of the list (the charts stay as they are)."""
        viewer = self._viewer()
        page = await in_session(items.list_own, owner_id=viewer.user_id, kind=checkins.KIND, older=starts[-1])
        self._show_page(page, starts)

    def _show_page(self, page: Page, starts: tuple[Cursor | None, ...]) -> None:
        labels = [*self.tags, *self.scales]
        reader, now = self._reader(), utcnow()
        # A page holds the check-ins written in turn; on it, each is where it was felt (one
        # made today for yesterday goes under today's).
        felt = sorted(
            page.items, key=lambda item: datetime.fromisoformat(item.fields["felt_at"]), reverse=True
        )
        self.check_ins = [check_in_line(item, reader, now, labels) for item in felt]
        self.selected = [chosen for chosen in self.selected if any(c.id == chosen for c in self.check_ins)]
        self._next_page, self._page_starts, self.page = page.older, starts, len(starts) - 1
        self.has_more = self._next_page is not None

    @guarded(Role.CLIENT, quiet=True)
    async def toggle_selected(self, item_id: str) -> None:
        """Choose a check-in of the list (again: leave it out)."""
        if not isinstance(item_id, str):
            raise InvalidInput(N_("This couldn't be shown. Please try again."))
        shown = {line.id for line in self.check_ins}
        if item_id in self.selected:
            self.selected = [chosen for chosen in self.selected if chosen != item_id]
        elif item_id in shown:
            self.selected = [*self.selected, item_id]

    @guarded(Role.CLIENT, quiet=True)
    async def select_last_week(self) -> None:
        """Choose the check-ins of the last seven days (an explicit choice, never a default)."""
        self.selected = [line.id for line in self.check_ins if line.this_week]

    @guarded(Role.CLIENT, quiet=True)
    async def select_none(self) -> None:
        """Let go of every check-in chosen."""
        self.selected = []

    @guarded(Role.CLIENT)
    async def share_selected(self, clinician_id: str, shared: bool) -> None:
        """Share the chosen check-ins with one clinician, or make them private, in one action.
        The second tap of a double tap finds the choice emptied by the first: it is quiet."""
        if self._second_tap(self.selected, "share several"):
            return
        viewer = self._viewer()
        wanted = parse_bool(shared, label=N_("Sharing"))
        count = await in_session(
            sharing.set_shared_many,
            owner_id=viewer.user_id,
            item_ids=list(self.selected),
            clinician_id=clinician_id,
            shared=wanted,
        )
        name = next((p.name for p in self.clinicians if p.id == clinician_id), "")
        if count == 0:
            self.notice = (
                self._t("Nothing changed: they were shared with {name} already.", name=name)
                if wanted
                else self._t("Nothing changed: they were private already.")
            )
        elif wanted:
            self.notice = self._reader().n(
                "{count} check-in shared with {name}.",
                "{count} check-ins shared with {name}.",
                count,
                name=name,
            )
        else:
            self.notice = self._reader().n(
                "{count} check-in made private.", "{count} check-ins made private.", count
            )
        # Their open charts redraw at once; this client's other tabs too (a check-in's switches,
        # the line under an open check-in form). Only when something changed: a "make
        # private" naming anyone made their open pages re-read (an attack review).
        if count:
            live.recheck_people([clinician_id, viewer.user_id], but=self.router.session.client_token)
        self.selected = []
        self._added("share several")
        await self._load(self.chart_range or "2w")

    @guarded(Role.CLIENT)
    async def show_range(self, range_name: str) -> None:
        """Redraw the trend for another range: only its check-ins are read (the rest of the
        page stays as it is)."""
        viewer = self._viewer()
        if not isinstance(range_name, str) or range_name not in charts.RANGE_DAYS:
            raise InvalidInput(N_("This couldn't be shown. Please try again."))
        now, reader = utcnow(), self._reader()
        made_since = charts.made_since(range_name, now)
        found = await in_session(
            items.every_own, owner_id=viewer.user_id, kind=checkins.KIND, since=made_since
        )
        trend = charts.trend(_readings(found), range_name, reader, now, self.scales)
        self.figure, self.summary, self.chart_range = trend.figure, trend.summary, range_name

    async def _load(self, range_name: str) -> None:
        viewer = self._viewer()
        every, page, clinicians, tags, scales = await in_session(_own_check_ins, owner_id=viewer.user_id)
        reader, readings, now = self._reader(), _readings(every), utcnow()
        trend = charts.trend(readings, range_name, reader, now, scales)
        self.figure, self.summary, self.chart_range = trend.figure, trend.summary, range_name
        by_tag = charts.by_tag(readings, tags, reader)
        self.tag_figure, self.tag_summary = by_tag.figure, by_tag.summary
        self.tags, self.scales = tags, scales
        year = charts.calendar(readings, reader, now)
        self.calendar_figure, self.calendar_summary = year.figure, year.summary
        weekdays = charts.by_weekday(readings, reader)
        self.weekday_figure, self.weekday_summary = weekdays.figure, weekdays.summary
        self._show_page(page, (None,))
        self.clinicians = person_lines(clinicians, reader)
        self.check_ins_loaded, self._held_path = True, routes.CHECK_INS
        self._keep_current()  # a share made in another tab, "seen": the list shows it at once

    async def _recheck_access(self, viewer_id: str) -> None:
        """A check-in shared or made private in another tab, seen by a clinician, a link
        ended: the list's page as it is now, and whom it can be shared with (the charts, the
        range and what is chosen stay)."""
        page, clinicians = await in_session(
            _list_page_and_clinicians, owner_id=uuid.UUID(viewer_id), older=self._page_starts[-1]
        )
        self._show_page(page, self._page_starts)
        self.clinicians = person_lines(clinicians, self._reader())

    @guarded(Role.CLIENT)
    async def add_tag(self, form: dict) -> None:
        name = _field(form, "name")
        if self._second_tap(name):
            return
        viewer = self._viewer()
        had = {tag.id for tag in self.tags}
        tag_id = await in_session(checkins.add_tag, owner_id=viewer.user_id, name=name)
        self.notice = self._t("You already have this tag.") if str(tag_id) in had else self._t("Tag added.")
        self._added()
        await self._labels_changed()

    @guarded(Role.CLIENT)
    async def rename_tag(self, form: dict) -> None:
        viewer = self._viewer()
        tag_id, name = _field(form, "tag_id"), _field(form, "name")
        await _rename(self, checkins.rename_tag, owner_id=viewer.user_id, tag_id=tag_id, name=name)
        self.notice = self._t("Tag renamed.")
        await self._labels_changed()

    @guarded(Role.CLIENT)
    async def remove_tag(self, tag_id: str) -> None:
        viewer = self._viewer()
        await in_session(checkins.remove_tag, owner_id=viewer.user_id, tag_id=tag_id)
        self.notice = self._t("Tag removed. Your check-ins no longer show it.")
        await self._labels_changed()

    @guarded(Role.CLIENT)
    async def add_own_scale(self, form: dict) -> None:
        """A scale of the client's own: private, never shown to a clinician."""
        name = _field(form, "name")
        if self._second_tap(name):
            return
        viewer = self._viewer()
        await in_session(checkins.add_scale, client_id=viewer.user_id, added_by=viewer.user_id, name=name)
        self.notice = self._t("Scale added. It is private: only you see it.")
        self._added()
        await self._labels_changed()

    @guarded(Role.CLIENT)
    async def remove_own_scale(self, scale_id: str) -> None:
        """Remove one of the scales of the client's check-ins: their own, or one a clinician
        suggested (whose open page of this client then loses it at once)."""
        viewer = self._viewer()
        added_by = await in_session(checkins.remove_scale, actor_id=viewer.user_id, scale_id=scale_id)
        self.notice = self._t("Scale removed.")
        if added_by != viewer.user_id:
            live.recheck_people([added_by])
        await self._labels_changed()

    @guarded(Role.CLIENT)
    async def rename_own_scale(self, form: dict) -> None:
        """Rename a scale of the client's own (a typo): what was rated on it stays with it."""
        viewer = self._viewer()
        scale_id, name = _field(form, "scale_id"), _field(form, "name")
        await _rename(self, checkins.rename_scale, actor_id=viewer.user_id, scale_id=scale_id, name=name)
        self.notice = self._t("Scale renamed.")
        await self._labels_changed()

    async def _labels_changed(self) -> None:
        """A tag or scale of the client's changed: this page as it is now, and the check-in
        form open in their other tabs offers it at once (state/live.py)."""
        await self._load(self.chart_range or "2w")
        live.recheck_people([self._viewer().user_id], but=self.router.session.client_token)

    def _leave(self) -> None:
        self.reset()


async def _rename(state: CheckInsState | ClientCheckInsState, rename: Callable[..., None], **kwargs) -> None:
    """Rename a tag or a scale. Refused, every name's row is drawn again (`names_redrawn`),
    so its box shows the saved name, which the browser would leave as typed, as if renamed;
    the problem says why, naming the refused name."""
    try:
        await in_session(rename, **kwargs)
    except CoreError:
        state.names_redrawn += 1
        raise


def _field(form: object, name: str) -> object:
    """One field of a small form (only the expected ones may be there)."""
    # Reflex sends each input by its name and by its id ("new-tag" as "new_tag").
    if not isinstance(form, dict) or not set(form) <= {
        "name",
        "tag_id",
        "scale_id",
        "new_tag",
        "new_scale",
        "suggest_scale",
    }:
        raise InvalidInput(N_("This couldn't be saved. Please try again."))
    return form.get(name, "")


def _check_in_with_shares(session: Session, *, owner_id: uuid.UUID, item_id: object):
    item = items.open_own(session, owner_id=owner_id, kind=checkins.KIND, item_id=item_id)
    tags, scales = _labels(session, client_id=owner_id)
    return item, sharing.shares_of(session, owner_id=owner_id, item_ids=[item.id])[item.id], [*tags, *scales]


class CheckInItemState(AppState):
    """One of the client's check-ins; its share switches are ItemSharingState's."""

    check_in: CheckInLine = CheckInLine("", "", "", "", "", "", False)
    found: bool = False
    loaded: bool = False
    _held_path: str = ""

    @guarded(Role.CLIENT)
    async def load_check_in(self) -> None:
        viewer = self._viewer()
        self.reset()
        sharing_state = await self.get_state(ItemSharingState)
        sharing_state._show("", [])
        try:
            item, shares, labels = await in_session(
                _check_in_with_shares,
                owner_id=viewer.user_id,
                item_id=self.router.url.query_parameters.get("id", ""),
            )
            await self._present(item, shares, labels)
        finally:
            self.loaded = True

    async def _present(self, item: OwnItem, shares: list[Share], labels: list[checkins.Label]) -> None:
        reader = self._reader()
        line = check_in_line(item, reader, utcnow(), labels)
        self.check_in, self.found, self._held_path = line, True, routes.CHECK_IN_ITEM
        sharing_state = await self.get_state(ItemSharingState)
        sharing_state._show(str(item.id), share_lines(shares, reader), page=routes.CHECK_IN_ITEM)

    def _leave(self) -> None:
        self.reset()


class ClientCheckInsState(AppState):
    """A clinician's charts of the check-ins one client shares with them (AUTHZ-8): built
    only from shared check-ins' shared fields; each one drawn is audited and marked seen."""

    client_id: str = ""
    client_name: str = ""
    figure: dict = {}  # charts.py: Plotly JSON
    summary: str = ""
    calendar_figure: dict = {}  # charts.py: Plotly JSON
    calendar_summary: str = ""
    scales: list[checkins.Label] = []  # the scales suggested for this client
    names_redrawn: int = 0  # as CheckInsState's
    chart_range: str = ""  # set when the page loads: "3m" first
    notes: list[CheckInNote] = []  # the notes of the range's shared check-ins, newest first
    older_notes: int = 0  # the range's notes not listed yet
    chart_available: bool = False
    loaded: bool = False
    _notes_shown: int = NOTES_SHOWN
    _held_path: str = ""

    @guarded(Role.CLINICIAN)
    async def load_client_check_ins(self) -> None:
        query = self.router.url.query_parameters
        asked = query.get("range", "")  # a link may ask for one ("all": the brief's older notes)
        chosen = asked if asked in charts.RANGE_DAYS else self.chart_range or "3m"
        await self._draw(query.get("client", ""), chosen)

    @guarded(Role.CLINICIAN)
    async def show_range(self, range_name: str) -> None:
        if not isinstance(range_name, str) or range_name not in charts.RANGE_DAYS:
            raise InvalidInput(N_("This couldn't be shown. Please try again."))
        await self._draw(self.client_id, range_name)

    @guarded(Role.CLINICIAN)
    async def show_older_notes(self) -> None:
        """The next fifty notes, if there are more (each drawing is audited: none for nothing)."""
        if self.older_notes:
            await self._draw(self.client_id, self.chart_range or "3m", self._notes_shown + NOTES_SHOWN)

    async def _draw(self, client_id: str, range_name: str, notes_shown: int = NOTES_SHOWN) -> None:
        viewer = self._viewer()
        self._leave()  # first: if access ended, nothing of the client's stays
        self.chart_range, self._notes_shown = range_name, notes_shown
        try:
            drawn = await self._draw_for(viewer.user_id, client_id)
            self.client_id, self.chart_available = client_id, True
            self._held_path = routes.CLIENT_CHECK_INS
            self._keep_current()
            if drawn:
                live.recheck_people([client_id])  # "seen" shows on the client's open pages
        finally:
            self.loaded = True

    async def _draw_for(self, clinician_id: uuid.UUID, client_id: str) -> int:
        """Draw what the client shares now; returns how many check-ins were drawn."""
        shared, name, scales = await in_session(
            _shared_check_ins, clinician_id=clinician_id, client_id=client_id
        )
        reader, readings, now = self._reader(), _readings(shared), utcnow()
        trend = charts.trend(readings, self.chart_range, reader, now, scales)
        self.scales = scales
        self.figure, self.summary, self.client_name = trend.figure, trend.summary, name
        year = charts.calendar(readings, reader, now)
        self.calendar_figure, self.calendar_summary = year.figure, year.summary
        first_day = charts.first_day(now.astimezone(reader.zone).date(), self.chart_range)
        since = None if first_day is None else datetime.combine(first_day, time(), reader.zone)
        self.notes, self.older_notes = check_in_notes(shared, reader, since=since, most=self._notes_shown)
        return len(shared)

    @guarded(Role.CLINICIAN)
    async def suggest_scale(self, form: dict) -> None:
        """Suggest an extra 0–10 scale for this client's check-ins."""
        name = _field(form, "name")
        if self._second_tap(name):
            return
        viewer = self._viewer()
        await in_session(checkins.add_scale, client_id=self.client_id, added_by=viewer.user_id, name=name)
        self.notice = self._t("Scale suggested. It appears in your client's check-ins.")
        self._added()
        live.recheck_people([self.client_id])  # the client's open check-in shows it at once
        await self._draw(self.client_id, self.chart_range or "3m")

    @guarded(Role.CLINICIAN)
    async def remove_scale(self, scale_id: str) -> None:
        viewer = self._viewer()
        await in_session(checkins.remove_scale, actor_id=viewer.user_id, scale_id=scale_id)
        self.notice = self._t("Scale removed.")
        live.recheck_people([self.client_id])
        await self._draw(self.client_id, self.chart_range or "3m")

    @guarded(Role.CLINICIAN)
    async def rename_scale(self, form: dict) -> None:
        """Rename a scale this clinician suggested; the client's open check-in shows it at once."""
        viewer = self._viewer()
        scale_id, name = _field(form, "scale_id"), _field(form, "name")
        await _rename(self, checkins.rename_scale, actor_id=viewer.user_id, scale_id=scale_id, name=name)
        self.notice = self._t("Scale renamed.")
        live.recheck_people([self.client_id])
        await self._draw(self.client_id, self.chart_range or "3m")

    def _leave(self) -> None:
        range_name = self.chart_range
        self.reset()
        self.chart_range = range_name

    async def _recheck_access(self, viewer_id: str) -> None:
        """A revoke, a new share or an unlink redraws the chart from what is shared now.
        The link is checked first (nothing audited), so a push after the link ended records
        no attempt the clinician never made."""
        clinician = uuid.UUID(viewer_id)
        try:
            linked = bool(self.client_id) and await in_session(
                sharing.is_linked, client_id=uuid.UUID(self.client_id), clinician_id=clinician
            )
            if linked:
                await self._draw_for(clinician, self.client_id)
                return
        except CoreError:
            pass
        self._leave()  # the link ended: nothing of the client's stays
        self.loaded = True


def _shared_check_ins(session: Session, *, clinician_id: uuid.UUID, client_id: object):
    from betterjournal.core import links

    shared = sharing.every_shared(session, clinician_id=clinician_id, client_id=client_id, kind=checkins.KIND)
    name = next(
        (p.name for p in links.linked_clients(session, clinician_id=clinician_id) if p.id == str(client_id)),
        "",
    )
    scales = checkins.scales_of(session, client_id=uuid.UUID(str(client_id)), viewer_id=clinician_id)
    return shared, name, scales

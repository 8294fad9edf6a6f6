"""What the browser is sent: small view objects, formatted at the edge for a person.

The core returns datetimes and raw field values; this module turns them into text for
state vars, in the language and time zone of the person who reads them (an
`i18n.Reader`). Each kind says here how its items read in a list (title, preview) and
the words its pager uses; everything else about showing an item is generic.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from betterjournal import routes
from betterjournal.core import agenda, checkins, homework, worksheets
from betterjournal.core.checkins import KIND as CHECK_IN
from betterjournal.core.journal import KIND as JOURNAL
from betterjournal.i18n import N_, Message, Reader
from betterjournal.models import DraftItem, EndedLink, OwnItem, Person, Share, SharedItem

PREVIEW_LENGTH = 140


@dataclass(frozen=True)
class ItemCard:
    """One item in a list: title, a preview line, when, and a label (who it's shared with)."""

    id: str
    title: str
    preview: str
    written_on: str
    label: str


@dataclass(frozen=True)
class ShareLine:
    """For the owner: one linked clinician, whether the item is shared, and when seen.

    `switch` labels the share switch; `status` says in one sentence who sees it since when.
    """

    clinician_id: str
    clinician_name: str
    shared: bool
    switch: str
    status: str


@dataclass(frozen=True)
class SharedView:
    """A shared item as a clinician reads it: its shared fields, and when written and shared
    (`dates`: one line for its page, `shared_on`: for a card)."""

    id: str
    title: str
    body: str
    dates: str
    shared_on: str
    new: bool = False  # shared since the clinician last looked
    owner_id: str = ""
    owner_name: str = ""  # whose it is (filled in by the page that shows it)
    href: str = ""  # where it is read on its own (a page that lists it may give one)


NO_SHARED_VIEW = SharedView(id="", title="", body="", dates="", shared_on="")


@dataclass(frozen=True)
class PersonLine:
    """Someone linked: their name and since when, as a card shows it."""

    id: str
    name: str
    since: str


@dataclass(frozen=True)
class KindWords:
    """A kind's own words, marked for translation (components use `tr`, states `_t`)."""

    untitled: Message
    newer: Message
    older: Message
    deleted: Message


@dataclass(frozen=True)
class KindView:
    """How one kind reads on screen: its title and body from its fields, and its words."""

    title: Callable[[Mapping[str, str]], str]
    body: Callable[[Mapping[str, str]], str]
    words: KindWords
    home: str  # the owner's list of this kind, where a deleted item's page returns to
    # What the owner calls an item without a title, on its page and in their list.
    untitled: Callable[[Reader, datetime], str] = lambda _reader, _created_at: ""


def untitled_entry_heading(reader: Reader, created_at: datetime) -> str:
    """An untitled entry's name: when it was written, in the reader's words and zone (with
    the time: a walk-through found three entries of one day all called "Today's entry")."""
    days, time = reader.days_ago(created_at), reader.time(created_at)
    if days == 0:
        return reader.t("Today's entry, {time}", time=time)
    if days == 1:
        return reader.t("Yesterday's entry, {time}", time=time)
    return reader.t("Entry of {day}, {time}", day=reader.day(created_at), time=time)


def _exercise_title(fields: Mapping[str, str]) -> str:
    """An exercise's title (a built-in's is marked for translation: shown in the reader's)."""
    try:
        return worksheets.from_json(fields["worksheet"]).title
    except (KeyError, ValueError, TypeError, worksheets.InvalidInput):
        return ""


def _first_answer(fields: Mapping[str, str]) -> str:
    """An exercise's first written answer, in the order of its fields (its card's preview: a
    walk-through found the drafts kept from another device told apart by nothing)."""

    def texts(value: object):
        if isinstance(value, str):
            yield value
        elif isinstance(value, list):
            for each in value:
                yield from texts(each)
        elif isinstance(value, dict):
            for each in value.values():
                yield from texts(each)

    try:
        answers = worksheets.answers_from(fields.get("answers", ""))
    except (ValueError, TypeError, worksheets.InvalidInput):
        return ""
    return next((text for value in answers.values() for text in texts(value) if text.strip()), "")


def preview(text: str) -> str:
    """The start of a text on one line, at most PREVIEW_LENGTH characters."""
    # A generous start is enough, unless it is nearly all whitespace: a text may be
    # 50,000 characters, and a page makes fifty previews.
    start = PREVIEW_LENGTH * 4
    flat = " ".join(text[:start].split())
    if len(flat) <= PREVIEW_LENGTH and len(text) > start:
        flat = " ".join(text.split())
    return flat if len(flat) <= PREVIEW_LENGTH else flat[: PREVIEW_LENGTH - 1].rstrip() + "…"


KIND_VIEWS: dict[str, KindView] = {
    JOURNAL.name: KindView(
        title=lambda fields: fields.get("title", ""),
        body=lambda fields: fields.get("body", ""),
        words=KindWords(
            untitled=N_("Untitled entry"),
            newer=N_("Newer entries"),
            older=N_("Older entries"),
            deleted=N_("Entry deleted."),
        ),
        home=routes.JOURNAL,
        untitled=untitled_entry_heading,
    ),
    CHECK_IN.name: KindView(
        title=lambda fields: "",
        body=lambda fields: fields.get("note", ""),
        words=KindWords(
            untitled=N_("Check-in"),
            newer=N_("Newer check-ins"),
            older=N_("Older check-ins"),
            deleted=N_("Check-in deleted."),
        ),
        home=routes.CHECK_INS,
    ),
    "session_agenda": KindView(
        title=lambda fields: N_("Session agenda"),
        body=lambda fields: "",
        words=KindWords(
            untitled=N_("Session agenda"),
            newer=N_("Newer agendas"),
            older=N_("Older agendas"),
            deleted=N_("Agenda deleted."),
        ),
        home=routes.PREPARE,
    ),
    homework.KIND.name: KindView(
        title=lambda fields: _exercise_title(fields),
        body=_first_answer,
        words=KindWords(
            untitled=N_("Exercise"),
            newer=N_("Newer exercises"),
            older=N_("Older exercises"),
            deleted=N_("Exercise deleted."),
        ),
        home=routes.HOMEWORK,
    ),
}


def card_title(kind: str, fields: Mapping[str, str], reader: Reader, created_at: datetime) -> str:
    """An item's one name, wherever it is named (its card and page, an agenda, the pin menu,
    a summary): its title, else what its kind calls an untitled one (an entry by when it was
    written: its owner and their clinician say the same; a walk-through found one entry
    with three names)."""
    view = KIND_VIEWS[kind]
    return (
        str(reader.shown(view.title(fields)))
        or view.untitled(reader, created_at)
        or reader.t(view.words.untitled)
    )


# A pinned item with a title of its own, on an agenda (an untitled entry's name says "entry").
PINNED: dict[str, Message] = {JOURNAL.name: N_("Entry: {title}"), homework.KIND.name: N_("Homework: {title}")}


@dataclass(frozen=True)
class Pinned:
    """What an agenda's pin names: the item's kind, its fields and when it was written."""

    kind: str
    fields: Mapping[str, str]
    created_at: datetime


def agenda_line_text(
    line: agenda.Line, pinned: Pinned | None, reader: Reader, *, clinician: bool = False
) -> str:
    """An agenda line as its client reads it (or, `clinician`, their clinician in the brief);
    `pinned`: the item a pin names, None when that item is gone."""
    if line.text:
        return line.text
    if line.pin == agenda.CHART and clinician:  # drawn in the brief, from what is shared
        return reader.t("Their check-in chart (under Shared check-ins)")
    if line.pin == agenda.CHART:  # (short: a phone's pin menu shows it whole)
        return reader.t("My check-in chart")
    if pinned is None:
        return reader.t("An item you deleted")
    name = card_title(pinned.kind, pinned.fields, reader, pinned.created_at)
    if not KIND_VIEWS[pinned.kind].title(pinned.fields):
        return name
    return reader.t(PINNED[pinned.kind], title=name)


def pin_choices(items: Sequence[OwnItem], reader: Reader) -> list[Choice]:
    """The client's items offered to pin to an agenda, as its lines will read; two that would
    read alike ("Homework: Thought record", one assigned and one their own) are told apart
    by when each was last changed (a walk-through could not tell which was which)."""
    labels = [
        agenda_line_text(
            agenda.Line("", pin=item.kind), Pinned(item.kind, item.fields, item.created_at), reader
        )
        for item in items
    ]
    alike = {label for label in labels if labels.count(label) > 1}

    def told_apart(item: OwnItem, label: str) -> str:
        if label not in alike:
            return label
        return reader.t("{item} ({when})", item=label, when=reader.when(item.updated_at))

    return [
        Choice(f"{item.kind}:{item.id}", told_apart(item, label))
        for item, label in zip(items, labels, strict=True)
    ]


@dataclass(frozen=True)
class CheckInLine:
    """One check-in as its owner reads it in a list or on its page."""

    id: str
    felt_on: str  # when it is about, in the reader's time zone
    mood: str  # "Mood 7 / 10"
    details: str  # "Anxiety 3 · Energy 6 · Sleep 7.5 h · Sleep quality 5"
    note: str
    label: str  # who can see it
    this_week: bool  # felt in the last seven days (for "choose this week")


def check_in_line(
    item: OwnItem, reader: Reader, now: datetime, labels: Sequence[checkins.Label] = ()
) -> CheckInLine:
    """A check-in for its owner; `labels`: their tags and scales, to name what it holds."""
    fields = item.fields
    details = [
        reader.t("{label} {value} / 10", label=label, value=int(fields[name]))
        for name, label in checkins.RATINGS[1:]
        if fields.get(name)
    ]
    if fields.get("sleep_hours"):
        details.insert(2, reader.t("Sleep {hours} h", hours=float(fields["sleep_hours"])))
    reading = checkins.reading(item.id, fields)
    names = {label.id: label.name for label in labels}
    private = {label.id for label in labels if label.private}
    # Shared, a check-in's tags and the client's own scales still reach no clinician: the
    # card says so beside them (a walk-through read "Shared with Dr …" as covering them).
    only_you = bool(item.shared_with)
    if reading is not None:
        details += [
            reader.t("{label} {value} / 10 (only you)", label=names[key], value=int(value))
            if only_you and key in private
            else reader.t("{label} {value} / 10", label=names[key], value=int(value))
            for key, value in reading.values.items()
            if key in names
        ]
        tags = [names[tag] for tag in reading.tags if tag in names]
        if tags:
            tag_list = ", ".join(tags)
            details.append(
                reader.t("Tags (only you): {tags}", tags=tag_list)
                if only_you
                else reader.t("Tags: {tags}", tags=tag_list)
            )
    label = who_sees(item, reader)
    felt_at = datetime.fromisoformat(fields["felt_at"])
    return CheckInLine(
        id=str(item.id),
        # (On a card beside its box, a date may break at its spaces in large text.)
        felt_on=reader.when(felt_at).replace("\u00a0", " ").replace("\u202f", " "),
        this_week=now - felt_at <= timedelta(days=7),
        mood=reader.t("Mood {value} / 10", value=int(fields["mood"])),
        details=" · ".join(details),
        note=fields.get("note", ""),
        label=label,
    )


@dataclass(frozen=True)
class CheckInNote:
    """The note of a check-in shared with a clinician, as they read it beside their charts."""

    when: str  # when it is about, in the reader's time zone
    mood: str  # "Mood 7 / 10"
    note: str


# A clinician's page lists at most this many notes, newest first ("and N more" beneath).
NOTES_SHOWN = 50


def check_in_notes(
    items: Sequence[SharedItem], reader: Reader, *, since: datetime | None = None, most: int = NOTES_SHOWN
) -> tuple[list[CheckInNote], int]:
    """The notes of shared check-ins about `since` or later (None: all), newest first: the
    first `most` of them, and how many older ones there are. A
    check-in's note is one of its shared fields: its clinician can read it, not only see
    its mood drawn."""
    noted = []
    for item in items:
        note, reading = item.fields.get("note", "").strip(), checkins.reading(item.id, item.fields)
        if not note or reading is None or "mood" not in reading.values:  # (a saved one has a mood)
            continue
        if since is None or reading.felt_at >= since:
            noted.append((reading.felt_at, reading.values["mood"], note))
    noted.sort(key=lambda found: found[0], reverse=True)
    notes = [
        CheckInNote(when=reader.when(felt_at), mood=reader.t("Mood {value} / 10", value=int(mood)), note=note)
        for felt_at, mood, note in noted[:most]
    ]
    return notes, max(0, len(noted) - most)


def own_card(item: OwnItem, reader: Reader) -> ItemCard:
    view = KIND_VIEWS[item.kind]
    return ItemCard(
        id=str(item.id),
        title=card_title(item.kind, item.fields, reader, item.created_at),
        preview=preview(view.body(item.fields)),
        written_on=reader.recent(item.created_at),
        label=who_sees(item, reader),
    )


def editing_shared_line(shared_with: Sequence[str], reader: Reader) -> str:
    """Under an editor's form: who sees the changes once saved ("" when it is private)."""
    if not shared_with:
        return ""
    return reader.t(
        "Shared with {names}: once you save, they see your changes.", names=", ".join(shared_with)
    )


def who_sees(item: OwnItem, reader: Reader) -> str:
    """An owner's card: "Private", or who it is shared with and whether they have seen it."""
    if not item.shared_with:
        return reader.t("Private")
    names = ", ".join(item.shared_with)
    if not item.seen_by:
        return reader.t("Shared with {names}", names=names)
    if item.seen_by == item.shared_with:
        return reader.t("Shared with {names} · Seen", names=names)
    return reader.t("Shared with {names} · Seen by {seen}", names=names, seen=", ".join(item.seen_by))


def draft_card(draft: DraftItem, reader: Reader) -> ItemCard:
    view = KIND_VIEWS[draft.kind]
    return ItemCard(
        id=str(draft.item_id),
        # Untitled, it has the name its saved entry has, or will have if saved today.
        title=card_title(draft.kind, draft.fields, reader, draft.saved_created_at or draft.updated_at),
        preview=preview(view.body(draft.fields)),
        written_on=reader.recent(draft.updated_at),
        # An edit's draft: the same title is also under the saved entries, as last saved.
        label=(
            # Two drafts with one title: this one holds the words written elsewhere (walk-through).
            reader.t("Draft kept from another tab or device")
            if draft.kept_apart
            else reader.t("Unsaved changes")
            if draft.of_saved
            else reader.t("Draft")
        ),
    )


def shared_card(item: SharedItem, reader: Reader) -> SharedView:
    """For a clinician's list: the preview is part of the item, so showing it counts as seen."""
    full = shared_view(item, reader)
    return dataclasses.replace(full, body=preview(full.body))


def shared_view(item: SharedItem, reader: Reader) -> SharedView:
    view = KIND_VIEWS[item.kind]
    return SharedView(
        id=str(item.id),
        title=card_title(item.kind, item.fields, reader, item.created_at),
        body=view.body(item.fields),
        dates=_shared_dates(item, reader),
        shared_on=reader.t("Shared on {moment}", moment=item.shared_at),
        new=item.new,
        owner_id=str(item.owner_id),
    )


def _shared_dates(item: SharedItem, reader: Reader) -> str:
    """'Written … · shared …', and '· edited …' once its owner has changed it since sharing
    it: a clinician who read it before can tell that the words on screen are not those they
    read. (An edit before the share is not theirs to know of: they never saw that version.)"""
    if item.shared_changed_at is not None and item.shared_changed_at > item.shared_at:
        return reader.t(
            "Written {written} · shared {shared} · edited {edited}",
            written=item.created_at,
            shared=item.shared_at,
            edited=item.shared_changed_at,
        )
    return reader.t("Written {written} · shared {shared}", written=item.created_at, shared=item.shared_at)


def written_line(reader: Reader, created_at: datetime, updated_at: datetime) -> str:
    """'Written …' or 'Written …, edited …', for an item's own page; edited the day it was
    written, the time alone (a walk-through read the same date twice)."""
    if updated_at == created_at:
        return reader.t("Written {written}", written=created_at)
    if reader.days_ago(created_at, now=updated_at) == 0:
        return reader.t(
            "Written {written}, edited at {time}", written=created_at, time=reader.time(updated_at)
        )
    return reader.t("Written {written}, edited {edited}", written=created_at, edited=updated_at)


def share_lines(shares: list[Share], reader: Reader) -> list[ShareLine]:
    return [_share_line(share, reader) for share in shares]


def _share_line(share: Share, reader: Reader) -> ShareLine:
    """The switch keeps its label, on or off (what it controls); the line under it says
    where the item stands."""
    name = share.clinician_name
    if share.shared_at is None and share.seen_before is not None:  # what they saw stays said
        status = reader.t(
            "Private: {name} can't see this any more. They saw it on {seen}, while it was shared.",
            name=name,
            seen=share.seen_before,
        )
    elif share.shared_at is None:
        status = reader.t("Private: {name} can't see this.", name=name)
    elif share.seen_at is None and share.seen_before is not None:  # shared again, seen before
        status = reader.t(
            "Shared with {name} again on {shared}. Not seen since; they saw it on {seen}.",
            name=name,
            shared=share.shared_at,
            seen=share.seen_before,
        )
    elif share.seen_at is None:
        status = reader.t("Shared with {name} on {shared}. Not seen yet.", name=name, shared=share.shared_at)
    elif share.changed_after_seen is not None:  # "Seen" is of what it was then (a walk-through)
        status = reader.t(
            "Shared with {name} on {shared}. Seen on {seen}, before your changes of {changed}.",
            name=name,
            shared=share.shared_at,
            seen=share.seen_at,
            changed=share.changed_after_seen,
        )
    else:
        status = reader.t(
            "Shared with {name} on {shared}. Seen on {seen}.",
            name=name,
            shared=share.shared_at,
            seen=share.seen_at,
        )
    return ShareLine(
        clinician_id=str(share.clinician_id),
        clinician_name=name,
        shared=share.shared_at is not None,
        switch=reader.t("Share with {name}", name=name),
        status=status,
    )


@dataclass(frozen=True)
class ClientLine:
    """A linked client on a clinician's list: since when, what needs the clinician (as the
    caseload counts it), and two weeks of shared mood (an SVG path of dots, and the same in
    words)."""

    id: str
    name: str
    since: str
    spark: str
    spark_summary: str
    attention: list[str]


def client_lines(
    people: list[Person],
    sparks: Mapping[str, tuple[str, str]],
    attention: Mapping[str, list[str]],
    reader: Reader,
) -> list[ClientLine]:
    return [
        ClientLine(line.id, line.name, line.since, *sparks.get(line.id, ("", "")), attention.get(line.id, []))
        for line in person_lines(people, reader)
    ]


def person_lines(people: list[Person], reader: Reader) -> list[PersonLine]:
    return [
        PersonLine(id=p.id, name=p.name, since=reader.t("Connected since {day}", day=reader.day(p.linked_at)))
        for p in people
    ]


def ended_lines(ended: list[EndedLink], reader: Reader) -> list[str]:
    """A connection that ended lately, one sentence each, the same on both sides."""
    lines = []
    for link in ended:
        day = reader.day(link.ended_at)
        if link.by_them is None:
            lines.append(reader.t("Your connection with {name} ended on {day}.", name=link.name, day=day))
        elif link.by_them:
            lines.append(reader.t("{name} ended your connection on {day}.", name=link.name, day=day))
        else:
            lines.append(reader.t("You ended your connection with {name} on {day}.", name=link.name, day=day))
    return lines


# --- homework: worksheets as their controls and their answers ------------------------------------


@dataclass(frozen=True)
class CellView:
    """One control of a worksheet (a field, a list item, a cell of a row) with its answer.

    `row` is -1 for a field's own control; `column` names a row's column. `text` holds
    text, a date, or a slider's position; `number` a scale's value (-1: none); `flag`
    "yes"/"no"/"". `shown` is the answer as read ("—" when there is none). `drawn` changes
    when its field gains or loses a row: a control that keeps its own value (a slider) is
    drawn afresh then, as the rows after a removed one move up into other places.
    """

    key: str
    drawn: str
    field: str
    row: int
    column: str
    type: str
    label: str
    text: str
    number: int
    flag: str
    shown: str
    limit: int = 0  # a text's: how many characters it may hold once saved


@dataclass(frozen=True)
class RowView:
    index: int
    label: str
    cells: list[CellView]


@dataclass(frozen=True)
class FieldView:
    """A worksheet field: its label, hint, and its rows of controls (one, for a single
    answer; one per item, for a list or a table)."""

    id: str
    type: str
    label: str
    hint: str
    repeatable: bool
    rows: list[RowView]
    add_label: str
    full: bool
    carry_label: str = ""  # rows started from another field's names (worksheets.rows_carried)


def _cell_shown(spec: worksheets.Field, value: object, reader: Reader) -> str:
    if value in (None, ""):
        return "—"
    if spec.type == worksheets.SCALE_10:
        return reader.t("{value} / 10", value=value)
    if spec.type == worksheets.SLIDER_100:
        return reader.t("{value} / 100", value=value)
    if spec.type == worksheets.YES_NO:
        return reader.t("Yes") if value else reader.t("No")
    if spec.type == worksheets.DATE:
        return reader.short_day(date.fromisoformat(str(value)))
    return str(reader.shown(value))


def _cell_text(spec: worksheets.Field, value: object, reader: Reader) -> str:
    """What a text, date or slider control holds ("" for the others, and when empty)."""
    if value is None or isinstance(value, bool) or spec.type in (worksheets.SCALE_10, worksheets.YES_NO):
        return ""
    return str(reader.shown(value)) if isinstance(value, str) else str(value)


def _cell(
    spec: worksheets.Field,
    field_id: str,
    row: int,
    column: str,
    label: str,
    value: object,
    reader: Reader,
    rows: int = 1,
):
    key = f"w-{field_id}-{row}-{column}".rstrip("-")
    return CellView(
        key=key,
        drawn=f"{key}/{rows}",
        field=field_id,
        row=row,
        column=column,
        type=spec.type,
        label=label,
        text=_cell_text(spec, value, reader),
        number=value if spec.type == worksheets.SCALE_10 and isinstance(value, int) else -1,
        flag="" if not isinstance(value, bool) else ("yes" if value else "no"),
        shown=_cell_shown(spec, value, reader),
        limit=worksheets.text_limit(spec),
    )


def worksheet_fields(
    worksheet: worksheets.Worksheet, answers: Mapping[str, object], reader: Reader, *, reading: bool = False
) -> list[FieldView]:
    """A worksheet's fields with these answers, for its one renderer (to fill in, or to read:
    `reading` leaves out the empty item a list offers for typing)."""
    shown = []
    for spec in worksheet.fields:
        label, hint = str(reader.shown(spec.label)), str(reader.shown(spec.hint))
        value = answers.get(spec.id)
        rows: list[RowView] = []
        if spec.type == worksheets.LIST:
            values = list(value) if isinstance(value, list) else []
            if not values and not reading:
                values = [""]
            item = worksheets.Field(spec.id, worksheets.SHORT_TEXT, spec.label)
            for index, text in enumerate(values):
                number = reader.t(spec.item or N_("Item {number}"), number=index + 1)
                cell = _cell(item, spec.id, index, "", number, text, reader, len(values))
                rows.append(RowView(index, number, [cell]))
        elif spec.type == worksheets.ROWS:
            values = list(value) if isinstance(value, list) else []
            if not values and not reading:
                values = [{}]
            first = str(reader.shown(spec.columns[0].label))
            for index, row in enumerate(values):
                cells = [
                    _cell(
                        column,
                        spec.id,
                        index,
                        column.id,
                        str(reader.shown(column.label)),
                        row.get(column.id),
                        reader,
                        len(values),
                    )
                    for column in spec.columns
                ]
                rows.append(
                    RowView(index, reader.t("{label} {number}", label=first, number=index + 1), cells)
                )
        else:
            rows.append(RowView(-1, label, [_cell(spec, spec.id, -1, "", label, value, reader)]))
        repeatable = spec.type in (worksheets.LIST, worksheets.ROWS)
        shown.append(
            FieldView(
                id=spec.id,
                type=spec.type,
                label=label,
                hint=hint,
                repeatable=repeatable,
                rows=rows,
                add_label=reader.t("Add another") if repeatable else "",
                full=len(rows) >= worksheets.ITEMS_MAX,
                carry_label=reader.t(spec.carry_label) if spec.carry_label and not reading else "",
            )
        )
    return shown


@dataclass(frozen=True)
class TaskLine:
    """A piece of homework in the client's lists: what, from whom, when due, where it stands."""

    id: str
    title: str
    by: str
    due: str
    status: str
    marked: bool  # its status is drawn in colour
    then: str = ""  # a repeated assignment: how many copies come after this one, and when


TASK_STATUS: dict[str, Message] = {
    "assigned": N_("Not started"),
    "started": N_("Started"),
    "not_done": N_("Marked “couldn't do it”, not returned"),
    "returned": N_("Returned"),
    "told": N_("You let your clinician know you couldn't do it"),  # returned, marked so
    "reviewed": N_("Reviewed"),
    # (a walk-through: "Reviewed" alone, and the comment went unread)
    "commented": N_("Your clinician left you a comment"),
    "comment_new": N_("New comment from your clinician"),  # not opened since written or changed
    "overdue": N_("Overdue"),
}
GIVEN_STATUS: dict[str, Message] = {
    "assigned": N_("Assigned"),
    "overdue": N_("Overdue"),
    "returned": N_("Returned: to review"),
    "not_done": N_("Client couldn't do it"),
    "reviewed": N_("Reviewed"),
}


def _task_status(task: homework.Task) -> str:
    if task.comment_new:
        return "comment_new"
    if task.commented:
        return "commented"
    return "told" if task.status == "returned" and task.marked_not_done else task.status


def _due_or_returned(reader: Reader, task: homework.Task, today: date) -> str:
    """A client's card: when it is due, or once returned, when (a walk-through: the returned
    card said "Returned" with no date)."""
    if task.returned_at is not None:
        return reader.t("Returned on {day}", day=reader.day(task.returned_at))
    return _due(reader, task.due_on, today, returned=task.status in ("returned", "reviewed"))


def _due(reader: Reader, due_on: date | None, today: date, *, returned: bool) -> str:
    """When it is due; nothing once returned: its status says where it stands, not a date
    to meet (the client's cards, the clinician's list and brief alike)."""
    return "" if returned else homework.due_text(reader, due_on, today)


def assignment_title(sheet: worksheets.Worksheet, reader: Reader) -> str:
    """What an assignment is called on a card: a journaling prompt with its (first) question,
    as its answer is titled in the journal (a walk-through: two prompts' cards both read
    "Journaling prompt", and the client couldn't tell whose comment was whose)."""
    if sheet.is_prompt:
        return reader.t("Journaling prompt: {question}", question=reader.shown(sheet.questions[0]))
    return str(reader.shown(sheet.title))


def task_line(task: homework.Task, reader: Reader, today: date, later: Sequence[date] = ()) -> TaskLine:
    """`later`: the due dates of a repeated assignment's copies after this one (listed here,
    not as lines of their own)."""
    return TaskLine(
        id=task.id,
        title=assignment_title(task.worksheet, reader),
        by=reader.t("From {name}", name=task.clinician_name),
        due=_due_or_returned(reader, task, today),
        status=reader.t(TASK_STATUS[_task_status(task)])
        if task.linked or task.status in ("returned", "reviewed")
        else reader.t("No longer connected to {name}", name=task.clinician_name),
        # In colour: begun, or a comment not opened yet (a walk-through: it was the grey of
        # "Not started").
        marked=task.status in ("started", "not_done") or task.comment_new,
        then=reader.n(
            "Repeats {count} more time after this one, due {day}.",
            "Repeats {count} more times after this one, the next due {day}.",
            len(later),
            day=reader.short_day(later[0]),
        )
        if later
        else "",
    )


@dataclass(frozen=True)
class GivenLine:
    """An assignment on its clinician's list."""

    id: str
    title: str
    due: str
    status: str
    instructions: str
    note: str
    due_on: str  # for the edit form ("2026-12-03", or "")
    returned: bool  # the response can be read
    not_done: bool  # returned as "couldn't do it" (the reasons, perhaps a few answers)
    editable: bool


def given_line(given: homework.Given, reader: Reader, today: date) -> GivenLine:
    returned = given.status in ("returned", "not_done", "reviewed")
    return GivenLine(
        id=given.id,
        title=assignment_title(given.worksheet, reader),
        due=_due(reader, given.due_on, today, returned=returned),
        status=reader.t(GIVEN_STATUS[given.status]),
        instructions=given.instructions,
        note=given.note,
        due_on=given.due_on.isoformat() if given.due_on else "",
        returned=returned,
        not_done=given.not_done,
        editable=not returned,
    )


def attention_line(item: homework.Attention, reader: Reader, today: date) -> GivenLine:
    """An assignment needing attention, on a clinician's brief (not editable there)."""
    overdue = item.status == "overdue"
    return GivenLine(
        id=item.id,
        title=assignment_title(item.worksheet, reader),
        due=_due(reader, item.due_on, today, returned=not overdue),
        status=reader.t(GIVEN_STATUS[item.status]),
        instructions="",
        note="",
        due_on=item.due_on.isoformat() if item.due_on else "",
        returned=not overdue,
        not_done=item.status == "not_done",
        editable=False,
    )


@dataclass(frozen=True)
class WaitingLine:
    """Returned to the clinician, not reviewed yet: whose, what, since when."""

    assignment_id: str
    client_name: str
    title: str
    returned_on: str
    not_done: bool  # returned as "couldn't do it": said so, not "returned by"


def waiting_lines(waiting: list[homework.Waiting], reader: Reader) -> list[WaitingLine]:
    return [
        WaitingLine(
            w.assignment_id, w.client_name, str(reader.shown(w.title)), reader.when(w.returned_at), w.not_done
        )
        for w in waiting
    ]


@dataclass(frozen=True)
class Choice:
    """An option of a select: its value and what it reads."""

    value: str
    label: str


@dataclass(frozen=True)
class LibraryLine:
    """A worksheet in a clinician's library (`value`: its id), with what it asks, to look at
    before assigning it: its explanation, and each field as "How it went (Scale from 0 to 10)"."""

    value: str
    label: str
    explanation: str
    fields: list[str]


def library_lines(templates: Sequence[homework.OwnTemplate], reader: Reader) -> list[LibraryLine]:
    types = {key: reader.t(words) for key, words in worksheets.CUSTOM_TYPES.items()}
    return [
        LibraryLine(
            value=t.id,
            label=t.worksheet.title,
            explanation=t.worksheet.explanation,
            fields=[
                reader.t("{label} ({type})", label=f.label, type=types[f.type])
                if f.type in types
                else f.label
                for f in t.worksheet.fields
            ],
        )
        for t in templates
    ]


# --- session preparation ---------------------------------------------------------------------


def next_session_line(reader: Reader, next_at: datetime | None, *, zone_named: bool = True) -> str:
    """'Next session: Tuesday, March 14, 10:00 a.m. (Pacific Daylight Time)' in the reader's
    language and time zone, named: a client and a clinician in two zones each read their own
    time, and the name says so when they speak of it. (Not named on a clinician's list of
    clients, where every line is in their own zone: the name would be the same on each.)"""
    if next_at is None:
        return reader.t("No next session planned yet.")
    if not zone_named:
        return reader.t("Next session: {moment}", moment=reader.long_moment(next_at))
    return reader.t(
        "Next session: {moment} ({zone})", moment=reader.long_moment(next_at), zone=reader.zone_name(next_at)
    )


@dataclass(frozen=True)
class AgendaLineView:
    """A line of an agenda: what it reads, where a pin leads, whether it was discussed, and
    (for its owner) whether a pinned item is private from the agenda's clinician."""

    id: str
    text: str
    href: str  # a pinned item's page, or ""
    discussed: bool
    status: str  # "Discussed" or ""
    item_id: str  # a pinned item's id, or ""
    pinned: bool  # a pinned item that still exists (it has its own share switch)
    private: bool  # a pinned item the clinician can't see (told to the owner only)


@dataclass(frozen=True)
class TimelineLine:
    """One thing the client did since the last session, for their own review."""

    id: str
    kind: str  # "Entry", "Check-in", "Homework"
    title: str
    when: str
    href: str
    label: str  # who can see it (the owner's view), or where it stands


@dataclass(frozen=True)
class CaseLineView:
    """A client on the caseload: next session, and what needs attention, in plain counts.
    The client's id is in `brief_href` alone (the page needs nothing else of it)."""

    name: str
    next_session: str
    attention: list[str]
    brief_href: str


def case_line(line, reader: Reader) -> CaseLineView:
    attention = []
    if line.new_shared:
        attention.append(reader.n("{count} new shared item", "{count} new shared items", line.new_shared))
    if line.to_review:
        attention.append(
            reader.n(
                "{count} returned assignment to review",
                "{count} returned assignments to review",
                line.to_review,
            )
        )
    if line.overdue:
        attention.append(reader.n("{count} overdue assignment", "{count} overdue assignments", line.overdue))
    if line.agenda_shared:
        attention.append(reader.t("Agenda shared for the next session"))
    return CaseLineView(
        name=line.name,
        next_session=next_session_line(reader, line.next_at, zone_named=False),
        attention=attention,
        brief_href=routes.brief(line.client_id),
    )


RECOVERY_CODES_FILE = "betterjournal-recovery-codes.txt"


def recovery_codes_text(codes: Sequence[str], reader: Reader) -> str:
    """The recovery codes as a small text file to keep (print it, or store it safely)."""
    return "\n".join(
        [
            reader.t("Betterjournal: recovery codes for two-step sign-in"),
            reader.t("Each code works once, in place of the code from your phone. Keep them somewhere safe."),
            "",
            *codes,
            "",
        ]
    )

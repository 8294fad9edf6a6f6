"""What the browser is sent: small view objects, formatted at the edge for a person.

The core returns datetimes and raw field values; this module turns them into text for
state vars, in the language and time zone of the person who reads them (an
`i18n.Reader`). Each kind says here how its items read in a list (title, preview) and
the words its pager uses; everything else about showing an item is generic.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from betterjournal import routes
from betterjournal.core import checkins
from betterjournal.core.checkins import KIND as CHECK_IN
from betterjournal.core.journal import KIND as JOURNAL
from betterjournal.i18n import N_, Message, Reader
from betterjournal.models import DraftItem, OwnItem, Person, Share, SharedItem

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
}


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
    if reading is not None:
        details += [
            reader.t("{label} {value} / 10", label=names[key], value=int(value))
            for key, value in reading.values.items()
            if key in names
        ]
        tags = [names[tag] for tag in reading.tags if tag in names]
        if tags:
            details.append(reader.t("Tags: {tags}", tags=", ".join(tags)))
    if item.shared_with:
        label = reader.t("Shared with {names}", names=", ".join(item.shared_with))
    else:
        label = reader.t("Private")
    felt_at = datetime.fromisoformat(fields["felt_at"])
    return CheckInLine(
        id=str(item.id),
        felt_on=reader.when(felt_at),
        this_week=now - felt_at <= timedelta(days=7),
        mood=reader.t("Mood {value} / 10", value=int(fields["mood"])),
        details=" · ".join(details),
        note=fields.get("note", ""),
        label=label,
    )


def own_card(item: OwnItem, reader: Reader) -> ItemCard:
    view = KIND_VIEWS[item.kind]
    if item.shared_with:
        label = reader.t("Shared with {names}", names=", ".join(item.shared_with))
    else:
        label = reader.t("Private")
    return ItemCard(
        id=str(item.id),
        title=view.title(item.fields),
        preview=preview(view.body(item.fields)),
        written_on=reader.when(item.created_at),
        label=label,
    )


def draft_card(draft: DraftItem, reader: Reader) -> ItemCard:
    view = KIND_VIEWS[draft.kind]
    return ItemCard(
        id=str(draft.item_id),
        title=view.title(draft.fields),
        preview=preview(view.body(draft.fields)),
        written_on=reader.when(draft.updated_at),
        label=reader.t("Draft"),
    )


def shared_card(item: SharedItem, reader: Reader) -> SharedView:
    """For a clinician's list: the preview is part of the item, so showing it counts as seen."""
    full = shared_view(item, reader)
    return SharedView(full.id, full.title, preview(full.body), full.dates, full.shared_on)


def shared_view(item: SharedItem, reader: Reader) -> SharedView:
    view = KIND_VIEWS[item.kind]
    return SharedView(
        id=str(item.id),
        title=view.title(item.fields),
        body=view.body(item.fields),
        dates=reader.t("Written {written} · shared {shared}", written=item.created_at, shared=item.shared_at),
        shared_on=reader.t("Shared on {moment}", moment=item.shared_at),
    )


def written_line(reader: Reader, created_at: datetime, updated_at: datetime) -> str:
    """'Written …' or 'Written …, edited …', for an item's own page."""
    if updated_at == created_at:
        return reader.t("Written {written}", written=created_at)
    return reader.t("Written {written}, edited {edited}", written=created_at, edited=updated_at)


def share_lines(shares: list[Share], reader: Reader) -> list[ShareLine]:
    return [_share_line(share, reader) for share in shares]


def _share_line(share: Share, reader: Reader) -> ShareLine:
    name = share.clinician_name
    if share.shared_at is None:
        switch = reader.t("Share with {name}", name=name)
        status = reader.t("Private: {name} can't see this.", name=name)
    elif share.seen_at is None:
        switch = reader.t("Shared with {name}", name=name)
        status = reader.t("Shared with {name} on {shared}. Not seen yet.", name=name, shared=share.shared_at)
    else:
        switch = reader.t("Shared with {name}", name=name)
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
        switch=switch,
        status=status,
    )


@dataclass(frozen=True)
class ClientLine:
    """A linked client on a clinician's list: since when, and two weeks of shared mood (an
    SVG path of dots, and the same in words)."""

    id: str
    name: str
    since: str
    spark: str
    spark_summary: str


def client_lines(
    people: list[Person], sparks: Mapping[str, tuple[str, str]], reader: Reader
) -> list[ClientLine]:
    return [
        ClientLine(line.id, line.name, line.since, *sparks.get(line.id, ("", "")))
        for line in person_lines(people, reader)
    ]


def person_lines(people: list[Person], reader: Reader) -> list[PersonLine]:
    return [
        PersonLine(id=p.id, name=p.name, since=reader.t("Connected since {day}", day=reader.day(p.linked_at)))
        for p in people
    ]

"""What the browser is sent: small view objects, formatted at the edge for a person.

The core returns datetimes and raw field values; this module turns them into text for
state vars. Each kind says here how its items read in a list (title, preview) and the
words its pager uses; everything else about showing an item is generic.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from betterjournal import routes
from betterjournal.core.dates import when
from betterjournal.core.journal import KIND as JOURNAL
from betterjournal.i18n import t
from betterjournal.models import DraftItem, OwnItem, Share, SharedItem

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
    """For the owner: one linked clinician, whether the item is shared, and when seen."""

    clinician_id: str
    clinician_name: str
    shared: bool
    shared_on: str
    seen_on: str


@dataclass(frozen=True)
class SharedView:
    """A shared item as a clinician reads it: its shared fields, written and shared when."""

    id: str
    title: str
    body: str
    written_on: str
    shared_on: str


NO_SHARED_VIEW = SharedView(id="", title="", body="", written_on="", shared_on="")


@dataclass(frozen=True)
class KindWords:
    untitled: str
    newer: str
    older: str
    deleted: str


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
            untitled=t("Untitled entry"),
            newer=t("Newer entries"),
            older=t("Older entries"),
            deleted=t("Entry deleted."),
        ),
        home=routes.JOURNAL,
    ),
}


def own_card(item: OwnItem) -> ItemCard:
    view = KIND_VIEWS[item.kind]
    label = t("Shared with {names}", names=", ".join(item.shared_with)) if item.shared_with else t("Private")
    return ItemCard(
        id=str(item.id),
        title=view.title(item.fields),
        preview=preview(view.body(item.fields)),
        written_on=when(item.created_at),
        label=label,
    )


def draft_card(draft: DraftItem) -> ItemCard:
    view = KIND_VIEWS[draft.kind]
    return ItemCard(
        id=str(draft.item_id),
        title=view.title(draft.fields),
        preview=preview(view.body(draft.fields)),
        written_on=when(draft.updated_at),
        label=t("Draft"),
    )


def shared_card(item: SharedItem) -> SharedView:
    """For a clinician's list: the preview is part of the item, so showing it counts as seen."""
    full = shared_view(item)
    return SharedView(full.id, full.title, preview(full.body), full.written_on, full.shared_on)


def shared_view(item: SharedItem) -> SharedView:
    view = KIND_VIEWS[item.kind]
    return SharedView(
        id=str(item.id),
        title=view.title(item.fields),
        body=view.body(item.fields),
        written_on=when(item.created_at),
        shared_on=when(item.shared_at),
    )


def share_lines(shares: list[Share]) -> list[ShareLine]:
    return [
        ShareLine(
            clinician_id=str(share.clinician_id),
            clinician_name=share.clinician_name,
            shared=share.shared_at is not None,
            shared_on=when(share.shared_at),
            seen_on=when(share.seen_at),
        )
        for share in shares
    ]

"""Free journaling: entries and their autosaved drafts, for the client and as shared.

An entry's id is chosen when the editor opens, before anything is saved. Saving is an
upsert on that id, so a double submit (or a retry after a dropped connection) makes
one entry (AVAIL-1), and the draft autosaved under the same id is cleared on save.
Functions taking an entry id parse it first, so a raw or malformed id from any caller
gets NotFound rather than reaching SQL.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import and_, bindparam, or_
from sqlmodel import Session, col, delete, insert, select, update

from betterjournal.core import audit, sharing
from betterjournal.core.accounts import data_key
from betterjournal.core.dates import when
from betterjournal.core.errors import NotFound
from betterjournal.core.validation import BODY_MAX, TITLE_MAX, clean_line, clean_text, parse_id
from betterjournal.crypto import DataKey
from betterjournal.db import run_prebuilt
from betterjournal.i18n import t
from betterjournal.models import (
    AuditAction,
    AuditOutcome,
    ClientItem,
    Draft,
    Editing,
    EntryDetail,
    EntrySummary,
    ItemKind,
    JournalEntry,
    SharedEntry,
    utcnow,
)

KIND = ItemKind.JOURNAL_ENTRY
PAGE_SIZE = 50
PREVIEW_LENGTH = 140
T = TypeVar("T")


def clean_title(value: object) -> str:
    return clean_line(value, label="Title", max_length=TITLE_MAX, required=False)


def clean_body(value: object, *, required: bool = True) -> str:
    return clean_text(value, label="Your entry", max_length=BODY_MAX, required=required)


def _preview(body: str) -> str:
    """The start of the body on one line, at most PREVIEW_LENGTH characters."""
    # A generous start is enough, unless it is nearly all whitespace: an entry may be
    # 50,000 characters, and a page makes fifty previews.
    start = PREVIEW_LENGTH * 4
    flat = " ".join(body[:start].split())
    if len(flat) <= PREVIEW_LENGTH and len(body) > start:
        flat = " ".join(body.split())
    return flat if len(flat) <= PREVIEW_LENGTH else flat[: PREVIEW_LENGTH - 1].rstrip() + "…"


def _open_entry(key: DataKey, entry: JournalEntry) -> tuple[str, str]:
    return _open_fields(key, entry.item_id, entry.title_ct, entry.body_ct)


def _open_fields(
    key: DataKey, item_id: uuid.UUID | str, title_ct: bytes | None, body_ct: bytes
) -> tuple[str, str]:
    title = key.open("journal_entry", "title_ct", item_id, title_ct) if title_ct else ""
    return title, key.open("journal_entry", "body_ct", item_id, body_ct)


_ITEM_STATE = select(ClientItem.owner_id, ClientItem.kind, ClientItem.deleted_at).where(
    col(ClientItem.id) == bindparam("entry")
)
_INSERT_ITEM = insert(ClientItem)
_INSERT_ENTRY = insert(JournalEntry)
_TOUCH_ITEM = (
    update(ClientItem).where(col(ClientItem.id) == bindparam("entry")).values(updated_at=bindparam("now"))
)
_UPDATE_ENTRY = (
    update(JournalEntry)
    .where(col(JournalEntry.item_id) == bindparam("entry"))
    .values(title_ct=bindparam("title"), body_ct=bindparam("body"))
)
_DELETE_DRAFT = delete(Draft).where(
    col(Draft.owner_id) == bindparam("owner"), col(Draft.entry_id) == bindparam("entry")
)


def _check_writable(session: Session, *, owner_id: uuid.UUID, entry_id: uuid.UUID) -> bool:
    """NotFound if the id is someone else's, another kind's, or deleted; else whether it exists."""
    existing = run_prebuilt(session, _ITEM_STATE, entry=entry_id).first()
    if existing is not None and tuple(existing) != (owner_id, KIND, None):
        raise NotFound()
    return existing is not None


def save_entry(
    session: Session, *, owner_id: uuid.UUID, entry_id: uuid.UUID | str, title: object, body: object
) -> None:
    """Create or update the owner's entry with this id; clear its draft."""
    entry_id = parse_id(entry_id)
    clean_t, clean_b = clean_title(title), clean_body(body)
    exists = _check_writable(session, owner_id=owner_id, entry_id=entry_id)
    key = data_key(session, owner_id)
    title_ct = key.seal("journal_entry", "title_ct", entry_id, clean_t) if clean_t else None
    body_ct = key.seal("journal_entry", "body_ct", entry_id, clean_b)
    now = utcnow()
    if exists:
        run_prebuilt(session, _TOUCH_ITEM, entry=entry_id, now=now)
        run_prebuilt(session, _UPDATE_ENTRY, entry=entry_id, title=title_ct, body=body_ct)
    else:
        run_prebuilt(
            session, _INSERT_ITEM, id=entry_id, owner_id=owner_id, kind=KIND, created_at=now, updated_at=now
        )
        run_prebuilt(session, _INSERT_ENTRY, item_id=entry_id, title_ct=title_ct, body_ct=body_ct)
    run_prebuilt(session, _DELETE_DRAFT, owner=owner_id, entry=entry_id)


def get_entry(session: Session, *, owner_id: uuid.UUID, entry_id: uuid.UUID | str) -> EntryDetail:
    """The owner's entry with its share status per linked clinician."""
    entry_id = parse_id(entry_id)
    item = sharing.owned_item(session, owner_id=owner_id, item_id=entry_id, kind=KIND)
    entry = session.get(JournalEntry, entry_id) if item else None
    if item is None or entry is None:
        raise NotFound()
    title, body = _open_entry(data_key(session, owner_id), entry)
    shares = sharing.share_statuses(session, owner_id=owner_id, item_ids=[entry_id])[entry_id]
    return EntryDetail(
        id=str(entry_id),
        title=title,
        body=body,
        written_on=when(item.created_at),
        edited_on=when(item.updated_at) if item.updated_at != item.created_at else "",
        shares=shares,
    )


def entry_exists(session: Session, *, owner_id: uuid.UUID, entry_id: uuid.UUID | str) -> bool:
    entry_id = parse_id(entry_id)
    return sharing.owned_item(session, owner_id=owner_id, item_id=entry_id, kind=KIND) is not None


def open_for_editing(session: Session, *, owner_id: uuid.UUID, entry_id: uuid.UUID | str) -> Editing:
    """The words to put in the editor for this entry id (new, saved, or a draft of either)."""
    entry_id = parse_id(entry_id)
    exists = entry_exists(session, owner_id=owner_id, entry_id=entry_id)
    draft = get_draft(session, owner_id=owner_id, entry_id=entry_id)
    if draft is not None:
        return Editing(*draft, is_new=not exists, from_draft=True)
    if exists:
        detail = get_entry(session, owner_id=owner_id, entry_id=entry_id)
        return Editing(detail.title, detail.body, is_new=False, from_draft=False)
    return Editing("", "", is_new=True, from_draft=False)


def delete_entry(session: Session, *, owner_id: uuid.UUID, entry_id: uuid.UUID | str) -> None:
    """Remove the content, revoke its shares, leave a tombstone so the id is never reused."""
    entry_id = parse_id(entry_id)
    item = sharing.owned_item(session, owner_id=owner_id, item_id=entry_id, kind=KIND)
    if item is None:
        raise sharing.deny(session, actor_id=owner_id, action=AuditAction.DELETE, item_id=entry_id)
    sharing.revoke_all(session, owner_id=owner_id, item_id=entry_id)
    item.deleted_at = utcnow()
    session.add(item)
    session.exec(delete(JournalEntry).where(col(JournalEntry.item_id) == entry_id))
    run_prebuilt(session, _DELETE_DRAFT, owner=owner_id, entry=entry_id)
    audit.record(
        session,
        actor_id=owner_id,
        action=AuditAction.DELETE,
        outcome=AuditOutcome.ALLOWED,
        subject_id=owner_id,
        item_id=entry_id,
    )


# Keyset paging: a page of a newest-first list is read from just after the last row of the
# page before it, so page 100 costs what page 1 does (OFFSET would walk every row skipped).
Cursor = tuple[datetime, uuid.UUID]  # (created_at, id) of the last row shown


def _older_than(created_at: Any, item_id: Any) -> Any:
    """Rows after (created_at, id) in newest-first order: earlier, or as early with a lower id.

    The plain `created_at <=` lets the database start from the cursor in its index
    instead of reading from the newest row.
    """
    return and_(
        col(ClientItem.created_at) <= created_at,
        or_(col(ClientItem.created_at) < created_at, col(ClientItem.id) < item_id),
    )


_NEWEST_FIRST = (col(ClientItem.created_at).desc(), col(ClientItem.id).desc())
_OWN_ENTRIES = (
    select(ClientItem.id, ClientItem.created_at, JournalEntry.title_ct, JournalEntry.body_ct)
    .join(JournalEntry, col(JournalEntry.item_id) == ClientItem.id)
    .where(
        col(ClientItem.owner_id) == bindparam("owner"),
        col(ClientItem.kind) == KIND,
        col(ClientItem.deleted_at).is_(None),
    )
)
_FIRST_PAGE = _OWN_ENTRIES.order_by(*_NEWEST_FIRST).limit(PAGE_SIZE + 1)
_OLDER_PAGE = (
    _OWN_ENTRIES.where(_older_than(bindparam("created_at"), bindparam("item_id")))
    .order_by(*_NEWEST_FIRST)
    .limit(PAGE_SIZE + 1)
)


def _split_page(rows: Sequence[T], cursor_of: Callable[[T], Cursor]) -> tuple[list[T], Cursor | None]:
    """A page's rows (PAGE_SIZE + 1 were read), and where the next older page starts, if any."""
    if len(rows) <= PAGE_SIZE:
        return list(rows), None
    return list(rows[:PAGE_SIZE]), cursor_of(rows[PAGE_SIZE - 1])


def list_entries(
    session: Session, *, owner_id: uuid.UUID, older_than: Cursor | None = None
) -> tuple[list[EntrySummary], Cursor | None]:
    """One page of the owner's entries, newest first, and where the next older page starts."""
    if older_than is None:
        rows = run_prebuilt(session, _FIRST_PAGE, owner=owner_id).all()
    else:
        rows = run_prebuilt(
            session, _OLDER_PAGE, owner=owner_id, created_at=older_than[0], item_id=older_than[1]
        ).all()
    rows, following = _split_page(rows, lambda row: (row[1], row[0]))
    if not rows:
        return [], None
    key = data_key(session, owner_id)
    shared_with = sharing.shared_with(session, owner_id=owner_id, item_ids=[row[0] for row in rows])
    private = t("Private")
    summaries = []
    for item_id, created_at, title_ct, body_ct in rows:
        row = str(item_id)  # once: the id shown, and twice in the associated data
        title, body = _open_fields(key, row, title_ct, body_ct)
        names = shared_with.get(item_id)
        summaries.append(
            EntrySummary(
                id=row,
                title=title,
                preview=_preview(body),
                written_on=when(created_at),
                share_label=t("Shared with {names}", names=", ".join(names)) if names else private,
            )
        )
    return summaries, following


def journal_page(
    session: Session, *, owner_id: uuid.UUID, older_than: Cursor | None = None
) -> tuple[list[EntrySummary], Cursor | None, list[EntrySummary]]:
    """What the journal page shows: one page of entries, where the next older page starts,
    and (on the first page) unsaved drafts. One unit of work."""
    entries, following = list_entries(session, owner_id=owner_id, older_than=older_than)
    return entries, following, list_drafts(session, owner_id=owner_id) if older_than is None else []


# --- drafts -------------------------------------------------------------------------


_UPDATE_DRAFT = (
    update(Draft)
    .where(col(Draft.owner_id) == bindparam("owner"), col(Draft.entry_id) == bindparam("entry"))
    .values(title_ct=bindparam("title"), body_ct=bindparam("body"), updated_at=bindparam("now"))
)
_INSERT_DRAFT = insert(Draft)


def save_draft(
    session: Session, *, owner_id: uuid.UUID, entry_id: uuid.UUID | str, title: object, body: object
) -> None:
    """Autosave what is in the editor, encrypted. Empty drafts are allowed."""
    entry_id = parse_id(entry_id)
    clean_t, clean_b = clean_title(title), clean_body(body, required=False)
    _check_writable(session, owner_id=owner_id, entry_id=entry_id)
    key = data_key(session, owner_id)
    title_ct = key.seal("draft", "title_ct", entry_id, clean_t)
    body_ct = key.seal("draft", "body_ct", entry_id, clean_b)
    now = utcnow()
    # Every keystroke pause after the first finds the draft there: update, insert if not.
    updated = run_prebuilt(
        session, _UPDATE_DRAFT, owner=owner_id, entry=entry_id, title=title_ct, body=body_ct, now=now
    )
    if updated.rowcount == 0:
        run_prebuilt(
            session,
            _INSERT_DRAFT,
            owner_id=owner_id,
            entry_id=entry_id,
            title_ct=title_ct,
            body_ct=body_ct,
            updated_at=now,
        )


def get_draft(session: Session, *, owner_id: uuid.UUID, entry_id: uuid.UUID | str) -> tuple[str, str] | None:
    """(title, body) of the owner's draft for this entry id, if any."""
    entry_id = parse_id(entry_id)
    draft = session.get(Draft, (owner_id, entry_id))
    if draft is None:
        return None
    key = data_key(session, owner_id)
    title = key.open("draft", "title_ct", entry_id, draft.title_ct) if draft.title_ct else ""
    body = key.open("draft", "body_ct", entry_id, draft.body_ct) if draft.body_ct else ""
    return title, body


def discard_draft(session: Session, *, owner_id: uuid.UUID, entry_id: uuid.UUID | str) -> None:
    entry_id = parse_id(entry_id)
    run_prebuilt(session, _DELETE_DRAFT, owner=owner_id, entry=entry_id)


def list_drafts(session: Session, *, owner_id: uuid.UUID) -> list[EntrySummary]:
    """Unsaved drafts of new entries, so words left in a closed tab can be picked up."""
    rows = session.exec(
        select(Draft).where(Draft.owner_id == owner_id).order_by(col(Draft.updated_at).desc()).limit(20)
    ).all()
    if not rows:
        return []
    key = data_key(session, owner_id)
    drafts = []
    for draft in rows:
        title = key.open("draft", "title_ct", draft.entry_id, draft.title_ct) if draft.title_ct else ""
        body = key.open("draft", "body_ct", draft.entry_id, draft.body_ct) if draft.body_ct else ""
        if not (title.strip() or body.strip()):
            continue
        drafts.append(
            EntrySummary(
                id=str(draft.entry_id),
                title=title,
                preview=_preview(body),
                written_on=when(draft.updated_at),
                share_label=t("Draft"),
            )
        )
    return drafts


# --- as a clinician sees them ----------------------------------------------------------


def list_shared_entries(
    session: Session, *, clinician_id: uuid.UUID, client_id: object, older_than: Cursor | None = None
) -> tuple[list[SharedEntry], Cursor | None]:
    """Entries this client shared with this clinician, newest first, a page at a time, and
    where the next older page starts; audited as one view."""
    try:
        client_id = parse_id(client_id)
    except NotFound:
        raise sharing.deny(
            session, actor_id=clinician_id, action=AuditAction.VIEW_SHARED_LIST, item_id=None
        ) from None
    if not sharing.is_linked(session, client_id=client_id, clinician_id=clinician_id):
        raise sharing.deny(session, actor_id=clinician_id, action=AuditAction.VIEW_SHARED_LIST, item_id=None)
    query = (
        sharing.visible_to(clinician_id, JournalEntry)
        .join(JournalEntry, col(JournalEntry.item_id) == ClientItem.id)
        .where(col(ClientItem.owner_id) == client_id, col(ClientItem.kind) == KIND)
    )
    if older_than is not None:
        query = query.where(_older_than(*older_than))
    rows = session.exec(query.order_by(*_NEWEST_FIRST).limit(PAGE_SIZE + 1)).all()
    audit.record(
        session,
        actor_id=clinician_id,
        action=AuditAction.VIEW_SHARED_LIST,
        outcome=AuditOutcome.ALLOWED,
        subject_id=client_id,
    )
    session.commit()
    rows, following = _split_page(rows, lambda row: (row[0].created_at, row[0].id))
    if not rows:
        return [], None
    key = data_key(session, client_id)
    entries = []
    for item, share, entry in rows:
        title, body = _open_entry(key, entry)
        entries.append(
            SharedEntry(
                id=str(item.id),
                title=title,
                body=_preview(body),
                written_on=when(item.created_at),
                shared_on=when(share.shared_at),
            )
        )
    return entries, following


def read_shared_entry(session: Session, *, clinician_id: uuid.UUID, entry_id: object) -> SharedEntry:
    """One shared entry, in full, for a clinician allowed to see it right now.

    `entry_id` is taken as sent: a malformed id is refused and audited like any other.
    """
    item, share = sharing.open_shared(session, clinician_id=clinician_id, item_id=entry_id, kind=KIND)
    entry = session.get(JournalEntry, item.id)
    if entry is None:
        raise NotFound()
    title, body = _open_entry(data_key(session, item.owner_id), entry)
    return SharedEntry(
        id=str(item.id),
        title=title,
        body=body,
        written_on=when(item.created_at),
        shared_on=when(share.shared_at),
    )

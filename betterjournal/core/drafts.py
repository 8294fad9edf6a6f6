"""Drafts of any kind (AVAIL-1): the words in an editor, autosaved, encrypted.

One table keyed by (owner, item): the item the draft will become, new or already saved.
The payload is the kind's form fields as JSON, sealed under the owner's data key. A draft
can only ever be written in its owner's own namespace, so an id that is someone else's
item writes nothing of theirs; saving checks ownership like every write (items.save).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, delete, select

from betterjournal.core import items
from betterjournal.core.accounts import data_key
from betterjournal.core.errors import Denied, InvalidInput
from betterjournal.crypto import DataKey, encrypted_column
from betterjournal.db import run_prebuilt, take_turns
from betterjournal.i18n import N_
from betterjournal.models import AuditAction, ClientItem, DraftItem, Editing, ItemDraft, User, Version, utcnow

_PAYLOAD = encrypted_column(ItemDraft.payload_ct)
DRAFTS_LISTED = 20
# Copies of one item kept apart (`keep_apart`) at most: more are refused, not made (an
# attack review made one full copy of a homework's answers per 200-byte request). Two
# devices taking turns make one per turn; ten unread is far past what a person leaves.
KEPT_APART_MAX = 10


def _upsert(dialect_insert: Any) -> Any:
    """Insert the draft, or replace its words: one statement, so an autosave racing the
    closing tab's beacon (or a second tab) on a brand-new draft can't collide. Only a draft
    of the same kind is replaced: another kind's form never overwrites it."""
    statement = dialect_insert(ItemDraft)
    return statement.on_conflict_do_update(
        index_elements=[ItemDraft.owner_id, ItemDraft.item_id],
        set_={"payload_ct": statement.excluded.payload_ct, "updated_at": statement.excluded.updated_at},
        where=col(ItemDraft.kind) == statement.excluded.kind,
    )


_UPSERT = {"sqlite": _upsert(sqlite_insert), "postgresql": _upsert(postgresql_insert)}
_DELETE = delete(ItemDraft).where(
    col(ItemDraft.owner_id) == bindparam("owner"), col(ItemDraft.item_id) == bindparam("item")
)
_ONE = select(ItemDraft.kind, ItemDraft.payload_ct, ItemDraft.updated_at).where(
    col(ItemDraft.owner_id) == bindparam("owner"), col(ItemDraft.item_id) == bindparam("item")
)


def _seal(key: DataKey, item_id: Any, values: dict[str, str]) -> bytes:
    return key.seal(*_PAYLOAD, item_id, json.dumps(values, ensure_ascii=False))


def _open(key: DataKey, item_id: Any, blob: bytes) -> dict[str, str]:
    return json.loads(key.open(*_PAYLOAD, item_id, blob))


ANYONES = object()  # `save(seen=…)` not given: the words replace whatever draft is there


@dataclass(frozen=True)
class Saved:
    """A draft written: when (what the tab has seen now), and the id of the draft the words
    written elsewhere were kept under, if they had to be set aside (else None)."""

    at: datetime
    set_aside: uuid.UUID | None = None


def save(
    session: Session,
    *,
    owner_id: Any,
    kind: items.Kind,
    item_id: object,
    values: object,
    seen: object = ANYONES,
    known: object = None,
) -> Saved:
    """Autosave an editor's fields for this item id (empty fields are allowed).

    `seen`: when the draft this tab last read or wrote was written (None: it saw none);
    `known`: the words it had then. A draft written since by another tab or device (the
    same entry open on a phone and a laptop) is not written over: its words are first kept
    as a draft of their own, under a new id (the journal lists it), and `Saved.set_aside`
    says so. One holding this tab's own words (sent by its closing beacon as well as by
    its websocket) is no one else's: written over.
    """
    parsed = items.parse_or_deny(owner_id, item_id, AuditAction.WRITE_ITEM)
    clean = kind.clean(values, draft=True)
    items.item_exists(session, owner_id=owner_id, kind=kind, item_id=parsed, action=AuditAction.WRITE_ITEM)
    key = data_key(session, owner_id)
    set_aside = None
    if seen is not ANYONES:
        set_aside = _keep_words_written_elsewhere(session, owner_id, kind, parsed, key, seen, [clean, known])
    return Saved(_write(session, owner_id, kind, parsed, key, clean), set_aside)


def set_aside_before_saving(
    session: Session, *, owner_id: Any, kind: items.Kind, item_id: object, seen: object, values: object
) -> uuid.UUID | None:
    """Before an editor saves its item: a draft of it written since the editor last saw one
    (`seen`, as `save` takes it), by another tab or device, holding other words than the
    ones saved, is kept as a draft of its own, as an autosave would keep it; its id, or
    None. (Saving an item ends its draft: those words were lost when the tab that wrote them
    went on showing "Draft saved", a walk-through found.)"""
    if seen is ANYONES:
        return None
    parsed = items.parse_or_deny(owner_id, item_id, AuditAction.WRITE_ITEM)
    key = data_key(session, owner_id)
    return _keep_words_written_elsewhere(session, owner_id, kind, parsed, key, seen, [values])


def _keep_words_written_elsewhere(
    session: Session,
    owner_id: Any,
    kind: items.Kind,
    item_id: uuid.UUID,
    key: DataKey,
    seen: object,
    own: list,
) -> uuid.UUID | None:
    """The item's draft, if written since `seen` and holding none of the words in `own`
    (this tab's), written again under a new id; that id, or None."""
    # Two tabs writing at once take turns: each reads what the other wrote.
    take_turns(session, User, col(User.id) == owner_id)
    there = run_prebuilt(session, _ONE, owner=owner_id, item=item_id).first()
    if there is None or there[0] != kind.name or there[2] == seen:
        return None
    elsewhere = _open(key, item_id, there[1])
    if elsewhere in [kind.clean(words, draft=True) for words in own if isinstance(words, dict)]:
        return None
    return _keep_apart(session, owner_id, kind, key, elsewhere, copy_of=item_id)


def keep_apart(
    session: Session, *, owner_id: Any, kind: items.Kind, copy_of: uuid.UUID, values: object
) -> uuid.UUID:
    """Words written for the item `copy_of` elsewhere (another tab, another device), about to
    be written over: kept as a draft of their own under a new id, listed with the kind's
    drafts as kept apart (`DraftItem.kept_apart`); its id."""
    return _keep_apart(
        session, owner_id, kind, data_key(session, owner_id), kind.clean(values, draft=True), copy_of=copy_of
    )


def _keep_apart(
    session: Session,
    owner_id: Any,
    kind: items.Kind,
    key: DataKey,
    values: dict[str, str],
    *,
    copy_of: uuid.UUID,
) -> uuid.UUID:
    copies = session.exec(
        select(ItemDraft.item_id, ItemDraft.payload_ct).where(
            col(ItemDraft.owner_id) == owner_id, col(ItemDraft.copy_of) == copy_of
        )
    ).all()
    for copy_id, blob in copies:
        if _open(key, copy_id, blob) == values:
            return copy_id  # these words are kept apart already: not twice
    if len(copies) >= KEPT_APART_MAX:
        # Nothing is written over: the words stay on the screen that sent them.
        raise InvalidInput(
            N_(
                "This was changed on other devices many times, and {count} versions are kept "
                "as separate drafts. Discard the ones you don't need, then try again."
            ),
            count=KEPT_APART_MAX,
        )
    set_aside = uuid.uuid4()
    _write(session, owner_id, kind, set_aside, key, values)
    session.execute(
        update(ItemDraft)
        .where(col(ItemDraft.owner_id) == owner_id, col(ItemDraft.item_id) == set_aside)
        .values(copy_of=copy_of)
    )
    return set_aside


def _write(
    session: Session,
    owner_id: Any,
    kind: items.Kind,
    item_id: uuid.UUID,
    key: DataKey,
    values: dict[str, str],
) -> datetime:
    now = utcnow()
    written = run_prebuilt(
        session,
        _UPSERT[session.get_bind().dialect.name],
        owner_id=owner_id,
        item_id=item_id,
        kind=kind.name,
        payload_ct=_seal(key, item_id, values),
        updated_at=now,
    ).rowcount
    if written != 1:  # the owner's draft of another kind (a forged request): left as it is
        raise Denied(actor_id=owner_id, action=AuditAction.WRITE_ITEM, item_id=item_id, subject_id=owner_id)
    return now


def exists(session: Session, *, owner_id: Any, item_id: Any) -> bool:
    """Whether the owner has a draft for this item (nothing is decrypted)."""
    return run_prebuilt(session, _ONE, owner=owner_id, item=item_id).first() is not None


def get(session: Session, *, owner_id: Any, item_id: Any) -> DraftItem | None:
    item_id = items.parse_or_deny(owner_id, item_id, AuditAction.VIEW_ITEM)
    row = run_prebuilt(session, _ONE, owner=owner_id, item=item_id).first()
    if row is None:
        return None
    kind, blob, updated_at = row
    return DraftItem(item_id, kind, _open(data_key(session, owner_id), item_id, blob), updated_at)


def discard(session: Session, *, owner_id: Any, item_id: object) -> None:
    parsed = items.parse_or_deny(owner_id, item_id, AuditAction.WRITE_ITEM)
    run_prebuilt(session, _DELETE, owner=owner_id, item=parsed)


def open_for_editing(
    session: Session, *, owner_id: Any, kind: items.Kind, item_id: object, issued: bool
) -> Editing:
    """What an editor for this id opens with: its draft, else the saved item, else empty.

    `issued`: the id was handed out by the server for a new item of this kind. Any other
    id that is neither the owner's item nor the owner's draft (unknown, someone else's,
    deleted, malformed) gets the one refusal, audited.
    """
    parsed = items.parse_or_deny(owner_id, item_id, AuditAction.VIEW_ITEM)
    exists = items.item_exists(
        session, owner_id=owner_id, kind=kind, item_id=parsed, action=AuditAction.VIEW_ITEM
    )
    draft = get(session, owner_id=owner_id, item_id=parsed)
    if draft is not None and draft.kind == kind.name:
        version = items.version(session, item_id=parsed) if exists else Version(None)
        return Editing(
            fields=draft.fields,
            is_new=not exists,
            from_draft=True,
            version=version,
            draft_at=draft.updated_at,
        )
    if exists:
        item = items.open_own(session, owner_id=owner_id, kind=kind, item_id=parsed)
        return Editing(fields=item.fields, is_new=False, from_draft=False, version=Version(item.updated_at))
    if not issued:
        raise Denied(actor_id=owner_id, action=AuditAction.VIEW_ITEM, item_id=parsed)
    return Editing(fields=dict.fromkeys(kind.field_names, ""), is_new=True, from_draft=False)


def every_draft(session: Session, *, owner_id: Any) -> list[DraftItem]:
    """Every draft of the owner's, of any kind, newest first (for taking everything away)."""
    rows = session.exec(
        select(  # type: ignore[call-overload]
            ItemDraft.item_id, ItemDraft.kind, ItemDraft.payload_ct, ItemDraft.updated_at, ItemDraft.copy_of
        )
        .where(col(ItemDraft.owner_id) == owner_id)
        .order_by(col(ItemDraft.updated_at).desc())
    ).all()
    if not rows:
        return []
    key = data_key(session, owner_id)
    return [
        DraftItem(item_id, kind, _open(key, item_id, blob), at, copy_of=copy_of)
        for item_id, kind, blob, at, copy_of in rows
    ]


def list_new(
    session: Session,
    *,
    owner_id: Any,
    kind: items.Kind,
    skip: Collection[Any] = (),
    limit: int = DRAFTS_LISTED,
) -> list[DraftItem]:
    """The newest `limit` unsaved drafts of a kind, newest first, so words left in a closed
    tab can be picked up: of new items, and changes to saved ones (`of_saved`).

    Drafts holding only white space are left out, and those of the items in `skip` (not
    decrypted).
    """
    rows = session.exec(
        select(ItemDraft.item_id, ItemDraft.payload_ct, ItemDraft.updated_at, ItemDraft.copy_of)
        .where(col(ItemDraft.owner_id) == owner_id, col(ItemDraft.kind) == kind.name)
        .order_by(col(ItemDraft.updated_at).desc())
        .limit(limit)
    ).all()
    if not rows:
        return []
    key = data_key(session, owner_id)
    saved = dict(
        session.exec(
            select(ClientItem.id, ClientItem.created_at).where(
                col(ClientItem.owner_id) == owner_id,
                col(ClientItem.id).in_([row[0] for row in rows]),
                col(ClientItem.deleted_at).is_(None),
            )
        ).all()
    )
    found = []
    for item_id, blob, updated_at, copy_of in rows:
        if item_id in skip:
            continue
        values = _open(key, item_id, blob)
        if any(value.strip() for value in values.values()):
            found.append(
                DraftItem(
                    item_id,
                    kind.name,
                    values,
                    updated_at,
                    of_saved=item_id in saved,
                    saved_created_at=saved.get(item_id),
                    copy_of=copy_of,
                )
            )
    return found


def discard_copies(session: Session, *, owner_id: Any, kind: items.Kind, values: object) -> None:
    """Once words are saved, the drafts of new (never saved) items that hold exactly those
    words say nothing more, and go: a copy `save` kept apart when two tabs wrote one item
    (`Saved.set_aside`) is left over once the tab it came from saves them (walk-through:
    the same words in the journal twice, as an entry and as a draft)."""
    words = kind.clean(values, draft=True)
    for draft in list_new(session, owner_id=owner_id, kind=kind):
        if not draft.of_saved and draft.fields == words:
            run_prebuilt(session, _DELETE, owner=owner_id, item=draft.item_id)

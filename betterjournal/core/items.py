"""The item platform: one registry of item kinds, and everything they share, written once.

A kind (journal entries now; check-ins, homework answers and session agendas next)
registers its table and its fields once (`register`). Everything else is generic:
creating and updating the item, the one ownership check, keyset paging for the owner and
for a clinician, drafts (core/drafts.py), delete, sharing, "seen" and revocation
(core/sharing.py). A kind's own module only declares it and validates its fields.

Every field of a kind is stored encrypted under the owner's data key, in the kind's
table, in the column `<field>_ct` declared in the model's `__encrypted__`; the associated
data's table and column come from that declaration (crypto.encrypted_column).

Key rule for data *about* a client written by someone else (a clinician's comment on a
homework answer, an assignment's instructions): it is sealed under the client's data key,
like everything the client writes, so deleting the client's key destroys it too
(crypto-shredding). The writer's id is kept beside it, in plaintext, for authorization.

Functions here never commit or roll back: the caller's unit of work does (db.session_scope),
and a refusal (errors.Denied) is audited there even when the caller's work is rolled back.
The core returns datetimes and raw field values; formatting happens at the edge.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import and_, bindparam, or_
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, SQLModel, col, delete, insert, select, update

from betterjournal.core import audit
from betterjournal.core.accounts import data_key
from betterjournal.core.errors import Denied, EditedElsewhere, InvalidInput, NotFound
from betterjournal.core.validation import parse_id
from betterjournal.crypto import DataKey, encrypted_column, get_vault
from betterjournal.db import run_prebuilt
from betterjournal.i18n import N_
from betterjournal.models import (
    AuditAction,
    AuditOutcome,
    ClientItem,
    Cursor,
    ItemDraft,
    OwnItem,
    Page,
    Version,
    utcnow,
)

PAGE_SIZE = 50
# A list that grows by "Show more" (drafts, homework) holds at most so many in a tab; past
# them, the button goes rather than promise more (an attack review tapped it 25 times for
# nothing). The data download holds every one.
LISTED_MAX = 500


def show_more(shown: int, step: int) -> int:
    """How many a list shows after one more tap on its "Show more"."""
    return min(shown + step, LISTED_MAX)


def more_to_show(found: int, shown: int) -> bool:
    """Whether a list of which `found` were read (at most `shown` + 1) offers "Show more"."""
    return found > shown and shown < LISTED_MAX


@dataclass(frozen=True)
class ItemField:
    """One field of a kind: how to clean it, and whether a clinician sees it when shared."""

    name: str
    clean: Callable[[object], str]  # for saving: validates and normalises, or InvalidInput
    clean_draft: Callable[[object], str]  # for autosaving: as lenient as typing needs
    shared: bool = True


@dataclass(eq=False)
class Kind:
    """A registered kind of client item: its table and its fields. Built once at import."""

    name: str
    table: type[SQLModel]
    fields: tuple[ItemField, ...]
    answers_homework: bool = False  # an item of this kind can be an assignment's response
    columns: dict[str, tuple[str, str]] = field(default_factory=dict)  # field -> (table, column)
    statements: dict[str, Any] = field(default_factory=dict)

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    def column(self, name: str) -> Any:
        """The table column holding field `name`'s ciphertext."""
        return getattr(self.table, self.columns[name][1])

    @property
    def item_key(self) -> Any:
        """The kind table's key, the client_item id."""
        return col(self.table.item_id)  # type: ignore[attr-defined]

    @property
    def shared_field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields if f.shared)

    def clean(self, values: object, *, draft: bool = False) -> dict[str, str]:
        """The kind's fields from a form: exactly its fields (missing ones empty), cleaned."""
        if not isinstance(values, Mapping) or set(values) - set(self.field_names):
            raise InvalidInput(N_("This couldn't be saved. Please try again."))
        cleaned = {}
        for f in self.fields:
            try:
                cleaned[f.name] = (f.clean_draft if draft else f.clean)(values.get(f.name, ""))
            except InvalidInput as error:
                error.in_field(error.field or f.name)  # which one is wrong
                raise
        return cleaned

    def seal(self, key: DataKey, item_id: Any, values: Mapping[str, str]) -> dict[str, bytes | None]:
        """Ciphertext per column; an empty field is stored as NULL."""
        return {
            self.columns[name][1]: key.seal(*self.columns[name], item_id, text) if text else None
            for name, text in values.items()
        }

    def open(self, key: DataKey, item_id: Any, sealed: Mapping[str, bytes | None], names: tuple[str, ...]):
        """Plaintext of the named fields (a decryption failure is an error, never content)."""
        return {
            name: key.open(*self.columns[name], item_id, blob) if (blob := sealed[name]) else ""
            for name in names
        }


# --- whose typed words they are ---------------------------------------------------------------

_WORDS_MARK = "typed-words/v1"


def _marked(owner_id: uuid.UUID, item: uuid.UUID, within: object) -> bytes:
    """What a words mark signs: the person, the item, and the assignment it answers (if any)."""
    return owner_id.bytes + item.bytes + (uuid.UUID(str(within)).bytes if within else b"")


def words_mark(owner_id: uuid.UUID, item_id: str, within: str = "") -> str:
    """The server's mark on the words typed into an item's page (the editor, a worksheet),
    given as the page opens it: this person's, for this item. Words that leave without the
    page's websocket (a beacon as the tab goes, a sign-in carrying them) are written only for
    the person it names: an attack review had another client claim a new entry's id handed
    to a client's editor before its first draft (and a shared browser's next sign-in took
    the words typed before it into the new person's journal). `within`: the assignment the
    item answers, which the words are written for too (an attack review sent one homework
    page's new id and mark naming another homework, and the words went into that one's)."""
    return get_vault().sign(_WORDS_MARK, _marked(owner_id, uuid.UUID(item_id), within))


def check_words_mark(owner_id: uuid.UUID, item_id: object, mark: object, within: object = "") -> None:
    """Denied (audited) unless `mark` is this person's `words_mark` for the item (and the
    assignment `within`, as the page was given it)."""
    try:
        item: uuid.UUID | None = uuid.UUID(item_id) if isinstance(item_id, str) else None
        signed = _marked(owner_id, item, within) if item is not None else b""
    except ValueError:
        item, signed = None, b""
    if item is None or not isinstance(mark, str) or not get_vault().verify(_WORDS_MARK, signed, mark):
        raise Denied(actor_id=owner_id, action=AuditAction.WRITE_ITEM, item_id=item)


_KINDS: dict[str, Kind] = {}


def register(
    name: str, table: type[SQLModel], fields: tuple[ItemField, ...], *, answers_homework: bool = False
) -> Kind:
    """Register a kind once; its statements are built here, with bound parameters only."""
    if name in _KINDS:
        raise ValueError(f"kind {name!r} is registered already")
    kind = Kind(name=name, table=table, fields=fields, answers_homework=answers_homework)
    for item_field in fields:
        kind.columns[item_field.name] = encrypted_column(getattr(table, f"{item_field.name}_ct"))
    kind.statements.update(_build_statements(kind))
    _KINDS[name] = kind
    return kind


def kind_named(name: str) -> Kind:
    return _KINDS[name]


def registered() -> list[Kind]:
    return list(_KINDS.values())


def newest_first() -> tuple[Any, Any]:
    return col(ClientItem.created_at).desc(), col(ClientItem.id).desc()


def older_than(created_at: Any, item_id: Any) -> Any:
    """Rows after (created_at, id) in newest-first order: earlier, or as early with a lower id.

    The plain `created_at <=` lets the database start from the cursor in its index.
    """
    return and_(
        col(ClientItem.created_at) <= created_at,
        or_(col(ClientItem.created_at) < created_at, col(ClientItem.id) < item_id),
    )


def _build_statements(kind: Kind) -> dict[str, Any]:
    cts = [kind.column(name) for name in kind.field_names]
    own = (
        select(ClientItem.id, ClientItem.created_at, ClientItem.updated_at, *cts)
        .join(kind.table, kind.item_key == ClientItem.id)
        .where(
            col(ClientItem.owner_id) == bindparam("owner"),
            col(ClientItem.kind) == kind.name,
            col(ClientItem.deleted_at).is_(None),
        )
    )
    return {
        "insert": insert(kind.table),
        "update": update(kind.table)
        .where(kind.item_key == bindparam("item"))
        .values({kind.columns[n][1]: bindparam(n) for n in kind.field_names}),
        "delete": delete(kind.table).where(kind.item_key == bindparam("item")),
        "one": own.where(col(ClientItem.id) == bindparam("item")),
        "among": own.where(col(ClientItem.id).in_(bindparam("items", expanding=True))),
        "first_page": own.order_by(*newest_first()).limit(PAGE_SIZE + 1),
        "every": own.order_by(*newest_first()),
        "every_since": own.where(col(ClientItem.created_at) >= bindparam("since")).order_by(*newest_first()),
        "older_page": own.where(older_than(bindparam("created_at"), bindparam("cursor_id")))
        .order_by(*newest_first())
        .limit(PAGE_SIZE + 1),
    }


# --- the one ownership check ---------------------------------------------------------------

_ITEM_STATE = select(ClientItem.owner_id, ClientItem.kind, ClientItem.deleted_at).where(
    col(ClientItem.id) == bindparam("item")
)


def parse_or_deny(actor_id: Any, value: object, action: AuditAction) -> uuid.UUID:
    """An id from a payload or URL; a malformed one is refused and audited like any other."""
    try:
        return parse_id(value)
    except NotFound:
        raise Denied(actor_id=actor_id, action=action) from None


def _is_owners(state: Any, owner_id: Any, kind: Kind | None) -> bool:
    """Whether an item's (owner, kind, deleted_at) row is the owner's live item (of `kind`)."""
    return (
        state is not None
        and state[0] == owner_id
        and state[2] is None
        and state[1] in _KINDS
        and (kind is None or state[1] == kind.name)
    )


def owned(
    session: Session, *, owner_id: Any, item_id: object, action: AuditAction, kind: Kind | None = None
) -> tuple[uuid.UUID, Kind]:
    """The one ownership check: the owner's live item (of `kind`, if given), as its parsed id
    and its kind; anything else (someone else's, another kind's, deleted, unknown,
    malformed) is refused alike and audited as `action` (AUTHZ-3)."""
    parsed = parse_or_deny(owner_id, item_id, action)
    state = run_prebuilt(session, _ITEM_STATE, item=parsed).first()
    if not _is_owners(state, owner_id, kind):
        raise Denied(actor_id=owner_id, action=action, item_id=parsed)
    return parsed, _KINDS[state[1]]  # type: ignore[index]


# Someone else's draft of a new item under this id (not decrypted).
_OTHERS_DRAFT = select(ItemDraft.owner_id).where(
    col(ItemDraft.item_id) == bindparam("item"), col(ItemDraft.owner_id) != bindparam("owner")
)


def item_exists(session: Session, *, owner_id: Any, kind: Kind, item_id: Any, action: AuditAction) -> bool:
    """For writes to an id chosen when the editor opened: whether the owner's item of this
    kind exists (False: the id is free); an id taken by anything else is refused, another
    person's unsaved draft too (attack review: a beacon took a client's new entry's id, seen
    in their address bar, and saved it first; the owner could no longer open their words)."""
    state = run_prebuilt(session, _ITEM_STATE, item=item_id).first()
    return _exists(session, state, owner_id=owner_id, kind=kind, item_id=item_id, action=action)


def _exists(
    session: Session, state: Any, *, owner_id: Any, kind: Kind, item_id: Any, action: AuditAction
) -> bool:
    """`item_exists` for an (owner, kind, deleted_at) row already read (None: no item)."""
    if state is not None and not _is_owners(state, owner_id, kind):
        raise Denied(actor_id=owner_id, action=action, item_id=item_id)
    if state is None and run_prebuilt(session, _OTHERS_DRAFT, item=item_id, owner=owner_id).first():
        raise Denied(actor_id=owner_id, action=action, item_id=item_id)
    return state is not None


# --- the owner's side -----------------------------------------------------------------------

# A new item's row, unless another tab made it a moment ago (then that one is updated).
_INSERT_ITEM = {
    name: dialect_insert(ClientItem)
    .on_conflict_do_nothing(index_elements=["id"])
    .returning(col(ClientItem.id))
    for name, dialect_insert in (("sqlite", sqlite_insert), ("postgresql", postgresql_insert))
}
_TOUCH_ITEM = (
    update(ClientItem).where(col(ClientItem.id) == bindparam("item")).values(updated_at=bindparam("now"))
)
# The same, only if nobody saved the item since the editor opened it. As the unit's first
# write it waits for any other save of it to end, then compares: one of two saves made on
# the same version wins, the other changes nothing.
_TOUCH_ITEM_IF_UNCHANGED = _TOUCH_ITEM.where(col(ClientItem.updated_at) == bindparam("based_on"))
# What a clinician can see of it changed (ClientItem.shared_changed_at).
_SHARED_CHANGED = (
    update(ClientItem)
    .where(col(ClientItem.id) == bindparam("item"))
    .values(shared_changed_at=bindparam("now"))
)
_ITEM_VERSION = select(ClientItem.updated_at).where(col(ClientItem.id) == bindparam("item"))


def version(session: Session, *, item_id: uuid.UUID) -> Version:
    """The item's version now, for an editor that opens it (`Version(None)`: not saved yet)."""
    return Version(run_prebuilt(session, _ITEM_VERSION, item=item_id).scalar())


def save(
    session: Session,
    *,
    owner_id: Any,
    kind: Kind,
    item_id: object,
    values: object,
    plain: Mapping[str, Any] | None = None,
    based_on: Version | None = None,
) -> bool:
    """Create or update the owner's item with this id, and clear its draft. True if created.

    Saving is an upsert on an id chosen when the editor opened, so a double submit (or
    a retry after a dropped connection, or two tabs at the same moment) makes one item
    (AVAIL-1), without an error. `plain`: plaintext
    columns of the kind's table set when the item is created (never from a payload),
    such as which clinician a session agenda is for.

    `based_on`: the version the editor opened on. If the item was saved since (another
    device, another tab) with other words, nothing is written and `EditedElsewhere` is
    raised: the save must not replace words its writer never saw. The same words saved
    twice (a double submit, a retry) are one save, as before.
    """
    from betterjournal.core import drafts

    parsed = parse_or_deny(owner_id, item_id, AuditAction.WRITE_ITEM)
    clean = kind.clean(values)
    state = run_prebuilt(session, _ITEM_STATE, item=parsed).first()
    opened_saved = based_on is not None and based_on.updated_at is not None
    if (
        opened_saved
        and state is not None
        and (*state[:2], state[2] is not None) == (owner_id, kind.name, True)
    ):
        raise EditedElsewhere(deleted=True)  # the owner deleted it elsewhere meanwhile
    exists = _exists(
        session, state, owner_id=owner_id, kind=kind, item_id=parsed, action=AuditAction.WRITE_ITEM
    )
    sealed = kind.seal(data_key(session, owner_id), parsed, clean)
    now = utcnow()
    created = not exists and (
        run_prebuilt(
            session,
            _INSERT_ITEM[session.get_bind().dialect.name],
            id=parsed,
            owner_id=owner_id,
            kind=kind.name,
            created_at=now,
            updated_at=now,
            shared_changed_at=now,
        ).first()
        is not None
    )
    if created:
        run_prebuilt(session, kind.statements["insert"], item_id=parsed, **sealed, **(plain or {}))
    else:  # it was there, or another tab made it just now (whose it is is checked again)
        if not exists:
            item_exists(session, owner_id=owner_id, kind=kind, item_id=parsed, action=AuditAction.WRITE_ITEM)
        if based_on is None:
            touched = run_prebuilt(session, _TOUCH_ITEM, item=parsed, now=now).rowcount == 1
        else:  # only if nobody saved it since the editor opened it
            touched = (
                based_on.updated_at is not None
                and run_prebuilt(
                    session, _TOUCH_ITEM_IF_UNCHANGED, item=parsed, now=now, based_on=based_on.updated_at
                ).rowcount
                == 1
            )
        # Read after the touch, the unit's first write: no other save of it comes in between.
        current = _fields_now(session, owner_id, kind, parsed)
        if not touched:
            if any(current.get(name) != clean.get(name) for name in kind.field_names):
                raise EditedElsewhere()
            drafts.discard(session, owner_id=owner_id, item_id=parsed)  # already saved as it is
            return False
        if any(current.get(name) != clean.get(name) for name in kind.shared_field_names):
            run_prebuilt(session, _SHARED_CHANGED, item=parsed, now=now)
        by_field = {name: sealed[kind.columns[name][1]] for name in kind.field_names}
        run_prebuilt(session, kind.statements["update"], item=parsed, **by_field)
    drafts.discard(session, owner_id=owner_id, item_id=parsed)
    return created


def _fields_now(session: Session, owner_id: Any, kind: Kind, item_id: uuid.UUID) -> dict[str, Any]:
    """The owner's item's fields as saved (its owner checked already): deleted meanwhile (a
    delete that committed between that check and the save's first write), EditedElsewhere,
    which keeps the words in their draft and says so."""
    row = run_prebuilt(session, kind.statements["one"], owner=owner_id, item=item_id).first()
    if row is None:
        raise EditedElsewhere(deleted=True)
    return _own_item(kind, data_key(session, owner_id), row).fields


def _own_item(kind: Kind, key: DataKey, row: Any, audience: Sequence[tuple[str, bool]] = ()) -> OwnItem:
    """`audience`: the clinicians who can see it now, each with whether they have seen it."""
    item_id, created_at, updated_at, *blobs = row
    text_id = str(item_id)  # once: twice in the associated data
    values = kind.open(key, text_id, dict(zip(kind.field_names, blobs, strict=True)), kind.field_names)
    shared_with = tuple(name for name, _seen in audience)
    seen_by = tuple(name for name, seen in audience if seen)
    return OwnItem(item_id, kind.name, values, created_at, updated_at, shared_with, seen_by)


def open_own(session: Session, *, owner_id: Any, kind: Kind, item_id: object) -> OwnItem:
    """The owner's item, every field, or Denied (audited) for anything else."""
    parsed, _kind = owned(
        session, owner_id=owner_id, item_id=item_id, action=AuditAction.VIEW_ITEM, kind=kind
    )
    row = run_prebuilt(session, kind.statements["one"], owner=owner_id, item=parsed).one()
    return _own_item(kind, data_key(session, owner_id), row)


def open_own_many(
    session: Session, *, owner_id: Any, kind: Kind, item_ids: Sequence[object]
) -> list[OwnItem]:
    """Several of the owner's items of a kind, every field, in one query, in the order given;
    Denied (audited) for the first id that isn't the owner's live item of this kind."""
    parsed = list(
        dict.fromkeys(parse_or_deny(owner_id, item_id, AuditAction.VIEW_ITEM) for item_id in item_ids)
    )
    if not parsed:
        return []
    rows = {
        row[0]: row for row in run_prebuilt(session, kind.statements["among"], owner=owner_id, items=parsed)
    }
    for item_id in parsed:
        if item_id not in rows:
            raise Denied(actor_id=owner_id, action=AuditAction.VIEW_ITEM, item_id=item_id)
    key = data_key(session, owner_id)
    return [_own_item(kind, key, rows[item_id]) for item_id in parsed]


def list_own(
    session: Session,
    *,
    owner_id: Any,
    kind: Kind,
    older: Cursor | None = None,
) -> Page[OwnItem]:
    """One page of the owner's items of a kind, newest first, with who each is shared with."""
    if older is None:
        rows = run_prebuilt(session, kind.statements["first_page"], owner=owner_id).all()
    else:
        rows = run_prebuilt(
            session, kind.statements["older_page"], owner=owner_id, created_at=older[0], cursor_id=older[1]
        ).all()
    rows, following = split_page(rows, lambda row: (row[1], row[0]))
    return Page(own_items(session, owner_id=owner_id, kind=kind, rows=rows), following)


def own_items(session: Session, *, owner_id: Any, kind: Kind, rows: list[Any]) -> list[OwnItem]:
    """The owner's items from rows of (id, created_at, updated_at, each field's ciphertext),
    decrypted, with who each is shared with and who has seen it (for a kind's own list)."""
    from betterjournal.core import sharing

    if not rows:
        return []
    key = data_key(session, owner_id)
    audience = sharing.audience(session, owner_id=owner_id, item_ids=[row[0] for row in rows])
    return [_own_item(kind, key, row, audience.get(row[0], ())) for row in rows]


def every_own(session: Session, *, owner_id: Any, kind: Kind, since: datetime | None = None) -> list[OwnItem]:
    """Every live item of a kind of the owner's (made `since`, if given), newest first, for
    a chart: one person's rows, decrypted in memory only for the figure drawn from them."""
    if since is None:
        rows = run_prebuilt(session, kind.statements["every"], owner=owner_id).all()
    else:
        rows = run_prebuilt(session, kind.statements["every_since"], owner=owner_id, since=since).all()
    if not rows:
        return []
    key = data_key(session, owner_id)
    return [_own_item(kind, key, row) for row in rows]


def split_page(rows: Any, cursor_of: Callable[[Any], Cursor]) -> tuple[list[Any], Cursor | None]:
    """A page's rows (PAGE_SIZE + 1 were read), and where the next older page starts, if any."""
    if len(rows) <= PAGE_SIZE:
        return list(rows), None
    return list(rows[:PAGE_SIZE]), cursor_of(rows[PAGE_SIZE - 1])


_TOMBSTONE = (
    update(ClientItem)
    .where(col(ClientItem.id) == bindparam("item"), col(ClientItem.deleted_at).is_(None))
    .values(deleted_at=bindparam("now"))
)


def delete_item(session: Session, *, owner_id: Any, item_id: object) -> tuple[str, list[Any]]:
    """Delete any kind of the owner's items: remove the content, revoke every share, and leave
    a tombstone so the id is never reused. The kind is looked up from the item.

    Returns its kind, and the clinicians who could see it until now (their open views
    must drop it). Deleted from two tabs at once, it is deleted once (one audit row): the
    tombstone goes first, only on a live item, and the second tab finds it gone.
    """
    from betterjournal.core import drafts, sharing

    parsed, kind = owned(session, owner_id=owner_id, item_id=item_id, action=AuditAction.DELETE)
    if run_prebuilt(session, _TOMBSTONE, item=parsed, now=utcnow()).rowcount != 1:
        return kind.name, []
    revoked = sharing.revoke_all(session, owner_id=owner_id, item_id=parsed)
    run_prebuilt(session, kind.statements["delete"], item=parsed)
    drafts.discard(session, owner_id=owner_id, item_id=parsed)
    audit.record(
        session,
        actor_id=owner_id,
        action=AuditAction.DELETE,
        outcome=AuditOutcome.ALLOWED,
        subject_id=owner_id,
        item_id=parsed,
    )
    return kind.name, revoked

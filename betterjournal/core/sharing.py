"""Sharing, "seen" and revocation: one mechanism for every kind of client item.

The rule (AUTHZ-2), enforced inside the queries (AUTHZ-4): a clinician sees an item only
while an unrevoked share of that item to that clinician exists, the link the share was
made under is still active, and the item is not deleted. A share is bound to its link
(`item_share.link_id`): it is made in one statement that finds the active link, so a
share racing the end of the link never outlives it, and a later link never revives it.

Everything whose content reaches a clinician is audited per item and marked "seen" per
item, in the caller's unit of work, before the content is returned (AUD-1, AUD-2, AUD-3).
A page redrawn for a tab nobody may be looking at (a push, a reconnect) leaves out what
the clinician never saw (`unseen_held_back`): "seen" is said only for what a person opened.
"""

from __future__ import annotations

import contextlib
import functools
import uuid
from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator
from contextvars import ContextVar
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, exists, func
from sqlmodel import Session, col, select, update

from betterjournal.core import audit, items
from betterjournal.core.accounts import data_key
from betterjournal.core.errors import Denied, InvalidInput, NotFound
from betterjournal.core.validation import parse_id
from betterjournal.db import run_prebuilt, take_turns
from betterjournal.i18n import N_
from betterjournal.models import (
    Assignment,
    AuditAction,
    AuditOutcome,
    CareLink,
    ClientItem,
    Cursor,
    ItemShare,
    Page,
    Share,
    SharedItem,
    User,
    utcnow,
)


def _active_share(item: Any, clinician: Any) -> Any:
    """Join condition: the item is shared with the clinician now (not revoked)."""
    return (
        (col(ItemShare.item_id) == item)
        & (col(ItemShare.clinician_id) == clinician)
        & col(ItemShare.revoked_at).is_(None)
    )


def _share_link_active() -> Any:
    """Join condition: the link this share was made under is still active."""
    return (
        (col(CareLink.id) == ItemShare.link_id)
        & (col(CareLink.client_id) == ClientItem.owner_id)
        & col(CareLink.ended_at).is_(None)
    )


def visible_to(clinician_id: Any, *columns: Any) -> Any:
    """Select `columns` of the items the clinician may read right now (AUTHZ-4).

    The statement is built once per set of columns, with the clinician as a bound
    parameter: building it took about 0.4 ms, filling it in takes a few microseconds, and a
    clinician's brief runs it half a dozen times.
    """
    return visible_statement(columns).params(viewer=clinician_id)


@functools.cache
def visible_statement(columns: tuple[Any, ...]) -> Any:
    """`visible_to`, built once for these columns (constants: each new tuple is kept) with
    the clinician as the bound parameter `viewer`, for statements built at import."""
    return (
        select(*columns)
        .select_from(ClientItem)
        .join(ItemShare, _active_share(ClientItem.id, bindparam("viewer")))
        .join(CareLink, _share_link_active())
        .where(col(ClientItem.deleted_at).is_(None))
    )


def visible_item_ids(session: Session, *, clinician_id: uuid.UUID, among: Iterable[Any] | None = None):
    """The ids the clinician may read now, optionally only among `among`."""
    query = visible_to(clinician_id, ClientItem.id)
    if among is not None:
        query = query.where(col(ClientItem.id).in_([parse_id(item_id) for item_id in among]))
    return set(session.exec(query))


_LINKED = select(CareLink.id).where(
    col(CareLink.client_id) == bindparam("client"),
    col(CareLink.clinician_id) == bindparam("clinician"),
    col(CareLink.ended_at).is_(None),
)


def is_linked(session: Session, *, client_id: uuid.UUID, clinician_id: uuid.UUID) -> bool:
    return run_prebuilt(session, _LINKED, client=client_id, clinician=clinician_id).first() is not None


def hold_link(session: Session, *, client_id: uuid.UUID, clinician_id: uuid.UUID) -> bool:
    """Whether the two are linked now, holding the link until this unit of work ends, for
    a clinician's write into the client's space: an end of the link at the same moment
    (links.end_link) has happened, or waits for the write and then undoes it (attack review:
    a scale suggested as the link ended stayed on the client's form)."""
    return (
        take_turns(
            session,
            CareLink,
            col(CareLink.client_id) == client_id,
            col(CareLink.clinician_id) == clinician_id,
            col(CareLink.ended_at).is_(None),
        )
        > 0
    )


# --- the owner's switch -------------------------------------------------------------------

_ACTIVE_SHARE_ID = select(ItemShare.id).where(_active_share(bindparam("item_id"), bindparam("clinician_id")))
# One statement: the share is made only if the link is active at that very moment, and
# only if no active share exists (two tabs switching at once make one share).
_SHARE_UNDER_ACTIVE_LINK = ItemShare.__table__.insert().from_select(  # type: ignore[attr-defined]
    ["id", "item_id", "clinician_id", "link_id", "kind", "shared_at"],
    select(
        bindparam("id", type_=ItemShare.__table__.c.id.type),  # type: ignore[attr-defined]
        bindparam("item_id", type_=ItemShare.__table__.c.item_id.type),  # type: ignore[attr-defined]
        bindparam("clinician_id", type_=ItemShare.__table__.c.clinician_id.type),  # type: ignore[attr-defined]
        CareLink.id,
        bindparam("kind", type_=ItemShare.__table__.c.kind.type),  # type: ignore[attr-defined]
        bindparam("now", type_=ItemShare.__table__.c.shared_at.type),  # type: ignore[attr-defined]
    ).where(
        col(CareLink.client_id) == bindparam("owner_id"),
        col(CareLink.clinician_id) == bindparam("clinician_id"),
        col(CareLink.ended_at).is_(None),
        ~exists(_ACTIVE_SHARE_ID),
        # Still live as the share is written: a delete that got there first (another tab,
        # a moment ago) leaves nothing to share (INPUT-6).
        exists(
            select(ClientItem.id).where(
                col(ClientItem.id) == bindparam("item_id"), col(ClientItem.deleted_at).is_(None)
            )
        ),
    ),
)
# A share whose link has ended (it lost a race with the end of the link) shows nothing;
# before sharing again it is closed, so it neither blocks the new share nor lingers.
_CLOSE_ORPHANED = (
    update(ItemShare)
    .where(
        _active_share(bindparam("item"), bindparam("clinician")),
        ~exists(
            select(CareLink.id).where(col(CareLink.id) == ItemShare.link_id, col(CareLink.ended_at).is_(None))
        ),
    )
    .values(revoked_at=bindparam("now"))
)
# Sharing an assignment's response with the clinician who gave it returns it: the first time,
# the assignment keeps when (core/homework.py counts the never-returned from an index alone).
# Homework's own paths load the assignment before they return it; they only ever set this
# column before the share (homework._link), so the row they hold never writes it back.
_MARK_FIRST_RETURN = (
    update(Assignment)
    .where(
        col(Assignment.client_id) == bindparam("owner"),
        col(Assignment.response_id) == bindparam("item"),
        col(Assignment.clinician_id) == bindparam("clinician"),
        col(Assignment.first_returned_at).is_(None),
    )
    .values(first_returned_at=bindparam("now"))
)
_REVOKE_ONE = (
    update(ItemShare)
    .where(_active_share(bindparam("item"), bindparam("clinician")))
    .values(revoked_at=bindparam("now"))
)


def _share_under_active_link(
    session: Session,
    *,
    owner_id: uuid.UUID,
    item_id: uuid.UUID,
    kind: items.Kind,
    clinician: uuid.UUID,
    now: datetime,
) -> int:
    return run_prebuilt(
        session,
        _SHARE_UNDER_ACTIVE_LINK,
        id=uuid.uuid4(),
        item_id=item_id,
        clinician_id=clinician,
        kind=kind.name,
        owner_id=owner_id,
        now=now,
    ).rowcount


def set_shared(
    session: Session, *, owner_id: uuid.UUID, item_id: object, clinician_id: object, shared: bool
) -> tuple[list[Share], bool]:
    """Share any kind of item with one linked clinician, or revoke that share; audited.

    The kind is looked up from the item. Idempotent: sharing a shared item or revoking a
    private one changes nothing. The change and its audit row are one transaction
    (INPUT-6). Returns the item's shares afterwards, for the owner's view, and whether
    anything changed (only then is anyone's open page told: an attack review made a
    clinician's page re-read, and audit, on every "make private" naming them).
    """
    parsed, changed = _change_share(
        session, owner_id=owner_id, item_id=item_id, clinician_id=clinician_id, shared=shared
    )
    return shares_of(session, owner_id=owner_id, item_ids=[parsed])[parsed], changed


def _change_share(
    session: Session, *, owner_id: uuid.UUID, item_id: object, clinician_id: object, shared: bool
) -> tuple[uuid.UUID, bool]:
    """`set_shared`'s work: the item's id, and whether its sharing changed."""
    action = AuditAction.SHARE if shared else AuditAction.REVOKE
    clinician = items.parse_or_deny(owner_id, clinician_id, action)
    parsed, kind = items.owned(session, owner_id=owner_id, item_id=item_id, action=action)
    now = utcnow()
    if shared:
        changed = _share_under_active_link(
            session, owner_id=owner_id, item_id=parsed, kind=kind, clinician=clinician, now=now
        )
        if (
            not changed
            and run_prebuilt(session, _CLOSE_ORPHANED, item=parsed, clinician=clinician, now=now).rowcount
        ):
            # Only a share that outlived its link stood in the way (rare): share anew.
            changed = _share_under_active_link(
                session, owner_id=owner_id, item_id=parsed, kind=kind, clinician=clinician, now=now
            )
        if not changed:
            # Shared already, deleted meanwhile (refused as any deleted item), or not linked.
            items.owned(session, owner_id=owner_id, item_id=parsed, action=action)
            if not is_linked(session, client_id=owner_id, clinician_id=clinician):
                raise InvalidInput(N_("You can only share with a clinician you're connected to."))
        if changed and kind.answers_homework:
            run_prebuilt(
                session, _MARK_FIRST_RETURN, owner=owner_id, item=parsed, clinician=clinician, now=now
            )
    else:
        changed = run_prebuilt(session, _REVOKE_ONE, item=parsed, clinician=clinician, now=now).rowcount
    if changed:
        audit.record(
            session,
            actor_id=owner_id,
            action=action,
            outcome=AuditOutcome.ALLOWED,
            subject_id=owner_id,
            item_id=parsed,
        )
    return parsed, bool(changed)


SHARE_MANY_MAX = 200


def set_shared_many(
    session: Session, *, owner_id: uuid.UUID, item_ids: object, clinician_id: object, shared: bool
) -> int:
    """Share several of the owner's items with one clinician, or make them private, in one
    action and one unit of work: each is checked and audited like one (`set_shared`), and
    if any is refused, none changes. Returns how many changed (a walk-through made one
    shared and one private check-in private and read "2 check-ins made private")."""
    if (
        not isinstance(item_ids, list)
        or not 0 < len(item_ids) <= SHARE_MANY_MAX
        or not all(isinstance(item_id, str | uuid.UUID) for item_id in item_ids)
    ):
        raise InvalidInput(N_("Choose at least one, and at most 200, to share or make private."))
    return sum(
        _change_share(session, owner_id=owner_id, item_id=item_id, clinician_id=clinician_id, shared=shared)[
            1
        ]
        for item_id in dict.fromkeys(item_ids)
    )


def revoke_all(
    session: Session,
    *,
    owner_id: uuid.UUID,
    clinician_id: uuid.UUID | None = None,
    item_id: uuid.UUID | None = None,
    actor_id: uuid.UUID | None = None,
) -> list[uuid.UUID]:
    """Revoke every active share of the owner's items, narrowed to a clinician or an item.

    Each revoke is audited, as the owner's unless `actor_id` says who (a clinician ending
    the link). Returns the clinicians who lost access (for live updates).
    """
    # One statement, which finds the shares as it revokes them: a share made at the same
    # moment in another tab is either there to revoke, or made after (attack review: read
    # first, then revoked by id, a share written in between stayed while the client was told
    # everything was private).
    revoking = (
        update(ItemShare)
        .where(
            col(ItemShare.revoked_at).is_(None),
            col(ItemShare.item_id).in_(select(ClientItem.id).where(col(ClientItem.owner_id) == owner_id)),
        )
        .values(revoked_at=utcnow())
        .returning(col(ItemShare.item_id), col(ItemShare.clinician_id))
    )
    if clinician_id is not None:
        revoking = revoking.where(col(ItemShare.clinician_id) == clinician_id)
    if item_id is not None:
        revoking = revoking.where(col(ItemShare.item_id) == item_id)
    rows = session.exec(revoking).all()
    if not rows:
        return []
    audit.record_many(
        session,
        actor_id=actor_id or owner_id,
        action=AuditAction.REVOKE,
        subject_id=owner_id,
        item_ids=[r[0] for r in rows],
    )
    return sorted({r[1] for r in rows})


# --- what the owner sees of their shares ---------------------------------------------------

_LINKED_CLINICIANS = (
    select(User.id, User.display_name)
    .join(CareLink, col(CareLink.clinician_id) == User.id)
    .where(col(CareLink.client_id) == bindparam("owner_id"), col(CareLink.ended_at).is_(None))
    .order_by(col(CareLink.created_at))
)


def _owners_shares(*columns: Any) -> Any:
    """The owner's items among `item_ids`, each with its shares made under a link that is
    still active (revoked ones too: the caller says which)."""
    return (
        select(*columns)
        .join(ClientItem, col(ClientItem.id) == ItemShare.item_id)
        .join(CareLink, _share_link_active())
        .where(
            col(ClientItem.owner_id) == bindparam("owner_id"),
            col(ItemShare.item_id).in_(bindparam("item_ids", expanding=True)),
        )
    )


def _owners_live_shares(*columns: Any) -> Any:
    """The owner's items among `item_ids`, each with its shares that show now (the owner's
    view: not revoked, and the link they were made under still active)."""
    return _owners_shares(*columns).where(col(ItemShare.revoked_at).is_(None))


_LIVE_SHARES = _owners_live_shares(
    ItemShare.item_id,
    ItemShare.clinician_id,
    ItemShare.shared_at,
    ItemShare.first_seen_at,
    ClientItem.shared_changed_at,
)
# Per item and clinician, when they last saw it under the link active now, among its shares
# made private since: read from ix_item_share_seen_ended alone (one row per view that ended).
_SEEN_BEFORE = (
    _owners_shares(ItemShare.item_id, ItemShare.clinician_id, func.max(ItemShare.first_seen_at))
    .where(col(ItemShare.revoked_at).is_not(None), col(ItemShare.first_seen_at).is_not(None))
    .group_by(col(ItemShare.item_id), col(ItemShare.clinician_id))
)


def shares_of(
    session: Session, *, owner_id: uuid.UUID, item_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, list[Share]]:
    """For the owner: per item, one Share per linked clinician (shared or not, seen when,
    and changed since; not seen under the share of now, when they last saw it under an
    earlier one)."""
    ids = list(item_ids)
    clinicians = run_prebuilt(session, _LINKED_CLINICIANS, owner_id=owner_id).all()
    live: dict[tuple[uuid.UUID, uuid.UUID], tuple[datetime, datetime | None, datetime | None]] = {}
    seen_before: dict[tuple[uuid.UUID, uuid.UUID], datetime | None] = {}
    if ids and clinicians:
        live_shares = run_prebuilt(session, _LIVE_SHARES, owner_id=owner_id, item_ids=ids)
        for item_id, clinician_id, shared_at, seen_at, shared_changed_at in live_shares:
            changed = shared_changed_at if seen_at is not None and shared_changed_at > seen_at else None
            live[(item_id, clinician_id)] = (shared_at, seen_at, changed)
        ended = run_prebuilt(session, _SEEN_BEFORE, owner_id=owner_id, item_ids=ids)
        seen_before = {(item_id, clinician_id): seen_at for item_id, clinician_id, seen_at in ended}
    result: dict[uuid.UUID, list[Share]] = defaultdict(list)
    for item_id in ids:
        for clinician_id, name in clinicians:
            key = (item_id, clinician_id)
            shared_at, seen_at, changed = live.get(key, (None, None, None))
            before = seen_before.get(key) if seen_at is None else None  # (AUD-3: said, not hidden)
            result[item_id].append(Share(clinician_id, name, shared_at, seen_at, before, changed))
    return result


_AUDIENCE = (
    _owners_live_shares(
        ItemShare.item_id, User.display_name, ItemShare.first_seen_at, ClientItem.shared_changed_at
    )
    .join(User, col(User.id) == ItemShare.clinician_id)
    .order_by(col(CareLink.created_at))
)


def audience(
    session: Session, *, owner_id: uuid.UUID, item_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, list[tuple[str, bool]]]:
    """For the owner's lists: per item, the clinicians who can see it now, by name, and
    whether each has seen it as it is (not only before the owner's changes since)."""
    found: dict[uuid.UUID, list[tuple[str, bool]]] = defaultdict(list)
    for item_id, name, seen_at, shared_changed_at in run_prebuilt(
        session, _AUDIENCE, owner_id=owner_id, item_ids=list(item_ids)
    ):
        found[item_id].append((name, seen_at is not None and seen_at >= shared_changed_at))
    return found


def shared_with(
    session: Session, *, owner_id: uuid.UUID, item_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, list[str]]:
    """Per item, the names of the clinicians who can see it now."""
    found = audience(session, owner_id=owner_id, item_ids=item_ids)
    return {item_id: [name for name, _seen in who] for item_id, who in found.items()}


# --- what a clinician sees ------------------------------------------------------------------

_held_back: ContextVar[list[uuid.UUID] | None] = ContextVar("unseen_held_back", default=None)


@contextlib.contextmanager
def unseen_held_back() -> Iterator[list[uuid.UUID]]:
    """Within it (and the worker threads it starts), items shared with the clinician and never
    seen by them are left out of what is read, neither audited nor marked seen; their ids are
    added to the list it gives. For a page redrawn in a tab nobody may be looking at: a tab
    left open on a laptop told a client their entry was "Seen" the moment they shared it
    (walk-through)."""
    held: list[uuid.UUID] = []
    token = _held_back.set(held)
    try:
        yield held
    finally:
        _held_back.reset(token)


def holding_back() -> bool:
    """Whether this read is within `unseen_held_back` (a page redrawn by a push)."""
    return _held_back.get() is not None


def _shared_rows_query(kind: items.Kind, clinician_id: Any) -> Any:
    return _shared_rows(kind).params(viewer=clinician_id)


@functools.cache
def _shared_rows(kind: items.Kind) -> Any:
    """A kind's shared rows, built once per kind (the clinician is the `viewer` parameter)."""
    columns = [kind.column(name) for name in kind.shared_field_names]
    return visible_statement(
        (
            ClientItem.id,
            ClientItem.owner_id,
            ClientItem.created_at,
            ItemShare.id,
            ItemShare.shared_at,
            ItemShare.first_seen_at,
            ClientItem.shared_changed_at,
            *columns,
        )
    ).join(kind.table, kind.item_key == ClientItem.id)


def _still_shared(session: Session, rows: list[Any]) -> list[Any]:
    """The rows just read whose shares no revoke has ended since (a delete and the end of a
    link revoke every share in their own unit). One statement holds the shares for this unit
    and answers which are still active: a revoke either committed before (and its share is
    left out) or waits for this unit. So a view is never audited, marked seen or shown after
    a committed revoke (INPUT-6; attack review: the read, made before the unit's first write,
    let a revoke commit between it and the view's audit)."""
    share_ids = [row[3] for row in rows]
    held = (
        update(ItemShare)
        .where(col(ItemShare.id).in_(share_ids), col(ItemShare.revoked_at).is_(None))
        .values(shared_at=ItemShare.shared_at)  # written with itself: a hold, not a change
        .returning(col(ItemShare.id))
    )
    active = set(session.exec(held).scalars())
    return [row for row in rows if row[3] in active]


def _reveal(
    session: Session, *, clinician_id: uuid.UUID, kind: items.Kind, rows: list[Any]
) -> list[SharedItem]:
    """Audit and mark as seen every item whose content is about to reach the clinician, then
    decrypt only the fields the kind shows when shared (AUTHZ-8). In the caller's unit of
    work: if the audit can't be written, nothing is returned (AUD-2). Within
    `unseen_held_back`, the rows never seen are left out."""
    held_back = _held_back.get()
    if held_back is not None:
        held_back.extend(row[0] for row in rows if row[5] is None)
        rows = [row for row in rows if row[5] is not None]
    if not rows:
        return []
    rows = _still_shared(session, rows)
    if not rows:
        return []
    now = utcnow()
    # Never seen, or changed by its owner since it was: "Seen on …" is said of what the
    # clinician saw, so it moves on to now (the owner's page said it of words never seen);
    # but not for a tab nobody may be looking at (a push shows an edit on an open page):
    # there the owner is still told it changed after it was seen.
    unseen = [row[3] for row in rows if row[5] is None or (held_back is None and row[5] < row[6])]
    if unseen:
        session.exec(
            update(ItemShare)
            .where(
                col(ItemShare.id).in_(unseen),
                col(ItemShare.revoked_at).is_(None),
            )
            .values(first_seen_at=now)
        )
    for owner_id in {row[1] for row in rows}:
        audit.record_many(
            session,
            actor_id=clinician_id,
            action=AuditAction.VIEW_SHARED_ITEM,
            subject_id=owner_id,
            item_ids=[row[0] for row in rows if row[1] == owner_id],
        )
    keys = {owner_id: data_key(session, owner_id) for owner_id in {row[1] for row in rows}}
    names = kind.shared_field_names
    shown = []
    for item_id, owner_id, created_at, _share, shared_at, seen, changed_at, *blobs in rows:
        values = kind.open(keys[owner_id], str(item_id), dict(zip(names, blobs, strict=True)), names)
        shown.append(
            SharedItem(item_id, kind.name, owner_id, values, created_at, shared_at, seen is None, changed_at)
        )
    return shown


def list_shared(
    session: Session,
    *,
    clinician_id: uuid.UUID,
    client_id: object,
    kind: items.Kind,
    older: Cursor | None = None,
) -> Page[SharedItem]:
    """A page of the items of a kind this client shared with this clinician, newest first.

    Each item shown is audited and marked seen: a list shows their content.
    """
    query = _shared_by_client(session, clinician_id=clinician_id, client_id=client_id, kind=kind)
    if older is not None:
        query = query.where(items.older_than(*older))
    rows = session.exec(query.order_by(*items.newest_first()).limit(items.PAGE_SIZE + 1)).all()
    rows, following = items.split_page(rows, lambda row: (row[2], row[0]))
    return Page(_reveal(session, clinician_id=clinician_id, kind=kind, rows=rows), following)


def every_shared(
    session: Session,
    *,
    clinician_id: uuid.UUID,
    client_id: object | None,
    kind: items.Kind,
    since: datetime | None = None,
    or_shared_since: bool = False,
    excluding: Collection[uuid.UUID] = (),
) -> list[SharedItem]:
    """Every item of a kind this client (None: each linked client) shares with this
    clinician now (made `since`, if given, or shared since too if `or_shared_since`; not
    those `excluding`), newest first, for charts, in one query. Each one is audited and
    marked seen, like a list."""
    if client_id is None:  # a share shows only under its active link: every linked client
        query = _shared_rows_query(kind, clinician_id).where(col(ClientItem.kind) == kind.name)
    else:
        query = _shared_by_client(session, clinician_id=clinician_id, client_id=client_id, kind=kind)
    if since is not None:
        made = col(ClientItem.created_at) >= since
        query = query.where(made | (col(ItemShare.shared_at) >= since) if or_shared_since else made)
    if excluding:
        query = query.where(col(ClientItem.id).not_in(excluding))
    rows = session.exec(query.order_by(*items.newest_first())).all()
    return _reveal(session, clinician_id=clinician_id, kind=kind, rows=list(rows))


def _shared_by_client(
    session: Session, *, clinician_id: uuid.UUID, client_id: object, kind: items.Kind
) -> Any:
    """The query for a kind's items this client shares with this clinician now; a client
    who isn't linked (or a malformed id) is refused and audited."""
    client = items.parse_or_deny(clinician_id, client_id, AuditAction.VIEW_SHARED_LIST)
    if not is_linked(session, client_id=client, clinician_id=clinician_id):
        raise Denied(actor_id=clinician_id, action=AuditAction.VIEW_SHARED_LIST, subject_id=client)
    return _shared_rows_query(kind, clinician_id).where(
        col(ClientItem.owner_id) == client, col(ClientItem.kind) == kind.name
    )


def open_shared(
    session: Session, *, clinician_id: uuid.UUID, item_id: object, kind: items.Kind
) -> SharedItem:
    """One shared item for a clinician allowed to see it right now; audited, marked seen.

    Anything not visible gets the same refusal and a denied audit row (AUTHZ-3).
    """
    opened = open_shared_many(session, clinician_id=clinician_id, item_ids=[item_id], kind=kind)
    if not opened:  # never seen, and held back (`unseen_held_back`): not for this page now
        raise NotFound()
    return opened[0]


def open_shared_many(
    session: Session, *, clinician_id: uuid.UUID, item_ids: list[object], kind: items.Kind
) -> list[SharedItem]:
    """Several shared items at once (lists, charts): all visible, or Denied for the first that
    isn't. One audit row and one "seen" mark per item. (Within `unseen_held_back`, those never
    seen are left out.)"""
    parsed = [
        items.parse_or_deny(clinician_id, item_id, AuditAction.VIEW_SHARED_ITEM) for item_id in item_ids
    ]
    rows = _rows_among(session, clinician_id, parsed, kind)
    found = {row[0] for row in rows}
    for item_id in parsed:
        if item_id not in found:
            raise Denied(actor_id=clinician_id, action=AuditAction.VIEW_SHARED_ITEM, item_id=item_id)
    return _reveal(session, clinician_id=clinician_id, kind=kind, rows=rows)


def open_visible(
    session: Session, *, clinician_id: uuid.UUID, item_ids: list[uuid.UUID], kind: items.Kind
) -> list[SharedItem]:
    """Those of these items the clinician may see now, opened (audited, marked seen), in the
    order given; the others are left out, not refused. For ids that come from the owner's own
    data (an agenda's pins), never from the clinician."""
    return _reveal(
        session, clinician_id=clinician_id, kind=kind, rows=_rows_among(session, clinician_id, item_ids, kind)
    )


def _rows_among(session: Session, clinician_id: uuid.UUID, item_ids: list[uuid.UUID], kind: items.Kind):
    """The visible rows of a kind among these ids, in the order of the ids."""
    rows = session.exec(
        _shared_rows_query(kind, clinician_id).where(
            col(ClientItem.id).in_(item_ids), col(ClientItem.kind) == kind.name
        )
    ).all()
    order = {item_id: index for index, item_id in enumerate(item_ids)}
    return sorted(rows, key=lambda row: order[row[0]])

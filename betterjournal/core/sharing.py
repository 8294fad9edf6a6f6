"""Sharing, "seen" and revocation: one mechanism for every kind of client item.

The rule (AUTHZ-2), enforced inside the queries (AUTHZ-4): a clinician sees an item only
while an active link to its owner exists and an unrevoked share of that item to that
clinician exists, and the item is not deleted. Nothing here knows what an item holds;
each kind's module (journal.py, later check-ins, homework, agendas) decrypts its own
fields after `open_shared` has allowed, audited and marked the view.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam
from sqlmodel import Session, col, insert, select, update

from betterjournal.core import audit
from betterjournal.core.dates import when
from betterjournal.core.errors import InvalidInput, NotFound
from betterjournal.core.validation import parse_id
from betterjournal.db import run_prebuilt
from betterjournal.models import (
    AuditAction,
    AuditOutcome,
    CareLink,
    ClientItem,
    ItemKind,
    ItemShare,
    ShareStatus,
    User,
    utcnow,
)


def deny(
    session: Session, *, actor_id: uuid.UUID, action: AuditAction, item_id: uuid.UUID | None
) -> NotFound:
    """Audit a refused attempt in its own commit and return the one refusal to raise."""
    session.rollback()
    audit.record(session, actor_id=actor_id, action=action, outcome=AuditOutcome.DENIED, item_id=item_id)
    session.commit()
    return NotFound()


def owned_item(
    session: Session, *, owner_id: uuid.UUID, item_id: uuid.UUID, kind: ItemKind
) -> ClientItem | None:
    """The owner's live item of this kind, or None (someone else's, deleted, unknown)."""
    return session.exec(
        select(ClientItem).where(
            ClientItem.id == item_id,
            ClientItem.owner_id == owner_id,
            ClientItem.kind == kind,
            col(ClientItem.deleted_at).is_(None),
        )
    ).first()


def _active_link(client: Any, clinician: Any) -> Any:
    """Join condition: the client and clinician are linked now (the link hasn't ended)."""
    return (
        (col(CareLink.client_id) == client)
        & (col(CareLink.clinician_id) == clinician)
        & col(CareLink.ended_at).is_(None)
    )


def _active_share(item: Any, clinician: Any) -> Any:
    """Join condition: the item is shared with the clinician now (not revoked)."""
    return (
        (col(ItemShare.item_id) == item)
        & (col(ItemShare.clinician_id) == clinician)
        & col(ItemShare.revoked_at).is_(None)
    )


def visible_to(clinician_id: uuid.UUID, *also: Any) -> Any:
    """Select (ClientItem, ItemShare, *also) rows the clinician may read right now.

    `also` adds a kind's own table, for the caller to join on ClientItem.id.
    """
    return (
        select(ClientItem, ItemShare, *also)
        .join(ItemShare, _active_share(ClientItem.id, clinician_id))
        .join(CareLink, _active_link(ClientItem.owner_id, clinician_id))
        .where(col(ClientItem.deleted_at).is_(None))
    )


def visible_item_ids(session: Session, *, clinician_id: uuid.UUID) -> set[uuid.UUID]:
    return {item.id for item, _share in session.exec(visible_to(clinician_id))}  # type: ignore[misc]


def is_linked(session: Session, *, client_id: uuid.UUID, clinician_id: uuid.UUID) -> bool:
    return (
        session.exec(
            select(CareLink.id).where(
                CareLink.client_id == client_id,
                CareLink.clinician_id == clinician_id,
                col(CareLink.ended_at).is_(None),
            )
        ).first()
        is not None
    )


# The owner's live item, its active share to this clinician, and their active link.
_SHARE_STATE = (
    select(ClientItem.id, ItemShare.id, CareLink.id)
    .outerjoin(ItemShare, _active_share(ClientItem.id, bindparam("clinician_id")))
    .outerjoin(CareLink, _active_link(ClientItem.owner_id, bindparam("clinician_id")))
    .where(
        col(ClientItem.id) == bindparam("item_id"),
        col(ClientItem.owner_id) == bindparam("owner_id"),
        col(ClientItem.kind) == bindparam("kind"),
        col(ClientItem.deleted_at).is_(None),
    )
)
_INSERT_SHARE = insert(ItemShare)
_REVOKE_SHARE = (
    update(ItemShare).where(col(ItemShare.id) == bindparam("share_id")).values(revoked_at=bindparam("now"))
)


def set_shared(
    session: Session,
    *,
    owner_id: uuid.UUID,
    item_id: uuid.UUID | str,
    kind: ItemKind,
    clinician_id: uuid.UUID | str,
    shared: bool,
) -> list[ShareStatus]:
    """Share an item with one linked clinician, or revoke that share, with its audit row.

    Idempotent: sharing a shared item or revoking a private one changes nothing.
    The change and its audit row are one transaction (INPUT-6). Returns the item's
    share statuses afterwards, for the owner's view.
    """
    action = AuditAction.SHARE if shared else AuditAction.REVOKE
    item_id, clinician_id = parse_id(item_id), parse_id(clinician_id)
    row = run_prebuilt(
        session, _SHARE_STATE, item_id=item_id, owner_id=owner_id, kind=kind, clinician_id=clinician_id
    ).first()
    if row is None:
        raise deny(session, actor_id=owner_id, action=action, item_id=item_id)
    _item, active_share_id, link_id = row
    if shared and link_id is None:
        raise InvalidInput("You can only share with a clinician you're connected to.")
    if shared == (active_share_id is not None):
        return share_statuses(session, owner_id=owner_id, item_ids=[item_id])[item_id]
    now = utcnow()
    if shared:
        run_prebuilt(
            session, _INSERT_SHARE, id=uuid.uuid4(), item_id=item_id, clinician_id=clinician_id, shared_at=now
        )
    else:
        run_prebuilt(session, _REVOKE_SHARE, share_id=active_share_id, now=now)
    audit.record(
        session,
        actor_id=owner_id,
        action=action,
        outcome=AuditOutcome.ALLOWED,
        subject_id=owner_id,
        item_id=item_id,
    )
    return share_statuses(session, owner_id=owner_id, item_ids=[item_id])[item_id]


def revoke_all(
    session: Session,
    *,
    owner_id: uuid.UUID,
    clinician_id: uuid.UUID | None = None,
    item_id: uuid.UUID | None = None,
) -> int:
    """Revoke every active share of the owner's items, narrowed to a clinician or an item."""
    query = (
        select(ItemShare)
        .join(ClientItem, col(ClientItem.id) == ItemShare.item_id)
        .where(ClientItem.owner_id == owner_id, col(ItemShare.revoked_at).is_(None))
    )
    if clinician_id is not None:
        query = query.where(ItemShare.clinician_id == clinician_id)
    if item_id is not None:
        query = query.where(ItemShare.item_id == item_id)
    now = utcnow()
    count = 0
    for share in session.exec(query):
        share.revoked_at = now
        session.add(share)
        audit.record(
            session,
            actor_id=owner_id,
            action=AuditAction.REVOKE,
            outcome=AuditOutcome.ALLOWED,
            subject_id=owner_id,
            item_id=share.item_id,
        )
        count += 1
    return count


_LINKED_CLINICIANS = (
    select(User.id, User.display_name)
    .join(CareLink, col(CareLink.clinician_id) == User.id)
    .where(col(CareLink.client_id) == bindparam("owner_id"), col(CareLink.ended_at).is_(None))
    .order_by(col(CareLink.created_at))
)
_ACTIVE_SHARES = select(
    ItemShare.item_id, ItemShare.clinician_id, ItemShare.shared_at, ItemShare.first_seen_at
).where(
    col(ItemShare.item_id).in_(bindparam("item_ids", expanding=True)),
    col(ItemShare.revoked_at).is_(None),
)


def share_statuses(
    session: Session, *, owner_id: uuid.UUID, item_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, list[ShareStatus]]:
    """For the owner: per item, one status per linked clinician (shared or not, seen when)."""
    ids = list(item_ids)
    clinicians = run_prebuilt(session, _LINKED_CLINICIANS, owner_id=owner_id).all()
    active: dict[tuple[uuid.UUID, uuid.UUID], tuple[datetime, datetime | None]] = {}
    if ids and clinicians:
        for item_id, clinician_id, shared_at, first_seen_at in run_prebuilt(
            session, _ACTIVE_SHARES, item_ids=ids
        ):
            active[(item_id, clinician_id)] = (shared_at, first_seen_at)
    statuses: dict[uuid.UUID, list[ShareStatus]] = defaultdict(list)
    for item_id in ids:
        for clinician_id, name in clinicians:
            share = active.get((item_id, clinician_id))
            statuses[item_id].append(
                ShareStatus(
                    clinician_id=str(clinician_id),
                    clinician_name=name,
                    shared=share is not None,
                    shared_on=when(share[0]) if share else "",
                    seen_on=when(share[1]) if share else "",
                )
            )
    return statuses


_SHARED_WITH = (
    select(ItemShare.item_id, User.display_name)
    .join(User, col(User.id) == ItemShare.clinician_id)
    .join(CareLink, _active_link(bindparam("owner_id"), ItemShare.clinician_id))
    .where(
        col(ItemShare.item_id).in_(bindparam("item_ids", expanding=True)),
        col(ItemShare.revoked_at).is_(None),
    )
    .order_by(col(CareLink.created_at))
)


def shared_with(
    session: Session, *, owner_id: uuid.UUID, item_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, list[str]]:
    """For the owner's list: per item, the names of the linked clinicians it is shared with."""
    names: dict[uuid.UUID, list[str]] = defaultdict(list)
    for item_id, name in run_prebuilt(session, _SHARED_WITH, owner_id=owner_id, item_ids=list(item_ids)):
        names[item_id].append(name)
    return names


def open_shared(
    session: Session, *, clinician_id: uuid.UUID, item_id: object, kind: ItemKind
) -> tuple[ClientItem, ItemShare]:
    """Allow, audit and mark as seen one clinician view, committed before any content is read.

    Anything not visible gets the same NotFound and a denied audit row (AUTHZ-3). If the
    audit row cannot be written, the exception propagates and nothing is shown (AUD-2).
    """
    try:
        parsed = parse_id(item_id)
    except NotFound:
        raise deny(
            session, actor_id=clinician_id, action=AuditAction.VIEW_SHARED_ITEM, item_id=None
        ) from None
    row = session.exec(
        visible_to(clinician_id).where(col(ClientItem.id) == parsed, col(ClientItem.kind) == kind)
    ).first()
    if row is None:
        raise deny(session, actor_id=clinician_id, action=AuditAction.VIEW_SHARED_ITEM, item_id=parsed)
    item, share = row
    if share.first_seen_at is None:
        share.first_seen_at = utcnow()
        session.add(share)
    audit.record(
        session,
        actor_id=clinician_id,
        action=AuditAction.VIEW_SHARED_ITEM,
        outcome=AuditOutcome.ALLOWED,
        subject_id=item.owner_id,
        item_id=item.id,
    )
    session.commit()
    return item, share

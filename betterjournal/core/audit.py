"""The one audit function (AUD-1). Rows say who, whose, which item, what, outcome."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlmodel import Session, insert

from betterjournal.models import AuditAction, AuditEvent, AuditOutcome, utcnow

_INSERT = insert(AuditEvent)


def record_many(
    session: Session,
    *,
    actor_id: uuid.UUID | None,
    action: AuditAction,
    subject_id: uuid.UUID | None,
    item_ids: Sequence[uuid.UUID | None],
    outcome: AuditOutcome = AuditOutcome.ALLOWED,
) -> None:
    """One audit row per item, in one statement, in the caller's transaction: the rows
    commit (or fail) with it."""
    if not item_ids:
        return
    at = utcnow()
    session.flush()  # the unit's pending ORM changes first, on the same connection
    rows = [
        {"at": at, "actor_id": actor_id, "subject_id": subject_id, "item_id": item_id}
        | {"action": action, "outcome": outcome}
        for item_id in item_ids
    ]
    session.connection().execute(_INSERT, rows)


def record(
    session: Session,
    *,
    actor_id: uuid.UUID | None,
    action: AuditAction,
    outcome: AuditOutcome,
    subject_id: uuid.UUID | None = None,
    item_id: uuid.UUID | None = None,
) -> None:
    """One audit row (about one item, or none), in the caller's transaction."""
    record_many(
        session, actor_id=actor_id, action=action, subject_id=subject_id, item_ids=[item_id], outcome=outcome
    )

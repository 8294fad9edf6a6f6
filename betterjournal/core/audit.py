"""The one audit function (AUD-1). Rows say who, whose, which item, what, outcome."""

from __future__ import annotations

import uuid

from sqlmodel import Session, insert

from betterjournal.db import run_prebuilt
from betterjournal.models import AuditAction, AuditEvent, AuditOutcome, utcnow

_INSERT = insert(AuditEvent)


def record(
    session: Session,
    *,
    actor_id: uuid.UUID | None,
    action: AuditAction,
    outcome: AuditOutcome,
    subject_id: uuid.UUID | None = None,
    item_id: uuid.UUID | None = None,
) -> None:
    """Write an audit row in the caller's transaction; it commits (or fails) with it."""
    run_prebuilt(
        session,
        _INSERT,
        at=utcnow(),
        actor_id=actor_id,
        subject_id=subject_id,
        item_id=item_id,
        action=action,
        outcome=outcome,
    )


def record_many(
    session: Session,
    *,
    actor_id: uuid.UUID | None,
    action: AuditAction,
    subject_id: uuid.UUID | None,
    item_ids: list[uuid.UUID],
    outcome: AuditOutcome = AuditOutcome.ALLOWED,
) -> None:
    """One audit row per item, in one statement, in the caller's transaction."""
    if not item_ids:
        return
    at = utcnow()
    session.flush()
    session.connection().execute(
        _INSERT,
        [
            {
                "at": at,
                "actor_id": actor_id,
                "subject_id": subject_id,
                "item_id": item_id,
                "action": action,
                "outcome": outcome,
            }
            for item_id in item_ids
        ],
    )

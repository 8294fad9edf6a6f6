"""The one audit function (AUD-1). Rows say who, whose, which item, what, outcome.

The log is append-only and tamper-evident (AUD-4): triggers refuse to delete a row or to
change one (migration 0014), and every row is chained, in id order, to the one before:
`chain` = SHA-256 of the previous row's chain and this row's values. The chain is set by
`seal`, which the app runs every few seconds (scheduler.py), not by the writer: writers
never wait on each other for the previous row. `verify` (`betterjournal audit-verify`)
recomputes the chain and names the first row that doesn't match it.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import bindparam, update
from sqlmodel import Session, col, insert, select

from betterjournal.models import Assignment, AuditAction, AuditEvent, AuditOutcome, ClientItem, utcnow

if TYPE_CHECKING:
    from betterjournal.core.errors import Denied

_INSERT = insert(AuditEvent)
GENESIS = "0" * 64  # the chain before the first row
# A row is sealed once this old: a writer whose transaction took an id before another's
# (PostgreSQL's sequences) has committed by then, so no row is ever sealed out of order.
SEAL_AFTER = timedelta(seconds=2)
SEAL_BATCH = 5_000
_SET_CHAIN = (
    update(AuditEvent)
    .where(col(AuditEvent.id) == bindparam("row_id"), col(AuditEvent.chain).is_(None))
    .values(chain=bindparam("sealed"))
)


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


def owner_of(session: Session, item_id: uuid.UUID | None) -> uuid.UUID | None:
    """Whose record an item's id names, for a refusal's row: a client's item (of any kind,
    deleted or not) or an assignment given to a client; None when it names nothing."""
    if item_id is None:
        return None
    owner = session.exec(select(ClientItem.owner_id).where(col(ClientItem.id) == item_id)).first()
    if owner is None:
        owner = session.exec(select(Assignment.client_id).where(col(Assignment.id) == item_id)).first()
    return owner


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


def record_denial(session: Session, denial: Denied) -> None:
    """The refused attempt `denial` names, in the caller's transaction (the work it refused
    already rolled back: `db.session_scope`, or a savepoint of the caller's)."""
    record(
        session,
        actor_id=denial.actor_id,
        action=AuditAction(denial.action),
        outcome=AuditOutcome.DENIED,
        subject_id=denial.subject_id or owner_of(session, denial.item_id),
        item_id=denial.item_id,
    )


def _link(previous: str, row: AuditEvent) -> str:
    values = (row.id, row.at.isoformat(), row.actor_id, row.subject_id, row.item_id, row.action, row.outcome)
    return hashlib.sha256("|".join([previous, *map(str, values)]).encode()).hexdigest()


def _last_chain(session: Session) -> str:
    last = session.exec(
        select(AuditEvent.chain).where(col(AuditEvent.chain).is_not(None)).order_by(col(AuditEvent.id).desc())
    ).first()
    return last or GENESIS


def seal(session: Session) -> int:
    """Chain the rows not sealed yet (up to SEAL_BATCH, oldest first); how many. Two
    sealers at once compute the same values, and each row is only ever set once."""
    rows = session.exec(
        select(AuditEvent)
        .where(col(AuditEvent.chain).is_(None), col(AuditEvent.at) <= utcnow() - SEAL_AFTER)
        .order_by(col(AuditEvent.id))
        .limit(SEAL_BATCH)
    ).all()
    if not rows:
        return 0
    previous, sealed = _last_chain(session), []
    for row in rows:
        previous = _link(previous, row)
        sealed.append({"row_id": row.id, "sealed": previous})
    session.expunge_all()  # the rows were read only to be hashed: the statement sets them
    session.connection().execute(_SET_CHAIN, sealed)
    return len(sealed)


@dataclass(frozen=True)
class Verdict:
    checked: int  # sealed rows whose chain was recomputed
    waiting: int  # the newest rows, not sealed yet
    broken_at: int | None  # the id of the first row that doesn't match, if any


def verify(session: Session, *, batch: int = 5_000) -> Verdict:
    """Recompute the chain from the first row: the first row whose chain doesn't match (a
    row changed, removed or inserted since it was sealed), or a sealed row after one not
    sealed yet, is where the log was altered."""
    previous, checked, waiting, after = GENESIS, 0, 0, 0
    while True:
        rows = session.exec(
            select(AuditEvent).where(col(AuditEvent.id) > after).order_by(col(AuditEvent.id)).limit(batch)
        ).all()
        if not rows:
            return Verdict(checked, waiting, None)
        for row in rows:
            if row.chain is None:
                waiting += 1
            elif waiting or row.chain != _link(previous, row):
                return Verdict(checked, waiting, row.id)
            else:
                previous, checked = row.chain, checked + 1
        after = rows[-1].id or 0
        session.expunge_all()

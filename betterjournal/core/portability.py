"""A client's own data: everything they have, in one file to take with them (PRIV-1), and
their account deleted with everything in it (PRIV-3).

`everything` reads, decrypts and returns all of it as plain data (the edge makes the
files, in memory: betterjournal/export_files.py); the export is audited item by item
(AUD-1). `erase` checks the password again, then deletes the person's row: the database
removes every row that is theirs with it (each table's foreign key cascades), their data
key included, so nothing they wrote can be opened again. The audit log keeps its rows
(ids only, never content) and one more: the erasure.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, delete, select

from betterjournal.core import audit, checkins, credentials, drafts, items, reminders, sharing
from betterjournal.core.errors import Denied
from betterjournal.models import AccessRequest, AuditAction, CareLink, Role, User, utcnow

EXPORT_FORMAT = "betterjournal-export/1"


def _when(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _client(session: Session, client_id: uuid.UUID, action: AuditAction) -> User:
    user = session.get(User, client_id)
    if user is None or user.role != Role.CLIENT:
        raise Denied(actor_id=client_id, action=action)
    return user


def everything(session: Session, *, client_id: uuid.UUID) -> dict[str, Any]:
    """All a client has, decrypted, as plain data (JSON-ready: text, numbers, ISO 8601 UTC
    times); one EXPORT audit row per item in it."""
    user = _client(session, client_id, AuditAction.EXPORT)
    by_kind: dict[str, list[dict[str, Any]]] = {}
    exported: list[uuid.UUID] = []
    for kind in items.registered():
        own = items.every_own(session, owner_id=client_id, kind=kind)
        if not own:
            continue
        names = sharing.shared_with(session, owner_id=client_id, item_ids=[item.id for item in own])
        by_kind[kind.name] = [
            {
                "id": str(item.id),
                "created_at": _when(item.created_at),
                "updated_at": _when(item.updated_at),
                "fields": item.fields,
                "shared_with_now": sorted(names.get(item.id, [])),
            }
            for item in own
        ]
        exported += [item.id for item in own]
    links = session.exec(
        select(User.display_name, CareLink.created_at, CareLink.ended_at)
        .join(User, col(User.id) == CareLink.clinician_id)
        .where(col(CareLink.client_id) == client_id)
        .order_by(col(CareLink.created_at))
    ).all()
    plan = reminders.preferences(session, user_id=client_id)
    data = {
        "format": EXPORT_FORMAT,
        "exported_at": _when(utcnow()),
        "account": {
            "name": user.display_name,
            "email": user.email,
            "language": user.language,
            "time_zone": user.time_zone,
            "created_at": _when(user.created_at),
        },
        "care_team": [
            {"clinician": name, "linked_at": _when(linked), "ended_at": _when(ended)}
            for name, linked, ended in links
        ],
        "items": by_kind,
        "drafts": [
            {"item_id": str(d.item_id), "kind": d.kind, "fields": d.fields, "updated_at": _when(d.updated_at)}
            for d in drafts.every_draft(session, owner_id=client_id)
        ],
        "check_in_tags": [tag.name for tag in checkins.tags_of(session, owner_id=client_id)],
        "check_in_scales": [
            {"name": scale.name, "private": scale.private}
            for scale in checkins.scales_of(session, client_id=client_id, viewer_id=client_id)
        ],
        "reminders": {
            "check_in": _schedule(plan.check_in),
            "journal": _schedule(plan.journal),
            "homework": _schedule(plan.homework),
            "quiet_hours": [t.strftime("%H:%M") for t in plan.quiet] if plan.quiet else None,
        },
    }
    audit.record_many(
        session,
        actor_id=client_id,
        action=AuditAction.EXPORT,
        subject_id=client_id,
        item_ids=exported or [None],
    )
    return data


def _schedule(schedule: reminders.Schedule) -> dict[str, Any]:
    return {"on": schedule.on, "days": sorted(schedule.days), "at": schedule.at.strftime("%H:%M")}


def erase(session: Session, *, client_id: uuid.UUID, password: object, code: object) -> list[uuid.UUID]:
    """Delete a client's account and everything in it, once their password (and a code,
    with two-step sign-in on) is checked again, as for every change to an account
    (credentials.reauthenticate: InvalidInput or TooManyAttempts, and nothing is deleted).
    Returns the clinicians who could see something of theirs, whose open pages must drop it."""
    _client(session, client_id, AuditAction.ERASE)
    user = credentials.reauthenticate(session, client_id, password=password, code=code)
    linked = select(CareLink.clinician_id).where(col(CareLink.client_id) == client_id).distinct()
    clinicians = list(session.exec(linked).all())
    session.exec(delete(AccessRequest).where(col(AccessRequest.email) == user.email))
    session.exec(delete(User).where(col(User.id) == client_id))
    audit.record_many(
        session, actor_id=client_id, action=AuditAction.ERASE, subject_id=client_id, item_ids=[None]
    )
    return clinicians

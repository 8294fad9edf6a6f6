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

from sqlmodel import Session, col, delete, or_, select

from betterjournal import keystore
from betterjournal.core import audit, checkins, credentials, drafts, items, reminders, sharing
from betterjournal.core.accounts import data_key
from betterjournal.core.errors import Denied
from betterjournal.crypto import sha256_hex
from betterjournal.db import take_turns
from betterjournal.models import (
    AccessRequest,
    Appointment,
    Assignment,
    AuditAction,
    AuditOutcome,
    CareLink,
    ClientItem,
    ItemShare,
    LoginFailure,
    OwnItem,
    Role,
    User,
    utcnow,
)

EXPORT_FORMAT = "betterjournal-export/1"


def _felt_at(item: OwnItem) -> datetime:
    """When a check-in was for ("I forgot yesterday": typed in today); else when it was made."""
    found = checkins.reading(item.id, item.fields)
    return found.felt_at if found is not None else item.created_at


def _when(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _client(session: Session, client_id: uuid.UUID, action: AuditAction) -> User:
    user = session.get(User, client_id)
    if user is None or user.role != Role.CLIENT:
        raise Denied(actor_id=client_id, action=action, subject_id=client_id)
    return user


def everything(session: Session, *, client_id: uuid.UUID) -> dict[str, Any]:
    """All a client has, decrypted, as plain data (JSON-ready: text, numbers, ISO 8601 UTC
    times); one EXPORT audit row per item in it."""
    user = _client(session, client_id, AuditAction.EXPORT)
    by_kind: dict[str, list[dict[str, Any]]] = {}
    exported: list[uuid.UUID] = []
    seen = _seen_by(session, client_id)
    for kind in items.registered():
        own = items.every_own(session, owner_id=client_id, kind=kind)
        if not own:
            continue
        if kind is checkins.KIND:  # by the time each is about, not when it was typed in
            own.sort(key=_felt_at, reverse=True)
        names = sharing.shared_with(session, owner_id=client_id, item_ids=[item.id for item in own])
        by_kind[kind.name] = [
            {
                "id": str(item.id),
                "created_at": _when(item.created_at),
                "updated_at": _when(item.updated_at),
                "fields": item.fields,
                "shared_with_now": sorted(names.get(item.id, [])),
                "seen": seen.get(item.id, []),
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
            {
                "item_id": str(d.item_id),
                "kind": d.kind,
                "fields": d.fields,
                "updated_at": _when(d.updated_at),
                # kept apart from the words written for that item in another tab or device
                "copy_of": str(d.copy_of) if d.copy_of else None,
            }
            for d in drafts.every_draft(session, owner_id=client_id)
        ],
        "check_in_tags": [
            {"id": tag.id, "name": tag.name} for tag in checkins.tags_of(session, owner_id=client_id)
        ],
        "check_in_scales": [
            {"id": scale.id, "name": scale.name, "private": scale.private}
            for scale in checkins.scales_of(session, client_id=client_id, viewer_id=client_id)
        ],
        "homework_assigned": _assignments(session, client_id),
        "appointments": [
            {"clinician": name, "starts_at": _when(starts), "held_at": _when(held)}
            for name, starts, held in session.exec(
                select(User.display_name, Appointment.starts_at, Appointment.held_at)
                .join(User, col(User.id) == Appointment.clinician_id)
                .where(col(Appointment.client_id) == client_id)
                .order_by(col(Appointment.created_at))
            ).all()
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


def _seen_by(session: Session, client_id: uuid.UUID) -> dict[uuid.UUID, list[dict[str, Any]]]:
    """Per item: who first saw it when (AUD-3), shares revoked since included."""
    rows = session.exec(
        select(ItemShare.item_id, User.display_name, ItemShare.first_seen_at)
        .join(User, col(User.id) == ItemShare.clinician_id)
        .join(ClientItem, col(ClientItem.id) == ItemShare.item_id)
        .where(col(ClientItem.owner_id) == client_id, col(ItemShare.first_seen_at).is_not(None))
        .order_by(col(ItemShare.first_seen_at))
    ).all()
    seen: dict[uuid.UUID, list[dict[str, Any]]] = {}
    for item_id, name, at in rows:
        seen.setdefault(item_id, []).append({"clinician": name, "first_seen_at": _when(at)})
    return seen


def _assignments(session: Session, client_id: uuid.UUID) -> list[dict[str, Any]]:
    """The homework clinicians gave the client: the worksheet, instructions, note and
    comment (sealed under the client's key), due date, and the answer's item id."""
    rows = session.exec(
        select(Assignment, User.display_name)
        .join(User, col(User.id) == Assignment.clinician_id)
        .where(col(Assignment.client_id) == client_id)
        .order_by(col(Assignment.created_at))
    ).all()
    if not rows:
        return []
    key = data_key(session, client_id)
    return [
        {
            "id": str(row.id),
            "from": name,
            "assigned_at": _when(row.created_at),
            "due_on": row.due_on.isoformat() if row.due_on else None,
            "withdrawn_at": _when(row.withdrawn_at),
            "worksheet": key.open_field(Assignment.worksheet_ct, row.id, row.worksheet_ct),
            "instructions": key.open_field(Assignment.instructions_ct, row.id, row.instructions_ct),
            "note": key.open_field(Assignment.note_ct, row.id, row.note_ct),
            "comment": key.open_field(Assignment.comment_ct, row.id, row.comment_ct),
            "answer_id": str(row.response_id) if row.response_id else None,
        }
        for row, name in rows
    ]


def _schedule(schedule: reminders.Schedule) -> dict[str, Any]:
    return {"on": schedule.on, "days": sorted(schedule.days), "at": schedule.at.strftime("%H:%M")}


def remove_account(session: Session, user: User) -> None:
    """Delete an account and every row about it (its items, shares, drafts, sessions and
    waiting emails go with it through their foreign keys); once that is committed, destroy
    its data key (crypto-shredding, CRYPTO-6), so no copy of its data (a backup, a stale
    page in a file) can be opened again."""
    session.exec(delete(AccessRequest).where(col(AccessRequest.email) == user.email))
    # Throttling rows that name the person: by their id, in either spelling (re-authentications,
    # codes, invitation codes), or by their address's digest, whole or its first half (sign-in
    # failures, reset links). An attack review found the latter two left behind.
    marks = (str(user.id), user.id.hex, sha256_hex(user.email)[:32])
    session.exec(delete(LoginFailure).where(or_(*(col(LoginFailure.scope).contains(mark) for mark in marks))))
    session.exec(delete(User).where(col(User.id) == user.id))
    keystore.destroy_when_committed(session, user.id)


def erase(session: Session, *, client_id: uuid.UUID, password: object, code: object) -> list[uuid.UUID]:
    """Delete a client's account and everything in it, once their password (and a code,
    with two-step sign-in on) is checked again, as for every change to an account
    (credentials.reauthenticate: InvalidInput or TooManyAttempts, and nothing is deleted).
    Returns the clinicians who could see something of theirs, whose open pages must drop it."""
    _client(session, client_id, AuditAction.ERASE)
    user = credentials.reauthenticate(session, client_id, password=password, code=code)
    # The attempt was counted and committed (credentials.counted). Several tabs asking at
    # once now take turns: one deletes the account, the next finds nobody (an attack review
    # had four deletions of one account on record).
    if take_turns(session, User, col(User.id) == client_id) == 0:
        raise Denied(actor_id=client_id, action=AuditAction.ERASE, subject_id=client_id)
    linked = select(CareLink.clinician_id).where(col(CareLink.client_id) == client_id).distinct()
    clinicians = list(session.exec(linked).all())
    remove_account(session, user)
    audit.record(
        session,
        actor_id=client_id,
        action=AuditAction.ERASE,
        outcome=AuditOutcome.ALLOWED,
        subject_id=client_id,
    )
    return clinicians

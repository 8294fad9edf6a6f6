"""Appointments: a clinician plans a client's next session and marks a session held.

Held sessions divide time into windows: "since last session" runs from the last held
session to now; the one before it is what the previous agenda was for. A window is named
by the held appointment that opened it, or "first" before any session was held (that name
keys the client's agenda for it, core/agenda.py).

Times are kept in UTC, in plaintext like every timestamp (docs/data-inventory.md), and
shown in each reader's own time zone. Only a clinician linked to the client plans or
holds their sessions; anything else is refused and audited.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from betterjournal.core import audit, items, sharing
from betterjournal.core.errors import Denied, InvalidInput
from betterjournal.i18n import N_
from betterjournal.models import Appointment, AuditAction, AuditOutcome, utcnow

FIRST = "first"  # the window before any session was held
AHEAD = timedelta(days=366)  # the furthest ahead a session can be planned
BEHIND = timedelta(hours=12)  # a session planned for earlier today (entered late) is fine
NO_SESSION_YET = timedelta(days=14)  # "since last session" before any was held: two weeks


def _linked_client(session: Session, clinician_id: uuid.UUID, client_id: object) -> uuid.UUID:
    client = items.parse_or_deny(clinician_id, client_id, AuditAction.SCHEDULE)
    if not sharing.is_linked(session, client_id=client, clinician_id=clinician_id):
        raise Denied(actor_id=clinician_id, action=AuditAction.SCHEDULE)
    return client


def clean_starts_at(day: object, at: object, zone: ZoneInfo, now: datetime) -> datetime:
    """A planned session's moment from the date and time typed in the clinician's zone
    ('2026-12-14', '10:00'), in UTC: today or later, within a year."""
    if not isinstance(day, str) or not isinstance(at, str):
        raise InvalidInput(N_("Choose a date and a time for the session."))
    try:
        moment = datetime.combine(date.fromisoformat(day.strip()), time.fromisoformat(at.strip()), zone)
    except ValueError:
        raise InvalidInput(N_("Choose a date and a time for the session.")) from None
    if moment < now - BEHIND:
        raise InvalidInput(N_("That date has passed. Choose a date from today on."))
    if moment > now + AHEAD:
        raise InvalidInput(N_("Choose a date within the next year."))
    return moment.astimezone(ZoneInfo("UTC"))


def _planned(session: Session, clinician_id: uuid.UUID, client_id: uuid.UUID) -> Appointment | None:
    return session.exec(
        select(Appointment).where(
            col(Appointment.clinician_id) == clinician_id,
            col(Appointment.client_id) == client_id,
            col(Appointment.held_at).is_(None),
        )
    ).first()


def _audit(session: Session, clinician_id: uuid.UUID, client_id: uuid.UUID, item_id: uuid.UUID) -> None:
    audit.record(
        session,
        actor_id=clinician_id,
        action=AuditAction.SCHEDULE,
        outcome=AuditOutcome.ALLOWED,
        subject_id=client_id,
        item_id=item_id,
    )


def plan(
    session: Session, *, clinician_id: uuid.UUID, client_id: object, day: object, at: object, zone: ZoneInfo
) -> uuid.UUID:
    """Set (or move) the client's next session with this clinician. Returns the client."""
    client = _linked_client(session, clinician_id, client_id)
    starts_at = clean_starts_at(day, at, zone, utcnow())
    planned = _planned(session, clinician_id, client)
    if planned is None:
        planned = Appointment(clinician_id=clinician_id, client_id=client, starts_at=starts_at)
        session.add(planned)
    else:
        planned.starts_at = starts_at
    session.flush()
    _audit(session, clinician_id, client, planned.id)
    return client


def unplan(session: Session, *, clinician_id: uuid.UUID, client_id: object) -> uuid.UUID:
    """Clear the client's next session with this clinician (nothing planned). Returns the client."""
    client = _linked_client(session, clinician_id, client_id)
    planned = _planned(session, clinician_id, client)
    if planned is not None:
        _audit(session, clinician_id, client, planned.id)
        session.delete(planned)
    return client


def mark_held(session: Session, *, clinician_id: uuid.UUID, client_id: object) -> uuid.UUID:
    """The session took place now: the planned one (or an unplanned one) is held, and a
    new window starts. Returns the client."""
    client = _linked_client(session, clinician_id, client_id)
    held = _planned(session, clinician_id, client)
    now = utcnow()
    if held is None:
        held = Appointment(clinician_id=clinician_id, client_id=client, held_at=now)
        session.add(held)
    else:
        held.held_at = now
    session.flush()
    _audit(session, clinician_id, client, held.id)
    return client


@dataclass(frozen=True)
class Window:
    """Where a client and a clinician stand: the window since the last held session (its
    key and start), the one before it, and the next planned session, if any."""

    clinician_id: uuid.UUID
    key: str
    start: datetime | None  # the last held session; None: none yet
    previous_key: str | None  # None: there was no window before this one
    previous_start: datetime | None
    next_at: datetime | None

    def since(self, now: datetime) -> datetime:
        """Where "since last session" starts: the last held session, or two weeks ago."""
        return self.start if self.start is not None else now - NO_SESSION_YET


def _window(clinician_id: uuid.UUID, held: list[Appointment], planned: datetime | None) -> Window:
    """From the pair's held sessions, newest first (the last two are enough)."""
    if not held:
        return Window(clinician_id, FIRST, None, None, None, planned)
    previous_key = str(held[1].id) if len(held) > 1 else FIRST
    previous_start = held[1].held_at if len(held) > 1 else None
    return Window(clinician_id, str(held[0].id), held[0].held_at, previous_key, previous_start, planned)


def window(session: Session, *, client_id: uuid.UUID, clinician_id: uuid.UUID) -> Window:
    """The window a client and a clinician are in now (their link is checked by callers)."""
    held = session.exec(
        select(Appointment)
        .where(
            col(Appointment.clinician_id) == clinician_id,
            col(Appointment.client_id) == client_id,
            col(Appointment.held_at).is_not(None),
        )
        .order_by(col(Appointment.held_at).desc())
        .limit(2)
    ).all()
    planned = _planned(session, clinician_id, client_id)
    return _window(clinician_id, list(held), planned.starts_at if planned else None)


def windows(
    session: Session, *, clinician_id: uuid.UUID | None = None, client_id: uuid.UUID | None = None
) -> list[tuple[uuid.UUID, Window]]:
    """Every pair's window for one clinician's caseload, or for one client's clinicians, in
    two queries whatever the number of pairs: (the other person's id, window)."""
    mine = (
        col(Appointment.clinician_id) == clinician_id
        if clinician_id is not None
        else col(Appointment.client_id) == client_id
    )
    later = aliased(Appointment)
    # Each pair's last two held sessions: those with fewer than two held after them.
    held_after = (
        select(func.count())
        .where(
            later.clinician_id == Appointment.clinician_id,
            later.client_id == Appointment.client_id,
            col(later.held_at) > Appointment.held_at,
        )
        .correlate(Appointment)
        .scalar_subquery()
    )
    held = session.exec(
        select(Appointment)
        .where(mine, col(Appointment.held_at).is_not(None), held_after < 2)
        .order_by(col(Appointment.held_at).desc())
    ).all()
    planned = session.exec(select(Appointment).where(mine, col(Appointment.held_at).is_(None))).all()
    pairs: dict[tuple[uuid.UUID, uuid.UUID], list[Appointment]] = {}
    for row in held:
        pairs.setdefault((row.clinician_id, row.client_id), []).append(row)
    next_at = {(row.clinician_id, row.client_id): row.starts_at for row in planned}
    found = []
    for pair in set(pairs) | set(next_at):
        other = pair[1] if clinician_id is not None else pair[0]
        found.append((other, _window(pair[0], pairs.get(pair, []), next_at.get(pair))))
    return found


def client_windows(
    session: Session, *, client_id: uuid.UUID, clinician_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, Window]:
    """The client's window with each of these (linked) clinicians, in two queries."""
    found = dict(windows(session, client_id=client_id))
    return {
        clinician: found.get(clinician, Window(clinician, FIRST, None, None, None, None))
        for clinician in clinician_ids
    }

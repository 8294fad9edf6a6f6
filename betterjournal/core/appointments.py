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
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, exc, func, update
from sqlmodel import Session, col, select

from betterjournal.core import audit, items
from betterjournal.core.errors import Denied, InvalidInput
from betterjournal.db import IdText, run_prebuilt, take_turns
from betterjournal.i18n import N_
from betterjournal.models import Appointment, AuditAction, AuditOutcome, CareLink, utcnow
from betterjournal.settings import get_settings

FIRST = "first"  # the window before any session was held
AHEAD = timedelta(days=366)  # the furthest ahead a session can be planned
BEHIND = timedelta(hours=12)  # a session planned for earlier today (entered late) is fine
NO_SESSION_YET = timedelta(days=14)  # "since last session" before any was held: two weeks


def _linked_client(session: Session, clinician_id: uuid.UUID, client_id: object) -> uuid.UUID:
    """The client, if linked to this clinician (else refused and audited); the pair's
    sessions are this unit's until it ends (two tabs planning, holding or clearing at
    once take turns on the pair's active link)."""
    client = items.parse_or_deny(clinician_id, client_id, AuditAction.SCHEDULE)
    active_link = (
        col(CareLink.clinician_id) == clinician_id,
        col(CareLink.client_id) == client,
        col(CareLink.ended_at).is_(None),
    )
    if take_turns(session, CareLink, *active_link) != 1:
        raise Denied(actor_id=clinician_id, action=AuditAction.SCHEDULE, subject_id=client)
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


def _pair(*conditions: Any) -> Any:
    return select(Appointment).where(
        col(Appointment.clinician_id) == bindparam("clinician"),
        col(Appointment.client_id) == bindparam("client"),
        *conditions,
    )


_PLANNED = _pair(col(Appointment.held_at).is_(None))
_LAST_TWO_HELD = (
    select(Appointment.id, Appointment.held_at)
    .where(
        col(Appointment.clinician_id) == bindparam("clinician"),
        col(Appointment.client_id) == bindparam("client"),
        col(Appointment.held_at).is_not(None),
    )
    .order_by(col(Appointment.held_at).desc())
    .limit(2)
)


def _planned(session: Session, clinician_id: uuid.UUID, client_id: uuid.UUID) -> Appointment | None:
    return session.exec(_PLANNED.params(clinician=clinician_id, client=client_id)).first()


def _audit(session: Session, clinician_id: uuid.UUID, client_id: uuid.UUID, item_id: uuid.UUID) -> None:
    audit.record(
        session,
        actor_id=clinician_id,
        action=AuditAction.SCHEDULE,
        outcome=AuditOutcome.ALLOWED,
        subject_id=client_id,
        item_id=item_id,
    )


def _ensure_planned(session: Session, clinician_id: uuid.UUID, client_id: uuid.UUID) -> Appointment:
    """The pair's planned (not held) session, made now (unplanned) if there is none. Two
    tabs making it at once make one: the unique index of planned sessions refuses the
    second, which reads the first's."""
    planned = _planned(session, clinician_id, client_id)
    if planned is not None:
        return planned
    try:
        with session.begin_nested():
            planned = Appointment(clinician_id=clinician_id, client_id=client_id)
            session.add(planned)
    except exc.IntegrityError:
        planned = _planned(session, clinician_id, client_id)
    assert planned is not None
    return planned


def plan(
    session: Session, *, clinician_id: uuid.UUID, client_id: object, day: object, at: object, zone: ZoneInfo
) -> uuid.UUID:
    """Set (or move) the client's next session with this clinician. Returns the client."""
    client = _linked_client(session, clinician_id, client_id)
    starts_at = clean_starts_at(day, at, zone, utcnow())
    planned = _ensure_planned(session, clinician_id, client)
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


HELD_AGAIN = timedelta(minutes=10)  # marking held again this soon is a second tap, not a session
_HOLD = (
    update(Appointment)
    .where(
        col(Appointment.id) == bindparam("appointment"),
        col(Appointment.held_at).is_(None),
    )
    .values(held_at=bindparam("now"))
)


def mark_held(
    session: Session, *, clinician_id: uuid.UUID, client_id: object, zone: ZoneInfo | None = None
) -> uuid.UUID:
    """The session took place now: the planned one (or an unplanned one) is held, and a
    new window starts. Returns the client. A session planned for a later day (in the
    clinician's time zone, `zone`) is the next one, not this one: it stays planned, and
    today's is held unplanned. A second tap (another tab, or within minutes of the last)
    holds nothing more: it would make an empty window. Taps from several tabs at once
    take turns (the pair's lock), so exactly one holds."""
    client = _linked_client(session, clinician_id, client_id)
    now = utcnow()
    planned = _planned(session, clinician_id, client)
    planned_at = planned.starts_at if planned is not None else None
    zone = zone or ZoneInfo(get_settings().time_zone)
    last = run_prebuilt(session, _LAST_TWO_HELD, clinician=clinician_id, client=client).first()
    if held_moments_ago(last.held_at if last is not None else None, planned_at, now, zone):
        raise InvalidInput(N_("This session is marked held already."))
    next_one = planned_at is not None and _on_a_later_day(planned_at, now, zone)
    if next_one:
        held = Appointment(clinician_id=clinician_id, client_id=client, held_at=now)
        session.add(held)
        session.flush()
        _audit(session, clinician_id, client, held.id)
        return client
    planned = _ensure_planned(session, clinician_id, client)
    if run_prebuilt(session, _HOLD, appointment=planned.id, now=now).rowcount != 1:
        raise InvalidInput(N_("This session is marked held already."))  # another tab, at once
    _audit(session, clinician_id, client, planned.id)
    return client


def held_moments_ago(
    last_held: datetime | None, planned: datetime | None, now: datetime, zone: ZoneInfo
) -> bool:
    """Marking held now would only repeat the last mark (a second tap, another tab): the last
    session was marked held less than HELD_AGAIN ago, and none is planned for today or
    before. `mark_held` refuses it; the brief says so rather than offer it again."""
    recent = last_held is not None and now - last_held < HELD_AGAIN
    return recent and (planned is None or _on_a_later_day(planned, now, zone))


def _on_a_later_day(moment: datetime, now: datetime, zone: ZoneInfo) -> bool:
    return moment.astimezone(zone).date() > now.astimezone(zone).date()


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


def _window(clinician_id: uuid.UUID, held: Sequence[Any], planned: datetime | None) -> Window:
    """From the pair's held sessions (rows with an id and held_at), newest first (the last
    two are enough)."""
    if not held:
        return Window(clinician_id, FIRST, None, None, None, planned)
    previous_key = str(held[1].id) if len(held) > 1 else FIRST
    previous_start = held[1].held_at if len(held) > 1 else None
    return Window(clinician_id, str(held[0].id), held[0].held_at, previous_key, previous_start, planned)


# The pair's planned session (held_at NULL, at most one) first, then the last held ones.
_PLANNED_AND_LAST_HELD = (
    select(Appointment.id, Appointment.held_at, Appointment.starts_at)
    .where(
        col(Appointment.clinician_id) == bindparam("clinician"),
        col(Appointment.client_id) == bindparam("client"),
    )
    .order_by(col(Appointment.held_at).desc().nulls_first())
    .limit(3)
)


def window(session: Session, *, client_id: uuid.UUID, clinician_id: uuid.UUID) -> Window:
    """The window a client and a clinician are in now (their link is checked by callers),
    in one statement."""
    rows = run_prebuilt(session, _PLANNED_AND_LAST_HELD, clinician=clinician_id, client=client_id).all()
    planned = next((row.starts_at for row in rows if row.held_at is None), None)
    return _window(clinician_id, [row for row in rows if row.held_at is not None][:2], planned)


# For the caseload, per linked client (a care link row of the statement they are used in):
# the key of the pair's window (their last held session's id, or "first") and their planned
# session, an index seek each.
_LAST_HELD_OF_LINK = (
    select(IdText(Appointment.id))
    .where(
        col(Appointment.clinician_id) == CareLink.clinician_id,
        col(Appointment.client_id) == CareLink.client_id,
        col(Appointment.held_at).is_not(None),
    )
    .order_by(col(Appointment.held_at).desc())
    .limit(1)
    .correlate(CareLink)
    .scalar_subquery()
)
WINDOW_OF_LINK = func.coalesce(_LAST_HELD_OF_LINK, FIRST)
PLANNED_OF_LINK = (
    select(Appointment.starts_at)
    .where(
        col(Appointment.clinician_id) == CareLink.clinician_id,
        col(Appointment.client_id) == CareLink.client_id,
        col(Appointment.held_at).is_(None),
    )
    .correlate(CareLink)
    .scalar_subquery()
)

"""Gentle reminders: opt-in, in the person's own time zone, quiet hours respected.

A client may ask to be reminded to check in and to write (on the days and at the time
they choose) and on the day homework is due. Each reminder is given once: an email
through the outbox and a banner in the app, both saying only "a reminder from
Betterjournal" and where to go (no homework title, no entry text, no clinician's name).

`due_now` is the rule, a pure function of the clock, the person's plan, their zone, what
was already given and the days their homework is due. `send_due_to` applies it to one
person, and records each reminder under a unique key (person, kind, local day) in the
same unit of work as its email, so two schedulers, or a restart, never send one twice.

Quiet hours: a reminder whose time falls inside them is **skipped** that day (it does
not wait until they end: a reminder hours late is no longer the one that was asked for),
and nothing at all is sent while they last.

The email's one-tap opt-out is an HMAC of the person's id under a key derived from the
KEK for that purpose only: it turns reminders off and does nothing else (never a sign-in).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, or_
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select, update

from betterjournal import emails, routes
from betterjournal.core import mail
from betterjournal.core.errors import InvalidInput
from betterjournal.crypto import get_vault
from betterjournal.db import take_turns
from betterjournal.i18n import N_, Reader, is_time_zone, language_or_default
from betterjournal.models import (
    Assignment,
    ItemShare,
    ReminderKind,
    ReminderPreference,
    ReminderSent,
    Role,
    User,
    utcnow,
)
from betterjournal.settings import get_settings

# A reminder may leave this long after its time (the scheduler was busy, or restarting);
# later than that it is no longer the reminder that was asked for.
LATE_BY = timedelta(hours=1)
# The in-app banner shows a reminder for this long, unless dismissed first.
BANNER_FOR = timedelta(hours=12)
OPT_OUT_PURPOSE = "reminders-off/v1"
WEEKDAYS = tuple(range(7))  # Monday = 0 … Sunday = 6, as date.weekday()
# Where each reminder leads.
DESTINATIONS = {
    ReminderKind.CHECK_IN: routes.CHECK_IN,
    ReminderKind.JOURNAL: routes.WRITE,
    ReminderKind.HOMEWORK: routes.HOMEWORK,
}


@dataclass(frozen=True)
class Schedule:
    """One kind of reminder: on or off, on which weekdays, at what local time."""

    on: bool
    days: frozenset[int]
    at: time


QUIET_HOURS = (time(22, 0), time(7, 0))  # offered until the person chooses their own


@dataclass(frozen=True)
class Plan:
    """A person's reminders. Homework reminders come on due days only, at `homework.at`."""

    check_in: Schedule
    journal: Schedule
    homework: Schedule
    quiet_on: bool = False
    quiet_hours: tuple[time, time] = QUIET_HOURS  # from, to (may cross midnight); kept while off
    # When the person last changed them: a reminder counts from its next time after that (a
    # walk-through turned one on at 8:10 p.m., its time 8:00: it came at once, and none at the
    # time then chosen). Times are minutes: one set for the minute it is comes.
    changed_at: datetime | None = field(default=None, compare=False)

    @property
    def any_on(self) -> bool:
        return self.check_in.on or self.journal.on or self.homework.on

    @property
    def quiet(self) -> tuple[time, time] | None:
        """The quiet hours in force: None while they are turned off."""
        return self.quiet_hours if self.quiet_on else None


OFF = Plan(
    check_in=Schedule(False, frozenset(WEEKDAYS), time(20, 0)),
    journal=Schedule(False, frozenset(WEEKDAYS), time(20, 0)),
    homework=Schedule(False, frozenset(WEEKDAYS), time(9, 0)),
)


@dataclass(frozen=True)
class Due:
    kind: ReminderKind
    slot: date  # the local day it is for


def in_quiet_hours(moment: time, quiet: tuple[time, time] | None) -> bool:
    """Whether a local time falls inside quiet hours [start, end)."""
    if quiet is None:
        return False
    start, end = quiet
    if start < end:
        return start <= moment < end
    return moment >= start or moment < end  # across midnight (start == end is refused)


def due_now(
    now: datetime,
    plan: Plan,
    zone: ZoneInfo,
    *,
    already: Iterable[tuple[ReminderKind, date]] = (),
    homework_due_on: Iterable[date] = (),
) -> list[Due]:
    """The reminders to give at `now` (aware) to a person with `plan` living in `zone`.

    A reminder is due from its local time on its day until LATE_BY after, unless given
    already, unless its time is in quiet hours (skipped), unless the plan was changed after
    that time, and never while quiet hours last.
    Homework reminders come only on days in `homework_due_on`.
    """
    local = now.astimezone(zone)
    if in_quiet_hours(local.time().replace(tzinfo=None), plan.quiet):
        return []
    given = set(already)
    due_days = set(homework_due_on)
    found: list[Due] = []
    kinds = (
        (ReminderKind.CHECK_IN, plan.check_in),
        (ReminderKind.JOURNAL, plan.journal),
        (ReminderKind.HOMEWORK, plan.homework),
    )
    for kind, schedule in kinds:
        if not schedule.on:
            continue
        # Yesterday too: a reminder at 23:30 may still leave at 00:10.
        for day in (local.date(), local.date() - timedelta(days=1)):
            if kind == ReminderKind.HOMEWORK:
                if day not in due_days:
                    continue
            elif day.weekday() not in schedule.days:
                continue
            if (kind, day) in given or in_quiet_hours(schedule.at, plan.quiet):
                continue
            moment = datetime.combine(day, schedule.at, tzinfo=zone)
            if plan.changed_at is not None and plan.changed_at.replace(second=0, microsecond=0) > moment:
                continue  # turned on (or moved) after its minute: from the next time
            if moment <= now < moment + LATE_BY:
                found.append(Due(kind, day))
    return found


# --- preferences -------------------------------------------------------------------------


def _days(mask: int) -> frozenset[int]:
    return frozenset(day for day in WEEKDAYS if mask & (1 << day))


def _mask(days: Iterable[int]) -> int:
    return sum(1 << day for day in set(days))


def _time(minutes: int) -> time:
    return time(minutes // 60, minutes % 60)


def _minutes(moment: time) -> int:
    return moment.hour * 60 + moment.minute


def plan_of(row: ReminderPreference | None) -> Plan:
    """A stored preference as a plan (no row: every reminder off)."""
    if row is None:
        return OFF
    return Plan(
        check_in=Schedule(row.check_in_on, _days(row.check_in_days), _time(row.check_in_at)),
        journal=Schedule(row.journal_on, _days(row.journal_days), _time(row.journal_at)),
        homework=Schedule(row.homework_on, frozenset(WEEKDAYS), _time(row.homework_at)),
        quiet_on=row.quiet_on,
        quiet_hours=(_time(row.quiet_start), _time(row.quiet_end)),
        changed_at=row.updated_at,
    )


def preferences(session: Session, *, user_id: uuid.UUID) -> Plan:
    """The person's reminders (all off until they choose)."""
    return plan_of(session.get(ReminderPreference, user_id))


BAD_TIME = N_("Enter a time like 20:00.")
NO_DAY = N_("Choose at least one day for each reminder you turn on.")
SAME_QUIET = N_("Quiet hours need a start and an end that are different.")


def parse_time(value: object) -> time:
    """'20:00' (what a time field sends) as a time; InvalidInput otherwise."""
    if not isinstance(value, str) or len(value) not in (5, 8) or not value.isascii():
        raise InvalidInput(BAD_TIME)
    try:
        parsed = time.fromisoformat(value)
    except ValueError as error:
        raise InvalidInput(BAD_TIME) from error
    return parsed.replace(second=0, microsecond=0)


_CHECKED = ("on", "true", True)  # what a ticked checkbox sends


def plan_from_form(fields: Mapping[str, object]) -> Plan:
    """The reminders form (settings page) as a plan; InvalidInput for a bad time or an
    unknown field. Unticked boxes are absent; a time of a reminder left off may be empty."""
    known = {"check_in_on", "check_in_at", "journal_on", "journal_at", "homework_on", "homework_at"}
    known |= {"quiet_on", "quiet_start", "quiet_end"}
    known |= {f"{kind}_day_{day}" for kind in ("check_in", "journal") for day in WEEKDAYS}
    if set(fields) - known:
        raise InvalidInput(N_("This couldn't be saved. Please try again."))

    def ticked(name: str) -> bool:
        return fields.get(name) in _CHECKED

    def moment(name: str, on: bool, default: time) -> time:
        value = fields.get(name, "")
        return parse_time(value) if on or value else default

    def schedule(kind: str, default: Schedule) -> Schedule:
        on = ticked(f"{kind}_on")
        days = frozenset(day for day in WEEKDAYS if ticked(f"{kind}_day_{day}"))
        return Schedule(on, days, moment(f"{kind}_at", on, default.at))

    quiet_on = ticked("quiet_on")
    quiet_hours = (
        moment("quiet_start", quiet_on, QUIET_HOURS[0]),
        moment("quiet_end", quiet_on, QUIET_HOURS[1]),
    )
    homework_on = ticked("homework_on")
    return Plan(
        check_in=schedule("check_in", OFF.check_in),
        journal=schedule("journal", OFF.journal),
        homework=Schedule(
            homework_on, frozenset(WEEKDAYS), moment("homework_at", homework_on, OFF.homework.at)
        ),
        quiet_on=quiet_on,
        quiet_hours=quiet_hours,
    )


def save_preferences(
    session: Session, *, user_id: uuid.UUID, plan: Plan, now: datetime | None = None
) -> None:
    """Keep a client's reminders (validated: a reminder turned on has a day; quiet hours
    have two different ends). Takes effect from the scheduler's next minute, each reminder
    from its next time after `now` (the clock: tests set it)."""
    for schedule in (plan.check_in, plan.journal):
        if schedule.on and not schedule.days:
            raise InvalidInput(NO_DAY)
        if not schedule.days <= set(WEEKDAYS):
            raise InvalidInput(NO_DAY)
    if plan.quiet_on and plan.quiet_hours[0] == plan.quiet_hours[1]:
        raise InvalidInput(SAME_QUIET)
    take_turns(session, User, col(User.id) == user_id)  # two tabs' first save: one row, no error
    row = session.get(ReminderPreference, user_id) or ReminderPreference(user_id=user_id)
    row.check_in_on, row.check_in_days = plan.check_in.on, _mask(plan.check_in.days)
    row.check_in_at = _minutes(plan.check_in.at)
    row.journal_on, row.journal_days = plan.journal.on, _mask(plan.journal.days)
    row.journal_at = _minutes(plan.journal.at)
    row.homework_on, row.homework_at = plan.homework.on, _minutes(plan.homework.at)
    row.quiet_on = plan.quiet_on
    row.quiet_start, row.quiet_end = _minutes(plan.quiet_hours[0]), _minutes(plan.quiet_hours[1])
    row.updated_at = now or utcnow()
    session.add(row)
    if not plan.any_on:
        _dismiss_all(session, user_id)


def turn_off(session: Session, *, user_id: uuid.UUID) -> None:
    """Every reminder off (the times and days chosen are kept for turning them on again);
    a banner on screen goes too. Idempotent."""
    session.exec(
        update(ReminderPreference)
        .where(col(ReminderPreference.user_id) == user_id)
        .values(check_in_on=False, journal_on=False, homework_on=False, updated_at=utcnow())
    )
    _dismiss_all(session, user_id)


def _dismiss_all(session: Session, user_id: uuid.UUID) -> None:
    session.exec(
        update(ReminderSent)
        .where(col(ReminderSent.user_id) == user_id, col(ReminderSent.dismissed_at).is_(None))
        .values(dismissed_at=utcnow())
    )


# --- the one-tap opt-out --------------------------------------------------------------------


def opt_out_token(user_id: uuid.UUID) -> str:
    """An unguessable token that turns this person's reminders off, and can do nothing else."""
    return f"{user_id.hex}.{get_vault().sign(OPT_OUT_PURPOSE, user_id.bytes)}"


def opt_out_link(user_id: uuid.UUID) -> str:
    return f"{get_settings().public_url}{routes.API_REMINDERS_OFF}?token={opt_out_token(user_id)}"


def opted_out_person(token: object) -> uuid.UUID | None:
    """Whose opt-out token this is, if it is genuine (compared in constant time)."""
    if not isinstance(token, str) or len(token) > 100 or not token.isascii():
        return None
    hex_id, _, mac = token.partition(".")
    try:
        user_id = uuid.UUID(hex=hex_id)
    except ValueError:
        return None
    if len(hex_id) != 32 or not get_vault().verify(OPT_OUT_PURPOSE, user_id.bytes, mac):
        return None
    return user_id


def opt_out_reader(session: Session, *, token: object) -> Reader | None:
    """How to speak to the token's person (its page, before anything is turned off); None
    if the token is not genuine."""
    user_id = opted_out_person(token)
    user = session.get(User, user_id) if user_id is not None else None
    return None if user is None else _reader(user)


def opt_out(session: Session, *, token: object) -> tuple[uuid.UUID, Reader] | None:
    """Turn reminders off for the token's person: who, and how to speak to them; or None if
    the token is not genuine (then nothing changes)."""
    user_id = opted_out_person(token)
    user = session.get(User, user_id) if user_id is not None else None
    if user is None:
        return None
    turn_off(session, user_id=user.id)
    return user.id, _reader(user)


# --- the scheduler's round -------------------------------------------------------------------


def _reader(user: User) -> Reader:
    settings = get_settings()
    zone = user.time_zone if is_time_zone(user.time_zone) else settings.time_zone
    return Reader(language_or_default(user.language), zone or settings.time_zone)


def _homework_due_days(session: Session, client_id: uuid.UUID, around: date) -> set[date]:
    """Days (near `around`) on which this client has live homework not returned yet."""
    query = (
        select(col(Assignment.due_on))
        .outerjoin(
            ItemShare,
            and_(
                col(ItemShare.item_id) == Assignment.response_id,
                col(ItemShare.clinician_id) == Assignment.clinician_id,
                col(ItemShare.revoked_at).is_(None),
            ),
        )
        .where(
            col(Assignment.client_id) == client_id,
            col(Assignment.withdrawn_at).is_(None),
            col(Assignment.reviewed_at).is_(None),
            col(Assignment.due_on) >= around - timedelta(days=1),
            col(Assignment.due_on) <= around + timedelta(days=1),
            col(ItemShare.id).is_(None),
        )
    )
    return {day for day in session.exec(query) if day is not None}


def _record(session: Session, user_id: uuid.UUID, due: Due) -> bool:
    """Record a reminder under its unique key; False if it was given already (by another
    scheduler, in a unit committed before this one)."""
    table = ReminderSent.__table__  # type: ignore[attr-defined]
    values = {
        "id": uuid.uuid4(),
        "user_id": user_id,
        "kind": due.kind,
        "slot": due.slot,
        "created_at": utcnow(),
    }
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    statement = insert(table).values(**values).on_conflict_do_nothing()
    session.flush()
    return session.connection().execute(statement).rowcount == 1


def people_to_remind(session: Session) -> list[uuid.UUID]:
    """Active, confirmed clients with at least one reminder on."""
    query = (
        select(ReminderPreference.user_id)
        .join(User, col(User.id) == ReminderPreference.user_id)
        .where(
            or_(
                col(ReminderPreference.check_in_on),
                col(ReminderPreference.journal_on),
                col(ReminderPreference.homework_on),
            ),
            col(User.is_active),
            col(User.role) == Role.CLIENT,
            col(User.email_confirmed_at).is_not(None),
        )
    )
    return list(session.exec(query).all())


def send_due_to(session: Session, *, user_id: uuid.UUID, now: datetime) -> int:
    """Give this person every reminder due at `now`, each once: recorded and queued in the
    caller's unit of work. How many were given."""
    user = session.get(User, user_id)
    if user is None:
        return 0
    reader, plan = _reader(user), preferences(session, user_id=user_id)
    local_day = now.astimezone(reader.zone).date()
    # Most minutes nothing is even close: asked as if homework were due, nothing is due.
    if not due_now(now, plan, reader.zone, homework_due_on={local_day, local_day - timedelta(days=1)}):
        return 0
    already = session.exec(
        select(col(ReminderSent.kind), col(ReminderSent.slot)).where(
            col(ReminderSent.user_id) == user_id,
            col(ReminderSent.slot) >= local_day - timedelta(days=1),
        )
    ).all()
    due_days = _homework_due_days(session, user_id, local_day) if plan.homework.on else set()
    given = 0
    for due in due_now(
        now,
        plan,
        reader.zone,
        already=[(ReminderKind(kind), slot) for kind, slot in already],
        homework_due_on=due_days,
    ):
        if not _record(session, user_id, due):
            continue  # given already, by another scheduler
        link = get_settings().public_url + DESTINATIONS[due.kind]
        message = emails.reminder(reader, due.kind.value, link, opt_out_link(user_id))
        mail.send(session, to=user.email, email=message, for_user=user.id)
        given += 1
    return given


# --- the banner -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Banner:
    id: uuid.UUID
    kind: ReminderKind
    href: str


def banner(session: Session, *, user_id: uuid.UUID, now: datetime | None = None) -> Banner | None:
    """The newest reminder given to this person in the last BANNER_FOR, not dismissed."""
    now = now or utcnow()
    row = session.exec(
        select(ReminderSent)
        .where(
            col(ReminderSent.user_id) == user_id,
            col(ReminderSent.dismissed_at).is_(None),
            col(ReminderSent.created_at) > now - BANNER_FOR,
            col(ReminderSent.created_at) <= now,
        )
        .order_by(col(ReminderSent.created_at).desc())
        .limit(1)
    ).first()
    if row is None:
        return None
    return Banner(id=row.id, kind=row.kind, href=DESTINATIONS[row.kind])


def dismiss(session: Session, *, user_id: uuid.UUID, reminder_id: object) -> None:
    """Dismiss one of this person's own banners (anyone else's id changes nothing)."""
    try:
        wanted = uuid.UUID(str(reminder_id)) if isinstance(reminder_id, str) else None
    except ValueError:
        wanted = None
    if wanted is None:
        raise InvalidInput(N_("This couldn't be saved. Please try again."))
    session.exec(
        update(ReminderSent)
        .where(
            col(ReminderSent.id) == wanted,
            col(ReminderSent.user_id) == user_id,
            col(ReminderSent.dismissed_at).is_(None),
        )
        .values(dismissed_at=utcnow())
    )

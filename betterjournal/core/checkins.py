"""Mood check-ins: a kind on the item platform, and the numbers its charts draw.

A check-in is a mood from 0 to 10 (required), optional anxiety, energy and sleep quality
(0–10) and hours of sleep, a short note, and the moment it is about: now, or earlier
("I forgot yesterday"), never in the future. Saving, sharing, "seen", paging and delete
are the platform's (core/items.py, core/sharing.py); this module declares the fields,
validates them, and computes what a chart shows from one person's decrypted check-ins.

Fields are stored as cleaned text ("7", "7.5", an ISO moment); `CheckInValues` reads them
back as numbers.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from betterjournal.core import items
from betterjournal.core.errors import InvalidInput
from betterjournal.core.validation import clean_text
from betterjournal.i18n import N_, Message
from betterjournal.models import CheckIn, utcnow

NOTE_MAX = 1_000
SLEEP_MAX_HOURS = 24
# A device clock a little ahead of the server's is not "the future".
CLOCK_SKEW = timedelta(minutes=5)
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)

# The 0–10 ratings, in the order the form and the charts show them, with their labels.
RATINGS: tuple[tuple[str, Message], ...] = (
    ("mood", N_("Mood")),
    ("anxiety", N_("Anxiety")),
    ("energy", N_("Energy")),
    ("sleep_quality", N_("Sleep quality")),
)


_RATING_TEXTS = frozenset(str(value) for value in range(11))


def _rating(value: object, label: Message, *, required: bool) -> str:
    """A whole number from 0 to 10, stored as its text ('7'); '' for an optional one left
    out. The platform's values are text, so '7' is accepted as well as 7 (the handlers
    take numbers only)."""
    if value in ("", None) and not required:
        return ""
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 10:
        return str(value)
    if isinstance(value, str) and value in _RATING_TEXTS:
        return value
    raise InvalidInput(N_("{label}: choose a whole number from 0 to 10."), label=label)


def clean_mood(value: object) -> str:
    return _rating(value, N_("Mood"), required=True)


def _optional_rating(label: Message) -> Callable[[object], str]:
    return lambda value: _rating(value, label, required=False)


def clean_sleep_hours(value: object) -> str:
    """Hours of sleep, 0 to 24 in half hours ('7.5'); '' if left out."""
    if value in ("", None):
        return ""
    if isinstance(value, str) and len(value) <= 5:  # the stored text ('7.5')
        try:
            value = float(value)
        except ValueError:
            raise InvalidInput(N_("Sleep: enter hours from 0 to 24, like 7 or 7.5.")) from None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidInput(N_("Sleep: enter hours from 0 to 24, like 7 or 7.5."))
    hours = float(value)
    if not math.isfinite(hours) or not 0 <= hours <= SLEEP_MAX_HOURS or (hours * 2) % 1:
        raise InvalidInput(N_("Sleep: enter hours from 0 to 24, like 7 or 7.5."))
    return f"{hours:g}"


def clean_note(value: object) -> str:
    return clean_text(value, label=N_("Note"), max_length=NOTE_MAX, required=False)


def clean_felt_at(value: object) -> str:
    """The moment a check-in is about, in UTC ('2026-11-30T19:05:00+00:00'): now or earlier."""
    if not isinstance(value, str) or len(value) > 40:
        raise InvalidInput(N_("Choose when this check-in is for."))
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise InvalidInput(N_("Choose when this check-in is for.")) from None
    if moment.tzinfo is None:
        raise InvalidInput(N_("Choose when this check-in is for."))
    moment = moment.astimezone(UTC).replace(microsecond=0)
    if moment > utcnow() + CLOCK_SKEW:
        raise InvalidInput(N_("A check-in can't be in the future. Choose now or an earlier time."))
    if moment < EARLIEST:
        raise InvalidInput(N_("Choose when this check-in is for."))
    return moment.isoformat()


def _draft(value: object) -> str:
    """A draft holds what was typed so far (the platform keeps drafts of any kind); it is
    checked like the rest when saved. The app saves check-ins in one tap, without drafts."""
    return clean_text(value, label=N_("Check-in"), max_length=NOTE_MAX, required=False)


def _field(name: str, clean: Callable[[object], str]) -> items.ItemField:
    return items.ItemField(name, clean=clean, clean_draft=_draft)


KIND = items.register(
    "check_in",
    CheckIn,
    (
        _field("felt_at", clean_felt_at),
        _field("mood", clean_mood),
        _field("anxiety", _optional_rating(N_("Anxiety"))),
        _field("energy", _optional_rating(N_("Energy"))),
        _field("sleep_hours", clean_sleep_hours),
        _field("sleep_quality", _optional_rating(N_("Sleep quality"))),
        _field("note", clean_note),
    ),
)


# --- what the charts draw -------------------------------------------------------------------


@dataclass(frozen=True)
class Reading:
    """One check-in as numbers: when, and each rating given (absent ones are left out)."""

    id: str
    felt_at: datetime
    values: dict[str, float]


def reading(item_id: object, fields: dict[str, str]) -> Reading | None:
    """A check-in's fields as numbers; None for one that can't be read as a check-in."""
    try:
        felt_at = datetime.fromisoformat(fields["felt_at"])
    except (KeyError, ValueError):
        return None
    values = {}
    for name in (*(name for name, _ in RATINGS), "sleep_hours"):
        text = fields.get(name, "")
        if text:
            values[name] = float(text)
    return Reading(str(item_id), felt_at, values)


@dataclass(frozen=True)
class DailySeries:
    """One dimension, day by day in the person's time zone: the days with a value, their
    mean, and the 7-day rolling average (over the days with a value, gaps left as gaps)."""

    days: list[date]
    values: list[float]
    rolling: list[float]


def daily(readings: Iterable[Reading], dimension: str, zone: str) -> dict[date, list[float]]:
    """Each local day's values of `dimension`, in the person's time zone."""
    local = ZoneInfo(zone)
    by_day: dict[date, list[float]] = defaultdict(list)
    for one in readings:
        if dimension in one.values:
            by_day[one.felt_at.astimezone(local).date()].append(one.values[dimension])
    return by_day


def rolling_average(days: Sequence[date], values: Sequence[float], window: int = 7) -> list[float]:
    """For each day, the mean of the values of the `window` days ending that day (only the
    days that have one: a gap is not a zero)."""
    averages = []
    start = 0
    total = 0.0
    for index, day in enumerate(days):
        total += values[index]
        while days[start] <= day - timedelta(days=window):
            total -= values[start]
            start += 1
        averages.append(round(total / (index - start + 1), 2))
    return averages


def series(readings: Iterable[Reading], dimension: str, zone: str, since: date | None = None) -> DailySeries:
    """The daily means of one dimension (from `since`, if given) with their rolling average.

    The average at the first day shown also counts the six days before it.
    """
    by_day = daily(readings, dimension, zone)
    days = sorted(by_day)
    values = [round(sum(by_day[d]) / len(by_day[d]), 2) for d in days]
    rolling = rolling_average(days, values)
    if since is not None:
        first = next((i for i, d in enumerate(days) if d >= since), len(days))
        days, values, rolling = days[first:], values[first:], rolling[first:]
    return DailySeries(days, values, rolling)


def summary_numbers(
    readings: Iterable[Reading], dimension: str, since: datetime | None
) -> tuple[float | None, int]:
    """(the mean of `dimension` over the check-ins since `since`, how many check-ins had it)."""
    values = [
        r.values[dimension]
        for r in readings
        if dimension in r.values and (since is None or r.felt_at >= since)
    ]
    if not values:
        return None, 0
    return round(sum(values) / len(values), 1), len(values)


def weekday_means(readings: Iterable[Reading], dimension: str, zone: str) -> dict[int, tuple[float, int]]:
    """Per weekday (0 = Monday), the mean of the daily means of `dimension` and how many
    days it is over. Only days with a value count."""
    by_weekday: dict[int, list[float]] = defaultdict(list)
    for day, values in daily(readings, dimension, zone).items():
        by_weekday[day.weekday()].append(sum(values) / len(values))
    return {weekday: (round(sum(v) / len(v), 1), len(v)) for weekday, v in sorted(by_weekday.items())}

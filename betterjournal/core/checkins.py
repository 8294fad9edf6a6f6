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

import hashlib
import hmac
import json
import math
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session, SQLModel, col, select

from betterjournal.core import audit, drafts, items, sharing
from betterjournal.core.accounts import data_key
from betterjournal.core.errors import Denied, InvalidInput, NotFound
from betterjournal.core.validation import clean_text, parse_id
from betterjournal.crypto import get_vault
from betterjournal.db import take_turns
from betterjournal.i18n import LANGUAGES, N_, Message, Reader
from betterjournal.models import (
    AuditAction,
    CheckIn,
    CheckInScale,
    CheckInTag,
    User,
    Version,
    utcnow,
)

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


# Save without a mood (the page says so beside Save, and the server when Save is tapped).
NEEDS_MOOD = N_("Choose your mood, from 0 to 10, to save.")


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
        raise InvalidInput(N_("Choose a time between January 1, 2000 and now."))
    return moment.isoformat()


TAGS_PER_CHECK_IN = 10
SCALES_PER_CLIENT = 20  # of the client's own; and as many suggested, all clinicians together
SUGGESTED_PER_CLINICIAN = 5  # one clinician can't take every place another's suggestion needs
TAGS_PER_CLIENT = 40
NAME_MAX = 40


def _as_json(value: object) -> Any:
    """A field's value as given (a list or dict) or as the kind stores it (its JSON text)."""
    if isinstance(value, str):
        if len(value) > 4_000:
            return None
        try:
            return json.loads(value)
        except ValueError:
            return None
    return value


def _is_id(value: object) -> bool:
    if not isinstance(value, str) or len(value) != 36:
        return False
    try:
        return str(uuid.UUID(value)) == value
    except ValueError:
        return False


def clean_tags(value: object) -> str:
    """The ids of the client's tags chosen for a check-in, as sorted JSON; '' for none."""
    if value in ("", None):
        return ""
    ids = _as_json(value)
    if not isinstance(ids, list) or len(ids) > TAGS_PER_CHECK_IN or not all(_is_id(i) for i in ids):
        raise InvalidInput(N_("Choose tags from your list (at most 10)."))
    return json.dumps(sorted(set(ids))) if ids else ""


def _clean_scales(value: object) -> str:
    """Ratings of extra scales, {scale id: 0–10}, as sorted JSON; '' for none."""
    if value in ("", None):
        return ""
    ratings = _as_json(value)
    if (
        not isinstance(ratings, dict)
        or len(ratings) > SCALES_PER_CLIENT
        or not all(_is_id(k) for k in ratings)
        or not all(type(v) is int and 0 <= v <= 10 for v in ratings.values())
    ):
        raise InvalidInput(N_("Each scale: choose a whole number from 0 to 10."))
    return json.dumps(dict(sorted(ratings.items()))) if ratings else ""


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
        # The client's own tags and scales are theirs alone: never sent to a clinician.
        items.ItemField("tags", clean=clean_tags, clean_draft=_draft, shared=False),
        _field("scales", _clean_scales),  # scales a clinician suggested: shared with the check-in
        items.ItemField("own_scales", clean=_clean_scales, clean_draft=_draft, shared=False),
    ),
)


# --- a check-in begun and not saved yet -----------------------------------------------------------

_UNSAVED = "unsaved-check-in/v1"


def _unsaved_ids(owner_id: uuid.UUID) -> list[uuid.UUID]:
    """The ids of a person's check-in begun and not saved yet: one per person, so the page
    finds it again after a reload, a closed tab or a trip to another page (the platform's
    draft, encrypted like the rest). Derived with a secret of the deployment's (from its
    KEKs), so nobody can work out another person's and take it first as an item of their
    own (attack review: their check-in then kept nothing). The newest KEK's first; the
    older ones' too, so a check-in kept before a KEK rotation is still found."""
    vault = get_vault()
    return [
        uuid.UUID(
            bytes=hmac.new(vault.derived_secret(_UNSAVED, version), owner_id.bytes, hashlib.sha256).digest()[
                :16
            ],
            version=4,
        )
        for version in sorted(vault.versions, reverse=True)
    ]


def keep_unsaved(session: Session, *, owner_id: uuid.UUID, values: dict[str, object]) -> None:
    """Keep what was tapped and typed so far: {"mood": 5, …, "tags": [...], "note": "…",
    "sleep_hours": "6,5", "felt_at": "2026-12-05T21:30"} (those three as typed)."""
    fields = {
        name: value if isinstance(value, str) else json.dumps(value)
        for name, value in values.items()
        if value not in (None, "", [], {})
    }
    drafts.save(session, owner_id=owner_id, kind=KIND, item_id=_unsaved_ids(owner_id)[0], values=fields)


# Kept as typed, not read as numbers or lists: "6,5" hours, a time not chosen whole yet.
_KEPT_AS_TYPED = ("note", "sleep_hours", "felt_at")


def unsaved(session: Session, *, owner_id: uuid.UUID) -> dict[str, Any] | None:
    """What was kept of the unsaved check-in, as given to `keep_unsaved`; None if nothing."""
    found = (drafts.get(session, owner_id=owner_id, item_id=one) for one in _unsaved_ids(owner_id))
    draft = next((one for one in found if one is not None), None)
    if draft is None or draft.kind != KIND.name:
        return None
    return {
        name: text if name in _KEPT_AS_TYPED else _as_json(text)
        for name, text in draft.fields.items()
        if text
    }


def forget_unsaved(session: Session, *, owner_id: uuid.UUID) -> None:
    for one in _unsaved_ids(owner_id):
        drafts.discard(session, owner_id=owner_id, item_id=one)


# --- the client's tags and extra scales ---------------------------------------------------------


@dataclass(frozen=True)
class Label:
    """A tag or an extra scale, by id and name; `private`: the client's own scale."""

    id: str
    name: str
    private: bool = False


def _name(value: object) -> str:
    return clean_text(value, label=N_("The name"), max_length=NAME_MAX).strip()


def _same_name(one: str, other: str) -> bool:
    return " ".join(one.casefold().split()) == " ".join(other.casefold().split())


def _seal_name(session: Session, client_id: uuid.UUID, model: type[SQLModel], row_id: uuid.UUID, name: str):
    return data_key(session, client_id).seal_field(model.name_ct, row_id, name)  # type: ignore[attr-defined]


def _open_names(session: Session, client_id: uuid.UUID, model: type[SQLModel], rows: list) -> dict[str, str]:
    key = data_key(session, client_id)
    return {str(row.id): key.open_field(model.name_ct, row.id, row.name_ct) for row in rows if row.name_ct}  # type: ignore[attr-defined]


def tags_of(session: Session, *, owner_id: uuid.UUID) -> list[Label]:
    """The client's tags, oldest first."""
    rows = session.exec(
        select(CheckInTag)
        .where(col(CheckInTag.owner_id) == owner_id, col(CheckInTag.removed_at).is_(None))
        .order_by(col(CheckInTag.created_at), col(CheckInTag.id))
    ).all()
    names = _open_names(session, owner_id, CheckInTag, list(rows))
    return [Label(str(row.id), names[str(row.id)]) for row in rows]


def add_tag(session: Session, *, owner_id: uuid.UUID, name: object) -> uuid.UUID:
    """A new tag, or the client's tag of that name if they have one ("Work" is "work"):
    two tags of one name would split its check-ins between them."""
    clean = _name(name)
    take_turns(session, User, col(User.id) == owner_id)  # two tabs adding at once: the limit holds
    tags = tags_of(session, owner_id=owner_id)
    same = next((tag for tag in tags if _same_name(tag.name, clean)), None)
    if same is not None:
        return uuid.UUID(same.id)
    if len(tags) >= TAGS_PER_CLIENT:
        raise InvalidInput(N_("You have the most tags there can be. Remove one to add another."))
    tag_id = uuid.uuid4()
    sealed = _seal_name(session, owner_id, CheckInTag, tag_id, clean)
    session.add(CheckInTag(id=tag_id, owner_id=owner_id, name_ct=sealed))
    session.flush()
    return tag_id


def _own_tag(session: Session, owner_id: uuid.UUID, tag_id: object) -> CheckInTag:
    """The owner's tag, to change: a rename and a removal at once (two tabs) take turns, so a
    removed tag never gets its name back (an attack review: 1 race in 8)."""
    parsed = parse_id(tag_id)
    take_turns(session, CheckInTag, col(CheckInTag.id) == parsed)
    tag = session.get(CheckInTag, parsed)
    if tag is None or tag.owner_id != owner_id or tag.removed_at is not None:
        raise NotFound()
    return tag


def rename_tag(session: Session, *, owner_id: uuid.UUID, tag_id: object, name: object) -> None:
    clean = _name(name)
    tag = _own_tag(session, owner_id, tag_id)
    others = [other for other in tags_of(session, owner_id=owner_id) if other.id != str(tag.id)]
    if any(_same_name(other.name, clean) for other in others):
        raise InvalidInput(N_("You already have a tag called {name}."), name=clean)
    tag.name_ct = _seal_name(session, owner_id, CheckInTag, tag.id, clean)
    session.add(tag)


def remove_tag(session: Session, *, owner_id: uuid.UUID, tag_id: object) -> None:
    """The tag goes from the list and from every check-in's display; its name is erased."""
    tag = _own_tag(session, owner_id, tag_id)
    tag.removed_at, tag.name_ct = utcnow(), None
    session.add(tag)


def scales_of(session: Session, *, client_id: uuid.UUID, viewer_id: uuid.UUID) -> list[Label]:
    """A client's extra scales as `viewer_id` may see them: the client sees all, a linked
    clinician only the ones they suggested themselves (never the client's private scales, nor
    another clinician's suggestions: their names would tell of that clinician and what the
    client tracks with them, with nothing shared)."""
    query = select(CheckInScale).where(
        col(CheckInScale.client_id) == client_id, col(CheckInScale.removed_at).is_(None)
    )
    if viewer_id != client_id:
        if not sharing.is_linked(session, client_id=client_id, clinician_id=viewer_id):
            raise NotFound()
        query = query.where(col(CheckInScale.private).is_(False), col(CheckInScale.added_by) == viewer_id)
    rows = list(session.exec(query.order_by(col(CheckInScale.created_at), col(CheckInScale.id))).all())
    names = _open_names(session, client_id, CheckInScale, rows)
    return [Label(str(row.id), names[str(row.id)], row.private) for row in rows]


def add_scale(session: Session, *, client_id: object, added_by: uuid.UUID, name: object) -> uuid.UUID:
    """A clinician suggests a scale for a linked client (shared with what the client shares);
    a client adds one of their own, which is private."""
    client = parse_id(client_id)
    private = client == added_by
    if not private and not sharing.hold_link(session, client_id=client, clinician_id=added_by):
        raise Denied(actor_id=added_by, action=AuditAction.ASSIGN, subject_id=client)
    clean = _name(name)
    take_turns(session, User, col(User.id) == client)  # the client and a clinician at once: the limits hold
    kept = session.exec(
        select(CheckInScale.private, CheckInScale.added_by).where(
            col(CheckInScale.client_id) == client, col(CheckInScale.removed_at).is_(None)
        )
    ).all()
    if sum(1 for was_private, _ in kept if was_private == private) >= SCALES_PER_CLIENT:
        raise InvalidInput(N_("There are as many scales as there can be. Remove one to add another."))
    if not private and sum(1 for _, by in kept if by == added_by) >= SUGGESTED_PER_CLINICIAN:
        raise InvalidInput(
            N_("You've suggested as many scales as you can for this client. Remove one to suggest another.")
        )
    _refuse_a_name_taken(session, client_id=client, viewer_id=added_by, name=clean)
    scale_id = uuid.uuid4()
    sealed = _seal_name(session, client, CheckInScale, scale_id, clean)
    session.add(
        CheckInScale(id=scale_id, client_id=client, added_by=added_by, private=private, name_ct=sealed)
    )
    session.flush()
    if not private:
        _audit_suggestion(session, clinician_id=added_by, client_id=client)
    return scale_id


def _refuse_a_name_taken(
    session: Session, *, client_id: uuid.UUID, viewer_id: uuid.UUID, name: str, but: uuid.UUID | None = None
) -> None:
    """Two scales of one name in a check-in can't be told apart: refused, among the scales
    `viewer_id` sees (never telling a clinician of a scale they don't see)."""
    seen = scales_of(session, client_id=client_id, viewer_id=viewer_id)
    if any(_same_name(other.name, name) for other in seen if other.id != str(but)):
        raise InvalidInput(N_("There is already a scale called {name}."), name=name)
    # Nor the name of a rating every check-in has, in either language (a walk-through's
    # "Anxiété" made two, one with words at its ends and one without).
    if any(_same_name(Reader(language).t(label), name) for _key, label in RATINGS for language in LANGUAGES):
        raise InvalidInput(N_("Every check-in already asks about {name}."), name=name)


def _audit_suggestion(session: Session, *, clinician_id: uuid.UUID, client_id: uuid.UUID) -> None:
    """A clinician changed the scales of a client's check-ins (AUD-1), as an assignment."""
    audit.record_many(
        session,
        actor_id=clinician_id,
        action=AuditAction.ASSIGN,
        subject_id=client_id,
        item_ids=[None],
    )


def _scale_to_change(session: Session, scale_id: object) -> CheckInScale:
    """A scale, to rename or remove: the two at once take turns (as a tag's do)."""
    parsed = parse_id(scale_id)
    take_turns(session, CheckInScale, col(CheckInScale.id) == parsed)
    scale = session.get(CheckInScale, parsed)
    if scale is None:
        raise NotFound()
    return scale


def remove_scale(session: Session, *, actor_id: uuid.UUID, scale_id: object) -> uuid.UUID:
    """The client may remove any scale of their check-ins (their own, or one a clinician
    suggested: the form is theirs); a clinician the ones they suggested, while still linked
    to the client. Ratings already given stay in their check-ins. Returns who had added it."""
    scale = _scale_to_change(session, scale_id)
    # Someone else's, or a clinician no longer linked: refused and audited (before telling
    # whether it is still there).
    if actor_id not in (scale.added_by, scale.client_id) or (
        actor_id != scale.client_id
        and not sharing.is_linked(session, client_id=scale.client_id, clinician_id=actor_id)
    ):
        raise Denied(actor_id=actor_id, action=AuditAction.ASSIGN, subject_id=scale.client_id)
    if scale.removed_at is not None:
        raise NotFound()
    if actor_id != scale.client_id:
        _audit_suggestion(session, clinician_id=actor_id, client_id=scale.client_id)
    scale.removed_at, scale.name_ct = utcnow(), None
    session.add(scale)
    return scale.added_by


def rename_scale(session: Session, *, actor_id: uuid.UUID, scale_id: object, name: object) -> None:
    """Who added a scale renames it: the client their own private ones, a clinician the ones
    they suggested, while still linked (not the client: the clinician reads its ratings by
    that name). Its ratings stay with it (the same id). A name is checked as when adding,
    and may not be the name of another scale the renaming person sees (never one they don't:
    a clinician learns nothing of the client's own scales, nor of another's suggestions)."""
    scale = _scale_to_change(session, scale_id)
    # Someone else's, or a clinician no longer linked: refused and audited (before telling
    # whether it is still there).
    if actor_id != scale.added_by or (
        actor_id != scale.client_id
        and not sharing.is_linked(session, client_id=scale.client_id, clinician_id=actor_id)
    ):
        raise Denied(actor_id=actor_id, action=AuditAction.ASSIGN, subject_id=scale.client_id)
    if scale.removed_at is not None:
        raise NotFound()
    clean = _name(name)
    take_turns(session, User, col(User.id) == scale.client_id)  # two renames at once: no two of one name
    _refuse_a_name_taken(session, client_id=scale.client_id, viewer_id=actor_id, name=clean, but=scale.id)
    if actor_id != scale.client_id:
        _audit_suggestion(session, clinician_id=actor_id, client_id=scale.client_id)
    scale.name_ct = _seal_name(session, scale.client_id, CheckInScale, scale.id, clean)
    session.add(scale)


def save(
    session: Session, *, owner_id: uuid.UUID, item_id: object, values: object, based_on: Version | None = None
) -> bool:
    """Save a check-in (the platform's save) once its tags and scales are checked to be the
    client's own: a tag or scale of someone else's, or unknown, is refused. `based_on`: the
    version the page opened (an edit made on another device since is not overwritten)."""
    if isinstance(values, dict):
        tags = {
            str(tag_id)
            for tag_id in session.exec(
                select(CheckInTag.id).where(
                    col(CheckInTag.owner_id) == owner_id, col(CheckInTag.removed_at).is_(None)
                )
            )
        }
        scales = session.exec(
            select(CheckInScale.id, CheckInScale.private).where(
                col(CheckInScale.client_id) == owner_id, col(CheckInScale.removed_at).is_(None)
            )
        ).all()
        shared = {str(scale_id) for scale_id, private in scales if not private}
        private = {str(scale_id) for scale_id, private in scales if private}
        if not set(_as_json(clean_tags(values.get("tags"))) or []) <= tags:
            raise InvalidInput(N_("That tag isn't one of yours. Choose from your tags."))
        for field, allowed in (("scales", shared), ("own_scales", private)):
            if not set(_as_json(_clean_scales(values.get(field))) or {}) <= allowed:
                raise InvalidInput(N_("That scale isn't one of yours."))
    return items.save(
        session, owner_id=owner_id, kind=KIND, item_id=item_id, values=values, based_on=based_on
    )


# --- what the charts draw -------------------------------------------------------------------


@dataclass(frozen=True)
class Reading:
    """One check-in as numbers: when, and each rating given (absent ones are left out)."""

    id: str
    felt_at: datetime
    values: dict[str, float]
    tags: tuple[str, ...] = ()


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
    for name in ("scales", "own_scales"):  # an extra scale's values are keyed by its id
        if fields.get(name):
            for scale_id, value in (_as_json(fields[name]) or {}).items():
                values[scale_id] = float(value)
    tags = tuple(_as_json(fields["tags"]) or []) if fields.get("tags") else ()
    return Reading(str(item_id), felt_at, values, tags)


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


ROLLING_DAYS = 7  # the days a rolling average counts


def rolling_average(days: Sequence[date], values: Sequence[float], window: int = ROLLING_DAYS) -> list[float]:
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


def with_and_without(readings: Iterable[Reading], tag_id: str, dimension: str = "mood"):
    """(mean with the tag, how many; mean without it, how many) over the check-ins with a
    value of `dimension`. A count beside each, no claim about why."""
    with_tag = [r.values[dimension] for r in readings if dimension in r.values and tag_id in r.tags]
    without = [r.values[dimension] for r in readings if dimension in r.values and tag_id not in r.tags]

    def mean(values: list[float]) -> float | None:
        return round(sum(values) / len(values), 1) if values else None

    return mean(with_tag), len(with_tag), mean(without), len(without)

"""Mood check-ins: what a check-in accepts, and the numbers and figures its charts draw."""

from __future__ import annotations

import json
import math
import threading
import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlmodel import Session, col, select
from unit_support import People, audit_events, link, race, row_counts

from betterjournal import charts, views
from betterjournal.core import checkins, items, links, sharing
from betterjournal.core.errors import InvalidInput
from betterjournal.db import session_scope
from betterjournal.i18n import ENGLISH, FRENCH, Reader
from betterjournal.models import AuditAction, AuditOutcome, CheckInScale, CheckInTag, OwnItem, utcnow

NOW = datetime(2026, 11, 30, 19, 0, tzinfo=UTC)


def _values(**changes: object) -> dict[str, object]:
    return {"felt_at": (utcnow() - timedelta(hours=1)).isoformat(), "mood": 6, **changes}


def _save(owner_id: uuid.UUID, **changes: object) -> uuid.UUID:
    item_id = uuid.uuid4()
    with session_scope() as session:
        items.save(session, owner_id=owner_id, kind=checkins.KIND, item_id=item_id, values=_values(**changes))
    return item_id


def test_a_check_in_saves_and_reads_back(db: People) -> None:
    item_id = _save(db.client_a.id, anxiety=3, energy=0, sleep_hours=7.5, sleep_quality=10, note="Calmer.")
    with session_scope() as session:
        item = items.open_own(session, owner_id=db.client_a.id, kind=checkins.KIND, item_id=item_id)
    assert {k: v for k, v in item.fields.items() if k != "felt_at"} == {
        "mood": "6",
        "anxiety": "3",
        "energy": "0",
        "sleep_hours": "7.5",
        "sleep_quality": "10",
        "note": "Calmer.",
        "tags": "",
        "scales": "",
        "own_scales": "",
    }
    reading = checkins.reading(item.id, item.fields)
    assert reading is not None
    assert reading.values == {"mood": 6, "anxiety": 3, "energy": 0, "sleep_quality": 10, "sleep_hours": 7.5}


def test_a_check_in_can_be_for_an_earlier_time(db: People) -> None:
    yesterday = (utcnow() - timedelta(days=1)).replace(microsecond=0)
    item_id = _save(db.client_a.id, felt_at=yesterday.isoformat())
    with session_scope() as session:
        item = items.open_own(session, owner_id=db.client_a.id, kind=checkins.KIND, item_id=item_id)
    assert datetime.fromisoformat(item.fields["felt_at"]) == yesterday


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"mood": -1}, "Mood: choose a whole number from 0 to 10."),
        ({"mood": 11}, "Mood: choose a whole number from 0 to 10."),
        ({"mood": 5.5}, "Mood: choose a whole number from 0 to 10."),
        ({"mood": True}, "Mood: choose a whole number from 0 to 10."),
        ({"mood": None}, "Mood: choose a whole number from 0 to 10."),
        ({"mood": math.nan}, "Mood: choose a whole number from 0 to 10."),
        ({"mood": " 5"}, "Mood: choose a whole number from 0 to 10."),
        ({"mood": "05"}, "Mood: choose a whole number from 0 to 10."),
        ({"anxiety": 11}, "Anxiety: choose a whole number from 0 to 10."),
        ({"energy": -1}, "Energy: choose a whole number from 0 to 10."),
        ({"sleep_quality": 2.5}, "Sleep quality: choose a whole number from 0 to 10."),
        ({"sleep_hours": 25}, "Sleep: enter hours from 0 to 24, like 7 or 7.5."),
        ({"sleep_hours": -1}, "Sleep: enter hours from 0 to 24, like 7 or 7.5."),
        ({"sleep_hours": 7.25}, "Sleep: enter hours from 0 to 24, like 7 or 7.5."),
        ({"sleep_hours": math.inf}, "Sleep: enter hours from 0 to 24, like 7 or 7.5."),
        ({"sleep_hours": math.nan}, "Sleep: enter hours from 0 to 24, like 7 or 7.5."),
        ({"sleep_hours": True}, "Sleep: enter hours from 0 to 24, like 7 or 7.5."),
        ({"note": "x" * 10_000}, "Note is too long: the limit is 1,000 characters."),
        ({"note": "a\x00b"}, "Note contains characters that can't be saved."),
        ({"felt_at": (utcnow() + timedelta(days=1)).isoformat()}, "A check-in can't be in the future."),
        ({"felt_at": "2026-11-30T12:00"}, "Choose when this check-in is for."),  # no time zone
        ({"felt_at": "yesterday"}, "Choose when this check-in is for."),
        ({"felt_at": "1999-12-31T12:00:00+00:00"}, "Choose a time between January 1, 2000 and now."),
        ({"felt_at": 1764529200}, "Choose when this check-in is for."),
        ({"colour": "blue"}, "This couldn't be saved. Please try again."),
    ],
)
def test_bad_input_gets_a_clear_message_and_changes_nothing(
    db: People, changes: dict[str, Any], message: str
) -> None:
    with session_scope() as session:
        before = row_counts(session)
    with pytest.raises(InvalidInput) as refused, session_scope() as session:
        items.save(
            session,
            owner_id=db.client_a.id,
            kind=checkins.KIND,
            item_id=uuid.uuid4(),
            values=_values(**changes),
        )
    assert str(refused.value).startswith(message)
    # It names the field that is wrong (its page puts the focus there), if one is.
    assert refused.value.field == ("" if "colour" in changes else next(iter(changes)))
    with session_scope() as session:
        assert row_counts(session) == before


# --- the numbers --------------------------------------------------------------------------------


def _reading(day: int, hour: int, **values: float) -> checkins.Reading:
    return checkins.Reading(str(uuid.uuid4()), datetime(2026, 11, day, hour, tzinfo=UTC), dict(values))


def test_days_are_the_persons_own_and_a_day_is_the_mean_of_its_check_ins() -> None:
    # 03:00 UTC on the 10th is the evening of the 9th in Vancouver.
    readings = [_reading(10, 3, mood=2), _reading(10, 18, mood=8), _reading(10, 20, mood=6)]
    assert checkins.daily(readings, "mood", "America/Vancouver") == {
        date(2026, 11, 9): [2],
        date(2026, 11, 10): [8, 6],
    }
    line = checkins.series(readings, "mood", "America/Vancouver")
    assert (line.days, line.values) == ([date(2026, 11, 9), date(2026, 11, 10)], [2, 7])


def test_the_rolling_average_counts_only_days_with_a_value_and_seven_days_back() -> None:
    days = [date(2026, 11, d) for d in (1, 2, 8, 9, 20)]
    assert checkins.rolling_average(days, [4, 6, 8, 10, 3]) == [4, 5, 7, 9, 3]
    # Day 8's window is days 2–8 (day 1 is out); day 20 stands alone: a gap is not a zero.


def test_a_range_starts_later_but_its_first_average_remembers_the_days_before() -> None:
    readings = [_reading(d, 12, mood=m) for d, m in ((1, 2), (3, 4), (5, 6), (6, 8))]
    line = checkins.series(readings, "mood", "UTC", since=date(2026, 11, 5))
    assert (line.days, line.values, line.rolling) == ([date(2026, 11, 5), date(2026, 11, 6)], [6, 8], [4, 5])


def test_a_dimension_without_values_is_left_out_not_drawn_as_zero() -> None:
    readings = [_reading(1, 12, mood=5), _reading(2, 12, mood=6, anxiety=2)]
    assert checkins.series(readings, "anxiety", "UTC").days == [date(2026, 11, 2)]
    assert checkins.summary_numbers(readings, "energy", None) == (None, 0)
    assert checkins.summary_numbers(readings, "mood", None) == (5.5, 2)


# --- the figures ---------------------------------------------------------------------------------


def test_the_trend_figure_holds_only_what_it_draws_in_the_readers_words() -> None:
    readings = [_reading(28, 12, mood=4, anxiety=6), _reading(30, 12, mood=8)]
    trend = charts.trend(readings, "2w", Reader(FRENCH, "America/Toronto"), NOW)
    data = trend.figure["data"]
    assert [(t["name"], t["mode"], list(t["x"]), list(t["y"])) for t in data] == [
        ("Humeur", "markers", ["2026-11-28", "2026-11-30"], [4, 8]),
        ("Humeur, moyenne sur 7 jours", "lines", ["2026-11-28", "2026-11-30"], [4, 6]),
        ("Anxiété", "markers", ["2026-11-28"], [6]),
        ("Anxiété, moyenne sur 7 jours", "lines", ["2026-11-28"], [6]),
    ]
    assert list(data[0]["customdata"]) == ["28 nov. 2026", "30 nov. 2026"]
    assert trend.figure["layout"]["xaxis"]["ticktext"][0] == "17 nov."  # Babel's months, 14 days back
    # In English, month first, as the app's other dates ("Nov 30, 2026"), not "17 Nov".
    english = charts.trend(readings, "2w", Reader(ENGLISH, "America/Toronto"), NOW)
    assert english.figure["layout"]["xaxis"]["ticktext"][0] == "Nov 17"
    # A year leaves room for today's whole point at the edge (a day is about a pixel on a
    # phone): 8 days each side, not 1 as for two weeks.
    assert english.figure["layout"]["xaxis"]["range"] == ["2026-11-16", "2026-12-01"]
    year = charts.trend(readings, "1y", Reader(ENGLISH, "America/Toronto"), NOW)
    assert year.figure["layout"]["xaxis"]["range"][1] == "2026-12-08"
    # The axis ends on today, labelled; over a year, each label says its year too.
    assert english.figure["layout"]["xaxis"]["tickvals"][-1] == "2026-11-30"
    assert english.figure["layout"]["xaxis"]["ticktext"][-1] == "Nov 30"
    assert year.figure["layout"]["xaxis"]["tickvals"][-1] == "2026-11-30"
    assert list(year.figure["layout"]["xaxis"]["ticktext"]) == [
        "Dec 2025",
        "Mar 2026",
        "Jun 2026",
        "Aug 2026",
        "Nov 2026",
    ]
    assert trend.summary == "Humeur moyenne de 6 sur cette période, 2 bilans."
    # Nothing else rides along: no ids, no notes, no template.
    sent = json.dumps(trend.figure, default=str)
    assert readings[0].id not in sent and "template" not in json.loads(sent)["layout"]


def test_a_line_never_runs_across_days_without_a_check_in() -> None:
    """An attack review: the brief's line ran straight across days the client kept private
    (2, then 10, 10, 9 unshared, then 2 drew one flat line at 2). A day's line joins the
    next day only; the rolling average stops where no check-in is in its seven days."""
    readings = [_reading(day, 12, mood=mood) for day, mood in ((20, 2), (23, 2), (24, 3), (29, 2))]
    brief = charts.window(
        readings,
        Reader(ENGLISH, "UTC"),
        since=datetime(2026, 11, 16, tzinfo=UTC),
        now=NOW,
        held=False,
        shared=True,
    )
    (mood,) = brief.figure["data"]
    assert mood["mode"] == "lines+markers" and mood["connectgaps"] is False
    assert list(mood["x"]) == [
        "2026-11-20",
        "2026-11-21",
        "2026-11-23",
        "2026-11-24",
        "2026-11-25",
        "2026-11-29",
    ]
    assert list(mood["y"]) == [2, None, 2, 3, None, 2]
    assert list(mood["customdata"]) == [
        "Nov 20, 2026",
        "",
        "Nov 23, 2026",
        "Nov 24, 2026",
        "",
        "Nov 29, 2026",
    ]
    # The table lists the days that have one, no empty rows.
    assert [row[0] for row in brief.figure["layout"]["meta"]["table"]["rows"]] == [
        "Nov 20, 2026",
        "Nov 23, 2026",
        "Nov 24, 2026",
        "Nov 29, 2026",
    ]

    spaced = [
        _reading(1, 12, mood=5),
        _reading(8, 12, mood=7),
        _reading(20, 12, mood=7),
        _reading(21, 12, mood=9),
    ]
    _, average = charts.trend(spaced, "all", Reader(ENGLISH, "UTC"), NOW).figure["data"]
    # Nov 8 is seven days on: each day between has Nov 1 in its seven. Nov 20 is not.
    assert list(average["x"]) == ["2026-11-01", "2026-11-08", "2026-11-09", "2026-11-20", "2026-11-21"]
    assert list(average["y"]) == [5, 7, None, 7, 8]


def test_a_range_leaves_out_what_is_older_and_the_summary_counts_the_range() -> None:
    readings = [_reading(1, 12, mood=2), _reading(29, 12, mood=8)]
    two_weeks = charts.trend(readings, "2w", Reader(ENGLISH, "UTC"), NOW)
    assert list(two_weeks.figure["data"][0]["x"]) == ["2026-11-29"]
    assert two_weeks.summary == "Average mood 8 over this range, 1 check-in."
    everything = charts.trend(readings, "all", Reader(ENGLISH, "UTC"), NOW)
    assert everything.summary == "Average mood 5 over this range, 2 check-ins."
    assert charts.trend([], "2w", Reader(ENGLISH, "UTC"), NOW).summary == "No check-ins in this range yet."


def test_with_and_without_tags_draws_no_axis_of_made_up_numbers_before_a_tag_is_used() -> None:
    """Every new client sees this chart before tagging a check-in: it drew an x axis of 0,
    2, 4, 6 (no category to name) and a legend for bars that are not there."""
    readings = [_reading(1, 12, mood=6), _reading(2, 12, mood=4)]
    empty = charts.by_tag(readings, [checkins.Label(str(uuid.uuid4()), "work")], Reader(ENGLISH, "UTC"))
    assert empty.figure["layout"]["xaxis"]["visible"] is False
    assert empty.figure["layout"]["showlegend"] is False
    assert empty.summary == "Add tags to your check-ins to see how mood went with them."
    tag = checkins.Label(str(uuid.uuid4()), "work")
    tagged = [*readings, checkins.Reading(str(uuid.uuid4()), NOW - timedelta(days=3), {"mood": 7}, (tag.id,))]
    drawn = charts.by_tag(tagged, [tag], Reader(ENGLISH, "UTC"))
    assert drawn.figure["layout"]["xaxis"].get("visible", True) and drawn.figure["layout"]["showlegend"]
    assert [t["x"] for t in drawn.figure["data"]] == [["work"], ["work"]]
    # A long name is drawn by its start under its bars (whole, it squeezed the plot on a phone).
    long = checkins.Label(tag.id, "Talking with my sister about the holidays")
    axis = charts.by_tag(tagged, [long], Reader(ENGLISH, "UTC")).figure["layout"]["xaxis"]
    assert (axis["tickvals"], axis["ticktext"]) == ([long.name], ["Talking with…"])
    # Two names that start alike are told apart (a walk-through: both "Visiting my p…"), and
    # a bar's label names its tag whole.
    parents = checkins.Label(str(uuid.uuid4()), "Visiting my parents on the weekend")
    partner = checkins.Label(str(uuid.uuid4()), "Visiting my partner's family for dinner")
    both = [
        *tagged,
        checkins.Reading(str(uuid.uuid4()), NOW - timedelta(days=4), {"mood": 5}, (parents.id,)),
        checkins.Reading(str(uuid.uuid4()), NOW - timedelta(days=5), {"mood": 3}, (partner.id,)),
    ]
    alike = charts.by_tag(both, [long, parents, partner], Reader(ENGLISH, "UTC")).figure
    assert alike["layout"]["xaxis"]["ticktext"] == [
        "Talking with…",
        "Visiting my paren…",
        "Visiting my partn…",
    ]
    with_tag = alike["data"][0]
    assert "%{x}" not in with_tag["hovertemplate"]
    assert [name for name, _count in with_tag["customdata"]] == [
        long.name,
        parents.name,
        partner.name,  # (html.escape leaves a ' alone with quote=False)
    ]


def test_names_a_person_typed_are_drawn_as_typed_not_as_plotlys_markup() -> None:
    """INPUT-3: Plotly reads `<a href>`, `<b>`… in names and labels, and `%{…}` in a point's
    label; a scale's or a tag's name is escaped for the figure and kept as is in its table."""
    scale = checkins.Label(str(uuid.uuid4()), '<a href="https://ev.il/x">Sign in</a>')
    tag = checkins.Label(str(uuid.uuid4()), "<b>work</b>%{y}")
    readings = [
        checkins.Reading(
            str(uuid.uuid4()), datetime(2026, 11, 29, 12, tzinfo=UTC), {"mood": 6, scale.id: 4}, (tag.id,)
        ),
        _reading(30, 12, mood=4),
    ]
    trend = charts.trend(readings, "2w", Reader(ENGLISH, "UTC"), NOW, scales=[scale])
    patterns = charts.by_tag(readings, [tag], Reader(ENGLISH, "UTC"))
    drawn = [*trend.figure["data"], *patterns.figure["data"]]
    names = [t["name"] for t in drawn] + [x for t in patterns.figure["data"] for x in t["x"]]
    names += patterns.figure["layout"]["xaxis"]["ticktext"]
    assert '&lt;a href="https://ev.il/x"&gt;Sign in&lt;/a&gt;' in names
    assert "&lt;b&gt;work&lt;/b&gt;%{y}" in names and "&lt;b&gt;work&lt;/b&gt;%{…" in names
    assert not [name for name in names if "<" in name]
    labels = " ".join(t.get("hovertemplate", "") for t in drawn)
    assert "ev.il" not in labels and "work" not in labels
    # The table beside each chart is text on the page (React escapes it): the names as typed.
    assert scale.name in trend.figure["layout"]["meta"]["table"]["head"]
    assert [row[0] for row in patterns.figure["layout"]["meta"]["table"]["rows"]] == [tag.name]


def test_a_shared_check_ins_card_says_its_tags_and_own_scales_stay_with_the_client() -> None:
    """Shared, a check-in's tags and the client's own scales still reach no clinician; its
    card, which says "Shared with Dr. Lee", says so beside them (a walk-through read the
    share as covering them). A private check-in's card needs no such word."""
    tag, own = checkins.Label(str(uuid.uuid4()), "work"), checkins.Label(str(uuid.uuid4()), "Pacing", True)
    suggested = checkins.Label(str(uuid.uuid4()), "Urge")
    fields = {
        "felt_at": NOW.isoformat(),
        "mood": "6",
        "tags": json.dumps([tag.id]),
        "scales": json.dumps({suggested.id: 4}),
        "own_scales": json.dumps({own.id: 7}),
    }
    item = OwnItem(uuid.uuid4(), checkins.KIND.name, fields, NOW, NOW, shared_with=("Dr. Lee",))
    labels = [tag, own, suggested]
    shared = views.check_in_line(item, Reader(ENGLISH, "UTC"), NOW, labels).details
    assert shared == "Urge 4 / 10 · Pacing 7 / 10 (only you) · Tags (only you): work", shared
    private = views.check_in_line(replace(item, shared_with=()), Reader(ENGLISH, "UTC"), NOW, labels)
    assert private.details == "Urge 4 / 10 · Pacing 7 / 10 · Tags: work"
    french = views.check_in_line(item, Reader(FRENCH, "UTC"), NOW, labels).details
    assert "Étiquettes (vous seul·e)\u00a0: work" in french and "7 / 10 (vous seul·e)" in french


# --- the clinician's side ----------------------------------------------------------------------


def test_a_clinicians_chart_gets_only_shared_check_ins_each_audited_and_seen(db: People) -> None:
    a, dr_a = db.client_a.id, db.clinician_a.id
    with session_scope() as session:
        link(session, client_id=a, clinician_id=dr_a)
    shared = [_save(a, mood=9, note="shared note"), _save(a, mood=2)]
    _save(a, mood=5, note="private note")
    with session_scope() as session:
        for item_id in shared:
            sharing.set_shared(session, owner_id=a, item_id=item_id, clinician_id=dr_a, shared=True)
        before = len(audit_events(session))
    with session_scope() as session:
        drawn = sharing.every_shared(session, clinician_id=dr_a, client_id=a, kind=checkins.KIND)
    assert sorted(item.id for item in drawn) == sorted(shared)
    assert sorted(item.fields["mood"] for item in drawn) == ["2", "9"]
    with session_scope() as session:
        views = [e for e in audit_events(session)[before:] if e.action == AuditAction.VIEW_SHARED_ITEM]
        assert sorted(e.item_id for e in views if e.item_id) == sorted(shared)
        shares = sharing.shares_of(session, owner_id=a, item_ids=shared)
    assert all(share.seen_at is not None for item_id in shared for share in shares[item_id])
    # Another clinician, not linked, is refused.
    with pytest.raises(Exception, match="isn't available"), session_scope() as session:
        sharing.every_shared(session, clinician_id=db.clinician_b.id, client_id=a, kind=checkins.KIND)


def test_a_clinician_reads_the_notes_of_shared_check_ins_newest_first(db: People) -> None:
    """A note is shared with its check-in: the clinician's pages list the notes of the
    check-ins they draw (within the range or window), newest first, a page at a time."""
    a, dr_a = db.client_a.id, db.clinician_a.id
    with session_scope() as session:
        link(session, client_id=a, clinician_id=dr_a)
    now = utcnow()
    days_ago = {"old": 20, "middle": 2, "new": 1}
    noted = {
        label: _save(a, mood=mood, note=f"  {label} note  ", felt_at=(now - timedelta(days=days)).isoformat())
        for (label, days), mood in zip(days_ago.items(), (3, 5, 8), strict=True)
    }
    silent = _save(a, mood=4, felt_at=(now - timedelta(hours=5)).isoformat())  # no note
    _save(a, mood=1, note="never shared")
    with session_scope() as session:
        for item_id in (*noted.values(), silent):
            sharing.set_shared(session, owner_id=a, item_id=item_id, clinician_id=dr_a, shared=True)
    with session_scope() as session:
        drawn = sharing.every_shared(session, clinician_id=dr_a, client_id=a, kind=checkins.KIND)
    reader = Reader(ENGLISH, "America/Vancouver")
    notes, older = views.check_in_notes(drawn, reader)
    assert [(n.note, n.mood) for n in notes] == [
        ("new note", "Mood 8 / 10"),
        ("middle note", "Mood 5 / 10"),
        ("old note", "Mood 3 / 10"),
    ]
    assert older == 0
    felt = now - timedelta(days=1)
    assert notes[0].when == reader.when(felt)  # in the clinician's own time zone
    # A window (the brief's) or a range: only the notes of the check-ins it draws.
    notes, older = views.check_in_notes(drawn, reader, since=now - timedelta(days=14))
    assert [n.note for n in notes] == ["new note", "middle note"] and older == 0
    # A page at a time: the newest first, and how many older ones are left.
    notes, older = views.check_in_notes(drawn, reader, most=2)
    assert [n.note for n in notes] == ["new note", "middle note"] and older == 1
    french, _older = views.check_in_notes(drawn, Reader(FRENCH, "America/Montreal"), most=1)
    assert french[0].mood == "Humeur 8 / 10"


def test_weekday_means_average_each_days_mean_and_count_days() -> None:
    # Mon 23 Nov twice (2 and 4: a day of 3), Mon 30 Nov (7), Wed 25 Nov (5).
    readings = [
        _reading(23, 10, mood=2),
        _reading(23, 20, mood=4),
        _reading(30, 12, mood=7),
        _reading(25, 12, mood=5),
    ]
    assert checkins.weekday_means(readings, "mood", "UTC") == {0: (5.0, 2), 2: (5.0, 1)}


def test_the_year_in_pixels_draws_a_square_per_day_with_a_check_in_and_nothing_else() -> None:
    readings = [
        _reading(30, 12, mood=8),  # Monday, this week
        _reading(25, 12, mood=3),  # Wednesday, last week
        checkins.Reading("old", datetime(2025, 1, 1, 12, tzinfo=UTC), {"mood": 1.0}),  # over a year back
    ]
    year = charts.calendar(readings, Reader(FRENCH, "UTC"), NOW)
    (squares,) = year.figure["data"]
    assert (list(squares["x"]), list(squares["y"]), list(squares["marker"]["color"])) == (
        [51, 52],
        [2, 0],
        [3, 8],
    )
    assert list(squares["customdata"]) == ["25 nov. 2026", "30 nov. 2026"]
    assert list(year.figure["layout"]["yaxis"]["ticktext"]) == ["lun.", "mer.", "ven.", "dim."]
    # Every other month, by its first day's week, ending on this month (a walk-through found
    # this week's squares under no label); not last December's at the far left.
    months = charts.calendar(readings, Reader(ENGLISH, "UTC"), NOW).figure["layout"]["xaxis"]
    assert list(months["ticktext"]) == ["Jan", "Mar", "May", "Jul", "Sep", "Nov"]
    assert list(months["tickvals"])[-1] == (date(2026, 11, 1) - date(2025, 12, 1)).days // 7
    assert year.summary == "Humeur moyenne par jour sur la dernière année\u00a0: 2 jours avec un bilan."


def _contrast(one: str, other: str) -> float:
    def luminance(colour: str) -> float:
        channels = [int(colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    light, dark = sorted((luminance(one), luminance(other)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_every_line_and_edge_the_charts_draw_is_seen_on_a_light_and_a_dark_page() -> None:
    """Points, lines and the year's day edges at least 3:1 against the page (WCAG 1.4.11),
    in light mode (white) and dark mode (Radix's #111113). A walk-through measured the year
    in pixels' mood 10 at 1.2:1 on white and mood 0 at 1.2:1 in dark mode."""
    readings = [_reading(30, 12, mood=10), _reading(25, 12, mood=0)]
    (squares,) = charts.calendar(readings, Reader(ENGLISH, "UTC"), NOW).figure["data"]
    drawn = [*charts.COLOURS.values(), *charts.EXTRA_COLOURS, squares["marker"]["line"]["color"]]
    for colour in drawn:
        for page in ("#FFFFFF", "#111113"):
            assert _contrast(colour, page) >= 3, (colour, page, round(_contrast(colour, page), 2))
    assert squares["marker"]["line"]["width"] >= 1


def test_the_weekday_chart_says_each_average_and_how_many_days_it_is_over() -> None:
    readings = [
        _reading(23, 10, mood=2),
        _reading(23, 20, mood=4),
        _reading(30, 12, mood=7),
        _reading(25, 12, mood=5),
    ]
    weekdays = charts.by_weekday(readings, Reader(ENGLISH, "UTC"))
    (bars,) = weekdays.figure["data"]
    assert (list(bars["x"]), list(bars["y"])) == (["Monday", "Wednesday"], [5.0, 5.0])
    assert weekdays.summary == "Average mood by weekday: Monday: 5 (2 days); Wednesday: 5 (1 day)."
    assert charts.by_weekday([], Reader(ENGLISH, "UTC")).summary == "No check-ins yet."


def test_several_are_shared_in_one_action_or_none_is(db: People) -> None:
    a, b, dr_a = db.client_a.id, db.client_b.id, db.clinician_a.id
    with session_scope() as session:
        link(session, client_id=a, clinician_id=dr_a)
    mine = [str(_save(a, mood=m)) for m in (1, 2, 3)]
    theirs = str(_save(b, mood=9))

    def share_many(item_ids: object, shared: bool) -> int:
        with session_scope() as session:
            return sharing.set_shared_many(
                session, owner_id=a, item_ids=item_ids, clinician_id=dr_a, shared=shared
            )

    def drawn() -> list[str]:
        with session_scope() as session:
            found = sharing.every_shared(session, clinician_id=dr_a, client_id=a, kind=checkins.KIND)
        return sorted(str(item.id) for item in found)

    assert share_many([*mine, mine[0]], True) == 3  # a repeat counts once
    assert drawn() == sorted(mine)
    # One that isn't the client's: refused, and the others are not made private either.
    with pytest.raises(Exception, match="isn't available"):
        share_many([mine[0], theirs], False)
    assert drawn() == sorted(mine)
    assert share_many(mine[:2], False) == 2
    assert drawn() == [mine[2]]
    # It says how many changed: one shared and one private made private is one (a
    # walk-through read "2 check-ins made private"); none, when none was shared.
    assert share_many(mine[1:], False) == 1
    assert share_many(mine, False) == 0
    assert drawn() == []
    for bad in ([], None, "x", [{"id": mine[0]}], [mine[0]] * 201):
        with pytest.raises(InvalidInput):
            share_many(bad, True)


# --- tags and extra scales ------------------------------------------------------------------------


def _in_session(function, **kwargs):
    with session_scope() as session:
        return function(session, **kwargs)


def test_a_tag_name_the_client_already_has_is_that_tag_not_a_second_one(db: People) -> None:
    a = db.client_a.id
    work = _in_session(checkins.add_tag, owner_id=a, name="work")
    family = _in_session(checkins.add_tag, owner_id=a, name="family")
    assert _in_session(checkins.add_tag, owner_id=a, name="  Work ") == work
    assert [t.name for t in _in_session(checkins.tags_of, owner_id=a)] == ["work", "family"]
    with pytest.raises(InvalidInput) as refused:
        _in_session(checkins.rename_tag, owner_id=a, tag_id=str(family), name="WORK")
    assert refused.value.message == "You already have a tag called {name}."
    _in_session(checkins.rename_tag, owner_id=a, tag_id=str(work), name="Work")  # its own name, recased
    _in_session(checkins.remove_tag, owner_id=a, tag_id=str(work))
    again = _in_session(checkins.add_tag, owner_id=a, name="work")
    assert again not in (work, family)  # a removed tag's name is free again


def test_tags_are_added_renamed_removed_and_only_the_clients_own_can_be_used(db: People) -> None:
    a, b = db.client_a.id, db.client_b.id
    work = _in_session(checkins.add_tag, owner_id=a, name=" work ")
    family = _in_session(checkins.add_tag, owner_id=a, name="family")
    theirs = _in_session(checkins.add_tag, owner_id=b, name="gym")
    _in_session(checkins.rename_tag, owner_id=a, tag_id=str(family), name="famille")
    assert [(t.id, t.name) for t in _in_session(checkins.tags_of, owner_id=a)] == [
        (str(work), "work"),
        (str(family), "famille"),
    ]
    item_id = uuid.uuid4()
    _in_session(checkins.save, owner_id=a, item_id=item_id, values=_values(tags=[str(work), str(family)]))
    reading = checkins.reading(
        item_id, _in_session(items.open_own, owner_id=a, kind=checkins.KIND, item_id=item_id).fields
    )
    assert reading is not None and set(reading.tags) == {str(work), str(family)}
    # Someone else's tag, an unknown one, or a removed one: refused, nothing saved.
    _in_session(checkins.remove_tag, owner_id=a, tag_id=str(family))
    for bad in ([str(theirs)], [str(uuid.uuid4())], [str(family)]):
        with session_scope() as session:
            before = row_counts(session)
        with pytest.raises(InvalidInput, match="That tag isn't one of yours"):
            _in_session(checkins.save, owner_id=a, item_id=uuid.uuid4(), values=_values(tags=bad))
        with session_scope() as session:
            assert row_counts(session) == before
    for bad_list in (["not-an-id"], [str(work)] * 11, "work", {"id": str(work)}):
        with pytest.raises(InvalidInput, match="Choose tags from your list"):
            _in_session(checkins.save, owner_id=a, item_id=uuid.uuid4(), values=_values(tags=bad_list))
    # Nobody renames or removes a tag of someone else's.
    for change in (
        lambda: _in_session(checkins.rename_tag, owner_id=b, tag_id=str(work), name="x"),
        lambda: _in_session(checkins.remove_tag, owner_id=b, tag_id=str(work)),
    ):
        with pytest.raises(Exception, match="isn't available"):
            change()


def test_a_private_scale_never_reaches_a_clinician_whatever_is_shared(db: People) -> None:
    a, dr_a, dr_b = db.client_a.id, db.clinician_a.id, db.clinician_b.id
    with session_scope() as session:
        link(session, client_id=a, clinician_id=dr_a)
    suggested = _in_session(
        checkins.add_scale, client_id=str(a), added_by=dr_a, name="Urge to self-criticise"
    )
    private = _in_session(checkins.add_scale, client_id=str(a), added_by=a, name="PRIVATE-SCALE-NAME")
    # A clinician who isn't linked can't suggest one.
    with pytest.raises(Exception, match="isn't available"):
        _in_session(checkins.add_scale, client_id=str(a), added_by=dr_b, name="x")
    item_id = uuid.uuid4()
    values = _values(scales={str(suggested): 7}, own_scales={str(private): 9}, note="")
    _in_session(checkins.save, owner_id=a, item_id=item_id, values=values)
    with session_scope() as session:
        sharing.set_shared(session, owner_id=a, item_id=item_id, clinician_id=dr_a, shared=True)
    # The client sees both scales and both ratings.
    assert [(s.name, s.private) for s in _in_session(checkins.scales_of, client_id=a, viewer_id=a)] == [
        ("Urge to self-criticise", False),
        ("PRIVATE-SCALE-NAME", True),
    ]
    own = _in_session(items.open_own, owner_id=a, kind=checkins.KIND, item_id=item_id)
    assert json.loads(own.fields["own_scales"]) == {str(private): 9}
    # The clinician: the suggested scale and its rating; of the private one, nothing at all.
    scales = _in_session(checkins.scales_of, client_id=a, viewer_id=dr_a)
    drawn = _in_session(sharing.every_shared, clinician_id=dr_a, client_id=a, kind=checkins.KIND)
    assert [s.name for s in scales] == ["Urge to self-criticise"]
    (shown,) = drawn
    assert json.loads(shown.fields["scales"]) == {str(suggested): 7}
    seen = repr(scales) + repr(drawn)
    for secret in (str(private), "PRIVATE-SCALE-NAME", "own_scales", "tags"):
        assert secret not in seen
    # A private scale's rating can't be filed as a suggested one (or the other way round).
    for wrong in ({"scales": {str(private): 1}}, {"own_scales": {str(suggested): 1}}):
        with pytest.raises(InvalidInput, match="That scale isn't one of yours"):
            _in_session(checkins.save, owner_id=a, item_id=uuid.uuid4(), values=_values(**wrong))
    # Who added a scale removes it, and so may the client: the form is theirs.
    assert _in_session(checkins.remove_scale, actor_id=dr_a, scale_id=str(suggested)) == dr_a
    assert _in_session(checkins.scales_of, client_id=a, viewer_id=dr_a) == []
    again = _in_session(checkins.add_scale, client_id=str(a), added_by=dr_a, name="Urge")
    assert _in_session(checkins.remove_scale, actor_id=a, scale_id=str(again)) == dr_a
    left = _in_session(checkins.scales_of, client_id=a, viewer_id=a)
    assert [s.name for s in left] == ["PRIVATE-SCALE-NAME"]


def test_a_clinician_sees_only_the_scales_they_suggested(db: People) -> None:
    """Found by an attack review: a second clinician, shown nothing, read the names of the
    scales the first had suggested (what the client tracks with them, and that they exist)."""
    a, dr_a, dr_b = db.client_a.id, db.clinician_a.id, db.clinician_b.id
    with session_scope() as session:
        link(session, client_id=a, clinician_id=dr_a)
        link(session, client_id=a, clinician_id=dr_b)
    first = _in_session(checkins.add_scale, client_id=str(a), added_by=dr_a, name="SCALE-OF-DR-A")
    second = _in_session(checkins.add_scale, client_id=str(a), added_by=dr_b, name="Sleep worry")
    assert [s.id for s in _in_session(checkins.scales_of, client_id=a, viewer_id=dr_b)] == [str(second)]
    assert [s.id for s in _in_session(checkins.scales_of, client_id=a, viewer_id=dr_a)] == [str(first)]
    assert len(_in_session(checkins.scales_of, client_id=a, viewer_id=a)) == 2
    with pytest.raises(Exception, match="isn't available"):  # nor may one remove the other's
        _in_session(checkins.remove_scale, actor_id=dr_b, scale_id=str(first))


def test_suggestions_have_their_own_places_and_leave_with_the_link(db: People) -> None:
    """Found by an attack review: a clinician could fill all twenty places with suggestions
    the client could neither remove nor get rid of by ending the link. Now each clinician
    suggests at most five, the client's own scales have their twenty places apart, and
    ending the link takes that clinician's suggestions off the client's check-ins."""
    a, dr_a, dr_b = db.client_a.id, db.clinician_a.id, db.clinician_b.id
    with session_scope() as session:
        link(session, client_id=a, clinician_id=dr_a)
        link(session, client_id=a, clinician_id=dr_b)
    for index in range(checkins.SUGGESTED_PER_CLINICIAN):
        _in_session(checkins.add_scale, client_id=str(a), added_by=dr_a, name=f"From A {index}")
    with pytest.raises(InvalidInput, match="You've suggested as many scales as you can"):
        _in_session(checkins.add_scale, client_id=str(a), added_by=dr_a, name="One more")
    from_b = _in_session(checkins.add_scale, client_id=str(a), added_by=dr_b, name="From B")
    for index in range(checkins.SCALES_PER_CLIENT):
        _in_session(checkins.add_scale, client_id=str(a), added_by=a, name=f"Mine {index}")
    with pytest.raises(InvalidInput, match="as many scales as there can be"):
        _in_session(checkins.add_scale, client_id=str(a), added_by=a, name="Mine, one more")
    with session_scope() as session:
        links.end_link(session, client_id=a, clinician_id=dr_a)
    left = _in_session(checkins.scales_of, client_id=a, viewer_id=a)
    assert [s.id for s in left if not s.private] == [str(from_b)]
    assert sum(s.private for s in left) == checkins.SCALES_PER_CLIENT
    with session_scope() as session:  # their names are gone from the database too
        retired = session.exec(
            select(CheckInScale).where(col(CheckInScale.added_by) == dr_a, col(CheckInScale.client_id) == a)
        ).all()
        assert len(retired) == checkins.SUGGESTED_PER_CLINICIAN
        assert all(row.removed_at is not None and row.name_ct is None for row in retired)


def test_a_clinician_changes_a_clients_scales_only_while_linked_and_every_change_is_audited(
    db: People,
) -> None:
    """Found by an attack review: a clinician whose link had ended could still remove the
    scale they had suggested (a change to the client's check-ins), and nothing was audited."""
    a, dr_a, dr_b = db.client_a.id, db.clinician_a.id, db.clinician_b.id
    with session_scope() as session:
        link(session, client_id=a, clinician_id=dr_a)
        before = len(audit_events(session))
    kept = _in_session(checkins.add_scale, client_id=str(a), added_by=dr_a, name="Urge")
    removed = _in_session(checkins.add_scale, client_id=str(a), added_by=dr_a, name="Worry")
    _in_session(checkins.remove_scale, actor_id=dr_a, scale_id=str(removed))
    own = _in_session(checkins.add_scale, client_id=str(a), added_by=a, name="Mine")  # the client's: private
    # Another clinician can't remove it: refused, audited.
    with pytest.raises(Exception, match="isn't available"):
        _in_session(checkins.remove_scale, actor_id=dr_b, scale_id=str(kept))
    with session_scope() as session:
        links.end_link(session, client_id=a, clinician_id=dr_a)
        after_link = len(audit_events(session))
    # The link ended: the clinician changes nothing of the client's any more.
    with pytest.raises(Exception, match="isn't available"):
        _in_session(checkins.remove_scale, actor_id=dr_a, scale_id=str(kept))
    with pytest.raises(Exception, match="isn't available"):
        _in_session(checkins.add_scale, client_id=str(a), added_by=dr_a, name="Late")
    # (and what they suggested left the client's check-ins with the link)
    assert [s.id for s in _in_session(checkins.scales_of, client_id=a, viewer_id=a)] == [str(own)]
    with session_scope() as session:
        events = audit_events(session)
    changes = [(e.actor_id, e.action, e.outcome, e.subject_id) for e in events[before:after_link]]
    assert [c for c in changes if c[1] == AuditAction.ASSIGN] == [
        (dr_a, AuditAction.ASSIGN, AuditOutcome.ALLOWED, a),  # suggested
        (dr_a, AuditAction.ASSIGN, AuditOutcome.ALLOWED, a),  # suggested
        (dr_a, AuditAction.ASSIGN, AuditOutcome.ALLOWED, a),  # removed
        (dr_b, AuditAction.ASSIGN, AuditOutcome.DENIED, a),  # not linked: whose scales it tried, named
    ]
    late = [(e.actor_id, e.action, e.outcome, e.subject_id) for e in events[after_link:]]
    assert late == [(dr_a, AuditAction.ASSIGN, AuditOutcome.DENIED, a)] * 2


def _scale_names(client_id: uuid.UUID, viewer_id: uuid.UUID) -> list[tuple[str, str]]:
    return [(s.id, s.name) for s in _in_session(checkins.scales_of, client_id=client_id, viewer_id=viewer_id)]


def test_a_scale_of_a_name_already_there_is_refused_among_the_scales_one_sees(db: People) -> None:
    """Found by a review: two scales called "Headache" in one check-in could be added (only a
    rename refused it), and couldn't be told apart. A clinician is never told of a scale they
    don't see: the name of another clinician's suggestion is not taken for them."""
    a, dr_a, dr_b = db.client_a.id, db.clinician_a.id, db.clinician_b.id
    with session_scope() as session:
        link(session, client_id=a, clinician_id=dr_a)
        link(session, client_id=a, clinician_id=dr_b)
    _in_session(checkins.add_scale, client_id=str(a), added_by=a, name="Headache")
    with pytest.raises(InvalidInput, match="already a scale called"):
        _in_session(checkins.add_scale, client_id=str(a), added_by=a, name=" headache ")
    _in_session(checkins.add_scale, client_id=str(a), added_by=dr_a, name="Urge")
    with pytest.raises(InvalidInput, match="already a scale called"):
        _in_session(checkins.add_scale, client_id=str(a), added_by=dr_a, name="URGE")
    _in_session(checkins.add_scale, client_id=str(a), added_by=dr_b, name="Urge")  # dr_b sees no "Urge"
    assert sorted(s.name for s in _in_session(checkins.scales_of, client_id=a, viewer_id=a)) == [
        "Headache",
        "Urge",
        "Urge",
    ]


def test_a_client_renames_a_scale_of_their_own_and_keeps_what_was_rated_on_it(db: People) -> None:
    """Walk-through: a typo in a scale's name ("Headahce") could only be mended by removing
    the scale, and every value rated on it with it."""
    a, b, dr_a = db.client_a.id, db.client_b.id, db.clinician_a.id
    with session_scope() as session:
        link(session, client_id=a, clinician_id=dr_a)
    typo = _in_session(checkins.add_scale, client_id=str(a), added_by=a, name="Headahce")
    mine = _in_session(checkins.add_scale, client_id=str(a), added_by=a, name="Sleep worry")
    suggested = _in_session(checkins.add_scale, client_id=str(a), added_by=dr_a, name="Urge")
    gone = _in_session(checkins.add_scale, client_id=str(a), added_by=a, name="Old one")
    _in_session(checkins.remove_scale, actor_id=a, scale_id=str(gone))
    theirs = _in_session(checkins.add_scale, client_id=str(b), added_by=b, name="Gym")
    item_id = uuid.uuid4()
    _in_session(checkins.save, owner_id=a, item_id=item_id, values=_values(own_scales={str(typo): 7}))

    _in_session(checkins.rename_scale, actor_id=a, scale_id=str(typo), name=" Headache ")
    assert _scale_names(a, a) == [
        (str(typo), "Headache"),
        (str(mine), "Sleep worry"),
        (str(suggested), "Urge"),
    ]
    reading = checkins.reading(
        item_id, _in_session(items.open_own, owner_id=a, kind=checkins.KIND, item_id=item_id).fields
    )
    assert reading is not None and reading.values[str(typo)] == 7  # the same scale, its rating kept
    with session_scope() as session:  # sealed like any name: not stored in the clear
        row = session.get(CheckInScale, typo)
        assert row is not None and row.name_ct is not None and b"Headache" not in row.name_ct
    _in_session(checkins.rename_scale, actor_id=a, scale_id=str(typo), name="headache")  # recased

    # Refused with a clear message, nothing changed: as a new scale's name is checked, and
    # not the name of another scale of the client's (their own, or a suggested one).
    for name, message in (
        ("", "{label} can't be empty."),
        ("   ", "{label} can't be empty."),
        ("x" * (checkins.NAME_MAX + 1), "{label} is too long: the limit is {limit} characters."),
        (" SLEEP  worry", "There is already a scale called {name}."),
        ("urge", "There is already a scale called {name}."),
        # Nor a rating every check-in has, in either language (a walk-through's "Anxiété").
        ("anxiety", "Every check-in already asks about {name}."),
        ("Anxiété", "Every check-in already asks about {name}."),
        ("qualité du sommeil", "Every check-in already asks about {name}."),
    ):
        with pytest.raises(InvalidInput) as refused:
            _in_session(checkins.rename_scale, actor_id=a, scale_id=str(typo), name=name)
        assert refused.value.message == message
    with pytest.raises(InvalidInput) as refused:  # suggested by a clinician, as added by the client
        _in_session(checkins.add_scale, client_id=str(a), added_by=dr_a, name="Anxiété")
    assert refused.value.message == "Every check-in already asks about {name}."
    # Someone else's scale, a clinician's suggestion, a removed or unknown one: not available.
    for actor, scale_id in (
        (a, theirs),
        (b, typo),
        (a, suggested),
        (dr_a, typo),
        (a, gone),
        (a, uuid.uuid4()),
    ):
        with pytest.raises(Exception, match="isn't available"):
            _in_session(checkins.rename_scale, actor_id=actor, scale_id=str(scale_id), name="Renamed")
    assert _scale_names(a, a) == [
        (str(typo), "headache"),
        (str(mine), "Sleep worry"),
        (str(suggested), "Urge"),
    ]
    assert _scale_names(b, b) == [(str(theirs), "Gym")]


def test_a_clinician_renames_only_their_own_suggestions_while_linked_and_it_is_audited(db: People) -> None:
    a, dr_a, dr_b = db.client_a.id, db.clinician_a.id, db.clinician_b.id
    with session_scope() as session:
        link(session, client_id=a, clinician_id=dr_a)
        link(session, client_id=a, clinician_id=dr_b)
    urge = _in_session(checkins.add_scale, client_id=str(a), added_by=dr_a, name="Urge")
    worry = _in_session(checkins.add_scale, client_id=str(a), added_by=dr_a, name="Worry")
    craving = _in_session(checkins.add_scale, client_id=str(a), added_by=dr_b, name="Craving")
    _in_session(checkins.add_scale, client_id=str(a), added_by=a, name="Private thing")
    with session_scope() as session:
        before = len(audit_events(session))
    _in_session(checkins.rename_scale, actor_id=dr_a, scale_id=str(urge), name="Urge to drink")
    # Only their own suggestions' names are taken: another's, or the client's own, would be
    # told by a refusal.
    with pytest.raises(InvalidInput, match="There is already a scale called"):
        _in_session(checkins.rename_scale, actor_id=dr_a, scale_id=str(urge), name="worry")
    _in_session(checkins.rename_scale, actor_id=dr_a, scale_id=str(worry), name="Craving")
    _in_session(checkins.rename_scale, actor_id=dr_a, scale_id=str(urge), name="Private thing")
    with pytest.raises(Exception, match="isn't available"):  # another clinician's suggestion
        _in_session(checkins.rename_scale, actor_id=dr_b, scale_id=str(urge), name="Mine now")
    assert _scale_names(a, dr_a) == [(str(urge), "Private thing"), (str(worry), "Craving")]
    assert _scale_names(a, dr_b) == [(str(craving), "Craving")]
    with session_scope() as session:
        links.end_link(session, client_id=a, clinician_id=dr_b)
        events = audit_events(session)[before:]
    with pytest.raises(Exception, match="isn't available"):  # the link ended
        _in_session(checkins.rename_scale, actor_id=dr_b, scale_id=str(craving), name="Late")
    with session_scope() as session:
        late = audit_events(session)[before + len(events) :]
    assert [(e.actor_id, e.action, e.outcome) for e in events if e.action == AuditAction.ASSIGN] == [
        (dr_a, AuditAction.ASSIGN, AuditOutcome.ALLOWED),  # renamed
        (dr_a, AuditAction.ASSIGN, AuditOutcome.ALLOWED),
        (dr_a, AuditAction.ASSIGN, AuditOutcome.ALLOWED),
        (dr_b, AuditAction.ASSIGN, AuditOutcome.DENIED),  # not theirs
    ]
    assert [(e.actor_id, e.action, e.outcome, e.subject_id) for e in late] == [
        (dr_b, AuditAction.ASSIGN, AuditOutcome.DENIED, a)
    ]


def test_a_range_reads_only_the_rows_that_can_be_in_it(db: People) -> None:
    a = db.client_a.id
    old = _save(a, mood=1)
    with session_scope() as session:  # written (and felt) long ago
        session.connection().exec_driver_sql(
            "UPDATE client_item SET created_at = '2025-01-01 12:00:00.000000' WHERE id = ?", (old.hex,)
        )
    recent = _save(a, mood=8)
    since = charts.made_since("2w", utcnow())
    assert since is not None and charts.made_since("all", utcnow()) is None
    with session_scope() as session:
        found = items.every_own(session, owner_id=a, kind=checkins.KIND, since=since)
        everything = items.every_own(session, owner_id=a, kind=checkins.KIND)
    assert [item.id for item in found] == [recent]
    assert {item.id for item in everything} == {old, recent}


def test_the_sparkline_draws_a_dot_per_day_of_the_last_two_weeks_and_says_so() -> None:
    readings = [
        checkins.Reading("a", NOW - timedelta(days=1), {"mood": 10.0}),
        checkins.Reading("b", NOW - timedelta(days=13), {"mood": 0.0}),
        checkins.Reading("c", NOW - timedelta(days=20), {"mood": 5.0}),  # older: not drawn
    ]
    path, summary = charts.sparkline(readings, Reader(ENGLISH, "UTC"), NOW)
    assert path == "M5.0 36.0h0M125.0 4.0h0"  # mood 0 at the bottom on day 1, 10 at the top on day 13
    assert summary == "Average mood 5 over the last 14 days, 2 shared check-ins."
    assert charts.sparkline([], Reader(FRENCH, "UTC"), NOW) == (
        "",
        "Aucun bilan partagé dans les 14 derniers jours.",
    )


def test_an_unsaved_check_ins_id_takes_the_deployments_secret_to_work_out(db: People) -> None:
    """Attack review: the id was uuid5 of the account id, so another client (a clinician
    with an account of their own, knowing their clients' ids) could take it first as an
    entry of theirs, and the victim's check-in then kept nothing. It now takes a secret
    derived from the KEK: another deployment's key gives another id."""
    import base64
    import os

    from unit_support import clear_caches

    here = checkins._unsaved_ids(db.client_a.id)
    assert here != checkins._unsaved_ids(db.client_b.id)
    assert uuid.uuid5(uuid.UUID("6f1d4c1e-3b0a-4c55-9a57-2f2b1f6c0d11"), str(db.client_a.id)) not in here
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("BJ_KEK", base64.b64encode(os.urandom(32)).decode())
        clear_caches()
        elsewhere = checkins._unsaved_ids(db.client_a.id)
    clear_caches()  # this deployment's key again
    assert set(elsewhere).isdisjoint(here)
    assert checkins._unsaved_ids(db.client_a.id) == here


def test_a_rename_and_a_removal_at_once_leave_the_removed_tag_or_scale_without_a_name(db: People) -> None:
    """Two tabs: one renames a tag (or a scale) as the other removes it. Whichever goes
    first, the removed one keeps no name (an attack review: 1 race in 8 named it again)."""
    a = db.client_a.id

    def at_once(rename: Callable[[Session], object], remove: Callable[[Session], object]) -> None:
        def attempt(change: Callable[[Session], object]) -> Callable[[threading.Barrier], None]:
            def run(barrier: threading.Barrier) -> None:
                with session_scope() as session:
                    barrier.wait()
                    change(session)

            return run

        race([attempt(rename), attempt(remove)])

    for round_ in range(20):
        with session_scope() as session:
            tag = checkins.add_tag(session, owner_id=a, name=f"tag {round_}")
            scale = checkins.add_scale(session, client_id=a, added_by=a, name=f"scale {round_}")
        at_once(
            lambda s: checkins.rename_tag(s, owner_id=a, tag_id=tag, name=f"renamed {round_}"),  # noqa: B023
            lambda s: checkins.remove_tag(s, owner_id=a, tag_id=tag),  # noqa: B023
        )
        at_once(
            lambda s: checkins.rename_scale(s, actor_id=a, scale_id=scale, name=f"renamed s {round_}"),  # noqa: B023
            lambda s: checkins.remove_scale(s, actor_id=a, scale_id=scale),  # noqa: B023
        )
        with session_scope() as session:
            removed_tag, removed_scale = session.get(CheckInTag, tag), session.get(CheckInScale, scale)
            assert removed_tag is not None and removed_tag.removed_at is not None
            assert removed_tag.name_ct is None, f"round {round_}: the removed tag has a name"
            assert removed_scale is not None and removed_scale.removed_at is not None
            assert removed_scale.name_ct is None, f"round {round_}: the removed scale has a name"


def test_a_change_the_clinician_cannot_see_leaves_seen_and_edited_as_they_were(db: People) -> None:
    """A review: "Seen on …, before your changes of …", the clinician's "edited" line and the
    lists' "Seen" compared "seen" with the item's last save, which a change to a private
    field (a check-in's tags) or a save that changed nothing moved too: the client was told
    the clinician hadn't seen it as it is, and the clinician that it was edited. Only a
    change to what the clinician sees counts now."""
    a, dr_a = db.client_a.id, db.clinician_a.id
    with session_scope() as session:
        link(session, client_id=a, clinician_id=dr_a)
    work = _in_session(checkins.add_tag, owner_id=a, name="work")
    values = _values(mood=4, note="Long day")
    item_id = uuid.uuid4()
    _in_session(checkins.save, owner_id=a, item_id=item_id, values=values)
    with session_scope() as session:
        sharing.set_shared(session, owner_id=a, item_id=item_id, clinician_id=dr_a, shared=True)

    def as_both_see_it() -> tuple[object, bool, object]:
        """(the client's "changed since seen", their list's "seen", the clinician's "edited")."""
        with session_scope() as session:
            (share,) = sharing.shares_of(session, owner_id=a, item_ids=[item_id])[item_id]
            ((_name, seen),) = sharing.audience(session, owner_id=a, item_ids=[item_id])[item_id]
        with sharing.unseen_held_back(), session_scope() as session:  # a redraw: moves no "seen"
            (drawn,) = sharing.every_shared(session, clinician_id=dr_a, client_id=a, kind=checkins.KIND)
        changed_at = drawn.shared_changed_at
        edited = changed_at if changed_at is not None and changed_at > drawn.shared_at else None
        return share.changed_after_seen, seen, edited

    with session_scope() as session:
        sharing.every_shared(session, clinician_id=dr_a, client_id=a, kind=checkins.KIND)  # seen
    assert as_both_see_it() == (None, True, None)
    for unseen_change in ({**values, "tags": [str(work)]}, {**values, "tags": [str(work)]}):
        _in_session(checkins.save, owner_id=a, item_id=item_id, values=unseen_change)  # private; then none
        assert as_both_see_it() == (None, True, None)
    _in_session(checkins.save, owner_id=a, item_id=item_id, values={**values, "mood": 5})
    changed, seen, edited = as_both_see_it()
    assert changed is not None and seen is False and edited == changed

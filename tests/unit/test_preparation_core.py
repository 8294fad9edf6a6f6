"""Session preparation at the core: appointments make windows, the agenda is the client's
(pins share nothing, what wasn't discussed carries over), the clinician gets only what is
shared, and the caseload counts without reading or a query per client."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import event, update
from sqlmodel import col
from unit_support import People, audit_events, link, new_entry, row_counts, share

from betterjournal import routes
from betterjournal.core import agenda, appointments, caseload, homework, items, journal, sharing
from betterjournal.core.errors import Denied, InvalidInput
from betterjournal.db import get_engine, session_scope
from betterjournal.models import AuditAction, AuditOutcome, CareLink, ClientItem, ItemShare, utcnow

ZONE = ZoneInfo("America/Halifax")
TABLES = ("appointment", "session_agenda", "agenda_discussed", "client_item", "item_share")


def _linked(db: People) -> None:
    with session_scope() as session:
        link(session, client_id=db.client_a.id, clinician_id=db.clinician_a.id)


def _counts() -> dict[str, int]:
    with session_scope() as session:
        return row_counts(session, TABLES)


def _prepare(db: People) -> agenda.Preparation:
    with session_scope() as session:
        return agenda.prepare(session, client_id=db.client_a.id, clinician_id=db.clinician_a.id)


def _tomorrow() -> str:
    return (datetime.now(ZONE) + timedelta(days=1)).date().isoformat()


def _hold(db: People) -> None:
    """A session planned for later today and held now (as a clinician would, after it)."""
    later = datetime.now(ZONE).replace(hour=23, minute=59)
    with session_scope() as session:
        appointments.plan(
            session,
            clinician_id=db.clinician_a.id,
            client_id=db.client_a.id,
            day=later.date().isoformat(),
            at="23:59",
            zone=ZONE,
        )
        # In the zone it was planned in, as the app does: "today" is Halifax's, not the
        # server's (between 00:00 in Halifax and 00:00 in Toronto, the two disagree).
        appointments.mark_held(session, clinician_id=db.clinician_a.id, client_id=db.client_a.id, zone=ZONE)


# --- appointments ------------------------------------------------------------------------------


def test_a_planned_session_is_kept_in_utc_and_held_sessions_make_windows(db: People) -> None:
    _linked(db)
    with session_scope() as session:
        appointments.plan(
            session,
            clinician_id=db.clinician_a.id,
            client_id=str(db.client_a.id),
            day=_tomorrow(),
            at="10:00",
            zone=ZONE,
        )
        where = appointments.window(session, client_id=db.client_a.id, clinician_id=db.clinician_a.id)
    assert where.key == appointments.FIRST and where.start is None and where.previous_key is None
    assert where.next_at is not None and where.next_at.astimezone(ZONE).hour == 10
    _hold(db)
    with session_scope() as session:
        first = appointments.window(session, client_id=db.client_a.id, clinician_id=db.clinician_a.id)
    assert first.next_at is None and first.previous_key == appointments.FIRST and first.start is not None
    _hold(db)
    with session_scope() as session:
        second = appointments.window(session, client_id=db.client_a.id, clinician_id=db.clinician_a.id)
    assert second.previous_key == first.key and second.key != first.key
    # The caseload finds the pair in that same window: its agenda, once shared, is the one
    # "shared for the next session".
    agenda_id = _prepare(db).agenda.id
    assert [line.agenda_shared for line in _caseload(db)] == [False]
    with session_scope() as session:
        share(session, owner_id=db.client_a.id, entry_id=agenda_id, clinician_id=db.clinician_a.id)
    # Said once: not also counted as a new shared item (a walk-through read both).
    assert [(line.agenda_shared, line.next_at, line.new_shared) for line in _caseload(db)] == [
        (True, None, 0)
    ]


def test_the_agenda_shared_for_the_next_session_is_the_one_of_the_window_now(db: People) -> None:
    """Only the agenda of the pair's window now, shared under their link as it is now, is
    "shared for the next session": not last time's (still shared), not one unshared, not one
    shared under a link that has ended."""
    a, clinician = db.client_a.id, db.clinician_a.id
    _linked(db)

    def shared_now() -> bool:
        (line,) = _caseload(db)
        return line.agenda_shared

    def share_agenda(on: bool = True) -> None:
        with session_scope() as session:
            share(session, owner_id=a, entry_id=_prepare(db).agenda.id, clinician_id=clinician, shared=on)

    share_agenda()  # before any session: the "first" window
    assert shared_now()
    _hold(db)
    assert not shared_now(), "last time's agenda, still shared, counted as the next one's"
    share_agenda()
    assert shared_now()
    share_agenda(on=False)
    assert not shared_now()
    _hold(db)
    share_agenda()
    with session_scope() as session:  # the link ends (without revoking) and is made again
        session.exec(
            update(CareLink)
            .where(col(CareLink.client_id) == a, col(CareLink.clinician_id) == clinician)
            .values(ended_at=utcnow())
        )
        link(session, client_id=a, clinician_id=clinician)
    assert not shared_now(), "an agenda shared under an ended link counted"
    share_agenda()
    assert shared_now()


def _caseload(db: People) -> list[caseload.CaseLine]:
    with session_scope() as session:
        return caseload.caseload(session, clinician_id=db.clinician_a.id, today=date.today())


def test_holding_today_keeps_the_session_planned_for_a_later_day(db: People) -> None:
    """The next session planned (for next week) before today's is marked held: today's is
    held unplanned, next week's stays planned for both; a second tap holds nothing more."""
    _linked(db)
    next_week = (datetime.now(ZONE) + timedelta(days=7)).date().isoformat()
    with session_scope() as session:
        appointments.plan(
            session,
            clinician_id=db.clinician_a.id,
            client_id=db.client_a.id,
            day=next_week,
            at="10:00",
            zone=ZONE,
        )
        before = appointments.window(session, client_id=db.client_a.id, clinician_id=db.clinician_a.id)
    with session_scope() as session:
        appointments.mark_held(session, clinician_id=db.clinician_a.id, client_id=db.client_a.id, zone=ZONE)
    with session_scope() as session:
        after = appointments.window(session, client_id=db.client_a.id, clinician_id=db.clinician_a.id)
    assert before.key == appointments.FIRST and after.key != appointments.FIRST and after.start is not None
    assert after.next_at is not None and after.next_at.astimezone(ZONE).date().isoformat() == next_week
    with pytest.raises(InvalidInput, match="marked held already"), session_scope() as session:
        appointments.mark_held(session, clinician_id=db.clinician_a.id, client_id=db.client_a.id, zone=ZONE)


def test_a_second_tap_on_held_holds_nothing_more(db: People) -> None:
    """Marking held again minutes later, with nothing planned, would make an empty window:
    it is refused with a plain message and changes nothing. Unplanned, a session can be
    held (the first time)."""
    _linked(db)
    with session_scope() as session:
        appointments.mark_held(session, clinician_id=db.clinician_a.id, client_id=db.client_a.id)
    before = _counts()
    with pytest.raises(InvalidInput, match="marked held already"), session_scope() as session:
        appointments.mark_held(session, clinician_id=db.clinician_a.id, client_id=db.client_a.id)
    assert _counts() == before


def test_a_refused_pin_makes_no_agenda(db: People) -> None:
    """Pinning another client's entry, or an id that is nobody's, is refused and writes
    nothing but the refusal's audit row: not even the agenda the pin was for (an attack
    review found it kept: the agenda was made in a savepoint, which SQLite committed)."""
    _linked(db)
    with session_scope() as session:
        theirs = new_entry(session, owner_id=db.client_b.id, body="B's words")
    before = _counts()
    for item_id in (theirs, uuid.uuid4()):
        with pytest.raises(Denied), session_scope() as session:
            agenda.pin_for_next_session(
                session,
                client_id=db.client_a.id,
                clinician_id=db.clinician_a.id,
                kind="journal_entry",
                item_id=item_id,
            )
    assert _counts() == before
    with session_scope() as session:
        denied = [e for e in audit_events(session) if e.outcome == AuditOutcome.DENIED]
    assert len(denied) == 2


def test_the_brief_knows_when_marking_held_would_only_repeat_the_last_mark() -> None:
    """The rule `mark_held` refuses a second tap by, which the brief shows instead of the
    button: held under ten minutes ago, with nothing planned for today or before."""
    now = datetime(2026, 12, 7, 15, 0, tzinfo=UTC)  # 11:00 in Halifax
    just_now, a_while_ago = now - timedelta(minutes=9), now - timedelta(minutes=11)
    tomorrow, later_today = now + timedelta(days=1), now + timedelta(hours=2)
    assert appointments.held_moments_ago(just_now, None, now, ZONE)
    assert appointments.held_moments_ago(just_now, tomorrow, now, ZONE)
    assert not appointments.held_moments_ago(a_while_ago, None, now, ZONE)
    assert not appointments.held_moments_ago(None, None, now, ZONE)
    assert not appointments.held_moments_ago(just_now, later_today, now, ZONE)  # today's is still to hold


@pytest.mark.parametrize(
    ("day", "at", "message"),
    [
        ("2016-01-01", "10:00", "That date has passed"),
        ((date.today() + timedelta(days=3653)).isoformat(), "10:00", "within the next year"),
        ("2026-02-30", "10:00", "Choose a date and a time"),
        ("tomorrow", "10:00", "Choose a date and a time"),
        (None, "10:00", "Choose a date and a time"),
        ("2027-01-01", "25:00", "Choose a date and a time"),
        (["2027-01-01"], "10:00", "Choose a date and a time"),
    ],
)
def test_a_bad_appointment_gets_a_clear_message_and_changes_nothing(
    db: People, day: object, at: str, message: str
) -> None:
    _linked(db)
    before = _counts()
    with pytest.raises(InvalidInput) as refused, session_scope() as session:
        appointments.plan(
            session, clinician_id=db.clinician_a.id, client_id=str(db.client_a.id), day=day, at=at, zone=ZONE
        )
    assert message in refused.value.message
    assert _counts() == before


def test_only_a_linked_clinician_plans_or_holds_and_refusals_are_audited(db: People) -> None:
    _linked(db)
    for actor, client in ((db.clinician_b.id, db.client_a.id), (db.client_b.id, db.client_a.id)):
        for work in (
            lambda s, a=actor, c=client: appointments.mark_held(s, clinician_id=a, client_id=str(c)),
            lambda s, a=actor, c=client: appointments.plan(
                s, clinician_id=a, client_id=str(c), day=_tomorrow(), at="09:00", zone=ZONE
            ),
        ):
            with pytest.raises(Denied), session_scope() as session:
                work(session)
    assert _counts()["appointment"] == 0
    with session_scope() as session:
        denied = [e for e in audit_events(session) if e.outcome == AuditOutcome.DENIED]
    assert len(denied) == 4 and all(e.action == AuditAction.SCHEDULE for e in denied)


# --- the client's agenda -----------------------------------------------------------------------


def test_the_agenda_is_the_clients_and_pins_share_nothing(db: People) -> None:
    _linked(db)
    with session_scope() as session:
        private = new_entry(session, owner_id=db.client_a.id, body="private words")
    ready = _prepare(db)
    assert ready.agenda.lines == () and not ready.agenda.shared and ready.last_time is None
    with session_scope() as session:
        agenda.add_text(session, client_id=db.client_a.id, agenda_id=ready.agenda.id, text=" Sleep and work ")
        agenda.pin(
            session,
            client_id=db.client_a.id,
            agenda_id=ready.agenda.id,
            kind="journal_entry",
            item_id=private,
        )
        agenda.pin(
            session, client_id=db.client_a.id, agenda_id=ready.agenda.id, kind=agenda.CHART, item_id=""
        )
    lines = _prepare(db).agenda.lines
    assert [(line.text, line.pin) for line in lines] == [
        ("Sleep and work", ""),
        ("", "journal_entry"),
        ("", agenda.CHART),
    ]
    with session_scope() as session:  # nothing is visible until shared
        assert (
            agenda.shared_agenda(
                session, clinician_id=db.clinician_a.id, client_id=db.client_a.id, window=appointments.FIRST
            )
            is None
        )


def _pinned_with(db: People, entry: uuid.UUID) -> list[uuid.UUID]:
    with session_scope() as session:
        return agenda.pinned_with(
            session, client_id=db.client_a.id, item_id=entry, clinician_ids=[db.clinician_a.id]
        )


def test_an_item_is_pinned_with_a_clinician_while_the_next_sessions_agenda_holds_it(db: People) -> None:
    """What the item's page says beside "Pin to my agenda": the agenda of now, or what a new
    window's agenda will start with (the lines not discussed); asking makes no agenda."""
    _linked(db)
    with session_scope() as session:
        entry = new_entry(session, owner_id=db.client_a.id, body="words")
        other = new_entry(session, owner_id=db.client_a.id, body="other words")
    assert _pinned_with(db, entry) == []
    assert _counts()["session_agenda"] == 0  # asked, not made
    with session_scope() as session:
        made = agenda.pin_for_next_session(
            session,
            client_id=db.client_a.id,
            clinician_id=db.clinician_a.id,
            kind="journal_entry",
            item_id=entry,
        )
        agenda.pin(session, client_id=db.client_a.id, agenda_id=made.id, kind="journal_entry", item_id=other)
        for shared in (made.id, other):  # (the clinician ticks only what they can see)
            share(session, owner_id=db.client_a.id, entry_id=shared, clinician_id=db.clinician_a.id)
    assert _pinned_with(db, entry) == [db.clinician_a.id]
    with session_scope() as session:  # another client's question about the same id: not theirs
        assert (
            agenda.pinned_with(
                session, client_id=db.client_b.id, item_id=entry, clinician_ids=[db.clinician_a.id]
            )
            == []
        )
    # The other pin discussed, then the session held: this one carries over, that one doesn't,
    # before and after the new window's agenda is made.
    ticked = next(line for line in _prepare(db).agenda.lines if line.item_id == str(other))
    with session_scope() as session:
        agenda.set_discussed(
            session, clinician_id=db.clinician_a.id, agenda_id=made.id, line_id=ticked.id, discussed=True
        )
    _hold(db)
    agendas = _counts()["session_agenda"]
    assert (_pinned_with(db, entry), _pinned_with(db, other)) == ([db.clinician_a.id], [])
    assert _counts()["session_agenda"] == agendas
    after = _prepare(db).agenda
    assert after.id != made.id and (_pinned_with(db, entry), _pinned_with(db, other)) == (
        [db.clinician_a.id],
        [],
    )
    # Taken off the agenda: pinned with no one.
    pin = next(line for line in after.lines if line.item_id == str(entry))
    with session_scope() as session:
        agenda.remove_line(session, client_id=db.client_a.id, agenda_id=after.id, line_id=pin.id)
    assert _pinned_with(db, entry) == []


def test_a_removed_line_is_put_back_where_it_was_once_and_a_pin_only_while_its_item_is_there(
    db: People,
) -> None:
    _linked(db)
    a = db.client_a.id
    with session_scope() as session:
        entry = new_entry(session, owner_id=a, body="words")
    agenda_id = _prepare(db).agenda.id
    with session_scope() as session:
        for text in ("one", "two", "three"):
            agenda.add_text(session, client_id=a, agenda_id=agenda_id, text=text)
        agenda.pin(session, client_id=a, agenda_id=agenda_id, kind="journal_entry", item_id=entry)
    lines = _prepare(db).agenda.lines
    with session_scope() as session:
        removed = agenda.remove_line(session, client_id=a, agenda_id=agenda_id, line_id=lines[1].id)
    assert removed == agenda.Removed(lines[1], 1)
    assert [line.text for line in _prepare(db).agenda.lines] == ["one", "three", ""]
    with session_scope() as session:
        agenda.put_back(session, client_id=a, agenda_id=agenda_id, removed=removed)
    with session_scope() as session:  # a second tap changes nothing
        agenda.put_back(session, client_id=a, agenda_id=agenda_id, removed=removed)
    assert _prepare(db).agenda.lines == lines
    # Removed from a shorter agenda's place beyond its end: back at the end.
    with session_scope() as session:
        pin = agenda.remove_line(session, client_id=a, agenda_id=agenda_id, line_id=lines[3].id)
        agenda.remove_line(session, client_id=a, agenda_id=agenda_id, line_id=lines[0].id)
        agenda.put_back(session, client_id=a, agenda_id=agenda_id, removed=pin)
    assert [line.id for line in _prepare(db).agenda.lines] == [lines[1].id, lines[2].id, lines[3].id]
    # A pin whose entry was deleted meanwhile doesn't come back: refused like any other id.
    with session_scope() as session:
        pin = agenda.remove_line(session, client_id=a, agenda_id=agenda_id, line_id=lines[3].id)
        items.delete_item(session, owner_id=a, item_id=entry)
    with pytest.raises(Denied), session_scope() as session:
        agenda.put_back(session, client_id=a, agenda_id=agenda_id, removed=pin)
    assert [line.id for line in _prepare(db).agenda.lines] == [lines[1].id, lines[2].id]
    # Another client's agenda: refused.
    with pytest.raises(Denied), session_scope() as session:
        agenda.put_back(session, client_id=db.client_b.id, agenda_id=agenda_id, removed=removed)


def test_the_clinician_gets_only_shared_lines_and_nothing_of_a_private_pin(db: People) -> None:
    _linked(db)
    with session_scope() as session:
        private = new_entry(session, owner_id=db.client_a.id, body="private words")
        shared = new_entry(session, owner_id=db.client_a.id, body="shared words")
        share(session, owner_id=db.client_a.id, entry_id=shared, clinician_id=db.clinician_a.id)
    ready = _prepare(db)
    with session_scope() as session:
        agenda.add_text(session, client_id=db.client_a.id, agenda_id=ready.agenda.id, text="Bring this")
        for item in (shared, private):
            agenda.pin(
                session,
                client_id=db.client_a.id,
                agenda_id=ready.agenda.id,
                kind="journal_entry",
                item_id=item,
            )
        share(session, owner_id=db.client_a.id, entry_id=ready.agenda.id, clinician_id=db.clinician_a.id)
    with session_scope() as session:
        found = caseload.brief(
            session, clinician_id=db.clinician_a.id, client_id=str(db.client_a.id), today=date.today()
        )
    shown = json.dumps([line.__dict__ for line in found.agenda]) + repr(found)
    assert [line.text or line.item_id for line in found.agenda] == ["Bring this", str(shared)]
    assert str(private) not in shown and "private words" not in shown
    assert "shared words" in found.pinned[str(shared)].fields["body"]
    # Another clinician, linked or not, gets nothing of it.
    with session_scope() as session:
        link(session, client_id=db.client_a.id, clinician_id=db.clinician_b.id)
    with session_scope() as session:
        assert (
            agenda.shared_agenda(
                session, clinician_id=db.clinician_b.id, client_id=db.client_a.id, window=appointments.FIRST
            )
            is None
        )
    with pytest.raises(Denied), session_scope() as session:
        caseload.brief(
            session, clinician_id=db.clinician_b.id, client_id=str(db.client_b.id), today=date.today()
        )


@pytest.mark.parametrize("next_made_first", [False, True], ids=["next-not-made", "next-made-by-another-tab"])
def test_a_line_added_as_the_session_is_marked_held_goes_to_the_next_sessions_agenda(
    db: People, next_made_first: bool
) -> None:
    """Attack review: a tab added a line to the agenda it showed while the clinician marked
    the session held (and the client's other tab had made the next session's agenda): the
    line landed in the held session's agenda, on no agenda to come. It goes to the next
    session's now, with what carries over; a pin too."""
    _linked(db)
    shown = _prepare(db).agenda  # what the tab shows, from before the session was held
    with session_scope() as session:
        agenda.add_text(session, client_id=db.client_a.id, agenda_id=shown.id, text="Carried")
    _hold(db)
    if next_made_first:
        _prepare(db)  # the other tab, pushed: the next session's agenda is made
    with session_scope() as session:
        added = agenda.add_text(session, client_id=db.client_a.id, agenda_id=shown.id, text="Added late")
        pinned = agenda.pin(
            session, client_id=db.client_a.id, agenda_id=shown.id, kind=agenda.CHART, item_id=""
        )
    after = _prepare(db)
    assert added.id == pinned.id == after.agenda.id != shown.id
    assert [line.text or line.pin for line in after.agenda.lines] == ["Carried", "Added late", agenda.CHART]
    assert after.last_time is not None and [line.text for line in after.last_time.lines] == ["Carried"]


def test_ticks_carry_what_was_not_discussed_to_the_next_window(db: People) -> None:
    _linked(db)
    ready = _prepare(db)
    with session_scope() as session:
        for text in ("First", "Second"):
            agenda.add_text(session, client_id=db.client_a.id, agenda_id=ready.agenda.id, text=text)
        share(session, owner_id=db.client_a.id, entry_id=ready.agenda.id, clinician_id=db.clinician_a.id)
    first = _prepare(db).agenda.lines[0]
    # Only the clinician the agenda is for ticks, and only a line of it.
    for actor, line_id in (
        (db.clinician_b.id, first.id),
        (db.client_a.id, first.id),
        (db.clinician_a.id, "nope1234"),
    ):
        with pytest.raises(Denied), session_scope() as session:
            agenda.set_discussed(
                session, clinician_id=actor, agenda_id=ready.agenda.id, line_id=line_id, discussed=True
            )
    with session_scope() as session:
        assert (
            agenda.set_discussed(
                session,
                clinician_id=db.clinician_a.id,
                agenda_id=ready.agenda.id,
                line_id=first.id,
                discussed=True,
            )
            == db.client_a.id
        )
    assert [line.discussed for line in _prepare(db).agenda.lines] == [True, False]
    _hold(db)
    after = _prepare(db)
    assert [line.text for line in after.agenda.lines] == ["Second"]
    assert not after.agenda.shared  # nothing is shared automatically
    assert after.last_time is not None and after.last_time.id == ready.agenda.id
    assert [line.discussed for line in after.last_time.lines] == [True, False]
    with session_scope() as session:
        agenda.remember(session, client_id=db.client_a.id, agenda_id=after.last_time.id, text="Breathe first")
    assert _prepare(db).last_time.remember == "Breathe first"  # type: ignore[union-attr]
    with session_scope() as session:  # the note is never the clinician's, even shared
        agenda.pin(
            session, client_id=db.client_a.id, agenda_id=after.agenda.id, kind=agenda.CHART, item_id=""
        )
        share(session, owner_id=db.client_a.id, entry_id=after.agenda.id, clinician_id=db.clinician_a.id)
        shown = agenda.shared_agenda(
            session, clinician_id=db.clinician_a.id, client_id=db.client_a.id, window=after.window.key
        )
    assert shown is not None and "Breathe" not in repr(shown)


def test_a_line_half_typed_is_kept_sealed_until_added_and_goes_with_the_agenda_to_the_next_window(
    db: People,
) -> None:
    """ "Add a line" keeps what is typed as the agenda's draft (sealed like every draft): the
    page opened again shows it; adding the line or emptying the field ends it; a new window's
    agenda takes it along. Only the client's own agenda (refused alike, audited)."""
    _linked(db)
    ready = _prepare(db)
    assert ready.typed_line == ""
    with session_scope() as session:
        agenda.keep_typed_line(session, client_id=db.client_a.id, agenda_id=ready.agenda.id, text="Sleep and")
    assert _prepare(db).typed_line == "Sleep and"
    with get_engine().connect() as raw:  # nothing of it readable where it is kept
        assert b"Sleep and" not in b"".join(
            bytes(row[0]) for row in raw.exec_driver_sql("SELECT payload_ct FROM item_draft")
        )
    with session_scope() as session:
        agenda.keep_typed_line(session, client_id=db.client_a.id, agenda_id=ready.agenda.id, text="  ")
    assert _prepare(db).typed_line == ""
    with session_scope() as session:
        agenda.keep_typed_line(session, client_id=db.client_a.id, agenda_id=ready.agenda.id, text="Work")
        agenda.add_text(session, client_id=db.client_a.id, agenda_id=ready.agenda.id, text="Work")
    after_add = _prepare(db)
    assert (after_add.typed_line, [line.text for line in after_add.agenda.lines]) == ("", ["Work"])

    for who, agenda_id in ((db.client_b.id, ready.agenda.id), (db.client_a.id, str(uuid.uuid4()))):
        with session_scope() as session:
            before = len(audit_events(session))
        with pytest.raises(Denied), session_scope() as session:
            agenda.keep_typed_line(session, client_id=who, agenda_id=agenda_id, text="Forged")
        with session_scope() as session:
            denied = audit_events(session)[before:]
        assert [(e.action, e.outcome) for e in denied] == [(AuditAction.WRITE_ITEM, AuditOutcome.DENIED)]
    assert _prepare(db).typed_line == ""

    with session_scope() as session:
        agenda.keep_typed_line(session, client_id=db.client_a.id, agenda_id=ready.agenda.id, text="Naps")
    _hold(db)
    moved = _prepare(db)
    assert moved.agenda.id != ready.agenda.id and moved.typed_line == "Naps"
    with session_scope() as session:
        assert agenda.typed_line(session, db.client_a.id, ready.agenda.id) == ""


def test_bad_agenda_input_gets_a_clear_message_and_changes_nothing(db: People) -> None:
    _linked(db)
    with session_scope() as session:
        theirs = new_entry(session, owner_id=db.client_b.id, body="someone else's")
    ready = _prepare(db)
    with session_scope() as session:
        for text in ("One", "Two"):
            agenda.add_text(session, client_id=db.client_a.id, agenda_id=ready.agenda.id, text=text)
    ids = [line.id for line in _prepare(db).agenda.lines]
    before = _counts()
    attempts = [
        (
            InvalidInput,
            "changed meanwhile",
            lambda s: agenda.reorder(
                s, client_id=db.client_a.id, agenda_id=ready.agenda.id, line_ids=[ids[0], ids[0]]
            ),
        ),
        (
            InvalidInput,
            "changed meanwhile",
            lambda s: agenda.reorder(
                s, client_id=db.client_a.id, agenda_id=ready.agenda.id, line_ids=[ids[0]]
            ),
        ),
        (
            InvalidInput,
            "changed meanwhile",
            lambda s: agenda.reorder(
                s, client_id=db.client_a.id, agenda_id=ready.agenda.id, line_ids=[*ids, "x"]
            ),
        ),
        (
            InvalidInput,
            "changed meanwhile",
            lambda s: agenda.reorder(s, client_id=db.client_a.id, agenda_id=ready.agenda.id, line_ids="ab"),
        ),
        (
            InvalidInput,
            "too long",
            lambda s: agenda.add_text(s, client_id=db.client_a.id, agenda_id=ready.agenda.id, text="x" * 301),
        ),
        (
            InvalidInput,
            "{label} must be text",
            lambda s: agenda.add_text(s, client_id=db.client_a.id, agenda_id=ready.agenda.id, text=5),
        ),
        (
            InvalidInput,
            "at most 50",
            lambda s: agenda.items.save(
                s,
                owner_id=db.client_a.id,
                kind=agenda.KIND,
                item_id=ready.agenda.id,
                values={
                    "lines": json.dumps([{"id": f"{i:08x}", "text": "a"} for i in range(500)]),
                    "remember": "",
                },
            ),
        ),
        (
            Denied,
            "",
            lambda s: agenda.pin(
                s, client_id=db.client_a.id, agenda_id=ready.agenda.id, kind="journal_entry", item_id=theirs
            ),
        ),
        (
            Denied,
            "",
            lambda s: agenda.add_text(
                s, client_id=db.client_b.id, agenda_id=ready.agenda.id, text="mine now"
            ),
        ),
        (
            InvalidInput,
            "",
            lambda s: agenda.pin(
                s, client_id=db.client_a.id, agenda_id=ready.agenda.id, kind="check_in", item_id=theirs
            ),
        ),
    ]
    for error, message, work in attempts:
        with pytest.raises(error) as refused, session_scope() as session:
            work(session)
        assert message in getattr(refused.value, "message", "")
    assert _counts() == before
    assert [line.text for line in _prepare(db).agenda.lines] == ["One", "Two"]
    with session_scope() as session:  # 500 one by one: the 51st is refused, 50 kept
        for index in range(48):
            agenda.add_text(
                session, client_id=db.client_a.id, agenda_id=ready.agenda.id, text=f"line {index}"
            )
    with pytest.raises(InvalidInput, match="at most 50"), session_scope() as session:
        agenda.add_text(session, client_id=db.client_a.id, agenda_id=ready.agenda.id, text="one too many")
    assert len(_prepare(db).agenda.lines) == agenda.LINES_MAX


def test_two_tabs_opening_a_new_window_make_one_agenda(db: People) -> None:
    _linked(db)
    with session_scope() as first, session_scope() as second:
        a = agenda._ensure(first, db.client_a.id, db.clinician_a.id, appointments.FIRST, carry=True)
        first.commit()
        b = agenda._ensure(second, db.client_a.id, db.clinician_a.id, appointments.FIRST, carry=True)
    assert a == b and _counts()["session_agenda"] == 1


# --- the caseload ------------------------------------------------------------------------------


def _count_queries(work) -> int:
    seen: list[str] = []

    def statement(*args: object) -> None:
        seen.append(str(args[2]))

    event.listen(get_engine(), "before_cursor_execute", statement)
    try:
        work()
    finally:
        event.remove(get_engine(), "before_cursor_execute", statement)
    return len(seen)


def test_the_caseload_counts_without_reading_and_in_the_same_queries_for_any_number(db: People) -> None:
    _linked(db)
    today = datetime.now(UTC).date()

    def load() -> list[caseload.CaseLine]:
        with session_scope() as session:
            return caseload.caseload(session, clinician_id=db.clinician_a.id, today=today)

    one_client = _count_queries(load)
    with session_scope() as session:
        link(session, client_id=db.client_b.id, clinician_id=db.clinician_a.id)
        shared = new_entry(session, owner_id=db.client_b.id, body="new")
        share(session, owner_id=db.client_b.id, entry_id=shared, clinician_id=db.clinician_a.id)
        new_entry(session, owner_id=db.client_b.id, body="private")
        (late,) = homework.assign(
            session,
            clinician_id=db.clinician_a.id,
            client_id=db.client_b.id,
            template="builtin:thought_record",
            due_on=today.isoformat(),
            today=today,
        )
        appointments.plan(
            session,
            clinician_id=db.clinician_a.id,
            client_id=str(db.client_b.id),
            day=_tomorrow(),
            at="08:00",
            zone=ZONE,
        )
    before = len([e for e in _audit()])
    assert _count_queries(load) == one_client
    with session_scope() as session:
        found = caseload.caseload(session, clinician_id=db.clinician_a.id, today=today + timedelta(days=1))
    assert [line.name for line in found] == [db.client_b.name, db.client_a.name]  # soonest first
    b = found[0]
    assert (b.new_shared, b.to_review, b.overdue, b.agenda_shared) == (1, 0, 1, False)
    assert b.next_at is not None and found[1].next_at is None
    assert len(_audit()) == before  # nothing read, nothing audited, nothing seen
    assert late


def _query_plan(statement, **params: object) -> list[str]:
    """SQLite's plan for a statement: one line per table it reads, and how."""
    with session_scope() as session:
        connection = session.connection()
        sql = statement.params(**params).compile(connection, compile_kwargs={"literal_binds": True})
        return [row[3] for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}")]


def test_the_caseload_counts_from_its_indexes_alone(db: People) -> None:
    """Per client, the caseload seeks its sessions, unseen shares and open homework in
    indexes that hold every column it names: no appointment, share or assignment row is
    read per client or per item (only the few returned assignments look for their share)."""
    plan = _query_plan(caseload._LINKED_CLIENTS, clinician=db.clinician_a.id, today=date.today())
    counted = [
        line
        for line in plan
        if line.split()[:2] in (["SEARCH", "appointment"], ["SEARCH", "item_share"], ["SEARCH", "assignment"])
        and "uq_item_share_active" not in line
    ]
    assert len(counted) == 7, plan  # last held, next planned, unseen, four homework counts
    assert [line for line in counted if "COVERING INDEX" not in line] == [], plan
    assert not [line for line in plan if line.startswith("SCAN")], plan
    # The agenda of the window now is found by its window: not one per agenda the pair ever had.
    agendas = [line for line in plan if line.startswith("SEARCH session_agenda")]
    by_window = "USING INDEX uq_session_agenda_window (client_id=? AND clinician_id=? AND window=?)"
    assert agendas == [f"SEARCH session_agenda {by_window}"], plan


def test_new_shared_counts_only_live_shares_the_clinician_has_not_opened(db: People) -> None:
    a, clinician = db.client_a.id, db.clinician_a.id
    _linked(db)
    with session_scope() as session:
        for _ in range(3):
            raced = new_entry(session, owner_id=a, body="shared as the link ended")
            share(session, owner_id=a, entry_id=raced, clinician_id=clinician)
    with session_scope() as session:
        # The link ends without that share's revoke (a share that lost the race with the end
        # of the link), and the client links again: the old share shows nothing, so it isn't new.
        session.exec(
            update(CareLink)
            .where(col(CareLink.client_id) == a, col(CareLink.clinician_id) == clinician)
            .values(ended_at=utcnow())
        )
        link(session, client_id=a, clinician_id=clinician)
    with session_scope() as session:
        entries = {
            name: new_entry(session, owner_id=a, body=name) for name in ("new", "revoked", "deleted", "seen")
        }
        for entry in entries.values():
            share(session, owner_id=a, entry_id=entry, clinician_id=clinician)
        share(session, owner_id=a, entry_id=entries["revoked"], clinician_id=clinician, shared=False)
        items.delete_item(session, owner_id=a, item_id=entries["deleted"])
        sharing.open_shared(session, clinician_id=clinician, item_id=entries["seen"], kind=journal.KIND)
        new_entry(session, owner_id=a, body="private")
    with session_scope() as session:
        (line,) = caseload.caseload(session, clinician_id=clinician, today=date.today())
    assert line.new_shared == 1


def _audit() -> list:
    with session_scope() as session:
        return audit_events(session)


def test_the_brief_shows_the_window_and_marks_what_it_shows_seen(db: People) -> None:
    _linked(db)
    with session_scope() as session:
        entry = new_entry(session, owner_id=db.client_a.id, body="shared this week")
        share(session, owner_id=db.client_a.id, entry_id=entry, clinician_id=db.clinician_a.id)
    with session_scope() as session:
        found = caseload.brief(
            session, clinician_id=db.clinician_a.id, client_id=str(db.client_a.id), today=date.today()
        )
        lines = caseload.caseload(session, clinician_id=db.clinician_a.id, today=date.today())
    assert [item.fields["body"] for item in found.entries] == ["shared this week"]
    assert lines[0].new_shared == 0  # seen by the brief
    with session_scope() as session:
        viewed = [e for e in audit_events(session) if e.action == AuditAction.VIEW_SHARED_ITEM]
    assert [e.item_id for e in viewed] == [entry]
    assert utcnow() - found.window.since(utcnow()) >= timedelta(days=13)


def test_the_brief_lists_an_older_entry_shared_since_the_last_session(db: People) -> None:
    """The caseload counts a new share of an entry written before the last session; the
    brief it opens lists it too (a walk-through found "1 new shared item" and a brief saying
    "No entries shared since the last session"). An older one shared before stays out."""
    _linked(db)
    with session_scope() as session:
        older = new_entry(session, owner_id=db.client_a.id, body="written before the session")
        shared_before = new_entry(session, owner_id=db.client_a.id, body="shared before the session")
        share(session, owner_id=db.client_a.id, entry_id=shared_before, clinician_id=db.clinician_a.id)
    with session_scope() as session:  # both written (and one shared, and seen) nine days ago
        days_ago = utcnow() - timedelta(days=9)
        written = update(ClientItem).where(col(ClientItem.id).in_([older, shared_before]))
        session.exec(written.values(created_at=days_ago))
        shared = update(ItemShare).where(col(ItemShare.item_id) == shared_before)
        session.exec(shared.values(shared_at=days_ago, first_seen_at=days_ago))
    _hold(db)
    with session_scope() as session:
        share(session, owner_id=db.client_a.id, entry_id=older, clinician_id=db.clinician_a.id)
    with session_scope() as session:
        (line,) = caseload.caseload(session, clinician_id=db.clinician_a.id, today=date.today())
        found = caseload.brief(
            session, clinician_id=db.clinician_a.id, client_id=str(db.client_a.id), today=date.today()
        )
    assert line.new_shared == 1
    assert [item.fields["body"] for item in found.entries] == ["written before the session"]


def _prompt_and_shared_entry(db: People, today: date, body: str) -> tuple[uuid.UUID, uuid.UUID]:
    """A journaling prompt assigned to client A, and an entry of A's shared with the
    clinician: (the assignment, the entry)."""
    with session_scope() as session:
        (assignment,) = homework.assign(
            session,
            clinician_id=db.clinician_a.id,
            client_id=db.client_a.id,
            template="prompt",
            questions=["What went well this week?"],
            today=today,
        )
        entry = new_entry(session, owner_id=db.client_a.id, body=body)
        share(session, owner_id=db.client_a.id, entry_id=entry, clinician_id=db.clinician_a.id)
    return assignment, entry


def _return_answer(session, db: People, assignment: uuid.UUID, answer: uuid.UUID) -> None:
    homework.save_response(
        session,
        client_id=db.client_a.id,
        item_id=answer,
        assignment_id=assignment,
        worksheet=None,
        answers={"answer": "A walk by the river."},
        return_it=True,
    )


def test_a_returned_prompts_answer_is_listed_and_counted_once_as_returned_homework(db: People) -> None:
    """A journaling prompt's answer is a journal entry, shared as it is returned: the brief
    lists it under returned homework, not also under shared entries (nor marks it seen for
    being listed there), and the caseload counts it once, to review."""
    _linked(db)
    today = date.today()
    assignment, entry = _prompt_and_shared_entry(db, today, "shared this week")
    answer = uuid.uuid4()
    with session_scope() as session:
        _return_answer(session, db, assignment, answer)
        (line,) = caseload.caseload(session, clinician_id=db.clinician_a.id, today=today)
    assert (line.new_shared, line.to_review) == (1, 1)  # the entry; the answer, to review
    with session_scope() as session:
        found = caseload.brief(
            session, clinician_id=db.clinician_a.id, client_id=str(db.client_a.id), today=today
        )
        (line,) = caseload.caseload(session, clinician_id=db.clinician_a.id, today=today)
    assert [item.fields["body"] for item in found.entries] == ["shared this week"]
    assert [(task.status, task.response_id) for task in found.homework] == [("returned", str(answer))]
    assert (line.new_shared, line.to_review) == (0, 1)
    viewed = [e.item_id for e in _audit() if e.action == AuditAction.VIEW_SHARED_ITEM]
    assert viewed == [entry]  # the answer is opened (and seen) from its homework, not here


def test_a_pinned_answer_to_homework_leads_to_where_it_is_read(db: People) -> None:
    """A walk-through found a homework answer the client pinned to the agenda on the brief as
    a title with nothing under it and no way to its answers: the brief knows the assignment
    each pinned item answers (where the clinician reads it), and a pinned entry answers none."""
    from betterjournal.state.preparation import _where_read

    _linked(db)
    today = date.today()
    assignment, entry = _prompt_and_shared_entry(db, today, "shared and pinned")
    answer = uuid.uuid4()
    ready = _prepare(db)
    with session_scope() as session:
        _return_answer(session, db, assignment, answer)
        for pinned in (answer, entry):
            agenda.pin(
                session,
                client_id=db.client_a.id,
                agenda_id=ready.agenda.id,
                kind="journal_entry",
                item_id=pinned,
            )
        share(session, owner_id=db.client_a.id, entry_id=ready.agenda.id, clinician_id=db.clinician_a.id)
    with session_scope() as session:
        found = caseload.brief(
            session, clinician_id=db.clinician_a.id, client_id=str(db.client_a.id), today=today
        )
        # Another clinician's assignments are not looked through.
        assert (
            homework.assignments_answered(session, clinician_id=db.clinician_b.id, response_ids=[str(answer)])
            == {}
        )
    assert set(found.pinned) == {str(answer), str(entry)}
    assert found.answers_to == {str(answer): str(assignment)}
    assert (
        _where_read("journal_entry", str(answer), found.answers_to)
        == f"{routes.RETURNED}?assignment={assignment}"
    )
    assert _where_read("journal_entry", str(entry), found.answers_to) == routes.shared_entry(str(entry))
    assert _where_read("homework_response", str(uuid.uuid4()), found.answers_to) == ""


def test_a_note_after_a_session_never_takes_the_place_of_what_carries_over(db: People) -> None:
    _linked(db)
    _hold(db)  # no agenda was made for the first session
    ready = _prepare(db)  # the second window's agenda
    with session_scope() as session:
        agenda.add_text(
            session, client_id=db.client_a.id, agenda_id=ready.agenda.id, text="Still to talk about"
        )
        # The note about the first session is written after: its agenda is the newest made.
        last = agenda.last_time_for_note(session, client_id=db.client_a.id, clinician_id=db.clinician_a.id)
        agenda.remember(session, client_id=db.client_a.id, agenda_id=last, text="A note")
    _hold(db)
    assert [line.text for line in _prepare(db).agenda.lines] == ["Still to talk about"]


# --- a property: what reaches the clinician is exactly what is shared ------------------------


@given(
    lines=st.lists(st.tuples(st.sampled_from(["text", "pin"]), st.booleans()), min_size=1, max_size=6),
    agenda_shared=st.booleans(),
    revoke_after=st.booleans(),
)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_the_brief_holds_exactly_the_shared_lines_and_pins(
    db: People, lines: list[tuple[str, bool]], agenda_shared: bool, revoke_after: bool
) -> None:
    """For any agenda (text lines, pins of shared and private entries), shared or not, and
    a pinned entry's share revoked after pinning: the clinician's brief holds the text lines
    and the pins of entries shared with them now, in order, if the agenda is shared, and
    nothing else; no private entry's id or words are anywhere in it."""
    with session_scope() as session:
        if not sharing.is_linked(session, client_id=db.client_a.id, clinician_id=db.clinician_a.id):
            link(session, client_id=db.client_a.id, clinician_id=db.clinician_a.id)
    ready = _prepare(db)
    expected: list[str] = []
    private: list[str] = []
    revoked: str | None = None
    with session_scope() as session:
        for index, (what, shared) in enumerate(lines):
            if what == "text":
                agenda.add_text(
                    session, client_id=db.client_a.id, agenda_id=ready.agenda.id, text=f"line {index}"
                )
                expected.append(f"line {index}")
                continue
            words = f"entry words {uuid.uuid4().hex}"
            entry = new_entry(session, owner_id=db.client_a.id, body=words)
            if shared:
                share(session, owner_id=db.client_a.id, entry_id=entry, clinician_id=db.clinician_a.id)
            agenda.pin(
                session,
                client_id=db.client_a.id,
                agenda_id=ready.agenda.id,
                kind="journal_entry",
                item_id=entry,
            )
            if shared and revoke_after and revoked is None:
                revoked = str(entry)
                share(
                    session,
                    owner_id=db.client_a.id,
                    entry_id=entry,
                    clinician_id=db.clinician_a.id,
                    shared=False,
                )
                private += [str(entry), words]
            elif shared:
                expected.append(str(entry))
            else:
                private += [str(entry), words]
        if agenda_shared:
            share(session, owner_id=db.client_a.id, entry_id=ready.agenda.id, clinician_id=db.clinician_a.id)
    with session_scope() as session:
        found = caseload.brief(
            session, clinician_id=db.clinician_a.id, client_id=str(db.client_a.id), today=date.today()
        )
    shown = [line.text or line.item_id for line in found.agenda]
    assert shown == (expected if agenda_shared else [])
    assert set(found.pinned) == (
        {e for e in expected if not e.startswith("line ")} if agenda_shared else set()
    )
    everything = repr(found)
    assert not [secret for secret in private if secret in everything]
    with session_scope() as session:  # the next example starts from an empty agenda
        agenda.items.delete_item(session, owner_id=db.client_a.id, item_id=ready.agenda.id)


# --- the window's chart says what it holds ----------------------------------------------------


def test_the_window_chart_names_its_window_and_whose_check_ins_it_holds() -> None:
    """Before any session is held, the window is the last two weeks and its faint part the
    two weeks before (not "since the last session" / "before the last session"); a
    clinician's chart, of shared check-ins only, says "no shared check-ins" when there are
    none (the client may have made private ones: a walk-through found "No check-ins")."""
    from betterjournal import charts
    from betterjournal.core.checkins import Reading
    from betterjournal.i18n import ENGLISH, FRENCH, Reader

    now = datetime(2026, 12, 3, 15, tzinfo=UTC)
    since, before = now - timedelta(days=14), now - timedelta(days=28)
    reader = Reader(ENGLISH, "America/Halifax")

    def said(readings: list[Reading], **how: bool) -> tuple[str, list[str]]:
        chart = charts.window(readings, reader, since=since, now=now, before=before, **how)
        return chart.summary, [trace["name"] for trace in chart.figure["data"]]

    assert said([], held=False, shared=True)[0] == "No shared check-ins in the last two weeks."
    assert said([], held=False)[0] == "No check-ins in the last two weeks."
    assert said([], held=True, shared=True)[0] == "No shared check-ins since the last session."
    assert said([], held=True)[0] == "No check-ins since the last session."
    both = [
        Reading("a", now - timedelta(days=20), {"mood": 4}),  # the window before
        Reading("b", now - timedelta(days=2), {"mood": 7}),
        Reading("c", now - timedelta(days=1), {"mood": 8}),
    ]
    assert said(both, held=False) == (
        "Average mood 7.5 in the last two weeks, 2 check-ins.",
        ["The two weeks before", "Mood"],
    )
    assert said(both, held=True) == (
        "Average mood 7.5 since the last session, 2 check-ins.",
        ["Before the last session", "Mood"],
    )
    french = charts.window(both, Reader(FRENCH, "America/Montreal"), since=since, now=now, held=False)
    assert french.summary == "Humeur moyenne de 7,5 ces deux dernières semaines, 2 bilans."

    # The axis: the weeks before only when they hold something to compare with; else the
    # window alone, as its heading says (a walk-through saw four weeks under "the last two").
    def first_day_drawn(readings: list[Reading]) -> date:
        chart = charts.window(readings, reader, since=since, now=now, before=before, held=False)
        start = date.fromisoformat(chart.figure["layout"]["xaxis"]["range"][0])
        return start + timedelta(days=1)  # (a day's room before the first, under 50 days)

    assert first_day_drawn(both) == before.astimezone(reader.zone).date()
    assert first_day_drawn(both[1:]) == since.astimezone(reader.zone).date()
    assert first_day_drawn([]) == since.astimezone(reader.zone).date()
    # What the page says of it ("In grey: …"; a frame at all) is what it drew.
    drawn = {
        name: charts.window(readings, reader, since=since, now=now, before=before, held=False)
        for name, readings in (
            ("both", both),
            ("this window", both[1:]),
            ("before only", both[:1]),
            ("none", []),
        )
    }
    assert {name: (chart.compared, chart.drawn) for name, chart in drawn.items()} == {
        "both": (True, True),
        "this window": (False, True),
        "before only": (True, True),
        "none": (False, False),
    }


def test_a_pinned_chart_reads_in_the_voice_of_whoever_reads_it() -> None:
    """The client pinned "Chart of my check-ins…"; in the brief the clinician read the
    client's "my" on a line pointing at nothing they could see (a walk-through)."""
    from betterjournal.i18n import ENGLISH, FRENCH, Reader
    from betterjournal.views import agenda_line_text

    chart = agenda.Line("1", pin=agenda.CHART)
    english, french = Reader(ENGLISH), Reader(FRENCH)
    assert agenda_line_text(chart, None, english) == "My check-in chart"  # as the pin menu said
    assert (
        agenda_line_text(chart, None, english, clinician=True)
        == "Their check-in chart (under Shared check-ins)"
    )
    assert agenda_line_text(chart, None, french) == "Mon graphique des bilans"
    assert agenda_line_text(chart, None, french, clinician=True).startswith("Son graphique des bilans")
    text = agenda.Line("2", text="Sleep")
    assert agenda_line_text(text, None, english, clinician=True) == "Sleep"


def test_a_check_in_made_now_for_long_ago_is_not_of_this_window(db: People) -> None:
    """Prepare's "since last session" (and the summary PDF's chart) held a check-in saved
    today for a day ten years back: it was read by when it was written, not when it was felt."""
    from betterjournal.core import checkins

    _linked(db)
    now = utcnow()
    felt = {"recent": now - timedelta(hours=2), "long ago": now - timedelta(days=3650)}
    ids = {}
    with session_scope() as session:
        for label, felt_at in felt.items():
            ids[label] = uuid.uuid4()
            items.save(
                session,
                owner_id=db.client_a.id,
                kind=checkins.KIND,
                item_id=ids[label],
                values={"felt_at": felt_at.isoformat(), "mood": 5, "note": ""},
            )
    with session_scope() as session:
        review = agenda.review(session, client_id=db.client_a.id, clinician_id=db.clinician_a.id)
    assert [item.id for item in review.check_ins] == [ids["recent"]]


def test_two_items_that_would_read_alike_in_the_pin_menu_are_told_apart_by_when() -> None:
    """A walk-through's pin menu offered "Homework: Thought record" twice (one assigned, one
    their own), with no way to tell which was which."""
    from betterjournal.i18n import ENGLISH, FRENCH, Reader
    from betterjournal.models import OwnItem
    from betterjournal.views import pin_choices

    def entry(title: str, changed: datetime) -> OwnItem:
        fields = {"title": title, "body": "Words."}
        return OwnItem(
            id=uuid.uuid4(), kind=journal.KIND.name, fields=fields, created_at=changed, updated_at=changed
        )

    monday, tuesday = datetime(2026, 11, 30, 14, 5, tzinfo=UTC), datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
    offered = [entry("Sleep", monday), entry("Work", monday), entry("Sleep", tuesday)]
    english = Reader(ENGLISH, "America/Halifax")
    choices = pin_choices(offered, english)
    assert [choice.value for choice in choices] == [f"journal_entry:{item.id}" for item in offered]
    assert [choice.label for choice in choices] == [
        "Entry: Sleep (Nov 30, 2026, 10:05\u202fa.m.)",
        "Entry: Work",
        "Entry: Sleep (Dec 1, 2026, 5:30\u202fa.m.)",
    ]
    french = [choice.label for choice in pin_choices(offered, Reader(FRENCH, "America/Halifax"))]
    assert french[0] == "Entrée\u00a0: Sleep (30 nov. 2026, 10\u00a0h\u00a005)", french
    assert len(set(french)) == 3


def test_a_check_in_before_the_session_on_its_day_is_the_window_befores() -> None:
    """A walk-through: a check-in at 5:39, the session marked held at 5:41. The brief drew
    it as this window's (same day) and said "No shared check-ins since the last session".
    The window starts at its moment: the check-in is drawn in grey, as the one before, and
    one after the session that day is this window's, drawn and counted."""
    from betterjournal import charts
    from betterjournal.core.checkins import Reading
    from betterjournal.i18n import ENGLISH, Reader

    held_at = datetime(2026, 12, 7, 10, 41, tzinfo=UTC)
    now = held_at + timedelta(minutes=10)
    reader = Reader(ENGLISH, "America/Toronto")
    morning = Reading("a", held_at - timedelta(minutes=2), {"mood": 6})

    def drawn(readings: list[Reading]) -> tuple[str, dict[str, list[float]]]:
        chart = charts.window(readings, reader, since=held_at, now=now, held=True, shared=True)
        return chart.summary, {trace["name"]: trace["y"] for trace in chart.figure["data"]}

    assert drawn([morning]) == (
        "No shared check-ins since the last session.",
        {"Before the last session": [6]},
    )
    later = Reading("b", held_at + timedelta(minutes=5), {"mood": 8})
    assert drawn([morning, later]) == (
        "Average mood 8 since the last session, 1 check-in.",
        {"Before the last session": [6], "Mood": [8]},
    )

"""Reminders with a fake clock (core/reminders.py, scheduler.py): the outbox gets exactly
the reminders due in the person's time zone, none in quiet hours, none after turning off,
none twice; homework reminders on due days only; the email says nothing about health and
names no clinician; the one-tap opt-out works without signing in, for its own person only.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, date, datetime, time, timedelta
from email import message_from_string
from email.message import EmailMessage
from email.policy import SMTP
from typing import cast
from zoneinfo import ZoneInfo

import pytest
from beta_support import web_client
from smtp_mailbox import html_of, text_of
from sqlmodel import col, select
from unit_support import People, link, new_entry

from betterjournal import routes, scheduler
from betterjournal.core import homework, mail, reminders
from betterjournal.core.errors import InvalidInput
from betterjournal.db import session_scope
from betterjournal.i18n import FRENCH, Reader
from betterjournal.models import Assignment, OutboxMessage, ReminderKind, ReminderSent, User

VANCOUVER = ZoneInfo("America/Vancouver")
MONDAY, WEDNESDAY = 0, 2
# Monday 7 December 2026, 20:00 in Vancouver is Tuesday 8 December, 04:00 UTC.
MONDAY_8PM_VANCOUVER = datetime(2026, 12, 8, 4, 0, tzinfo=UTC)
SET_UP = datetime(2026, 12, 1, tzinfo=UTC)  # when the reminders were chosen, before any of them
MARKER_TITLE = "MARKER-homework-title-7d1e"
MARKER_INSTRUCTIONS = "MARKER-homework-instructions-2b9c"
MARKER_ENTRY = "MARKER-entry-text-c04a"


def _plan(**changes: object) -> reminders.Plan:
    """Check-in reminders on Mondays and Wednesdays at 20:00 (everything else off)."""
    plan = reminders.Plan(
        check_in=reminders.Schedule(True, frozenset({MONDAY, WEDNESDAY}), time(20, 0)),
        journal=reminders.OFF.journal,
        homework=reminders.OFF.homework,
    )
    values = {**plan.__dict__, **changes}
    return reminders.Plan(**values)  # type: ignore[arg-type]


def _in_vancouver(db: People, plan: reminders.Plan, *, language: str | None = None) -> None:
    with session_scope() as session:
        user = session.get(User, db.client_a.id)
        assert user is not None
        user.time_zone, user.language = "America/Vancouver", language
        session.add(user)
        reminders.save_preferences(session, user_id=db.client_a.id, plan=plan, now=SET_UP)


def _run(now: datetime) -> int:
    """One scheduler round at `now` (the app's own round, with the clock passed in)."""
    return asyncio.run(scheduler.give_due_reminders(now)).total()


def _outbox() -> list[EmailMessage]:
    """Every queued email, opened the way the sender opens it."""
    with session_scope() as session:
        rows = session.exec(select(OutboxMessage).order_by(col(OutboxMessage.created_at))).all()
        key = mail.outbox_key()
        return [
            cast(
                EmailMessage,
                message_from_string(
                    key.open_field(OutboxMessage.message_ct, row.id, row.message_ct), policy=SMTP
                ),
            )
            for row in rows
        ]


def _every_minute(start: datetime, end: datetime) -> list[datetime]:
    minutes = int((end - start).total_seconds() // 60)
    return [start + timedelta(minutes=m) for m in range(minutes + 1)]


# --- the rule, without a database -------------------------------------------------------


def test_vancouver_monday_8pm_is_4am_utc_on_tuesday_and_tuesday_gets_nothing() -> None:
    plan = _plan()
    week = _every_minute(datetime(2026, 12, 7, 8, 0, tzinfo=UTC), datetime(2026, 12, 10, 8, 0, tzinfo=UTC))
    given: set[tuple[ReminderKind, date]] = set()
    moments = []
    for now in week:
        for due in reminders.due_now(now, plan, VANCOUVER, already=given):
            given.add((due.kind, due.slot))
            moments.append((now, due))
    assert moments == [
        (MONDAY_8PM_VANCOUVER, reminders.Due(ReminderKind.CHECK_IN, date(2026, 12, 7))),
        (datetime(2026, 12, 10, 4, 0, tzinfo=UTC), reminders.Due(ReminderKind.CHECK_IN, date(2026, 12, 9))),
    ]


def test_the_local_time_holds_across_the_change_of_daylight_saving_time() -> None:
    """Toronto leaves daylight time on Sunday 1 November 2026: 20:00 there is 00:00 UTC
    before the change and 01:00 UTC after it."""
    toronto = ZoneInfo("America/Toronto")
    every_day = _plan(check_in=reminders.Schedule(True, frozenset(range(7)), time(20, 0)))
    start, end = datetime(2026, 10, 30, 12, 0, tzinfo=UTC), datetime(2026, 11, 3, 12, 0, tzinfo=UTC)
    given: set[tuple[ReminderKind, date]] = set()
    moments = []
    for now in _every_minute(start, end):
        for due in reminders.due_now(now, every_day, toronto, already=given):
            given.add((due.kind, due.slot))
            moments.append(now)
    assert moments == [
        datetime(2026, 10, 31, 0, 0, tzinfo=UTC),
        datetime(2026, 11, 1, 0, 0, tzinfo=UTC),
        datetime(2026, 11, 2, 1, 0, tzinfo=UTC),
        datetime(2026, 11, 3, 1, 0, tzinfo=UTC),
    ]


def test_quiet_hours_across_midnight_skip_a_reminder_due_in_them() -> None:
    late = _plan(check_in=reminders.Schedule(True, frozenset({MONDAY}), time(23, 30)))
    night = (time(22, 0), time(7, 0))
    start, end = datetime(2026, 12, 8, 6, 0, tzinfo=UTC), datetime(2026, 12, 9, 6, 0, tzinfo=UTC)
    assert any(reminders.due_now(now, late, VANCOUVER) for now in _every_minute(start, end))
    quiet = _plan(check_in=late.check_in, quiet_on=True, quiet_hours=night)
    assert not any(reminders.due_now(now, quiet, VANCOUVER) for now in _every_minute(start, end))


def test_nothing_is_sent_while_quiet_hours_last_even_a_late_reminder() -> None:
    plan = _plan(quiet_on=True, quiet_hours=(time(20, 30), time(7, 0)))
    at_8pm = MONDAY_8PM_VANCOUVER
    assert reminders.due_now(at_8pm, plan, VANCOUVER)  # 20:00 is before quiet hours start
    # The same reminder, late (the scheduler was down), once quiet hours have started: no.
    assert reminders.due_now(at_8pm + timedelta(minutes=35), plan, VANCOUVER) == []
    assert reminders.in_quiet_hours(time(23, 0), (time(22, 0), time(7, 0)))
    assert reminders.in_quiet_hours(time(6, 59), (time(22, 0), time(7, 0)))
    assert not reminders.in_quiet_hours(time(7, 0), (time(22, 0), time(7, 0)))
    assert not reminders.in_quiet_hours(time(21, 59), (time(22, 0), time(7, 0)))


def test_a_reminder_more_than_an_hour_late_is_not_sent() -> None:
    plan = _plan()
    assert reminders.due_now(MONDAY_8PM_VANCOUVER + timedelta(minutes=59), plan, VANCOUVER)
    assert reminders.due_now(MONDAY_8PM_VANCOUVER + timedelta(minutes=60), plan, VANCOUVER) == []
    assert reminders.due_now(MONDAY_8PM_VANCOUVER - timedelta(minutes=1), plan, VANCOUVER) == []


def test_homework_reminders_come_on_due_days_only() -> None:
    plan = _plan(
        check_in=reminders.OFF.check_in, homework=reminders.Schedule(True, frozenset(range(7)), time(9, 0))
    )
    due_on = {date(2026, 12, 9)}
    days = [datetime(2026, 12, day, 17, 0, tzinfo=UTC) for day in range(7, 12)]  # 9:00 in Vancouver
    given = [(now.date(), reminders.due_now(now, plan, VANCOUVER, homework_due_on=due_on)) for now in days]
    assert given == [
        (date(2026, 12, 7), []),
        (date(2026, 12, 8), []),
        (date(2026, 12, 9), [reminders.Due(ReminderKind.HOMEWORK, date(2026, 12, 9))]),
        (date(2026, 12, 10), []),
        (date(2026, 12, 11), []),
    ]


def test_the_form_becomes_a_plan_and_bad_input_is_refused() -> None:
    plan = reminders.plan_from_form(
        {
            "check_in_on": "on",
            "check_in_day_0": "on",
            "check_in_day_2": True,
            "check_in_day_3": False,
            "check_in_at": "20:00",
            "journal_at": "",
            "homework_at": "09:15",
            "quiet_on": "on",
            "quiet_start": "22:00",
            "quiet_end": "07:00",
        }
    )
    assert plan.check_in == reminders.Schedule(True, frozenset({0, 2}), time(20, 0))
    assert not plan.journal.on and not plan.homework.on and plan.homework.at == time(9, 15)
    assert plan.quiet == (time(22, 0), time(7, 0))
    for bad in (
        {"check_in_on": "on", "check_in_at": "25:00"},
        {"check_in_on": "on", "check_in_at": "8pm"},
        {"check_in_on": "on", "check_in_at": "\x0020:00"},
        {"check_in_day_7": "on"},
        {"owner_id": "someone"},
    ):
        with pytest.raises(InvalidInput):
            reminders.plan_from_form(bad)


# --- the scheduler against the database -------------------------------------------------------


def test_the_outbox_gets_the_vancouver_reminder_once_at_4am_utc(db: People) -> None:
    _in_vancouver(db, _plan())
    tuesday_vancouver = _every_minute(
        MONDAY_8PM_VANCOUVER + timedelta(hours=1), datetime(2026, 12, 9, 8, 0, tzinfo=UTC)
    )
    assert _run(MONDAY_8PM_VANCOUVER - timedelta(minutes=1)) == 0
    assert _run(MONDAY_8PM_VANCOUVER) == 1
    assert _run(MONDAY_8PM_VANCOUVER) == 0  # the scheduler running twice: still one
    assert _run(MONDAY_8PM_VANCOUVER + timedelta(minutes=1)) == 0
    assert sum(_run(now) for now in tuesday_vancouver[::15]) == 0  # nothing on Tuesday
    sent = _outbox()
    assert len(sent) == 1
    assert sent[0]["To"] == db.client_a.email
    assert sent[0]["Subject"] == "A reminder from Betterjournal"
    assert "a moment to check in?" in text_of(sent[0])
    with session_scope() as session:
        rows = session.exec(select(ReminderSent)).all()
        assert [(row.user_id, row.kind, row.slot) for row in rows] == [
            (db.client_a.id, ReminderKind.CHECK_IN, date(2026, 12, 7))
        ]


def test_a_scheduler_that_missed_the_other_ones_reminder_still_sends_none(
    db: People, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two workers (or a restart) deciding at once: the second one read before the first
    committed, so it believes nothing was given. The unique key stops its copy."""
    _in_vancouver(db, _plan())
    assert _run(MONDAY_8PM_VANCOUVER) == 1
    blind = reminders.due_now
    monkeypatch.setattr(
        reminders, "due_now", lambda *args, **kwargs: blind(*args, **{**kwargs, "already": ()})
    )
    assert reminders.due_now(
        MONDAY_8PM_VANCOUVER, _plan(), VANCOUVER, already=[(ReminderKind.CHECK_IN, date(2026, 12, 7))]
    )
    assert _run(MONDAY_8PM_VANCOUVER) == 0
    assert len(_outbox()) == 1


def test_a_person_whose_email_cant_be_sent_holds_up_nobody_else(db: People) -> None:
    _in_vancouver(db, _plan())
    with session_scope() as session:
        reminders.save_preferences(session, user_id=db.client_b.id, plan=_plan(), now=SET_UP)
        for who in (db.client_a.id, db.client_b.id):
            user = session.get(User, who)
            assert user is not None
            user.time_zone = "America/Vancouver"
            if who == db.client_a.id:
                user.email = "not one address@example.test"
            session.add(user)
    assert _run(MONDAY_8PM_VANCOUVER) == 1
    assert [str(m["To"]) for m in _outbox()] == [db.client_b.email]
    with session_scope() as session:  # A's reminder was not recorded as given either
        assert [row.user_id for row in session.exec(select(ReminderSent)).all()] == [db.client_b.id]


def test_no_reminder_after_turning_off_nor_before_turning_on(db: People) -> None:
    assert _run(MONDAY_8PM_VANCOUVER) == 0  # off by default
    _in_vancouver(db, _plan())
    with session_scope() as session:
        reminders.turn_off(session, user_id=db.client_a.id)
    assert _run(MONDAY_8PM_VANCOUVER) == 0
    with session_scope() as session:
        assert not reminders.preferences(session, user_id=db.client_a.id).any_on
        # The days and time chosen are kept, for turning them on again.
        assert reminders.preferences(session, user_id=db.client_a.id).check_in.days == {MONDAY, WEDNESDAY}
    assert _outbox() == []


def test_a_reminder_turned_on_or_moved_after_its_time_comes_from_its_next_time(db: People) -> None:
    """A walk-through turned the 8 p.m. reminder on at 8:10 p.m.: it came at once, and that
    day's was then given, so the time chosen next came to nothing. Now it counts from its
    next time: none that evening at the old time, one at the time chosen after it, and the
    Wednesday one as usual."""
    ten_past = MONDAY_8PM_VANCOUVER + timedelta(minutes=10)
    _in_vancouver(db, _plan())
    with session_scope() as session:
        reminders.save_preferences(session, user_id=db.client_a.id, plan=_plan(), now=ten_past)
    assert sum(_run(now) for now in _every_minute(ten_past, ten_past + timedelta(minutes=50))) == 0
    with session_scope() as session:  # moved to later that evening: that one comes
        at_nine = _plan(check_in=reminders.Schedule(True, frozenset({MONDAY, WEDNESDAY}), time(21, 0)))
        reminders.save_preferences(session, user_id=db.client_a.id, plan=at_nine, now=ten_past)
    assert _run(MONDAY_8PM_VANCOUVER + timedelta(hours=1)) == 1
    assert _run(MONDAY_8PM_VANCOUVER + timedelta(days=2, hours=1)) == 1  # Wednesday, 9 p.m.
    assert len(_outbox()) == 2
    # Set during its own minute (times are minutes: it isn't past yet): it comes.
    wednesday_10pm = MONDAY_8PM_VANCOUVER + timedelta(days=9, hours=2)  # the next week's
    with session_scope() as session:
        at_ten = _plan(check_in=reminders.Schedule(True, frozenset({MONDAY, WEDNESDAY}), time(22, 0)))
        reminders.save_preferences(
            session, user_id=db.client_a.id, plan=at_ten, now=wednesday_10pm + timedelta(seconds=40)
        )
    assert _run(wednesday_10pm + timedelta(seconds=50)) == 1


def test_no_reminder_in_quiet_hours_through_the_scheduler(db: People) -> None:
    _in_vancouver(db, _plan(quiet_on=True, quiet_hours=(time(19, 0), time(21, 0))))
    monday_evening = _every_minute(
        MONDAY_8PM_VANCOUVER - timedelta(hours=2), MONDAY_8PM_VANCOUVER + timedelta(hours=3)
    )
    assert sum(_run(now) for now in monday_evening) == 0
    assert _outbox() == []


def _homework_with_markers(db: People, due_on: date) -> None:
    with session_scope() as session:
        link(session, client_id=db.client_a.id, clinician_id=db.clinician_a.id)
        template = homework.save_template(
            session,
            clinician_id=db.clinician_a.id,
            definition={"title": MARKER_TITLE, "fields": [{"type": "long_text", "label": "What happened"}]},
        )
        homework.assign(
            session,
            clinician_id=db.clinician_a.id,
            client_id=db.client_a.id,
            template=f"custom:{template}",
            instructions=MARKER_INSTRUCTIONS,
            due_on=due_on.isoformat(),
            today=date(2026, 12, 1),
        )
        new_entry(session, owner_id=db.client_a.id, title=MARKER_ENTRY, body=MARKER_ENTRY)


@pytest.mark.parametrize("language", [None, FRENCH])
def test_homework_reminder_on_the_due_day_only_and_the_email_says_nothing_of_it(
    db: People, language: str | None
) -> None:
    _homework_with_markers(db, date(2026, 12, 9))
    plan = _plan(
        check_in=reminders.Schedule(True, frozenset(range(7)), time(20, 0)),
        journal=reminders.Schedule(True, frozenset(range(7)), time(20, 0)),
        homework=reminders.Schedule(True, frozenset(range(7)), time(9, 0)),
    )
    _in_vancouver(db, plan, language=language)
    nine_am = [datetime(2026, 12, day, 17, 0, tzinfo=UTC) for day in (7, 8, 9, 10)]
    assert [_run(now) for now in nine_am] == [0, 0, 1, 0]
    assert _run(MONDAY_8PM_VANCOUVER) == 2  # the check-in and the writing reminders
    sent = _outbox()
    assert len(sent) == 3
    for message in sent:
        whole = message.as_string() + text_of(message) + html_of(message)
        for secret in (MARKER_TITLE, MARKER_INSTRUCTIONS, MARKER_ENTRY, db.clinician_a.name, "Dr."):
            assert secret not in whole
        # One tap stops them: in the text, and as the mail program's own button.
        link = f"{reminders.opt_out_link(db.client_a.id)}"
        assert link in text_of(message)
        assert message["List-Unsubscribe"] == f"<{link}>"
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    expected = Reader(language or "en").t("A reminder from Betterjournal")
    assert {str(message["Subject"]) for message in sent} == {expected}


def test_returned_or_withdrawn_homework_brings_no_reminder(db: People) -> None:
    _homework_with_markers(db, date(2026, 12, 9))
    with session_scope() as session:
        for row in session.exec(select(Assignment)).all():
            row.withdrawn_at = row.created_at
            session.add(row)
    _in_vancouver(
        db, _plan(check_in=reminders.OFF.check_in, homework=reminders.Schedule(True, frozenset(), time(9)))
    )
    assert _run(datetime(2026, 12, 9, 17, 0, tzinfo=UTC)) == 0


# --- the banner ---------------------------------------------------------------------------------


def test_the_banner_shows_the_newest_reminder_until_dismissed_by_its_owner(db: People) -> None:
    _in_vancouver(db, _plan())
    _run(MONDAY_8PM_VANCOUVER)
    with session_scope() as session:
        shown = reminders.banner(session, user_id=db.client_a.id)
        assert shown is not None and shown.kind == ReminderKind.CHECK_IN and shown.href == routes.CHECK_IN
        assert reminders.banner(session, user_id=db.client_b.id) is None
        # Someone else's id, or a broken one, dismisses nothing.
        reminders.dismiss(session, user_id=db.client_b.id, reminder_id=str(shown.id))
        with pytest.raises(InvalidInput):
            reminders.dismiss(session, user_id=db.client_a.id, reminder_id="not-an-id")
    with session_scope() as session:
        assert reminders.banner(session, user_id=db.client_a.id) == shown
        assert (
            reminders.banner(session, user_id=db.client_a.id, now=datetime.now(UTC) + timedelta(hours=13))
            is None
        )
        reminders.dismiss(session, user_id=db.client_a.id, reminder_id=str(shown.id))
    with session_scope() as session:
        assert reminders.banner(session, user_id=db.client_a.id) is None


# --- the one-tap opt-out ----------------------------------------------------------------------


def _on(db: People, who: uuid.UUID) -> bool:
    with session_scope() as session:
        return reminders.preferences(session, user_id=who).any_on


def test_the_opt_out_link_turns_reminders_off_without_signing_in(db: People) -> None:
    _in_vancouver(db, _plan(), language=FRENCH)
    with session_scope() as session:
        reminders.save_preferences(session, user_id=db.client_b.id, plan=_plan(), now=SET_UP)
        client_b = session.get(User, db.client_b.id)
        assert client_b is not None
        client_b.time_zone = "America/Vancouver"
        session.add(client_b)
    assert _run(MONDAY_8PM_VANCOUVER) == 2
    link = reminders.opt_out_link(db.client_a.id)
    with web_client() as client:
        client.cookies.clear()
        # Opening the link (as a mail scanner fetching every link of a message does) asks,
        # and changes nothing; the page's one button turns them off.
        page = client.get(link)
        assert page.status_code == 200
        assert "Désactiver les rappels" in page.text and '<form method="post"' in page.text
        assert _on(db, db.client_a.id)
        page = client.post(link)
        assert page.status_code == 200
        assert "Les rappels sont désactivés" in page.text
        assert "set-cookie" not in {name.lower() for name in page.headers}  # nobody signed in
        again = client.post(link)  # idempotent
        assert again.status_code == 200
    assert not _on(db, db.client_a.id)
    assert _on(db, db.client_b.id)  # only its own person
    with session_scope() as session:
        assert reminders.banner(session, user_id=db.client_a.id) is None  # the banner went too
    assert _run(datetime(2026, 12, 10, 4, 0, tzinfo=UTC)) == 1  # Wednesday: client B only
    assert sorted(str(m["To"]) for m in _outbox()) == [
        db.client_a.email,
        db.client_b.email,
        db.client_b.email,
    ]


def test_the_mail_programs_one_click_post_turns_reminders_off(db: People) -> None:
    _in_vancouver(db, _plan())
    with web_client() as client:
        answer = client.post(
            reminders.opt_out_link(db.client_a.id),
            content="List-Unsubscribe=One-Click",
            headers={"content-type": "application/x-www-form-urlencoded", "origin": "https://mail.example"},
        )
    assert answer.status_code == 200
    assert not _on(db, db.client_a.id)


def test_a_forged_or_altered_opt_out_link_changes_nothing(db: People) -> None:
    _in_vancouver(db, _plan())
    with session_scope() as session:
        reminders.save_preferences(session, user_id=db.client_b.id, plan=_plan(), now=SET_UP)
    token_a = reminders.opt_out_token(db.client_a.id)
    hex_a, _, mac_a = token_a.partition(".")
    mac_b = reminders.opt_out_token(db.client_b.id).partition(".")[2]
    flipped = mac_a[:-1] + ("A" if mac_a[-1] != "A" else "B")
    forged = [
        f"{db.client_b.id.hex}.{mac_a}",  # A's signature on B's id
        f"{hex_a}.{mac_b}",  # B's signature on A's id
        f"{hex_a}.{flipped}",  # one character changed
        hex_a,  # no signature
        f"{hex_a}.",
        f"{db.client_b.id}.{mac_b}",  # B's own, reshaped: dashes in the id
        "x" * 500,
        "",
    ]
    with web_client() as client:
        for token in forged:
            answer = client.get(routes.API_REMINDERS_OFF, params={"token": token})
            assert answer.status_code == 400, token
            assert "Nothing was changed" in answer.text
        assert client.get(routes.API_REMINDERS_OFF).status_code == 400
        assert client.post(routes.API_REMINDERS_OFF, params={"token": forged[0]}).status_code == 400
        one_click: dict = {
            "content": "List-Unsubscribe=One-Click",
            "headers": {"content-type": "application/x-www-form-urlencoded"},
        }
        assert (
            client.post(routes.API_REMINDERS_OFF, params={"token": forged[0]}, **one_click).status_code == 400
        )
    assert _on(db, db.client_a.id) and _on(db, db.client_b.id)
    assert reminders.opted_out_person(token_a) == db.client_a.id  # the genuine one still works


def test_a_token_signed_for_another_purpose_is_refused(db: People) -> None:
    from betterjournal.crypto import get_vault

    other = get_vault().sign("outbox/v1", db.client_a.id.bytes)
    assert reminders.opted_out_person(f"{db.client_a.id.hex}.{other}") is None

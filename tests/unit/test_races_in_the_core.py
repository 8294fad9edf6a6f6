"""Read-then-write windows in the core, under concurrency: several tabs of one person, or
two people, doing the same thing at the same moment.

Modelled on test_held_races.py and test_invitation_races.py: real threads on the app's own
SQLite engine (WAL, busy timeout), released together at a `threading.Barrier` right before
the call under test, many rounds. Each test states an invariant the code means to keep
(a limit, "one X per Y", a status changed once); a check-then-act window shows up as a
broken invariant, or as an error a person would see (a unique index refusing the loser
with an IntegrityError that nothing catches).
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from datetime import date, datetime, timedelta
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from pyotp.totp import TOTP
from sqlmodel import col, delete, func, select
from two_step import SETUP_TOKEN
from unit_support import OK, People, link, race

from betterjournal.core import (
    agenda,
    appointments,
    checkins,
    credentials,
    drafts,
    homework,
    items,
    journal,
    links,
    mfa,
    reminders,
    sharing,
    worksheets,
)
from betterjournal.core.errors import CoreError, Denied, EditedElsewhere, InvalidInput
from betterjournal.crypto import sha256_hex
from betterjournal.db import session_scope
from betterjournal.models import (
    AccountToken,
    Appointment,
    Assignment,
    AuditAction,
    AuditEvent,
    AuditOutcome,
    CheckInScale,
    CheckInTag,
    ItemShare,
    OutboxMessage,
    RecoveryCode,
    ReminderPreference,
    TokenPurpose,
    User,
    WorksheetTemplate,
)

ROUNDS = 15
RACERS = 6
TODAY = date.today()
ZONE = ZoneInfo("America/Halifax")
Attempt = Callable[[threading.Barrier], None]


def _in_tab(work: Callable[..., Any], /, **kwargs: Any) -> Attempt:
    """One tab's unit of work: wait for the others, then call `work(session, **kwargs)`."""

    def attempt(barrier: threading.Barrier) -> None:
        with session_scope() as session:
            barrier.wait()
            work(session, **kwargs)

    return attempt


def _noting(errors: list[BaseException], attempt: Attempt) -> Attempt:
    """The attempt, with an unexpected error (what a person would see as "something went
    wrong") noted for the test's assertion instead of ending the race; a refusal
    (CoreError) is the race's outcome as usual."""

    def noted(barrier: threading.Barrier) -> None:
        try:
            attempt(barrier)
        except CoreError:
            raise
        except Exception as error:
            errors.append(error)

    return noted


def _count(model: type, *conditions: Any) -> int:
    with session_scope() as session:
        return session.exec(select(func.count()).select_from(model).where(*conditions)).one()


def _linked(db: People) -> None:
    with session_scope() as session:
        link(session, client_id=db.client_a.id, clinician_id=db.clinician_a.id)


# --- limits enforced by counting, then inserting ----------------------------------------------


def test_tags_added_from_many_tabs_at_once_stay_within_the_limit(db: People) -> None:
    client = db.client_a.id
    with session_scope() as session:
        for index in range(checkins.TAGS_PER_CLIENT - 1):
            checkins.add_tag(session, owner_id=client, name=f"tag {index}")
    for round_number in range(ROUNDS):
        outcomes = race([_in_tab(checkins.add_tag, owner_id=client, name=f"new {i}") for i in range(RACERS)])
        live = _count(CheckInTag, col(CheckInTag.owner_id) == client, col(CheckInTag.removed_at).is_(None))
        assert live <= checkins.TAGS_PER_CLIENT, (
            f"round {round_number}: {live} tags when the limit is {checkins.TAGS_PER_CLIENT}"
        )
        assert outcomes.count(OK) == 1, outcomes
        with session_scope() as session:  # back to one short of the limit
            newest = session.exec(
                select(CheckInTag)
                .where(col(CheckInTag.owner_id) == client)
                .order_by(col(CheckInTag.created_at))
            ).all()[checkins.TAGS_PER_CLIENT - 1 :]
            for tag in newest:
                session.delete(tag)


def test_scales_added_by_client_and_clinician_at_once_stay_within_the_limits(db: People) -> None:
    """Each one place short of its limit (the client's own scales, the clinician's
    suggestions): tabs of both adding at once get exactly one more each."""
    client, clinician = db.client_a.id, db.clinician_a.id
    _linked(db)
    limits = {client: checkins.SCALES_PER_CLIENT, clinician: checkins.SUGGESTED_PER_CLINICIAN}
    with session_scope() as session:
        for who, limit in limits.items():
            for index in range(limit - 1):
                checkins.add_scale(session, client_id=client, added_by=who, name=f"scale {index}")
    for round_number in range(ROUNDS):
        outcomes = race(
            [
                _in_tab(checkins.add_scale, client_id=client, added_by=who, name=f"new {i}")
                for i, who in enumerate([client, clinician] * (RACERS // 2))
            ]
        )
        for who, limit in limits.items():
            live = _count(
                CheckInScale,
                col(CheckInScale.client_id) == client,
                col(CheckInScale.added_by) == who,
                col(CheckInScale.removed_at).is_(None),
            )
            assert live == limit, f"round {round_number}: {live} scales when the limit is {limit}"
        assert outcomes.count(OK) == 2, outcomes
        with session_scope() as session:
            for who, limit in limits.items():
                newest = session.exec(
                    select(CheckInScale)
                    .where(col(CheckInScale.client_id) == client, col(CheckInScale.added_by) == who)
                    .order_by(col(CheckInScale.created_at))
                ).all()[limit - 1 :]
                for scale in newest:
                    session.delete(scale)


def test_worksheets_saved_from_many_tabs_at_once_stay_within_the_library_limit(db: People) -> None:
    clinician = db.clinician_a.id
    definition = {"title": "Walk", "fields": [{"label": "What", "type": "long_text"}]}
    with session_scope() as session:
        for _ in range(homework.TEMPLATES_MAX - 1):
            homework.save_template(session, clinician_id=clinician, definition=definition)
    for round_number in range(ROUNDS // 3):
        outcomes = race(
            [_in_tab(homework.save_template, clinician_id=clinician, definition=definition)] * RACERS
        )
        kept = _count(WorksheetTemplate, col(WorksheetTemplate.owner_id) == clinician)
        assert kept <= homework.TEMPLATES_MAX, (
            f"round {round_number}: {kept} worksheets when the limit is {homework.TEMPLATES_MAX}"
        )
        assert outcomes.count(OK) == 1, outcomes
        with session_scope() as session:
            newest = session.exec(
                select(WorksheetTemplate)
                .where(col(WorksheetTemplate.owner_id) == clinician)
                .order_by(col(WorksheetTemplate.created_at))
            ).all()[homework.TEMPLATES_MAX - 1 :]
            for row in newest:
                session.delete(row)


# --- homework ----------------------------------------------------------------------------------


def _assign(db: People) -> uuid.UUID:
    with session_scope() as session:
        return homework.assign(
            session,
            clinician_id=db.clinician_a.id,
            client_id=db.client_a.id,
            template="builtin:thought_record",
            today=TODAY,
        )[0]


def _starting(db: People, assignment: uuid.UUID, item_id: uuid.UUID) -> Attempt:
    """A tab opened on the assignment (its own new response id), typing its first answer."""
    return _in_tab(
        homework.keep_change,
        client_id=db.client_a.id,
        item_id=item_id,
        assignment_id=assignment,
        worksheet=None,
        change=lambda *_: {"situation": f"typed in tab {item_id}"},
    )


def test_homework_started_in_two_tabs_at_once_has_one_response(db: People) -> None:
    """`_link` ties the first response to the assignment and refuses a second one ("started
    on another page"): two tabs starting at once must not both be told they saved."""
    _linked(db)
    for round_number in range(ROUNDS):
        assignment = _assign(db)
        tabs = [uuid.uuid4() for _ in range(RACERS)]
        outcomes = race([_starting(db, assignment, item_id) for item_id in tabs])
        with session_scope() as session:
            row = session.get(Assignment, assignment)
            assert row is not None
        where = f"round {round_number}"
        assert outcomes.count(OK) == 1, (
            f"{where}: {outcomes.count(OK)} tabs were told their response was saved; one is tied to it"
        )
        assert row.response_id == tabs[outcomes.index(OK)], where


def _answering(
    field: str, row: int, value: str
) -> Callable[[worksheets.Worksheet, dict[str, Any]], dict[str, Any]]:
    """One control's answer, as the worksheet page sends it (homework.keep_change's change)."""
    return lambda sheet, held: {field: worksheets.answer_given(sheet, held, field, row, "", value)}


def test_answers_to_an_exercise_of_ones_own_given_at_once_in_many_tabs_are_all_kept(db: People) -> None:
    """Each answer is merged into what the server holds (a read, then a write): tabs of one
    client answering different fields of the same exercise at the same moment (or a closing
    tab's beacon beside its websocket) must not write over each other's answers."""
    sheet = worksheets.GROUNDING
    fields = [f.id for f in sheet.fields if f.type in (worksheets.SHORT_TEXT, worksheets.LIST)][:RACERS]
    for round_number in range(ROUNDS):
        exercise = uuid.uuid4()
        outcomes = race(
            [
                _in_tab(
                    homework.keep_change,
                    client_id=db.client_a.id,
                    item_id=exercise,
                    assignment_id=None,
                    worksheet=sheet,
                    change=_answering(field, -1 if field == "when_where" else 0, f"answer in {field}"),
                )
                for field in fields
            ]
        )
        assert outcomes == [OK] * len(fields), outcomes
        with session_scope() as session:
            draft = drafts.get(session, owner_id=db.client_a.id, item_id=exercise)
            assert draft is not None
            held = homework.answers_of(homework.KIND, draft.fields)
        lost = [field for field in fields if f"answer in {field}" not in str(held.get(field))]
        assert lost == [], f"round {round_number}: answers written over: {lost}"


def _returned_response(db: People) -> tuple[uuid.UUID, uuid.UUID]:
    """An assignment with a saved response, not returned yet."""
    assignment, response = _assign(db), uuid.uuid4()
    with session_scope() as session:
        homework.save_response(
            session,
            client_id=db.client_a.id,
            item_id=response,
            assignment_id=assignment,
            worksheet=None,
            answers={"situation": "an answer"},
        )
    return assignment, response


def test_homework_withdrawn_while_being_returned_is_one_or_the_other(db: People) -> None:
    """A clinician takes an assignment back only "before it is returned", and a client
    returns only a live one: of a withdraw and a return at the same moment, one wins."""
    _linked(db)
    both, errors = 0, list[BaseException]()
    for _ in range(ROUNDS):
        assignment, response = _returned_response(db)
        outcomes = race(
            [
                _in_tab(homework.withdraw, clinician_id=db.clinician_a.id, assignment_id=assignment),
                _noting(
                    errors,
                    _in_tab(
                        homework.save_response,
                        client_id=db.client_a.id,
                        item_id=response,
                        assignment_id=assignment,
                        worksheet=None,
                        return_it=True,
                    ),
                ),
            ]
        )
        with session_scope() as session:
            row = session.get(Assignment, assignment)
            assert row is not None
            shared = sharing.visible_item_ids(session, clinician_id=db.clinician_a.id, among=[response])
        if row.withdrawn_at is not None and shared:
            assert outcomes == [OK, OK], outcomes
            both += 1
    assert (both, errors) == (0, []), (
        f"of {ROUNDS} rounds, {both} assignments were both withdrawn and returned (each tab told OK), "
        f"and {len(errors)} returns failed with an error: {sorted({repr(e) for e in errors})}"
    )


def test_a_return_marked_reviewed_from_two_tabs_is_reviewed_once(db: People) -> None:
    _linked(db)
    for round_number in range(ROUNDS):
        assignment, response = _returned_response(db)
        with session_scope() as session:
            homework.save_response(
                session,
                client_id=db.client_a.id,
                item_id=response,
                assignment_id=assignment,
                worksheet=None,
                return_it=True,
            )
        race(
            [_in_tab(homework.mark_reviewed, clinician_id=db.clinician_a.id, assignment_id=assignment)]
            * RACERS
        )
        reviews = _count(
            AuditEvent, col(AuditEvent.action) == AuditAction.COMMENT, col(AuditEvent.item_id) == assignment
        )
        assert reviews == 1, f"round {round_number}: one review audited {reviews} times"


# --- the session agenda ------------------------------------------------------------------------


def test_lines_added_to_an_agenda_from_two_tabs_at_once_are_all_kept(db: People) -> None:
    """Each add reads the agenda's lines and writes them back with its own: two tabs adding
    at once must not lose one's line (each was told it was added)."""
    _linked(db)
    client = db.client_a.id
    for round_number in range(ROUNDS):
        with session_scope() as session:
            opened = agenda.prepare(session, client_id=client, clinician_id=db.clinician_a.id).agenda
        agenda_id, before = opened.id, len(opened.lines)
        texts = [f"round {round_number} line {i}" for i in range(RACERS)]
        outcomes = race(
            [_in_tab(agenda.add_text, client_id=client, agenda_id=agenda_id, text=t) for t in texts]
        )
        with session_scope() as session:
            lines = agenda.prepare(session, client_id=client, clinician_id=db.clinician_a.id).agenda.lines
        kept = [line.text for line in lines[before:]]
        assert outcomes.count(OK) == RACERS, outcomes
        assert sorted(kept) == sorted(texts), (
            f"round {round_number}: {len(kept)} of {RACERS} lines added at once are on the agenda"
        )
        if before + RACERS > agenda.LINES_MAX - RACERS:
            break


def test_a_line_ticked_as_the_link_ends_is_never_ticked_after_it(db: People) -> None:
    """AUD-1, AUTHZ-5: a clinician ticks agenda lines as discussed while the client ends the
    link. A tick comes before the end (the clinician could see the line) or is refused; none
    is written, or audited as allowed, after the link ended."""
    client, clinician = db.client_a.id, db.clinician_a.id
    for round_number in range(ROUNDS):
        _linked(db)
        with session_scope() as session:
            opened = agenda.prepare(session, client_id=client, clinician_id=clinician).agenda
            agenda.add_text(session, client_id=client, agenda_id=opened.id, text=f"round {round_number}")
            sharing.set_shared(
                session, owner_id=client, item_id=opened.id, clinician_id=clinician, shared=True
            )
        with session_scope() as session:
            line = agenda.prepare(session, client_id=client, clinician_id=clinician).agenda.lines[-1]
        tick = _in_tab(
            agenda.set_discussed, clinician_id=clinician, agenda_id=opened.id, line_id=line.id, discussed=True
        )
        race([tick] * (RACERS // 2) + [_in_tab(links.end_link, client_id=client, clinician_id=clinician)])
        with session_scope() as session:
            trail = session.exec(
                select(AuditEvent.action)
                .where(
                    col(AuditEvent.action).in_([AuditAction.DISCUSS, AuditAction.UNLINK]),
                    col(AuditEvent.outcome) == AuditOutcome.ALLOWED,
                )
                .order_by(col(AuditEvent.id).desc())
                .limit(1)
            ).all()
        assert trail == [AuditAction.UNLINK], f"round {round_number}: a tick audited after the link ended"


# --- appointments: plan and unplan against mark held --------------------------------------------


def _plan_later_today(clinician: uuid.UUID, client: uuid.UUID) -> None:
    with session_scope() as session:
        session.exec(delete(Appointment))  # type: ignore[call-overload]
        appointments.plan(
            session,
            clinician_id=clinician,
            client_id=client,
            day=datetime.now(ZONE).date().isoformat(),
            at="23:59",
            zone=ZONE,
        )


def test_a_session_unplanned_while_being_marked_held_stays_held(db: People) -> None:
    """The clinician's phone marks today's session held while the laptop clears "next
    session": a held session is never deleted (it opens the window the agenda is for)."""
    clinician, client = db.clinician_a.id, db.client_a.id
    _linked(db)
    lost = 0
    for _ in range(ROUNDS * 2):
        _plan_later_today(clinician, client)
        outcomes = race(
            [
                _in_tab(appointments.mark_held, clinician_id=clinician, client_id=client, zone=ZONE),
                _in_tab(appointments.unplan, clinician_id=clinician, client_id=client),
            ]
        )
        assert outcomes[0] is OK, outcomes
        held = _count(Appointment, col(Appointment.held_at).is_not(None))
        lost += held == 0
    assert lost == 0, f"{lost} of {ROUNDS * 2} sessions marked held (OK) were deleted by an unplan at once"


def test_a_session_planned_while_being_marked_held_is_planned(db: People) -> None:
    """The clinician plans the next session (in two days) while another tab marks today's
    held: the plan must land on a planned session, not move the held one."""
    clinician, client = db.clinician_a.id, db.client_a.id
    _linked(db)
    wrong = 0
    day = (datetime.now(ZONE) + timedelta(days=2)).date().isoformat()
    for _ in range(ROUNDS * 2):
        _plan_later_today(clinician, client)
        outcomes = race(
            [
                _in_tab(appointments.mark_held, clinician_id=clinician, client_id=client, zone=ZONE),
                _in_tab(
                    appointments.plan,
                    clinician_id=clinician,
                    client_id=client,
                    day=day,
                    at="10:00",
                    zone=ZONE,
                ),
            ]
        )
        assert outcomes == [OK, OK], outcomes
        with session_scope() as session:
            rows = session.exec(select(Appointment)).all()
        planned = [row for row in rows if row.held_at is None and row.starts_at is not None]
        wrong += len(planned) != 1
    assert wrong == 0, f"{wrong} of {ROUNDS * 2} plans (OK) left no session planned: the held one was moved"


# --- two-step sign-in ---------------------------------------------------------------------------


def _keeping(kept: list[Any], work: Callable[..., Any], *args: Any, secret: bool = False) -> Attempt:
    """A tab calling `work(session, *args)`, keeping what it showed (a set-up's secret)."""

    def attempt(barrier: threading.Barrier) -> None:
        with session_scope() as session:
            barrier.wait()
            shown = work(session, *args)
            kept.append(shown.secret if secret else shown)

    return attempt


def test_two_step_setup_opened_in_two_tabs_shows_one_secret(db: People) -> None:
    """ "The same [secret] on every visit until [confirmed]": two tabs opening the set-up at
    once must show the same QR code, or the phone that scanned one can never confirm."""
    user_id = db.clinician_a.id
    for round_number in range(ROUNDS):
        with session_scope() as session:
            user = session.get(User, user_id)
            assert user is not None
            user.totp_pending_ct = None
            session.add(user)
        secrets: list[str] = []
        race([_keeping(secrets, partial(mfa.begin_setup, token=SETUP_TOKEN), user_id, secret=True)] * RACERS)
        with session_scope() as session:
            kept = mfa.begin_setup(session, user_id, token=SETUP_TOKEN).secret
        shown = set(secrets)
        assert shown == {kept}, f"round {round_number}: {len(shown)} different secrets shown, one kept"


def test_two_step_confirmed_from_two_tabs_shows_only_recovery_codes_that_work(db: People) -> None:
    user_id = db.clinician_a.id
    for round_number in range(ROUNDS // 3):
        with session_scope() as session:
            session.exec(delete(RecoveryCode))  # type: ignore[call-overload]
            user = session.get(User, user_id)
            assert user is not None
            user.totp_secret_ct = user.totp_pending_ct = user.totp_last_step = None
            session.add(user)
        with session_scope() as session:
            secret = mfa.begin_setup(session, user_id, token=SETUP_TOKEN).secret
        code = TOTP(secret).at(time.time())
        shown: list[Any] = []
        race([_keeping(shown, partial(mfa.confirm_setup, token=SETUP_TOKEN), user_id, code)] * 2)
        with session_scope() as session:
            stored = set(
                session.exec(select(RecoveryCode.code_hash).where(col(RecoveryCode.user_id) == user_id))
            )
        for codes in shown:
            working = sum(sha256_hex(mfa._normalised(one)) in stored for one in codes)
            assert working == len(codes), (
                f"round {round_number}: {len(shown)} tabs confirmed; one was shown {len(codes)} recovery "
                f"codes of which {working} work"
            )


# --- links, items, preferences, emails ---------------------------------------------------------


def test_a_link_ended_from_two_tabs_is_ended_once(db: People) -> None:
    client, clinician = db.client_a.id, db.clinician_a.id
    for round_number in range(ROUNDS):
        _linked(db)
        outcomes = race([_in_tab(links.end_link, client_id=client, clinician_id=clinician)] * RACERS)
        unlinks = _count(AuditEvent, col(AuditEvent.action) == AuditAction.UNLINK)
        assert unlinks == round_number + 1, (
            f"round {round_number}: one unlink audited {unlinks - round_number} times"
        )
        assert outcomes.count(OK) == 1, outcomes
        assert all(isinstance(o, InvalidInput) for o in outcomes if o is not OK), outcomes


def test_an_entry_deleted_from_two_tabs_at_once_is_deleted_once(db: People) -> None:
    """Deleted once, audited once: a tab that gets there first is told it is deleted; one
    that comes after finds it gone, as any deleted item (refused, audited as such)."""
    client = db.client_a.id
    for round_number in range(ROUNDS):
        entry = _saved_entry(client)
        outcomes = race([_in_tab(items.delete_item, owner_id=client, item_id=entry)] * RACERS)
        deletes = _count(
            AuditEvent,
            col(AuditEvent.action) == AuditAction.DELETE,
            col(AuditEvent.outcome) == AuditOutcome.ALLOWED,
            col(AuditEvent.item_id) == entry,
        )
        assert deletes == 1, f"round {round_number}: one delete audited {deletes} times"
        assert OK in outcomes and all(o is OK or isinstance(o, Denied) for o in outcomes), outcomes


def test_an_entry_shared_while_it_is_deleted_is_never_shared_after_the_delete(db: People) -> None:
    """INPUT-6, AUD-1: tabs share an entry as others delete it. A share either comes first
    (and the delete revokes it) or is refused as for any deleted item; no share is left
    on the deleted entry, and no share is audited after its delete (both happened)."""
    client, clinician = db.client_a.id, db.clinician_a.id
    _linked(db)
    share = {"owner_id": client, "clinician_id": clinician, "shared": True}
    for round_number in range(ROUNDS):
        entry = _saved_entry(client)
        outcomes = race(
            [_in_tab(sharing.set_shared, item_id=entry, **share)] * (RACERS // 2)
            + [_in_tab(items.delete_item, owner_id=client, item_id=entry)] * (RACERS // 2)
        )
        assert all(o is OK or isinstance(o, Denied) for o in outcomes), outcomes
        with session_scope() as session:
            live_shares = session.exec(
                select(func.count()).where(
                    col(ItemShare.item_id) == entry, col(ItemShare.revoked_at).is_(None)
                )
            ).one()
            trail = session.exec(
                select(AuditEvent.action)
                .where(col(AuditEvent.item_id) == entry, col(AuditEvent.outcome) == AuditOutcome.ALLOWED)
                .order_by(col(AuditEvent.id))
            ).all()
        assert live_shares == 0, f"round {round_number}: a share was left on the deleted entry"
        assert trail[-1] == AuditAction.DELETE, f"round {round_number}: audited after its delete: {trail}"


def test_a_new_entry_saved_from_two_tabs_at_once_is_saved_without_an_error(db: People) -> None:
    """Saving is an upsert on the editor's id, "so a double submit (or a retry after a
    dropped connection) makes one item" (items.save): neither submit may fail."""
    client = db.client_a.id
    for round_number in range(ROUNDS):
        entry = uuid.uuid4()
        errors: list[BaseException] = []
        attempt = _in_tab(
            items.save,
            owner_id=client,
            kind=journal.KIND,
            item_id=entry,
            values={"title": "", "body": "words"},
        )
        outcomes = race([_noting(errors, attempt)] * 2)
        assert errors == [], f"round {round_number}: a double submit failed with {errors[0]!r}"
        assert outcomes == [OK, OK]


def test_reminders_saved_for_the_first_time_from_two_tabs_are_saved_without_an_error(db: People) -> None:
    client = db.client_a.id
    plan = reminders.plan_from_form({"check_in_on": "on", "check_in_day_0": "on", "check_in_at": "20:00"})
    for round_number in range(ROUNDS):
        with session_scope() as session:
            session.exec(delete(ReminderPreference))  # type: ignore[call-overload]
        errors: list[BaseException] = []
        outcomes = race([_noting(errors, _in_tab(reminders.save_preferences, user_id=client, plan=plan))] * 2)
        assert errors == [], f"round {round_number}: saving from a second tab failed with {errors[0]!r}"
        assert outcomes == [OK, OK]


def test_a_confirmation_link_asked_for_from_two_tabs_is_sent_once(db: People) -> None:
    """At most one confirmation email every few minutes (credentials.RESEND_GAP)."""
    user_id = db.client_a.id
    for round_number in range(ROUNDS):
        with session_scope() as session:
            session.exec(delete(AccountToken))  # type: ignore[call-overload]
            session.exec(delete(OutboxMessage))  # type: ignore[call-overload]

        def asking(barrier: threading.Barrier) -> None:
            with session_scope() as session:
                barrier.wait()
                credentials.send_confirmation(session, session.get(User, user_id))  # type: ignore[arg-type]

        race([asking] * RACERS)
        sent = _count(OutboxMessage)
        links_made = _count(AccountToken, col(AccountToken.purpose) == TokenPurpose.CONFIRM_EMAIL)
        assert sent == 1, f"round {round_number}: {sent} confirmation emails ({links_made} links) at once"


def test_an_entry_saved_from_several_tabs_on_one_version_keeps_one_and_refuses_the_rest(db: People) -> None:
    """Tabs (or devices) that opened the same version of an entry and save different words
    at once: one save wins, every other is refused (EditedElsewhere, nothing written), so
    no save replaces words its writer never saw. The same words from every tab (a double
    submit) are one save, without an error."""
    client = db.client_a.id
    for round_number in range(ROUNDS):
        entry = _saved_entry(client)
        opened = _version_now(entry)
        bodies = [f"tab {tab} of round {round_number}" for tab in range(RACERS)]
        errors: list[BaseException] = []
        saves = [
            _noting(
                errors,
                _in_tab(
                    items.save,
                    owner_id=client,
                    kind=journal.KIND,
                    item_id=entry,
                    values={"title": "", "body": body},
                    based_on=opened,
                ),
            )
            for body in bodies
        ]
        outcomes = race(saves)
        assert errors == [], f"round {round_number}: a save failed with {errors[0]!r}"
        assert outcomes.count(OK) == 1, f"round {round_number}: {outcomes}"
        assert all(o is OK or isinstance(o, EditedElsewhere) for o in outcomes), outcomes
        with session_scope() as session:
            kept = items.open_own(session, owner_id=client, kind=journal.KIND, item_id=entry).fields["body"]
        assert kept == bodies[outcomes.index(OK)], f"round {round_number}: the winner's words aren't kept"

        same = _in_tab(
            items.save,
            owner_id=client,
            kind=journal.KIND,
            item_id=entry,
            values={"title": "", "body": "once more"},
            based_on=_version_now(entry),
        )
        assert race([_noting(errors, same)] * RACERS) == [OK] * RACERS and errors == []


def _saved_entry(owner: uuid.UUID) -> uuid.UUID:
    """A journal entry of the owner's, saved."""
    entry = uuid.uuid4()
    with session_scope() as session:
        items.save(
            session, owner_id=owner, kind=journal.KIND, item_id=entry, values={"title": "", "body": "w"}
        )
    return entry


def _version_now(entry: uuid.UUID) -> Any:
    with session_scope() as session:
        return items.version(session, item_id=entry)


async def test_a_unit_kept_waiting_past_the_busy_timeout_runs_again_whole(db: People) -> None:
    """Another connection held SQLite's write lock longer than the busy timeout (a slow
    unit, a loaded machine): the unit got "database is locked", and its event failed (CI, on
    a machine running two suites). `in_session` runs such a unit again from its start."""
    import sqlite3

    from betterjournal import db as database
    from betterjournal.models import User

    path = database.get_engine().url.database
    assert path is not None
    holding, held_for = threading.Event(), database.BUSY_TIMEOUT_MS / 1000 + 0.5

    def hold_the_write_lock() -> None:
        other = sqlite3.connect(path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        holding.set()
        time.sleep(held_for)
        other.execute("COMMIT")
        other.close()

    tries: list[float] = []

    def rename(session) -> str:
        tries.append(time.monotonic())
        person = session.get(User, db.client_a.id)
        person.display_name = "Renamed"
        session.add(person)
        session.flush()  # the write: the lock is held elsewhere past the busy timeout, once
        return person.display_name

    holder = threading.Thread(target=hold_the_write_lock)
    holder.start()
    holding.wait(5)
    started = time.monotonic()
    assert await database.in_session(rename) == "Renamed"
    holder.join()
    assert len(tries) == 2 and time.monotonic() - started >= held_for
    with database.session_scope() as session:
        renamed = session.get(User, db.client_a.id)
        assert renamed is not None and renamed.display_name == "Renamed"

"""Homework: a clinician assigns a worksheet, the client completes it and returns it.

A response is a kind on the item platform (`KIND`): saving, drafts, paging, delete, and
returning (which is sharing: core/sharing.py) are the platform's. A journaling prompt is
answered with a journal entry instead. An assignment is written by the clinician about
the client, so its worksheet, instructions, note and the clinician's comment are sealed
under the client's key (core/items.py: the key rule).

What a clinician learns of a client's work comes only through shares: an assignment's
status on their side is "assigned", "overdue", or, once the response is shared with them,
"returned", "couldn't do it" or "reviewed". That a client started, or finished and kept
it private, is never shown to them (nothing is shared automatically).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Integer, and_, bindparam, exists, func, or_
from sqlmodel import Session, col, select

from betterjournal.core import audit, drafts, items, sharing, worksheets
from betterjournal.core.accounts import data_key
from betterjournal.core.errors import AnswersChangedElsewhere, BegunElsewhere, Denied, InvalidInput, NotFound
from betterjournal.core.journal import KIND as JOURNAL
from betterjournal.core.validation import TITLE_MAX, clean_text, parse_id
from betterjournal.core.worksheets import Worksheet
from betterjournal.db import run_prebuilt, take_turns
from betterjournal.i18n import N_, Message
from betterjournal.models import (
    Assignment,
    AuditAction,
    AuditOutcome,
    CareLink,
    ClientItem,
    HomeworkResponse,
    ItemShare,
    User,
    WorksheetTemplate,
    utcnow,
)

INSTRUCTIONS_MAX = 2_000
NOTE_MAX = 1_000
COMMENT_MAX = 5_000
REPEAT_MAX = 30
TEMPLATES_MAX = 100
# "Couldn't do it": the reasons a client can pick, by key.
NOT_DONE_REASONS: dict[str, Message] = {
    "forgot": N_("I forgot"),
    "unsure": N_("I wasn't sure how"),
    "too_long": N_("It was too long"),
    "no_time": N_("I didn't have time"),
    "upsetting": N_("It was too upsetting"),
    "other": N_("Something else"),
}
REPEATS = ("", "daily", "weekly")


# --- the response kind -------------------------------------------------------------------------


def _clean_worksheet(value: object) -> str:
    if not isinstance(value, str) or not value or len(value) > worksheets.DEFINITION_JSON_MAX:
        raise InvalidInput(N_("This couldn't be saved. Please try again."))
    try:
        worksheets.from_json(value)
    except (ValueError, KeyError, TypeError):
        raise InvalidInput(N_("This couldn't be saved. Please try again.")) from None
    return value


def _clean_answers_text(value: object) -> str:
    """The answers' JSON (checked against the worksheet by `save_response`)."""
    if value == "":
        return ""
    if not isinstance(value, str) or len(value) > worksheets.ANSWERS_JSON_MAX:
        raise InvalidInput(N_("This is more than can be kept in one exercise. Please shorten it."))
    try:
        parsed = json.loads(value)
    except ValueError:
        parsed = None
    if not isinstance(parsed, dict):
        raise InvalidInput(N_("This couldn't be saved. Please try again."))
    return value


def clean_not_done(value: object) -> str:
    """ "Couldn't do it": {"reasons": [keys of NOT_DONE_REASONS]}, as sorted JSON; '' if not."""
    if value in ("", None):
        return ""
    if isinstance(value, str):
        try:
            value = json.loads(value) if len(value) < 1_000 else None
        except ValueError:
            value = None
    reasons = value.get("reasons") if isinstance(value, dict) and set(value) == {"reasons"} else None
    if not isinstance(reasons, list) or not all(r in NOT_DONE_REASONS for r in reasons):
        raise InvalidInput(N_("Choose reasons from the list, or none."))
    return json.dumps({"reasons": sorted(set(reasons))})


def _draft(value: object) -> str:
    """A draft holds what the page had so far (the platform's drafts take any text); the
    app writes drafts only through `keep_change`, which checks them like a save."""
    return clean_text(value, label=N_("Exercise"), max_length=worksheets.ANSWERS_JSON_MAX, required=False)


KIND = items.register(
    "homework_response",
    HomeworkResponse,
    (
        items.ItemField("worksheet", clean=_clean_worksheet, clean_draft=_draft),
        items.ItemField("answers", clean=_clean_answers_text, clean_draft=_draft),
        items.ItemField("not_done", clean=clean_not_done, clean_draft=_draft),
    ),
    answers_homework=True,
)


def response_values(
    worksheet: Worksheet,
    answers: object,
    not_done: object = "",
    *,
    translate: Callable[[str], str] = str,
    draft: bool = False,
) -> dict[str, str]:
    """A response's fields for the platform, its answers checked against its worksheet (as a
    `draft`'s: see worksheets.clean_value). A prompt's answer is a journal entry: the
    question is its title, in the client's language (`translate`: a library question is
    marked for translation)."""
    if worksheet.is_prompt:
        cleaned = worksheets.clean_answers(worksheet, answers, draft=draft)
        title = translate(worksheet.questions[0]).split("\n")[0]
        if len(title) > TITLE_MAX:
            title = title[: TITLE_MAX - 1].rstrip() + "…"
        return {"title": title, "body": cleaned.get("answer", "")}
    return {
        "worksheet": worksheets.to_json(worksheet),
        "answers": worksheets.answers_json(worksheet, answers, draft=draft),
        "not_done": clean_not_done(not_done),
    }


def kind_for(worksheet: Worksheet) -> items.Kind:
    return JOURNAL if worksheet.is_prompt else KIND


def answers_of(kind: items.Kind, fields: Mapping[str, str]) -> dict[str, Any]:
    """A response's answers, from its fields (a journal entry's body is a prompt's answer)."""
    if kind is JOURNAL:
        return {"answer": fields["body"]} if fields.get("body") else {}
    return worksheets.answers_from(fields.get("answers", ""))


def reasons_of(fields: Mapping[str, str]) -> list[str]:
    """The "couldn't do it" reasons of a response ([] if it wasn't marked)."""
    try:
        return list(json.loads(clean_not_done(fields.get("not_done", "")) or "{}").get("reasons", []))
    except InvalidInput:
        return []


def is_not_done(fields: Mapping[str, str]) -> bool:
    return bool(fields.get("not_done"))


# --- sealing what a clinician writes -----------------------------------------------------------


def _instructions(value: object) -> str:
    return clean_text(value, label=N_("Instructions"), max_length=INSTRUCTIONS_MAX, required=False).strip()


def _note(value: object) -> str:
    return clean_text(value, label=N_("Note for your client"), max_length=NOTE_MAX, required=False).strip()


# --- a clinician's own worksheets --------------------------------------------------------------


@dataclass(frozen=True)
class OwnTemplate:
    id: str
    worksheet: Worksheet


def save_template(session: Session, *, clinician_id: uuid.UUID, definition: object) -> uuid.UUID:
    """Keep a worksheet the clinician built, checked against the schema."""
    worksheet = worksheets.custom_definition(definition)
    take_turns(session, User, col(User.id) == clinician_id)  # two tabs saving at once: the limit holds
    if len(templates_of(session, clinician_id=clinician_id)) >= TEMPLATES_MAX:
        raise InvalidInput(N_("Your library is full. Remove a worksheet to add another."))
    template_id = uuid.uuid4()
    sealed = data_key(session, clinician_id).seal_field(
        WorksheetTemplate.definition_ct,
        template_id,
        worksheets.to_json(worksheet),
    )
    session.add(WorksheetTemplate(id=template_id, owner_id=clinician_id, definition_ct=sealed))
    session.flush()
    return template_id


def templates_of(session: Session, *, clinician_id: uuid.UUID) -> list[OwnTemplate]:
    rows = session.exec(
        select(WorksheetTemplate)
        .where(col(WorksheetTemplate.owner_id) == clinician_id, col(WorksheetTemplate.removed_at).is_(None))
        .order_by(col(WorksheetTemplate.created_at), col(WorksheetTemplate.id))
    ).all()
    column = WorksheetTemplate.definition_ct
    return [
        OwnTemplate(
            str(row.id),
            worksheets.from_json(
                data_key(session, clinician_id).open_field(column, row.id, row.definition_ct)
            ),
        )
        for row in rows
    ]


def remove_template(session: Session, *, clinician_id: uuid.UUID, template_id: object) -> None:
    """Remove from the library (assignments already given keep their copy)."""
    row = session.get(WorksheetTemplate, items.parse_or_deny(clinician_id, template_id, AuditAction.ASSIGN))
    if row is None or row.owner_id != clinician_id or row.removed_at is not None:
        raise Denied(actor_id=clinician_id, action=AuditAction.ASSIGN)
    row.removed_at, row.definition_ct = utcnow(), None
    session.add(row)


def worksheet_to_assign(session: Session, *, clinician_id: uuid.UUID, template: object, questions: object):
    """The worksheet a clinician chose: "builtin:<name>", "custom:<id>" (their own), or
    "prompt" with their questions."""
    if template == "prompt" or template == f"builtin:{worksheets.JOURNALING_PROMPT.key}":
        return worksheets.prompt(questions)
    if isinstance(template, str) and template.startswith("builtin:"):
        found = worksheets.BUILT_IN.get(template.removeprefix("builtin:"))
        if found is not None:
            return found
    if isinstance(template, str) and template.startswith("custom:"):
        wanted = template.removeprefix("custom:")
        for own in templates_of(session, clinician_id=clinician_id):
            if own.id == wanted:
                return own.worksheet
    raise InvalidInput(N_("Choose a worksheet from the list."))


# --- assigning --------------------------------------------------------------------------------


def _due_on(value: object, today: date) -> date | None:
    if value in ("", None):
        return None
    try:
        due = date.fromisoformat(value) if isinstance(value, str) and len(value) == 10 else None
    except ValueError:
        due = None
    if due is None:
        raise InvalidInput(N_("Choose a due date, or leave it empty."))
    if due < today:
        raise InvalidInput(N_("The due date is in the past. Choose today or a later day."))
    if due > today + timedelta(days=366):
        raise InvalidInput(N_("Choose a due date within a year."))
    return due


def _client_of(session: Session, clinician_id: uuid.UUID, client_id: object) -> uuid.UUID:
    """A client linked to this clinician now; anyone else is refused and audited (AUTHZ-2)."""
    client = items.parse_or_deny(clinician_id, client_id, AuditAction.ASSIGN)
    if not sharing.hold_link(session, client_id=client, clinician_id=clinician_id):
        raise Denied(actor_id=clinician_id, action=AuditAction.ASSIGN, subject_id=client)
    return client


def assign(
    session: Session,
    *,
    clinician_id: uuid.UUID,
    client_id: object,
    template: object,
    questions: object = None,
    instructions: object = "",
    note: object = "",
    due_on: object = "",
    repeat: object = "",
    times: object = 1,
    today: date,
) -> list[uuid.UUID]:
    """Assign a worksheet to a linked client, once or repeated (daily or weekly, `times`
    times, from the first due date). Returns the new assignments' ids."""
    client = _client_of(session, clinician_id, client_id)
    worksheet = worksheet_to_assign(
        session, clinician_id=clinician_id, template=template, questions=questions
    )
    clean_instructions, clean_note = _instructions(instructions), _note(note)
    due = _due_on(due_on, today)
    if repeat not in REPEATS:
        raise InvalidInput(N_("Choose how often it repeats."))
    count = times if repeat else 1
    if type(count) is not int or not 1 <= count <= REPEAT_MAX:
        raise InvalidInput(N_("Repeat it from 1 to {count} times."), count=REPEAT_MAX)
    if repeat and due is None:
        raise InvalidInput(N_("Choose the first due date of a repeated assignment."))
    step = timedelta(days=1 if repeat == "daily" else 7)
    series = uuid.uuid4() if count > 1 else None
    definition = worksheets.to_json(worksheet)
    key = data_key(session, client)
    made = []
    for index in range(count):
        assignment_id = uuid.uuid4()
        session.add(
            Assignment(
                id=assignment_id,
                clinician_id=clinician_id,
                client_id=client,
                worksheet_ct=key.seal_field(Assignment.worksheet_ct, assignment_id, definition),  # type: ignore[arg-type]
                instructions_ct=key.seal_field(Assignment.instructions_ct, assignment_id, clean_instructions),
                note_ct=key.seal_field(Assignment.note_ct, assignment_id, clean_note),
                due_on=due + step * index if due is not None else None,
                series_id=series,
            )
        )
        made.append(assignment_id)
    session.flush()
    audit.record_many(
        session, actor_id=clinician_id, action=AuditAction.ASSIGN, subject_id=client, item_ids=made
    )
    return made


def _clinicians_assignment(
    session: Session, clinician_id: uuid.UUID, assignment_id: object, action: AuditAction
):
    """One of this clinician's live assignments to a client still linked; anything else is
    refused alike and audited. Its changes take turns with the client's (a return racing a
    withdraw: one of the two wins) and with the clinician's other tabs."""
    parsed = items.parse_or_deny(clinician_id, assignment_id, action)
    take_turns(session, Assignment, col(Assignment.id) == parsed)
    row = session.get(Assignment, parsed)
    if (
        row is None
        or row.clinician_id != clinician_id
        or row.withdrawn_at is not None
        or not sharing.is_linked(session, client_id=row.client_id, clinician_id=clinician_id)
    ):
        raise Denied(actor_id=clinician_id, action=action, item_id=parsed)
    return row


def _changed(session: Session, row: Assignment, clinician_id: uuid.UUID, action: AuditAction) -> None:
    """Keep the clinician's change to an assignment, audited in the same unit of work."""
    session.add(row)
    audit.record(
        session,
        actor_id=clinician_id,
        action=action,
        outcome=AuditOutcome.ALLOWED,
        subject_id=row.client_id,
        item_id=row.id,
    )


def _is_returned(session: Session, row: Assignment) -> bool:
    return row.response_id is not None and bool(
        sharing.visible_item_ids(session, clinician_id=row.clinician_id, among=[row.response_id])
    )


def edit_assignment(
    session: Session,
    *,
    clinician_id: uuid.UUID,
    assignment_id: object,
    instructions: object,
    note: object,
    due_on: object,
    today: date,
) -> None:
    """Change the instructions, note or due date, until the client returns it."""
    row = _clinicians_assignment(session, clinician_id, assignment_id, AuditAction.ASSIGN)
    clean_instructions, clean_note = _instructions(instructions), _note(note)
    due = _due_on(due_on, today) if due_on != (row.due_on.isoformat() if row.due_on else "") else row.due_on
    if _is_returned(session, row):
        raise InvalidInput(N_("Your client has returned it, so it can't be changed now."))
    row.instructions_ct = data_key(session, row.client_id).seal_field(
        Assignment.instructions_ct, row.id, clean_instructions
    )
    row.note_ct = data_key(session, row.client_id).seal_field(Assignment.note_ct, row.id, clean_note)
    row.due_on, row.updated_at = due, utcnow()
    _changed(session, row, clinician_id, AuditAction.ASSIGN)


def withdraw(session: Session, *, clinician_id: uuid.UUID, assignment_id: object) -> uuid.UUID:
    """Take an assignment back before it is returned (the client's words stay theirs).
    Returns the client, whose open pages drop it."""
    row = _clinicians_assignment(session, clinician_id, assignment_id, AuditAction.ASSIGN)
    if _is_returned(session, row):
        raise InvalidInput(N_("Your client has returned it, so it can't be withdrawn now."))
    row.withdrawn_at = row.updated_at = utcnow()
    _changed(session, row, clinician_id, AuditAction.ASSIGN)
    return row.client_id


# --- what a clinician sees -------------------------------------------------------------------


@dataclass(frozen=True)
class Given:
    """An assignment as its clinician sees it. `status`: assigned, overdue, returned,
    not_done (returned as "couldn't do it") or reviewed."""

    id: str
    client_id: str
    client_name: str
    worksheet: Worksheet
    instructions: str
    note: str
    due_on: date | None
    status: str
    created_at: datetime
    not_done: bool = False  # returned as "couldn't do it" (reviewed or not)


def _status(due_on: date | None, returned: bool, not_done: bool, reviewed: bool, today: date) -> str:
    if returned:
        return "reviewed" if reviewed else "not_done" if not_done else "returned"
    return "overdue" if due_on is not None and due_on < today else "assigned"


def given_to(session: Session, *, clinician_id: uuid.UUID, client_id: object, today: date) -> list[Given]:
    """Every live assignment this clinician gave a linked client, in `_clinicians_order`,
    with where each stands. Nothing the client
    wrote is read (so nothing is audited or marked seen): a returned one shows as
    returned, or as "couldn't do it" when so marked; its answers are read when the
    clinician opens it (`open_returned`)."""
    client = items.parse_or_deny(clinician_id, client_id, AuditAction.VIEW_SHARED_LIST)
    if not sharing.is_linked(session, client_id=client, clinician_id=clinician_id):
        raise Denied(actor_id=clinician_id, action=AuditAction.VIEW_SHARED_LIST, subject_id=client)
    rows = session.exec(
        select(Assignment)
        .where(
            col(Assignment.clinician_id) == clinician_id,
            col(Assignment.client_id) == client,
            col(Assignment.withdrawn_at).is_(None),
        )
        .order_by(col(Assignment.created_at).desc(), col(Assignment.id))
    ).all()
    responses = [row.response_id for row in rows if row.response_id is not None]
    visible = (
        sharing.visible_item_ids(session, clinician_id=clinician_id, among=responses) if responses else set()
    )
    marked = (
        set(
            session.exec(
                select(HomeworkResponse.item_id).where(
                    col(HomeworkResponse.item_id).in_(visible), col(HomeworkResponse.not_done_ct).is_not(None)
                )
            )
        )
        if visible
        else set()
    )
    name = session.get(User, client).display_name  # type: ignore[union-attr]
    key = data_key(session, client)
    given = []
    for row in rows:
        given.append(
            Given(
                id=str(row.id),
                client_id=str(client),
                client_name=name,
                worksheet=worksheets.from_json(
                    key.open_field(Assignment.worksheet_ct, row.id, row.worksheet_ct)
                ),
                instructions=key.open_field(Assignment.instructions_ct, row.id, row.instructions_ct),
                note=key.open_field(Assignment.note_ct, row.id, row.note_ct),
                due_on=row.due_on,
                status=_status(
                    row.due_on,
                    row.response_id in visible,
                    row.response_id in marked,
                    row.reviewed_at is not None,
                    today,
                ),
                created_at=row.created_at,
                not_done=row.response_id in marked,
            )
        )
    return sorted(given, key=_clinicians_order)


def _clinicians_order(given: Given) -> tuple[int, date]:
    """What is waiting for the clinician (returned, not reviewed) first; then what is still
    to do, the soonest due first (a walk-through: in the order assigned, this week's came
    after next month's), none due last; then what is reviewed. Alike, newest first (the
    rows' order: the sort keeps it)."""
    if given.status in ("returned", "not_done"):
        return 0, date.min
    if given.status == "reviewed":
        return 2, date.min
    return 1, given.due_on or date.max


@dataclass(frozen=True)
class Waiting:
    """A response returned to this clinician and not reviewed yet (no content)."""

    assignment_id: str
    client_id: str
    client_name: str
    title: str
    returned_at: datetime
    not_done: bool  # returned as "couldn't do it"


def to_review(session: Session, *, clinician_id: uuid.UUID) -> list[Waiting]:
    """Across the caseload: what was returned and is not reviewed yet, oldest first. Only
    the worksheet's name is read (nothing the client wrote), so nothing is audited here."""
    rows = session.exec(
        select(
            Assignment, ItemShare.shared_at, User.display_name, col(HomeworkResponse.not_done_ct).is_not(None)
        )
        .join(
            ItemShare,
            and_(
                col(ItemShare.item_id) == Assignment.response_id,
                col(ItemShare.clinician_id) == clinician_id,
                col(ItemShare.revoked_at).is_(None),
            ),
        )
        .join(
            CareLink,
            and_(
                col(CareLink.id) == ItemShare.link_id,
                col(CareLink.ended_at).is_(None),
                col(CareLink.client_id) == Assignment.client_id,
            ),
        )
        .join(
            ClientItem,
            and_(col(ClientItem.id) == Assignment.response_id, col(ClientItem.deleted_at).is_(None)),
        )
        .join(User, col(User.id) == Assignment.client_id)
        .outerjoin(HomeworkResponse, col(HomeworkResponse.item_id) == Assignment.response_id)
        .where(
            col(Assignment.clinician_id) == clinician_id,
            col(Assignment.withdrawn_at).is_(None),
            col(Assignment.reviewed_at).is_(None),
        )
        .order_by(col(ItemShare.shared_at))
    ).all()
    keys = {client: data_key(session, client) for client in {row.client_id for row, *_rest in rows}}
    return [
        Waiting(
            str(row.id),
            str(row.client_id),
            name,
            worksheets.from_json(
                keys[row.client_id].open_field(Assignment.worksheet_ct, row.id, row.worksheet_ct)
            ).title,
            shared_at,
            not_done,
        )
        for row, shared_at, name, not_done in rows
    ]


# --- what needs the clinician's attention (the caseload's counts, the brief's list) -------------

# An assignment's response as returned to its clinician now: shared with them under a link
# still active. (A deleted response's shares were revoked with it, in the same unit.)
_RETURN_SHARE = and_(
    col(ItemShare.item_id) == Assignment.response_id,
    col(ItemShare.clinician_id) == Assignment.clinician_id,
    col(ItemShare.revoked_at).is_(None),
)
_RETURN_LINK = and_(col(CareLink.id) == ItemShare.link_id, col(CareLink.ended_at).is_(None))
_IS_RETURNED = and_(col(ItemShare.id).is_not(None), col(CareLink.id).is_not(None))


def _open_assignments(*columns: Any) -> Any:
    """The clinician's live assignments not reviewed yet, each with its return (if any): one
    pass, with one index probe per assignment."""
    return (
        select(*columns)
        .select_from(Assignment)
        .outerjoin(ItemShare, _RETURN_SHARE)
        .outerjoin(CareLink, _RETURN_LINK)
        .where(
            col(Assignment.clinician_id) == bindparam("clinician"),
            col(Assignment.withdrawn_at).is_(None),
            col(Assignment.reviewed_at).is_(None),
        )
    )


def attention_of(link: Any) -> tuple[Any, Any, Any]:
    """A caseload line's counts of one client's homework from one clinician, as columns of
    the caseload's own query over their live link (`link`: the CareLink table there):
    returned and not reviewed; overdue (due before the bound parameter `today`) and not
    returned; and, of the returned, the journaling prompts' answers not opened yet (a
    journal entry's share: the caseload counts it once, as returned, not also as a new
    shared item). Nothing the client wrote is read.

    Most open assignments were never returned (`first_returned_at`): those are counted from
    their own index alone; only the few returned at least once are looked up for a return
    share under that live link (a share left from an ended link doesn't count). A returned
    assignment leaves both once reviewed."""
    open_of_pair = (
        col(Assignment.clinician_id) == link.clinician_id,
        col(Assignment.client_id) == link.client_id,
        col(Assignment.withdrawn_at).is_(None),
        col(Assignment.reviewed_at).is_(None),
    )
    overdue = col(Assignment.due_on) < bindparam("today")
    returned_once = (
        select(func.count())
        .select_from(Assignment)
        .outerjoin(ItemShare, and_(_RETURN_SHARE, col(ItemShare.link_id) == link.id))
        .where(*open_of_pair, col(Assignment.first_returned_at).is_not(None))
        .correlate(link)
    )
    is_returned = col(ItemShare.id).is_not(None)
    never_returned_overdue = (
        select(func.count())
        .where(*open_of_pair, col(Assignment.first_returned_at).is_(None), overdue)
        .correlate(link)
    )
    unseen_answer = and_(
        is_returned, col(ItemShare.first_seen_at).is_(None), col(ItemShare.kind) != KIND.name
    )
    return (
        returned_once.where(is_returned).scalar_subquery(),
        never_returned_overdue.scalar_subquery()
        + returned_once.where(~is_returned, overdue).scalar_subquery(),
        returned_once.where(unseen_answer).scalar_subquery(),
    )


@dataclass(frozen=True)
class Attention:
    """An assignment that needs the clinician's attention: returned (or marked "couldn't do
    it") and not reviewed, or overdue and not returned."""

    id: str
    worksheet: Worksheet
    due_on: date | None
    status: str  # returned, not_done or overdue
    response_id: str = ""  # returned: the response (a prompt's: a journal entry)


_NEEDING_ATTENTION = (
    _open_assignments(
        Assignment.id,
        Assignment.worksheet_ct,
        Assignment.due_on,
        _IS_RETURNED,
        col(HomeworkResponse.not_done_ct).is_not(None),
        Assignment.response_id,
    )
    .outerjoin(HomeworkResponse, col(HomeworkResponse.item_id) == Assignment.response_id)
    .where(
        col(Assignment.client_id) == bindparam("client"),
        or_(_IS_RETURNED, col(Assignment.due_on) < bindparam("today")),
    )
    .order_by(_IS_RETURNED.desc(), col(Assignment.due_on).desc(), col(Assignment.id))
)
OVERDUE_SHOWN = 10  # in a brief: the most recently due; the Homework page lists them all


def needing_attention(
    session: Session, *, clinician_id: uuid.UUID, client_id: uuid.UUID, today: date
) -> tuple[list[Attention], int]:
    """For a client linked to this clinician (the caller checks): what was returned and not
    reviewed, and the most recently due of what is overdue; and how many more are overdue.
    Only the worksheets' names are read (the clinician's words), so nothing is audited."""
    rows = run_prebuilt(
        session, _NEEDING_ATTENTION, clinician=clinician_id, client=client_id, today=today
    ).all()
    shown = [row for row in rows if row[3]] + [row for row in rows if not row[3]][:OVERDUE_SHOWN]
    key = data_key(session, client_id)
    found = [
        Attention(
            id=str(assignment_id),
            worksheet=worksheets.from_json(key.open_field(Assignment.worksheet_ct, assignment_id, sheet)),
            due_on=due_on,
            status=("not_done" if not_done else "returned") if returned else "overdue",
            response_id=str(response_id) if returned else "",
        )
        for assignment_id, sheet, due_on, returned, not_done, response_id in shown
    ]
    return found, len(rows) - len(shown)


@dataclass(frozen=True)
class Returned:
    """A returned response as the clinician reads it, with their comment."""

    given: Given
    item_id: str
    answers: dict[str, Any]
    reasons: list[str]  # "couldn't do it" (given.not_done): its reasons, perhaps none
    comment: str
    reviewed_at: datetime | None
    written_at: datetime
    shared_at: datetime
    edited_at: datetime | None  # the client's last change since returning it, if any


def open_returned(
    session: Session, *, clinician_id: uuid.UUID, assignment_id: object, today: date
) -> Returned:
    """A response the client returned to this clinician: read (audited, marked seen), or
    the one refusal (audited) for anything else: not theirs, not returned, revoked."""
    parsed = items.parse_or_deny(clinician_id, assignment_id, AuditAction.VIEW_SHARED_ITEM)
    found = run_prebuilt(session, _RETURNED, assignment=parsed, clinician=clinician_id).first()
    if found is None or found.response_id is None:
        raise Denied(actor_id=clinician_id, action=AuditAction.VIEW_SHARED_ITEM, item_id=parsed)
    row, client_name = found, found.display_name
    kind = JOURNAL if found.kind == JOURNAL.name else KIND
    item = sharing.open_shared(session, clinician_id=clinician_id, item_id=row.response_id, kind=kind)
    key = data_key(session, row.client_id)
    given = Given(
        id=str(row.id),
        client_id=str(row.client_id),
        client_name=client_name,
        worksheet=worksheets.from_json(key.open_field(Assignment.worksheet_ct, row.id, row.worksheet_ct)),
        instructions=key.open_field(Assignment.instructions_ct, row.id, row.instructions_ct),
        note=key.open_field(Assignment.note_ct, row.id, row.note_ct),
        due_on=row.due_on,
        status=_status(row.due_on, True, is_not_done(item.fields), row.reviewed_at is not None, today),
        created_at=row.created_at,
        not_done=is_not_done(item.fields),
    )
    return Returned(
        given=given,
        item_id=str(item.id),
        answers=answers_of(kind, item.fields),
        reasons=reasons_of(item.fields),
        comment=key.open_field(Assignment.comment_ct, row.id, row.comment_ct),
        reviewed_at=row.reviewed_at,
        written_at=item.created_at,
        shared_at=item.shared_at,
        edited_at=item.shared_changed_at
        if item.shared_changed_at and item.shared_changed_at > item.shared_at
        else None,
    )


# One of the clinician's live assignments to a client linked now, with the client's name
# and the kind of the response (if any).
_RETURNED = (
    select(  # type: ignore[call-overload]
        Assignment.id,
        Assignment.client_id,
        Assignment.worksheet_ct,
        Assignment.instructions_ct,
        Assignment.note_ct,
        Assignment.comment_ct,
        Assignment.due_on,
        Assignment.response_id,
        Assignment.reviewed_at,
        Assignment.created_at,
        User.display_name,
        ClientItem.kind,
    )
    .join(User, col(User.id) == Assignment.client_id)
    .join(
        CareLink,
        and_(
            col(CareLink.client_id) == Assignment.client_id,
            col(CareLink.clinician_id) == Assignment.clinician_id,
            col(CareLink.ended_at).is_(None),
        ),
    )
    .outerjoin(ClientItem, col(ClientItem.id) == Assignment.response_id)
    .where(
        col(Assignment.id) == bindparam("assignment"),
        col(Assignment.clinician_id) == bindparam("clinician"),
        col(Assignment.withdrawn_at).is_(None),
    )
)


def assignments_answered(
    session: Session, *, clinician_id: uuid.UUID, response_ids: Collection[str]
) -> dict[str, str]:
    """Which of this clinician's live assignments these items answer: response id ->
    assignment id (where the response is read, `open_returned`). Ids only: nothing is
    decrypted, and whether the clinician may read a response is `open_returned`'s to say."""
    ids = [uuid.UUID(str(response)) for response in response_ids]
    return _answering(session, col(Assignment.clinician_id) == clinician_id, ids) if ids else {}


def _answering(session: Session, whose: Any, response_ids: list[uuid.UUID]) -> dict[str, str]:
    """Which live assignments (of `whose`: a clinician's, a client's) these items answer:
    response id -> assignment id."""
    rows = session.exec(
        select(Assignment.response_id, Assignment.id).where(
            whose, col(Assignment.response_id).in_(response_ids), col(Assignment.withdrawn_at).is_(None)
        )
    ).all()
    return {str(response): str(assignment) for response, assignment in rows}


def _returned_to_me(session: Session, clinician_id: uuid.UUID, assignment_id: object) -> Assignment:
    """An assignment of this clinician's whose response they can see now (for commenting)."""
    row = _clinicians_assignment(session, clinician_id, assignment_id, AuditAction.COMMENT)
    if not _is_returned(session, row):
        raise Denied(actor_id=clinician_id, action=AuditAction.COMMENT, item_id=row.id)
    return row


def comment(session: Session, *, clinician_id: uuid.UUID, assignment_id: object, text: object) -> uuid.UUID:
    """Leave (or change) a written comment on a returned response; the client sees it next
    to their answers. Sealed under the client's key. Returns the client."""
    row = _returned_to_me(session, clinician_id, assignment_id)  # access first: a refusal is audited
    clean = clean_text(text, label=N_("Comment"), max_length=COMMENT_MAX).strip()
    key = data_key(session, row.client_id)
    # Saved again as it was, it is not new to the client again (a review).
    if row.comment_ct is None or key.open_field(Assignment.comment_ct, row.id, row.comment_ct) != clean:
        row.comment_ct = key.seal_field(Assignment.comment_ct, row.id, clean)
        row.commented_at = utcnow()
    _changed(session, row, clinician_id, AuditAction.COMMENT)
    return row.client_id


def mark_reviewed(session: Session, *, clinician_id: uuid.UUID, assignment_id: object) -> uuid.UUID:
    row = _returned_to_me(session, clinician_id, assignment_id)
    if row.reviewed_at is None:
        row.reviewed_at = utcnow()
        _changed(session, row, clinician_id, AuditAction.COMMENT)
    return row.client_id


# --- the client's side -----------------------------------------------------------------------


@dataclass(frozen=True)
class Task:
    """An assignment as its client sees it. `status`: assigned, started, not_done (marked
    "couldn't do it", not returned yet), returned or reviewed."""

    id: str
    clinician_id: str
    clinician_name: str
    worksheet: Worksheet
    due_on: date | None
    status: str
    response_id: str
    created_at: datetime
    linked: bool = True  # still connected to the clinician who assigned it
    marked_not_done: bool = False  # its response says "couldn't do it" (returned or not)
    series_id: str = ""  # the copies of one repeated assignment share it ("": not repeated)
    commented: bool = False  # returned, and the clinician left a comment on it
    comment_new: bool = False  # that comment written or changed since the client last opened it
    returned_at: datetime | None = None  # when it was returned (its response shared), if it is


_COMMENT_NEW = and_(
    col(Assignment.commented_at).is_not(None),
    or_(col(Assignment.comment_read_at).is_(None), col(Assignment.comment_read_at) < Assignment.commented_at),
)


def _task_query() -> Any:
    """The client's live assignments (`client`), each with where it stands, worked out in
    SQL (nothing decrypted): returned when its response is shared with the clinician now,
    started when there is a response, "couldn't do it" when that response is marked so."""
    live_share = and_(
        col(ItemShare.item_id) == Assignment.response_id,
        col(ItemShare.clinician_id) == Assignment.clinician_id,
        col(ItemShare.revoked_at).is_(None),
        exists(
            select(CareLink.id).where(col(CareLink.id) == ItemShare.link_id, col(CareLink.ended_at).is_(None))
        ),
    )
    return (
        select(  # type: ignore[call-overload]
            Assignment.id,
            Assignment.clinician_id,
            Assignment.worksheet_ct,
            Assignment.due_on,
            Assignment.response_id,
            Assignment.reviewed_at,
            Assignment.created_at,
            User.display_name,
            ItemShare.shared_at,
            col(HomeworkResponse.not_done_ct).is_not(None),
            exists(
                select(CareLink.id).where(
                    col(CareLink.client_id) == Assignment.client_id,
                    col(CareLink.clinician_id) == Assignment.clinician_id,
                    col(CareLink.ended_at).is_(None),
                )
            ),
            Assignment.series_id,
            col(Assignment.commented_at).is_not(None),  # a comment can't be empty
            _COMMENT_NEW,
        )
        .join(User, col(User.id) == Assignment.clinician_id)
        .outerjoin(ItemShare, live_share)
        .outerjoin(HomeworkResponse, col(HomeworkResponse.item_id) == Assignment.response_id)
        .where(col(Assignment.client_id) == bindparam("client"), col(Assignment.withdrawn_at).is_(None))
    )


# To do: by due date (none last), what is started before what is not on the same day, then
# oldest first. In two parts, so that a long list is read only as far as the page goes, in
# due-date order straight from the index (client, withdrawn, due date). Started first came
# first before, whatever its date: a walk-through's tired client, reading the first line,
# missed the practice due tomorrow under the prompt begun and due in three days.
_NOT_RETURNED = col(ItemShare.shared_at).is_(None)
_ORDER = (col(Assignment.response_id).is_(None), col(Assignment.created_at), col(Assignment.id))
_WITH_DUE_DATE = (
    _task_query()
    .where(_NOT_RETURNED, col(Assignment.due_on).is_not(None))
    .order_by(col(Assignment.due_on), *_ORDER)
    .limit(bindparam("limit"))
)
_WITHOUT_DUE_DATE = (
    _task_query()
    .where(_NOT_RETURNED, col(Assignment.due_on).is_(None))
    .order_by(*_ORDER)
    .limit(bindparam("limit"))
)
_RETURNED_TASKS = (
    _task_query()
    .where(col(Assignment.response_id).is_not(None), col(ItemShare.shared_at).is_not(None))
    .order_by(col(ItemShare.shared_at).desc())
    .limit(bindparam("limit"))
)
_NEW_COMMENTS = (
    _task_query()
    .where(col(ItemShare.shared_at).is_not(None), _COMMENT_NEW)
    .order_by(col(Assignment.commented_at).desc())
    .limit(bindparam("limit"))
)
_ONE_TASK = _task_query().where(col(Assignment.id) == bindparam("assignment"))


def _tasks(session: Session, client_id: uuid.UUID, statement: Any, **params: Any) -> list[Task]:
    rows = run_prebuilt(session, statement, client=client_id, **params).all()
    if not rows:
        return []
    key = data_key(session, client_id)
    tasks = []
    for (
        assignment_id,
        clinician_id,
        sheet,
        due_on,
        response_id,
        reviewed_at,
        created_at,
        name,
        shared_at,
        marked,
        linked,
        series_id,
        commented,
        comment_new,
    ) in rows:
        if shared_at is not None:
            status = "reviewed" if reviewed_at is not None else "returned"
        elif response_id is None:
            status = "assigned"
        else:
            status = "not_done" if marked else "started"
        tasks.append(
            Task(
                id=str(assignment_id),
                clinician_id=str(clinician_id),
                clinician_name=name,
                worksheet=worksheets.from_json(key.open_field(Assignment.worksheet_ct, assignment_id, sheet)),
                due_on=due_on,
                status=status,
                response_id=str(response_id or ""),
                created_at=created_at,
                linked=bool(linked),
                marked_not_done=bool(marked),
                series_id=str(series_id or ""),
                commented=bool(commented) and shared_at is not None,
                comment_new=bool(comment_new) and shared_at is not None,
                returned_at=shared_at,
            )
        )
    return tasks


TASKS_SHOWN = 20  # to do, a page at a time
RETURNED_SHOWN = 5  # the last returned, under the to-do list (more on request)


def to_do(session: Session, *, client_id: uuid.UUID, limit: int = TASKS_SHOWN) -> list[Task]:
    """What the client has to do (not returned): by due date (none last), started before not
    on the same day, then oldest first; the first `limit` (only those are decrypted)."""
    found: list[Task] = []
    for part in (_WITH_DUE_DATE, _WITHOUT_DUE_DATE):
        if len(found) < limit:
            found += _tasks(session, client_id, part, limit=limit - len(found))
    return found


def next_of_each_series(tasks: Sequence[Task]) -> list[tuple[Task, list[date]]]:
    """A to-do list (in its order) with a repeated assignment as one line: its first copy to
    do, with the due dates of the copies after it. Three weekly copies listed one under the
    other read as three things due now (a walk-through)."""
    kept: list[tuple[Task, list[date]]] = []
    later_of: dict[str, list[date]] = {}
    for task in tasks:
        if task.series_id in later_of:
            if task.due_on is not None:
                later_of[task.series_id].append(task.due_on)
            continue
        later: list[date] = []
        if task.series_id:
            later_of[task.series_id] = later
        kept.append((task, later))
    return [(task, sorted(later)) for task, later in kept]


def returned_tasks(session: Session, *, client_id: uuid.UUID, limit: int = RETURNED_SHOWN) -> list[Task]:
    """What the client returned, most recently returned first; the first `limit`."""
    return _tasks(session, client_id, _RETURNED_TASKS, limit=limit)


def new_comments(session: Session, *, client_id: uuid.UUID, limit: int) -> list[Task]:
    """Returned homework whose clinician's comment the client hasn't opened since it was
    written or changed, the latest first: for the home page (a walk-through: a comment showed
    only under Homework, and a client who lives on the journal page never saw it)."""
    return _tasks(session, client_id, _NEW_COMMENTS, limit=limit)


EXERCISES_SHOWN = 20
# The client's own saved exercises, newest first: the homework kind's items that answer no
# live assignment (those are listed with it; what answered a withdrawn one is kept here).
_OWN_EXERCISES = (
    select(
        ClientItem.id,
        ClientItem.created_at,
        ClientItem.updated_at,
        *(KIND.column(name) for name in KIND.field_names),
    )
    .join(HomeworkResponse, col(HomeworkResponse.item_id) == ClientItem.id)
    .where(
        col(ClientItem.owner_id) == bindparam("owner"),
        col(ClientItem.kind) == KIND.name,
        col(ClientItem.deleted_at).is_(None),
        ~exists(
            select(Assignment.id).where(
                col(Assignment.client_id) == bindparam("owner"),
                col(Assignment.response_id) == ClientItem.id,
                col(Assignment.withdrawn_at).is_(None),
            )
        ),
    )
    .order_by(*items.newest_first())
    .limit(bindparam("limit", type_=Integer))
)
_ANSWERING = select(Assignment.response_id).where(
    col(Assignment.client_id) == bindparam("owner"),
    col(Assignment.response_id).is_not(None),
    col(Assignment.withdrawn_at).is_(None),
)


def own_exercises(session: Session, *, client_id: uuid.UUID, limit: int = EXERCISES_SHOWN):
    """Exercises the client did on their own (not for an assignment): the newest `limit`
    saved ones, and the unsaved drafts of new ones, newest first. What answers an
    assignment is not read here."""
    rows = run_prebuilt(session, _OWN_EXERCISES, owner=client_id, limit=limit).all()
    saved = items.own_items(session, owner_id=client_id, kind=KIND, rows=list(rows))
    answering = set(run_prebuilt(session, _ANSWERING, owner=client_id).scalars())
    unsaved = drafts.list_new(session, owner_id=client_id, kind=KIND, skip=answering, limit=limit)
    return saved, [draft for draft in unsaved if not draft.of_saved]  # new ones only


def task(session: Session, *, client_id: uuid.UUID, assignment_id: uuid.UUID) -> Task:
    """One of the client's assignments, as it stands."""
    (found,) = _tasks(session, client_id, _ONE_TASK, assignment=assignment_id)
    return found


@dataclass(frozen=True)
class OpenTask:
    """An assignment the client is doing: the task, what the clinician wrote, and what the
    client has so far (their draft, else the saved response)."""

    task: Task
    instructions: str
    note: str
    comment: str
    commented_at: datetime | None
    comment_read_now: bool  # a new comment, opened by this (the home page lists it no more)
    answers: dict[str, Any]
    not_done: bool  # marked "couldn't do it" (with or without reasons)
    reasons: list[str]
    saved: bool
    from_draft: bool


def is_live_for(session: Session, *, client_id: uuid.UUID, assignment_id: str) -> bool:
    """Whether this is the client's live (not withdrawn) assignment; nothing audited (for
    re-checking an open page after someone else's action)."""
    try:
        parsed = parse_id(assignment_id)
    except NotFound:
        return False
    row = session.get(Assignment, parsed)
    return row is not None and row.client_id == client_id and row.withdrawn_at is None


def _clients_assignment(
    session: Session,
    client_id: uuid.UUID,
    assignment_id: object,
    action: AuditAction,
    *,
    to_change: bool = True,
) -> Assignment:
    """One of the client's live assignments (anything else refused alike and audited).
    `to_change`: the unit changes it or what hangs off it, taking turns with the client's
    other tabs (one response each) and the clinician's (a withdraw racing a return)."""
    parsed = items.parse_or_deny(client_id, assignment_id, action)
    if to_change:
        take_turns(session, Assignment, col(Assignment.id) == parsed)
    row = session.get(Assignment, parsed)
    if row is None or row.client_id != client_id or row.withdrawn_at is not None:
        raise Denied(actor_id=client_id, action=action, item_id=parsed)
    return row


def kept_after_withdrawal(
    session: Session, *, client_id: uuid.UUID, assignment_id: object
) -> uuid.UUID | None:
    """The client's answers to an assignment their clinician withdrew, kept as an exercise
    of their own: its id, for the assignment's old address to lead there; else None."""
    try:
        parsed = uuid.UUID(str(assignment_id))
    except ValueError:
        return None
    row = session.get(Assignment, parsed)
    if row is None or row.client_id != client_id or row.withdrawn_at is None or row.response_id is None:
        return None
    # A worksheet's answers (a prompt's answer is a journal entry: it is in the journal).
    response = session.get(ClientItem, row.response_id)
    if response is not None:
        kept = response.owner_id == client_id and response.deleted_at is None and response.kind == KIND.name
    else:
        draft = drafts.get(session, owner_id=client_id, item_id=row.response_id)
        kept = draft is not None and draft.kind == KIND.name
    return row.response_id if kept else None


def assignment_answered_by(session: Session, *, client_id: uuid.UUID, item_id: object) -> str | None:
    """The client's live assignment whose response this item is, if any: its answers are
    opened, changed and ended only as that assignment's (an attack review opened them at an
    exercise's address and discarded them there)."""
    try:
        parsed = uuid.UUID(str(item_id))
    except ValueError:
        return None
    return _answering(session, col(Assignment.client_id) == client_id, [parsed]).get(str(parsed))


def discard_own_exercise(session: Session, *, client_id: uuid.UUID, item_id: object) -> None:
    """The draft of an exercise of the client's own goes (never an assignment's answers)."""
    if assignment_answered_by(session, client_id=client_id, item_id=item_id) is not None:
        raise InvalidInput(N_("This couldn't be saved. Please try again."))
    drafts.discard(session, owner_id=client_id, item_id=item_id)


def open_task(session: Session, *, client_id: uuid.UUID, assignment_id: object) -> OpenTask:
    row = _clients_assignment(session, client_id, assignment_id, AuditAction.VIEW_ITEM, to_change=False)
    response = session.get(ClientItem, row.response_id) if row.response_id is not None else None
    if response is not None and response.deleted_at is not None:
        row.response_id = None  # the client deleted their answer: the homework starts afresh
        session.add(row)
        session.flush()
    key = data_key(session, client_id)
    found = task(session, client_id=client_id, assignment_id=row.id)
    # The comment is on screen now (the worksheet shows it above the answers, returned or
    # taken back): read, as the version shown, unless no one may be looking (a push, a
    # reconnect: a review).
    unread = row.commented_at is not None and (
        row.comment_read_at is None or row.comment_read_at < row.commented_at
    )
    read_now = unread and not sharing.holding_back()
    if read_now:
        row.comment_read_at = row.commented_at
        session.add(row)
    answers: dict[str, Any] = {}
    reasons: list[str] = []
    saved = from_draft = not_done = False
    if row.response_id is not None:
        kind = response_kind(session, client_id, row.response_id, found.worksheet)
        editing = drafts.open_for_editing(
            session, owner_id=client_id, kind=kind, item_id=row.response_id, issued=True
        )
        answers, reasons = answers_of(kind, editing.fields), reasons_of(editing.fields)
        not_done = is_not_done(editing.fields)
        saved, from_draft = not editing.is_new, editing.from_draft
    return OpenTask(
        task=found,
        instructions=key.open_field(Assignment.instructions_ct, row.id, row.instructions_ct),
        note=key.open_field(Assignment.note_ct, row.id, row.note_ct),
        comment=key.open_field(Assignment.comment_ct, row.id, row.comment_ct),
        commented_at=row.commented_at,
        comment_read_now=read_now,
        answers=answers,
        not_done=not_done,
        reasons=reasons,
        saved=saved,
        from_draft=from_draft,
    )


def _link(
    session: Session,
    client_id: uuid.UUID,
    assignment_id: object,
    item_id: uuid.UUID,
    *,
    id_from_page: bool = False,
) -> Assignment:
    """Tie the client's response to their assignment (once: a second response is refused).
    `id_from_page`: the id came with the page's request, not from the tab's state (where the
    server chose it): only a new one may become the response, never an entry or another
    homework's response of the client's."""
    row = _clients_assignment(session, client_id, assignment_id, AuditAction.WRITE_ITEM)
    if row.response_id == item_id:
        return row
    # From a page, an id of something else of the client's joins nothing, neither as the
    # response nor by following it to the response begun elsewhere (an attack review: a
    # worksheet's mark for one homework wrote into another's response).
    if id_from_page and (
        session.get(ClientItem, item_id) is not None
        or drafts.exists(session, owner_id=client_id, item_id=item_id)
    ):
        raise InvalidInput(N_("This couldn't be saved. Please try again."))
    if row.response_id is not None:
        raise BegunElsewhere(row.response_id)
    row.response_id = item_id
    if row.first_returned_at is None and session.get(ClientItem, item_id) is not None:
        row.first_returned_at = utcnow()  # an item saved before may be shared already
    session.add(row)
    return row


def _worksheet_of(
    session: Session, client_id: uuid.UUID, assignment: Assignment | None, own: Worksheet | None
) -> Worksheet:
    if assignment is not None:
        return worksheets.from_json(
            data_key(session, client_id).open_field(
                Assignment.worksheet_ct, assignment.id, assignment.worksheet_ct
            )
        )
    if own is None:
        raise InvalidInput(N_("This couldn't be saved. Please try again."))
    return own


def _held(session: Session, client_id: uuid.UUID, item_id: uuid.UUID, kind: items.Kind) -> Mapping[str, str]:
    """What the server holds of a response now: its draft's fields, else as saved, else
    nothing."""
    draft = drafts.get(session, owner_id=client_id, item_id=item_id)
    if draft is not None and draft.kind == kind.name:
        return draft.fields
    if items.item_exists(
        session, owner_id=client_id, kind=kind, item_id=item_id, action=AuditAction.WRITE_ITEM
    ):
        return items.open_own(session, owner_id=client_id, kind=kind, item_id=item_id).fields
    return {}


def _kept(session: Session, client_id: uuid.UUID, item_id: uuid.UUID, kind: items.Kind):
    """What the server holds of a response now, as (answers, "couldn't do it" JSON)."""
    fields = _held(session, client_id, item_id, kind)
    return answers_of(kind, fields), fields.get("not_done", "")


def answers_held(
    session: Session, *, client_id: uuid.UUID, item_id: object, worksheet: Worksheet
) -> dict[str, Any]:
    """The answers the server holds now of an exercise of the client's own (its draft, else
    as saved, else none)."""
    parsed = items.parse_or_deny(client_id, item_id, AuditAction.VIEW_ITEM)
    return _kept(session, client_id, parsed, kind_for(worksheet))[0]


def keep_change(
    session: Session,
    *,
    client_id: uuid.UUID,
    item_id: object,
    assignment_id: object | None,
    worksheet: Worksheet | None,
    change: Callable[[Worksheet, dict[str, Any]], Mapping[str, object]],
    translate: Callable[[str], str] = str,
    id_from_page: bool = False,
    shown: Mapping[str, Any] | None = None,
) -> Kept:
    """Autosave a change to a response as it is given (AVAIL-1), for an assignment or an
    exercise of the client's own (`worksheet`): `change(worksheet, answers held)` gives the
    fields it changes (worksheets.answer_given, row_added, row_removed), from what the
    server holds when this unit's turn comes, and they are merged into it, so two tabs or
    devices never undo each other's answers, and a "couldn't do it" mark stays.
    `shown`: the answers on the page that changes them. A text answer it never showed
    (typed on another device since) is not written over before the answers held are kept
    apart, as a draft of their own (`Kept.set_aside`): a walk-through typed one answer on a
    laptop and then on a phone, and the laptop's words were kept nowhere.
    `id_from_page`: see `_link`."""
    parsed = items.parse_or_deny(client_id, item_id, AuditAction.WRITE_ITEM)
    # Tabs (or a closing tab's beacon beside its websocket) answering at the same moment
    # take turns: each reads what the one before wrote, and no answer is written over.
    take_turns(session, User, col(User.id) == client_id)
    row = (
        _link(session, client_id, assignment_id, parsed, id_from_page=id_from_page) if assignment_id else None
    )
    chosen = _worksheet_of(session, client_id, row, worksheet)
    kind = kind_for(chosen)
    held, marked = _kept(session, client_id, parsed, kind)
    changed = change(chosen, held)
    set_aside = None
    if shown is not None and any(
        _written_over(held.get(name), shown.get(name), new) for name, new in changed.items()
    ):
        set_aside = drafts.keep_apart(
            session,
            owner_id=client_id,
            kind=kind,
            copy_of=parsed,
            values=response_values(chosen, held, translate=translate, draft=True),
        )
    merged = worksheets.clean_answers(chosen, {**held, **changed}, draft=True)
    drafts.save(
        session,
        owner_id=client_id,
        kind=kind,
        item_id=parsed,
        values=response_values(chosen, merged, marked, translate=translate, draft=True),
    )
    return Kept(merged, set_aside)


@dataclass(frozen=True)
class Kept:
    """A change kept: every answer held now, and the id of the draft the answers held before
    were kept apart in (`keep_change`'s `shown`), if they were."""

    answers: dict[str, Any]
    set_aside: uuid.UUID | None = None


def _written_over(there: object, seen: object, new: object) -> bool:
    """Whether words held now, which the page never showed, would be lost under `new` (a
    list's rows are `worksheets.answer_given`'s: a row changed elsewhere is kept as one more)."""
    return (
        isinstance(there, str)
        and there.strip() != ""
        and there != seen
        # this page's own words, sent twice (its beacon, then its websocket), typed on
        and not (isinstance(new, str) and new.startswith(there))
    )


def begun_with(
    session: Session, *, client_id: uuid.UUID, item_id: object, chosen: Worksheet | None
) -> Worksheet:
    """An exercise of the client's own: the worksheet it was begun with (its draft's, else
    as saved), else `chosen` (a new one: its address's template or prompt). A prompt's
    answer is a journal entry, which keeps no worksheet: its address names the prompt."""
    if chosen is None or not chosen.is_prompt:
        parsed = items.parse_or_deny(client_id, item_id, AuditAction.WRITE_ITEM)
        begun = _held(session, client_id, parsed, KIND).get("worksheet")
        if begun:
            return worksheets.from_json(begun)
    if chosen is None:
        raise InvalidInput(N_("This couldn't be saved. Please try again."))
    return chosen


def save_response(
    session: Session,
    *,
    client_id: uuid.UUID,
    item_id: object,
    assignment_id: object | None,
    worksheet: Worksheet | None,
    answers: object = None,
    seen: Mapping[str, Any] | None = None,
    return_it: bool = False,
    translate: Callable[[str], str] = str,
) -> Task | None:
    """Save the response, and return it to the clinician who assigned it if `return_it`
    (an explicit choice: returning is sharing). The answers are what the server holds
    (the autosaved draft) unless given. `seen`: the answers the page shows; held answers
    changed since (on another device) are not saved (`AnswersChangedElsewhere`: a
    walk-through's laptop returned the phone's words while showing its own). Answers saved
    replace an earlier "couldn't do it" (the mark stays only while nothing is written). A
    response returned again, or changed once reviewed, goes back on the clinician's list to
    review. Returns the task, if any."""
    parsed = items.parse_or_deny(client_id, item_id, AuditAction.WRITE_ITEM)
    row = _link(session, client_id, assignment_id, parsed) if assignment_id else None
    chosen = _worksheet_of(session, client_id, row, worksheet)
    held, marked = _kept(session, client_id, parsed, kind_for(chosen))
    if seen is not None and worksheets.clean_answers(chosen, held, draft=True) != worksheets.clean_answers(
        chosen, seen, draft=True
    ):
        raise AnswersChangedElsewhere()
    given = held if answers is None else answers
    written = worksheets.answered(worksheets.clean_answers(chosen, given))
    if written:
        marked = ""
    values = response_values(chosen, given, marked, translate=translate)
    if (chosen.is_prompt and not values["body"].strip()) or (return_it and not written and not marked):
        # Nothing to return: the clinician would open an empty worksheet.
        raise InvalidInput(N_("Write an answer first, or choose \u201cI couldn't do it\u201d."))
    with reviewed_unless_changed(session, client_id=client_id, item_id=parsed):
        items.save(session, owner_id=client_id, kind=kind_for(chosen), item_id=parsed, values=values)
    if return_it:
        if row is None:
            raise InvalidInput(N_("This couldn't be saved. Please try again."))
        _return(session, row, parsed)
    if row is None:
        return None
    return task(session, client_id=client_id, assignment_id=row.id)


@contextmanager
def reviewed_unless_changed(session: Session, *, client_id: uuid.UUID, item_id: uuid.UUID) -> Iterator[None]:
    """Around a save of the client's item: if it answers an assignment its clinician has
    reviewed, and the save changes what the clinician sees of it (its `shared_changed_at`
    moves: items.save), it is to review again. "Reviewed" would tell both of them the
    changes were looked at (a walk-through's client added a line nobody learned of); saved
    as it was, or changed only where the clinician never looks, it stays reviewed. From the
    worksheet and from the journal's editor (a prompt's answer is an entry) alike."""
    row = session.exec(
        select(Assignment).where(
            col(Assignment.client_id) == client_id,
            col(Assignment.response_id) == item_id,
            col(Assignment.reviewed_at).is_not(None),
        )
    ).first()
    watched = row is not None and _is_returned(session, row)
    before = _shared_changed_at(session, item_id) if watched else None
    yield
    if row is not None and watched and _shared_changed_at(session, item_id) != before:
        row.reviewed_at = None
        session.add(row)


def _shared_changed_at(session: Session, item_id: uuid.UUID) -> datetime | None:
    return session.exec(select(ClientItem.shared_changed_at).where(col(ClientItem.id) == item_id)).first()


def _return(session: Session, row: Assignment, item_id: uuid.UUID) -> None:
    """Share the response with the clinician who assigned it; a new return (not one already
    shared) is to be reviewed again."""
    returned_before = _is_returned(session, row)
    sharing.set_shared(
        session, owner_id=row.client_id, item_id=item_id, clinician_id=row.clinician_id, shared=True
    )
    if not returned_before and row.reviewed_at is not None:
        row.reviewed_at = None
        session.add(row)


def take_back(session: Session, *, client_id: uuid.UUID, assignment_id: object) -> uuid.UUID:
    """Un-return: the response is private again (a revoke). Returns the clinician."""
    row = _clients_assignment(session, client_id, assignment_id, AuditAction.REVOKE)
    if row.response_id is None:
        raise InvalidInput(N_("This couldn't be saved. Please try again."))
    sharing.set_shared(
        session, owner_id=client_id, item_id=row.response_id, clinician_id=row.clinician_id, shared=False
    )
    return row.clinician_id


def not_done(
    session: Session,
    *,
    client_id: uuid.UUID,
    item_id: object,
    assignment_id: object,
    reasons: object,
    return_it: bool,
) -> Task | None:
    """ "I couldn't do it", with reasons picked from the list: kept as the response (what
    was written so far stays), and returned only if the client chooses to. A prompt's
    answer would be a journal entry, so for a prompt the mark is a response of its own (an
    answer already begun stays among the journal's unsaved drafts)."""
    clean = clean_not_done({"reasons": reasons})
    parsed = items.parse_or_deny(client_id, item_id, AuditAction.WRITE_ITEM)
    row = _clients_assignment(session, client_id, assignment_id, AuditAction.WRITE_ITEM)
    if _is_returned(session, row):
        # Returned meanwhile (a tab left open while another returned it): kept private, the
        # mark would go into what the clinician already sees; returned, a prompt's mark is a
        # response of its own, and the answer returned before would stay shared with no
        # response to take back (attack review: still readable after "Private again").
        raise InvalidInput(
            N_("This was returned to your clinician meanwhile. Take it back first to change it.")
        )
    chosen = _worksheet_of(session, client_id, row, None)
    if chosen.is_prompt:
        if response_kind(session, client_id, row.response_id, chosen) is not KIND:
            row.response_id = None  # a fresh response holds the mark
            parsed = uuid.uuid4()
        values = {"worksheet": worksheets.to_json(chosen), "answers": "", "not_done": clean}
    else:
        draft = drafts.get(session, owner_id=client_id, item_id=parsed)
        kept = answers_of(KIND, draft.fields) if draft is not None and draft.kind == KIND.name else {}
        if draft is None and items.item_exists(
            session, owner_id=client_id, kind=KIND, item_id=parsed, action=AuditAction.WRITE_ITEM
        ):
            kept = answers_of(
                KIND, items.open_own(session, owner_id=client_id, kind=KIND, item_id=parsed).fields
            )
        values = response_values(chosen, kept, clean)
    _link(session, client_id, row.id, parsed)
    items.save(session, owner_id=client_id, kind=KIND, item_id=parsed, values=values)
    if return_it:
        _return(session, row, parsed)
    return task(session, client_id=client_id, assignment_id=row.id)


def response_kind(
    session: Session, client_id: uuid.UUID, response_id: Any, worksheet: Worksheet
) -> items.Kind:
    """The kind of the client's response: as saved, else as drafted, else as the worksheet
    asks (a prompt's is a journal entry)."""
    if response_id is not None:
        item = session.get(ClientItem, response_id)
        if item is not None and item.owner_id == client_id:
            return items.kind_named(item.kind)
        draft = drafts.get(session, owner_id=client_id, item_id=response_id)
        if draft is not None:
            return items.kind_named(draft.kind)
    return kind_for(worksheet)


def due_text(reader: Any, due_on: date | None, today: date) -> str:
    """When it is due, in plain words: "Due today", "Due Thursday", "Was due 3 Nov"."""
    if due_on is None:
        return reader.t("No due date")
    days = (due_on - today).days
    if days < 0:
        return reader.t("Was due {day}", day=reader.short_day(due_on))
    if days == 0:
        return reader.t("Due today")
    if days == 1:
        return reader.t("Due tomorrow")
    if days < 7:
        return reader.t("Due {weekday}", weekday=reader.weekday(due_on))
    return reader.t("Due {day}", day=reader.short_day(due_on))

"""The clinician's caseload and their brief of one client before a session.

The caseload counts what needs attention without reading anything a client wrote, so
nothing is audited or marked seen there: new shared items not opened yet, returned homework
not reviewed, overdue homework, and whether the agenda for the next session is shared. It
takes the same few queries for one client as for sixty (grouped counts, no query per row).

The brief shows one client's current window: the shared agenda (only the lines the
clinician may see), the shared check-ins of this window and the one before, returned
homework, and the shared entries written since the last session. Everything it shows is
read through the platform (core/sharing.py): audited and marked seen, item by item.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import bindparam, func, select, type_coerce
from sqlmodel import Session, col

from betterjournal.core import agenda, appointments, checkins, homework, items, journal, links, sharing
from betterjournal.core.errors import Denied
from betterjournal.db import run_prebuilt
from betterjournal.models import AuditAction, CareLink, ItemShare, Role, SharedItem, User, UuidText, utcnow


@dataclass(frozen=True)
class CaseLine:
    """One linked client on the caseload: when they are seen next, and counts."""

    client_id: str
    name: str
    next_at: datetime | None
    new_shared: int  # shared items (not homework: counted below) the clinician hasn't opened
    to_review: int  # returned homework not reviewed yet
    overdue: int  # homework past its due date, not returned
    agenda_shared: bool  # the agenda for the next session is shared with the clinician


# Per linked client, their items shared with the clinician and not opened yet; homework is
# counted apart (returned, to review), and so is the agenda (its own column: "shared for
# the next session"). Counted from the share rows' own index
# (ix_item_share_unseen, a seek per link): no item is read per share. Only the shares of the
# link as it is now count: one left from an ended link shows nothing. A deleted item's shares
# are revoked with it (items.delete_item), so the live shares are of live items.
_UNSEEN_OF_LINK = (
    select(func.count())
    .select_from(ItemShare)
    .where(
        col(ItemShare.clinician_id) == CareLink.clinician_id,
        col(ItemShare.link_id) == CareLink.id,
        col(ItemShare.revoked_at).is_(None),
        col(ItemShare.first_seen_at).is_(None),
        col(ItemShare.kind).not_in((homework.KIND.name, agenda.KIND.name)),
    )
    .correlate(CareLink)
    .scalar_subquery()
)
# Each linked client with their name, next planned session, new shared items, homework to
# look at and whether their agenda for the next session is shared: one statement, whatever
# the number of clients and however long their history.
_TO_REVIEW, _OVERDUE, _UNSEEN_ANSWERS = homework.attention_of(CareLink)
_LINKED_CLIENTS = (
    select(
        type_coerce(CareLink.client_id, UuidText()),
        col(User.display_name),
        appointments.PLANNED_OF_LINK,
        _UNSEEN_OF_LINK - _UNSEEN_ANSWERS,  # a returned prompt's answer counts once: returned
        _TO_REVIEW,
        _OVERDUE,
        agenda.SHARED_FOR_WINDOW_OF_LINK,
    )
    .join(User, col(User.id) == CareLink.client_id)
    .where(
        col(CareLink.clinician_id) == bindparam("clinician"),
        col(CareLink.ended_at).is_(None),
        col(User.role) == Role.CLIENT,
    )
)


def caseload(session: Session, *, clinician_id: uuid.UUID, today: date) -> list[CaseLine]:
    """Every linked client, soonest next session first (none planned last, by name)."""
    clients = run_prebuilt(session, _LINKED_CLIENTS, clinician=clinician_id, today=today).all()
    lines = []
    for client, name, next_at, new_shared, to_review, overdue, agenda_shared in clients:
        lines.append(
            CaseLine(
                client_id=client,
                name=name,
                next_at=next_at,
                new_shared=new_shared,
                to_review=to_review,
                overdue=overdue,
                agenda_shared=bool(agenda_shared),
            )
        )
    far = datetime.max.replace(tzinfo=utcnow().tzinfo)
    return sorted(lines, key=lambda line: (line.next_at or far, line.name.casefold()))


@dataclass(frozen=True)
class Brief:
    """One client's current window, as far as the clinician may see it."""

    client_id: str
    client_name: str
    window: appointments.Window
    agenda_id: str  # "" when no agenda is shared
    agenda: tuple[agenda.Line, ...]
    pinned: dict[str, SharedItem]  # pinned item id -> the item (shared with the clinician)
    answers_to: dict[str, str]  # a pinned item that answers homework -> the assignment's id
    check_ins: list[SharedItem]  # this window's and the one before (for the faint comparison)
    entries: list[SharedItem]  # shared entries written since the last session
    homework: list[homework.Attention]  # returned and not reviewed, and the latest overdue
    more_overdue: int  # overdue, not listed here


def brief(session: Session, *, clinician_id: uuid.UUID, client_id: object, today: date) -> Brief:
    """The brief of a linked client (anyone else: refused and audited)."""
    client = items.parse_or_deny(clinician_id, client_id, AuditAction.VIEW_SHARED_LIST)
    name = links.linked_client_name(session, clinician_id=clinician_id, client_id=client)
    if name is None:
        raise Denied(actor_id=clinician_id, action=AuditAction.VIEW_SHARED_LIST, subject_id=client)
    window = appointments.window(session, client_id=client, clinician_id=clinician_id)
    now = utcnow()
    since = window.since(now)
    found = agenda.shared_agenda(session, clinician_id=clinician_id, client_id=client, window=window.key)
    agenda_id, lines, pinned = (str(found[0]), found[1], found[2]) if found else ("", (), {})
    before = window.previous_start if window.previous_start is not None else since - (now - since)
    check_ins = sharing.every_shared(
        session, clinician_id=clinician_id, client_id=client, kind=checkins.KIND, since=min(before, since)
    )
    attention, more_overdue = homework.needing_attention(
        session, clinician_id=clinician_id, client_id=client, today=today
    )
    # A returned prompt's answer is a shared entry too: listed once, as returned homework
    # (opened, and marked seen, from there).
    answers = [uuid.UUID(task.response_id) for task in attention if task.response_id]
    entries = sharing.every_shared(
        session,
        clinician_id=clinician_id,
        client_id=client,
        kind=journal.KIND,
        # Written, or shared, since the last session: an older entry shared now is new to the
        # clinician, as the caseload counts it (a walk-through's "1 new shared item" led to a
        # brief that listed none).
        since=since,
        or_shared_since=True,
        excluding=answers,
    )
    return Brief(
        client_id=str(client),
        client_name=name,
        window=window,
        agenda_id=agenda_id,
        agenda=lines,
        pinned=pinned,
        answers_to=homework.assignments_answered(
            session, clinician_id=clinician_id, response_ids=pinned.keys()
        ),
        check_ins=check_ins,
        entries=entries,
        homework=attention,
        more_overdue=more_overdue,
    )

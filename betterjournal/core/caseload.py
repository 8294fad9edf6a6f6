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

from sqlalchemy import and_, bindparam, func, select
from sqlmodel import Session, col

from betterjournal.core import agenda, appointments, checkins, homework, items, journal, links, sharing
from betterjournal.core.errors import Denied
from betterjournal.db import run_prebuilt
from betterjournal.models import AuditAction, CareLink, ItemShare, SharedItem, utcnow


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


# Per client, their items shared with the clinician (`viewer`) and not opened yet; homework
# is counted apart (returned, to review). Counted per link from the share rows' own index
# (ix_item_share_unseen), then each count is matched to its link if that is still active:
# no item or link is read per share. A deleted item's shares are revoked with it
# (items.delete_item), so the live shares are of live items.
_UNSEEN_PER_LINK = (
    select(col(ItemShare.link_id).label("link_id"), func.count().label("unseen"))
    .where(
        col(ItemShare.clinician_id) == bindparam("viewer"),
        col(ItemShare.revoked_at).is_(None),
        col(ItemShare.first_seen_at).is_(None),
        col(ItemShare.kind) != homework.KIND.name,
    )
    .group_by(col(ItemShare.link_id))
    .subquery()
)
_NEW_SHARED = select(col(CareLink.client_id), _UNSEEN_PER_LINK.c.unseen).join(
    _UNSEEN_PER_LINK,
    and_(col(CareLink.id) == _UNSEEN_PER_LINK.c.link_id, col(CareLink.ended_at).is_(None)),
)


def caseload(session: Session, *, clinician_id: uuid.UUID, today: date) -> list[CaseLine]:
    """Every linked client, soonest next session first (none planned last, by name)."""
    clients = links.linked_clients(session, clinician_id=clinician_id)
    where = appointments.where_each_client_is(session, clinician_id=clinician_id)
    new_shared = dict(run_prebuilt(session, _NEW_SHARED, viewer=clinician_id).all())
    attention = homework.attention_counts(session, clinician_id=clinician_id, today=today)
    agendas = agenda.shared_for_next(session, clinician_id=clinician_id)
    lines = []
    for person in clients:
        client = uuid.UUID(person.id)
        window_key, next_at = where.get(client, (appointments.FIRST, None))
        lines.append(
            CaseLine(
                client_id=person.id,
                name=person.name,
                next_at=next_at,
                new_shared=new_shared.get(client, 0),
                to_review=attention.get(client, (0, 0))[0],
                overdue=attention.get(client, (0, 0))[1],
                agenda_shared=(client, window_key) in agendas,
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
    check_ins: list[SharedItem]  # this window's and the one before (for the faint comparison)
    entries: list[SharedItem]  # shared entries written since the last session
    homework: list[homework.Attention]  # returned and not reviewed, and the latest overdue
    more_overdue: int  # overdue, not listed here


def brief(session: Session, *, clinician_id: uuid.UUID, client_id: object, today: date) -> Brief:
    """The brief of a linked client (anyone else: refused and audited)."""
    client = items.parse_or_deny(clinician_id, client_id, AuditAction.VIEW_SHARED_LIST)
    name = links.linked_client_name(session, clinician_id=clinician_id, client_id=client)
    if name is None:
        raise Denied(actor_id=clinician_id, action=AuditAction.VIEW_SHARED_LIST)
    window = appointments.window(session, client_id=client, clinician_id=clinician_id)
    now = utcnow()
    since = window.since(now)
    found = agenda.shared_agenda(session, clinician_id=clinician_id, client_id=client, window=window.key)
    agenda_id, lines, pinned = (str(found[0]), found[1], found[2]) if found else ("", (), {})
    before = window.previous_start if window.previous_start is not None else since - (now - since)
    check_ins = sharing.every_shared(
        session, clinician_id=clinician_id, client_id=client, kind=checkins.KIND, since=min(before, since)
    )
    entries = sharing.every_shared(
        session, clinician_id=clinician_id, client_id=client, kind=journal.KIND, since=since
    )
    attention, more_overdue = homework.needing_attention(
        session, clinician_id=clinician_id, client_id=client, today=today
    )
    return Brief(
        client_id=str(client),
        client_name=name,
        window=window,
        agenda_id=agenda_id,
        agenda=lines,
        pinned=pinned,
        check_ins=check_ins,
        entries=entries,
        homework=attention,
        more_overdue=more_overdue,
    )

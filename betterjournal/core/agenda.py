"""The session agenda: what a client wants to bring to their next session, a kind on the
item platform (shared, seen, deleted and paged like every kind).

One agenda per client, clinician and window (core/appointments.py). Its lines are free
text, or a pin: one of the client's entries or homework responses, or the chart of the
window's check-ins. Sharing the agenda shares its lines; a pinned item reaches the
clinician only while that item itself is shared with them (a pin never shares anything),
and a pin of an item they can't see is left out of what they get, wholly. The clinician
ticks lines as discussed (agenda_discussed: no content); what was not discussed carries
over to the next window's agenda when the client first opens it. The client's own note
after a session ("what I want to remember") is a field never shared.
"""

from __future__ import annotations

import json
import secrets
import uuid
from collections.abc import Sequence, Set
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, exc, exists
from sqlmodel import Session, col, select

from betterjournal.core import appointments, audit, drafts, homework, items, journal, sharing
from betterjournal.core.errors import Denied, InvalidInput
from betterjournal.core.validation import clean_line, clean_text
from betterjournal.db import run_prebuilt, take_turns
from betterjournal.i18n import N_
from betterjournal.models import (
    AgendaDiscussed,
    AuditAction,
    AuditOutcome,
    CareLink,
    ClientItem,
    ItemShare,
    OwnItem,
    SessionAgenda,
    SharedItem,
    utcnow,
)

LINES_MAX = 50
LINE_MAX = 300
REMEMBER_MAX = 5_000
CHART = "chart"  # a pin of the window's check-in chart (drawn from what the viewer may see)
PINNABLE = {journal.KIND.name: journal.KIND, homework.KIND.name: homework.KIND}
_TOO_MANY = N_("An agenda holds at most 50 items. Remove one to add another.")
_BROKEN = N_("This agenda couldn't be saved. Please reload the page and try again.")


def _is_uuid(value: str) -> bool:
    try:
        return str(uuid.UUID(value)) == value
    except ValueError:
        return False


def _line_shape(line: object) -> bool:
    if not isinstance(line, dict) or not isinstance(line.get("id"), str) or len(line["id"]) != 8:
        return False
    if set(line) == {"id", "text"}:
        return isinstance(line["text"], str) and 0 < len(line["text"]) <= LINE_MAX
    if set(line) == {"id", "pin"}:
        return line["pin"] == CHART
    if set(line) == {"id", "pin", "item"}:
        return line["pin"] in PINNABLE and isinstance(line["item"], str) and _is_uuid(line["item"])
    return False


def clean_lines(value: object) -> str:
    """The agenda's lines as stored: a JSON list of at most 50 well-formed lines."""
    try:
        lines = json.loads(value) if isinstance(value, str) and value else []
    except ValueError:
        raise InvalidInput(_BROKEN) from None
    if not isinstance(lines, list) or not all(_line_shape(line) for line in lines):
        raise InvalidInput(_BROKEN)
    if len(lines) > LINES_MAX:
        raise InvalidInput(_TOO_MANY)
    if len({line["id"] for line in lines}) != len(lines):
        raise InvalidInput(_BROKEN)
    return json.dumps(lines, ensure_ascii=False, separators=(",", ":")) if lines else ""


def clean_remember(value: object) -> str:
    return clean_text(value, label=N_("What I want to remember"), max_length=REMEMBER_MAX, required=False)


def _draft(value: object) -> str:
    """An agenda is saved change by change; its draft holds only a line half typed in "Add a
    line" (`keep_typed_line`), checked as a line once added."""
    return clean_text(value, label=N_("Your agenda"), max_length=REMEMBER_MAX, required=False)


KIND = items.register(
    "session_agenda",
    SessionAgenda,
    (
        items.ItemField("lines", clean=clean_lines, clean_draft=_draft),
        # The client's own note after the session: never shown to a clinician, shared or not.
        items.ItemField("remember", clean=clean_remember, clean_draft=_draft, shared=False),
    ),
)


@dataclass(frozen=True)
class Line:
    """One line of an agenda: free `text`, or a `pin` (an item's kind, or "chart") of `item_id`."""

    id: str
    text: str = ""
    pin: str = ""
    item_id: str = ""
    discussed: bool = False


@dataclass(frozen=True)
class Agenda:
    id: uuid.UUID
    clinician_id: uuid.UUID
    window: str
    lines: tuple[Line, ...]
    remember: str
    shared: bool  # with its clinician, now
    seen_at: datetime | None  # when its clinician first opened it, while shared
    created_at: datetime
    changed_after_seen: datetime | None = None  # the client changed it since: when


def lines_from(stored: str, discussed: Set[str] = frozenset()) -> tuple[Line, ...]:
    """An agenda's lines as stored (its `lines` field); `discussed`: the ids ticked."""
    return tuple(
        Line(
            id=line["id"],
            text=line.get("text", ""),
            pin=line.get("pin", ""),
            item_id=line.get("item", ""),
            discussed=line["id"] in discussed,
        )
        for line in (json.loads(stored) if stored else [])
    )


def _stored(lines: Sequence[Line]) -> str:
    def one(line: Line) -> dict[str, str]:
        if line.text:
            return {"id": line.id, "text": line.text}
        return {"id": line.id, "pin": line.pin} | ({"item": line.item_id} if line.item_id else {})

    return json.dumps([one(line) for line in lines], ensure_ascii=False, separators=(",", ":"))


_DISCUSSED = select(AgendaDiscussed.agenda_id, AgendaDiscussed.line_id).where(
    col(AgendaDiscussed.agenda_id).in_(bindparam("agendas", expanding=True))
)


def _discussed(session: Session, agenda_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, set[str]]:
    found: dict[uuid.UUID, set[str]] = {agenda_id: set() for agenda_id in agenda_ids}
    if agenda_ids:
        for agenda_id, line_id in run_prebuilt(session, _DISCUSSED, agendas=list(agenda_ids)):
            found[agenda_id].add(line_id)
    return found


_OWN_AGENDA = select(SessionAgenda.item_id, ClientItem.created_at).join(
    ClientItem, col(ClientItem.id) == SessionAgenda.item_id
)


_FIND = _OWN_AGENDA.where(
    col(SessionAgenda.client_id) == bindparam("client"),
    col(SessionAgenda.clinician_id) == bindparam("clinician"),
    col(SessionAgenda.window) == bindparam("window"),
    col(ClientItem.deleted_at).is_(None),
)


def _find(session: Session, client_id: uuid.UUID, clinician_id: uuid.UUID, window: str) -> uuid.UUID | None:
    found = run_prebuilt(session, _FIND, client=client_id, clinician=clinician_id, window=window).first()
    return found[0] if found else None


def _open(session: Session, client_id: uuid.UUID, agenda_id: uuid.UUID) -> Agenda:
    """The client's agenda, every field, with its ticks and whether its clinician sees it."""
    own = items.open_own(session, owner_id=client_id, kind=KIND, item_id=agenda_id)
    row = session.get(SessionAgenda, agenda_id)
    assert row is not None and row.clinician_id is not None and row.window is not None
    shares = sharing.shares_of(session, owner_id=client_id, item_ids=[agenda_id])[agenda_id]
    share = next((s for s in shares if s.clinician_id == row.clinician_id and s.shared_at), None)
    return Agenda(
        id=agenda_id,
        clinician_id=row.clinician_id,
        window=row.window,
        lines=lines_from(own.fields["lines"], _discussed(session, [agenda_id])[agenda_id]),
        remember=own.fields["remember"],
        shared=share is not None,
        seen_at=share.seen_at if share else None,
        created_at=own.created_at,
        changed_after_seen=share.changed_after_seen if share else None,
    )


def _write(session: Session, client_id: uuid.UUID, agenda: Agenda, **changes: Any) -> Agenda:
    changed = replace(agenda, **changes)
    items.save(
        session,
        owner_id=client_id,
        kind=KIND,
        item_id=agenda.id,
        values={"lines": _stored(changed.lines), "remember": changed.remember},
    )
    return changed


def _linked(
    session: Session, client_id: uuid.UUID, clinician_id: object, action: AuditAction = AuditAction.VIEW_ITEM
) -> uuid.UUID:
    """A clinician the client is linked to; any other is refused as an `action` and audited."""
    clinician = items.parse_or_deny(client_id, clinician_id, action)
    if not sharing.is_linked(session, client_id=client_id, clinician_id=clinician):
        raise Denied(actor_id=client_id, action=action, subject_id=client_id)
    return clinician


def _ensure(
    session: Session,
    client_id: uuid.UUID,
    clinician_id: uuid.UUID,
    window: str,
    carry: bool,
    previous: str | None = None,
) -> uuid.UUID:
    """The client's agenda for this window, made now if there is none, with the lines not
    discussed (if `carry`) of the previous window's agenda, or else of their latest one (a
    window they didn't prepare for). Two tabs making it at the same moment make one (the
    unique window index; the loser reads the winner's)."""
    found = _find(session, client_id, clinician_id, window)
    if found is not None:
        return found
    earlier, lines = _carried(session, client_id, clinician_id, previous) if carry else (None, ())
    agenda_id = uuid.uuid4()
    try:
        with session.begin_nested():
            items.save(
                session,
                owner_id=client_id,
                kind=KIND,
                item_id=agenda_id,
                values={"lines": _stored(lines) if lines else "", "remember": ""},
                plain={"client_id": client_id, "clinician_id": clinician_id, "window": window},
            )
            if earlier is not None:  # a line half typed comes along too
                keep_typed_line(
                    session,
                    client_id=client_id,
                    agenda_id=agenda_id,
                    text=typed_line(session, client_id, earlier),
                )
                drafts.discard(session, owner_id=client_id, item_id=earlier)
    except exc.IntegrityError:
        found = _find(session, client_id, clinician_id, window)
        assert found is not None
        return found
    return agenda_id


def _carried(
    session: Session, client_id: uuid.UUID, clinician_id: uuid.UUID, previous: str | None
) -> tuple[uuid.UUID | None, tuple[Line, ...]]:
    """What a new window's agenda starts with: the lines not discussed of the previous
    window's agenda, or else of the latest one (a window they didn't prepare for), and
    that agenda's id (None: there is none)."""
    earlier = _find(session, client_id, clinician_id, previous) if previous else None
    if earlier is None:
        latest = session.exec(
            _OWN_AGENDA.where(
                col(SessionAgenda.client_id) == client_id,
                col(SessionAgenda.clinician_id) == clinician_id,
                col(ClientItem.deleted_at).is_(None),
            ).order_by(col(ClientItem.created_at).desc())
        ).first()
        earlier = latest[0] if latest else None
    if earlier is None:
        return None, ()
    # Its lines are read as a line added to it now would leave them: that unit goes first, or
    # waits for this one and then adds to the new agenda (`_still_current`).
    take_turns(session, ClientItem, col(ClientItem.id) == earlier)
    return earlier, tuple(line for line in _open(session, client_id, earlier).lines if not line.discussed)


@dataclass(frozen=True)
class Preparation:
    """The client's side of one clinician's sessions: where they stand, this window's agenda,
    and last time's (for its ticks and the note after it), if any."""

    window: appointments.Window
    agenda: Agenda
    last_time: Agenda | None
    typed_line: str = ""  # a line half typed in "Add a line" and not added yet (`keep_typed_line`)


def _agenda_now(
    session: Session, client_id: uuid.UUID, clinician_id: object
) -> tuple[appointments.Window, uuid.UUID]:
    """The window now with this linked clinician, and its agenda's id (made, and carried
    over, on first use)."""
    clinician = _linked(session, client_id, clinician_id)
    where = appointments.window(session, client_id=client_id, clinician_id=clinician)
    return where, _ensure(session, client_id, clinician, where.key, carry=True, previous=where.previous_key)


def prepare(session: Session, *, client_id: uuid.UUID, clinician_id: object) -> Preparation:
    """This window's agenda for the client (made, and carried over, on first open)."""
    where, made = _agenda_now(session, client_id, clinician_id)
    agenda = _open(session, client_id, made)
    last = None
    if where.previous_key is not None:
        found = _find(session, client_id, agenda.clinician_id, where.previous_key)
        last = _open(session, client_id, found) if found else None
    return Preparation(where, agenda, last, typed_line(session, client_id, agenda.id))


def _own_agenda(session: Session, client_id: uuid.UUID, agenda_id: object) -> Agenda:
    """The client's agenda, to change: its lines are read and written whole, so two tabs
    changing it at once take turns (neither's line is lost)."""
    parsed, _kind = items.owned(
        session, owner_id=client_id, item_id=agenda_id, action=AuditAction.WRITE_ITEM, kind=KIND
    )
    take_turns(session, ClientItem, col(ClientItem.id) == parsed)
    return _open(session, client_id, parsed)


def _still_current(session: Session, client_id: uuid.UUID, agenda: Agenda) -> Agenda:
    """The agenda to add a line to: this one while its window is the one now; else (the
    session was marked held meanwhile) the next session's, made now if no tab made it yet.
    An attack review's line, added from one tab as the clinician marked the session held,
    landed in the held session's agenda, carried over to none."""
    now = appointments.window(session, client_id=client_id, clinician_id=agenda.clinician_id)
    if now.key == agenda.window:
        return agenda
    made = _ensure(session, client_id, agenda.clinician_id, now.key, carry=True, previous=now.previous_key)
    return _own_agenda(session, client_id, made)


def _new_line_id(agenda: Agenda) -> str:
    taken = {line.id for line in agenda.lines}
    while (line_id := secrets.token_hex(4)) in taken:
        pass
    return line_id


def _add(session: Session, client_id: uuid.UUID, agenda: Agenda, line: Line, at: int = LINES_MAX) -> Agenda:
    """`line` added at `at` (the end, if the agenda is shorter)."""
    if len(agenda.lines) >= LINES_MAX:
        raise InvalidInput(_TOO_MANY)
    return _write(session, client_id, agenda, lines=(*agenda.lines[:at], line, *agenda.lines[at:]))


def add_text(session: Session, *, client_id: uuid.UUID, agenda_id: object, text: object) -> Agenda:
    agenda = _own_agenda(session, client_id, agenda_id)
    clean = clean_line(text, label=N_("The line"), max_length=LINE_MAX, required=True)
    agenda = _still_current(session, client_id, agenda)
    added = _add(session, client_id, agenda, Line(id=_new_line_id(agenda), text=clean))
    drafts.discard(session, owner_id=client_id, item_id=agenda.id)  # the words typed are a line now
    return added


def keep_typed_line(session: Session, *, client_id: uuid.UUID, agenda_id: object, text: object) -> None:
    """A line half typed in "Add a line", kept as it is typed (and as the tab closes) so a
    reload or a closed tab loses none of it: the agenda's draft, sealed like every draft, until
    the line is added (`add_text`) or the field emptied. Only the client's own agenda."""
    parsed, _kind = items.owned(
        session, owner_id=client_id, item_id=agenda_id, action=AuditAction.WRITE_ITEM, kind=KIND
    )
    if isinstance(text, str) and not text.strip():
        drafts.discard(session, owner_id=client_id, item_id=parsed)
    else:
        values = {"lines": text, "remember": ""}
        drafts.save(session, owner_id=client_id, kind=KIND, item_id=parsed, values=values)


def typed_line(session: Session, client_id: uuid.UUID, agenda_id: uuid.UUID) -> str:
    """The line half typed in the agenda's "Add a line" field, if any (`keep_typed_line`)."""
    draft = drafts.get(session, owner_id=client_id, item_id=agenda_id)
    return draft.fields.get("lines", "") if draft is not None and draft.kind == KIND.name else ""


def pin(
    session: Session, *, client_id: uuid.UUID, agenda_id: object, kind: object, item_id: object
) -> Agenda:
    """Pin one of the client's own entries or homework responses ("chart": the window's
    check-in chart). Pinning shares nothing."""
    agenda = _still_current(session, client_id, _own_agenda(session, client_id, agenda_id))
    line = _pin_line(session, client_id, agenda, kind, item_id, line_id=_new_line_id(agenda))
    return _add(session, client_id, agenda, line)


def _pin_line(
    session: Session, client_id: uuid.UUID, agenda: Agenda, kind: object, item_id: object, *, line_id: str
) -> Line:
    """A pin of `kind`'s `item_id`, checked against the agenda: the chart once; an item only
    while it is the client's own (else refused and audited), once."""
    if kind == CHART:
        if any(line.pin == CHART for line in agenda.lines):
            raise InvalidInput(N_("The chart is on your agenda already."))
        return Line(id=line_id, pin=CHART)
    if not isinstance(kind, str) or kind not in PINNABLE:
        raise InvalidInput(_BROKEN)
    parsed, _kind = items.owned(
        session, owner_id=client_id, item_id=item_id, action=AuditAction.WRITE_ITEM, kind=PINNABLE[kind]
    )
    if any(line.item_id == str(parsed) for line in agenda.lines):
        raise InvalidInput(N_("That is on your agenda already."))
    return Line(id=line_id, pin=kind, item_id=str(parsed))


@dataclass(frozen=True)
class Removed:
    """A line just removed and where it stood: what "Undo" puts back."""

    line: Line
    at: int


def pin_for_next_session(
    session: Session, *, client_id: uuid.UUID, clinician_id: object, kind: object, item_id: object
) -> Agenda:
    """Pin one of the client's entries or homework responses, of any time, to their agenda
    for the next session with this clinician (from the item's own page: the Prepare page
    offers only the window's). Pinning shares nothing."""
    _window, agenda_id = _agenda_now(session, client_id, clinician_id)
    return pin(session, client_id=client_id, agenda_id=agenda_id, kind=kind, item_id=item_id)


def pinned_with(
    session: Session, *, client_id: uuid.UUID, item_id: uuid.UUID, clinician_ids: Sequence[uuid.UUID]
) -> list[uuid.UUID]:
    """Of these linked clinicians, those whose agenda for the next session has the client's
    item pinned (as it is, or as it will start with what carries over). Reads only: asking
    makes no agenda."""
    if not clinician_ids:
        return []
    # Only with a clinician the client has an agenda with (what a new window's agenda starts
    # with comes from an earlier one): for most entries' pages, this one statement.
    with_agendas = set(
        session.exec(
            select(SessionAgenda.clinician_id)
            .join(ClientItem, col(ClientItem.id) == SessionAgenda.item_id)
            .where(
                col(SessionAgenda.client_id) == client_id,
                col(SessionAgenda.clinician_id).in_(clinician_ids),
                col(ClientItem.deleted_at).is_(None),
            )
            .distinct()
        ).all()
    )
    pinned = []
    for clinician in (c for c in clinician_ids if c in with_agendas):
        where = appointments.window(session, client_id=client_id, clinician_id=clinician)
        found = _find(session, client_id, clinician, where.key)
        if found is not None:
            lines = lines_from(
                items.open_own(session, owner_id=client_id, kind=KIND, item_id=found).fields["lines"]
            )
        else:
            _earlier, lines = _carried(session, client_id, clinician, where.previous_key)
        if any(line.item_id == str(item_id) for line in lines):
            pinned.append(clinician)
    return pinned


def remove_line(session: Session, *, client_id: uuid.UUID, agenda_id: object, line_id: object) -> Removed:
    agenda = _own_agenda(session, client_id, agenda_id)
    at = next((i for i, line in enumerate(agenda.lines) if line.id == line_id), None)
    if at is None:
        raise InvalidInput(N_("That item isn't on your agenda any more. Reload the page to see it as it is."))
    _write(session, client_id, agenda, lines=agenda.lines[:at] + agenda.lines[at + 1 :])
    return Removed(agenda.lines[at], at)


def put_back(session: Session, *, client_id: uuid.UUID, agenda_id: object, removed: Removed) -> Agenda:
    """Undo a removal: the line as it was, at its place (the end, if the agenda is shorter
    now). A pin comes back only while its item is still the client's; a second tap changes
    nothing."""
    agenda = _own_agenda(session, client_id, agenda_id)
    line = removed.line
    if any(kept.id == line.id for kept in agenda.lines):
        return agenda
    if line.pin:  # checked as a new pin is
        line = _pin_line(session, client_id, agenda, line.pin, line.item_id, line_id=line.id)
    return _add(session, client_id, agenda, replace(line, discussed=False), at=removed.at)


def reorder(session: Session, *, client_id: uuid.UUID, agenda_id: object, line_ids: object) -> Agenda:
    """The agenda's lines in a new order: exactly its line ids, each once."""
    agenda = _own_agenda(session, client_id, agenda_id)
    by_id = {line.id: line for line in agenda.lines}
    if (
        not isinstance(line_ids, list)
        or len(line_ids) != len(by_id)
        or not all(isinstance(line_id, str) for line_id in line_ids)
        or set(line_ids) != set(by_id)
    ):
        raise InvalidInput(N_("Your agenda changed meanwhile. Reload the page and try again."))
    return _write(session, client_id, agenda, lines=tuple(by_id[line_id] for line_id in line_ids))


def move(session: Session, *, client_id: uuid.UUID, agenda_id: object, line_id: object, by: object) -> Agenda:
    """Move one line up (-1) or down (+1): the buttons' way to reorder."""
    agenda = _own_agenda(session, client_id, agenda_id)
    ids = [line.id for line in agenda.lines]
    if by not in (-1, 1) or isinstance(by, bool) or line_id not in ids:
        raise InvalidInput(N_("Your agenda changed meanwhile. Reload the page and try again."))
    at = ids.index(line_id)  # type: ignore[arg-type]
    to = min(max(at + by, 0), len(ids) - 1)  # type: ignore[operator]
    ids.insert(to, ids.pop(at))
    return reorder(session, client_id=client_id, agenda_id=agenda.id, line_ids=ids)


def remember(session: Session, *, client_id: uuid.UUID, agenda_id: object, text: object) -> Agenda:
    """The client's own note after a session, kept with that session's agenda."""
    agenda = _own_agenda(session, client_id, agenda_id)
    return _write(session, client_id, agenda, remember=clean_remember(text))


def last_time_for_note(session: Session, *, client_id: uuid.UUID, clinician_id: object) -> uuid.UUID | None:
    """The agenda of the session held last (made if the client brought none), for the
    note after it (which the caller writes); None before any session was held."""
    clinician = _linked(session, client_id, clinician_id, AuditAction.WRITE_ITEM)
    where = appointments.window(session, client_id=client_id, clinician_id=clinician)
    if where.previous_key is None:
        return None
    return _ensure(session, client_id, clinician, where.previous_key, carry=False)


def remember_last_time(session: Session, *, client_id: uuid.UUID, clinician_id: object, text: object) -> str:
    """The client's note after the session held last with this clinician (as typed, or as
    the tab closed); returns the note as kept."""
    last = last_time_for_note(session, client_id=client_id, clinician_id=clinician_id)
    if last is None:
        raise InvalidInput(N_("You can write this once a session has been held."))
    return remember(session, client_id=client_id, agenda_id=last, text=text).remember


# --- the clinician's side ------------------------------------------------------------------


# The client's agenda for a window with this clinician (`viewer`), if shared with them now.
_VISIBLE_AGENDA = (
    sharing.visible_statement((ClientItem.id,))
    .join(SessionAgenda, col(SessionAgenda.item_id) == ClientItem.id)
    .where(
        col(SessionAgenda.client_id) == bindparam("client"),
        col(SessionAgenda.clinician_id) == ItemShare.clinician_id,
        col(SessionAgenda.window) == bindparam("window"),
    )
)


def shared_agenda(
    session: Session, *, clinician_id: uuid.UUID, client_id: uuid.UUID, window: str
) -> tuple[uuid.UUID, tuple[Line, ...], dict[str, SharedItem]] | None:
    """The client's agenda for this window if they share it with this clinician (audited,
    marked seen), with only the lines the clinician may see: text, the chart, and pins of
    items shared with them now, and those items, opened (audited, marked seen). None when
    there is none or it isn't shared."""
    found = run_prebuilt(
        session, _VISIBLE_AGENDA, viewer=clinician_id, client=client_id, window=window
    ).scalar_one_or_none()
    if found is None:
        return None
    shown = sharing.open_visible(session, clinician_id=clinician_id, item_ids=[found], kind=KIND)
    if not shown:  # shared since the page opened, never seen: held back (`sharing.unseen_held_back`)
        return None
    lines = lines_from(shown[0].fields["lines"], _discussed(session, [found])[found])
    pinned: dict[str, SharedItem] = {}
    for kind in PINNABLE.values():
        ids = [uuid.UUID(line.item_id) for line in lines if line.pin == kind.name]
        if ids:
            for item in sharing.open_visible(session, clinician_id=clinician_id, item_ids=ids, kind=kind):
                pinned[str(item.id)] = item
    return found, tuple(line for line in lines if not line.item_id or line.item_id in pinned), pinned


def _visible_lines(session: Session, clinician_id: uuid.UUID, lines: tuple[Line, ...]) -> tuple[Line, ...]:
    pinned = [line.item_id for line in lines if line.item_id]
    visible = (
        {str(item) for item in sharing.visible_item_ids(session, clinician_id=clinician_id, among=pinned)}
        if pinned
        else set()
    )
    return tuple(line for line in lines if not line.item_id or line.item_id in visible)


def set_discussed(
    session: Session, *, clinician_id: uuid.UUID, agenda_id: object, line_id: object, discussed: bool
) -> uuid.UUID:
    """Tick (or untick) a line of an agenda shared with this clinician; only a line they can
    see. Audited. Returns the client, whose open page shows the tick."""
    parsed = items.parse_or_deny(clinician_id, agenda_id, AuditAction.DISCUSS)
    # Takes turns with the end of the link: a tick is checked and written before it, or
    # checked after it and refused, never checked before and written after.
    take_turns(
        session,
        CareLink,
        col(CareLink.clinician_id) == clinician_id,
        col(CareLink.client_id)
        == select(SessionAgenda.client_id).where(col(SessionAgenda.item_id) == parsed).scalar_subquery(),
        col(CareLink.ended_at).is_(None),
    )
    rows = sharing.visible_item_ids(session, clinician_id=clinician_id, among=[parsed])
    row = session.get(SessionAgenda, parsed)
    if not rows or row is None or row.clinician_id != clinician_id or row.client_id is None:
        raise Denied(actor_id=clinician_id, action=AuditAction.DISCUSS, item_id=parsed)
    opened = sharing.open_shared(session, clinician_id=clinician_id, item_id=parsed, kind=KIND)
    lines = _visible_lines(session, clinician_id, lines_from(opened.fields["lines"]))
    if not isinstance(line_id, str) or line_id not in {line.id for line in lines}:
        raise Denied(actor_id=clinician_id, action=AuditAction.DISCUSS, item_id=parsed)
    session.exec(
        delete(AgendaDiscussed).where(
            col(AgendaDiscussed.agenda_id) == parsed, col(AgendaDiscussed.line_id) == line_id
        )
    )
    if discussed:
        session.add(
            AgendaDiscussed(
                agenda_id=parsed, line_id=line_id, clinician_id=clinician_id, discussed_at=utcnow()
            )
        )
    audit.record(
        session,
        actor_id=clinician_id,
        action=AuditAction.DISCUSS,
        outcome=AuditOutcome.ALLOWED,
        subject_id=row.client_id,
        item_id=parsed,
    )
    return row.client_id


# For the caseload, per linked client (a care link row of the statement it is used in):
# whether the agenda of the pair's window now is shared under that link. A seek into the
# pair's agendas by window, whatever their history; a deleted agenda's shares were revoked
# with it (items.delete_item): a live share is of a live item.
SHARED_FOR_WINDOW_OF_LINK = exists(
    select(SessionAgenda.item_id)
    .join(ItemShare, col(ItemShare.item_id) == SessionAgenda.item_id)
    .where(
        col(SessionAgenda.client_id) == CareLink.client_id,
        col(SessionAgenda.clinician_id) == CareLink.clinician_id,
        col(SessionAgenda.window) == appointments.WINDOW_OF_LINK,
        col(ItemShare.clinician_id) == CareLink.clinician_id,
        col(ItemShare.link_id) == CareLink.id,
        col(ItemShare.revoked_at).is_(None),
    )
    .correlate(CareLink)
)


# --- the client's review of the window ---------------------------------------------------------

TIMELINE_MAX = 50  # the newest of each kind since the last session


@dataclass(frozen=True)
class Review:
    """Everything the client's Prepare page shows for one clinician's sessions: their own
    items of the window (private ones too: this is the owner's view), their homework,
    and the agenda with what its pins are and whether the clinician can see each."""

    preparation: Preparation
    since: datetime
    entries: list[OwnItem]
    check_ins: list[OwnItem]
    responses: list[OwnItem]
    to_do: list[homework.Task]
    pinned: dict[str, OwnItem]  # live pinned items of the agenda and of last time's
    visible: set[str]  # pinned items the agenda's clinician can see now


def review(session: Session, *, client_id: uuid.UUID, clinician_id: object) -> Review:
    from betterjournal.core import checkins

    ready = prepare(session, client_id=client_id, clinician_id=clinician_id)
    since = ready.window.since(utcnow())
    every = {
        kind.name: items.every_own(session, owner_id=client_id, kind=kind, since=since)[:TIMELINE_MAX]
        for kind in (journal.KIND, homework.KIND)
    }
    # Written since (a check-in is never for a later time than it was written), and felt
    # since: one made now "for" a day years ago is not of this window.
    check_ins = [
        item
        for item in items.every_own(session, owner_id=client_id, kind=checkins.KIND, since=since)
        if (found := checkins.reading(item.id, item.fields)) is None or found.felt_at >= since
    ]
    # Who sees each (the client's own view says so, item by item), in one query.
    found = [*every[journal.KIND.name], *check_ins, *every[homework.KIND.name]]
    names = sharing.shared_with(session, owner_id=client_id, item_ids=[item.id for item in found])

    def named(own: list[OwnItem]) -> list[OwnItem]:
        return [replace(item, shared_with=tuple(names.get(item.id, ()))) for item in own]

    lines = [*ready.agenda.lines, *(ready.last_time.lines if ready.last_time else ())]
    pinned_ids = list(dict.fromkeys(uuid.UUID(line.item_id) for line in lines if line.item_id))
    pinned: dict[str, OwnItem] = {}
    if pinned_ids:
        live = session.exec(
            select(ClientItem.id, ClientItem.kind).where(
                col(ClientItem.id).in_(pinned_ids),
                col(ClientItem.owner_id) == client_id,
                col(ClientItem.deleted_at).is_(None),
            )
        ).all()
        for kind in PINNABLE.values():  # one query per kind, not per pin
            ids: list[object] = [item_id for item_id, kind_name in live if kind_name == kind.name]
            for item in items.open_own_many(session, owner_id=client_id, kind=kind, item_ids=ids):
                pinned[str(item.id)] = item
    shares = sharing.shares_of(session, owner_id=client_id, item_ids=[uuid.UUID(i) for i in pinned])
    visible = {
        str(item_id)
        for item_id, item_shares in shares.items()
        if any(s.clinician_id == ready.agenda.clinician_id and s.shared_at for s in item_shares)
    }
    return Review(
        preparation=ready,
        since=since,
        entries=named(every[journal.KIND.name]),
        check_ins=named(check_ins),
        responses=named(every[homework.KIND.name]),
        to_do=homework.to_do(session, client_id=client_id),
        pinned=pinned,
        visible=visible,
    )


def chosen_entries(session: Session, *, client_id: uuid.UUID, entry_ids: Sequence[object]) -> list[OwnItem]:
    """The client's own entries among these ids, for their summary (anyone else's: refused)."""
    return items.open_own_many(session, owner_id=client_id, kind=journal.KIND, item_ids=list(entry_ids))


def record_export(session: Session, *, client_id: uuid.UUID, item_ids: Sequence[uuid.UUID]) -> None:
    """The client made a file of these items of theirs (AUD-1: an export is audited)."""
    audit.record_many(
        session,
        actor_id=client_id,
        action=AuditAction.EXPORT,
        subject_id=client_id,
        item_ids=list(item_ids) or [None],
    )

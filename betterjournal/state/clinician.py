"""The clinician's side: linked clients, invitations, and what each client chose to share.

Only shared items' own fields ever enter these vars (AUTHZ-8). What they hold of a
client is dropped when the tab leaves the page, re-checked before a hydrate re-sends it,
and re-checked at once when the client revokes, unlinks or deletes (state/live.py).
"""

from __future__ import annotations

import dataclasses
import uuid
from dataclasses import dataclass
from datetime import date, datetime

import reflex as rx
from sqlmodel import Session

from betterjournal import charts, routes
from betterjournal.core import caseload, checkins, homework, links, sharing
from betterjournal.core.errors import CoreError
from betterjournal.core.journal import KIND
from betterjournal.core.validation import parse_id
from betterjournal.db import in_session
from betterjournal.i18n import Reader
from betterjournal.models import Cursor, Role, utcnow
from betterjournal.settings import get_settings
from betterjournal.state import live
from betterjournal.state.base import AppState, guarded
from betterjournal.views import (
    NO_SHARED_VIEW,
    ClientLine,
    SharedView,
    WaitingLine,
    case_line,
    client_lines,
    ended_lines,
    shared_card,
    shared_view,
    waiting_lines,
)


@dataclass(frozen=True)
class PendingLine:
    """One open invitation code, as the Clients page lists it (the code itself isn't kept)."""

    id: str
    made: str  # "Made Today, 4:20 p.m."
    expires: str  # "Expires Dec 8, 2026, 4:20 p.m."
    registered: bool  # a new client registered with it and has yet to accept
    ending: str  # "Code ending in 7KQ2", to tell it from the others ("" if not kept)
    cancel_label: str  # its Cancel button's name: "Cancel code ending in 7KQ2"


def pending_lines(pending: list[links.PendingInvitation], reader: Reader) -> list[PendingLine]:
    return [
        PendingLine(
            id=str(p.id),
            made=reader.t("Made: {moment}", moment=reader.recent(p.created_at, within=True)),
            expires=reader.t("Expires {moment}", moment=p.expires_at),
            registered=p.registered,
            ending=reader.t("Code ending in {end}", end=p.code_end) if p.code_end else "",
            cancel_label=(
                reader.t("Cancel code ending in {end}", end=p.code_end)
                if p.code_end
                else reader.t("Cancel code")
            ),
        )
        for p in pending
    ]


def _clients_with_check_ins(
    session: Session, *, clinician_id: uuid.UUID, since: datetime | None, today: date
):
    """The clinician's clients, each with what needs the clinician (counted before this
    page draws anything) and the check-ins they shared in the last two weeks (drawn as a
    sparkline: each is audited and marked seen), and what was returned to review."""
    clients = links.linked_clients(session, clinician_id=clinician_id)
    cases = caseload.caseload(session, clinician_id=clinician_id, today=today)
    waiting = homework.to_review(session, clinician_id=clinician_id)
    found = sharing.every_shared(
        session, clinician_id=clinician_id, client_id=None, kind=checkins.KIND, since=since
    )
    shared: dict[str, list] = {person.id: [] for person in clients}
    for item in found:
        shared.setdefault(str(item.owner_id), []).append(item)
    pending = links.pending_invitations(session, clinician_id=clinician_id)
    ended = links.ended_lately(session, user_id=clinician_id, role=Role.CLINICIAN)
    return clients, cases, shared, waiting, pending, ended


def _clients_and_visible(session: Session, *, clinician_id: uuid.UUID, among: list[str], today: date):
    """The clients linked now, what needs the clinician, and which of these check-ins the
    clinician may still see: nothing is read, audited or marked seen."""
    clients = links.linked_clients(session, clinician_id=clinician_id)
    visible = sharing.visible_item_ids(session, clinician_id=clinician_id, among=among) if among else []
    return (
        clients,
        caseload.caseload(session, clinician_id=clinician_id, today=today),
        {str(item_id) for item_id in visible},
        homework.to_review(session, clinician_id=clinician_id),
        links.pending_invitations(session, clinician_id=clinician_id),
        links.ended_lately(session, user_id=clinician_id, role=Role.CLINICIAN),
    )


def _end_link(session: Session, *, clinician_id: uuid.UUID, client_id: uuid.UUID) -> str:
    """The clinician ends the link with a client; the client's name, for the notice."""
    name = links.linked_client_name(session, clinician_id=clinician_id, client_id=client_id) or ""
    links.end_link(session, client_id=client_id, clinician_id=clinician_id, by_clinician=True)
    return name


def _new_invitation(session: Session, *, clinician_id: uuid.UUID) -> tuple[str, str]:
    """A new code, and its invitation's id (to mark it in the list of codes not used yet)."""
    code = links.create_invitation(session, clinician_id=clinician_id)
    return code, str(links.find_invitation(session, code).id)


class ClientsState(AppState):
    clients: list[ClientLine] = []
    waiting: list[WaitingLine] = []  # returned homework not reviewed yet
    new_code: str = ""
    new_code_id: str = ""  # its invitation, in the list of codes not used yet
    # What "Share code" hands the phone's share sheet: the code with what it is and where it
    # goes (a message app drops the sheet's title: a walk-through's client got the bare code).
    new_code_message: str = ""
    code_copied: bool = False  # said next to the Copy button, where the finger is
    pending: list[PendingLine] = []  # invitation codes not used yet
    ended: list[str] = []  # connections ended lately: "Robin ended your connection on …"
    clients_loaded: bool = False
    # What changed on a client's card by itself (a share, a return), said to a screen reader
    # (a walk-through: the card changed and nothing was heard).
    news: str = ""
    _held_path: str = ""
    # Per client, the shared check-ins the sparkline draws: a revoke removes one at once.
    _drawn: dict[str, list[checkins.Reading]] = {}
    # Per client, what their card counts (new shares, to review, overdue, agenda shared).
    _counts: dict[str, tuple[int, int, int, bool]] = {}

    @guarded(Role.CLINICIAN)
    async def load_clients(self) -> None:
        viewer = self._viewer()
        self._drop_new_code()
        self.news = ""
        now = utcnow()
        clients, cases, shared, waiting, pending, ended = await in_session(
            _clients_with_check_ins,
            clinician_id=viewer.user_id,
            since=charts.made_since("2w", now),
            today=self._reader().today(),
        )
        self.ended = ended_lines(ended, self._reader())
        self.waiting = waiting_lines(waiting, self._reader())
        self.pending = pending_lines(pending, self._reader())
        self._drawn = {
            client_id: [r for i in found if (r := checkins.reading(i.id, i.fields)) is not None]
            for client_id, found in shared.items()
        }
        self._show(clients, cases, now)
        self.clients_loaded, self._held_path = True, routes.CLIENTS
        self._keep_current()
        if any(shared.values()):
            live.recheck_people([client_id for client_id, found in shared.items() if found])

    def _show(self, clients: list, cases: list[caseload.CaseLine], now: datetime) -> None:
        reader = self._reader()
        sparks = {client_id: charts.sparkline(drawn, reader, now) for client_id, drawn in self._drawn.items()}
        attention = {line.client_id: case_line(line, reader).attention for line in cases}
        self.clients = client_lines(clients, sparks, attention, reader)
        self._counts = {
            line.client_id: (line.new_shared, line.to_review, line.overdue, line.agenda_shared)
            for line in cases
        }

    @guarded(Role.CLINICIAN)
    async def create_invitation(self) -> None:
        viewer = self._viewer()
        self.new_code, self.new_code_id = await in_session(_new_invitation, clinician_id=viewer.user_id)
        self.new_code_message = self._t(
            "Your Betterjournal invitation code: {code}. Create your account with it at {address}",
            code=self.new_code,
            address=get_settings().public_url + routes.REGISTER,
        )
        self.code_copied = False
        await self._list_pending(viewer.user_id)
        self.notice = self._t("Invitation code created. It works once and expires in 7 days.")

    @guarded(Role.CLINICIAN)
    async def cancel_invitation(self, invitation_id: str) -> None:
        """Cancel one of the clinician's codes not used yet (refused if used meanwhile)."""
        viewer = self._viewer()
        try:
            await in_session(
                links.cancel_invitation, clinician_id=viewer.user_id, invitation_id=invitation_id
            )
        finally:
            await self._list_pending(viewer.user_id)  # what is open now, whoever won
        if invitation_id == self.new_code_id:  # the code on screen: nobody should be given it
            self._drop_new_code()
        self.notice = self._t("Invitation code cancelled. It can no longer be used.")

    @guarded(Role.CLINICIAN)
    async def end_link(self, client_id: str):
        """End the connection with one of the clinician's clients (the work together ended):
        everything the client shared with them is private again, and the client's open pages
        say so at once."""
        viewer = self._viewer()
        client = parse_id(client_id)
        name = await in_session(_end_link, clinician_id=viewer.user_id, client_id=client)
        live.recheck_people([client, viewer.user_id], but=self.router.session.client_token)
        self._flash(
            self._t(
                "You're no longer connected with {name}. Nothing they shared is visible to you now.",
                name=name,
            )
        )
        return rx.redirect(routes.CLIENTS)

    @guarded(Role.CLINICIAN)
    async def copy_code(self) -> None:
        """The Copy button's confirmation (the code itself is copied by the browser)."""
        self._viewer()
        self.code_copied = self.new_code != ""

    async def _list_pending(self, clinician_id: uuid.UUID) -> None:
        pending = await in_session(links.pending_invitations, clinician_id=clinician_id)
        self.pending = pending_lines(pending, self._reader())

    def _drop_new_code(self) -> None:
        self.new_code, self.new_code_id, self.new_code_message, self.code_copied = "", "", "", False

    def _leave(self) -> None:
        self.clients, self.clients_loaded, self._held_path = [], False, ""
        self._drop_new_code()
        self.waiting, self.pending, self.ended = [], [], []
        self._drawn, self._counts, self.news = {}, {}, ""

    async def _recheck_access(self, viewer_id: str) -> None:
        """The clients linked now (one who ended the link goes, one who accepted appears), and
        their sparklines without what was revoked or deleted since. Nothing new is read here,
        so nothing is audited or marked seen for a tab nobody may be looking at: new shares
        show when the page is opened again."""
        held = [reading.id for drawn in self._drawn.values() for reading in drawn]
        clients, cases, visible, waiting, pending, ended = await in_session(
            _clients_and_visible, clinician_id=_uuid(viewer_id), among=held, today=self._reader().today()
        )
        self.ended = ended_lines(ended, self._reader())
        self.waiting = waiting_lines(waiting, self._reader())
        self.pending = pending_lines(pending, self._reader())
        if self.new_code_id and all(line.id != self.new_code_id for line in self.pending):
            # The code on screen was used (or cancelled in another tab): nobody should be given it.
            self._drop_new_code()
        linked, shown = {person.id for person in clients}, {line.id for line in self.clients}
        gone = [line.name for line in self.clients if line.id not in linked]
        joined = [person.name for person in clients if person.id not in shown]
        if gone:  # the client ended the link (or this clinician did, in another tab)
            self.notice = self._t("{name} is no longer connected with you.", name=gone[0])
            self.feedback_on = routes.CLIENTS
        elif joined and self.clients_loaded:
            # Said, in place of "Invitation code created" (a walk-through's stayed on, the
            # code gone from the list and the new client in it, with nothing said).
            self.notice = self._t("{name} accepted your invitation. You're now connected.", name=joined[0])
            self.feedback_on = routes.CLIENTS
        self._drawn = {
            client_id: [reading for reading in drawn if reading.id in visible]
            for client_id, drawn in self._drawn.items()
            if client_id in linked
        }
        before = self._counts
        self._show(clients, cases, utcnow())
        self._say_news(before)

    def _say_news(self, before: dict[str, tuple[int, int, int, bool]]) -> None:
        """What grew on the card of a client already listed (a share, a return), said with
        what the card says now; nothing when nothing grew (a revoke, a review)."""
        self.news = ""
        for line in self.clients:
            was, now = before.get(line.id), self._counts.get(line.id)
            if was is not None and now is not None and any(a > b for a, b in zip(now, was, strict=True)):
                reader = self._reader()
                self.news = reader.t("{name}: {news}", name=line.name, news=reader.items(line.attention))
                return


def _uuid(value: str) -> uuid.UUID:
    return uuid.UUID(value)


def _access_now(session: Session, *, clinician_id: uuid.UUID, client_id: str, among: list[str]):
    """Which of these items the clinician may see now, and whether the client (if any) is
    still linked: no audit, nothing shown."""
    visible = {str(i) for i in sharing.visible_item_ids(session, clinician_id=clinician_id, among=among)}
    linked = not client_id or sharing.is_linked(
        session, client_id=uuid.UUID(client_id), clinician_id=clinician_id
    )
    return visible, linked


def _list_page(session: Session, *, clinician_id, client_id: object, older: Cursor | None):
    page = sharing.list_shared(
        session, clinician_id=clinician_id, client_id=client_id, kind=KIND, older=older
    )
    name = next(
        (p.name for p in links.linked_clients(session, clinician_id=clinician_id) if p.id == str(client_id)),
        "",
    )
    return page, name


def _open_with_owner(session: Session, *, clinician_id: uuid.UUID, item_id: object):
    """A shared entry (audited, marked seen) and its owner's name: whose it is."""
    item = sharing.open_shared(session, clinician_id=clinician_id, item_id=item_id, kind=KIND)
    name = links.linked_client_name(session, clinician_id=clinician_id, client_id=item.owner_id)
    return item, name or ""


class SharedWithMeState(AppState):
    """One client's shared entries, and one shared entry being read."""

    client_id: str = ""
    client_name: str = ""
    entries: list[SharedView] = []
    page: int = 0
    has_more: bool = False
    list_available: bool = False
    reading: SharedView = NO_SHARED_VIEW
    reading_available: bool = False
    loaded: bool = False
    # Where each page shown so far starts (keyset paging); the last is this page's.
    _page_starts: tuple[Cursor | None, ...] = (None,)
    _next_page: Cursor | None = None
    _held_path: str = ""  # the page whose data these vars hold
    # Entries that were new (not seen before) when this tab listed them: still marked "New"
    # when the list is read again while it is open (reading it marked them seen).
    _new_ids: tuple[str, ...] = ()

    @guarded(Role.CLINICIAN)
    async def load_client_entries(self) -> None:
        viewer = self._viewer()
        self.loaded = False
        self._page_starts, self._new_ids = (None,), ()
        try:
            await self._list(viewer.user_id, self.router.url.query_parameters.get("client", ""), (None,))
        finally:
            self.loaded = True

    @guarded(Role.CLINICIAN)
    async def older_entries(self) -> None:
        viewer = self._viewer()
        if self._next_page is not None:
            try:
                await self._list(viewer.user_id, self.client_id, (*self._page_starts, self._next_page))
            finally:  # refused (the link ended a moment ago): the page says so, no spinner
                self.loaded = True

    @guarded(Role.CLINICIAN)
    async def newer_entries(self) -> None:
        viewer = self._viewer()
        try:
            await self._list(viewer.user_id, self.client_id, self._page_starts[:-1] or (None,))
        finally:
            self.loaded = True

    async def _list(
        self, clinician_id: uuid.UUID, client_id: object, starts: tuple[Cursor | None, ...]
    ) -> None:
        # Forget what was on screen first: if the link ended, nothing of the list stays.
        new_ids = self._new_ids if str(client_id) == self.client_id else ()
        self._leave()
        page, name = await in_session(
            _list_page, clinician_id=clinician_id, client_id=client_id, older=starts[-1]
        )
        reader = self._reader()
        self._new_ids = (*new_ids, *(str(item.id) for item in page.items if item.new))
        self.entries = [
            dataclasses.replace(card, new=card.id in self._new_ids)
            for card in (shared_card(item, reader) for item in page.items)
        ]
        self._next_page = page.older
        self._page_starts, self.page = starts, len(starts) - 1
        self.has_more = self._next_page is not None
        self.client_id, self.client_name = str(client_id), name
        self.list_available, self._held_path = True, routes.CLIENT_ENTRIES
        self._keep_current()
        # What is listed was seen: the client's open pages say so at once.
        if page.items:
            live.recheck_people([str(client_id)])

    @guarded(Role.CLINICIAN)
    async def load_shared_entry(self) -> None:
        viewer = self._viewer()
        entry_id = self.router.url.query_parameters.get("id", "")
        # New when this visit's list showed it as new: once (the page reloaded has been read).
        was_new = entry_id in self._new_ids
        self._new_ids = tuple(listed for listed in self._new_ids if listed != entry_id)
        await self._read(viewer.user_id, entry_id, was_new=was_new)

    async def _read(self, clinician_id: uuid.UUID, entry_id: object, *, was_new: bool) -> None:
        """Open one shared entry; `was_new`: marked "New" even though this read marks it seen."""
        # Forget what was on screen first: if the share was revoked, nothing of it stays.
        self._leave()
        try:
            item, name = await in_session(_open_with_owner, clinician_id=clinician_id, item_id=entry_id)
            view = shared_view(item, self._reader())
            self.reading = dataclasses.replace(view, owner_name=name, new=view.new or was_new)
            self.reading_available = True
            self._held_path = routes.SHARED_ENTRY
            self._keep_current()
            live.recheck_people([item.owner_id])  # "Seen on …" appears on the client's page
        finally:
            self.loaded = True

    def _leave(self) -> None:
        """Drop everything of the client's: the tab left the page, or access ended."""
        self.client_id = self.client_name = ""
        self.entries, self.has_more, self.list_available, self._next_page = [], False, False, None
        self.reading, self.reading_available, self.loaded = NO_SHARED_VIEW, False, False
        self._held_path = ""

    async def _recheck_access(self, viewer_id: str) -> None:
        """Show what the clinician may see now: a revoked, deleted or unlinked entry goes; an
        entry on screen is read again (an edit shows); a first page of the list is read again
        (a new share appears). Access is checked before anything is re-read, so a push after
        a revoke records no attempt the clinician never made."""
        clinician = _uuid(viewer_id)
        held = [e.id for e in self.entries] + ([self.reading.id] if self.reading.id else [])
        client, page = self.client_id or self.reading.owner_id, self._held_path
        visible, linked = await in_session(_access_now, clinician_id=clinician, client_id=client, among=held)
        try:
            if not linked or (self._held_path == routes.SHARED_ENTRY and self.reading.id not in visible):
                self._leave()
                self._drop_notice(routes.SHARED_ENTRY)  # "…changed this entry" is about nothing now
                if not linked and page:
                    # Why it went, rather than "may have been made private" (a walk-through);
                    # nothing of the client stays in the tab, their name neither.
                    self.notice = self._t(
                        "This client's link with you has ended. Nothing they shared is visible to you now."
                    )
                    self.feedback_on = page
            elif self._held_path == routes.SHARED_ENTRY:
                shown = (self.reading.title, self.reading.body)
                await self._read(clinician, self.reading.id, was_new=self.reading.new)  # still this visit
                if shown != (self.reading.title, self.reading.body):
                    # Words that change under the reader's eyes are named, not swapped silently.
                    self.notice = self._t(
                        "{name} changed this entry. You're reading it as it is now.",
                        name=self.reading.owner_name,
                    )
                    self.feedback_on = routes.SHARED_ENTRY
            elif self._held_path == routes.CLIENT_ENTRIES and self.page == 0:
                await self._list(clinician, self.client_id, (None,))
            else:
                self.entries = [e for e in self.entries if e.id in visible]
        except CoreError:  # access ended between the check and the read: nothing stays
            self._leave()
        self.loaded = True


class SharedWaitingState(AppState):
    """What a page redrawn in the clinician's tab by a push left out (newly shared, never
    seen: live.recheck_unattended), shown when they choose to see it."""

    @guarded(Role.CLINICIAN)
    async def show_shared_waiting(self) -> None:
        """The page read again, all of it: what it shows now is audited and marked seen."""
        viewer = str(self._viewer().user_id)
        self.shared_waiting_on = ""
        for holder in live.holders():
            held = await self.get_state(holder)
            if held._held_path:  # type: ignore[attr-defined]
                await held._recheck_access(viewer)  # type: ignore[attr-defined]

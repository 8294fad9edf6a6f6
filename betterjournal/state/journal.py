"""The client's journal: the list (with drafts, a search and a filter) and one entry."""

from __future__ import annotations

import time
import uuid

from sqlmodel import Session

from betterjournal import routes
from betterjournal.core import drafts, homework, items, journal
from betterjournal.core.drafts import DRAFTS_LISTED
from betterjournal.core.errors import EditedElsewhere
from betterjournal.core.journal import KIND
from betterjournal.db import in_session
from betterjournal.models import AuditAction, Cursor, OwnItem, Role, Share, Version, Viewer
from betterjournal.state import live
from betterjournal.state.base import AppState, guarded
from betterjournal.state.items import ItemSharingState, shares_and_pins
from betterjournal.views import (
    ItemCard,
    draft_card,
    own_card,
    share_lines,
    untitled_entry_heading,
    written_line,
)


def _journal_page(
    session: Session, *, owner_id, older: Cursor | None, query: str, show: str, drafts_shown: int
):
    """One page of entries (those found, when searching or filtering), and on the first page
    of the whole journal its newest drafts (one more than shown: are there more?): one unit
    of work."""
    if query or show != journal.SHOW_ALL:
        page = journal.search_own(session, owner_id=owner_id, query=query, show=show, older=older)
        return page, []
    page = items.list_own(session, owner_id=owner_id, kind=KIND, older=older)
    new = (
        drafts.list_new(session, owner_id=owner_id, kind=KIND, limit=drafts_shown + 1)
        if older is None
        else []
    )
    return page, new


class JournalState(AppState):
    entries: list[ItemCard] = []
    drafts: list[ItemCard] = []
    more_drafts: bool = False  # older drafts than those listed (an attack review: never listed)
    page: int = 0
    has_more: bool = False
    journal_loaded: bool = False
    # The search and filter the list is for (the client's own words, in their own tab).
    query: str = ""
    show: str = journal.SHOW_ALL
    searching: bool = False  # a search or a filter is on: the list holds what was found
    search_pending: bool = False  # a search was asked for and its answer isn't here yet
    # Where each page shown so far starts (keyset paging); the last is this page's.
    _page_starts: tuple[Cursor | None, ...] = (None,)
    _next_page: Cursor | None = None
    _held_path: str = ""  # the page these decrypted entries are for: left, they go
    _drafts_shown: int = DRAFTS_LISTED

    @guarded(Role.CLIENT)
    async def load_journal(self) -> None:
        viewer = self._viewer()
        self.query, self.show = "", journal.SHOW_ALL
        self._drafts_shown = DRAFTS_LISTED
        await self._load_page(viewer.user_id, (None,))

    @guarded(Role.CLIENT)
    async def show_more_drafts(self) -> None:
        viewer = self._viewer()
        self._drafts_shown = items.show_more(self._drafts_shown, DRAFTS_LISTED)
        await self._load_page(viewer.user_id, self._page_starts)

    @guarded(Role.CLIENT, quiet=True)
    async def begin_search(self, form: dict) -> None:
        """The Search button shows it is working (its own event, so the browser hears of it
        before the search, which reads the whole journal when a word is rare, is done)."""
        self.search_pending = True

    @guarded(Role.CLIENT)
    async def search_journal(self, form: dict) -> None:
        """Search the client's own entries (an empty search lists them all)."""
        viewer = self._viewer()
        try:
            if not isinstance(form, dict) or set(form) - {"query"}:
                self.problem = self._t("That search couldn't be made. Please try again.")
                return
            self.query = journal.clean_query(form.get("query", ""))
            await self._load_page(viewer.user_id, (None,))
            self._say_found()
        finally:
            self.search_pending = False

    @guarded(Role.CLIENT)
    async def show_only(self, which: str) -> None:
        """List all entries, or only the shared ones, or only the private ones."""
        viewer = self._viewer()
        self.show = journal.clean_show(which)
        await self._load_page(viewer.user_id, (None,))
        self._say_found()

    def _say_found(self) -> None:
        """What a search or a choice found, said (a screen reader hears the list change)."""
        if not self.searching:
            return
        found = len(self.entries)
        if found == 0:
            self.notice = self._t("No entries found.")
        elif self.has_more:
            self.notice = self._t("More than {count} entries found.", count=found)
        else:
            self.notice = self._reader().n("{count} entry found.", "{count} entries found.", found)

    @guarded(Role.CLIENT)
    async def older_entries(self) -> None:
        viewer = self._viewer()
        if self._next_page is not None:
            await self._load_page(viewer.user_id, (*self._page_starts, self._next_page))

    @guarded(Role.CLIENT)
    async def newer_entries(self) -> None:
        viewer = self._viewer()
        await self._load_page(viewer.user_id, self._page_starts[:-1] or (None,))

    async def _load_page(self, owner_id: uuid.UUID, starts: tuple[Cursor | None, ...]) -> None:
        page, new = await in_session(
            _journal_page,
            owner_id=owner_id,
            older=starts[-1],
            query=self.query,
            show=self.show,
            drafts_shown=self._drafts_shown,
        )
        reader = self._reader()
        self.entries = [own_card(item, reader) for item in page.items]
        self.drafts = [draft_card(draft, reader) for draft in new[: self._drafts_shown]]
        self.more_drafts = items.more_to_show(len(new), self._drafts_shown)
        self._next_page = page.older
        self._page_starts, self.page = starts, len(starts) - 1
        self.has_more = self._next_page is not None
        self.searching = bool(self.query) or self.show != journal.SHOW_ALL
        self.journal_loaded, self._held_path = True, routes.JOURNAL
        self._keep_current()  # "Seen", a share made in another tab: shown here at once

    def _leave(self) -> None:
        self.reset()

    async def _recheck_access(self, viewer_id: str) -> None:
        """A clinician saw an entry, or the link ended: the page as it is now, "Seen" and
        who sees each (the client's own; nothing of anyone else's is read)."""
        await self._load_page(uuid.UUID(viewer_id), self._page_starts)


def _entry_with_shares(session: Session, *, owner_id, item_id: object):
    """The entry, its shares, and the clinicians whose next agenda has it pinned."""
    item = items.open_own(session, owner_id=owner_id, kind=KIND, item_id=item_id)
    return item, *shares_and_pins(session, owner_id=owner_id, item_id=item.id)


def _entry_to_read(session: Session, *, owner_id, item_id: object):
    """The entry, its shares and pins, whether changes to it wait in a draft, and the
    assignment it answers if its clinician left a comment on it (None otherwise)."""
    item, shares, pinned = _entry_with_shares(session, owner_id=owner_id, item_id=item_id)
    unsaved = drafts.exists(session, owner_id=owner_id, item_id=item.id)
    return item, shares, pinned, unsaved, _commented(session, owner_id, item.id)


def _commented(session: Session, owner_id: uuid.UUID, item_id: uuid.UUID) -> homework.Task | None:
    """The assignment this entry answers (a prompt's answer), if its clinician left a comment
    on it: it is read with the homework."""
    answered = homework.assignment_answered_by(session, client_id=owner_id, item_id=item_id)
    task = homework.task(session, client_id=owner_id, assignment_id=uuid.UUID(answered)) if answered else None
    return task if task is not None and task.commented else None


def _save_and_open(
    session: Session,
    *,
    owner_id,
    item_id: object,
    values: object,
    based_on: Version | None,
    draft_seen: object = drafts.ANYONES,
):
    """Save an entry and read it back as its page shows it: one unit of work. Returns the
    entry, its shares, why the words became a new entry instead (None: they didn't), and
    whether words another tab wrote into its draft since this editor saw it were kept as a
    draft of their own (`draft_seen`: see drafts.save).

    If another device or tab saved or deleted the entry since this editor opened it,
    nothing is lost: the other version stays as it is (or deleted), and these words become
    a new, private entry. Either way the draft they were autosaved in goes, and any copy of
    them kept apart as a draft of its own: they are saved now."""
    set_aside = drafts.set_aside_before_saving(
        session, owner_id=owner_id, kind=KIND, item_id=item_id, seen=draft_seen, values=values
    )
    elsewhere = None
    try:
        parsed = items.parse_or_deny(owner_id, item_id, AuditAction.WRITE_ITEM)
        answered = homework.reviewed_unless_changed(session, client_id=owner_id, item_id=parsed)
        with answered:  # a prompt's answer, reviewed: to review again once changed
            items.save(
                session, owner_id=owner_id, kind=KIND, item_id=item_id, values=values, based_on=based_on
            )
    except EditedElsewhere as edited:
        elsewhere = edited
        drafts.discard(session, owner_id=owner_id, item_id=uuid.UUID(str(item_id)))
        item_id = uuid.uuid4()
        items.save(session, owner_id=owner_id, kind=KIND, item_id=item_id, values=values)
    drafts.discard_copies(session, owner_id=owner_id, kind=KIND, values=values)
    item, shares, pinned = _entry_with_shares(session, owner_id=owner_id, item_id=item_id)
    return item, shares, pinned, elsewhere, set_aside is not None, _commented(session, owner_id, item.id)


JUST_SAVED_SECONDS = 10.0


class EntryState(AppState):
    """One of the client's entries; its share switches are ItemSharingState's."""

    entry_id: str = ""
    title: str = ""
    body: str = ""
    written: str = ""  # "Written …, edited …"
    untitled_heading: str = ""  # "Today's entry, 2:05 p.m.": names an untitled entry
    # Changes to it typed in the editor and not saved (a draft): said here, with a way back.
    unsaved_changes: bool = False
    # A prompt's answer returned, with a comment from the clinician: where it is read (a
    # walk-through: the entry said nothing of it).
    comment_line: str = ""
    comment_link: str = ""
    found: bool = False
    loaded: bool = False
    # An entry this tab just saved and already shows, and when: the page's own load, right
    # after the save's redirect, reads nothing again.
    _just_saved: tuple[str, float] = ("", 0.0)
    _held_path: str = ""  # the page this decrypted entry is for: left, it goes

    @guarded(Role.CLIENT)
    async def load_entry(self) -> None:
        viewer = self._viewer()
        requested = self.router.url.query_parameters.get("id", "")
        saved_id, saved_at = self._just_saved
        self._just_saved = ("", 0.0)
        if saved_id == requested == self.entry_id and time.monotonic() - saved_at < JUST_SAVED_SECONDS:
            return  # on screen since the save's reply, and kept current (state/live.py)
        self.reset()
        sharing_state = await self.get_state(ItemSharingState)
        sharing_state._show("", [])
        try:
            item, shares, pinned, self.unsaved_changes, commented = await in_session(
                _entry_to_read, owner_id=viewer.user_id, item_id=requested
            )
            await self._present(item, shares, pinned, commented)
        finally:
            self.loaded = True

    async def _save_and_show(
        self, viewer: Viewer, item_id: object, values: object, based_on: Version | None, draft_seen: object
    ) -> tuple[str, list[str], EditedElsewhere | None, bool]:
        """Save the editor's entry and fill this page's state in the same reply, so the saved
        entry is on screen as soon as the save answers. Returns the entry's id, the names
        of the clinicians it is shared with (an edit of a shared entry stays shared), why the
        words became a new entry (saved or deleted elsewhere meanwhile), if they did, and
        whether another tab's words were kept as a draft of their own (_save_and_open)."""
        item, shares, pinned, kept_apart, set_aside, commented = await in_session(
            _save_and_open,
            owner_id=viewer.user_id,
            item_id=item_id,
            values=values,
            based_on=based_on,
            draft_seen=draft_seen,
        )
        self.reset()
        await self._present(item, shares, pinned, commented)
        self.loaded, self._just_saved = True, (self.entry_id, time.monotonic())
        # Clinicians who have it open see the new words at once.
        shared = [share for share in shares if share.shared_at is not None]
        live.recheck_people([share.clinician_id for share in shared])
        return self.entry_id, [share.clinician_name for share in shared], kept_apart, set_aside

    async def _present(
        self, item: OwnItem, shares: list[Share], pinned: list[str], commented: homework.Task | None
    ) -> None:
        self.entry_id, self.title, self.body = str(item.id), item.fields["title"], item.fields["body"]
        reader = self._reader()
        self._show_comment(commented)
        self.written = written_line(reader, item.created_at, item.updated_at)
        self.untitled_heading = untitled_entry_heading(reader, item.created_at)
        sharing_state = await self.get_state(ItemSharingState)
        sharing_state._show(str(item.id), share_lines(shares, reader), pinned=pinned, page=routes.ENTRY)
        self.found, self._held_path = True, routes.ENTRY

    def _show_comment(self, commented: homework.Task | None) -> None:
        """A prompt's answer with a comment from the clinician: said here, with the way to it
        (it is read with the homework); kept current when the clinician comments."""
        self.comment_link = routes.assignment(commented.id) if commented is not None else ""
        self.comment_line = (
            self._t("{name} left you a comment on this answer.", name=commented.clinician_name)
            if commented is not None
            else ""
        )
        self._keep_current()

    def _leave(self) -> None:
        self.reset()

    async def _recheck_access(self, viewer_id: str) -> None:
        """The clinician commented on this answer (a prompt's): said here at once."""
        if self.entry_id:
            owner = uuid.UUID(viewer_id)
            self._show_comment(await in_session(_commented, owner_id=owner, item_id=uuid.UUID(self.entry_id)))

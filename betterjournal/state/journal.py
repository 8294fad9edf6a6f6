"""The client's journal: list, editor with autosaved drafts, one entry with its shares."""

from __future__ import annotations

import reflex as rx

from betterjournal import routes
from betterjournal.core import journal, sharing
from betterjournal.core.validation import parse_bool, parse_id
from betterjournal.db import in_session
from betterjournal.i18n import t
from betterjournal.models import EntrySummary, ItemKind, Role, ShareStatus, Viewer
from betterjournal.state.base import AppState, guarded


class JournalState(AppState):
    entries: list[EntrySummary] = []
    drafts: list[EntrySummary] = []
    page: int = 0
    has_more: bool = False
    journal_loaded: bool = False
    # Where each page shown so far starts (keyset paging); the last is this page's.
    _page_starts: tuple[journal.Cursor | None, ...] = (None,)
    _next_page: journal.Cursor | None = None

    @guarded(Role.CLIENT)
    async def load_journal(self, viewer: Viewer) -> None:
        await self._load_page(viewer, (None,))

    @guarded(Role.CLIENT)
    async def older_entries(self, viewer: Viewer) -> None:
        if self._next_page is not None:
            await self._load_page(viewer, (*self._page_starts, self._next_page))

    @guarded(Role.CLIENT)
    async def newer_entries(self, viewer: Viewer) -> None:
        await self._load_page(viewer, self._page_starts[:-1] or (None,))

    async def _load_page(self, viewer: Viewer, starts: tuple[journal.Cursor | None, ...]) -> None:
        self.entries, self._next_page, self.drafts = await in_session(
            journal.journal_page, owner_id=viewer.user_id, older_than=starts[-1]
        )
        self._page_starts, self.page = starts, len(starts) - 1
        self.has_more = self._next_page is not None
        self.journal_loaded = True


class EntryState(AppState):
    """One of the client's entries, with one share switch per linked clinician."""

    entry_id: str = ""
    title: str = ""
    body: str = ""
    written_on: str = ""
    edited_on: str = ""
    shares: list[ShareStatus] = []
    found: bool = False
    loaded: bool = False

    @guarded(Role.CLIENT)
    async def load_entry(self, viewer: Viewer) -> None:
        self.reset()
        try:
            await self._load(viewer, self.router.url.query_parameters.get("id", ""))
        finally:
            self.loaded = True

    async def _load(self, viewer: Viewer, entry_id: object) -> None:
        detail = await in_session(journal.get_entry, owner_id=viewer.user_id, entry_id=parse_id(entry_id))
        self.entry_id, self.title, self.body = detail.id, detail.title, detail.body
        self.written_on, self.edited_on, self.shares = detail.written_on, detail.edited_on, detail.shares
        self.found = True

    @guarded(Role.CLIENT)
    async def set_shared(self, viewer: Viewer, clinician_id: str, shared: bool) -> None:
        item_id, clinician = parse_id(self.entry_id), parse_id(clinician_id)
        wanted = parse_bool(shared, label="Sharing")
        self.shares = await in_session(
            sharing.set_shared,
            owner_id=viewer.user_id,
            item_id=item_id,
            kind=ItemKind.JOURNAL_ENTRY,
            clinician_id=clinician,
            shared=wanted,
        )
        name = next((s.clinician_name for s in self.shares if s.clinician_id == clinician_id), "")
        self.notice = (
            t("Shared with {name}.", name=name)
            if wanted
            else t("Private again. {name} can no longer see it.", name=name)
        )

    @guarded(Role.CLIENT)
    async def delete_entry(self, viewer: Viewer) -> rx.event.EventSpec:
        await in_session(journal.delete_entry, owner_id=viewer.user_id, entry_id=parse_id(self.entry_id))
        self.reset()
        self._flash(t("Entry deleted."))
        return rx.redirect(routes.JOURNAL)

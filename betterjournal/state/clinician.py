"""The clinician's side: linked clients, invitations, and what each client chose to share.

Only shared items' own fields ever enter these vars (AUTHZ-8). Every load re-runs the
authorizing query, so a revoked share disappears on the clinician's next action (AUTHZ-6).
"""

from __future__ import annotations

from betterjournal.core import journal, links
from betterjournal.db import in_session
from betterjournal.i18n import t
from betterjournal.models import Person, Role, SharedEntry, Viewer
from betterjournal.state.base import AppState, guarded


class ClientsState(AppState):
    clients: list[Person] = []
    new_code: str = ""
    clients_loaded: bool = False

    @guarded(Role.CLINICIAN)
    async def load_clients(self, viewer: Viewer) -> None:
        self.new_code = ""
        self.clients = await in_session(links.linked_clients, clinician_id=viewer.user_id)
        self.clients_loaded = True

    @guarded(Role.CLINICIAN)
    async def create_invitation(self, viewer: Viewer) -> None:
        self.new_code = await in_session(links.create_invitation, clinician_id=viewer.user_id)
        self.notice = t("Invitation code created. It works once and expires in 7 days.")


class SharedWithMeState(AppState):
    """One client's shared entries, and one shared entry being read."""

    client_id: str = ""
    client_name: str = ""
    entries: list[SharedEntry] = []
    page: int = 0
    has_more: bool = False
    list_available: bool = False
    reading: SharedEntry = SharedEntry(id="", title="", body="", written_on="", shared_on="")
    reading_available: bool = False
    loaded: bool = False
    # Where each page shown so far starts (keyset paging); the last is this page's.
    _page_starts: tuple[journal.Cursor | None, ...] = (None,)
    _next_page: journal.Cursor | None = None

    @guarded(Role.CLINICIAN)
    async def load_client_entries(self, viewer: Viewer) -> None:
        self.loaded = False
        self._page_starts = (None,)
        try:
            await self._load_list(viewer, self.router.url.query_parameters.get("client", ""), (None,))
        finally:
            self.loaded = True

    @guarded(Role.CLINICIAN)
    async def older_entries(self, viewer: Viewer) -> None:
        if self._next_page is not None:
            await self._load_list(viewer, self.client_id, (*self._page_starts, self._next_page))

    @guarded(Role.CLINICIAN)
    async def newer_entries(self, viewer: Viewer) -> None:
        await self._load_list(viewer, self.client_id, self._page_starts[:-1] or (None,))

    async def _load_list(
        self, viewer: Viewer, client_id: object, starts: tuple[journal.Cursor | None, ...]
    ) -> None:
        # Forget what was on screen first: if the link ended, nothing of the list stays.
        self.entries, self.list_available, self.has_more, self._next_page = [], False, False, None
        self.entries, self._next_page = await in_session(
            journal.list_shared_entries,
            clinician_id=viewer.user_id,
            client_id=client_id,
            older_than=starts[-1],
        )
        self._page_starts, self.page = starts, len(starts) - 1
        self.has_more = self._next_page is not None
        people = await in_session(links.linked_clients, clinician_id=viewer.user_id)
        self.client_id = str(client_id)
        self.client_name = next((p.name for p in people if p.id == self.client_id), "")
        self.list_available = True

    @guarded(Role.CLINICIAN)
    async def load_shared_entry(self, viewer: Viewer) -> None:
        await self._read(viewer, self.router.url.query_parameters.get("id", ""))

    @guarded(Role.CLINICIAN)
    async def refresh_shared_entry(self, viewer: Viewer) -> None:
        await self._read(viewer, self.reading.id)

    async def _read(self, viewer: Viewer, entry_id: object) -> None:
        # Forget what was on screen first: if the share was revoked, nothing of it stays.
        self.reading = SharedEntry(id="", title="", body="", written_on="", shared_on="")
        self.reading_available, self.loaded = False, False
        try:
            self.reading = await in_session(
                journal.read_shared_entry, clinician_id=viewer.user_id, entry_id=entry_id
            )
            self.reading_available = True
        finally:
            self.loaded = True

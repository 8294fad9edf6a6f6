"""The editor: one entry being written, autosaved as a draft while the person types."""

from __future__ import annotations

import uuid

import reflex as rx

from betterjournal import routes
from betterjournal.core import drafts, items
from betterjournal.core.errors import CoreError, NotFound
from betterjournal.core.journal import KIND
from betterjournal.core.validation import can_hold, parse_id
from betterjournal.db import in_session
from betterjournal.i18n import t
from betterjournal.models import Role, Viewer
from betterjournal.state.base import AppState, guarded

# A generous ceiling on what the editor holds in memory while the person types past the
# limit; the limit itself (50,000) is enforced by the core with a clear message.
EDITOR_HOLD_MAX = 60_000


class EditorState(AppState):
    """One entry being written. Its id is fixed when the editor opens (idempotent saves)."""

    entry_id: str = ""
    title: str = ""
    body: str = ""
    is_new: bool = True
    draft_status: str = ""
    editor_ready: bool = False
    _closed: bool = False
    _draft_problem: str = ""

    @guarded(Role.CLIENT)
    async def open_editor(self) -> rx.event.EventSpec | None:
        viewer = self._viewer()
        self.editor_ready = False
        requested = self.router.url.query_parameters.get("id", "")
        try:
            entry_id = parse_id(requested)
        except NotFound:
            return rx.redirect(routes.write(str(uuid.uuid4())), replace=True)
        opened = await in_session(
            drafts.open_for_editing, owner_id=viewer.user_id, kind=KIND, item_id=entry_id, issued=True
        )
        self.entry_id, self.is_new = str(entry_id), opened.is_new
        self.title, self.body = opened.fields["title"], opened.fields["body"]
        self.draft_status = t("Your unsaved words are back.") if opened.from_draft else ""
        self._closed = False
        self.editor_ready = True
        return None

    @guarded(Role.CLIENT, quiet=True)
    async def edit_title(self, value: str) -> None:
        viewer = self._viewer()
        await self._edited(viewer, "title", value)

    @guarded(Role.CLIENT, quiet=True)
    async def edit_body(self, value: str) -> None:
        viewer = self._viewer()
        await self._edited(viewer, "body", value)

    async def _edited(self, viewer: Viewer, field: str, value: str) -> None:
        """Hold what was typed into `field` ("title" or "body") and autosave the draft."""
        if not can_hold(value, max_length=EDITOR_HOLD_MAX):
            self.problem = t("That text can't be saved. Remove any unusual characters and try again.")
            return
        setattr(self, field, value)
        await self._autosave(viewer)

    async def _autosave(self, viewer: Viewer) -> None:
        if self._closed:
            return  # a keystroke event that arrived after the entry was saved or discarded
        try:
            await in_session(
                drafts.save,
                owner_id=viewer.user_id,
                kind=KIND,
                item_id=self.entry_id,
                values={"title": self.title, "body": self.body},
            )
        except CoreError as error:
            self.draft_status = ""
            self.problem = self._draft_problem = str(error)
            return
        if self._draft_problem and self.problem == self._draft_problem:
            self.problem = ""  # the words that couldn't be saved can be now
        self._draft_problem = ""
        self.draft_status = t("Draft saved")

    @guarded(Role.CLIENT)
    async def save_entry(self, form: dict) -> rx.event.EventSpec | None:
        """Save what the form holds now: the last keystrokes may not have autosaved yet."""
        viewer = self._viewer()
        if not isinstance(form, dict) or set(form) - {"title", "body"}:
            self.problem = t("This entry couldn't be saved. Please try again.")
            return None
        entry_id = parse_id(self.entry_id)
        title, body = form.get("title", ""), form.get("body")
        await in_session(
            items.save,
            owner_id=viewer.user_id,
            kind=KIND,
            item_id=entry_id,
            values={"title": title, "body": body},
        )
        self._closed = True  # late keystroke events of this editor must not make a draft
        self._flash(t("Entry saved. It is private until you share it."))
        return rx.redirect(routes.entry(str(entry_id)))

    @guarded(Role.CLIENT)
    async def discard_draft(self) -> rx.event.EventSpec:
        viewer = self._viewer()
        entry_id = parse_id(self.entry_id)
        await in_session(drafts.discard, owner_id=viewer.user_id, item_id=entry_id)
        self.title, self.body, self.draft_status = "", "", ""
        self._closed = True
        self._flash(t("Draft discarded."))
        return rx.redirect(routes.JOURNAL)

"""The editor: one entry being written, autosaved as a draft while the person types."""

from __future__ import annotations

import uuid
from datetime import datetime

import reflex as rx

from betterjournal import routes
from betterjournal.core import drafts, items, sharing
from betterjournal.core.errors import CoreError, InvalidInput, NotFound
from betterjournal.core.journal import KIND
from betterjournal.core.validation import BODY_DRAFT_MAX, BODY_MAX, can_hold, parse_id
from betterjournal.db import in_session
from betterjournal.models import DraftItem, Editing, Role, Version, Viewer
from betterjournal.state import live
from betterjournal.state.base import AppState, guarded
from betterjournal.state.items import who_sees_edits
from betterjournal.state.journal import EntryState
from betterjournal.views import editing_shared_line, preview

TITLE_ID, BODY_ID = "title", "body"  # the editor's two fields (pages/editor.py)

# New-entry ids this tab was handed, remembered so a reload before the first autosave
# still opens them; any other id that isn't the client's gets the one refusal.
ISSUED_KEPT = 8


def _open_for_editing(
    session, *, owner_id: uuid.UUID, item_id: str, issued: bool
) -> tuple[Editing, list[str], DraftItem | None]:
    """The editor's words, who sees the entry once saved (its clinicians, if shared), and for
    an empty new entry the newest unfinished one, whose words may be what the person is back
    to write (a walk-through: leaving Write mid-entry, then Write again, showed an empty page)."""
    opened = drafts.open_for_editing(session, owner_id=owner_id, kind=KIND, item_id=item_id, issued=issued)
    if opened.is_new:
        unfinished = [] if opened.from_draft else drafts.list_new(session, owner_id=owner_id, kind=KIND)
        return opened, [], next((draft for draft in unfinished if not draft.of_saved), None)
    parsed = uuid.UUID(item_id)
    return opened, sharing.shared_with(session, owner_id=owner_id, item_ids=[parsed]).get(parsed, []), None


class EditorState(AppState):
    """One entry being written. Its id is fixed when the editor opens (idempotent saves).

    `title` and `body` are what the server holds for this item (its draft, or the entry
    as saved): they change only when a save succeeded, so the page can tell which words
    on screen are not on the server yet (assets/editor_autosave.jsx). Everything is
    cleared when the entry is saved or discarded, or another item opens: one item's
    words never stay in the state for the next one.
    """

    entry_id: str = ""
    title: str = ""
    body: str = ""
    is_new: bool = True
    shared_line: str = ""  # "Shared with …: once you save, they see your changes." ("" if private)
    # An empty new entry: the newest unfinished one, offered ("" for none).
    unfinished_id: str = ""
    unfinished_line: str = ""
    draft_status: str = ""
    draft_failed: bool = False
    editor_ready: bool = False
    has_draft: bool = False  # the server holds words here not saved as the entry: some to discard
    editor_unavailable: bool = False  # the id isn't one of the client's (or wasn't handed out)
    _closed: bool = False
    _draft_problem: str = ""
    _saved_id: str = ""  # the entry this tab saved last, for a second click on Save
    _saved_notice: str = ""  # and what its save said
    _issued: tuple[str, ...] = ()  # ids the server chose for new entries in this tab
    _based_on: Version | None = None  # the saved entry the words on screen started from
    # When the draft this tab last read or wrote was written (None: none); unknown until the
    # editor opens. A draft written since elsewhere is kept apart, not written over.
    _draft_seen: datetime | None = None
    _draft_seen_known: bool = False
    # The same, for the beacon a closing tab sends (api.keep_draft): "" for none.
    draft_seen: str = ""
    # The server's mark on this editor's words: whose they are (items.words_mark), sent with
    # them when they leave without the page (the beacon, a sign-in carrying them).
    words_mark: str = ""
    _held_path: str = ""  # a saved entry open: its "Shared with" line follows its shares (live)

    def _saw_draft(self, at: datetime | None) -> None:
        self._draft_seen, self.draft_seen = at, at.isoformat() if at is not None else ""

    def _clear_editor(self) -> None:
        self._based_on, self._held_path = None, ""
        self._saw_draft(None)
        self._draft_seen_known = False
        self.entry_id, self.title, self.body, self.shared_line = "", "", "", ""
        self.words_mark = ""
        self.unfinished_id, self.unfinished_line = "", ""
        self.is_new, self.editor_ready, self.editor_unavailable = True, False, False
        self.has_draft = False
        self.draft_status, self.draft_failed = "", False
        self._draft_problem = ""

    @guarded(Role.CLIENT)
    async def open_editor(self) -> rx.event.EventSpec | None:
        """Open the editor for the id in the URL: one of the client's entries or drafts, or a
        new entry whose id the server chose (Write, with no id, is handed a fresh one)."""
        viewer = self._viewer()
        requested = self.router.url.query_parameters.get("id", "")
        if not requested:
            new_id = str(uuid.uuid4())
            self._clear_editor()
            self._issued = (*self._issued, new_id)[-ISSUED_KEPT:]
            return rx.redirect(routes.write(new_id), replace=True)
        try:
            entry_id = str(parse_id(requested))
        except NotFound:
            entry_id = requested  # refused below like any id that isn't the client's
        if requested != entry_id:  # one spelling per item: the page compares ids as text
            return rx.redirect(routes.write(entry_id), replace=True)
        if entry_id != self.entry_id or self._closed:
            self._clear_editor()
        # The same item again (a reconnect, a reload) keeps the form on screen as it is:
        # the page sends the words it still holds once this load is done.
        try:
            opened, shared_with, unfinished = await in_session(
                _open_for_editing, owner_id=viewer.user_id, item_id=entry_id, issued=entry_id in self._issued
            )
        except NotFound:
            self.editor_unavailable = True  # the one refusal, whatever the id was
            raise
        self.entry_id, self.is_new = entry_id, opened.is_new
        self.words_mark = items.words_mark(viewer.user_id, entry_id)  # whose words leave the page
        if self._based_on is None:  # a reconnect keeps the version the screen's words started from
            self._based_on = opened.version
        if not self._draft_seen_known:  # and the draft they last saw (written since: kept apart)
            self._saw_draft(opened.draft_at)
            self._draft_seen_known = True
        reader = self._reader()
        self.shared_line = editing_shared_line(shared_with, reader)  # saving shows them the words
        if unfinished is None:
            self.unfinished_id, self.unfinished_line = "", ""
        else:
            self.unfinished_id = str(unfinished.item_id)
            self.unfinished_line = reader.t(
                "You have an unfinished entry: {title} ({when}).",
                # Its title, else its first words (its name would repeat the time said after it).
                title=unfinished.fields["title"]
                or preview(unfinished.fields["body"])
                or reader.t("Untitled entry"),
                when=reader.recent(unfinished.updated_at, within=True),
            )
        if not opened.is_new:
            self._held_path = routes.WRITE
            self._keep_current()
        self.title, self.body = opened.fields["title"], opened.fields["body"]
        # A draft is opened as what it is (a walk-through read "Your unsaved words are back."
        # on every draft opened from the journal as "something went wrong").
        self.draft_status = (
            reader.t("Draft saved: {when}", when=reader.recent(opened.draft_at, within=True))
            if opened.from_draft
            else ""
        )
        self.draft_failed = False
        self.has_draft = opened.from_draft
        self._closed = False
        self.editor_ready = True
        return None

    async def _recheck_access(self, viewer_id: str) -> None:
        """The open entry was shared or made private in another tab: who sees its edits now."""
        if self.editor_ready and not self.is_new and self._on_screen(""):
            self.shared_line = await who_sees_edits(uuid.UUID(viewer_id), self.entry_id, self._reader())
        else:
            self._held_path = ""  # left the editor: nothing here to keep current

    @guarded(Role.CLIENT, quiet=True)
    async def edit_title(self, value: str, entry_id: str = "") -> None:
        await self._edited(self._viewer(), "title", value, entry_id)

    @guarded(Role.CLIENT, quiet=True)
    async def edit_body(self, value: str, entry_id: str = "") -> None:
        await self._edited(self._viewer(), "body", value, entry_id)

    def _on_screen(self, entry_id: object) -> bool:
        """Whether an edit is for the item this tab's editor has open.

        An edit carries its page's URL, and the page also sends the id of the item the
        words were typed into; both must name the open item. A keystroke typed into one
        item, arriving after another opened (or after a save or discard), writes nothing.
        """
        return (
            self.editor_ready
            and not self._closed
            and self.entry_id != ""
            and self.router.route_id == routes.WRITE
            and self.router.url.query_parameters.get("id", "") == self.entry_id
            and isinstance(entry_id, str)
            and entry_id in ("", self.entry_id)
        )

    async def _edited(self, viewer: Viewer, field: str, value: str, entry_id: object) -> None:
        """Autosave the draft with `value` as its `field` ("title" or "body")."""
        if not self._on_screen(entry_id):
            return
        if isinstance(value, str) and len(value) > BODY_DRAFT_MAX:  # more than a draft keeps
            self.problem = self._draft_problem = self._t(
                "This is too long to keep as a draft: an entry holds {limit} characters at most. "
                "Shorten it; until then, your latest words are only on this screen.",
                limit=BODY_MAX,
            )
            self.draft_status, self.draft_failed = self._t("Not saved yet"), True
            return
        if not can_hold(value, max_length=BODY_DRAFT_MAX):
            self.problem = self._draft_problem = self._t(
                "That text can't be saved. Remove any unusual characters and try again."
            )
            self.draft_status, self.draft_failed = self._t("Not saved yet"), True
            return
        title, body = (value, self.body) if field == "title" else (self.title, value)
        try:
            saved = await in_session(
                drafts.save,
                owner_id=viewer.user_id,
                kind=KIND,
                item_id=self.entry_id,
                values={"title": title, "body": body},
                seen=self._draft_seen,
                known={"title": self.title, "body": self.body},
            )
        except CoreError as error:
            self.draft_status, self.draft_failed = self._t("Not saved yet"), True
            self.problem = self._draft_problem = self._t(error.message, **error.values)
            return
        # Only now: what the state holds is what the server has.
        self.title, self.body, self.has_draft = title, body, True
        self._saw_draft(saved.at)
        if saved.set_aside is not None:
            self.notice = self._t(
                "This entry is being changed in another tab or on another device too. So that "
                "nothing is lost, the words written there are kept as a separate draft in your journal."
            )
            live.tell_written_over(viewer.user_id, self.entry_id, but=self.router.session.client_token)
        if self._draft_problem and self.problem == self._draft_problem:
            self.problem = ""  # the words that couldn't be saved can be now
        self._draft_problem = ""
        self.draft_status, self.draft_failed = self._t("Draft saved"), False

    @guarded(Role.CLIENT)
    async def save_entry(self, form: dict) -> rx.event.EventSpec | None:
        """Save what the form holds now (the last keystrokes may not have autosaved yet), and
        show the saved entry: its page's state is filled in this same reply."""
        viewer = self._viewer()
        if not isinstance(form, dict) or set(form) - {"title", "body"}:
            self.problem = self._t("This entry couldn't be saved. Please try again.")
            return None
        if self._closed and self._saved_id:
            # A second click on Save: the entry is saved, go (again) where the first went.
            self._flash(self._saved_notice)
            return rx.redirect(routes.entry(self._saved_id))
        values = {"title": form.get("title", ""), "body": form.get("body")}
        writing = self.entry_id
        entry_page = await self.get_state(EntryState)
        seen = self._draft_seen if self._draft_seen_known else drafts.ANYONES
        try:
            entry_id, shared_with, kept_apart, set_aside = await entry_page._save_and_show(
                viewer, self.entry_id, values, self._based_on, seen
            )
        except InvalidInput as error:
            # What is wrong with the words ("can't be empty"): said until they change and are
            # kept (`_edited`), not beside the words that mend it; the writing box has the focus.
            self.problem = self._draft_problem = self._t(error.message, **error.values)
            return rx.set_focus(BODY_ID)
        self._clear_editor()
        self._closed, self._saved_id = True, entry_id  # late keystrokes make no draft
        if kept_apart is not None and kept_apart.deleted:
            self._saved_notice = self._t(
                "This entry was deleted in another tab or on another device while you were writing "
                "here. So that nothing is lost, your words are saved as a new entry, private until "
                "you share it."
            )
        elif kept_apart is not None:
            self._saved_notice = self._t(
                "This entry was changed in another tab or on another device while you were writing "
                "here. So that nothing is lost, your version is saved as a new entry, private until "
                "you share it."
            )
        elif shared_with:  # an edit of a shared entry: it stays shared, and they see the new words
            self._saved_notice = self._t(
                "Entry saved. Still shared with {names}.", names=", ".join(shared_with)
            )
        else:
            self._saved_notice = self._t("Entry saved. It is private until you share it.")
        if set_aside:
            live.tell_written_over(viewer.user_id, writing, but=self.router.session.client_token)
            self._saved_notice += " " + self._t(
                "The words written meanwhile in another tab or on another device are kept as a "
                "separate draft in your journal."
            )
        self._flash(self._saved_notice)
        return rx.redirect(routes.entry(entry_id))

    def _writes(self, item_id: str) -> bool:
        return self.entry_id == item_id and not self._closed

    def _written_over_elsewhere(self) -> None:
        """Another tab or device just wrote over this editor's words on the server (they were
        kept apart first): said here, where they were typed (live.tell_written_over)."""
        self.notice = self._t(
            "Your words here were just changed in another tab or on another device. So that "
            "nothing is lost, the words as they were before are kept as a separate draft in "
            "your journal."
        )
        self.feedback_on = routes.WRITE

    @guarded(Role.CLIENT)
    async def discard_draft(self) -> rx.event.EventSpec:
        """A new entry's draft is gone; a saved entry's changes are, and it reads as saved."""
        entry_id, is_new = self.entry_id, self.is_new
        await in_session(drafts.discard, owner_id=self._viewer().user_id, item_id=entry_id)
        self._clear_editor()
        self._closed, self._saved_id = True, ""
        if is_new:
            self._flash(self._t("Draft discarded."))
            return rx.redirect(routes.JOURNAL)
        self._flash(self._t("Changes discarded. The entry is as you last saved it."))
        return rx.redirect(routes.entry(entry_id))

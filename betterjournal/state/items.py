"""The owner's side of any item: its share switches and delete, one state for every kind."""

from __future__ import annotations

import uuid

import reflex as rx
from sqlmodel import Session

from betterjournal.core import agenda, items, sharing
from betterjournal.core.sharing import Share
from betterjournal.core.validation import parse_bool
from betterjournal.db import in_session
from betterjournal.i18n import N_
from betterjournal.models import Role
from betterjournal.state import live
from betterjournal.state.base import AppState, guarded
from betterjournal.views import KIND_VIEWS, ShareLine, editing_shared_line, share_lines


async def who_sees_edits(owner_id: uuid.UUID, item_id: str, reader) -> str:
    """The line under an open form of a saved item: who sees its edits once saved, now."""
    item = uuid.UUID(item_id)
    names = await in_session(sharing.shared_with, owner_id=owner_id, item_ids=[item])
    return editing_shared_line(names.get(item, []), reader)


def shares_and_pins(
    session: Session, *, owner_id: uuid.UUID, item_id: uuid.UUID, pins: bool = True
) -> tuple[list[Share], list[str]]:
    """The item's shares, one per linked clinician, and (`pins`: a kind the client can pin to
    an agenda) those clinicians whose agenda for the next session has it pinned."""
    shares = sharing.shares_of(session, owner_id=owner_id, item_ids=[item_id])[item_id]
    clinicians = [share.clinician_id for share in shares] if pins else []
    pinned = agenda.pinned_with(session, client_id=owner_id, item_id=item_id, clinician_ids=clinicians)
    return shares, [str(clinician) for clinician in pinned]


class ItemSharingState(AppState):
    """Who can see the item on screen: one switch per linked clinician, and delete.

    Kept current from the server: when a clinician opens the item, "Seen on …" appears here
    at once (state/live.py).
    """

    shares: list[ShareLine] = []
    # The clinicians (ids) whose agenda for the next session has the item on screen pinned.
    pinned_with: list[str] = []
    _item_id: str = ""
    _pins: bool = False  # the item on screen is of a kind that can be pinned
    _held_path: str = ""

    def _show(
        self, item_id: str, shares: list[ShareLine], *, pinned: list[str] | None = None, page: str = ""
    ) -> None:
        """Show this item's shares, on `page` (its page's route: leaving it clears them), and
        (`pinned`, for a kind that can be pinned) the agendas it is pinned to."""
        self._item_id, self.shares = item_id, shares
        self.pinned_with, self._pins = pinned or [], pinned is not None
        self._held_path = page if item_id else ""
        if item_id:
            self._keep_current()

    def _leave(self) -> None:
        self._item_id, self.shares, self._held_path = "", [], ""
        self.pinned_with, self._pins = [], False

    async def _recheck_access(self, viewer_id: str) -> None:
        """Re-read the shares of the item on screen (seen, revoked by a link's end), and its
        pins (unpinned, or pinned, in another tab)."""
        if self._item_id:
            shares, pinned = await in_session(
                shares_and_pins,
                owner_id=uuid.UUID(viewer_id),
                item_id=uuid.UUID(self._item_id),
                pins=self._pins,
            )
            before = {line.clinician_id: line.clinician_name for line in self.shares}
            self.shares = share_lines(shares, self._reader())
            self.pinned_with = pinned
            # A clinician gone from the switches: their link ended, said here (a walk-through's
            # page went to "Only you" without a word, as if there had never been one).
            for ended in before.keys() - {line.clinician_id for line in self.shares}:
                self.notice = self._t(
                    "You're no longer connected with {name}. Everything you had shared is private again.",
                    name=before[ended],
                )
                self.feedback_on = self._held_path

    @guarded(Role.CLIENT)
    async def set_shared(self, item_id: str, clinician_id: str, shared: bool) -> None:
        """Share the item with one clinician, or make it private again (the kind is looked up)."""
        viewer = self._viewer()
        wanted = parse_bool(shared, label=N_("Sharing"))
        shares, changed = await in_session(
            sharing.set_shared,
            owner_id=viewer.user_id,
            item_id=item_id,
            clinician_id=clinician_id,
            shared=wanted,
        )
        # The switch's own line says where the item stands now (components/items.py).
        self.shares = share_lines(shares, self._reader())
        # Their open list gains or loses it at once; so do this client's other open tabs
        # (the item's switches, the journal's labels, an open form's "Shared with" line).
        if changed:
            live.recheck_people([clinician_id, viewer.user_id], but=self.router.session.client_token)

    @guarded(Role.CLIENT)
    async def delete_item(self, item_id: str) -> rx.event.EventSpec:
        viewer = self._viewer()
        kind_name, revoked = await in_session(items.delete_item, owner_id=viewer.user_id, item_id=item_id)
        live.recheck_people(revoked)
        self._leave()
        view = KIND_VIEWS[kind_name]
        self._flash(self._t(view.words.deleted))
        return rx.redirect(view.home)

"""The owner's side of any item: its share switches and delete, one state for every kind."""

from __future__ import annotations

import reflex as rx

from betterjournal.core import items, sharing
from betterjournal.core.validation import parse_bool
from betterjournal.db import in_session
from betterjournal.i18n import t
from betterjournal.models import Role, Viewer
from betterjournal.state import live
from betterjournal.state.base import AppState, guarded
from betterjournal.views import KIND_VIEWS, ShareLine, share_lines


class ItemSharingState(AppState):
    """Who can see the item on screen: one switch per linked clinician, and delete."""

    shares: list[ShareLine] = []

    def _show(self, shares: list[ShareLine]) -> None:
        self.shares = shares

    @guarded(Role.CLIENT)
    async def set_shared(self, viewer: Viewer, item_id: str, clinician_id: str, shared: bool) -> None:
        """Share the item with one clinician, or make it private again (the kind is looked up)."""
        wanted = parse_bool(shared, label="Sharing")
        shares = await in_session(
            sharing.set_shared,
            owner_id=viewer.user_id,
            item_id=item_id,
            clinician_id=clinician_id,
            shared=wanted,
        )
        self.shares = share_lines(shares)
        name = next((s.clinician_name for s in self.shares if s.clinician_id == clinician_id), "")
        if wanted:
            self.notice = t("Shared with {name}.", name=name)
        else:
            self.notice = t("Private again. {name} can no longer see it.", name=name)
            live.recheck_people([clinician_id])

    @guarded(Role.CLIENT)
    async def delete_item(self, viewer: Viewer, item_id: str) -> rx.event.EventSpec:
        kind_name, revoked = await in_session(items.delete_item, owner_id=viewer.user_id, item_id=item_id)
        live.recheck_people(revoked)
        self.shares = []
        view = KIND_VIEWS[kind_name]
        self._flash(view.words.deleted)
        return rx.redirect(view.home)

"""The in-app reminder banner on signed-in pages (core/reminders.py gives the reminders).

A page shows the newest reminder as it opens; one given while the person has the app open
appears at once in every tab they are signed in on (`show_new_reminders`, from the
scheduler)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from betterjournal.core import reminders
from betterjournal.db import in_session
from betterjournal.models import Role, Viewer
from betterjournal.state import live
from betterjournal.state.base import AppState, guarded


def show_new_reminders(user_ids: Iterable[uuid.UUID]) -> None:
    """These people were just given a reminder: their open tabs show its banner now."""
    refresh_banners(user_ids)


def refresh_banners(user_ids: Iterable[uuid.UUID], *, but: str = "") -> None:
    """Every open tab of these people (but the tab `but`) shows the banner they have now:
    a new reminder, or none once it was dismissed or reminders were turned off."""
    live.push_to_signed_in_tabs(user_ids, _show_in_tab, but=but)


async def _show_in_tab(root: Any, viewer: Viewer) -> None:
    if viewer.role == Role.CLIENT:
        banner = await root.get_state(ReminderBannerState)
        await banner._show_newest(viewer.user_id)


class ReminderBannerState(AppState):
    """The newest reminder given and not dismissed: its kind and where it leads, only."""

    reminder_kind: str = ""  # check_in, journal, homework; empty: no banner
    reminder_href: str = ""
    _reminder_id: str = ""

    def _clear(self) -> None:
        self.reminder_kind, self.reminder_href, self._reminder_id = "", "", ""

    @guarded(quiet=True)
    async def load_reminder(self) -> None:
        """Look for a reminder to show (each of a client's pages does as it opens: betterjournal.py)."""
        viewer = self._viewer()
        if viewer.role == Role.CLIENT:
            await self._show_newest(viewer.user_id)
        elif self.reminder_kind:
            self._clear()

    async def _show_newest(self, user_id: uuid.UUID) -> None:
        found = await in_session(reminders.banner, user_id=user_id)
        while found is not None and self._on_page_of(found.href):
            # Already where it leads (writing, checking in): done, not said again there;
            # an older one given with it may still be shown.
            await in_session(reminders.dismiss, user_id=user_id, reminder_id=str(found.id))
            refresh_banners([user_id], but=self.router.session.client_token)
            found = await in_session(reminders.banner, user_id=user_id)
        if found is None:
            if self.reminder_kind:
                self._clear()
            return
        self.reminder_kind, self.reminder_href = found.kind.value, found.href
        self._reminder_id = str(found.id)

    def _on_page_of(self, href: str) -> bool:
        """Whether this tab is on the page `href` leads to, or one under it."""
        here, there = self.router.url.path.rstrip("/"), href.rstrip("/")
        return here == there or here.startswith(there + "/")

    @guarded(Role.CLIENT)
    async def dismiss_reminder(self) -> None:
        """Put the banner away (the reminder stays given: it isn't sent again). Another one
        given the same evening shows now: a walk-through's second reminder had hidden the
        first, which came back only after a reload."""
        viewer = self._viewer()
        if self._reminder_id:
            await in_session(reminders.dismiss, user_id=viewer.user_id, reminder_id=self._reminder_id)
        await self._show_newest(viewer.user_id)
        refresh_banners([viewer.user_id], but=self.router.session.client_token)

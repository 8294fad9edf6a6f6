"""The in-app reminder banner on signed-in pages (core/reminders.py gives the reminders)."""

from __future__ import annotations

from betterjournal.core import reminders
from betterjournal.db import in_session
from betterjournal.models import Role
from betterjournal.state.base import AppState, guarded


class ReminderBannerState(AppState):
    """The newest reminder given and not dismissed: its kind and where it leads, only."""

    reminder_kind: str = ""  # check_in, journal, homework; empty: no banner
    reminder_href: str = ""
    _reminder_id: str = ""

    def _clear(self) -> None:
        self.reminder_kind, self.reminder_href, self._reminder_id = "", "", ""

    @guarded(quiet=True)
    async def load_reminder(self) -> None:
        """Look for a reminder to show (every signed-in page does, as it opens)."""
        viewer = self._viewer()
        found = None
        if viewer.role == Role.CLIENT:
            found = await in_session(reminders.banner, user_id=viewer.user_id)
        if found is None:
            if self.reminder_kind:
                self._clear()
            return
        self.reminder_kind, self.reminder_href = found.kind.value, found.href
        self._reminder_id = str(found.id)

    @guarded(Role.CLIENT)
    async def dismiss_reminder(self) -> None:
        """Put the banner away (the reminder stays given: it isn't sent again)."""
        viewer = self._viewer()
        if self._reminder_id:
            await in_session(reminders.dismiss, user_id=viewer.user_id, reminder_id=self._reminder_id)
        self._clear()

"""A client's "Your data" page: everything they have, downloaded in one file (PRIV-1), or
their account deleted with everything in it (PRIV-3). Both are made by the core
(core/portability.py); the file is made in memory and fetched over HTTP with a ticket
(api.download_everything), not sent over this connection."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import reflex as rx

from betterjournal import export_files, routes
from betterjournal.core import form_tokens, mfa, portability
from betterjournal.core.errors import InvalidInput
from betterjournal.db import in_session
from betterjournal.i18n import N_
from betterjournal.models import Role
from betterjournal.state import live
from betterjournal.state.admin import show_to_admins
from betterjournal.state.base import AppState, form_fields, guarded


class YourDataState(AppState):
    data_loaded: bool = False
    two_step_on: bool = False  # the deletion form asks for a code too
    preparing_download: bool = False
    deleting: bool = False  # the password is being checked, then everything deleted
    # The "I understand" box, ticked when the form was last sent: a wrong password clears the
    # password, not the tick (a walk-through had to tick it again).
    confirm_ticked: bool = False

    @guarded(Role.CLIENT)
    async def load_your_data(self) -> None:
        self.two_step_on = await in_session(mfa.is_on, user_id=self._viewer().user_id)
        self.preparing_download = self.deleting = False
        self.data_loaded = True

    @guarded(Role.CLIENT, quiet=True)
    async def begin_download(self) -> None:
        """The button shows it is working from the tap (the file can take a few seconds)."""
        self.preparing_download = True

    @guarded(Role.CLIENT)
    async def download_everything(self) -> rx.event.EventSpec:
        """A zip of everything the client has (JSON and a page to read): the browser fetches
        it with a ticket made for this person (api.download_everything makes it, in memory)."""
        self.preparing_download = False
        ticket = form_tokens.issue_ticket(self._viewer().user_id)
        self.notice = self._t(
            "Your download has begun. A big journal can take a few seconds: check your downloads."
        )
        return rx.download(
            url=f"{routes.API_EVERYTHING}?{urlencode({'ticket': ticket})}",
            filename=export_files.file_name(self._reader()),
        )

    @guarded(Role.CLIENT, quiet=True)
    async def begin_delete(self, form: dict[str, Any]) -> None:
        """The button shows it is working from the tap (checking a password takes a moment)."""
        self.deleting = True

    @guarded(Role.CLIENT)
    async def delete_account(self, form: dict[str, Any]) -> rx.event.EventSpec:
        """Delete the account and everything in it, once the box is ticked and the password
        (and code) checked again; then every page that showed any of it drops it at once."""
        viewer = self._viewer()
        try:
            fields = form_fields(form, {"current_password", "code", "confirm"}, form_id="delete")
            self.confirm_ticked = fields.get("confirm") in ("on", True)
            if not self.confirm_ticked:
                raise InvalidInput(N_("Tick the box to confirm that you want to delete everything."))
            clinicians = await in_session(
                portability.erase,
                client_id=viewer.user_id,
                password=fields.get("current_password"),
                code=fields.get("code"),
            )
        finally:
            self.deleting = False
        live.recheck_people(clinicians)  # their pages drop what was shared, at once
        live.recheck_sessions([viewer.user_id])  # the person's other tabs say so
        await show_to_admins()  # an early-access request of theirs leaves the admins' lists
        await self._forget()
        return rx.redirect(f"{routes.SIGN_IN}?deleted=1")

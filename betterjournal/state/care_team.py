"""Links between clients and clinicians: invitations, accepting, ending (AUTHN-8)."""

from __future__ import annotations

import uuid

from betterjournal import routes
from betterjournal.core import links
from betterjournal.core.errors import InvalidInput
from betterjournal.core.validation import parse_id
from betterjournal.db import in_session
from betterjournal.models import Role
from betterjournal.state import live
from betterjournal.state.base import AppState, guarded
from betterjournal.views import PersonLine, ended_lines, person_lines


def _care_team(session, *, client_id: uuid.UUID):
    """The clinicians connected now, and the connections that ended lately."""
    return (
        links.linked_clinicians(session, client_id=client_id),
        links.ended_lately(session, user_id=client_id, role=Role.CLIENT),
    )


class CareTeamState(AppState):
    """The client's side: who they are connected to, and accepting an invitation."""

    clinicians: list[PersonLine] = []
    ended: list[str] = []  # "Dr. Ada ended your connection on Dec 3, 2026."
    invitation_from: str = ""
    care_team_loaded: bool = False
    code_round: int = 0  # the code form's key: drawn afresh (empty) once a code is accepted
    _invitation_id: str = ""
    # The page open: a link ended or made elsewhere (by the clinician, or in another of the
    # client's tabs) shows at once (state/live.py).
    _held_path: str = ""

    @guarded(Role.CLIENT)
    async def load_care_team(self) -> None:
        viewer = self._viewer()
        self.invitation_from, self._invitation_id = "", ""
        offered = await in_session(links.offered_invitation, client_id=viewer.user_id)
        try:
            if offered is not None:
                await self._offer(offered)
        except InvalidInput:
            pass  # the invitation expired or was used a moment ago: there is none to offer
        await self._list_clinicians(viewer.user_id)
        self.care_team_loaded, self._held_path = True, routes.CARE_TEAM
        self._keep_current()

    def _leave(self) -> None:
        self._held_path = ""

    async def _recheck_access(self, viewer_id: str) -> None:
        """The clinicians connected now; one whose link ended elsewhere goes, and the page says
        what that means."""
        before = {person.id: person.name for person in self.clinicians}
        await self._list_clinicians(uuid.UUID(viewer_id))
        gone = [name for person_id, name in before.items() if all(p.id != person_id for p in self.clinicians)]
        if gone:
            self.notice = self._t(
                "You're no longer connected with {name}. Everything you had shared is private again.",
                name=gone[0],
            )
            self.feedback_on = routes.CARE_TEAM

    async def _list_clinicians(self, client_id: uuid.UUID) -> None:
        clinicians, ended = await in_session(_care_team, client_id=client_id)
        reader = self._reader()
        self.clinicians, self.ended = person_lines(clinicians, reader), ended_lines(ended, reader)

    async def _offer(self, invitation_id: uuid.UUID) -> None:
        preview = await in_session(links.preview_invitation, invitation_id=invitation_id)
        self.invitation_from, self._invitation_id = preview.clinician_name, str(invitation_id)

    @guarded(Role.CLIENT)
    async def check_code(self, form: dict) -> None:
        if not isinstance(form, dict) or set(form) - {"code", "invitation_code"}:
            self.problem = self._t(
                "That invitation code isn't valid. Check it with your clinician, or ask for a new one."
            )
            return
        # Throttled per client and per address (as the HTTP routes see it: rxconfig's
        # trusted_proxy_hops), and audited when wrong.
        invitation_id = await in_session(
            links.check_code,
            client_id=self._viewer().user_id,
            code=form.get("code"),
            address=self._client_address(),
        )
        await self._offer(invitation_id)
        self.code_round += 1
        # Said where the person is (the form, at the bottom): the offer is drawn above.
        self.notice = self._t(
            "Invitation from {name}: accept it above to connect.", name=self.invitation_from
        )

    @guarded(Role.CLIENT)
    async def accept_invitation(self) -> None:
        if self._second_tap(self._invitation_id):
            return  # a double tap: the first accepted, and the offer is gone
        viewer = self._viewer()
        name = self.invitation_from
        clinician = await in_session(
            links.accept_invitation, client_id=viewer.user_id, invitation_id=parse_id(self._invitation_id)
        )
        live.recheck_people([clinician])  # the new client shows on their open Clients page
        self.invitation_from, self._invitation_id = "", ""
        await self._list_clinicians(viewer.user_id)
        self.notice = self._t(
            "You're connected with {name}. Nothing is shared until you choose to share an entry.",
            name=name,
        )
        self._added()

    @guarded(Role.CLIENT)
    async def decline_invitation(self) -> None:
        viewer = self._viewer()
        await in_session(links.decline_offer, client_id=viewer.user_id)
        self.invitation_from, self._invitation_id = "", ""
        self.notice = self._t(
            "Invitation declined. Nothing was shared. To connect later, ask your clinician for a new code."
        )

    @guarded(Role.CLIENT)
    async def stop_sharing_everything(self, clinician_id: str) -> None:
        """Make everything shared with one clinician private again at once (PRIV-2), staying
        connected."""
        viewer = self._viewer()
        clinician = parse_id(clinician_id)
        name = next((p.name for p in self.clinicians if p.id == clinician_id), "")
        await in_session(links.stop_sharing_everything, client_id=viewer.user_id, clinician_id=clinician)
        # Their open views of what was shared go at once; so do the switches in this client's other tabs.
        live.recheck_people([clinician, viewer.user_id], but=self.router.session.client_token)
        self.notice = self._t(
            "Everything you had shared with {name} is private again. You're still connected.", name=name
        )

    @guarded(Role.CLIENT)
    async def end_link(self, clinician_id: str) -> None:
        viewer = self._viewer()
        clinician = parse_id(clinician_id)
        name = next((p.name for p in self.clinicians if p.id == clinician_id), "")
        await in_session(links.end_link, client_id=viewer.user_id, clinician_id=clinician)
        # Their open views of this client go at once; so does the card in the client's other tabs.
        live.recheck_people([clinician, viewer.user_id], but=self.router.session.client_token)
        await self._list_clinicians(viewer.user_id)
        self.notice = self._t(
            "You're no longer connected with {name}. Everything you had shared is private again.",
            name=name,
        )

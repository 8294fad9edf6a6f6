"""The admin's page: the early-access waiting list. Admins see no PHI (AUTHZ-2): a request
holds only what the person typed into the public form. A new request, or another admin's
decision, shows at once on every admin's open list (`show_to_admins`)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from betterjournal.core import access
from betterjournal.db import in_session
from betterjournal.models import AccessStatus, Role, Viewer
from betterjournal.state import live
from betterjournal.state.base import AppState, guarded

log = logging.getLogger("betterjournal.admin")

STATUS_FILTERS = ("pending", "approved", "declined", "all")
ROLE_FILTERS = ("all", "client", "clinician")


@dataclass(frozen=True)
class RequestCard:
    id: str
    name: str
    email: str
    role: str  # "client" / "clinician": what the page shows and filters on
    role_label: str
    asked_on: str
    status: str
    status_label: str
    profession: str
    province: str
    college: str
    registration_number: str
    checked: str  # "Checked by … on …", or ''
    can_approve: bool


class AdminState(AppState):
    requests: list[RequestCard] = []
    status_filter: str = "pending"
    role_filter: str = "all"
    requests_loaded: bool = False

    async def _fill(self) -> None:
        status = None if self.status_filter == "all" else AccessStatus(self.status_filter)
        role = None if self.role_filter == "all" else Role(self.role_filter)
        rows = await in_session(access.list_requests, status=status, role=role)
        reader = self._reader()
        statuses = {
            AccessStatus.PENDING: reader.t("Waiting"),
            AccessStatus.APPROVED: reader.t("Approved"),
            AccessStatus.DECLINED: reader.t("Declined"),
        }
        self.requests = [
            RequestCard(
                id=row.id,
                name=row.name,
                email=row.email,
                role=row.role.value,
                role_label=reader.t("Clinician") if row.role == Role.CLINICIAN else reader.t("Client"),
                asked_on=reader.when(row.created_at),
                status=row.status.value,
                status_label=statuses[row.status],
                profession=row.profession,
                province=reader.t(access.PROVINCES[row.province]) if row.province in access.PROVINCES else "",
                college=row.college,
                registration_number=row.registration_number,
                checked=reader.t(
                    "Registration checked by {name} on {moment}.",
                    name=row.register_checked_by or reader.t("an administrator"),
                    moment=reader.when(row.register_checked_at),
                )
                if row.register_checked_at
                else "",
                can_approve=row.status == AccessStatus.PENDING
                and (row.role != Role.CLINICIAN or row.register_checked_at is not None),
            )
            for row in rows
        ]
        self.requests_loaded = True

    @guarded(Role.ADMIN)
    async def load_requests(self) -> None:
        await self._fill()

    @guarded(Role.ADMIN)
    async def filter_requests(self, status: str, role: str) -> None:
        if status in STATUS_FILTERS and role in ROLE_FILTERS:
            self.status_filter, self.role_filter = status, role
        await self._fill()

    @guarded(Role.ADMIN)
    async def record_register_check(self, request_id: str) -> None:
        await in_session(access.record_register_check, admin_id=self._viewer().user_id, request_id=request_id)
        await self._changed()
        self.notice = self._t("The registration check is recorded. You can approve the request now.")

    @guarded(Role.ADMIN)
    async def approve(self, request_id: str) -> None:
        await in_session(access.approve, admin_id=self._viewer().user_id, request_id=request_id)
        await self._changed()
        self.notice = self._t("Approved. We've emailed a link to choose a password (it works for 72 hours).")

    @guarded(Role.ADMIN)
    async def decline(self, request_id: str) -> None:
        await in_session(access.decline, admin_id=self._viewer().user_id, request_id=request_id)
        await self._changed()
        self.notice = self._t("Declined. No email was sent.")

    async def _changed(self) -> None:
        """This admin's list shows the decision now; the other admins' open lists too."""
        await self._fill()
        await show_to_admins(but=self.router.session.client_token)


async def show_to_admins(*, but: str = "") -> None:
    """The waiting list changed: every admin's open list (but the tab `but`) shows it now.
    Never fails its caller, whose change is made already: a list not refreshed is logged."""
    try:
        admins = await in_session(access.admin_ids)
    except Exception as error:
        log.warning("admins' lists not refreshed (%s)", type(error).__name__)
        return
    live.push_to_signed_in_tabs(admins, _refill, but=but)


async def _refill(root: Any, viewer: Viewer) -> None:
    if viewer.role == Role.ADMIN:
        admin = await root.get_state(AdminState)
        if admin.requests_loaded:
            await admin._fill()

"""Admins see no PHI through the app (AUTHZ-2); this only checks the role."""

from betterjournal.models import Role
from betterjournal.state.base import AppState, guarded


class AdminState(AppState):
    @guarded(Role.ADMIN)
    async def check_admin(self) -> None:
        return None

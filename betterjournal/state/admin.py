"""Admins see no PHI through the app (AUTHZ-2); this only checks the role."""

from betterjournal.models import Role, Viewer
from betterjournal.state.base import AppState, guarded


class AdminState(AppState):
    @guarded(Role.ADMIN)
    async def check_admin(self, viewer: Viewer) -> None:
        return None

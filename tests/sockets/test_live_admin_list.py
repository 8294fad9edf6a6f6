"""The waiting list is live: a new early-access request, and one admin's decision, show at
once on every admin's open list, without a click (the quality bar's "what one person
changes shows at once on the screens of the others it concerns")."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable
from typing import Any

from socket_support import connect, new_people, state_of
from socketclient import EventClient, handler_name

from betterjournal import routes
from betterjournal.state.account import LandingState
from betterjournal.state.admin import AdminState

PUSH_WITHIN_SECONDS = 2.0


async def _pushed_list(tab: EventClient, since: int, wanted: Callable[[list[dict[str, Any]]], bool]) -> None:
    """Wait for a list pushed to `tab` (no event sent) that satisfies `wanted`."""
    deadline = time.monotonic() + PUSH_WITHIN_SECONDS
    while time.monotonic() < deadline:
        for update in tab.received[since:]:
            cards = state_of([update], AdminState).get("requests")
            if cards is not None and wanted(cards):
                return
        await asyncio.sleep(0.02)
    raise AssertionError(f"no such list pushed within {PUSH_WITHIN_SECONDS} s")


def _emails(cards: list[dict[str, Any]]) -> set[str]:
    return {card["email"] for card in cards}


async def test_a_new_request_and_another_admins_decision_show_on_open_lists_at_once(running_app) -> None:
    people = await new_people(running_app, "live-list", one="admin", two="admin")
    requester = f"live-list-{uuid.uuid4().hex[:8]}@example.ca"
    first = await connect(running_app, people["one"].cookie)
    second = await connect(running_app, people["two"].cookie)
    visitor = await connect(running_app)
    try:
        for admin in (first, second):
            listed = await admin.exchange(handler_name(AdminState, "load_requests"), path=routes.ADMIN)
            assert requester not in _emails(state_of(listed, AdminState)["requests"])

        # Someone asks for early access: both admins' lists show it, neither sent a thing.
        since = [len(admin.received) for admin in (first, second)]
        await visitor.exchange(handler_name(LandingState, "open_landing"), path=routes.HOME)
        await visitor.exchange(
            handler_name(LandingState, "request_access"),
            {"form": {"name": "Live Person", "email": requester, "role": "client", "website": ""}},
            path=routes.HOME,
        )
        for admin, before in zip((first, second), since, strict=True):
            await _pushed_list(admin, before, lambda cards: requester in _emails(cards))

        # The second admin declines it: it leaves the first admin's list of those waiting.
        listed = await second.exchange(handler_name(AdminState, "load_requests"), path=routes.ADMIN)
        request_id = next(
            c["id"] for c in state_of(listed, AdminState)["requests"] if c["email"] == requester
        )
        since_first = len(first.received)
        await second.exchange(
            handler_name(AdminState, "decline"), {"request_id": request_id}, path=routes.ADMIN
        )
        await _pushed_list(first, since_first, lambda cards: requester not in _emails(cards))
    finally:
        for tab in (first, second, visitor):
            await tab.close()

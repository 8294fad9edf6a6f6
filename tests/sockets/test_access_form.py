"""The early-access form: an address the server refuses (one the browser's own check let
through) marks the email field invalid with the problem, for a screen reader as for the
eye (found in a walk-through: the problem showed, the field said nothing)."""

from __future__ import annotations

import uuid

from socket_support import connect, state_of
from socketclient import handler_name

from betterjournal import routes
from betterjournal.state.account import LandingState
from betterjournal.state.base import AppState


async def test_an_address_the_server_refuses_marks_the_email_field(running_app) -> None:
    visitor = await connect(running_app)
    try:
        await visitor.exchange(handler_name(LandingState, "open_landing"), path=routes.HOME)

        async def ask(email: str) -> dict:
            form = {"name": "Sam Visitor", "email": email, "role": "client", "website": ""}
            updates = await visitor.exchange(handler_name(LandingState, "request_access"), {"form": form})
            return {**state_of(updates, LandingState), **state_of(updates, AppState)}

        refused = await ask("sam@localhost")  # a browser takes it; the server doesn't
        assert refused["refused_field"] == "email"
        assert refused["problem"] == "Enter an email address like name@example.com."
        taken = await ask(f"sam-{uuid.uuid4().hex[:8]}@example.ca")
        assert taken["refused_field"] == "" and taken["problem"] == ""
        assert taken["access_requested"] is True
    finally:
        await visitor.close()

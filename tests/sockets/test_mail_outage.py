"""A mail server outage loses nothing and blocks nobody (issue 11, acceptance 4).

With the suite's SMTP server stopped, the running app still answers an admin's approval
and password resets at once; the messages wait in the outbox (sealed) and all arrive,
each once, after the server starts again.
"""

from __future__ import annotations

import asyncio
import time
import uuid

from socket_support import connect, new_people
from socketclient import EventClient, form_token_from, handler_name, post_form

from betterjournal import routes
from betterjournal.state.account import LandingState
from betterjournal.state.admin import AdminState
from betterjournal.state.base import AppState

ANSWER_WITHIN_SECONDS = 1.5  # what a person waits for, mail server or not


async def _form_token(url: str) -> str:
    anonymous = EventClient(url)
    await anonymous.connect()
    try:
        return form_token_from(
            await anonymous.exchange(handler_name(AppState, "prepare_public_page"), path=routes.FORGOT)
        )
    finally:
        await anonymous.close()


def _outbox_waiting(app) -> int:
    from sqlmodel import col, func, select

    from betterjournal.db import session_scope
    from betterjournal.models import OutboxMessage

    with app.core(), session_scope() as session:
        return session.exec(select(func.count()).where(col(OutboxMessage.sent_at).is_(None))).one()


async def test_approvals_and_resets_answer_at_once_while_mail_is_down_and_all_arrive_once_after(
    running_app,
) -> None:
    mailbox = running_app.mailbox
    people = await new_people(running_app, "outage", admin="admin", a="client", b="client")
    suffix = uuid.uuid4().hex[:8]
    requester = f"outage-request-{suffix}@example.ca"

    # A client asks for early access (their email is only sent on approval).
    visitor = await connect(running_app)
    try:
        await visitor.exchange(handler_name(LandingState, "open_landing"), path=routes.HOME)
        await visitor.exchange(
            handler_name(LandingState, "request_access"),
            {"form": {"name": "Outage Person", "email": requester, "role": "client", "website": ""}},
            path=routes.HOME,
        )
    finally:
        await visitor.close()

    mailbox.stop()
    try:
        # The admin approves: the answer comes at once.
        admin = await connect(running_app, people["admin"].cookie)
        try:
            updates = await admin.exchange(handler_name(AdminState, "load_requests"), path=routes.ADMIN)
            cards = next(
                value
                for update in updates
                for state, values in update.get("delta", {}).items()
                if state.endswith("admin_state")
                for name, value in values.items()
                if name.startswith("requests") and isinstance(value, list)
            )
            request_id = next(card["id"] for card in cards if card["email"] == requester)
            started = time.monotonic()
            await admin.exchange(
                handler_name(AdminState, "approve"), {"request_id": request_id}, path=routes.ADMIN
            )
            approval_took = time.monotonic() - started
        finally:
            await admin.close()

        # Two password resets: each answered at once, the same way.
        reset_took = []
        for person in (people["a"], people["b"]):
            token = await _form_token(running_app.url)  # each form token works once
            started = time.monotonic()
            status, headers = await asyncio.to_thread(
                post_form, running_app.url, routes.API_FORGOT, {"email": person.email, "form_token": token}
            )
            reset_took.append(time.monotonic() - started)
            assert (status, headers.get("location")) == (303, f"{routes.FORGOT}?sent=1")

        assert approval_took < ANSWER_WITHIN_SECONDS, approval_took
        assert max(reset_took) < ANSWER_WITHIN_SECONDS, reset_took
        await asyncio.sleep(3)  # the sender tries, fails, and backs off
        assert _outbox_waiting(running_app) >= 3
        assert mailbox.messages_to(requester) == []
    finally:
        mailbox.start()

    # Back up: everything arrives, once.
    for address in (requester, people["a"].email, people["b"].email):
        mailbox.wait_for(address, timeout=45)
    await asyncio.sleep(3)  # time for a duplicate to show up, if there were one
    for address in (requester, people["a"].email, people["b"].email):
        assert len(mailbox.messages_to(address)) == 1, address
    assert _outbox_waiting(running_app) == 0

"""Words typed as the session ended go back into their draft with the next sign-in.

A walk-through: signed out from another device mid-sentence, the draft lacked the last
words (the page could only offer to copy them). The sign-in form now carries the editor's
unconfirmed words (assets/unsent_words.jsx), and the server writes them as the draft beacon
does, once the password has made the person that draft's owner (api.sign_in)."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from appserver import RunningApp
from socket_support import connected, new_entry_id, new_password, state_of
from socketclient import EventClient, handler_name, post_sign_in, sign_in, sign_out
from sqlmodel import col, select

from betterjournal import routes
from betterjournal.core import drafts
from betterjournal.db import session_scope
from betterjournal.models import User
from betterjournal.state.editor import EditorState


async def _client(app: RunningApp, label: str) -> tuple[str, str]:
    email, password = f"{label}-{uuid.uuid4().hex[:8]}@example.com", new_password()
    await asyncio.to_thread(app.create_user, "client", email, label.replace("-", " ").title(), password)
    return email, password


async def _half_written(app: RunningApp, tab: EventClient, label: str) -> tuple[dict[str, str], str]:
    """A new entry with a draft saved; the editor's fields as its page hands them over
    (the words typed since, unconfirmed, added by the caller), and the saved words."""
    entry_id = await new_entry_id(tab)
    where: dict[str, Any] = {"path": routes.WRITE, "query": {"id": entry_id}}
    await tab.exchange(handler_name(EditorState, "open_editor"), **where)
    saved = app.marker(f"{label}-saved")
    typed = await tab.exchange(handler_name(EditorState, "edit_body"), {"value": saved}, **where)
    seen = state_of(typed, EditorState)["draft_seen"]
    unsent = {"entry_id": entry_id, "title": "", "seen": seen, "known_title": "", "known_body": saved}
    return {f"unsent_{name}": value for name, value in unsent.items()}, saved


def _drafts_of(email: str) -> dict[str, str]:
    with session_scope() as session:
        owner = session.exec(select(User.id).where(col(User.email) == email)).one()
        return {str(d.item_id): d.fields["body"] for d in drafts.every_draft(session, owner_id=owner)}


async def test_words_typed_as_another_device_signed_this_one_out_are_back_after_signing_in(
    running_app: RunningApp,
) -> None:
    app = running_app
    email, password = await _client(app, "back-in")
    cookie = await sign_in(app.url, email, password)
    async with connected(app, cookie) as phone:
        form, saved = await _half_written(app, phone, "back-in")
    laptop = await sign_in(app.url, email, password)
    assert await asyncio.to_thread(sign_out, app.url, laptop, everywhere=True) == 303
    tail = " " + app.marker("right-before-the-other-device")
    form["unsent_body"] = saved + tail
    # A wrong password writes nothing (the page keeps the words for another try).
    status, headers = await post_sign_in(app.url, email, "not-the-password-1", form)
    assert (status, headers["location"].split("?")[0]) == (303, routes.SIGN_IN)
    with app.core():
        assert _drafts_of(email) == {form["unsent_entry_id"]: saved}
    # The id spelled another way still names the draft; the page it opens spells it one way.
    spelled = {**form, "unsent_entry_id": form["unsent_entry_id"].upper()}
    status, headers = await post_sign_in(app.url, email, password, spelled)
    assert (status, headers["location"]) == (303, routes.write(form["unsent_entry_id"]))
    with app.core():
        assert _drafts_of(email) == {form["unsent_entry_id"]: saved + tail}


async def test_words_carried_into_a_sign_in_write_only_into_the_signed_in_persons_own_draft(
    running_app: RunningApp,
) -> None:
    """Another client signing in on the same phone, with the first one's words still in its
    memory (or with a forged form naming them): their sign-in goes on as ever, and nothing
    is written anywhere. Words too long to keep are refused alike; a draft written since on
    another device is kept apart, as the beacon keeps it."""
    app = running_app
    owner, owner_password = await _client(app, "words-owner")
    other, other_password = await _client(app, "someone-else")
    async with connected(app, await sign_in(app.url, owner, owner_password)) as phone:
        form, saved = await _half_written(app, phone, "words-owner")
        form["unsent_body"] = saved + " " + app.marker("not-yours")
        status, headers = await post_sign_in(app.url, other, other_password, form)
        assert status == 303 and headers["location"] != routes.write(form["unsent_entry_id"])
        assert headers.get("set-cookie")
        with app.core():
            assert _drafts_of(owner) == {form["unsent_entry_id"]: saved}
            assert _drafts_of(other) == {}
        # Too long for a draft: refused, the sign-in goes on to the journal as usual.
        too_long = {**form, "unsent_body": "x" * 200_000}
        status, headers = await post_sign_in(app.url, owner, owner_password, too_long)
        assert (status, headers["location"]) == (303, routes.HOME)
        # Written since on the laptop (the phone's `seen` is older): kept apart, not lost.
        where: dict[str, Any] = {"path": routes.WRITE, "query": {"id": form["unsent_entry_id"]}}
        laptop_words = app.marker("typed-on-the-laptop")
        await phone.exchange(handler_name(EditorState, "edit_body"), {"value": laptop_words}, **where)
    status, headers = await post_sign_in(app.url, owner, owner_password, form)
    assert (status, headers["location"]) == (303, routes.write(form["unsent_entry_id"]))
    with app.core():
        kept = _drafts_of(owner)
    assert kept[form["unsent_entry_id"]] == form["unsent_body"]
    assert sorted(kept.values()) == sorted([form["unsent_body"], laptop_words])

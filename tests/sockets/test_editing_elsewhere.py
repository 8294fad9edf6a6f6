"""One entry edited on two devices (a phone and a laptop, or two tabs), through the running
app: a save never replaces words its writer never saw. The second save, made on the version
both opened, becomes a new private entry, and the person is told so."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from appserver import RunningApp
from socket_support import (
    connected,
    new_password,
    pushed_values,
    redirect_targets,
    save_payload,
    state_of,
    write_entry,
)
from socketclient import EventClient, handler_name, post_form, sign_in, var_value
from sqlmodel import col, select

from betterjournal import routes
from betterjournal.core import drafts
from betterjournal.db import session_scope
from betterjournal.models import User
from betterjournal.state.base import AppState
from betterjournal.state.editor import EditorState
from betterjournal.state.items import ItemSharingState
from betterjournal.state.journal import EntryState


async def _open(tab: EventClient, entry_id: str) -> None:
    await tab.exchange(handler_name(EditorState, "open_editor"), path=routes.WRITE, query={"id": entry_id})


async def _save(tab: EventClient, entry_id: str, title: str, body: str) -> tuple[str, str]:
    """Save from the editor of `entry_id`; the entry the save went to, and its notice."""
    where: dict[str, Any] = {"path": routes.WRITE, "query": {"id": entry_id}}
    await tab.exchange(handler_name(EditorState, "edit_body"), {"value": body}, **where)
    updates = await tab.exchange(handler_name(EditorState, "save_entry"), save_payload(title, body), **where)
    (target,) = [path for path in redirect_targets(updates) if path.startswith(routes.ENTRY)]
    saved_to = target.split("id=")[1]
    loaded = await tab.exchange(
        handler_name(EntryState, "load_entry"), path=routes.ENTRY, query={"id": saved_to}
    )
    return saved_to, state_of(loaded, AppState).get("notice", "")


async def _words(tab: EventClient, entry_id: str) -> tuple[str, str]:
    loaded = await tab.exchange(
        handler_name(EntryState, "load_entry"), path=routes.ENTRY, query={"id": entry_id}
    )
    shown = state_of(loaded, EntryState)
    return shown.get("title", ""), shown.get("body", "")


async def _typed_in_both(
    app: RunningApp, a: EventClient, b: EventClient, entry_id: str
) -> tuple[dict[str, Any], str, str]:
    """The entry open in tabs A and B; A types, then B (A's words are kept apart, and B is
    told). The editor's page, and the words typed in A and in B."""
    await _open(a, entry_id)
    await _open(b, entry_id)
    where: dict[str, Any] = {"path": routes.WRITE, "query": {"id": entry_id}}
    a_words, b_words = app.marker("a-words"), app.marker("b-words")
    await a.exchange(handler_name(EditorState, "edit_body"), {"value": a_words}, **where)
    typed = await b.exchange(handler_name(EditorState, "edit_body"), {"value": b_words}, **where)
    assert "kept as a separate draft" in state_of(typed, AppState).get("notice", "")
    return where, a_words, b_words


async def _told(tab: EventClient, since: int) -> str:
    """The notice the server pushed to the tab after `since` (no event sent meanwhile)."""
    return (await pushed_values(tab, since, AppState, lambda v: bool(v.get("notice"))))["notice"]


async def _signed_in_twice(app: RunningApp, label: str) -> tuple[str, str]:
    """A new client signed in on two devices (a phone and a laptop): their two cookies."""
    email, password = f"{label}-{uuid.uuid4().hex[:8]}@example.com", new_password()
    await asyncio.to_thread(app.create_user, "client", email, label.replace("-", " ").title(), password)
    return await sign_in(app.url, email, password), await sign_in(app.url, email, password)


async def test_an_entry_saved_on_two_devices_keeps_both_versions(running_app: RunningApp) -> None:
    app = running_app
    phone_cookie, laptop_cookie = await _signed_in_twice(app, "two-devices")
    async with connected(app, phone_cookie) as phone, connected(app, laptop_cookie) as laptop:
        entry = await write_entry(app, phone, "two-devices")
        # Both open the entry as it is saved now, and each writes something else.
        await _open(phone, entry.id)
        await _open(laptop, entry.id)
        phone_words, laptop_words = app.marker("from-the-phone"), app.marker("from-the-laptop")
        saved_to, notice = await _save(phone, entry.id, entry.title, phone_words)
        assert (saved_to, notice) == (entry.id, "Entry saved. It is private until you share it.")

        # The laptop's save was made on the version before the phone's: it doesn't replace
        # the phone's words; it becomes a new entry, and the laptop is told why.
        kept_apart, notice = await _save(laptop, entry.id, entry.title, laptop_words)
        assert kept_apart != entry.id
        assert notice == (
            "This entry was changed in another tab or on another device while you were writing here. "
            "So that nothing is lost, your version is saved as a new entry, private until you share it."
        )
        assert await _words(laptop, entry.id) == (entry.title, phone_words)
        assert await _words(laptop, kept_apart) == (entry.title, laptop_words)

        # Opened again, the entry saves over its own latest version as usual.
        await _open(laptop, entry.id)
        saved_to, notice = await _save(laptop, entry.id, entry.title, laptop_words)
        assert (saved_to, notice) == (entry.id, "Entry saved. It is private until you share it.")
        assert await _words(phone, entry.id) == (entry.title, laptop_words)


async def test_an_entry_deleted_on_one_device_while_written_on_another_keeps_the_words(
    running_app: RunningApp,
) -> None:
    app = running_app
    phone_cookie, laptop_cookie = await _signed_in_twice(app, "deleted-elsewhere")
    async with connected(app, phone_cookie) as phone, connected(app, laptop_cookie) as laptop:
        entry = await write_entry(app, phone, "deleted-elsewhere")
        await _open(laptop, entry.id)
        await phone.exchange(
            handler_name(EntryState, "load_entry"), path=routes.ENTRY, query={"id": entry.id}
        )
        await phone.exchange(
            handler_name(ItemSharingState, "delete_item"),
            {"item_id": entry.id},
            path=routes.ENTRY,
            query={"id": entry.id},
        )
        words = app.marker("written-on-the-laptop")
        kept_apart, notice = await _save(laptop, entry.id, entry.title, words)
        assert kept_apart != entry.id
        assert notice == (
            "This entry was deleted in another tab or on another device while you were writing here. "
            "So that nothing is lost, your words are saved as a new entry, private until you share it."
        )
        assert await _words(laptop, kept_apart) == (entry.title, words)
        gone = await laptop.exchange(
            handler_name(EntryState, "load_entry"), path=routes.ENTRY, query={"id": entry.id}
        )
        assert state_of(gone, EntryState).get("body", "") == ""  # the deleted entry stays deleted


async def test_a_draft_typed_on_two_devices_keeps_both_sets_of_words(running_app: RunningApp) -> None:
    """Found in a walk-through: the same saved entry open on a phone and a laptop, words added
    on each ("Draft saved" on both), neither saved: only the laptop's words were left. Now
    the laptop's autosave keeps the phone's words as a draft of their own and says so; the
    phone's next autosave does the same for the laptop's. Nothing is written over."""
    app = running_app
    phone_cookie, laptop_cookie = await _signed_in_twice(app, "two-drafts")
    async with connected(app, phone_cookie) as phone, connected(app, laptop_cookie) as laptop:
        entry = await write_entry(app, phone, "two-drafts")
        await _open(phone, entry.id)
        await _open(laptop, entry.id)
        where: dict[str, Any] = {"path": routes.WRITE, "query": {"id": entry.id}}
        alpha, bravo = app.marker("alpha-on-the-phone"), app.marker("bravo-on-the-laptop")
        typed = await phone.exchange(handler_name(EditorState, "edit_body"), {"value": alpha}, **where)
        assert state_of(typed, EditorState).get("draft_status") == "Draft saved"
        assert state_of(typed, AppState).get("notice", "") == ""
        since = len(phone.received)
        typed = await laptop.exchange(handler_name(EditorState, "edit_body"), {"value": bravo}, **where)
        assert state_of(typed, EditorState).get("draft_status") == "Draft saved"
        assert state_of(typed, AppState).get("notice") == (
            "This entry is being changed in another tab or on another device too. So that nothing is "
            "lost, the words written there are kept as a separate draft in your journal."
        )
        # The phone, whose words were kept apart, is told at once; its words stay on its screen.
        assert (await _told(phone, since)).startswith("Your words here were just changed")
        assert "body" not in state_of(phone.received[since:], EditorState)
        typed = await phone.exchange(handler_name(EditorState, "edit_body"), {"value": alpha + "!"}, **where)
        assert "kept as a separate draft" in state_of(typed, AppState).get("notice", "")
    with app.core(), session_scope() as session:
        owner = session.exec(select(User.id).where(col(User.email).startswith("two-drafts-"))).one()
        kept = [d.fields["body"] for d in drafts.every_draft(session, owner_id=owner)]
    assert sorted(kept) == sorted([alpha, bravo, alpha + "!"])


async def test_words_set_aside_then_saved_as_a_new_entry_leave_no_copy_in_the_drafts(
    running_app: RunningApp,
) -> None:
    """Walk-through: one entry open in two tabs; A's words were kept apart as a draft when B
    typed, B saved, then A saved its version as a new entry (as told): A's words were in the
    journal twice, as that entry and as the draft kept apart."""
    app = running_app
    a_cookie, b_cookie = await _signed_in_twice(app, "twin-tabs")
    async with connected(app, a_cookie) as a, connected(app, b_cookie) as b:
        entry = await write_entry(app, a, "twin-tabs")
        _where, a_words, b_words = await _typed_in_both(app, a, b, entry.id)
        assert (await _save(b, entry.id, entry.title, b_words))[0] == entry.id
        kept_apart, notice = await _save(a, entry.id, entry.title, a_words)
        assert kept_apart != entry.id and "saved as a new entry" in notice
        assert await _words(a, kept_apart) == (entry.title, a_words)
    with app.core(), session_scope() as session:
        owner = session.exec(select(User.id).where(col(User.email).startswith("twin-tabs-"))).one()
        assert drafts.every_draft(session, owner_id=owner) == []


async def test_saving_in_one_tab_keeps_the_words_another_tab_wrote_into_the_draft_since(
    running_app: RunningApp,
) -> None:
    """Walk-through: one entry open in two tabs. A typed; B typed (A's words kept apart, as
    B was told); A saved. Saving ended the entry's draft, which held B's words: they were
    gone, from the drafts, the entry and the archive, while B still showed "Draft saved".
    Now A's save keeps them as a draft of their own first, and says so; the copy of A's
    words kept apart goes, as they are saved."""
    app = running_app
    a_cookie, b_cookie = await _signed_in_twice(app, "saved-over")
    async with connected(app, a_cookie) as a, connected(app, b_cookie) as b:
        entry = await write_entry(app, a, "saved-over")
        where, a_words, b_words = await _typed_in_both(app, a, b, entry.id)
        # A taps Save with the words on its screen, its last autosave before B typed.
        since = len(b.received)
        saved = await a.exchange(
            handler_name(EditorState, "save_entry"), save_payload(entry.title, a_words), **where
        )
        assert redirect_targets(saved) == [routes.entry(entry.id)]
        loaded = await a.exchange(
            handler_name(EntryState, "load_entry"), path=routes.ENTRY, query={"id": entry.id}
        )
        assert state_of(loaded, AppState).get("notice") == (
            "Entry saved. It is private until you share it. The words written meanwhile in another tab "
            "or on another device are kept as a separate draft in your journal."
        )
        assert await _words(a, entry.id) == (entry.title, a_words)
        assert (await _told(b, since)).startswith("Your words here were just changed")  # B's kept apart
    with app.core(), session_scope() as session:
        owner = session.exec(select(User.id).where(col(User.email).startswith("saved-over-"))).one()
        kept = [d.fields["body"] for d in drafts.every_draft(session, owner_id=owner)]
    assert kept == [b_words]


async def test_a_closing_tabs_beacon_keeps_the_words_another_device_wrote_since(
    running_app: RunningApp,
) -> None:
    """Attack review: the laptop's tab closing sends its last words by beacon; the phone had
    written the draft since, and the beacon wrote over the phone's words (the websocket's
    autosave kept them apart). The beacon now says which draft the tab last saw, and the
    words it held then, as the websocket does. A beacon about the tab's own draft, or one
    that saw none, still just keeps its words."""
    app = running_app
    phone_cookie, laptop_cookie = await _signed_in_twice(app, "beacon-drafts")
    async with connected(app, laptop_cookie) as laptop, connected(app, phone_cookie) as phone:
        entry = await write_entry(app, laptop, "beacon-drafts")
        where: dict[str, Any] = {"path": routes.WRITE, "query": {"id": entry.id}}
        await _open(laptop, entry.id)
        first = app.marker("laptop-first")
        typed = await laptop.exchange(handler_name(EditorState, "edit_body"), {"value": first}, **where)
        seen = state_of(typed, EditorState)["draft_seen"]
        form_token, mark = var_value(laptop.received, "form_token"), var_value(laptop.received, "words_mark")
        await _open(phone, entry.id)
        on_the_bus = app.marker("phone-on-the-bus")
        await phone.exchange(handler_name(EditorState, "edit_body"), {"value": on_the_bus}, **where)

        def beacon(body: str, seen: str, known_body: str) -> int:
            form = {
                "form_token": form_token,
                "entry_id": entry.id,
                "title": entry.title,
                "body": body,
                "seen": seen,
                "known_title": entry.title,
                "known_body": known_body,
                "mark": mark,
            }
            return post_form(app.url, routes.API_KEEP_DRAFT, form, cookie=laptop_cookie)[0]

        last = first + " and a second paragraph, typed on the laptop"
        since = len(phone.received)
        assert await asyncio.to_thread(beacon, last, seen, first) == 204
        # The phone's words, written over by the closing tab's, were kept apart: it says so.
        assert (await _told(phone, since)).startswith("Your words here were just changed")
        assert await asyncio.to_thread(beacon, "x", "not a time", first) == 400
    with app.core(), session_scope() as session:
        owner = session.exec(select(User.id).where(col(User.email).startswith("beacon-drafts-"))).one()
        kept = {d.item_id: d.fields["body"] for d in drafts.every_draft(session, owner_id=owner)}
    assert kept[uuid.UUID(entry.id)] == last
    assert sorted(kept.values()) == sorted([last, on_the_bus])

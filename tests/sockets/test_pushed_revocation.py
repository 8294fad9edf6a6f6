"""AUTHZ-6, pushed: a clinician's open tab loses an item the moment the client revokes it,
ends the link or deletes it, without sending anything; and the tab's token, reconnecting
and sending Reflex's `hydrate`, gets nothing of the item back from server memory."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from appserver import RunningApp
from reflex.state import State
from socket_support import (
    Actor,
    Entry,
    World,
    connect,
    connected,
    database_path,
    delete_entry,
    invitation_code,
    link,
    new_audit_rows,
    new_password,
    problem_of,
    reconnect_same_token,
    redirects_of,
    save_payload,
    secrets_in,
    set_shared,
    snapshot,
    state_of,
    uuid_hex,
    write_entry,
    writes_between,
)
from socketclient import EventClient, handler_name, sign_in

from betterjournal import routes
from betterjournal.state.base import AppState
from betterjournal.state.care_team import CareTeamState
from betterjournal.state.clinician import ClientsState, SharedWaitingState, SharedWithMeState
from betterjournal.state.editor import EditorState
from betterjournal.state.items import ItemSharingState
from betterjournal.state.journal import EntryState, JournalState

PUSH_WITHIN_SECONDS = 2.0


async def _new_linked_client(app: RunningApp, clinician: Actor, label: str) -> Actor:
    client = Actor(
        label=label,
        role="client",
        email=f"live-{label}-{uuid.uuid4().hex[:8]}@example.com",
        name=f"Live {label} {uuid.uuid4().hex[:6]}",
        password=new_password(),
    )
    await asyncio.to_thread(app.create_user, "client", client.email, client.name, client.password)
    client.cookie = await sign_in(app.url, client.email, client.password)
    await link(app, client, clinician)
    return client


async def _pushed(
    tab: EventClient, since: int, found: Callable[[list[dict[str, Any]]], bool]
) -> list[dict[str, Any]]:
    """What the server pushed to the tab after `since`, once `found` holds of it."""
    deadline = time.monotonic() + PUSH_WITHIN_SECONDS
    while time.monotonic() < deadline:
        if found(pushed := tab.received[since:]):
            return pushed
        await asyncio.sleep(0.02)
    raise AssertionError(f"no push within {PUSH_WITHIN_SECONDS} s: {json.dumps(tab.received[since:])[:500]}")


async def _open_shared(tab: EventClient, entry_id: str) -> dict[str, Any]:
    """The clinician's tab opens a shared entry; what it then shows."""
    shown = await tab.exchange(
        handler_name(SharedWithMeState, "load_shared_entry"), path=routes.SHARED_ENTRY, query={"id": entry_id}
    )
    return state_of(shown, SharedWithMeState).get("reading") or {}


async def _hydrate_again(
    app: RunningApp, token: str, cookie: str, path: str, query: dict[str, str] | None = None
) -> list[dict[str, Any]]:
    """The same tab token reconnects and asks for its whole state again."""
    again = await reconnect_same_token(app, token, cookie)
    try:
        return await again.exchange(handler_name(State, "hydrate"), path=path, query=query)
    finally:
        await again.close()


async def _revoke(app: RunningApp, owner: Actor, entry: Entry, clinician: Actor) -> None:
    async with connected(app, owner.cookie) as tab:
        await set_shared(tab, entry, clinician, False)


async def _delete(app: RunningApp, owner: Actor, entry: Entry, clinician: Actor) -> None:
    async with connected(app, owner.cookie) as tab:
        await delete_entry(tab, entry)


async def _end_link(app: RunningApp, owner: Actor, entry: Entry, clinician: Actor) -> None:
    async with connected(app, owner.cookie) as tab:
        where: dict[str, Any] = {"path": routes.CARE_TEAM}
        await tab.exchange(handler_name(CareTeamState, "load_care_team"), **where)
        ended = await tab.exchange(
            handler_name(CareTeamState, "end_link"), {"clinician_id": clinician.id}, **where
        )
        assert state_of(ended, CareTeamState).get("clinicians") == [], "the link did not end"


async def _clinician_ends_link(app: RunningApp, owner: Actor, entry: Entry, clinician: Actor) -> None:
    """The clinician ends it, from the client's page in another of their own tabs."""
    async with connected(app, clinician.cookie) as tab:
        where: dict[str, Any] = {"path": routes.CLIENT_ENTRIES, "query": {"client": owner.id}}
        await tab.exchange(handler_name(SharedWithMeState, "load_client_entries"), **where)
        ended = await tab.exchange(handler_name(ClientsState, "end_link"), {"client_id": owner.id}, **where)
        assert redirects_of(ended) == [routes.CLIENTS], "the link did not end"


async def _stop_sharing_everything(app: RunningApp, owner: Actor, entry: Entry, clinician: Actor) -> None:
    """PRIV-2: every share to the clinician at once, from the Care team page; still linked."""
    async with connected(app, owner.cookie) as tab:
        where: dict[str, Any] = {"path": routes.CARE_TEAM}
        await tab.exchange(handler_name(CareTeamState, "load_care_team"), **where)
        stopped = await tab.exchange(
            handler_name(CareTeamState, "stop_sharing_everything"), {"clinician_id": clinician.id}, **where
        )
        assert state_of(stopped, AppState).get("notice") == (
            f"Everything you had shared with {clinician.name} is private again. You're still connected."
        )
        listed = await tab.exchange(handler_name(CareTeamState, "load_care_team"), **where)
        assert [p["id"] for p in state_of(listed, CareTeamState)["clinicians"]] == [clinician.id]


LINK_ENDED = "This client's link with you has ended. Nothing they shared is visible to you now."

ACTIONS: dict[str, Callable[[RunningApp, Actor, Entry, Actor], Awaitable[None]]] = {
    "revoke": _revoke,
    "stop_sharing_everything": _stop_sharing_everything,
    "end_link": _end_link,
    "clinician_ends_link": _clinician_ends_link,
    "delete": _delete,
}


@pytest.mark.parametrize("action", list(ACTIONS))
async def test_an_open_shared_entry_disappears_at_once_and_hydrate_brings_nothing(
    world: World, action: str
) -> None:
    app, c = world.app, world["c"]
    owner = await _new_linked_client(app, c, action)
    async with connected(app, owner.cookie) as tab:
        entry = await write_entry(app, tab, f"live-{action}")
        await set_shared(tab, entry, c, True)
    secret = {entry.title, entry.body}

    # The clinician has the entry open, and sends nothing more.
    clinician_tab = await connect(app, c.cookie)
    token = clinician_tab.token
    try:
        assert (await _open_shared(clinician_tab, entry.id)).get("body") == entry.body
        since = len(clinician_tab.received)
        await ACTIONS[action](app, owner, entry, c)
        pushed = await _pushed(
            clinician_tab, since, lambda p: state_of(p, SharedWithMeState).get("reading_available") is False
        )
        assert secrets_in(pushed, secret) == []
        assert (state_of(pushed, SharedWithMeState).get("reading") or {}).get("body") == ""
        # Why, when the link ended (a walk-through read "may have been made private").
        said = state_of(pushed, AppState).get("notice", "")
        assert (said == LINK_ENDED) == ("link" in action), said
    finally:
        await clinician_tab.close()

    hydrated = await _hydrate_again(app, token, c.cookie, routes.SHARED_ENTRY, {"id": entry.id})
    assert secrets_in(hydrated, secret | ({owner.name} if "link" in action else set())) == []


async def test_hydrate_on_another_page_drops_what_the_tab_held(world: World) -> None:
    """Leaving the page clears the decrypted text from the tab's state: a hydrate sent from
    another page (as after navigating away and reconnecting) carries none of it."""
    app, c, shared = world.app, world["c"], world.entries["shared"]
    tab = await connect(app, c.cookie)
    token = tab.token
    try:
        assert (await _open_shared(tab, shared.id)).get("body") == shared.body
    finally:
        await tab.close()
    hydrated = await _hydrate_again(app, token, c.cookie, routes.CLIENTS)
    assert secrets_in(hydrated, {shared.title, shared.body}) == []


async def test_a_new_share_and_seen_reach_the_other_persons_open_page(world: World) -> None:
    """The other direction of live updates: a new share reaches the clinician's open list at
    once, as an offer to show it ("Something new was shared…"), not its words: a tab left
    open told the client "Seen" the moment they shared (walk-through). Nothing of it is in
    the push, audited or marked seen until the clinician taps Show; then "seen" appears on
    the client's open entry page without a click."""
    app, c = world.app, world["c"]
    owner = await _new_linked_client(app, c, "share-seen")
    client_tab, clinician_tab = await connect(app, owner.cookie), await connect(app, c.cookie)
    list_page = {"path": routes.CLIENT_ENTRIES, "query": {"client": owner.id}}
    try:
        await clinician_tab.exchange(handler_name(SharedWithMeState, "load_client_entries"), **list_page)
        entry = await write_entry(app, client_tab, "share-seen")  # leaves the tab on the entry
        since = len(clinician_tab.received)
        before = snapshot(app)
        await set_shared(client_tab, entry, c, True)
        pushed = await _pushed(
            clinician_tab, since, lambda pushed: bool(state_of(pushed, AppState).get("shared_waiting_on"))
        )
        assert state_of(pushed, AppState)["shared_waiting_on"] == routes.CLIENT_ENTRIES
        assert secrets_in(pushed, {entry.title, entry.body}) == []
        # Made private again before the clinician looked: the offer goes with it (a
        # walk-through tapped "Show it" and read "Nothing is shared with you right now").
        since = len(clinician_tab.received)
        await set_shared(client_tab, entry, c, False)
        await _pushed(
            clinician_tab, since, lambda pushed: state_of(pushed, AppState).get("shared_waiting_on") == ""
        )
        since = len(clinician_tab.received)
        await set_shared(client_tab, entry, c, True)
        pushed = await _pushed(
            clinician_tab, since, lambda pushed: bool(state_of(pushed, AppState).get("shared_waiting_on"))
        )
        await asyncio.sleep(0.3)
        assert [row for row in new_audit_rows(before, snapshot(app)) if row[3] == "VIEW_SHARED_ITEM"] == []
        first_seen = "SELECT first_seen_at FROM item_share WHERE item_id = ? AND revoked_at IS NULL"
        with sqlite3.connect(f"file:{database_path(app)}?mode=ro", uri=True) as db:
            assert db.execute(first_seen, (uuid_hex(entry.id),)).fetchall() == [(None,)]

        since = len(client_tab.received)
        shown = await clinician_tab.exchange(
            handler_name(SharedWaitingState, "show_shared_waiting"), **list_page
        )
        assert [e["id"] for e in state_of(shown, SharedWithMeState)["entries"]] == [entry.id]
        assert state_of(shown, AppState)["shared_waiting_on"] == ""

        def seen(pushed: list[dict[str, Any]]) -> bool:
            shares = state_of(pushed, ItemSharingState).get("shares") or []
            return any(s["clinician_id"] == c.id and "Seen on" in s["status"] for s in shares)

        await _pushed(client_tab, since, seen)
        await _open_shared(clinician_tab, entry.id)

        # The client edits it: the clinician's open entry shows the new words.
        edited = app.marker("share-seen-edited")
        where: dict[str, Any] = {"path": routes.WRITE, "query": {"id": entry.id}}
        opened = await client_tab.exchange(handler_name(EditorState, "open_editor"), **where)
        # The editor says the entry is shared: saving shows the new words to them.
        assert state_of(opened, EditorState).get("shared_line") == (
            f"Shared with {c.name}: once you save, they see your changes."
        )
        since = len(clinician_tab.received)
        await client_tab.exchange(
            handler_name(EditorState, "save_entry"), save_payload(entry.title, edited), **where
        )

        def shows_edit(pushed: list[dict[str, Any]]) -> bool:
            reading = state_of(pushed, SharedWithMeState).get("reading") or {}
            # The new words, and that they changed since written ("· edited …").
            return reading.get("body") == edited and " · edited " in reading.get("dates", "")

        pushed = await _pushed(clinician_tab, since, shows_edit)
        # And the clinician is told the words changed under their eyes (walk7 L1).
        assert state_of(pushed, AppState).get("notice") == (
            f"{owner.name} changed this entry. You're reading it as it is now."
        )
        # The client is told it is still shared (not "private until you share it").
        loaded = await client_tab.exchange(
            handler_name(EntryState, "load_entry"), path=routes.ENTRY, query={"id": entry.id}
        )
        assert state_of(loaded, AppState).get("notice") == f"Entry saved. Still shared with {c.name}."
        # The push showed the edit on a page nobody may be looking at: "Seen" is still said of
        # what they saw before it (walk-through 14 M1).
        (status,) = [
            s["status"] for s in state_of(loaded, ItemSharingState)["shares"] if s["clinician_id"] == c.id
        ]
        assert ", before your changes of " in status, status
        # Made private: the entry goes, and the notice about the change with it.
        since = len(clinician_tab.received)
        await set_shared(client_tab, entry, c, False)
        gone = await _pushed(
            clinician_tab, since, lambda p: state_of(p, SharedWithMeState).get("reading_available") is False
        )
        assert state_of(gone, AppState).get("notice") == ""
    finally:
        await client_tab.close()
        await clinician_tab.close()


async def test_seen_reaches_the_clients_open_journal_list(world: World) -> None:
    """The client's journal list says who has seen each shared entry, and says it the moment
    the clinician opens it, on the client's open list, without a click."""
    app, c = world.app, world["c"]
    owner = await _new_linked_client(app, c, "list-seen")
    client_tab, clinician_tab = await connect(app, owner.cookie), await connect(app, c.cookie)
    try:
        entry = await write_entry(app, client_tab, "list-seen")
        await set_shared(client_tab, entry, c, True)

        def label_of(updates: list[dict[str, Any]]) -> str:
            cards = state_of(updates, JournalState).get("entries") or []
            return next((card["label"] for card in cards if card["id"] == entry.id), "")

        listed = await client_tab.exchange(handler_name(JournalState, "load_journal"), path=routes.JOURNAL)
        assert label_of(listed) == f"Shared with {c.name}"
        since = len(client_tab.received)
        await _open_shared(clinician_tab, entry.id)
        await _pushed(client_tab, since, lambda pushed: label_of(pushed) == f"Shared with {c.name} · Seen")
    finally:
        await client_tab.close()
        await clinician_tab.close()


@pytest.mark.parametrize("page", ["journal", "entry"])
async def test_a_clients_own_words_leave_the_tab_state_with_the_page(world: World, page: str) -> None:
    """The client's own decrypted entries are held for the page that shows them: a hydrate
    from another page (as after navigating away and reconnecting) carries none of them."""
    app, a, shared = world.app, world["a"], world.entries["shared"]
    tab = await connect(app, a.cookie)
    token = tab.token
    try:
        if page == "journal":
            shown = await tab.exchange(handler_name(JournalState, "load_journal"), path=routes.JOURNAL)
        else:
            shown = await tab.exchange(
                handler_name(EntryState, "load_entry"), path=routes.ENTRY, query={"id": shared.id}
            )
        assert secrets_in(shown, {shared.body}) == [shared.body] or secrets_in(shown, {shared.title})
    finally:
        await tab.close()
    hydrated = await _hydrate_again(app, token, a.cookie, routes.CARE_TEAM)
    assert secrets_in(hydrated, {shared.title, shared.body}) == []


async def test_a_client_who_accepts_appears_on_the_clinicians_open_clients_page(world: World) -> None:
    app, c = world.app, world["c"]
    newcomer = Actor(
        label="newcomer",
        role="client",
        email=f"live-new-{uuid.uuid4().hex[:8]}@example.com",
        name=f"Live newcomer {uuid.uuid4().hex[:6]}",
        password=new_password(),
    )
    await asyncio.to_thread(app.create_user, "client", newcomer.email, newcomer.name, newcomer.password)
    newcomer.cookie = await sign_in(app.url, newcomer.email, newcomer.password)
    clinician_tab = await connect(app, c.cookie)
    try:
        await clinician_tab.exchange(handler_name(ClientsState, "load_clients"), path=routes.CLIENTS)
        code = await invitation_code(clinician_tab)
        since = len(clinician_tab.received)
        async with connected(app, newcomer.cookie) as tab:
            where: dict[str, Any] = {"path": routes.CARE_TEAM}
            await tab.exchange(handler_name(CareTeamState, "check_code"), {"form": {"code": code}}, **where)
            await tab.exchange(handler_name(CareTeamState, "accept_invitation"), **where)

        def listed(pushed: list[dict[str, Any]]) -> bool:
            clients = state_of(pushed, ClientsState).get("clients") or []
            return any(person["name"] == newcomer.name for person in clients)

        pushed = await _pushed(clinician_tab, since, listed)
        # Said, in place of "Invitation code created" (a walk-through's stayed on), and the
        # code used is gone from the page.
        assert state_of(pushed, AppState).get("notice") == (
            f"{newcomer.name} accepted your invitation. You're now connected."
        )
        assert state_of(pushed, ClientsState).get("new_code") == ""
    finally:
        await clinician_tab.close()


async def test_a_clinician_ending_the_link_reaches_the_clients_open_care_team_page(world: World) -> None:
    """The clinician ends the link (the work together ended): every share to them is revoked,
    in their name in the audit; the client's open Care team page loses the clinician and
    says what that means, without a click; the client's entry is no longer readable."""
    app, c = world.app, world["c"]
    owner = await _new_linked_client(app, c, "clinician-ends")
    client_tab, clinician_tab = await connect(app, owner.cookie), await connect(app, c.cookie)
    try:
        entry = await write_entry(app, client_tab, "clinician-ends")
        await set_shared(client_tab, entry, c, True)
        shown = await client_tab.exchange(
            handler_name(CareTeamState, "load_care_team"), path=routes.CARE_TEAM
        )
        assert [p["name"] for p in state_of(shown, CareTeamState).get("clinicians") or []] == [c.name]
        assert (await _open_shared(clinician_tab, entry.id)).get("body") == entry.body

        # The client has the shared entry open in another tab.
        entry_tab = await connect(app, owner.cookie)
        opened = await entry_tab.exchange(
            handler_name(EntryState, "load_entry"), path=routes.ENTRY, query={"id": entry.id}
        )
        assert [line["clinician_name"] for line in state_of(opened, ItemSharingState)["shares"]] == [c.name]
        on_entry = len(entry_tab.received)
        since, before = len(client_tab.received), snapshot(app)
        where: dict[str, Any] = {"path": routes.CLIENT_ENTRIES, "query": {"client": owner.id}}
        ended = await clinician_tab.exchange(
            handler_name(ClientsState, "end_link"), {"client_id": owner.id}, **where
        )
        assert redirects_of(ended) == [routes.CLIENTS]
        # The entry's page says why its switch went (it went to "Only you" without a word).
        await _pushed(
            entry_tab,
            on_entry,
            lambda pushed: (
                state_of(pushed, ItemSharingState).get("shares") == []
                and state_of(pushed, AppState).get("notice")
                == f"You're no longer connected with {c.name}. Everything you had shared is private again."
            ),
        )
        await entry_tab.close()

        def told(pushed: list[dict[str, Any]]) -> bool:
            return (
                state_of(pushed, CareTeamState).get("clinicians") == []
                and state_of(pushed, AppState).get("notice")
                == f"You're no longer connected with {c.name}. Everything you had shared is private again."
                # and after the notice, the page still says it (a walk-through: "not connected yet")
                and [line.split(" on ")[0] for line in state_of(pushed, CareTeamState).get("ended") or []]
                == [f"{c.name} ended your connection"]
            )

        await _pushed(client_tab, since, told)
        rows = new_audit_rows(before, snapshot(app))
        assert {(row[1], row[3]) for row in rows} == {(uuid_hex(c.id), "UNLINK"), (uuid_hex(c.id), "REVOKE")}
        # Where the redirect goes: the list, without the client, and the notice.
        listed = await clinician_tab.exchange(handler_name(ClientsState, "load_clients"), path=routes.CLIENTS)
        assert state_of(listed, AppState).get("notice") == (
            f"You're no longer connected with {owner.name}. Nothing they shared is visible to you now."
        )
        assert owner.id not in {p["id"] for p in state_of(listed, ClientsState).get("clients") or []}
        assert (await _open_shared(clinician_tab, entry.id)).get("body", "") == ""
    finally:
        await client_tab.close()
        await clinician_tab.close()


async def test_a_client_who_leaves_goes_from_the_clinicians_open_clients_page_with_a_word(
    world: World,
) -> None:
    app, c = world.app, world["c"]
    owner = await _new_linked_client(app, c, "leaves")
    clinician_tab = await connect(app, c.cookie)
    try:
        listed = await clinician_tab.exchange(handler_name(ClientsState, "load_clients"), path=routes.CLIENTS)
        assert owner.id in {p["id"] for p in state_of(listed, ClientsState).get("clients") or []}
        since = len(clinician_tab.received)
        async with connected(app, owner.cookie) as tab:
            where: dict[str, Any] = {"path": routes.CARE_TEAM}
            await tab.exchange(handler_name(CareTeamState, "load_care_team"), **where)
            await tab.exchange(handler_name(CareTeamState, "end_link"), {"clinician_id": c.id}, **where)

        def gone_and_said(pushed: list[dict[str, Any]]) -> bool:
            clients = state_of(pushed, ClientsState).get("clients")
            return (
                clients is not None
                and owner.id not in {p["id"] for p in clients}
                and state_of(pushed, AppState).get("notice")
                == f"{owner.name} is no longer connected with you."
                # the newest of the connections that ended lately (the world's clinician has others)
                and (state_of(pushed, ClientsState).get("ended") or [""])[0].split(" on ")[0]
                == f"{owner.name} ended your connection"
            )

        await _pushed(clinician_tab, since, gone_and_said)
    finally:
        await clinician_tab.close()


async def test_a_clinician_cannot_end_another_clinicians_link(world: World) -> None:
    """Clinician D names C's client A: refused in plain words, nothing written, A stays
    linked to C and C still reads what A shared."""
    app, a, c, d = world.app, world["a"], world["c"], world["d"]
    async with connected(app, d.cookie) as tab:
        before = snapshot(app)
        refused = await tab.exchange(
            handler_name(ClientsState, "end_link"),
            {"client_id": a.id},
            path=routes.CLIENT_ENTRIES,
            query={"client": a.id},
        )
        after = snapshot(app)
    assert problem_of(refused) == "You aren't connected to that client."
    assert redirects_of(refused) == []
    assert writes_between(before, after, allow_denied_audit=False) == []
    async with connected(app, c.cookie) as tab:
        assert (await _open_shared(tab, world.entries["shared"].id)).get("body") == world.entries[
            "shared"
        ].body


async def test_a_share_made_in_one_tab_shows_at_once_in_the_clients_other_tabs(world: World) -> None:
    """The same client on a phone and a laptop: sharing an entry on the phone, and making it
    private again, shows at once on the laptop's open editor ("Shared with …" under the form)
    and on its open entry page (the switch), without a click there."""
    app, c = world.app, world["c"]
    owner = await _new_linked_client(app, c, "own-tabs")
    laptop_cookie = await sign_in(app.url, owner.email, owner.password)
    phone, editor, reader = (
        await connect(app, owner.cookie),
        await connect(app, laptop_cookie),
        await connect(app, laptop_cookie),
    )
    try:
        entry = await write_entry(app, phone, "own-tabs")
        opened = await editor.exchange(
            handler_name(EditorState, "open_editor"), path=routes.WRITE, query={"id": entry.id}
        )
        assert state_of(opened, EditorState).get("shared_line") == ""  # private: nothing to say
        where: dict[str, Any] = {"path": routes.ENTRY, "query": {"id": entry.id}}
        await reader.exchange(handler_name(EntryState, "load_entry"), **where)

        def line_is(wanted: str) -> Callable[[list[dict[str, Any]]], bool]:
            return lambda pushed: state_of(pushed, EditorState).get("shared_line") == wanted

        def switch_is(wanted: bool) -> Callable[[list[dict[str, Any]]], bool]:
            def shown(pushed: list[dict[str, Any]]) -> bool:
                shares = state_of(pushed, ItemSharingState).get("shares") or []
                return [s["shared"] for s in shares if s["clinician_id"] == c.id] == [wanted]

            return shown

        shared_line = f"Shared with {c.name}: once you save, they see your changes."
        for shared, line in ((True, shared_line), (False, "")):
            since = (len(editor.received), len(reader.received))
            await set_shared(phone, entry, c, shared)
            await _pushed(editor, since[0], line_is(line))
            await _pushed(reader, since[1], switch_is(shared))
    finally:
        for tab in (phone, editor, reader):
            await tab.close()


async def test_a_revoke_naming_the_clinician_in_capitals_still_reaches_their_open_list(world: World) -> None:
    """The same id in another spelling is the same person: the push finds their tabs."""
    app, c = world.app, world["c"]
    owner = await _new_linked_client(app, c, "capitals")
    client_tab, clinician_tab = await connect(app, owner.cookie), await connect(app, c.cookie)
    try:
        entry = await write_entry(app, client_tab, "capitals")
        await set_shared(client_tab, entry, c, True)

        def listed(updates: list[dict[str, Any]]) -> list[str]:
            return [e["id"] for e in state_of(updates, SharedWithMeState).get("entries") or []]

        opened = await clinician_tab.exchange(
            handler_name(SharedWithMeState, "load_client_entries"),
            path=routes.CLIENT_ENTRIES,
            query={"client": owner.id},
        )
        assert entry.id in listed(opened)
        since = len(clinician_tab.received)
        await client_tab.exchange(
            handler_name(ItemSharingState, "set_shared"),
            {"item_id": entry.id, "clinician_id": c.id.upper(), "shared": False},
            path=routes.ENTRY,
            query={"id": entry.id},
        )
        await _pushed(clinician_tab, since, lambda pushed: "entries" in state_of(pushed, SharedWithMeState))
        assert entry.id not in listed(clinician_tab.received[since:])
    finally:
        await client_tab.close()
        await clinician_tab.close()


async def test_the_clinicians_client_list_says_what_is_new_and_a_share_reaches_it_at_once(
    world: World,
) -> None:
    """A walk-through: the Clients page, where a clinician lands, said nothing of what was new
    or waiting (only Caseload did). Each row says it now, as the caseload counts it; a new
    share reaches the open list at once, and what was opened is no longer new."""
    app, c = world.app, world["c"]
    owner = await _new_linked_client(app, c, "attention")
    load = handler_name(ClientsState, "load_clients")

    def row_of(updates: list[dict[str, Any]]) -> dict[str, Any] | None:
        rows = state_of(updates, ClientsState).get("clients") or []
        return next((row for row in rows if row["name"] == owner.name), None)

    async with connected(app, owner.cookie) as tab:
        first = await write_entry(app, tab, "attention-1")
        await set_shared(tab, first, c, True)
        async with connected(app, c.cookie) as doctor:
            shown = row_of(await doctor.exchange(load, path=routes.CLIENTS))
            assert shown is not None and shown["attention"] == ["1 new shared item"]
            since = len(doctor.received)
            second = await write_entry(app, tab, "attention-2")
            await set_shared(tab, second, c, True)
            await _pushed(
                doctor, since, lambda p: (row_of(p) or {}).get("attention") == ["2 new shared items"]
            )
            # and a screen reader hears it (walk-through 13 L3)
            news = state_of(doctor.received[since:], ClientsState).get("news")
            assert news == f"{owner.name}: 2 new shared items"
            # Less to look at is no news: nothing is said (and the last news is not kept).
            since = len(doctor.received)
            await set_shared(tab, second, c, False)
            await _pushed(
                doctor, since, lambda p: (row_of(p) or {}).get("attention") == ["1 new shared item"]
            )
            assert state_of(doctor.received[since:], ClientsState).get("news") == ""
            await set_shared(tab, second, c, True)
    async with connected(app, c.cookie) as doctor:
        for entry in (first, second):
            assert (await _open_shared(doctor, entry.id)).get("body") == entry.body
        shown = row_of(await doctor.exchange(load, path=routes.CLIENTS))
        assert shown is not None and shown["attention"] == []

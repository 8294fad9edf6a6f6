"""Older and newer pages of the lists, through the running app (keyset paging)."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from appserver import RunningApp
from socket_support import (
    Actor,
    connected,
    link,
    new_entry_id,
    new_password,
    save_payload,
    secrets_in,
    set_shared,
    state_of,
    write_entry,
)
from socketclient import EventClient, handler_name, sign_in

from betterjournal import routes
from betterjournal.core.drafts import DRAFTS_LISTED
from betterjournal.core.items import PAGE_SIZE
from betterjournal.state.care_team import CareTeamState
from betterjournal.state.clinician import SharedWithMeState
from betterjournal.state.editor import EditorState
from betterjournal.state.journal import JournalState

JOURNAL: dict[str, Any] = {"path": routes.JOURNAL}


async def _save(tab: EventClient, body: str) -> None:
    where: dict[str, Any] = {"path": routes.WRITE, "query": {"id": await new_entry_id(tab)}}
    await tab.exchange(handler_name(EditorState, "open_editor"), **where)
    await tab.exchange(handler_name(EditorState, "save_entry"), save_payload("", body), **where)


async def _page(tab: EventClient, handler: str) -> dict[str, Any]:
    return state_of(await tab.exchange(handler_name(JournalState, handler), **JOURNAL), JournalState)


async def test_older_and_newer_walk_every_entry_once_and_come_back(running_app: RunningApp) -> None:
    email, password = f"pager-{uuid.uuid4().hex[:8]}@example.com", new_password()
    await asyncio.to_thread(running_app.create_user, "client", email, "Pager Client", password)
    cookie = await sign_in(running_app.url, email, password)
    total = 2 * PAGE_SIZE + 1
    async with connected(running_app, cookie) as tab:
        for index in range(total):
            await _save(tab, f"Paging entry {index}")

        first = await _page(tab, "load_journal")
        second = await _page(tab, "older_entries")
        third = await _page(tab, "older_entries")
        past_the_end = await _page(tab, "older_entries")
        back_to_second = await _page(tab, "newer_entries")
        back_to_first = await _page(tab, "newer_entries")
        before_the_start = await _page(tab, "newer_entries")

    pages = [first, second, third]
    assert [(len(p["entries"]), p.get("page", 0), p["has_more"]) for p in pages] == [
        (PAGE_SIZE, 0, True),
        (PAGE_SIZE, 1, True),
        (1, 2, False),
    ]
    shown = [entry["preview"] for page in pages for entry in page["entries"]]
    assert shown == [f"Paging entry {index}" for index in reversed(range(total))]
    assert "entries" not in past_the_end  # nothing older: the page stays as it is
    assert back_to_second["entries"] == second["entries"]
    assert (back_to_second["page"], back_to_second["has_more"]) == (1, True)
    assert back_to_first["entries"] == first["entries"]
    assert back_to_first["page"] == 0
    assert before_the_start.get("entries", first["entries"]) == first["entries"]
    assert before_the_start.get("page", 0) == 0


async def test_drafts_past_the_first_twenty_are_a_tap_away(running_app: RunningApp) -> None:
    """Attack review: only the newest 20 drafts were listed, and older ones could be opened
    from nowhere. Past 20, "Show more drafts" lists 20 more (none twice, newest first)."""
    email, password = f"drafts-{uuid.uuid4().hex[:8]}@example.com", new_password()
    await asyncio.to_thread(running_app.create_user, "client", email, "Drafting Client", password)
    cookie = await sign_in(running_app.url, email, password)
    total = DRAFTS_LISTED + 3
    async with connected(running_app, cookie) as tab:
        for index in range(total):
            where: dict[str, Any] = {"path": routes.WRITE, "query": {"id": await new_entry_id(tab)}}
            await tab.exchange(handler_name(EditorState, "open_editor"), **where)
            typed = await tab.exchange(
                handler_name(EditorState, "edit_body"), {"value": f"Draft {index}"}, **where
            )
            assert state_of(typed, EditorState).get("draft_status") == "Draft saved"
        first = await _page(tab, "load_journal")
        more = await _page(tab, "show_more_drafts")
    listed = [draft["preview"] for draft in first["drafts"]]
    assert listed == [f"Draft {index}" for index in reversed(range(3, total))]
    assert first["more_drafts"] is True
    assert [draft["preview"] for draft in more["drafts"]] == [
        f"Draft {index}" for index in reversed(range(total))
    ]
    assert more["more_drafts"] is False


async def _actor(app: RunningApp, label: str, role: str) -> Actor:
    suffix = uuid.uuid4().hex[:8]
    actor = Actor(label, role, f"{label}-{suffix}@example.com", f"Pager {label} {suffix}", new_password())
    await asyncio.to_thread(app.create_user, role, actor.email, actor.name, actor.password)
    actor.cookie = await sign_in(app.url, actor.email, actor.password)
    return actor


async def test_a_clinicians_open_list_empties_on_the_next_page_turn_once_the_link_ends(
    running_app: RunningApp,
) -> None:
    """AUTHZ-6 for the shared list: Older / Newer re-authorise, and forget what was shown."""
    client, clinician = (
        await _actor(running_app, "client", "client"),
        await _actor(running_app, "dr", "clinician"),
    )
    await link(running_app, client, clinician)
    async with connected(running_app, client.cookie) as as_client:
        entry = await write_entry(running_app, as_client, "list-authz")
        await set_shared(as_client, entry, clinician, True)
    where: dict[str, Any] = {"path": routes.CLIENT_ENTRIES, "query": {"client": client.id}}
    async with connected(running_app, clinician.cookie) as as_clinician:
        shown = state_of(
            await as_clinician.exchange(handler_name(SharedWithMeState, "load_client_entries"), **where),
            SharedWithMeState,
        )
        assert [e["id"] for e in shown["entries"]] == [entry.id]
        async with connected(running_app, client.cookie) as as_client:
            await as_client.exchange(handler_name(CareTeamState, "load_care_team"), path=routes.CARE_TEAM)
            await as_client.exchange(
                handler_name(CareTeamState, "end_link"), {"clinician_id": clinician.id}, path=routes.CARE_TEAM
            )
        turned = await as_clinician.exchange(handler_name(SharedWithMeState, "newer_entries"), **where)
    after = state_of(turned, SharedWithMeState)
    assert after["entries"] == [] and after["list_available"] is False
    assert after["loaded"] is True  # the page says it isn't available: no spinner left turning
    assert secrets_in(turned, {entry.title, entry.body}) == []

"""Check-ins through the running app: typed handlers refuse what isn't a rating, and a
clinician's chart holds only what the client shared, nothing more."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from datetime import timedelta
from typing import Any

import pytest
from appserver import RunningApp
from socket_support import (
    Actor,
    connect,
    connected,
    link,
    new_audit_rows,
    new_password,
    problem_of,
    pushed_values,
    secrets_in,
    snapshot,
    state_of,
    writes_between,
)
from socketclient import EventClient, handler_name, sign_in
from sqlmodel import select

from betterjournal import routes
from betterjournal.core import checkins, items, sharing
from betterjournal.core.items import PAGE_SIZE
from betterjournal.db import session_scope
from betterjournal.models import User, utcnow
from betterjournal.state.base import AppState
from betterjournal.state.care_team import CareTeamState
from betterjournal.state.checkins import CheckInItemState, CheckInsState, CheckInState, ClientCheckInsState
from betterjournal.state.clinician import ClientsState
from betterjournal.state.homework import WorksheetState
from betterjournal.state.items import ItemSharingState
from betterjournal.views import NOTES_SHOWN

CHECK_IN: dict[str, Any] = {"path": routes.CHECK_IN}


async def _actor(app: RunningApp, role: str, name: str) -> Actor:
    person = Actor(name, role, f"{role}-{uuid.uuid4().hex[:8]}@example.com", name, new_password())
    await asyncio.to_thread(app.create_user, role, person.email, person.name, person.password)
    person.cookie = await sign_in(app.url, person.email, person.password)
    return person


EMPTY_FORM = {"note": "", "sleep_hours": "", "felt_at": ""}


async def _choose_mood(tab: EventClient, mood: object) -> list[dict[str, Any]]:
    return await tab.exchange(
        handler_name(CheckInState, "choose_rating"), {"dimension": "mood", "value": mood}, **CHECK_IN
    )


async def _check_in(tab: EventClient, mood: int, form: dict[str, Any]) -> list[dict[str, Any]]:
    await tab.exchange(handler_name(CheckInState, "open_check_in"), **CHECK_IN)
    await _choose_mood(tab, mood)
    return await tab.exchange(handler_name(CheckInState, "save_check_in"), {"form": form}, **CHECK_IN)


async def _the_one_check_in(tab: EventClient, mood: int) -> str:
    """A client with no check-in yet checks in once; its id, as their list shows it."""
    await _check_in(tab, mood, EMPTY_FORM)
    listed = await tab.exchange(handler_name(CheckInsState, "load_check_ins"), path=routes.CHECK_INS)
    (line,) = state_of(listed, CheckInsState)["check_ins"]
    return line["id"]


@pytest.mark.parametrize("value", ["5", True, None, -1, 11, 5.5, [5], {"v": 5}])
async def test_a_rating_that_is_not_a_whole_number_from_0_to_10_is_refused(
    running_app: RunningApp, value: Any
) -> None:
    client = await _actor(running_app, "client", "Rating Client")
    async with connected(running_app, client.cookie) as tab:
        await tab.exchange(handler_name(CheckInState, "open_check_in"), **CHECK_IN)
        updates = await _choose_mood(tab, value)
        assert problem_of(updates) == "Mood: choose a whole number from 0 to 10."
        assert not state_of(updates, CheckInState).get("ratings")
        before = snapshot(running_app)
        saved = await tab.exchange(
            handler_name(CheckInState, "save_check_in"), {"form": EMPTY_FORM}, **CHECK_IN
        )
        assert problem_of(saved) == "Choose your mood, from 0 to 10, to save."
        assert writes_between(before, snapshot(running_app)) == []


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"sleep_hours": "25", "note": "", "felt_at": ""}, "Sleep: enter hours from 0 to 24"),
        ({"sleep_hours": "lots", "note": "", "felt_at": ""}, "Sleep: enter hours from 0 to 24"),
        ({"sleep_hours": "", "note": "x" * 10_000, "felt_at": ""}, "Note is too long"),
        (
            {"sleep_hours": "", "note": "", "felt_at": "2999-01-01T09:00"},
            "A check-in can't be in the future.",
        ),
        (
            {"sleep_hours": "", "note": "", "felt_at": "2026-11-30T09:00+00:00"},
            "Choose when this check-in is for.",
        ),
        ({"sleep_hours": "", "note": "", "felt_at": "", "mood": 3}, "This couldn't be saved."),
        ("not a form", "This couldn't be saved."),
    ],
)
async def test_a_bad_form_gets_a_clear_message_and_saves_nothing(
    running_app: RunningApp, form: Any, message: str
) -> None:
    client = await _actor(running_app, "client", "Form Client")
    async with connected(running_app, client.cookie) as tab:
        await tab.exchange(handler_name(CheckInState, "open_check_in"), **CHECK_IN)
        await tab.exchange(
            handler_name(CheckInState, "choose_rating"), {"dimension": "mood", "value": 4}, **CHECK_IN
        )
        before = snapshot(running_app)
        updates = await tab.exchange(handler_name(CheckInState, "save_check_in"), {"form": form}, **CHECK_IN)
        assert problem_of(updates).startswith(message)
        assert writes_between(before, snapshot(running_app)) == []


async def test_a_clinicians_chart_holds_only_the_shared_check_ins(running_app: RunningApp) -> None:
    client = await _actor(running_app, "client", "Chart Client")
    clinician = await _actor(running_app, "clinician", "Dr. Chart")
    await link(running_app, client, clinician)
    notes = {mood: running_app.marker(f"chart-note-{mood}") for mood in (1, 2, 3)}
    async with connected(running_app, client.cookie) as tab:
        for mood in (1, 2, 3):
            await _check_in(tab, mood, {"note": notes[mood], "sleep_hours": "", "felt_at": ""})
        listed = await tab.exchange(handler_name(CheckInsState, "load_check_ins"), path=routes.CHECK_INS)
        lines = state_of(listed, CheckInsState)["check_ins"]
        assert [line["mood"] for line in lines] == ["Mood 3 / 10", "Mood 2 / 10", "Mood 1 / 10"]
        shared = lines[1]["id"]
        where: dict[str, Any] = {"path": routes.CHECK_IN_ITEM, "query": {"id": shared}}
        await tab.exchange(
            handler_name(ItemSharingState, "set_shared"),
            {"item_id": shared, "clinician_id": clinician.id, "shared": True},
            **where,
        )
    async with connected(running_app, clinician.cookie) as tab:
        updates = await tab.exchange(
            handler_name(ClientCheckInsState, "load_client_check_ins"),
            path=routes.CLIENT_CHECK_INS,
            query={"client": client.id},
        )
        shown = state_of(updates, ClientCheckInsState)
        moods = [trace["y"] for trace in shown["figure"]["data"] if trace["name"] == "Mood"]
        assert moods == [[2]]
        # The shared check-in's note is shared with it: listed, with its mood.
        assert [(note["mood"], note["note"]) for note in shown["notes"]] == [("Mood 2 / 10", notes[2])]
        sent = json.dumps(updates)
        assert notes[1] not in sent and notes[3] not in sent and shared not in sent
        assert "Mood 1" not in sent and "Mood 3" not in sent


async def test_a_make_private_that_changes_nothing_makes_no_one_read_again(running_app: RunningApp) -> None:
    """The attack (an attack review): a client linked to nobody taps "make private", over and
    over, naming a clinician who has another client's chart open. Each tap made that page read
    the chart again and audit it as the clinician's view. Now only a change is pushed: no
    update reaches the clinician's tab and no row is written, by the one switch or by
    "share several"."""
    app = running_app
    client, clinician = await _actor(app, "client", "Chart Owner"), await _actor(app, "clinician", "Dr. Open")
    stranger = await _actor(app, "client", "Not Linked")
    await link(app, client, clinician)
    async with connected(app, client.cookie) as tab:
        shared = await _the_one_check_in(tab, 6)
        await tab.exchange(
            handler_name(ItemSharingState, "set_shared"),
            {"item_id": shared, "clinician_id": clinician.id, "shared": True},
            path=routes.CHECK_IN_ITEM,
            query={"id": shared},
        )
    chart = {"path": routes.CLIENT_CHECK_INS, "query": {"client": client.id}}
    async with connected(app, clinician.cookie) as doctor, connected(app, stranger.cookie) as tab:
        opened = await doctor.exchange(handler_name(ClientCheckInsState, "load_client_check_ins"), **chart)
        assert [
            t["y"] for t in state_of(opened, ClientCheckInsState)["figure"]["data"] if t["name"] == "Mood"
        ] == [[6]]
        own = await _the_one_check_in(tab, 3)
        await asyncio.sleep(0.5)  # anything the stranger's own saves pushed has arrived
        before, pushed = snapshot(app), len(doctor.received)
        for _ in range(3):
            # (Each from its own page: the list's choice goes as the tab leaves the list.)
            await tab.exchange(handler_name(CheckInsState, "load_check_ins"), path=routes.CHECK_INS)
            await tab.exchange(
                handler_name(CheckInsState, "toggle_selected"), {"item_id": own}, path=routes.CHECK_INS
            )
            several = await tab.exchange(
                handler_name(CheckInsState, "share_selected"),
                {"clinician_id": clinician.id, "shared": False},
                path=routes.CHECK_INS,
            )
            assert state_of(several, AppState)["notice"] == "Nothing changed: they were private already."
            one = await tab.exchange(
                handler_name(ItemSharingState, "set_shared"),
                {"item_id": own, "clinician_id": clinician.id, "shared": False},
                path=routes.CHECK_IN_ITEM,
                query={"id": own},
            )
            assert problem_of(one) == problem_of(several) == ""
        await asyncio.sleep(1.5)  # a push would have come by now (state/live.py)
        after = snapshot(app)
        assert doctor.received[pushed:] == []
    assert new_audit_rows(before, after) == []


async def test_a_clinician_reads_the_notes_fifty_at_a_time(running_app: RunningApp) -> None:
    client = await _actor(running_app, "client", "Notes Client")
    clinician = await _actor(running_app, "clinician", "Dr. Notes")
    await link(running_app, client, clinician)
    count = NOTES_SHOWN + 2
    with running_app.core(), session_scope() as session:
        for hours in range(count):
            item_id = uuid.uuid4()
            felt_at = (utcnow() - timedelta(hours=hours)).isoformat()
            values = {"felt_at": felt_at, "mood": 5, "note": f"note {hours}"}
            items.save(
                session, owner_id=uuid.UUID(client.id), kind=checkins.KIND, item_id=item_id, values=values
            )
            sharing.set_shared(
                session,
                owner_id=uuid.UUID(client.id),
                item_id=item_id,
                clinician_id=uuid.UUID(clinician.id),
                shared=True,
            )
    where: dict[str, Any] = {"path": routes.CLIENT_CHECK_INS, "query": {"client": client.id}}
    async with connected(running_app, clinician.cookie) as tab:
        loaded = await tab.exchange(handler_name(ClientCheckInsState, "load_client_check_ins"), **where)
        shown = state_of(loaded, ClientCheckInsState)
        assert [note["note"] for note in shown["notes"]] == [f"note {n}" for n in range(NOTES_SHOWN)]
        assert shown["older_notes"] == 2
        more = state_of(
            await tab.exchange(handler_name(ClientCheckInsState, "show_older_notes"), **where),
            ClientCheckInsState,
        )
        assert [note["note"] for note in more["notes"]] == [f"note {n}" for n in range(count)]
        assert more["older_notes"] == 0
        # Every note is on screen: asking for more (a script, 20 times) reads and audits nothing.
        before = snapshot(running_app)
        for _ in range(20):
            await tab.exchange(handler_name(ClientCheckInsState, "show_older_notes"), **where)
        assert new_audit_rows(before, snapshot(running_app)) == []
    # The brief's "Older notes" link asks for every range; a range that isn't one is ignored.
    for asked, drawn in (("all", "all"), ("forever", "3m")):
        async with connected(running_app, clinician.cookie) as tab:
            linked = {**where, "query": {"client": client.id, "range": asked}}
            opened = await tab.exchange(handler_name(ClientCheckInsState, "load_client_check_ins"), **linked)
            assert state_of(opened, ClientCheckInsState)["chart_range"] == drawn


async def test_a_private_scale_never_reaches_the_clinicians_browser(running_app: RunningApp) -> None:
    client = await _actor(running_app, "client", "Scale Client")
    clinician = await _actor(running_app, "clinician", "Dr. Scale")
    await link(running_app, client, clinician)
    secret_name = running_app.marker("private-scale")
    charts_page: dict[str, Any] = {"path": routes.CHECK_INS}
    async with connected(running_app, clinician.cookie) as doctor:
        where: dict[str, Any] = {"path": routes.CLIENT_CHECK_INS, "query": {"client": client.id}}
        await doctor.exchange(handler_name(ClientCheckInsState, "load_client_check_ins"), **where)
        await doctor.exchange(
            handler_name(ClientCheckInsState, "suggest_scale"), {"form": {"name": "Urge to rest"}}, **where
        )
    async with connected(running_app, client.cookie) as tab:
        await tab.exchange(handler_name(CheckInsState, "load_check_ins"), **charts_page)
        added = await tab.exchange(
            handler_name(CheckInsState, "add_own_scale"), {"form": {"name": secret_name}}, **charts_page
        )
        scales = state_of(added, CheckInsState)["scales"]
        private = next(s["id"] for s in scales if s["private"])
        suggested = next(s["id"] for s in scales if not s["private"])
        await tab.exchange(handler_name(CheckInState, "open_check_in"), **CHECK_IN)
        for dimension, value in (("mood", 6), (private, 9), (suggested, 2)):
            await tab.exchange(
                handler_name(CheckInState, "choose_rating"),
                {"dimension": dimension, "value": value},
                **CHECK_IN,
            )
        unknown = await _choose_scale(tab, str(uuid.uuid4()), 3)
        assert problem_of(unknown) == "This couldn't be saved. Please try again."
        await tab.exchange(handler_name(CheckInState, "save_check_in"), {"form": EMPTY_FORM}, **CHECK_IN)
        listed = await tab.exchange(handler_name(CheckInsState, "load_check_ins"), **charts_page)
        (line,) = state_of(listed, CheckInsState)["check_ins"]
        assert "9 / 10" in line["details"] and secret_name in line["details"]  # the client sees their own
        await tab.exchange(
            handler_name(ItemSharingState, "set_shared"),
            {"item_id": line["id"], "clinician_id": clinician.id, "shared": True},
            path=routes.CHECK_IN_ITEM,
            query={"id": line["id"]},
        )
    async with connected(running_app, clinician.cookie) as doctor:
        updates = await doctor.exchange(
            handler_name(ClientCheckInsState, "load_client_check_ins"),
            path=routes.CLIENT_CHECK_INS,
            query={"client": client.id},
        )
        figure = state_of(updates, ClientCheckInsState)["figure"]
        assert {trace["name"] for trace in figure["data"]} == {
            "Mood",
            "Mood, 7-day average",
            "Urge to rest",
            "Urge to rest, 7-day average",
        }
        sent = json.dumps(updates)
        assert secret_name not in sent and private not in sent
        assert [t["y"] for t in figure["data"] if t["name"] == "Urge to rest"] == [[2]]


async def test_another_clinician_never_learns_of_a_scale_the_first_suggested(running_app: RunningApp) -> None:
    """Found by an attack review: a second clinician, with nothing shared, read the names of
    the scales the first had suggested. Not even with a check-in rating it shared with them.
    And the client may remove the first's suggestion: it leaves the first's open page at once."""
    client = await _actor(running_app, "client", "Two Clinicians")
    first = await _actor(running_app, "clinician", "Dr. First")
    second = await _actor(running_app, "clinician", "Dr. Second")
    for clinician in (first, second):
        await link(running_app, client, clinician)
    scale_name = f"Urge to drink {uuid.uuid4().hex[:10]}"  # a name, not a marker: at most 40 characters
    where: dict[str, Any] = {"path": routes.CLIENT_CHECK_INS, "query": {"client": client.id}}
    first_tab = await connect(running_app, first.cookie)
    try:
        await first_tab.exchange(handler_name(ClientCheckInsState, "load_client_check_ins"), **where)
        suggested = await first_tab.exchange(
            handler_name(ClientCheckInsState, "suggest_scale"), {"form": {"name": scale_name}}, **where
        )
        (scale,) = state_of(suggested, ClientCheckInsState)["scales"]
        async with connected(running_app, second.cookie) as tab:
            shown = await tab.exchange(handler_name(ClientCheckInsState, "load_client_check_ins"), **where)
            assert state_of(shown, ClientCheckInsState).get("scales", []) == []
            assert secrets_in(shown, {scale_name, scale["id"]}) == []
        async with connected(running_app, client.cookie) as tab:
            await tab.exchange(handler_name(CheckInState, "open_check_in"), **CHECK_IN)
            await _choose_mood(tab, 6)
            await _choose_scale(tab, scale["id"], 8)
            await tab.exchange(handler_name(CheckInState, "save_check_in"), {"form": EMPTY_FORM}, **CHECK_IN)
            listed = await tab.exchange(handler_name(CheckInsState, "load_check_ins"), path=routes.CHECK_INS)
            (line,) = state_of(listed, CheckInsState)["check_ins"]
            await tab.exchange(
                handler_name(ItemSharingState, "set_shared"),
                {"item_id": line["id"], "clinician_id": second.id, "shared": True},
                path=routes.CHECK_IN_ITEM,
                query={"id": line["id"]},
            )
        async with connected(running_app, second.cookie) as tab:
            shown = await tab.exchange(handler_name(ClientCheckInsState, "load_client_check_ins"), **where)
            traces = {t["name"] for t in state_of(shown, ClientCheckInsState)["figure"]["data"]}
            assert traces == {"Mood", "Mood, 7-day average"}  # the check-in, without the other's scale
            assert secrets_in(shown, {scale_name, scale["id"]}) == []

        since = len(first_tab.received)
        async with connected(running_app, client.cookie) as tab:
            await tab.exchange(handler_name(CheckInsState, "load_check_ins"), path=routes.CHECK_INS)
            removed = await tab.exchange(
                handler_name(CheckInsState, "remove_own_scale"),
                {"scale_id": scale["id"]},
                path=routes.CHECK_INS,
            )
            assert problem_of(removed) == "" and state_of(removed, CheckInsState)["scales"] == []
        deadline = time.monotonic() + 2
        while state_of(first_tab.received[since:], ClientCheckInsState).get("scales") != []:
            assert time.monotonic() < deadline, "the first clinician's open page kept the scale"
            await asyncio.sleep(0.02)
    finally:
        await first_tab.close()


async def _choose_scale(tab: EventClient, scale_id: str, value: int) -> list[dict[str, Any]]:
    return await tab.exchange(
        handler_name(CheckInState, "choose_rating"), {"dimension": scale_id, "value": value}, **CHECK_IN
    )


async def test_a_revoke_leaves_the_clinicians_open_sparkline_at_once_and_a_push_audits_nothing(
    running_app: RunningApp,
) -> None:
    client = await _actor(running_app, "client", "Spark Client")
    clinician = await _actor(running_app, "clinician", "Dr. Spark")
    await link(running_app, client, clinician)
    async with connected(running_app, client.cookie) as tab:
        await _check_in(tab, 7, EMPTY_FORM)
        listed = await tab.exchange(handler_name(CheckInsState, "load_check_ins"), path=routes.CHECK_INS)
        (line,) = state_of(listed, CheckInsState)["check_ins"]
        where: dict[str, Any] = {"path": routes.CHECK_IN_ITEM, "query": {"id": line["id"]}}
        share = handler_name(ItemSharingState, "set_shared")
        await tab.exchange(
            share, {"item_id": line["id"], "clinician_id": clinician.id, "shared": True}, **where
        )
        async with connected(running_app, clinician.cookie) as doctor:
            shown = await doctor.exchange(handler_name(ClientsState, "load_clients"), path=routes.CLIENTS)
            (row,) = state_of(shown, ClientsState)["clients"]
            assert row["spark_summary"] == "Average mood 7 over the last 14 days, 1 shared check-in."
            assert row["spark"]
            since, before = len(doctor.received), snapshot(running_app)
            await tab.exchange(
                share, {"item_id": line["id"], "clinician_id": clinician.id, "shared": False}, **where
            )
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline:
                rows = state_of(doctor.received[since:], ClientsState).get("clients") or []
                if rows and rows[0]["spark"] == "":
                    break
                await asyncio.sleep(0.02)
            else:
                raise AssertionError("the revoke did not reach the clinician's open list")
            assert rows[0]["spark_summary"] == "No shared check-ins in the last 14 days."
            actions = {row[3] for row in new_audit_rows(before, snapshot(running_app))}
            assert actions == {"REVOKE"}  # the push read nothing new: no view was recorded


async def test_a_closed_tab_gets_no_push_so_nothing_is_seen_that_nobody_saw(running_app: RunningApp) -> None:
    client = await _actor(running_app, "client", "Closed Tab Client")
    clinician = await _actor(running_app, "clinician", "Dr. Closed")
    await link(running_app, client, clinician)
    chart: dict[str, Any] = {"path": routes.CLIENT_CHECK_INS, "query": {"client": client.id}}
    async with connected(running_app, clinician.cookie) as doctor:
        await doctor.exchange(handler_name(ClientCheckInsState, "load_client_check_ins"), **chart)
    # The clinician's chart tab is closed; its state is still in the server's memory.
    async with connected(running_app, client.cookie) as tab:
        await _check_in(tab, 4, EMPTY_FORM)
        listed = await tab.exchange(handler_name(CheckInsState, "load_check_ins"), path=routes.CHECK_INS)
        (line,) = state_of(listed, CheckInsState)["check_ins"]
        where: dict[str, Any] = {"path": routes.CHECK_IN_ITEM, "query": {"id": line["id"]}}
        before = snapshot(running_app)
        shared = await tab.exchange(
            handler_name(ItemSharingState, "set_shared"),
            {"item_id": line["id"], "clinician_id": clinician.id, "shared": True},
            **where,
        )
        await asyncio.sleep(1.0)  # time for a push, if one were made
        actions = [row[3] for row in new_audit_rows(before, snapshot(running_app))]
        assert actions == ["SHARE"]  # no view recorded for the closed tab
        reopened = await tab.exchange(handler_name(CheckInItemState, "load_check_in"), **where)
        (status,) = state_of(reopened, ItemSharingState)["shares"]
        assert status["status"].endswith("Not seen yet.")
        assert state_of(shared, ItemSharingState)["shares"][0]["shared"] is True


async def test_the_list_of_check_ins_pages_like_every_kind(running_app: RunningApp) -> None:
    client = await _actor(running_app, "client", "Paging Client")
    with running_app.core(), session_scope() as session:
        owner = session.exec(select(User).where(User.email == client.email)).one().id
        now = utcnow()
        for day in range(PAGE_SIZE + 1):
            values = {"felt_at": (now - timedelta(days=day)).isoformat(), "mood": day % 11}
            items.save(session, owner_id=owner, kind=checkins.KIND, item_id=uuid.uuid4(), values=values)
    charts_page: dict[str, Any] = {"path": routes.CHECK_INS}
    async with connected(running_app, client.cookie) as tab:
        pages = []
        for handler in ("load_check_ins", "older_check_ins", "newer_check_ins"):
            updates = await tab.exchange(handler_name(CheckInsState, handler), **charts_page)
            pages.append(state_of(updates, CheckInsState))
    first, older, back = pages
    assert (len(first["check_ins"]), first["has_more"], first["page"]) == (PAGE_SIZE, True, 0)
    assert (len(older["check_ins"]), older["has_more"], older["page"]) == (1, False, 1)
    assert len(back["check_ins"]) == PAGE_SIZE and back["page"] == 0
    every = {line["id"] for line in first["check_ins"]} | {line["id"] for line in older["check_ins"]}
    assert len(every) == PAGE_SIZE + 1


async def test_a_suggested_scale_appears_on_the_clients_open_check_in_at_once(
    running_app: RunningApp,
) -> None:
    client = await _actor(running_app, "client", "Open Form Client")
    clinician = await _actor(running_app, "clinician", "Dr. Suggest")
    await link(running_app, client, clinician)
    chart: dict[str, Any] = {"path": routes.CLIENT_CHECK_INS, "query": {"client": client.id}}
    async with (
        connected(running_app, client.cookie) as tab,
        connected(running_app, clinician.cookie) as doctor,
    ):
        await tab.exchange(handler_name(CheckInState, "open_check_in"), **CHECK_IN)
        await _choose_mood(tab, 6)
        await doctor.exchange(handler_name(ClientCheckInsState, "load_client_check_ins"), **chart)
        since = len(tab.received)
        await doctor.exchange(
            handler_name(ClientCheckInsState, "suggest_scale"), {"form": {"name": "Urge to rest"}}, **chart
        )
        scales = (await pushed_values(tab, since, CheckInState, lambda v: bool(v.get("scales"))))["scales"]
        assert [s["name"] for s in scales] == ["Urge to rest"]
        # What the client had tapped stays.
        kept = await _choose_scale(tab, scales[0]["id"], 3)
        assert state_of(kept, CheckInState)["ratings"] == {"mood": 6, scales[0]["id"]: 3}


async def test_a_tag_or_scale_made_in_one_tab_is_offered_at_once_by_the_check_in_open_in_another(
    running_app: RunningApp,
) -> None:
    """Found by a review: a client's own new tag or scale reached the check-in form open in
    their other tab only once it was opened again."""
    client = await _actor(running_app, "client", "Two Tabs Client")
    page: dict[str, Any] = {"path": routes.CHECK_INS}
    async with (
        connected(running_app, client.cookie) as form_tab,
        connected(running_app, client.cookie) as list_tab,
    ):
        await form_tab.exchange(handler_name(CheckInState, "open_check_in"), **CHECK_IN)
        await _choose_mood(form_tab, 6)
        await list_tab.exchange(handler_name(CheckInsState, "load_check_ins"), **page)
        since = len(form_tab.received)
        await list_tab.exchange(
            handler_name(CheckInsState, "add_own_scale"), {"form": {"name": "Gym"}}, **page
        )
        await list_tab.exchange(handler_name(CheckInsState, "add_tag"), {"form": {"name": "walk"}}, **page)

        def names(values: dict[str, Any], field: str) -> list[str]:
            return [label["name"] for label in values.get(field) or []]

        await pushed_values(
            form_tab,
            since,
            CheckInState,
            lambda v: (names(v, "scales"), names(v, "tags")) == (["Gym"], ["walk"]),
        )
        # What was tapped stays.
        assert state_of(form_tab.received, CheckInState)["ratings"] == {"mood": 6}


async def test_a_client_renames_only_their_own_scales_and_a_refused_rename_draws_the_names_again(
    running_app: RunningApp,
) -> None:
    """A client renames a scale of their own (a typo: removing it lost its ratings); not
    another client's, nor one a clinician suggested (the clinician reads its ratings by its
    name): refused, audited, nothing written. A refused rename (of a scale or a tag) draws
    the rows of names again (walk-through: the box kept the refused name, as if renamed). A
    clinician's rename of their suggestion reaches the client's open check-in at once."""
    client = await _actor(running_app, "client", "Renaming Client")
    other = await _actor(running_app, "client", "Other Client")
    clinician = await _actor(running_app, "clinician", "Dr. Rename")
    await link(running_app, client, clinician)
    page: dict[str, Any] = {"path": routes.CHECK_INS}
    chart: dict[str, Any] = {"path": routes.CLIENT_CHECK_INS, "query": {"client": client.id}}
    add_scale = handler_name(CheckInsState, "add_own_scale")
    rename_scale = handler_name(CheckInsState, "rename_own_scale")
    rename_tag = handler_name(CheckInsState, "rename_tag")
    async with connected(running_app, other.cookie) as tab:
        await tab.exchange(handler_name(CheckInsState, "load_check_ins"), **page)
        gym = await tab.exchange(add_scale, {"form": {"name": "Gym"}}, **page)
        (theirs,) = state_of(gym, CheckInsState)["scales"]
    async with (
        connected(running_app, client.cookie) as tab,
        connected(running_app, clinician.cookie) as doctor,
    ):
        await doctor.exchange(handler_name(ClientCheckInsState, "load_client_check_ins"), **chart)
        suggested_now = await doctor.exchange(
            handler_name(ClientCheckInsState, "suggest_scale"), {"form": {"name": "Urge to rest"}}, **chart
        )
        (suggested,) = state_of(suggested_now, ClientCheckInsState)["scales"]
        await tab.exchange(handler_name(CheckInsState, "load_check_ins"), **page)
        added = await tab.exchange(add_scale, {"form": {"name": "Headahce"}}, **page)
        own = next(s for s in state_of(added, CheckInsState)["scales"] if s["private"])
        for name in ("work", "family"):
            tagged = await tab.exchange(
                handler_name(CheckInsState, "add_tag"), {"form": {"name": name}}, **page
            )
        family = next(t for t in state_of(tagged, CheckInsState)["tags"] if t["name"] == "family")

        before = snapshot(running_app)
        for scale in (theirs, suggested):
            refused = await tab.exchange(
                rename_scale, {"form": {"scale_id": scale["id"], "name": "Mine now"}}, **page
            )
            assert (
                problem_of(refused) == "This item isn't available. It may have been removed or made private."
            )
        after = snapshot(running_app)
        assert writes_between(before, after) == []
        assert [row[4] for row in new_audit_rows(before, after)] == ["DENIED", "DENIED"]
        redrawn = state_of(refused, CheckInsState)["names_redrawn"]
        for form, handler, why in (
            (
                {"scale_id": own["id"], "name": "urge to REST"},
                rename_scale,
                "There is already a scale called",
            ),
            ({"scale_id": own["id"], "name": " "}, rename_scale, "The name can't be empty."),
            ({"tag_id": family["id"], "name": "Work"}, rename_tag, "You already have a tag called Work."),
        ):
            refused = await tab.exchange(handler, {"form": form}, **page)
            assert problem_of(refused).startswith(why)
            assert state_of(refused, CheckInsState)["names_redrawn"] == redrawn + 1  # the saved names again
            redrawn += 1
        assert writes_between(after, snapshot(running_app)) == []

        renamed = await tab.exchange(
            rename_scale, {"form": {"scale_id": own["id"], "name": "Headache"}}, **page
        )
        assert problem_of(renamed) == "" and state_of(renamed, AppState)["notice"] == "Scale renamed."
        names = {s["id"]: s["name"] for s in state_of(renamed, CheckInsState)["scales"]}
        assert names == {own["id"]: "Headache", suggested["id"]: "Urge to rest"}

        # The clinician renames their suggestion: the client's open check-in shows it, and
        # what was tapped on it stays.
        await tab.exchange(handler_name(CheckInState, "open_check_in"), **CHECK_IN)
        await _choose_scale(tab, suggested["id"], 4)
        since = len(tab.received)
        renamed = await doctor.exchange(
            handler_name(ClientCheckInsState, "rename_scale"),
            {"form": {"scale_id": suggested["id"], "name": "Urge to sleep"}},
            **chart,
        )
        assert [s["name"] for s in state_of(renamed, ClientCheckInsState)["scales"]] == ["Urge to sleep"]
        await pushed_values(  # the client's open check-in shows the new name
            tab,
            since,
            CheckInState,
            lambda v: any(s["name"] == "Urge to sleep" for s in v.get("scales") or []),
        )
        kept = await _choose_mood(tab, 6)
        assert state_of(kept, CheckInState)["ratings"] == {suggested["id"]: 4, "mood": 6}
        assert secrets_in(doctor.received, {"Headache", "Headahce", own["id"]}) == []


async def test_ending_the_link_empties_the_clinicians_open_chart_and_records_no_attempt(
    running_app: RunningApp,
) -> None:
    """The clinician has the client's charts open when the client ends the link: the push
    empties them at once, and since it is nobody's request, it records no refused attempt
    (the link is checked before anything is read)."""
    client = await _actor(running_app, "client", "Chart Client")
    clinician = await _actor(running_app, "clinician", "Dr. Chart")
    await link(running_app, client, clinician)
    async with (
        connected(running_app, client.cookie) as tab,
        connected(running_app, clinician.cookie) as doctor,
    ):
        await _check_in(tab, 6, EMPTY_FORM)
        charts_page: dict[str, Any] = {"path": routes.CLIENT_CHECK_INS, "query": {"client": client.id}}
        shown = await doctor.exchange(
            handler_name(ClientCheckInsState, "load_client_check_ins"), **charts_page
        )
        assert state_of(shown, ClientCheckInsState)["client_name"] == client.name
        since, before = len(doctor.received), snapshot(running_app)
        await tab.exchange(handler_name(CareTeamState, "load_care_team"), path=routes.CARE_TEAM)
        await tab.exchange(
            handler_name(CareTeamState, "end_link"), {"clinician_id": clinician.id}, path=routes.CARE_TEAM
        )
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            pushed = state_of(doctor.received[since:], ClientCheckInsState)
            if pushed.get("client_name") == "" and pushed.get("loaded") is True:
                break
            await asyncio.sleep(0.02)
        else:
            raise AssertionError(f"the end of the link did not reach the open chart: {pushed}")
        await asyncio.sleep(0.3)  # any push still running ends before the audit is read
        assert [row for row in new_audit_rows(before, snapshot(running_app)) if row[4] == "DENIED"] == []


async def test_a_check_in_edited_on_two_devices_is_not_saved_over(running_app: RunningApp) -> None:
    """Both devices open the same check-in; the phone saves an edit; the laptop's save, made
    on the version before, is refused with a clear message and changes nothing."""
    client = await _actor(running_app, "client", "Two Devices")
    laptop_cookie = await sign_in(running_app.url, client.email, client.password)
    async with (
        connected(running_app, client.cookie) as phone,
        connected(running_app, laptop_cookie) as laptop,
    ):
        check_in_id = await _the_one_check_in(phone, 4)
        editing: dict[str, Any] = {"path": routes.CHECK_IN, "query": {"id": check_in_id}}
        for tab in (phone, laptop):
            await tab.exchange(handler_name(CheckInState, "open_check_in"), **editing)
        phone_note, laptop_note = running_app.marker("phone-note"), running_app.marker("laptop-note")
        saved = await phone.exchange(
            handler_name(CheckInState, "save_check_in"),
            {"form": {**EMPTY_FORM, "note": phone_note}},
            **editing,
        )
        assert problem_of(saved) == ""
        refused = await laptop.exchange(
            handler_name(CheckInState, "save_check_in"),
            {"form": {**EMPTY_FORM, "note": laptop_note}},
            **editing,
        )
        assert problem_of(refused) == (
            "This was changed in another tab or on another device after you opened it. Open it again "
            "to see the latest."
        )
    with running_app.core(), session_scope() as session:
        owner = session.exec(select(User.id).where(User.email == client.email)).one()
        kept = items.open_own(session, owner_id=owner, kind=checkins.KIND, item_id=check_in_id)
    assert kept.fields["note"] == phone_note


async def test_sharing_a_check_in_in_one_tab_shows_in_the_clients_other_tabs(
    running_app: RunningApp,
) -> None:
    """A check-in shared (or made private again) on the phone says so at once on the laptop:
    under its open form ("Shared with …: once you save, …") and on the open list of check-ins
    (its card's "Shared with …"), with nothing tapped there."""
    client = await _actor(running_app, "client", "Form Line")
    clinician = await _actor(running_app, "clinician", "Dr. Form Line")
    await link(running_app, client, clinician)
    laptop_cookie = await sign_in(running_app.url, client.email, client.password)
    async with (
        connected(running_app, client.cookie) as phone,
        connected(running_app, laptop_cookie) as laptop,
        connected(running_app, laptop_cookie) as laptop_list,
    ):
        check_in_id = await _the_one_check_in(phone, 6)
        opened = await laptop.exchange(
            handler_name(CheckInState, "open_check_in"), path=routes.CHECK_IN, query={"id": check_in_id}
        )
        assert state_of(opened, CheckInState).get("shared_line") == ""
        listed = await laptop_list.exchange(
            handler_name(CheckInsState, "load_check_ins"), path=routes.CHECK_INS
        )
        (line,) = state_of(listed, CheckInsState)["check_ins"]
        private_label = line["label"]

        async def pushed(tab: EventClient, since: int, state: type, shows: Any) -> None:
            deadline = time.monotonic() + 2
            while not shows(state_of(tab.received[since:], state)):
                assert time.monotonic() < deadline, f"no push: {tab.received[since:]}"
                await asyncio.sleep(0.02)

        shared_line = f"Shared with {clinician.name}: once you save, they see your changes."
        for shared, wanted in ((True, shared_line), (False, "")):
            since, since_list = len(laptop.received), len(laptop_list.received)
            await phone.exchange(
                handler_name(ItemSharingState, "set_shared"),
                {"item_id": check_in_id, "clinician_id": clinician.id, "shared": shared},
                path=routes.CHECK_IN_ITEM,
                query={"id": check_in_id},
            )
            await pushed(laptop, since, CheckInState, lambda v, w=wanted: v.get("shared_line") == w)

            def labelled(values: dict[str, Any], on: bool = shared) -> bool:
                labels = [line["label"] for line in values.get("check_ins") or []]
                return labels == ([f"Shared with {clinician.name}"] if on else [private_label])

            await pushed(laptop_list, since_list, CheckInsState, labelled)


@pytest.mark.parametrize(
    ("state_class", "name", "payload", "path", "message"),
    [
        (CheckInsState, "show_range", {"range_name": {"a": 1}}, routes.CHECK_INS, "shown"),
        (CheckInsState, "show_range", {"range_name": ["2w"]}, routes.CHECK_INS, "shown"),
        (ClientCheckInsState, "show_range", {"range_name": {"a": 1}}, routes.CLIENT_CHECK_INS, "shown"),
        (CheckInsState, "toggle_selected", {"item_id": ["x"]}, routes.CHECK_INS, "shown"),
        (CheckInsState, "toggle_selected", {"item_id": {"a": 1}}, routes.CHECK_INS, "shown"),
        (
            WorksheetState,
            "choose_resting",
            {"field": "f", "row": "0", "column": "", "value": 1},
            routes.WORKSHEET,
            "saved",
        ),
        (
            WorksheetState,
            "choose_resting",
            {"field": {"a": 1}, "row": -1, "column": "", "value": 1},
            routes.WORKSHEET,
            "saved",
        ),
    ],
)
async def test_an_argument_of_the_wrong_type_gets_a_clear_message_not_a_failure(
    running_app: RunningApp, state_class: type, name: str, payload: dict[str, Any], path: str, message: str
) -> None:
    """Found by an attack review: these handlers failed with a TypeError (an unhashable value
    looked up in a dict), which the person saw as a generic failure (INPUT-1)."""
    role = "clinician" if state_class is ClientCheckInsState else "client"
    person = await _actor(running_app, role, f"Wrong type {uuid.uuid4().hex[:6]}")
    before_log = running_app.log_path.read_text(errors="replace")
    async with connected(running_app, person.cookie) as tab:
        before = snapshot(running_app)
        replied = await tab.exchange(handler_name(state_class, name), payload, path=path)
        after = snapshot(running_app)
    assert problem_of(replied) == f"This couldn't be {message}. Please try again."
    assert writes_between(before, after) == []
    assert "TypeError" not in running_app.log_path.read_text(errors="replace")[len(before_log) :]


async def test_a_check_in_not_saved_comes_back_after_a_reload_and_goes_once_saved(
    running_app: RunningApp,
) -> None:
    """Found in a walk-through: a check-in's mood and note, typed late at night, were gone
    after a reload, a closed tab or a tap on another tab of the app. What was tapped and
    typed is kept (encrypted, the platform's draft) and comes back, said; saving ends it.
    So are the hours of sleep and an earlier time, as typed (a later walk-through: they came
    back empty, and the check-in was saved for now)."""
    client = await _actor(running_app, "client", "Unsaved Client")
    note = running_app.marker("unsaved-note")
    async with connected(running_app, client.cookie) as tab:
        await tab.exchange(handler_name(CheckInState, "open_check_in"), **CHECK_IN)
        await _choose_mood(tab, 2)
        await tab.exchange(
            handler_name(CheckInState, "choose_rating"), {"dimension": "anxiety", "value": 8}, **CHECK_IN
        )
        await tab.exchange(handler_name(CheckInState, "keep_note"), {"value": note}, **CHECK_IN)
        for name, value in (("sleep_hours", "6,5"), ("felt_at", "2026-12-05T21:30")):
            kept = await tab.exchange(
                handler_name(CheckInState, "keep_typed"), {"name": name, "value": value}, **CHECK_IN
            )
            assert problem_of(kept) == ""
        refused = await tab.exchange(
            handler_name(CheckInState, "keep_typed"), {"name": "mood", "value": "9"}, **CHECK_IN
        )
        assert problem_of(refused) == "This couldn't be saved. Please try again."
    async with connected(running_app, client.cookie) as tab:  # the page again, in a new tab
        opened = await tab.exchange(handler_name(CheckInState, "open_check_in"), **CHECK_IN)
        shown = state_of(opened, CheckInState)
        assert shown["ratings"] == {"mood": 2, "anxiety": 8}
        assert shown["note"] == note and shown["more_open"] is True
        assert (shown["sleep_hours"], shown["felt_at"]) == ("6,5", "2026-12-05T21:30")
        assert state_of(opened, AppState).get("notice") == "Your unsaved check-in is back."
        await tab.exchange(
            handler_name(CheckInState, "save_check_in"), {"form": {**EMPTY_FORM, "note": note}}, **CHECK_IN
        )
        again = await tab.exchange(handler_name(CheckInState, "open_check_in"), **CHECK_IN)
        assert state_of(again, CheckInState).get("ratings", {}) == {}
        assert state_of(again, AppState).get("notice", "") != "Your unsaved check-in is back."
    with running_app.core(), session_scope() as session:
        owner = session.exec(select(User.id).where(User.email == client.email)).one()
        assert checkins.unsaved(session, owner_id=owner) is None


async def test_a_refused_typed_value_leaves_the_rest_of_the_check_in_kept(running_app: RunningApp) -> None:
    """Attack review: a value `keep_typed` refused (a control character in the hours) stayed
    in the tab's state, so every later keeping of the check-in (a mood tap, the note) was
    refused with it, and a reload lost them. Refused, it is not kept; the rest still is."""
    client = await _actor(running_app, "client", "Refused Typed")
    note = running_app.marker("after-a-refusal")
    async with connected(running_app, client.cookie) as tab:
        await tab.exchange(handler_name(CheckInState, "open_check_in"), **CHECK_IN)
        kept = await tab.exchange(
            handler_name(CheckInState, "keep_typed"), {"name": "sleep_hours", "value": "7"}, **CHECK_IN
        )
        assert problem_of(kept) == ""
        refused = await tab.exchange(
            handler_name(CheckInState, "keep_typed"), {"name": "sleep_hours", "value": "7\x0b"}, **CHECK_IN
        )
        assert problem_of(refused) != ""
        refused_note = await tab.exchange(
            handler_name(CheckInState, "keep_note"), {"value": "a\x0bb"}, **CHECK_IN
        )
        assert problem_of(refused_note) != ""
        later = [
            await tab.exchange(
                handler_name(CheckInState, "choose_rating"), {"dimension": "mood", "value": 4}, **CHECK_IN
            ),
            await tab.exchange(handler_name(CheckInState, "keep_note"), {"value": note}, **CHECK_IN),
        ]
        assert [problem_of(reply) for reply in later] == ["", ""]
    async with connected(running_app, client.cookie) as tab:  # a reload
        shown = state_of(
            await tab.exchange(handler_name(CheckInState, "open_check_in"), **CHECK_IN), CheckInState
        )
    assert (shown["ratings"], shown["note"], shown["sleep_hours"]) == ({"mood": 4}, note, "7")


async def test_an_unsaved_check_in_that_came_back_can_be_put_away(running_app: RunningApp) -> None:
    """A check-in begun days ago and left: "Start afresh" empties the form, and it stays away."""
    client = await _actor(running_app, "client", "Afresh Client")
    async with connected(running_app, client.cookie) as tab:
        await tab.exchange(handler_name(CheckInState, "open_check_in"), **CHECK_IN)
        await _choose_mood(tab, 3)
        opened = await tab.exchange(handler_name(CheckInState, "open_check_in"), **CHECK_IN)
        assert state_of(opened, CheckInState)["taken_back"] is True
        fresh = await tab.exchange(handler_name(CheckInState, "start_afresh"), **CHECK_IN)
        assert state_of(fresh, CheckInState)["ratings"] == {}
        assert state_of(fresh, AppState).get("notice") == "A new check-in, from the start."
        again = await tab.exchange(handler_name(CheckInState, "open_check_in"), **CHECK_IN)
        assert state_of(again, CheckInState).get("ratings", {}) == {}
        assert state_of(again, CheckInState).get("taken_back", False) is False

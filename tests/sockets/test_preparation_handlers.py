"""Session preparation through the running app, over the raw Socket.IO an attacker's script
would use (state/preparation.py: PrepareState, CaseloadState, BriefState).

Proven here, each by what came back over the socket and the rows in the database:

1. A clinician can't read an unshared agenda (nothing of it in any reply), nor tick it:
   refused and audited DENIED "discuss", nothing written; not even from a tab that still
   holds the agenda's id from when it was shared.
2. A pinned item the client keeps private never reaches the clinician (not its title, body
   or id, in any reply); shared with the one tap beside it, it does; revoked, it is gone.
3. A clinician who isn't the client's is refused the brief, the ticks and the
   appointments, each refusal audited; nothing of theirs is written.
4. A client calling the clinician's handlers gets the guard's refusal (DENIED "call",
   sent home) and nothing is written.
5. A client can't pin, share or change another client's items or agenda; the agenda's id is
   the server's (no setter reaches it); what a forged `setvar` does is checked too.
6. Bad input gets a clear message and writes nothing.
7. The happy path, live: a share reaches the clinician's open brief and a tick reaches the
   client's open Prepare page, pushed, without either sending anything.
8. The summary PDF: only what was chosen is in it, the export is audited, and no file is
   left on the server (the app's data directory, the system temp directory).
"""

from __future__ import annotations

import asyncio
import base64
import io
import json
import os
import re
import sqlite3
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pypdf
import pytest
from appserver import RunningApp
from reflex.state import State
from socket_support import (
    FEEDBACK_VARS,
    OWN_IDENTITY_VARS,
    Actor,
    Entry,
    Snapshot,
    connect,
    connected,
    database_path,
    filled_vars,
    link,
    new_audit_rows,
    new_people,
    problem_of,
    pushed_values,
    reconnect_same_token,
    redirects_of,
    set_shared,
    snapshot,
    state_of,
    toasts_of,
    uuid_hex,
    write_entry,
    writes_between,
)
from socketclient import EventClient, handler_name, post_form

from betterjournal import routes
from betterjournal.core import form_tokens, items, journal
from betterjournal.db import session_scope
from betterjournal.state.base import UNREADABLE, AppState
from betterjournal.state.care_team import CareTeamState
from betterjournal.state.clinician import SharedWaitingState
from betterjournal.state.items import ItemSharingState
from betterjournal.state.journal import EntryState
from betterjournal.state.preparation import BriefState, CaseloadState, PrepareState

NOT_AVAILABLE = "This item isn't available. It may have been removed or made private."
CHANGED = "Your agenda changed meanwhile. Reload the page and try again."
BROKEN = "This agenda couldn't be saved. Please reload the page and try again."
NO_DATE = "Choose a date and a time for the session."
NOT_SAVED = "This couldn't be saved. Please try again."  # a form that isn't one (state/homework.py)
LINE = "The line"
GONE = "That item isn't on your agenda any more. Reload the page to see it as it is."
ON_OFF = "Sharing must be on or off."
NOTHING_CHOSEN = "Choose at least one thing to put in your summary."
ON_OFF_TICK = "Discussed must be on or off."
PASSED = "That date has passed. Choose a date from today on."
AHEAD = "Choose a date within the next year."
PUSH_WITHIN_SECONDS = 3.0
SOON = (date.today() + timedelta(days=2)).isoformat()  # a good day for a session
TEN_YEARS_AHEAD = (date.today() + timedelta(days=3650)).isoformat()

Updates = list[dict[str, Any]]


# --- people, pages and calls -------------------------------------------------------------------


async def _people(app: RunningApp, **roles: str) -> dict[str, Actor]:
    return await new_people(app, "prep", **roles)


@dataclass
class Team:
    """Clinicians C and D, shared by the tests: each test brings its own fresh clients
    (an agenda belongs to a client, a clinician and a window, so nothing carries over)."""

    app: RunningApp
    c: Actor
    d: Actor


@pytest.fixture(scope="module")
async def team(running_app: RunningApp) -> Team:
    people = await _people(running_app, c="clinician", d="clinician")
    return Team(running_app, people["c"], people["d"])


async def _clients(team: Team, *clinicians: Actor) -> list[Actor]:
    """A fresh client for each clinician given, linked to that one."""
    people = await _people(team.app, **{f"client{n}": "client" for n in range(len(clinicians))})
    clients = list(people.values())
    for client, clinician in zip(clients, clinicians, strict=True):
        await link(team.app, client, clinician)
    return clients


def _prepare_page(clinician: Actor) -> dict[str, Any]:
    return {"path": routes.PREPARE, "query": {"with": clinician.id}}


def _brief_page(client_id: str) -> dict[str, Any]:
    return {"path": routes.BRIEF, "query": {"client": client_id}}


async def _prepare(tab: EventClient, clinician: Actor) -> dict[str, Any]:
    """The client opens their Prepare page for this clinician; what it shows."""
    updates = await tab.exchange(handler_name(PrepareState, "load_prepare"), **_prepare_page(clinician))
    assert problem_of(updates) == "", problem_of(updates)
    shown = state_of(updates, PrepareState)
    assert shown["clinician_id"] == clinician.id and shown["agenda_id"], shown
    return shown


async def _on_prepare(tab: EventClient, clinician: Actor, handler: str, payload: Any = None) -> Updates:
    return await tab.exchange(handler_name(PrepareState, handler), payload, **_prepare_page(clinician))


async def _add_line(tab: EventClient, clinician: Actor, text: str) -> str:
    """Add a text line (the Prepare page is open); its id."""
    updates = await _on_prepare(tab, clinician, "add_line", {"form": {"text": text}})
    assert problem_of(updates) == "", problem_of(updates)
    return next(line["id"] for line in state_of(updates, PrepareState)["lines"] if line["text"] == text)


async def _pin(tab: EventClient, clinician: Actor, choice: str) -> None:
    updates = await _on_prepare(tab, clinician, "pin", {"form": {"item": choice}})
    assert problem_of(updates) == "", problem_of(updates)


async def _share_agenda(tab: EventClient, clinician: Actor, shared: bool) -> dict[str, Any]:
    updates = await _on_prepare(tab, clinician, "set_agenda_shared", {"shared": shared})
    assert problem_of(updates) == "", problem_of(updates)
    shown = state_of(updates, PrepareState)
    assert shown["agenda_shared"] is shared
    return shown


async def _brief(
    tab: EventClient, client_id: str, handler: str = "load_brief", payload: Any = None
) -> Updates:
    return await tab.exchange(handler_name(BriefState, handler), payload, **_brief_page(client_id))


def _line_texts(values: dict[str, Any]) -> list[str]:
    return [line["text"] for line in values.get("lines") or []]


async def _quiet() -> None:
    """Let background pushes of what was just done end before snapshots are compared."""
    await asyncio.sleep(0.3)


# --- the database, read-only -------------------------------------------------------------------


def _rows(app: RunningApp, sql: str, *args: Any) -> list[tuple[Any, ...]]:
    connection = sqlite3.connect(f"file:{database_path(app)}?mode=ro", uri=True, timeout=10)
    try:
        return connection.execute(sql, args).fetchall()
    finally:
        connection.close()


def _ticks(app: RunningApp, agenda_id: str) -> list[tuple[Any, ...]]:
    return _rows(app, "SELECT line_id FROM agenda_discussed WHERE agenda_id = ?", uuid_hex(agenda_id))


def _appointments(app: RunningApp, client: Actor) -> list[tuple[Any, ...]]:
    return _rows(app, "SELECT id FROM appointment WHERE client_id = ?", uuid_hex(client.id))


def _live_shares(app: RunningApp, item_id: str) -> list[tuple[Any, ...]]:
    return _rows(
        app,
        "SELECT clinician_id FROM item_share WHERE item_id = ? AND revoked_at IS NULL",
        uuid_hex(item_id),
    )


def _audited(before: Snapshot, after: Snapshot) -> list[tuple[str, str, str]]:
    """New audit rows as (actor, action, outcome)."""
    return [(row[1], row[3], row[4]) for row in new_audit_rows(before, after)]


def _denied(actor: Actor, action: str) -> tuple[str, str, str]:
    return (uuid_hex(actor.id), action, "DENIED")


@dataclass
class Attempts:
    """Calls made one after another on one tab, each checked; what went wrong, collected."""

    app: RunningApp
    tab: EventClient
    secrets: set[str]
    problems: list[str]

    async def call(
        self,
        label: str,
        state_class: type,
        handler: str,
        payload: Any,
        where: dict[str, Any],
        *,
        problem: str | None,
        audited: list[tuple[str, str, str]],
        toast: bool = False,
    ) -> Updates:
        """`problem`: the message expected (None: not checked); `audited`: the new audit
        rows expected; `toast`: whether the app's "Something went wrong" toast is expected
        (an exception outside the core's refusals). Nothing else may be written (audit rows
        of refusals aside), and no secret may come back."""
        before = snapshot(self.app)
        updates = await self.tab.exchange(handler_name(state_class, handler), payload, **where)
        after = snapshot(self.app)
        if problem is not None and problem_of(updates) != problem:
            self.problems.append(f"{label}: problem {problem_of(updates)!r}, expected {problem!r}")
        if bool(toasts_of(updates)) != toast:
            self.problems.append(
                f"{label}: toasts {toasts_of(updates)}, expected {'one' if toast else 'none'}"
            )
        if (rows := _audited(before, after)) != audited:
            self.problems.append(f"{label}: audit rows {rows}, expected {audited}")
        self.problems += [f"{label}: wrote {change}" for change in writes_between(before, after)]
        sent = json.dumps(updates)
        self.problems += [f"{label}: the reply holds {secret!r}" for secret in self.secrets if secret in sent]
        return updates


# --- 1. an unshared agenda ------------------------------------------------------------------------


async def test_a_clinician_can_neither_read_nor_tick_an_unshared_agenda(team: Team) -> None:
    app, c = team.app, team.c
    (a,) = await _clients(team, c)
    marker = app.marker("unshared-line")
    async with connected(app, a.cookie) as tab:
        agenda_id = (await _prepare(tab, c))["agenda_id"]
        line_id = await _add_line(tab, c, marker)
        assert (await _prepare(tab, c))["agenda_shared"] is False
    await _quiet()
    async with connected(app, c.cookie) as doctor:
        caseload = await doctor.exchange(handler_name(CaseloadState, "load_caseload"), path=routes.CASELOAD)
        cases = state_of(caseload, CaseloadState)["cases"]
        (case,) = [line for line in cases if line["brief_href"] == routes.brief(a.id)]
        assert "Agenda shared for the next session" not in case["attention"]
        loaded = await _brief(doctor, a.id)
        shown = state_of(loaded, BriefState)
        assert problem_of(loaded) == "" and shown["client_id"] == a.id
        assert (shown["agenda_id"], shown["lines"]) == ("", [])
        run = Attempts(app, doctor, {marker, agenda_id}, [])
        await run.call(
            "tick a line of the unshared agenda",
            BriefState,
            "set_discussed",
            {"line_id": line_id, "discussed": True},
            _brief_page(a.id),
            problem=NOT_AVAILABLE,
            audited=[_denied(c, "DISCUSS")],
        )
        # The agenda's id can't be slipped in beside the handler's arguments, nor set.
        await run.call(
            "tick naming the agenda",
            BriefState,
            "set_discussed",
            {"line_id": line_id, "discussed": True, "agenda_id": agenda_id},
            _brief_page(a.id),
            problem=UNREADABLE,  # refused in words before the handler runs
            audited=[],
        )
        await run.call(
            "setvar agenda_id",
            BriefState,
            "setvar",
            {"var_name": "agenda_id", "value": agenda_id},
            _brief_page(a.id),
            problem=None,
            audited=[],
            toast=True,
        )
        await run.call(
            "tick after those",
            BriefState,
            "set_discussed",
            {"line_id": line_id, "discussed": True},
            _brief_page(a.id),
            problem=NOT_AVAILABLE,
            audited=[_denied(c, "DISCUSS")],
        )
        # A reload sends the whole state tree: that holds none of it either.
        await doctor.exchange(handler_name(State, "hydrate"), **_brief_page(a.id))
        sent = json.dumps(doctor.received)
    assert run.problems == [], "\n".join(run.problems)
    assert marker not in sent and agenda_id not in sent and line_id not in sent
    assert _ticks(app, agenda_id) == []


async def test_a_tab_still_holding_an_agenda_made_private_cannot_tick_it(team: Team) -> None:
    """The clinician's tab held the agenda while it was shared, then lost its connection
    (so the make-private push could not reach it) and comes back with the same token, ticking
    straight away: the core refuses the agenda's own id, audited, nothing written."""
    app, c = team.app, team.c
    (a,) = await _clients(team, c)
    async with connected(app, a.cookie) as tab:
        agenda_id = (await _prepare(tab, c))["agenda_id"]
        line_id = await _add_line(tab, c, app.marker("was-shared-line"))
        await _share_agenda(tab, c, True)
    doctor = await connect(app, c.cookie)
    token = doctor.token
    try:
        shown = state_of(await _brief(doctor, a.id), BriefState)
        assert shown["agenda_id"] == agenda_id and [line["id"] for line in shown["lines"]] == [line_id]
    finally:
        await doctor.close()
    async with connected(app, a.cookie) as tab:
        await _prepare(tab, c)
        await _share_agenda(tab, c, False)
    await _quiet()
    again = await reconnect_same_token(app, token, c.cookie)
    try:
        before = snapshot(app)
        ticked = await _brief(again, a.id, "set_discussed", {"line_id": line_id, "discussed": True})
        after = snapshot(app)
    finally:
        await again.close()
    assert problem_of(ticked) == NOT_AVAILABLE
    assert [(r[1], r[2], r[3], r[4]) for r in new_audit_rows(before, after)] == [
        (uuid_hex(c.id), uuid_hex(agenda_id), "DISCUSS", "DENIED")
    ]
    assert writes_between(before, after) == [] and _ticks(app, agenda_id) == []


# --- 2. a private pinned item --------------------------------------------------------------------


async def test_a_private_pinned_item_never_reaches_the_clinician(team: Team) -> None:
    app, c = team.app, team.c
    (a,) = await _clients(team, c)
    async with connected(app, a.cookie) as tab:
        private = await write_entry(app, tab, "pinned-private")
        shared = await write_entry(app, tab, "pinned-shared")
        await set_shared(tab, shared, c, True)
        agenda_id = (await _prepare(tab, c))["agenda_id"]
        text = app.marker("pinned-text-line")
        await _add_line(tab, c, text)
        await _pin(tab, c, f"journal_entry:{private.id}")
        await _pin(tab, c, f"journal_entry:{shared.id}")
        lines = (await _share_agenda(tab, c, True))["lines"]
        # The owner is told which pin the clinician can't see.
        assert {line["item_id"]: line["private"] for line in lines if line["item_id"]} == {
            private.id: True,
            shared.id: False,
        }
        private_line = next(line["id"] for line in lines if line["item_id"] == private.id)
    await _quiet()
    kept = {private.title, private.body, private.id}

    async def brief_as_clinician() -> tuple[dict[str, Any], str, list[tuple[Any, ...]]]:
        """A fresh clinician tab loads the brief (and reloads it): what it shows, every
        reply it got, and what was audited meanwhile."""
        async with connected(app, c.cookie) as doctor:
            before = snapshot(app)
            shown = state_of(await _brief(doctor, a.id), BriefState)
            await doctor.exchange(handler_name(State, "hydrate"), **_brief_page(a.id))
            sent = json.dumps(doctor.received)
        return shown, sent, new_audit_rows(before, snapshot(app))

    shown, sent, audited = await brief_as_clinician()
    assert shared.title in sent and text in sent
    assert [s for s in kept if s in sent] == [], "the private pinned item reached the clinician"
    assert _line_texts(shown) == [text, f"Entry: {shared.title}"]
    assert [item["id"] for item in shown["pinned"]] == [shared.id]
    # Each pin leads to where it is read (a walk-through found none did but an entry's line).
    assert [item["href"] for item in shown["pinned"]] == [routes.shared_entry(shared.id)]
    # No check-in shared: the summary says so, with no empty chart drawn above it.
    assert shown["has_check_ins"] is False and shown["chart_summary"].startswith("No shared check-ins")
    assert [row for row in audited if row[2] == uuid_hex(private.id)] == []  # not even opened
    # Its line (its id known to the client only) can't be ticked either.
    async with connected(app, c.cookie) as doctor:
        await _brief(doctor, a.id)
        before = snapshot(app)
        ticked = await _brief(doctor, a.id, "set_discussed", {"line_id": private_line, "discussed": True})
        after = snapshot(app)
    assert problem_of(ticked) == NOT_AVAILABLE and _ticks(app, agenda_id) == []
    assert _audited(before, after) == [_denied(c, "DISCUSS")] and writes_between(before, after) == []

    # The pin's own switch (one tap beside the private pin) shares it with the agenda's clinician.
    async with connected(app, a.cookie) as tab:
        await _prepare(tab, c)
        tapped = await _on_prepare(tab, c, "set_pinned_shared", {"item_id": private.id, "shared": True})
        assert (
            problem_of(tapped) == "" and state_of(tapped, AppState)["notice"] == f"Item shared with {c.name}."
        )
        assert all(line["private"] is False for line in state_of(tapped, PrepareState)["lines"])
    assert _live_shares(app, private.id) == [(uuid_hex(c.id),)]
    shown, sent, _audited_rows = await brief_as_clinician()
    assert _line_texts(shown) == [text, f"Entry: {private.title}", f"Entry: {shared.title}"]
    assert private.body in sent

    # Revoked from the entry's own page: gone from a fresh brief, wholly.
    async with connected(app, a.cookie) as tab:
        await set_shared(tab, private, c, False)
    await _quiet()
    shown, sent, audited = await brief_as_clinician()
    assert _line_texts(shown) == [text, f"Entry: {shared.title}"]
    assert [s for s in kept if s in sent] == [], "the revoked pinned item reached the clinician"
    assert [row for row in audited if row[2] == uuid_hex(private.id)] == []


# --- 3. a clinician who isn't the client's --------------------------------------------------------


async def test_another_clinicians_client_is_refused_everything_and_each_refusal_audited(team: Team) -> None:
    app, c, d = team.app, team.c, team.d
    a, b = await _clients(team, c, d)
    a_text = app.marker("a-line")
    async with connected(app, a.cookie) as tab:
        a_agenda = (await _prepare(tab, c))["agenda_id"]
        a_line = await _add_line(tab, c, a_text)
        await _share_agenda(tab, c, True)
    async with connected(app, b.cookie) as tab:
        b_agenda = (await _prepare(tab, d))["agenda_id"]
        await _add_line(tab, d, app.marker("b-line"))
        await _share_agenda(tab, d, True)
    await _quiet()
    form = {"day": SOON, "time": "10:00"}
    page_a, page_b = _brief_page(a.id), _brief_page(b.id)
    async with connected(app, d.cookie) as tab:
        run = Attempts(app, tab, {a_text, a.name, a_agenda}, [])
        refused = await run.call(
            "load A's brief",
            BriefState,
            "load_brief",
            None,
            page_a,
            problem=NOT_AVAILABLE,
            audited=[_denied(d, "VIEW_SHARED_LIST")],
        )
        assert state_of(refused, BriefState).get("client_id", "") == ""
        assert state_of(refused, BriefState).get("brief_checked") is True  # no spinner left turning
        # The page holds no client now: each control is refused, and audited.
        for handler, payload, action in (
            ("set_discussed", {"line_id": a_line, "discussed": True}, "DISCUSS"),
            ("plan_session", {"form": form}, "SCHEDULE"),
            ("mark_held", None, "SCHEDULE"),
            ("clear_session", None, "SCHEDULE"),
        ):
            await run.call(
                f"{handler} {payload}",
                BriefState,
                handler,
                payload,
                page_a,
                problem=NOT_AVAILABLE,
                audited=[_denied(d, action)],
            )
        # A client named inside the form: an unexpected field, refused before anything
        # is looked at (no mass assignment), with the plain message.
        await run.call(
            "plan_session with client_id in the form",
            BriefState,
            "plan_session",
            {"form": {**form, "client_id": a.id}},
            page_a,
            problem="This couldn't be saved. Please try again.",
            audited=[],
        )
        # A client or an agenda named beside the handler's own arguments: not taken.
        for handler, payload in (
            ("plan_session", {"form": form, "client_id": a.id}),
            ("mark_held", {"client_id": a.id}),
            ("clear_session", {"client_id": a.id}),
            ("set_discussed", {"line_id": a_line, "discussed": True, "agenda_id": a_agenda}),
        ):
            await run.call(
                f"{handler} naming A",
                BriefState,
                handler,
                payload,
                page_a,
                problem=UNREADABLE,  # refused in words before the handler runs
                audited=[],
            )
        # D's own client: the page works (and reads B's agenda: audited, allowed), then
        # A's line is not on B's agenda.
        own = await _brief(tab, b.id)
        assert problem_of(own) == "" and state_of(own, BriefState)["agenda_id"] == b_agenda
        before = snapshot(app)
        ticked = await tab.exchange(
            handler_name(BriefState, "set_discussed"), {"line_id": a_line, "discussed": True}, **page_b
        )
        after = snapshot(app)
        assert problem_of(ticked) == NOT_AVAILABLE
        assert [(r[1], r[2], r[3], r[4]) for r in new_audit_rows(before, after)] == [
            (uuid_hex(d.id), uuid_hex(b_agenda), "DISCUSS", "DENIED")
        ]
        assert writes_between(before, after) == []
        for handler, payload in (
            ("set_discussed", {"line_id": a_line, "discussed": True, "agenda_id": a_agenda}),
            ("plan_session", {"form": form, "client_id": a.id}),
            ("mark_held", {"client_id": a.id}),
            ("clear_session", {"client_id": a.id}),
        ):
            await run.call(
                f"{handler} naming A from B's page",
                BriefState,
                handler,
                payload,
                page_b,
                problem=UNREADABLE,  # refused in words before the handler runs
                audited=[],
            )
    assert run.problems == [], "\n".join(run.problems)
    assert _appointments(app, a) == [] and _ticks(app, a_agenda) == []
    assert _appointments(app, b) == [] and _ticks(app, b_agenda) == []
    # C still sees A's agenda as A wrote it, nothing ticked, no session planned.
    async with connected(app, c.cookie) as doctor:
        shown = state_of(await _brief(doctor, a.id), BriefState)
    assert [(line["id"], line["discussed"]) for line in shown["lines"]] == [(a_line, False)]
    assert shown["next_session"] == "No next session planned yet."


async def test_a_refused_brief_leaves_no_other_clients_brief_on_the_page(team: Team) -> None:
    """D has their client B's brief open, then opens A's (not D's client: refused). The
    page must hold no client then, as the homework pages do: not B's brief under A's
    address, with its controls still acting on B (here: planning B's next session)."""
    app, c, d = team.app, team.c, team.d
    a, b = await _clients(team, c, d)
    async with connected(app, d.cookie) as tab:
        own = state_of(await _brief(tab, b.id), BriefState)
        assert (own["client_id"], own["client_name"]) == (b.id, b.name)
        refused = await _brief(tab, a.id)
        assert problem_of(refused) == NOT_AVAILABLE
        before = snapshot(app)
        planned = await _brief(tab, a.id, "plan_session", {"form": {"day": SOON, "time": "10:00"}})
        after = snapshot(app)
    held = state_of(refused, BriefState)
    assert (held.get("client_id"), held.get("client_name")) == ("", ""), (
        f"after the refused load the page still holds {b.name}'s brief"
    )
    assert problem_of(planned) == NOT_AVAILABLE and _audited(before, after) == [_denied(d, "SCHEDULE")]
    assert writes_between(before, after) == [] and _appointments(app, b) == []


# --- 4. a client, the clinician's handlers --------------------------------------------------------


async def test_a_client_is_turned_away_from_the_clinicians_handlers(team: Team) -> None:
    app, c = team.app, team.c
    (a,) = await _clients(team, c)
    async with connected(app, a.cookie) as tab:
        agenda_id = (await _prepare(tab, c))["agenda_id"]
        line_id = await _add_line(tab, c, app.marker("own-line"))
        await _share_agenda(tab, c, True)
    await _quiet()
    page = _brief_page(a.id)
    calls: list[tuple[type, str, Any, dict[str, Any]]] = [
        (BriefState, "set_discussed", {"line_id": line_id, "discussed": True}, page),
        (BriefState, "plan_session", {"form": {"day": SOON, "time": "10:00"}}, page),
        (BriefState, "mark_held", None, page),
        (BriefState, "clear_session", None, page),
        (BriefState, "load_brief", None, page),
        (CaseloadState, "load_caseload", None, {"path": routes.CASELOAD}),
    ]
    problems: list[str] = []
    async with connected(app, a.cookie) as tab:
        for state_class, handler, payload, where in calls:
            label = f"{state_class.__name__}.{handler}"
            before = snapshot(app)
            updates = await tab.exchange(handler_name(state_class, handler), payload, **where)
            after = snapshot(app)
            if (redirects := redirects_of(updates)) != [routes.HOME]:
                problems.append(f"{label}: expected the guard's redirect home, got {redirects}")
            if filled := filled_vars(updates, allowed=FEEDBACK_VARS | OWN_IDENTITY_VARS):
                problems.append(f"{label}: the reply fills {filled}")
            if (audited := _audited(before, after)) != [_denied(a, "CALL")]:
                problems.append(f"{label}: audited {audited}, not the one denied call")
            problems += [f"{label}: wrote {change}" for change in writes_between(before, after)]
    assert problems == [], "\n".join(problems)
    assert _appointments(app, a) == [] and _ticks(app, agenda_id) == []


# --- 5. a client, another client's agenda and items -----------------------------------------------


async def test_a_client_cannot_touch_another_clients_agenda_or_items(team: Team) -> None:
    app, c = team.app, team.c
    a, b = await _clients(team, c, c)
    a_text = app.marker("a-own-line")
    async with connected(app, a.cookie) as tab:
        a_entry = await write_entry(app, tab, "a-entry")
        a_agenda = (await _prepare(tab, c))["agenda_id"]
        a_line = await _add_line(tab, c, a_text)
    await _quiet()
    secrets = {a_text, a_entry.title, a_entry.body}
    async with connected(app, b.cookie) as tab:
        b_agenda = (await _prepare(tab, c))["agenda_id"]
        page = _prepare_page(c)
        run = Attempts(app, tab, secrets, [])
        for choice in (f"journal_entry:{a_entry.id}", f"journal_entry:{a_agenda}"):
            await run.call(
                f"pin {choice}",
                PrepareState,
                "pin",
                {"form": {"item": choice}},
                page,
                problem=NOT_AVAILABLE,
                audited=[_denied(b, "WRITE_ITEM")],
            )
        for item in (a_entry.id, a_agenda):
            await run.call(
                f"set_pinned_shared {item}",
                PrepareState,
                "set_pinned_shared",
                {"item_id": item, "shared": True},
                page,
                problem=NOT_AVAILABLE,
                audited=[_denied(b, "SHARE")],
            )
        # A's line ids mean nothing on B's agenda.
        await run.call(
            "remove A's line",
            PrepareState,
            "remove_line",
            {"line_id": a_line},
            page,
            problem=GONE,
            audited=[],
        )
        await run.call(
            "move A's line",
            PrepareState,
            "move_line",
            {"line_id": a_line, "by": 1},
            page,
            problem=CHANGED,
            audited=[],
        )
        # The agenda's id is the server's: no setter, no handler, no extra argument sets it.
        await run.call(
            "setvar agenda_id",
            PrepareState,
            "setvar",
            {"var_name": "agenda_id", "value": a_agenda},
            page,
            problem=None,
            audited=[],
            toast=True,
        )
        await run.call(
            "set_agenda_id (no such handler)",
            PrepareState,
            "set_agenda_id",
            {"value": a_agenda},
            page,
            problem=None,
            audited=[],
        )
        for handler, payload in (
            ("add_line", {"form": {"text": "forged"}, "agenda_id": a_agenda}),
            ("set_agenda_shared", {"shared": True, "agenda_id": a_agenda}),
            ("save_remember", {"form": {"remember": "forged"}, "agenda_id": a_agenda}),
        ):
            await run.call(
                f"{handler} naming A's agenda",
                PrepareState,
                handler,
                payload,
                page,
                problem=UNREADABLE,  # refused in words before the handler runs
                audited=[],
            )
        # `setvar` of a var whose "setter" is a guarded async handler: Reflex calls it
        # without awaiting it, so nothing runs (a RuntimeWarning in the app's log).
        await run.call(
            "setvar agenda_shared",
            PrepareState,
            "setvar",
            {"var_name": "agenda_shared", "value": True},
            page,
            problem=None,
            audited=[],
        )
        # After all that, B's page still holds B's own agenda: B's writes land there.
        b_text = app.marker("b-own-line")
        added = await _on_prepare(tab, c, "add_line", {"form": {"text": b_text}})
        assert problem_of(added) == "" and state_of(added, PrepareState)["agenda_id"] == b_agenda
        assert state_of(added, PrepareState)["agenda_shared"] is False
    assert run.problems == [], "\n".join(run.problems)
    assert _live_shares(app, a_entry.id) == [] and _live_shares(app, a_agenda) == []
    async with connected(app, a.cookie) as tab:
        mine = await _prepare(tab, c)
    assert (mine["agenda_id"], _line_texts(mine), mine["agenda_shared"]) == (a_agenda, [a_text], False)


# --- 6. bad input ---------------------------------------------------------------------------------


@dataclass
class Bad:
    """Client W (linked to C): an entry, and a shared agenda holding one text line and a pin
    of the (private) entry; an entry of client X's (also C's)."""

    app: RunningApp
    c: Actor
    w: Actor
    line_id: str
    entry: Entry
    other_entry: Entry


@pytest.fixture(scope="module")
async def bad(team: Team) -> Bad:
    app, c = team.app, team.c
    w, x = await _clients(team, c, c)
    async with connected(app, x.cookie) as tab:
        other = await write_entry(app, tab, "x-entry")
    async with connected(app, w.cookie) as tab:
        entry = await write_entry(app, tab, "w-entry")
        await _prepare(tab, c)
        line_id = await _add_line(tab, c, "Sleep")
        await _pin(tab, c, f"journal_entry:{entry.id}")  # private: C never sees this line
        await _share_agenda(tab, c, True)
    await _quiet()
    return Bad(app, c, w, line_id, entry, other)


# (case, handler, payload from the fixture, the message; whether a DENIED audit row is expected)
BAD_PREPARE: list[tuple[str, str, Callable[[Bad], Any], str, bool]] = [
    (
        "line too long",
        "add_line",
        lambda b: {"form": {"text": "x" * 301}},
        f"{LINE} is too long: the limit is 300 characters.",
        False,
    ),
    (
        "line with NUL",
        "add_line",
        lambda b: {"form": {"text": "a\x00b"}},
        f"{LINE} contains characters that can't be saved.",
        False,
    ),
    ("line is a number", "add_line", lambda b: {"form": {"text": 5}}, f"{LINE} must be text.", False),
    ("empty line", "add_line", lambda b: {"form": {"text": ""}}, f"{LINE} can't be empty.", False),
    ("no text key", "add_line", lambda b: {"form": {}}, f"{LINE} must be text.", False),
    ("form not a dict", "add_line", lambda b: {"form": "Sleep"}, NOT_SAVED, False),
    ("move by 2", "move_line", lambda b: {"line_id": b.line_id, "by": 2}, CHANGED, False),
    ("move by True", "move_line", lambda b: {"line_id": b.line_id, "by": True}, CHANGED, False),
    ("move by 'x'", "move_line", lambda b: {"line_id": b.line_id, "by": "x"}, CHANGED, False),
    ("move an unknown line", "move_line", lambda b: {"line_id": "deadbeef", "by": 1}, CHANGED, False),
    ("remove an unknown line", "remove_line", lambda b: {"line_id": "deadbeef"}, GONE, False),
    (
        "undo with nothing removed",
        "undo_remove",
        lambda b: {},
        "There is nothing to undo. Reload the page to see your agenda as it is.",
        False,
    ),
    ("pin a check-in kind", "pin", lambda b: {"form": {"item": f"check_in:{uuid.uuid4()}"}}, BROKEN, False),
    (
        "pin a malformed id",
        "pin",
        lambda b: {"form": {"item": "journal_entry:not-a-uuid"}},
        NOT_AVAILABLE,
        True,
    ),
    ("pin nothing", "pin", lambda b: {"form": {"item": ""}}, "Choose what to pin first.", False),
    (
        "pin from its page another client's entry",
        "pin_for_next_session",
        lambda b: {"kind": "journal_entry", "item_id": b.other_entry.id, "clinician_id": b.c.id},
        NOT_AVAILABLE,
        True,
    ),
    (
        "pin from its page the entry twice",
        "pin_for_next_session",
        lambda b: {"kind": "journal_entry", "item_id": b.entry.id, "clinician_id": b.c.id},
        "That is on your agenda already.",
        False,
    ),
    (
        "pin from its page a check-in kind",
        "pin_for_next_session",
        lambda b: {"kind": "check_in", "item_id": b.entry.id, "clinician_id": b.c.id},
        BROKEN,
        False,
    ),
    ("pin with no item key", "pin", lambda b: {"form": {}}, "Choose what to pin first.", False),
    ("pin form not a dict", "pin", lambda b: {"form": "chart"}, NOT_SAVED, False),
    (
        "pin the entry twice",
        "pin",
        lambda b: {"form": {"item": f"journal_entry:{b.entry.id}"}},
        "That is on your agenda already.",
        False,
    ),
    ("share 'yes'", "set_agenda_shared", lambda b: {"shared": "yes"}, ON_OFF, False),
    ("share None", "set_agenda_shared", lambda b: {"shared": None}, ON_OFF, False),
    ("share 1", "set_agenda_shared", lambda b: {"shared": 1}, ON_OFF, False),
    (
        "remember before any session",
        "save_remember",
        lambda b: {"form": {"remember": "Note"}},
        "You can write this once a session has been held.",
        False,
    ),
    ("summary of nothing", "download_summary", lambda b: {"form": {}}, NOTHING_CHOSEN, False),
    (
        "summary of nothing ticked",
        "download_summary",
        lambda b: {"form": {"agenda": False, f"entry-{b.entry.id}": False}},
        NOTHING_CHOSEN,
        False,
    ),
    (
        "summary of another client's entry",
        "download_summary",
        lambda b: {"form": {"agenda": True, f"entry-{b.other_entry.id}": True}},
        NOT_AVAILABLE,
        True,
    ),
    ("summary form not a dict", "download_summary", lambda b: {"form": "agenda"}, NOT_SAVED, False),
    (
        "summary of 51 entries",
        "download_summary",
        lambda b: {"form": {f"entry-{uuid.uuid4()}": True for _ in range(51)}},
        "Choose at most 50 entries for one summary.",
        False,
    ),
    (
        "summary of a chart with no check-in",
        "download_summary",
        lambda b: {"form": {"chart": True}},
        "What you chose has nothing in it yet. Add a line to your agenda, or check in.",
        False,
    ),
]


def _denied_action(handler: str) -> str:
    """What a refused pin (of an id that isn't the client's) or summary is audited as."""
    return {"pin": "WRITE_ITEM", "pin_for_next_session": "WRITE_ITEM", "download_summary": "VIEW_ITEM"}[
        handler
    ]


@pytest.mark.parametrize(
    ("case", "handler", "payload", "message", "denied"), BAD_PREPARE, ids=[c[0] for c in BAD_PREPARE]
)
async def test_bad_input_on_the_prepare_page_gets_a_clear_message_and_writes_nothing(
    bad: Bad, case: str, handler: str, payload: Callable[[Bad], Any], message: str, denied: bool
) -> None:
    app = bad.app
    async with connected(app, bad.w.cookie) as tab:
        await _prepare(tab, bad.c)
        before = snapshot(app)
        updates = await _on_prepare(tab, bad.c, handler, payload(bad))
        after = snapshot(app)
    assert problem_of(updates) == message, case
    assert toasts_of(updates) == [], case
    assert [e for u in updates for e in u.get("events") or [] if e.get("name") == "_download"] == []
    assert writes_between(before, after, allow_denied_audit=denied) == [], case
    assert _audited(before, after) == ([_denied(bad.w, _denied_action(handler))] if denied else []), case


async def test_moving_by_a_string_is_refused_and_logs_nothing(team: Team) -> None:
    """`by` is taken as sent (typed `object`): Reflex turned a string into the annotated int
    and logged a warning for each one it couldn't (an attack review: a script could fill the
    log). The core refuses anything but -1 and 1; the buttons send numbers."""
    app, c = team.app, team.c
    (a,) = await _clients(team, c)
    log_before = app.log_path.read_text(errors="replace")
    async with connected(app, a.cookie) as tab:
        await _prepare(tab, c)
        first = await _add_line(tab, c, "First")
        second = await _add_line(tab, c, "Second")
        for by in ("1", "down"):
            moved = await _on_prepare(tab, c, "move_line", {"line_id": first, "by": by})
            assert problem_of(moved) != "", by
        moved = await _on_prepare(tab, c, "move_line", {"line_id": first, "by": 1})
    assert problem_of(moved) == ""
    assert [line["id"] for line in state_of(moved, PrepareState)["lines"]] == [second, first]
    assert "details withheld" not in app.log_path.read_text(errors="replace")[len(log_before) :]


async def test_the_fifty_first_line_is_refused(team: Team) -> None:
    app, c = team.app, team.c
    (a,) = await _clients(team, c)
    async with connected(app, a.cookie) as tab:
        await _prepare(tab, c)
        for number in range(50):
            added = await _on_prepare(tab, c, "add_line", {"form": {"text": f"Line {number + 1}"}})
            assert problem_of(added) == "", (number, problem_of(added))
        assert len(state_of(added, PrepareState)["lines"]) == 50
        before = snapshot(app)
        refused = await _on_prepare(tab, c, "add_line", {"form": {"text": "Line 51"}})
        chart = await _on_prepare(tab, c, "pin", {"form": {"item": "chart"}})
        after = snapshot(app)
    assert problem_of(refused) == "An agenda holds at most 50 items. Remove one to add another."
    assert problem_of(chart) == problem_of(refused)
    assert writes_between(before, after, allow_denied_audit=False) == []


BAD_BRIEF: list[tuple[str, str, Callable[[Bad], Any], str]] = [
    ("ten years ago", "plan_session", lambda b: {"form": {"day": "2016-03-01", "time": "10:00"}}, PASSED),
    ("ten years ahead", "plan_session", lambda b: {"form": {"day": TEN_YEARS_AHEAD, "time": "10:00"}}, AHEAD),
    ("30 February", "plan_session", lambda b: {"form": {"day": "2026-02-30", "time": "10:00"}}, NO_DATE),
    ("25 o'clock", "plan_session", lambda b: {"form": {"day": SOON, "time": "25:00"}}, NO_DATE),
    ("day as a list", "plan_session", lambda b: {"form": {"day": [SOON], "time": "10:00"}}, NO_DATE),
    ("no keys", "plan_session", lambda b: {"form": {}}, NO_DATE),
    ("no time", "plan_session", lambda b: {"form": {"day": SOON}}, NO_DATE),
    ("form not a dict", "plan_session", lambda b: {"form": f"{SOON} 10:00"}, NOT_SAVED),
    ("discussed 'true'", "set_discussed", lambda b: {"line_id": b.line_id, "discussed": "true"}, ON_OFF_TICK),
]


@pytest.mark.parametrize(("case", "handler", "payload", "message"), BAD_BRIEF, ids=[c[0] for c in BAD_BRIEF])
async def test_bad_input_on_the_brief_gets_a_clear_message_and_writes_nothing(
    bad: Bad, case: str, handler: str, payload: Callable[[Bad], Any], message: str
) -> None:
    app = bad.app
    async with connected(app, bad.c.cookie) as tab:
        shown = state_of(await _brief(tab, bad.w.id), BriefState)
        assert [line["id"] for line in shown["lines"]] == [bad.line_id]
        before = snapshot(app)
        updates = await _brief(tab, bad.w.id, handler, payload(bad))
        after = snapshot(app)
    assert problem_of(updates) == message, case
    assert toasts_of(updates) == [], case
    assert writes_between(before, after, allow_denied_audit=False) == [], case
    assert _appointments(app, bad.w) == [] and _ticks(app, shown["agenda_id"]) == []


# --- 7. the happy path, live ------------------------------------------------------------------------


async def test_an_offer_to_show_a_new_share_goes_once_the_brief_is_read_again(team: Team) -> None:
    """Walk-through: "Something new was shared with you since this page opened" stayed on the
    brief after "Mark held", and "Show it" then showed nothing (the share was the window
    before's). Read again by the clinician's own tap, the page holds all that is shared: the
    offer goes."""
    app, c = team.app, team.c
    (a,) = await _clients(team, c)
    async with connected(app, a.cookie) as client_tab, connected(app, c.cookie) as doctor:
        await _prepare(client_tab, c)
        await _add_line(client_tab, c, app.marker("offered-line"))
        await _brief(doctor, a.id)
        since = len(doctor.received)
        await _share_agenda(client_tab, c, True)
        await pushed_values(doctor, since, AppState, lambda v: v.get("shared_waiting_on") == routes.BRIEF)
        held = await _brief(doctor, a.id, "mark_held")
        assert problem_of(held) == ""
        assert state_of(held, AppState).get("shared_waiting_on") == ""


async def test_a_share_and_a_tick_reach_the_other_sides_open_page_at_once(team: Team) -> None:
    app, c = team.app, team.c
    (a,) = await _clients(team, c)
    text, kept = app.marker("live-line"), app.marker("carried-line")
    async with connected(app, a.cookie) as client_tab, connected(app, c.cookie) as doctor:
        agenda_id = (await _prepare(client_tab, c))["agenda_id"]
        line_id = await _add_line(client_tab, c, text)
        carried = await _add_line(client_tab, c, kept)
        shown = state_of(await _brief(doctor, a.id), BriefState)
        assert shown["lines"] == [] and text not in json.dumps(doctor.received)

        # The client shares: the clinician's open brief says so at once, pushed, and shows
        # the agenda once they choose to see it (a tab left open is not "seen").
        since = len(doctor.received)
        await _share_agenda(client_tab, c, True)
        await pushed_values(doctor, since, AppState, lambda v: v.get("shared_waiting_on") == routes.BRIEF)
        assert text not in json.dumps(doctor.received)
        shown = state_of(
            await doctor.exchange(
                handler_name(SharedWaitingState, "show_shared_waiting"), **_brief_page(a.id)
            ),
            BriefState,
        )
        assert shown["agenda_id"] == agenda_id and _line_texts(shown) == [text, kept]

        # The clinician ticks a line: the client's open Prepare page shows it, pushed.
        since, before = len(client_tab.received), snapshot(app)
        ticked = await _brief(doctor, a.id, "set_discussed", {"line_id": line_id, "discussed": True})
        assert problem_of(ticked) == ""
        assert [line["discussed"] for line in state_of(ticked, BriefState)["lines"]] == [True, False]
        ticks = await pushed_values(
            client_tab,
            since,
            PrepareState,
            lambda v: any(line["id"] == line_id and line["discussed"] for line in v.get("lines") or []),
        )
        assert [(line["id"], line["discussed"]) for line in ticks["lines"]] == [
            (line_id, True),
            (carried, False),
        ]
        assert (uuid_hex(c.id), "DISCUSS", "ALLOWED") in _audited(before, snapshot(app))
        assert _ticks(app, agenda_id) == [(line_id,)]

        # A session planned, then held: each reaches the client's page; what wasn't
        # discussed carries over to the new window's agenda.
        since = len(client_tab.received)
        planned = await _brief(doctor, a.id, "plan_session", {"form": {"day": SOON, "time": "10:00"}})
        assert problem_of(planned) == ""
        # Each reads it in their own zone (here both the deployment's, Toronto), named.
        zone = r"\(Eastern (Standard|Daylight) Time\)"
        assert re.fullmatch(
            rf"Your time {zone}\. Your client sees it in their own time zone\.",
            state_of(planned, BriefState)["time_hint"],
        )
        told = await pushed_values(
            client_tab, since, PrepareState, lambda v: v.get("next_session", "").startswith("Next session: ")
        )
        assert re.fullmatch(rf"Next session: .*, 10:00\u202fa\.m\. {zone}", told["next_session"])
        since = len(client_tab.received)
        async with connected(app, c.cookie) as other_tab:  # the same brief, open in another tab
            assert state_of(await _brief(other_tab, a.id), BriefState)["held_moments_ago"] == ""
            elsewhere = len(other_tab.received)
            held = await _brief(doctor, a.id, "mark_held")
            assert problem_of(held) == "" and state_of(held, BriefState)["agenda_id"] == ""
            # The other tab shows it too, rather than offering to mark it held again.
            pushed = await pushed_values(
                other_tab, elsewhere, BriefState, lambda v: bool(v.get("held_moments_ago"))
            )
            assert pushed["held_moments_ago"].startswith("Marked held at ")
        after = await pushed_values(client_tab, since, PrepareState, lambda v: v.get("session_held") is True)
        assert after["agenda_id"] != agenda_id and _line_texts(after) == [kept]
        assert [(line["text"], line["discussed"]) for line in after["last_lines"]] == [
            (text, True),
            (kept, False),
        ]

        # The client's note after the session is theirs alone: saved, never in the brief.
        note = app.marker("remember-note")
        since = len(doctor.received)
        saved = await _on_prepare(client_tab, c, "save_remember", {"form": {"remember": note}})
        assert problem_of(saved) == "" and (await _prepare(client_tab, c))["remember"] == note
        await _quiet()
        await _brief(doctor, a.id)
        await doctor.exchange(handler_name(State, "hydrate"), **_brief_page(a.id))
        assert note not in json.dumps(doctor.received[since:])
    # Today's session, held, and the one planned for SOON (a later day), still the next.
    held_and_planned = _rows(
        app, "SELECT held_at IS NULL FROM appointment WHERE client_id = ?", uuid_hex(a.id)
    )
    assert sorted(row[0] for row in held_and_planned) == [0, 1]


async def test_ending_the_link_empties_the_open_brief_without_a_refusal_on_record(team: Team) -> None:
    """The client ends the link while the clinician's brief is open: the push empties it
    (nothing of the client stays), and since the push is no one's request, it writes no
    DENIED row (a refusal is for an attempt)."""
    app, c = team.app, team.c
    (a,) = await _clients(team, c)
    text = app.marker("unlinked-line")
    async with connected(app, a.cookie) as client_tab, connected(app, c.cookie) as doctor:
        await _prepare(client_tab, c)
        await _add_line(client_tab, c, text)
        await _share_agenda(client_tab, c, True)
        shown = state_of(await _brief(doctor, a.id), BriefState)
        assert text in _line_texts(shown) and shown["client_name"] == a.name
        since, before = len(doctor.received), snapshot(app)
        await client_tab.exchange(handler_name(CareTeamState, "load_care_team"), path=routes.CARE_TEAM)
        await client_tab.exchange(
            handler_name(CareTeamState, "end_link"), {"clinician_id": c.id}, path=routes.CARE_TEAM
        )
        # And it says the brief isn't available, rather than showing "Opening the brief" forever.
        emptied = await pushed_values(
            doctor, since, BriefState, lambda v: v.get("client_name") == "" and v.get("brief_checked") is True
        )
        assert emptied.get("lines", []) == [] and text not in json.dumps(doctor.received[since:])
        await _quiet()
    assert [row for row in _audited(before, snapshot(app)) if row[2] == "DENIED"] == []


# --- 8. the summary PDF ------------------------------------------------------------------------------


def _files(root: Path, *, skip: Callable[[Path], bool] = lambda _path: False) -> set[Path]:
    found: set[Path] = set()
    for folder, dirs, names in os.walk(root, onerror=lambda _error: None):
        here = Path(folder)
        dirs[:] = [d for d in dirs if not skip(here / d)]
        found.update(here / name for name in names if not skip(here / name))
    return found


def _unrelated_temp(path: Path) -> bool:
    """Temp entries that are not the app's: pytest's own (the app's data directory lives
    there, and is compared on its own) and this machine's tool runs."""
    return path.parent == Path(tempfile.gettempdir()) and path.name.startswith(("pytest-of-", "bash_"))


def _holds(path: Path, needles: list[bytes]) -> bool:
    try:
        data = path.read_bytes()
    except OSError:
        return False
    return any(needle in data for needle in needles)


async def test_a_summary_whose_letters_print_as_question_marks_says_so(team: Team) -> None:
    """Found in a walk-through: a Hebrew agenda line printed as "????", with nothing said."""
    app, c = team.app, team.c
    (a,) = await _clients(team, c)
    async with connected(app, a.cookie) as tab:
        await _prepare(tab, c)
        await _add_line(tab, c, "שינה " + uuid.uuid4().hex[:6])
        updates = await _on_prepare(tab, c, "download_summary", {"form": {"agenda": True, "chart": False}})
    assert problem_of(updates) == ""
    assert state_of(updates, AppState)["notice"] == (
        "Your summary is ready. Check your downloads. Some letters in your words can't be shown in "
        "this PDF: they print as “?”. Each entry's own page prints them as written, with your "
        "browser's Print."
    )


async def test_the_summary_pdf_holds_only_what_was_chosen_and_leaves_no_file(team: Team) -> None:
    app, c = team.app, team.c
    (a,) = await _clients(team, c)
    text = app.marker("pdf-line")
    async with connected(app, a.cookie) as tab:
        chosen = await write_entry(app, tab, "pdf-chosen")
        other = await write_entry(app, tab, "pdf-other")
        await _prepare(tab, c)
        await _add_line(tab, c, text)
        await _quiet()
        temp = Path(tempfile.gettempdir())
        data_before, temp_before = _files(app.data_dir), _files(temp, skip=_unrelated_temp)
        before, started = snapshot(app), time.time()
        form = {"agenda": True, "chart": True, f"entry-{chosen.id}": True, f"entry-{other.id}": False}
        updates = await _on_prepare(tab, c, "download_summary", {"form": form})
        after = snapshot(app)
        await _quiet()
        data_after, temp_after = _files(app.data_dir), _files(temp, skip=_unrelated_temp)
    assert problem_of(updates) == ""
    # The chart was ticked, but there is no check-in to draw: the notice says it was left out.
    assert state_of(updates, AppState)["notice"] == (
        "Your summary is ready, without a chart: there are no check-ins since the last session. "
        "Check your downloads."
    )
    (download,) = [e for u in updates for e in u.get("events") or [] if e.get("name") == "_download"]
    url = download["payload"]["url"]
    head, _, encoded = url.partition(",")
    assert head.startswith("data:") and head.endswith(";base64"), head
    pdf = base64.b64decode(encoded)
    assert pdf.startswith(b"%PDF-")
    words = "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    flat = "".join(words.split())
    for wanted in (text, chosen.title, chosen.body):
        assert wanted in flat, f"{wanted} is not in the PDF"
    for unwanted in (other.title, other.body):
        assert unwanted not in flat, f"{unwanted} (not chosen) is in the PDF"
    # The export is audited, naming the chosen entry only; nothing else is written.
    exported = [r for r in new_audit_rows(before, after) if r[3] == "EXPORT"]
    assert [(r[1], r[2], r[4]) for r in exported] == [(uuid_hex(a.id), uuid_hex(chosen.id), "ALLOWED")]
    assert [r for r in new_audit_rows(before, after) if r[3] != "EXPORT"] == []
    assert {n for n in after.tables if after.tables[n] != before.tables[n]} == {"audit_event"}
    # No file is left on the server: none new in the app's data directory...
    assert sorted(map(str, data_after - data_before)) == []
    # ... and none in the system temp directory. Other test runs on this machine share it
    # (their own pytest and tool directories are skipped above); so that one of their files
    # can't fail this test, a new file there counts only if it holds the PDF or its words.
    needles = [b"%PDF-", *(s.encode() for s in (text, chosen.title, chosen.body))]
    left = [
        str(path)
        for path in temp_after - temp_before
        if path.is_file() and path.stat().st_mtime >= started - 1 and _holds(path, needles)
    ]
    assert left == []


def _long_entry(app: RunningApp, owner: Actor, body: str) -> str:
    """An entry of `owner`'s with this body, written through the core; its id."""
    item_id = uuid.uuid4()
    with app.core(), session_scope() as session:
        values = {"title": "Long", "body": body}
        items.save(session, owner_id=uuid.UUID(owner.id), kind=journal.KIND, item_id=item_id, values=values)
    return str(item_id)


def _downloads(updates: Updates) -> list[dict[str, Any]]:
    return [e for u in updates for e in u.get("events") or [] if e.get("name") == "_download"]


async def test_a_summary_too_long_for_one_file_is_refused_and_nothing_is_exported(team: Team) -> None:
    """A line of 8,000 emoji (each named in words in the PDF: about 256,000 characters) is
    more than a summary prints: a clear message, no file, no export audited."""
    app, c = team.app, team.c
    (a,) = await _clients(team, c)
    entry_id = _long_entry(app, a, "\U0001f60a" * 8_000)
    async with connected(app, a.cookie) as tab:
        await _prepare(tab, c)
        before = snapshot(app)
        updates = await _on_prepare(tab, c, "download_summary", {"form": {f"entry-{entry_id}": True}})
        await _quiet()
        after = snapshot(app)
    assert problem_of(updates) == (
        "This summary is too long to make into one file. Choose fewer or shorter entries."
    )
    assert _downloads(updates) == []
    assert writes_between(before, after) == []


async def test_summaries_asked_for_in_many_tabs_at_once_are_made_one_at_a_time(team: Team) -> None:
    """An attack on availability: one client asks for a long summary in six tabs at once.
    One is made; the other tabs are told it is still being made; and meanwhile another
    person's page answers at once (before, six renders held every worker thread the
    database needs, and another client waited 25 s for their settings)."""
    app, c = team.app, team.c
    a, b = await _clients(team, c, c)
    entry_id = _long_entry(app, a, "\U0001f60a" * 6_000)  # about 192,000 characters printed
    form = {"form": {f"entry-{entry_id}": True}}
    tabs = [await connect(app, a.cookie) for _ in range(6)]
    other = await connect(app, b.cookie)
    try:
        for tab in tabs:
            await _prepare(tab, c)

        async def other_persons_page() -> float:
            await asyncio.sleep(0.1)  # the summaries are being made
            started = time.monotonic()
            await other.exchange(handler_name(CareTeamState, "load_care_team"), path=routes.CARE_TEAM)
            return time.monotonic() - started

        waiting = asyncio.create_task(other_persons_page())
        answers = await asyncio.gather(*(_on_prepare(tab, c, "download_summary", form) for tab in tabs))
        waited = await waiting
    finally:
        for tab in (*tabs, other):
            await tab.close()
    made = [updates for updates in answers if _downloads(updates)]
    refused = [problem_of(updates) for updates in answers if not _downloads(updates)]
    assert len(made) == 1, [problem_of(updates) for updates in answers]
    still_being_made = (
        "A file you asked for is still being made, in another tab or window. "
        "Try again once it has downloaded."
    )
    assert refused == [still_being_made] * 5
    assert waited < 3, f"another person's page waited {waited:.1f} s"


async def test_a_tab_closed_while_its_summary_is_made_does_not_free_a_second_file(team: Team) -> None:
    """The attack: ask for a long summary, close the tab at once, ask again in another tab,
    again and again. Were a closed tab's handler ended (and the one-file hold with it) while
    its file is still being made, each new tab would queue another file for everyone. Reflex
    lets a closed tab's handler run to its end, so the person is held until the file is made,
    whichever tab asked."""
    app, c = team.app, team.c
    (a,) = await _clients(team, c)
    entry_id = _long_entry(app, a, "\U0001f60a" * 6_000)  # about 0.3 s to make
    form = {"form": {f"entry-{entry_id}": True}}
    gone, stays = await connect(app, a.cookie), await connect(app, a.cookie)
    try:
        for tab in (gone, stays):
            await _prepare(tab, c)
        asking = asyncio.create_task(_on_prepare(gone, c, "download_summary", form))
        await asyncio.sleep(0.05)  # it is being made
        await gone.close()
        asking.cancel()
        again = await _on_prepare(stays, c, "download_summary", form)
        assert _downloads(again) == []
        assert problem_of(again) == (
            "A file you asked for is still being made, in another tab or window. "
            "Try again once it has downloaded."
        )
        # Once it is made (and dropped: its tab is gone), the person may ask again: about 0.3 s,
        # longer on a busy machine (a CI run at a load of 11 took more than 1.5 s).
        for _ in range(60):
            await asyncio.sleep(0.5)
            later = await _on_prepare(stays, c, "download_summary", form)
            if problem_of(later) != problem_of(again):
                break
        assert problem_of(later) == "" and len(_downloads(later)) == 1
    finally:
        await stays.close()


async def test_a_change_to_the_agenda_shows_at_once_in_the_clients_other_tab(team: Team) -> None:
    """Added, removed or put back in one tab: the Prepare page open in another tab follows."""
    app, c = team.app, team.c
    (a,) = await _clients(team, c)
    async with connected(app, a.cookie) as tab, connected(app, a.cookie) as other:
        for each in (tab, other):
            await _prepare(each, c)
        since = len(other.received)
        line = await _add_line(tab, c, "Sleep")
        await pushed_values(
            other, since, PrepareState, lambda v: [x["id"] for x in v.get("lines", [])] == [line]
        )
        since = len(other.received)
        assert problem_of(await _on_prepare(tab, c, "remove_line", {"line_id": line})) == ""
        await pushed_values(other, since, PrepareState, lambda v: v.get("lines") == [])
        since = len(other.received)
        assert problem_of(await _on_prepare(tab, c, "undo_remove")) == ""
        await pushed_values(
            other, since, PrepareState, lambda v: [x["id"] for x in v.get("lines", [])] == [line]
        )


async def test_another_tabs_change_leaves_the_note_being_typed_alone_and_brings_its_own_note(
    team: Team,
) -> None:
    """The note after a session is sent after a pause in typing. A change made meanwhile in
    another tab brings this tab's page up to date without the note as last saved, which would
    take back the words typed since; a note changed in the other tab (saved or autosaved)
    comes, in a new field."""
    app, c = team.app, team.c
    (a,) = await _clients(team, c)
    async with (
        connected(app, a.cookie) as typing,
        connected(app, a.cookie) as other,
        connected(app, c.cookie) as doctor,
    ):
        await _prepare(typing, c)
        await _brief(doctor, a.id)
        assert problem_of(await _brief(doctor, a.id, "mark_held")) == ""
        await _quiet()
        for each in (typing, other):
            shown = await _prepare(each, c)
            assert shown["session_held"] is True and shown["remember"] == ""
        field = shown["remember_shown"]
        kept = await _on_prepare(typing, c, "keep_remember", {"note": "Ask about"})
        assert problem_of(kept) == "" and "remember" not in state_of(kept, PrepareState)

        since = len(typing.received)
        line = await _add_line(other, c, "Sleep")
        pushed = await pushed_values(
            typing, since, PrepareState, lambda v: [x["id"] for x in v.get("lines", [])] == [line]
        )
        assert "remember" not in pushed and "remember_shown" not in pushed

        since = len(typing.received)
        saved = await _on_prepare(other, c, "save_remember", {"form": {"remember": "Ask about sleep."}})
        assert problem_of(saved) == ""
        pushed = await pushed_values(typing, since, PrepareState, lambda v: "remember" in v)
        assert pushed["remember"] == "Ask about sleep." and pushed["remember_shown"] > field
        # The replaced field sends its last words as it goes: they overwrite nothing (the tab
        # shows the other tab's note now); words typed in the new field are kept.
        stale = await _on_prepare(typing, c, "keep_remember", {"note": "Ask about na", "field": field})
        assert problem_of(stale) == "" and (await _prepare(other, c))["remember"] == "Ask about sleep."
        shown = pushed["remember_shown"]
        since = len(other.received)
        kept = await _on_prepare(
            typing, c, "keep_remember", {"note": "Ask about sleep. Naps?", "field": shown}
        )
        assert problem_of(kept) == ""
        # The other tab shows the note as typed here at once, in a new field there.
        pushed = await pushed_values(other, since, PrepareState, lambda v: "remember" in v)
        assert pushed["remember"] == "Ask about sleep. Naps?"
        assert (await _prepare(other, c))["remember"] == "Ask about sleep. Naps?"


async def test_the_note_sent_as_a_tab_closes_is_kept_shown_in_the_other_tab_and_refused_elsewhere(
    team: Team,
) -> None:
    """A tab closed inside the note's pause hands its words to a beacon (api.keep_note):
    they are kept as the note after the session held last, and the client's open tab shows
    them at once. The route is the client's own: a clinician (audited), someone not signed
    in, a client of another clinician (audited), or a client with no session held yet
    writes nothing."""
    app, c, d = team.app, team.c, team.d
    a, stranger = await _clients(team, c, d)
    (too_soon,) = await _clients(team, c)
    with app.core():
        token = form_tokens.issue()

    def beacon(cookie: str, **fields: str) -> int:
        form = {"form_token": token, "clinician_id": c.id, "value": "Forged", **fields}
        return post_form(app.url, routes.API_KEEP_NOTE, form, cookie=cookie)[0]

    async with connected(app, a.cookie) as open_tab, connected(app, c.cookie) as doctor:
        await _brief(doctor, a.id)
        assert problem_of(await _brief(doctor, a.id, "mark_held")) == ""
        await _quiet()
        assert (await _prepare(open_tab, c))["remember"] == ""
        before = snapshot(app)
        refused = {
            "a clinician": await asyncio.to_thread(beacon, c.cookie),
            "no session": await asyncio.to_thread(beacon, ""),
            "no form token": await asyncio.to_thread(beacon, a.cookie, form_token=""),
            "an extra field": await asyncio.to_thread(beacon, a.cookie, agenda_id=str(uuid.uuid4())),
            "no session held yet": await asyncio.to_thread(beacon, too_soon.cookie),
        }
        assert {case: code for case, code in refused.items() if code < 400} == {}
        # Another clinician's client: answered like any other (204), written nowhere, audited.
        assert await asyncio.to_thread(beacon, stranger.cookie) == 204
        await _quiet()
        after = snapshot(app)
        assert writes_between(before, after) == []
        assert sorted(_audited(before, after)) == sorted(
            [_denied(c, "CALL"), _denied(stranger, "WRITE_ITEM")]
        )

        note = app.marker("closing-note")
        since = len(open_tab.received)
        assert await asyncio.to_thread(beacon, a.cookie, value=note) == 204
        pushed = await pushed_values(open_tab, since, PrepareState, lambda v: "remember" in v)
        assert pushed["remember"] == note
        assert (await _prepare(open_tab, c))["remember"] == note


async def test_a_line_half_typed_is_kept_as_typed_and_by_beacon_and_comes_back_when_the_page_opens(
    team: Team,
) -> None:
    """ "Add a line" keeps what is typed (PrepareState.keep_line, after a pause and as the
    field is left; api.keep_line, as the tab closes): the page opened again (a reload) shows
    it. Added, it is a line and no longer kept; what the replaced field sends late is not kept
    again. A refused line comes back in the field. The beacon route is the client's own: a
    clinician (audited), no session, an extra field write nothing; another client's agenda is
    answered like one's own (204), written nowhere, audited."""
    app, c, d = team.app, team.c, team.d
    a, stranger = await _clients(team, c, d)
    async with connected(app, a.cookie) as tab:
        shown = await _prepare(tab, c)
        agenda_id, field = shown["agenda_id"], shown["line_shown"]
        kept = await _on_prepare(tab, c, "keep_line", {"text": "Sleep and", "field": field})
        assert problem_of(kept) == ""
    async with connected(app, a.cookie) as again:  # the page opened again, in a new tab
        shown = await _prepare(again, c)
        assert shown["line_typed"] == "Sleep and" and shown["line_shown"] > 0
        field = shown["line_shown"]
        await _add_line(again, c, "Sleep and work")
        late = await _on_prepare(again, c, "keep_line", {"text": "Sleep and work", "field": field})
        assert problem_of(late) == ""
        # A field that isn't a number (an attack review: an unhandled KeyError) is no field shown.
        log_before = app.log_path.read_text(errors="replace")
        for odd in ("not-a-number", [1], {"a": 1}):
            assert problem_of(await _on_prepare(again, c, "keep_line", {"text": "Odd", "field": odd})) == ""
            assert (
                problem_of(await _on_prepare(again, c, "keep_remember", {"note": "Odd", "field": odd})) == ""
            )
        assert "Error" not in app.log_path.read_text(errors="replace")[len(log_before) :]
        assert (await _prepare(again, c))["line_typed"] == ""
        too_long = "x" * 301
        refused = await _on_prepare(again, c, "add_line", {"form": {"text": too_long}})
        assert problem_of(refused) != ""
        assert state_of(refused, PrepareState)["line_typed"] == too_long

    with app.core():
        token = form_tokens.issue()

    def beacon(cookie: str, **fields: str) -> int:
        form = {"form_token": token, "agenda_id": agenda_id, "value": "Forged", **fields}
        return post_form(app.url, routes.API_KEEP_LINE, form, cookie=cookie)[0]

    before = snapshot(app)
    refused_codes = {
        "a clinician": await asyncio.to_thread(beacon, c.cookie),
        "no session": await asyncio.to_thread(beacon, ""),
        "no form token": await asyncio.to_thread(beacon, a.cookie, form_token=""),
        "an extra field": await asyncio.to_thread(beacon, a.cookie, clinician_id=c.id),
    }
    assert {case: code for case, code in refused_codes.items() if code < 400} == {}
    assert await asyncio.to_thread(beacon, stranger.cookie) == 204
    await _quiet()
    after = snapshot(app)
    assert writes_between(before, after) == []
    assert sorted(_audited(before, after)) == sorted([_denied(c, "CALL"), _denied(stranger, "WRITE_ITEM")])

    line = app.marker("agenda-line-closing")
    assert await asyncio.to_thread(beacon, a.cookie, value=line) == 204
    async with connected(app, a.cookie) as reopened:
        assert (await _prepare(reopened, c))["line_typed"] == line


async def test_an_entry_of_any_time_is_pinned_from_its_own_page_and_the_open_agenda_shows_it(
    team: Team,
) -> None:
    """Once a session is marked held, the Prepare page offers only the new window's entries;
    an older one is pinned from its own page (a walk-through: it could not be pinned at all).
    The client's open Prepare page shows it at once; a clinician not linked is refused."""
    app, c, d = team.app, team.c, team.d
    (a,) = await _clients(team, c)
    async with connected(app, a.cookie) as tab, connected(app, c.cookie) as doctor:
        entry = await write_entry(app, tab, "before-the-session")
        await _prepare(tab, c)
        await _brief(doctor, a.id)
        assert problem_of(await _brief(doctor, a.id, "mark_held")) == ""
        await _quiet()
        shown = await _prepare(tab, c)
        assert f"journal_entry:{entry.id}" not in [choice["value"] for choice in shown["pin_choices"]]
        async with connected(app, a.cookie) as entry_tab:
            since = len(tab.received)
            where = {"path": routes.ENTRY, "query": {"id": entry.id}}
            opened = await entry_tab.exchange(handler_name(EntryState, "load_entry"), **where)
            assert state_of(opened, ItemSharingState)["pinned_with"] == []
            pinned = await entry_tab.exchange(
                handler_name(PrepareState, "pin_for_next_session"),
                {"kind": "journal_entry", "item_id": entry.id, "clinician_id": c.id},
                **where,
            )
            assert problem_of(pinned) == ""
            assert state_of(pinned, AppState)["notice"] == "Pinned to your agenda for your next session."
            assert state_of(pinned, ItemSharingState)["pinned_with"] == [c.id]  # said where tapped
            live = await pushed_values(
                tab,
                since,
                PrepareState,
                lambda v: any(line["item_id"] == entry.id for line in v.get("lines", [])),
            )
            assert [line["item_id"] for line in live["lines"]] == [entry.id]
            # Taken off the agenda on Prepare: the entry's page offers to pin it again, at once.
            since = len(entry_tab.received)
            line_id = live["lines"][0]["id"]
            assert problem_of(await _on_prepare(tab, c, "remove_line", {"line_id": line_id})) == ""
            unpinned = await pushed_values(entry_tab, since, ItemSharingState, lambda v: "pinned_with" in v)
            assert unpinned["pinned_with"] == []
            before = snapshot(app)
            stranger = await entry_tab.exchange(
                handler_name(PrepareState, "pin_for_next_session"),
                {"kind": "journal_entry", "item_id": entry.id, "clinician_id": d.id},
                **where,
            )
            after = snapshot(app)
    assert problem_of(stranger) == NOT_AVAILABLE
    assert writes_between(before, after, allow_denied_audit=True) == []
    assert _audited(before, after) == [_denied(a, "VIEW_ITEM")]


async def test_an_entry_pinned_before_the_last_session_can_still_go_in_the_summary(team: Team) -> None:
    """A pin not discussed carries over to the next agenda; its entry, written before the new
    window, is offered for the paper summary too (before, the summary printed its title alone
    and offered only the window's entries: a walk-through)."""
    app, c = team.app, team.c
    (a,) = await _clients(team, c)
    async with connected(app, a.cookie) as tab, connected(app, c.cookie) as doctor:
        entry = await write_entry(app, tab, "pinned-before")
        await _prepare(tab, c)
        await _pin(tab, c, f"journal_entry:{entry.id}")
        await _brief(doctor, a.id)
        held = await _brief(doctor, a.id, "mark_held")
        assert problem_of(held) == ""
        await _quiet()
        shown = await _prepare(tab, c)
        assert shown["session_held"] is True
        assert [choice["value"] for choice in shown["entry_choices"]] == [entry.id]
        updates = await _on_prepare(tab, c, "download_summary", {"form": {f"entry-{entry.id}": True}})
    assert problem_of(updates) == ""
    (download,) = _downloads(updates)
    pdf = base64.b64decode(download["payload"]["url"].partition(",")[2])
    flat = "".join("".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages).split())
    assert entry.body in flat

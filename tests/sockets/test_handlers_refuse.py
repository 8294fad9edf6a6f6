"""Handlers refuse the wrong caller, over the raw websocket an attacker's script would use.

AUTHZ-1 (every registered handler, without a session, with a bogus or revoked one, as
the wrong role), AUTHZ-2/3 (object rule; refusals look alike and are audited), INPUT-1/2/5
(wrong types, extra keys, control characters; nothing written, nothing logged) and
TRANS-1 (the websocket handshake checks Origin). Every check could fail: each reads what
actually came back over the socket, the rows actually in the database and the app's log.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import secrets
import uuid
from collections.abc import AsyncGenerator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
import reflex as rx
from appserver import RunningApp
from socket_support import (
    FEEDBACK_VARS,
    OWN_IDENTITY_VARS,
    World,
    all_handlers,
    all_states,
    ascii_json_packets,
    comparable,
    connect,
    connected,
    filled_vars,
    handler_params,
    new_audit_rows,
    new_entry_id,
    parameter_hint,
    plausible_payload,
    problem_of,
    reconnect_same_token,
    redirects_of,
    secrets_in,
    short_name,
    snapshot,
    state_of,
    toasts_of,
    uuid_hex,
    writes_between,
)
from socketclient import EventClient, handler_name, sign_in, sign_out

import betterjournal.state as state_package
from betterjournal import routes
from betterjournal.core import accounts
from betterjournal.db import session_scope
from betterjournal.models import User
from betterjournal.state.base import UNREADABLE, AppState
from betterjournal.state.care_team import CareTeamState
from betterjournal.state.clinician import ClientsState, SharedWithMeState
from betterjournal.state.editor import EditorState
from betterjournal.state.items import ItemSharingState
from betterjournal.state.journal import EntryState, JournalState


def problems_of_reply(
    label: str,
    updates: list[dict[str, Any]],
    *,
    secrets_: set[str],
    allowed_vars: set[str] = FEEDBACK_VARS,
) -> list[str]:
    """At most one line per reply: which secrets it holds and which vars it fills."""
    held = secrets_in(updates, secrets_)
    filled = filled_vars(updates, allowed=allowed_vars)
    if not (held or filled):
        return []
    parts = []
    if held:
        parts.append(f"holds {len(held)} secret strings (e.g. {held[0]!r})")
    if filled:
        parts.append(f"fills {', '.join(v.rsplit('___', 1)[-1] for v in filled)}")
    return [f"{label}: the reply {'; '.join(parts)}"]


# --- 1. a client calling the clinician's handlers -------------------------------------------


CLINICIAN_STATES = (ClientsState, SharedWithMeState)


def payload_variants(state_class: type, name: str, world: World) -> list[dict[str, Any]]:
    """No payload, and one built from the handler's signature (once if they're the same)."""
    built = plausible_payload(state_class, name, world)
    return [{}] if not built else [{}, built]


async def test_a_client_gets_nothing_from_clinician_handlers(world: World) -> None:
    """AUTHZ-1, wrong role: client A calls every ClientsState and SharedWithMeState handler
    on the clinician's pages, with A's own shared entry and A's id in the query."""
    app, a = world.app, world["a"]
    shared = world.entries["shared"]
    query = {"id": shared.id, "client": a.id}
    # Other people's names and all journal text; A's own name may show as A's own.
    secret = world.phi | (world.names - {a.name})
    problems: list[str] = []
    calls = refused = 0
    client = await connect(app, a.cookie)
    try:
        for state_class in CLINICIAN_STATES:
            for name in sorted(state_class.event_handlers):
                for payload in payload_variants(state_class, name, world):
                    if not client._sio or not client._sio.connected:
                        client = await connect(app, a.cookie)
                    before = snapshot(app)
                    updates = await client.exchange(
                        handler_name(state_class, name), payload, path=routes.SHARED_ENTRY, query=query
                    )
                    after = snapshot(app)
                    label = f"{short_name(state_class, name)}({', '.join(payload)})"
                    if routes.HOME in redirects_of(updates):
                        refused += 1
                    problems += problems_of_reply(
                        label, updates, secrets_=secret, allowed_vars=FEEDBACK_VARS | OWN_IDENTITY_VARS
                    )
                    problems += [f"{label}: wrote {w}" for w in writes_between(before, after)]
                    calls += 1
    finally:
        await client.close()
    assert calls >= 8, "too few clinician handlers were called"
    assert refused >= 5, "the guard did not turn the client away: were the calls delivered?"
    assert problems == [], "\n".join(problems)


async def test_the_same_query_does_show_the_clinician_the_entry(world: World) -> None:
    """Control for the test above: the page and query it uses do reach the entry for C."""
    shared = world.entries["shared"]
    async with connected(world.app, world["c"].cookie) as client:
        updates = await client.exchange(
            handler_name(SharedWithMeState, "load_shared_entry"),
            path=routes.SHARED_ENTRY,
            query={"id": shared.id, "client": world["a"].id},
        )
    assert (state_of(updates, SharedWithMeState).get("reading") or {}).get("body") == shared.body


# --- 2. not found = forbidden, and audited -----------------------------------------------------

DENIED_CASES = {
    "never_shared": lambda w: w.entries["private"].id,
    "shared_then_revoked": lambda w: w.entries["revoked"].id,
    "other_clients_entry_shared_with_another_clinician": lambda w: w.entries["b_shared"].id,
    "entry_of_a_client_who_ended_the_link": lambda w: w.entries["e_shared"].id,
    "nonexistent_id": lambda w: str(uuid.uuid4()),
    "deleted_entry": lambda w: w.entries["deleted"].id,
    "malformed_id": lambda w: "42' OR '1'='1",
}


async def read_shared(world: World, entry_id: str) -> list[dict[str, Any]]:
    """Clinician C opens the shared-entry page for this id, on a tab of its own."""
    async with connected(world.app, world["c"].cookie) as client:
        return await client.exchange(
            handler_name(SharedWithMeState, "load_shared_entry"),
            path=routes.SHARED_ENTRY,
            query={"id": entry_id},
        )


@pytest.fixture(scope="session")
async def refusal(world: World) -> dict[str, Any]:
    """The reply to an id nobody ever had, which every other refusal must equal."""
    updates = await read_shared(world, str(uuid.uuid4()))
    reading = state_of(updates, SharedWithMeState)
    assert problem_of(updates), "the baseline refusal shows no message"
    assert reading.get("reading_available") is not True
    assert secrets_in(updates, world.phi) == []
    return comparable(updates)


@pytest.mark.parametrize("case", list(DENIED_CASES))
async def test_clinician_refusals_are_identical_and_audited(
    world: World, refusal: dict[str, Any], case: str
) -> None:
    """AUTHZ-3: never shared, revoked, another client's, unlinked, unknown, deleted and
    malformed ids all get the identical reply, and each writes exactly one DENIED row."""
    app, c = world.app, world["c"]
    before = snapshot(app)
    updates = await read_shared(world, DENIED_CASES[case](world))
    after = snapshot(app)
    assert secrets_in(updates, world.phi) == []
    assert comparable(updates) == refusal
    added = new_audit_rows(before, after)
    assert [(row[1], row[3], row[4]) for row in added] == [(uuid_hex(c.id), "VIEW_SHARED_ITEM", "DENIED")], (
        f"expected one DENIED audit row for C's attempt, got {added}"
    )
    assert writes_between(before, after) == []


async def test_a_shared_entry_is_shown_and_audited_as_allowed(world: World, refusal: dict[str, Any]) -> None:
    """The positive control for the refusals: the shared entry itself, with an ALLOWED row."""
    app, c, shared = world.app, world["c"], world.entries["shared"]
    before = snapshot(app)
    updates = await read_shared(world, shared.id)
    after = snapshot(app)
    reading = state_of(updates, SharedWithMeState).get("reading") or {}
    assert (reading.get("title"), reading.get("body")) == (shared.title, shared.body)
    assert comparable(updates) != refusal
    added = new_audit_rows(before, after)
    assert [(row[1], row[2], row[3], row[4]) for row in added] == [
        (uuid_hex(c.id), uuid_hex(shared.id), "VIEW_SHARED_ITEM", "ALLOWED")
    ]


# --- 3. every registered handler, without a valid session or as the wrong role ----------------

# Pages whose on_load handlers read PHI: the framework's page-load handlers are called on each.
PHI_PAGES = (
    routes.JOURNAL,
    routes.WRITE,
    routes.ENTRY,
    routes.CARE_TEAM,
    routes.CLIENTS,
    routes.CLIENT_ENTRIES,
    routes.SHARED_ENTRY,
)
PAGE_HANDLERS = {"hydrate", "hydrate_and_load", "on_load_internal"}


@dataclass
class Call:
    state_class: type
    name: str
    payload: dict[str, Any]
    path: str

    @property
    def label(self) -> str:
        payload = ", ".join(self.payload)
        return f"{short_name(self.state_class, self.name)}({payload}) on {self.path}"


def every_call(world: World) -> list[Call]:
    calls = []
    for state_class, name in all_handlers():
        paths = PHI_PAGES if name in PAGE_HANDLERS else (routes.SHARED_ENTRY,)
        for payload in payload_variants(state_class, name, world):
            calls.extend(Call(state_class, name, payload, path) for path in paths)
    return calls


async def prime(world: World, client: EventClient) -> None:
    """Client A's tab shows their journal, a draft in the editor and a shared entry."""
    await client.exchange(handler_name(JournalState, "load_journal"), path=routes.JOURNAL)
    await client.exchange(
        handler_name(EditorState, "open_editor"), path=routes.WRITE, query={"id": world.draft_id}
    )
    shown = await client.exchange(
        handler_name(EntryState, "load_entry"), path=routes.ENTRY, query={"id": world.entries["shared"].id}
    )
    assert state_of(shown, EntryState).get("body") == world.entries["shared"].body, "priming failed"


@dataclass
class Identity:
    """Who calls: which cookie, and whether the tab held a signed-in person's state."""

    name: str
    open_tab: Callable[[], Awaitable[EventClient]]
    per_call: bool  # a fresh primed tab for every call (the state must hold PHI each time)
    allowed_vars: set[str] = field(default_factory=lambda: set(FEEDBACK_VARS))


async def revoked_cookie(world: World) -> str:
    a = world["a"]
    cookie = await sign_in(world.app.url, a.email, a.password)
    status = await asyncio.to_thread(sign_out, world.app.url, cookie)
    assert status == 303, f"sign-out answered {status}"
    async with connected(world.app, cookie) as tab:
        home = await tab.exchange(handler_name(AppState, "route_home"), path=routes.HOME)
    assert redirects_of(home) == [routes.SIGN_IN], "signing out did not end the session"
    return cookie


def identity(world: World, name: str, revoked: str) -> Identity:
    app, a = world.app, world["a"]
    cookie_name = a.cookie.split("=", 1)[0]

    async def fresh(cookie: str) -> EventClient:
        return await connect(app, cookie)

    async def signed_in_tab_then_no_cookie() -> EventClient:
        token = str(uuid.uuid4())
        async with connected(app, a.cookie, token) as tab:
            await prime(world, tab)
        return await reconnect_same_token(app, token, cookie="")

    def fresh_session() -> str:
        """A new signed-in session of A's, as the sign-in route makes one (start_session), without
        hashing the password again for each of the hundreds of calls: sign-in is tested apart."""
        with app.core(), session_scope() as session:
            user = session.get(User, uuid.UUID(a.id))
            assert user is not None
            return f"{cookie_name}={accounts.start_session(session, user)}"

    async def signed_in_tab_then_signed_out() -> EventClient:
        cookie = fresh_session()
        tab = await connect(app, cookie)
        await prime(world, tab)
        status = await asyncio.to_thread(sign_out, app.url, cookie)
        assert status == 303, f"sign-out answered {status}"
        return tab  # the same tab, still connected, now with a revoked session cookie

    identities = {
        "no_cookie": Identity("no_cookie", lambda: fresh(""), per_call=False),
        "bogus_cookie": Identity(
            "bogus_cookie", lambda: fresh(f"{cookie_name}={secrets.token_urlsafe(32)}"), per_call=False
        ),
        "revoked_cookie": Identity("revoked_cookie", lambda: fresh(revoked), per_call=False),
        "admin_wrong_role": Identity(
            "admin_wrong_role",
            lambda: fresh(world["admin"].cookie),
            per_call=False,
            # The admin's own page, their role's: the early-access requests waiting (another
            # test's may be among them), which hold no client's words.
            allowed_vars=FEEDBACK_VARS | OWN_IDENTITY_VARS | {"admin_state.requests"},
        ),
        # The Reflex token is not a login (sessionStorage, the websocket URL): a tab that
        # showed PHI, reopened with its token but no cookie, must show nothing.
        "no_cookie_on_a_signed_in_tabs_token": Identity(
            "no_cookie_on_a_signed_in_tabs_token", signed_in_tab_then_no_cookie, per_call=True
        ),
        # Signing out (POST /api/auth/signout) revokes the session; the open tab's next
        # event must show nothing.
        "revoked_cookie_on_the_same_open_tab": Identity(
            "revoked_cookie_on_the_same_open_tab", signed_in_tab_then_signed_out, per_call=True
        ),
    }
    return identities[name]


IDENTITIES = [
    "no_cookie",
    "bogus_cookie",
    "revoked_cookie",
    "admin_wrong_role",
    "no_cookie_on_a_signed_in_tabs_token",
    "revoked_cookie_on_the_same_open_tab",
]


# A per-call identity's primed tabs are opened this many at a time, all before the first of
# their calls is snapshotted: opening one (a session, three page loads, a sign-out) writes,
# and cost four times the call it was for, one after the other (74 s of a CI run).
PRIMED_AT_ONCE = 6


async def tabs_for(who: Identity, calls: list[Call]) -> AsyncGenerator[tuple[Call, EventClient]]:
    """Each call with the tab it is made on: a fresh primed one for a per-call identity (opened
    a batch at a time, each closed after its call), else one shared tab, reopened if a call
    disconnected it."""
    if not who.per_call:
        tab: EventClient | None = None
        try:
            for call in calls:
                if tab is None or not tab._sio or not tab._sio.connected:
                    tab = await who.open_tab()
                yield call, tab
        finally:
            if tab is not None:
                with contextlib.suppress(Exception):
                    await tab.close()
        return
    for start in range(0, len(calls), PRIMED_AT_ONCE):
        batch = calls[start : start + PRIMED_AT_ONCE]
        tabs = list(await asyncio.gather(*(who.open_tab() for _ in batch)))
        try:
            for call, tab in zip(batch, tabs, strict=True):
                yield call, tab
                with contextlib.suppress(Exception):
                    await tab.close()
        finally:
            for tab in tabs:
                with contextlib.suppress(Exception):
                    await tab.close()


@pytest.mark.parametrize("who", IDENTITIES)
async def test_every_handler_refuses_without_a_valid_session(world: World, who: str) -> None:
    """AUTHZ-1 / AUTHN-5: every handler registered in the app (found by walking the state
    tree, so a new one is covered), with no payload and with a plausible one, returns no
    journal text or name, fills no var with data and writes nothing."""
    app = world.app
    caller = identity(world, who, await revoked_cookie(world) if who == "revoked_cookie" else "")
    query = {"id": world.entries["shared"].id, "client": world["a"].id}
    secret = world.phi | world.names
    if who == "admin_wrong_role":
        secret -= {world["admin"].name}
    problems: list[str] = []
    calls = every_call(world)
    refused = 0  # calls sent away to sign in (or home): the guard answered
    async with contextlib.aclosing(tabs_for(caller, calls)) as tabs:
        async for call, tab in tabs:
            before = snapshot(app)
            try:
                updates = await tab.exchange(
                    handler_name(call.state_class, call.name), call.payload, path=call.path, query=query
                )
            except Exception as error:
                problems.append(f"{call.label}: no reply ({type(error).__name__})")
                continue
            after = snapshot(app)
            if set(redirects_of(updates)) & {routes.SIGN_IN, routes.HOME}:
                refused += 1
            problems += problems_of_reply(
                call.label, updates, secrets_=secret, allowed_vars=caller.allowed_vars
            )
            problems += [f"{call.label}: wrote {w}" for w in writes_between(before, after)]
    assert len(calls) >= 40
    assert refused >= 20, f"only {refused} calls were turned away by the guard: were they delivered?"
    assert problems == [], "\n".join(problems)


def app_state_classes() -> set[type]:
    """Every AppState subclass defined in the app's state modules (imported by the app)."""
    import importlib
    import pkgutil

    found: set[type] = set()
    for module_info in pkgutil.iter_modules(state_package.__path__):
        module = importlib.import_module(f"{state_package.__name__}.{module_info.name}")
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, AppState):
                found.add(value)
    return found


def test_the_walk_finds_every_state_and_handler() -> None:
    """The enumeration above can't silently find nothing or miss a state."""
    walked = set(all_states())
    assert app_state_classes() <= walked, app_state_classes() - walked
    names = {short_name(s, n) for s, n in all_handlers()}
    for known in (
        "EditorState.save_entry",
        "EditorState.edit_body",
        "ItemSharingState.set_shared",
        "ItemSharingState.delete_item",
        "SharedWithMeState.load_shared_entry",
        "ClientsState.create_invitation",
        "CareTeamState.accept_invitation",
        "JournalState.load_journal",
        "State.hydrate",
    ):
        assert known in names, f"{known} was not enumerated"
    assert len(names) >= 40


# --- 4. wrong types, extra keys and bad characters for every journal handler -----------------

JOURNAL_HANDLERS = (
    (EditorState, "edit_title"),
    (EditorState, "edit_body"),
    (EditorState, "save_entry"),
    (ItemSharingState, "set_shared"),
    (ItemSharingState, "delete_item"),
    (CareTeamState, "check_code"),
    (CareTeamState, "end_link"),
)
# The fields of the forms these handlers take (what the pages' forms submit).
FORM_FIELDS = {"save_entry": ("title", "body"), "check_code": ("code",)}
BAD_KINDS = ("none", "int", "float", "empty_list", "empty_dict", "true", "too_long", "nul", "lone_surrogate")
TOO_LONG = 60_001


def bad_value(app: RunningApp, kind: str) -> Any:
    if kind == "too_long":
        marker = app.marker("bad-long")
        return marker + "x" * (TOO_LONG - len(marker))
    if kind == "nul":
        return "\x00" + app.marker("bad-nul")
    if kind == "lone_surrogate":
        # Sent as the JSON escape "\ud800" (see ascii_json_packets), as browsers do.
        return "\ud800" + app.marker("bad-surrogate")
    return {"none": None, "int": 1, "float": 1.5, "empty_list": [], "empty_dict": {}, "true": True}[kind]


def bad_input_cases() -> list[Any]:
    cases = []
    for state_class, name in JOURNAL_HANDLERS:
        label = short_name(state_class, name)
        for parameter in handler_params(state_class, name):
            for kind in BAD_KINDS:
                if kind == "true" and parameter_hint(state_class, name, parameter) == "bool":
                    continue  # True is the right type for a flag
                cases.append(
                    pytest.param(
                        state_class, name, (parameter.name,), kind, id=f"{label}-{parameter.name}-{kind}"
                    )
                )
            for form_field in FORM_FIELDS.get(name, ()):
                for kind in BAD_KINDS:
                    cases.append(
                        pytest.param(
                            state_class,
                            name,
                            (parameter.name, form_field),
                            kind,
                            id=f"{label}-{parameter.name}.{form_field}-{kind}",
                        )
                    )
            if name in FORM_FIELDS:
                cases.append(
                    pytest.param(
                        state_class,
                        name,
                        (parameter.name,),
                        "extra_form_field",
                        id=f"{label}-{parameter.name}-extra_field",
                    )
                )
        cases.append(pytest.param(state_class, name, (), "extra_key", id=f"{label}-extra_key"))
    return cases


def valid_payload(world: World, name: str, target: str) -> dict[str, Any]:
    """What the page would send: with it, the handler would do its work."""
    app, c = world.app, world["c"]
    return {
        "edit_title": lambda: {"value": app.marker("valid-title")},
        "edit_body": lambda: {"value": app.marker("valid-body")},
        "save_entry": lambda: {
            p.name: {"title": app.marker("valid-title"), "body": app.marker("valid-body")}
            for p in handler_params(EditorState, "save_entry")
        },
        "set_shared": lambda: {
            "item_id": world.entries[target].id,
            "clinician_id": c.id,
            "shared": target == "w_private",
        },
        "delete_item": lambda: {"item_id": world.entries[target].id},
        "check_code": lambda: {"form": {"code": world.spare_code}},
        "end_link": lambda: {"clinician_id": c.id},
    }[name]()


async def open_page(world: World, client: EventClient, state_class: type, target: str) -> dict[str, Any]:
    """Bring W's tab to the page the handler belongs to; returns the router arguments."""
    if state_class is EditorState:
        where: dict[str, Any] = {"path": routes.WRITE, "query": {"id": await new_entry_id(client)}}
        shown = await client.exchange(handler_name(EditorState, "open_editor"), **where)
        assert state_of(shown, EditorState).get("editor_ready") is True
    elif state_class is ItemSharingState:
        where: dict[str, Any] = {"path": routes.ENTRY, "query": {"id": world.entries[target].id}}
        shown = await client.exchange(handler_name(EntryState, "load_entry"), **where)
        assert state_of(shown, EntryState).get("found") is True
    else:
        where: dict[str, Any] = {"path": routes.CARE_TEAM, "query": {}}
        shown = await client.exchange(handler_name(CareTeamState, "load_care_team"), **where)
        assert state_of(shown, CareTeamState).get("clinicians"), "W should be linked to C"
    return where


def strings_in(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in strings_in(v)]
    if isinstance(value, list):
        return [s for v in value for s in strings_in(v)]
    return []


def markers_in(value: Any) -> set[str]:
    return {m for s in strings_in(value) for m in re.findall(r"MARKER-[\w-]+?-[0-9a-f]{12}", s)}


# What a handler fills when it did its work (a share switch's lines say where it stands).
ACCEPTED_VARS = {"draft_status", "invitation_from", "shares"}


def acceptance_signs(updates: list[dict[str, Any]]) -> list[str]:
    signs = []
    if notice := state_of(updates, AppState).get("notice"):
        signs.append(f"notice {notice!r}")
    signs += [f"redirect to {path}" for path in redirects_of(updates)]
    for state_class in (EditorState, CareTeamState, ItemSharingState):
        for var, value in state_of(updates, state_class).items():
            if var in ACCEPTED_VARS and value:
                signs.append(f"{var} {value!r}")
    return signs


@pytest.mark.parametrize(("state_class", "name", "where_", "kind"), bad_input_cases())
async def test_bad_arguments_are_refused_and_not_logged(
    world: World, state_class: type, name: str, where_: tuple[str, ...], kind: str
) -> None:
    """INPUT-1/2/5: each bad value (or an extra key) in a journal handler's payload gets a
    refusal (a problem message, an error toast, or nothing), writes nothing, keeps the
    connection and the tab usable, and leaves none of the sent text in the app's log."""
    app, w = world.app, world["w"]
    # EntryState's handlers act on the entry the page shows: try a private and a shared one
    # (the valid `shared` value would change each, so a coerced bad value shows up).
    targets = ("w_private", "w_shared") if state_class is ItemSharingState else ("",)
    problems: list[str] = []
    for target in targets:
        payload = valid_payload(world, name, target)
        if kind == "extra_key":
            payload["owner_id"] = world["a"].id
            payload["note"] = app.marker("extra-key")
        elif kind == "extra_form_field":
            payload[where_[0]] = {
                **payload[where_[0]],
                "owner_id": world["a"].id,
                "note": app.marker("extra-field"),
            }
        elif len(where_) == 1:
            payload[where_[0]] = bad_value(app, kind)
        else:
            payload[where_[0]] = {**payload[where_[0]], where_[1]: bad_value(app, kind)}
        sent = markers_in(payload)
        label = f"{target or name}: {kind} in {'.'.join(where_) or 'payload'}"
        tab = await connect(app, w.cookie)
        try:
            where = await open_page(world, tab, state_class, target)
            before = snapshot(app)
            with ascii_json_packets() if kind == "lone_surrogate" else contextlib.nullcontext():
                try:
                    updates = await tab.exchange(handler_name(state_class, name), payload, timeout=4, **where)
                except Exception as error:  # any failure to answer is the finding
                    updates = None
                    problems.append(f"{label}: no reply, the connection dropped ({type(error).__name__})")
            after = snapshot(app)
            if updates is not None:
                if kind == "extra_key" and problem_of(updates) != UNREADABLE:  # said in words
                    problems.append(f"{label}: refused as {problem_of(updates)!r}, {toasts_of(updates)}")
                if not (problem_of(updates) or toasts_of(updates)):
                    problems += [f"{label}: accepted ({s})" for s in acceptance_signs(updates)]
                for toast in toasts_of(updates):
                    reference = re.search(r"reference ([0-9a-f]{12})", toast)
                    if reference and reference.group(1) not in app.log_path.read_text(errors="replace"):
                        problems.append(f"{label}: error id {reference.group(1)} is not in the log")
            problems += [f"{label}: wrote {change}" for change in writes_between(before, after)]
        finally:
            with contextlib.suppress(Exception):
                await tab.close()
        # The tab must still work: the same token, reconnected, answers.
        try:
            again = await reconnect_same_token(app, tab.token, w.cookie)
            try:
                await again.exchange(handler_name(rx.State, "hydrate"), timeout=3, **where)
            finally:
                await again.close()
        except Exception as error:
            problems.append(f"{label}: the tab is unusable afterwards ({type(error).__name__})")
        log = app.log_path.read_text(errors="replace")
        problems += [f"{label}: the log holds the sent text {m}" for m in sorted(sent) if m in log]
    assert problems == [], "\n".join(problems)


CONTROLS = {
    "edit_title": (EditorState, ""),
    "edit_body": (EditorState, ""),
    "save_entry": (EditorState, ""),
    "set_shared": (ItemSharingState, "w_private"),
    "check_code": (CareTeamState, ""),
}


@pytest.mark.parametrize("name", list(CONTROLS))
async def test_the_valid_payloads_of_those_cases_are_accepted(world: World, name: str) -> None:
    """Control for the bad-argument cases: the payload they start from does the work, so
    a refusal there is the bad value's doing. (Deleting and ending the link are left out:
    their valid payloads, `{}` and the clinician's id, would tear the test world down.)"""
    app, w = world.app, world["w"]
    state_class, target = CONTROLS[name]
    async with connected(app, w.cookie) as tab:
        where = await open_page(world, tab, state_class, target)
        updates = await tab.exchange(
            handler_name(state_class, name), valid_payload(world, name, target), **where
        )
        assert not problem_of(updates) and not toasts_of(updates), problem_of(updates)
        assert acceptance_signs(updates), "the valid payload did nothing visible"
        if name == "set_shared":  # put it back
            await tab.exchange(
                handler_name(ItemSharingState, "set_shared"),
                {"item_id": world.entries[target].id, "clinician_id": world["c"].id, "shared": False},
                **where,
            )


# --- 5. the websocket handshake checks Origin (TRANS-1) ----------------------------------------

FOREIGN_ORIGINS = {
    "evil_example": lambda app: "http://evil.example",
    "null": lambda app: "null",
    "lookalike_suffix": lambda app: f"http://localhost:{app.port}.evil.example",
    "other_port": lambda app: f"http://localhost:{app.port + 1}",
    "https_same_host": lambda app: f"https://localhost:{app.port}",
}


@pytest.mark.parametrize("origin", list(FOREIGN_ORIGINS))
async def test_a_foreign_origin_cannot_open_the_websocket(world: World, origin: str) -> None:
    app = world.app
    # With a signed-in person's cookie: the cross-site websocket hijacking attempt.
    client = EventClient(app.url, cookie=world["a"].cookie, origin=FOREIGN_ORIGINS[origin](app))
    try:
        with pytest.raises(Exception, match=r"(?i)connect"):
            await client.connect()
    finally:
        with contextlib.suppress(Exception):
            await client.close()


@pytest.mark.parametrize("origin", ["public_url", "loopback_ip"])
async def test_the_apps_own_origin_connects(world: World, origin: str) -> None:
    app = world.app
    value = app.url if origin == "public_url" else f"http://127.0.0.1:{app.port}"
    client = EventClient(app.url, cookie=world["a"].cookie, origin=value)
    await client.connect()
    try:
        updates = await client.exchange(handler_name(JournalState, "load_journal"), path=routes.JOURNAL)
        assert state_of(updates, JournalState).get("journal_loaded") is True
    finally:
        await client.close()


# --- 6. a client can't reach another client's entry (AUTHZ-2) ---------------------------------


async def _entry_page_attempts(world: World, tab: EventClient) -> list[list[dict[str, Any]]]:
    other = world.entries["b_shared"]
    where: dict[str, Any] = {"path": routes.ENTRY, "query": {"id": other.id}}
    shown = await tab.exchange(handler_name(EntryState, "load_entry"), **where)
    assert state_of(shown, EntryState).get("found") is not True
    return [shown]


async def _load(world: World, tab: EventClient) -> list[list[dict[str, Any]]]:
    return await _entry_page_attempts(world, tab)


async def _set_shared(world: World, tab: EventClient) -> list[list[dict[str, Any]]]:
    replies = await _entry_page_attempts(world, tab)
    where: dict[str, Any] = {"path": routes.ENTRY, "query": {"id": world.entries["b_shared"].id}}
    for clinician, shared in (("d", False), ("c", True), ("d", True)):
        replies.append(
            await tab.exchange(
                handler_name(ItemSharingState, "set_shared"),
                {
                    "item_id": world.entries["b_shared"].id,
                    "clinician_id": world[clinician].id,
                    "shared": shared,
                },
                **where,
            )
        )
    return replies


async def _delete(world: World, tab: EventClient) -> list[list[dict[str, Any]]]:
    replies = await _entry_page_attempts(world, tab)
    where: dict[str, Any] = {"path": routes.ENTRY, "query": {"id": world.entries["b_shared"].id}}
    replies.append(
        await tab.exchange(
            handler_name(ItemSharingState, "delete_item"), {"item_id": world.entries["b_shared"].id}, **where
        )
    )
    return replies


async def _editor(world: World, tab: EventClient) -> list[list[dict[str, Any]]]:
    """Open the editor on B's entry id, type over it, save it, discard it."""
    app = world.app
    where: dict[str, Any] = {"path": routes.WRITE, "query": {"id": world.entries["b_shared"].id}}
    title, body = app.marker("overwrite-title"), app.marker("overwrite-body")
    replies = [await tab.exchange(handler_name(EditorState, "open_editor"), **where)]
    replies.append(await tab.exchange(handler_name(EditorState, "edit_title"), {"value": title}, **where))
    replies.append(await tab.exchange(handler_name(EditorState, "edit_body"), {"value": body}, **where))
    save = {p.name: {"title": title, "body": body} for p in handler_params(EditorState, "save_entry")}
    replies.append(await tab.exchange(handler_name(EditorState, "save_entry"), save, **where))
    replies.append(await tab.exchange(handler_name(EditorState, "discard_draft"), **where))
    return replies


ATTEMPTS = {"load_entry": _load, "set_shared": _set_shared, "delete_item": _delete, "editor": _editor}


@pytest.mark.parametrize("attempt", list(ATTEMPTS))
async def test_a_client_cannot_reach_another_clients_entry(world: World, attempt: str) -> None:
    """Client A, with client B's entry id (shared by B with clinician D): nothing of B's
    comes back, nothing changes, and B and D still see the entry as it was."""
    app, other = world.app, world.entries["b_shared"]
    before = snapshot(app)
    async with connected(app, world["a"].cookie) as tab:
        replies = await ATTEMPTS[attempt](world, tab)
    after = snapshot(app)
    for reply in replies:
        assert secrets_in(reply, {other.title, other.body, world["b"].name}) == []
    assert writes_between(before, after) == []
    # Every refused attempt on B's entry is on record, as A's and as denied.
    added = new_audit_rows(before, after)
    refused_on_item = [row for row in added if row[2] == uuid_hex(other.id)]
    assert refused_on_item and all(
        (row[1], row[4]) == (uuid_hex(world["a"].id), "DENIED") for row in refused_on_item
    ), added
    async with connected(app, world["b"].cookie) as as_b:
        mine = await as_b.exchange(
            handler_name(EntryState, "load_entry"), path=routes.ENTRY, query={"id": other.id}
        )
    detail = state_of(mine, EntryState)
    assert (detail.get("title"), detail.get("body")) == (other.title, other.body)
    shares = state_of(mine, ItemSharingState).get("shares") or []
    assert [s["shared"] for s in shares if s["clinician_id"] == world["d"].id] == [True]


async def test_a_client_searches_only_their_own_journal(world: World) -> None:
    """Client A searches for words only client B wrote, under every filter: nothing of B's
    comes back, nothing is written. B's same search finds B's entry (the control)."""
    app, other = world.app, world.entries["b_shared"]
    # The end of B's words: A's own search echoes it, never the whole of B's text.
    tails = [other.title[-10:], other.body[-10:]]
    where: dict[str, Any] = {"path": routes.JOURNAL, "query": {}}
    before = snapshot(app)
    async with connected(app, world["a"].cookie) as tab:
        replies = [await tab.exchange(handler_name(JournalState, "load_journal"), **where)]
        for show in ("all", "shared", "private"):
            replies.append(
                await tab.exchange(handler_name(JournalState, "show_only"), {"which": show}, **where)
            )
            for tail in tails:
                found = await tab.exchange(
                    handler_name(JournalState, "search_journal"), {"form": {"query": tail}}, **where
                )
                assert state_of(found, JournalState).get("entries") == [], (show, tail)
                # Said, for whoever can't see the list change (walk-through: nothing was).
                assert state_of(found, AppState).get("notice") == "No entries found.", (show, tail)
                replies.append(found)
        # A's own words are found the same way (the search does run for A), the Search button
        # working from the tap until the answer comes.
        own = world.entries["private"]
        await tab.exchange(handler_name(JournalState, "show_only"), {"which": "all"}, **where)
        form = {"form": {"query": own.body[-10:]}}
        working = await tab.exchange(handler_name(JournalState, "begin_search"), form, **where)
        assert state_of(working, JournalState).get("search_pending") is True
        mine = await tab.exchange(handler_name(JournalState, "search_journal"), form, **where)
        assert [e["id"] for e in state_of(mine, JournalState).get("entries") or []] == [own.id]
        assert state_of(mine, AppState).get("notice") == "1 entry found."
        assert state_of(mine, JournalState).get("search_pending") is False
    after = snapshot(app)
    for reply in replies:
        assert secrets_in(reply, {other.title, other.body, world["b"].name}) == []
    assert writes_between(before, after) == []
    async with connected(app, world["b"].cookie) as as_b:
        await as_b.exchange(handler_name(JournalState, "load_journal"), **where)
        theirs = await as_b.exchange(
            handler_name(JournalState, "search_journal"), {"form": {"query": tails[1]}}, **where
        )
    assert [e["id"] for e in state_of(theirs, JournalState).get("entries") or []] == [other.id]


async def test_a_clinician_cannot_cancel_another_clinicians_code(world: World) -> None:
    """Clinician D, with the id of clinician C's open invitation: refused, the code stays
    open (C's client can still use it), and D's reply holds nothing of C's."""
    from betterjournal.core import links
    from betterjournal.db import session_scope

    app = world.app
    with app.core(), session_scope() as session:
        invitation_id = str(links.find_invitation(session, world.spare_code).id)
    where: dict[str, Any] = {"path": routes.CLIENTS, "query": {}}
    before = snapshot(app)
    async with connected(app, world["d"].cookie) as tab:
        await tab.exchange(handler_name(ClientsState, "load_clients"), **where)
        reply = await tab.exchange(
            handler_name(ClientsState, "cancel_invitation"), {"invitation_id": invitation_id}, **where
        )
    assert "can't be cancelled" in problem_of(reply)
    assert [
        line for line in state_of(reply, ClientsState).get("pending") or [] if line["id"] == invitation_id
    ] == []
    assert secrets_in(reply, {world["c"].name, world.spare_code}) == []
    assert writes_between(before, after := snapshot(app)) == [], after
    with app.core(), session_scope() as session:
        assert links.find_invitation(session, world.spare_code).id.hex == uuid.UUID(invitation_id).hex


# --- framework paths that would put a payload in the log (INPUT-5) -----------------------------


async def test_an_unknown_handler_name_leaves_no_text_or_cookie_in_the_log(world: World) -> None:
    """A tab built before a deploy keeps sending the handler names it knows. An event for
    a name that no longer exists (here: a renamed autosave) must not write the words it
    carries, or the session cookie of the request, into the log."""
    app, a = world.app, world["a"]
    words = app.marker("stale-autosave")
    stale = handler_name(EditorState, "edit_body") + "_v0"
    async with connected(app, a.cookie) as tab:
        await tab.exchange(stale, {"value": words}, path=routes.WRITE, query={"id": world.draft_id})
        await tab.exchange(handler_name(AppState, "dismiss_feedback"))
    log = app.log_path.read_text(errors="replace")
    session_token = a.cookie.split("=", 1)[1]
    assert words not in log, "the log holds the text of an event for an unknown handler"
    assert session_token not in log, "the log holds a session cookie"

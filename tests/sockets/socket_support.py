"""What the socket attack tests share: a small world of real people and entries, made
through the app's own handlers; database snapshots; checks on what a reply carries.

Everything is set up the way a browser would: accounts through the operator command,
sign-in through the HTTP route, linking, writing and sharing through the websocket
handlers. Entry titles, bodies and drafts are `RunningApp.marker` strings, so a leak
shows up as a marker in a reply (and the plaintext scans can look for them).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import functools
import inspect
import json
import sqlite3
import time
import types
import typing
import urllib.parse
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import reflex as rx
import socketio.packet
from appserver import RunningApp
from socketclient import EventClient, handler_name, merged_delta, sign_in, var_value

import betterjournal.betterjournal  # noqa: F401  (registers every page, state and handler)
from betterjournal import routes
from betterjournal.state.base import AppState
from betterjournal.state.care_team import CareTeamState
from betterjournal.state.clinician import ClientsState
from betterjournal.state.editor import EditorState
from betterjournal.state.items import ItemSharingState
from betterjournal.state.journal import EntryState

FIELD_SUFFIX = "_rx_state_"


# --- people and entries ------------------------------------------------------------------


@dataclass
class Actor:
    label: str
    role: str
    email: str
    name: str
    password: str
    cookie: str = ""
    id: str = ""  # the account id as the app shows it (str(UUID)), learned from the app


@dataclass
class Entry:
    label: str
    owner: str
    id: str
    title: str
    body: str


@dataclass
class World:
    app: RunningApp
    actors: dict[str, Actor]
    entries: dict[str, Entry] = field(default_factory=dict)
    # Words a client wrote that never became an entry: an autosaved draft.
    draft_id: str = ""
    draft_words: tuple[str, str] = ("", "")
    # An unused invitation code of the main clinician, for payloads that want one.
    spare_code: str = ""

    def __getitem__(self, label: str) -> Actor:
        return self.actors[label]

    @property
    def phi(self) -> set[str]:
        """Every piece of journal text in the world: none may reach a wrong caller."""
        texts = {text for entry in self.entries.values() for text in (entry.title, entry.body)}
        return texts | {w for w in self.draft_words if w}

    @property
    def names(self) -> set[str]:
        return {actor.name for actor in self.actors.values()}


def new_password() -> str:
    return f"bj-sock-{uuid.uuid4().hex[:16]}"


async def new_people(app: RunningApp, prefix: str, **roles: str) -> dict[str, Actor]:
    """Fresh accounts (role by label), made at once and signed in; ids are learned when
    they are linked."""
    suffix = uuid.uuid4().hex[:8]
    people = {
        label: Actor(
            label,
            role,
            f"{prefix}-{label}-{suffix}@example.com",
            f"{prefix.capitalize()} {label.upper()} {suffix}",
            new_password(),
        )
        for label, role in roles.items()
    }
    await asyncio.gather(
        *(asyncio.to_thread(app.create_user, p.role, p.email, p.name, p.password) for p in people.values())
    )
    for person in people.values():
        person.cookie = await sign_in(app.url, person.email, person.password)
    return people


async def connect(app: RunningApp, cookie: str = "", token: str | None = None) -> EventClient:
    client = (
        EventClient(app.url, cookie=cookie)
        if token is None
        else EventClient(app.url, cookie=cookie, token=token)
    )
    await client.connect()
    return client


@contextlib.asynccontextmanager
async def connected(
    app: RunningApp, cookie: str = "", token: str | None = None
) -> AsyncIterator[EventClient]:
    client = await connect(app, cookie, token)
    try:
        yield client
    finally:
        with contextlib.suppress(Exception):
            await client.close()


async def reconnect_same_token(app: RunningApp, token: str, cookie: str = "") -> EventClient:
    """Connect with a token whose previous connection just closed.

    The server unlinks a closed connection's token a moment after the close; until then
    it hands a new connection a fresh token instead (duplicate-tab protection).
    """
    for _attempt in range(50):
        client = await connect(app, cookie, token)
        if not client.new_tokens:
            return client
        await client.close()
        await asyncio.sleep(0.05)
    raise AssertionError("the server kept treating the token as still connected")


def state_of(updates: list[dict[str, Any]], state_class: type) -> dict[str, Any]:
    """The last value of each var of one state in these updates, by plain var name."""
    values = merged_delta(updates).get(state_class.get_full_name(), {})  # type: ignore[attr-defined]
    return {key.removesuffix(FIELD_SUFFIX): value for key, value in values.items()}


async def pushed_values(
    tab: EventClient,
    since: int,
    state_class: type,
    check: Callable[[dict[str, Any]], bool],
    within: float = 5.0,
) -> dict[str, Any]:
    """The state's values the server pushed to the tab after `since` (no event sent meanwhile),
    once they pass `check`; fails after `within` seconds, with what did arrive."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        values = state_of(tab.received[since:], state_class)
        if values and check(values):
            return values
        await asyncio.sleep(0.02)
    raise AssertionError(f"no push within {within} s: {json.dumps(tab.received[since:])[:800]}")


def handler_params(state_class: type, name: str) -> list[inspect.Parameter]:
    """The parameters a browser supplies to a handler (not `self`, not the guard's viewer)."""
    handler = state_class.event_handlers[name]  # type: ignore[attr-defined]
    params = list(inspect.signature(handler.fn).parameters.values())[1:]
    return [p for p in params if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]


def save_payload(title: str, body: str) -> dict[str, Any]:
    """EditorState.save_entry's payload, from its signature (it saves the form it is given)."""
    params = handler_params(EditorState, "save_entry")
    return {params[0].name: {"title": title, "body": body}} if params else {}


async def new_entry_id(client: EventClient) -> str:
    """Tap Write: the server hands this tab a fresh id for a new entry (in its redirect)."""
    updates = await client.exchange(handler_name(EditorState, "open_editor"), path=routes.WRITE)
    target = next(path for path in redirect_targets(updates) if "id=" in path)
    return urllib.parse.parse_qs(urllib.parse.urlsplit(target).query)["id"][0]


async def write_entry(app: RunningApp, client: EventClient, label: str) -> Entry:
    """Write and save one entry through the editor, as the browser does."""
    entry_id = await new_entry_id(client)
    title, body = app.marker(f"{label}-title"), app.marker(f"{label}-body")
    where: dict[str, Any] = {"path": routes.WRITE, "query": {"id": entry_id}}
    await client.exchange(handler_name(EditorState, "open_editor"), **where)
    await client.exchange(handler_name(EditorState, "edit_title"), {"value": title}, **where)
    await client.exchange(handler_name(EditorState, "edit_body"), {"value": body}, **where)
    # The save's reply already shows the saved entry; the page's load then finds it current.
    saved = await client.exchange(handler_name(EditorState, "save_entry"), save_payload(title, body), **where)
    loaded = await client.exchange(
        handler_name(EntryState, "load_entry"), path=routes.ENTRY, query={"id": entry_id}
    )
    assert state_of(saved + loaded, EntryState).get("body") == body, f"entry {label} was not saved"
    return Entry(label=label, owner="", id=entry_id, title=title, body=body)


async def set_shared(client: EventClient, entry: Entry, clinician: Actor, shared: bool) -> None:
    where: dict[str, Any] = {"path": routes.ENTRY, "query": {"id": entry.id}}
    await client.exchange(handler_name(EntryState, "load_entry"), **where)
    updates = await client.exchange(
        handler_name(ItemSharingState, "set_shared"),
        {"item_id": entry.id, "clinician_id": clinician.id, "shared": shared},
        **where,
    )
    shares = state_of(updates, ItemSharingState).get("shares") or []
    status = next((s for s in shares if s["clinician_id"] == clinician.id), None)
    assert status is not None and status["shared"] is shared, f"sharing {entry.label} failed: {shares}"


async def delete_entry(client: EventClient, entry: Entry) -> None:
    where: dict[str, Any] = {"path": routes.ENTRY, "query": {"id": entry.id}}
    await client.exchange(handler_name(EntryState, "load_entry"), **where)
    await client.exchange(handler_name(ItemSharingState, "delete_item"), {"item_id": entry.id}, **where)


async def invitation_code(clinician: EventClient) -> str:
    updates = await clinician.exchange(handler_name(ClientsState, "create_invitation"), path=routes.CLIENTS)
    code = var_value(updates, "new_code")
    assert isinstance(code, str) and code, "no invitation code"
    return code


async def link(app: RunningApp, client: Actor, clinician: Actor) -> None:
    """The clinician makes a code; the client checks and accepts it. Learns both ids."""
    async with connected(app, clinician.cookie) as as_clinician, connected(app, client.cookie) as as_client:
        code = await invitation_code(as_clinician)
        where: dict[str, Any] = {"path": routes.CARE_TEAM}
        await as_client.exchange(handler_name(CareTeamState, "check_code"), {"form": {"code": code}}, **where)
        accepted = await as_client.exchange(handler_name(CareTeamState, "accept_invitation"), **where)
        people = state_of(accepted, CareTeamState).get("clinicians") or []
        clinician.id = next((p["id"] for p in people if p["name"] == clinician.name), "")
        assert clinician.id, f"{client.label} could not link to {clinician.label}"
        listed = await as_clinician.exchange(handler_name(ClientsState, "load_clients"), path=routes.CLIENTS)
        people = state_of(listed, ClientsState).get("clients") or []
        client.id = next((p["id"] for p in people if p["name"] == client.name), "")
        assert client.id, f"{clinician.label} does not list {client.label}"


async def build_world(app: RunningApp) -> World:
    """Clinicians C and D, an admin; clients A (linked to C), B (linked to D), E (was
    linked to C), W (linked to C, for the bad-input tests).

    A: `shared` (to C), `private`, `revoked` (shared to C, then revoked), `deleted`
    (shared to C, then deleted), and an autosaved draft. B: `b_shared` (to D).
    E: `e_shared` (to C, then E ended the link). W: `w_shared` (to C), `w_private`.
    """
    suffix = uuid.uuid4().hex[:10]
    roles = {
        "c": "clinician",
        "d": "clinician",
        "admin": "admin",
        "a": "client",
        "b": "client",
        "e": "client",
        "w": "client",
    }
    actors = {
        label: Actor(
            label=label,
            role=role,
            email=f"sock-{label}-{suffix}@example.com",
            name=f"Sock {label.upper()} {suffix}",
            password=new_password(),
        )
        for label, role in roles.items()
    }
    await asyncio.gather(
        *(asyncio.to_thread(app.create_user, a.role, a.email, a.name, a.password) for a in actors.values())
    )
    for actor in actors.values():
        actor.cookie = await sign_in(app.url, actor.email, actor.password)
    world = World(app=app, actors=actors)
    c, d = actors["c"], actors["d"]
    await link(app, actors["a"], c)
    await link(app, actors["b"], d)
    await link(app, actors["e"], c)
    await link(app, actors["w"], c)

    async def entries_of(owner: Actor, *labels: str) -> dict[str, Entry]:
        async with connected(app, owner.cookie) as client:
            made = {}
            for label in labels:
                entry = await write_entry(app, client, label)
                entry.owner = owner.label
                made[label] = entry
            return made

    world.entries.update(await entries_of(actors["a"], "shared", "private", "revoked", "deleted"))
    world.entries.update(await entries_of(actors["b"], "b_shared"))
    world.entries.update(await entries_of(actors["e"], "e_shared"))
    world.entries.update(await entries_of(actors["w"], "w_shared", "w_private"))
    entries = world.entries
    async with connected(app, actors["a"].cookie) as a:
        for label in ("shared", "revoked", "deleted"):
            await set_shared(a, entries[label], c, True)
        await set_shared(a, entries["revoked"], c, False)
        await delete_entry(a, entries["deleted"])
        # Words typed but never saved: an autosaved draft.
        world.draft_id = await new_entry_id(a)
        world.draft_words = (app.marker("draft-title"), app.marker("draft-body"))
        where: dict[str, Any] = {"path": routes.WRITE, "query": {"id": world.draft_id}}
        await a.exchange(handler_name(EditorState, "open_editor"), **where)
        await a.exchange(handler_name(EditorState, "edit_title"), {"value": world.draft_words[0]}, **where)
        await a.exchange(handler_name(EditorState, "edit_body"), {"value": world.draft_words[1]}, **where)
    async with connected(app, actors["b"].cookie) as b:
        await set_shared(b, entries["b_shared"], d, True)
    async with connected(app, actors["w"].cookie) as w:
        await set_shared(w, entries["w_shared"], c, True)
    async with connected(app, actors["e"].cookie) as e:
        await set_shared(e, entries["e_shared"], c, True)
        await e.exchange(handler_name(CareTeamState, "load_care_team"), path=routes.CARE_TEAM)
        ended = await e.exchange(
            handler_name(CareTeamState, "end_link"), {"clinician_id": c.id}, path=routes.CARE_TEAM
        )
        assert state_of(ended, CareTeamState).get("clinicians") == [], "E could not end the link"
    async with connected(app, c.cookie) as as_c:
        world.spare_code = await invitation_code(as_c)
    return world


# --- the database, read-only ---------------------------------------------------------------

# Columns that change on reads by design: the session's idle clock.
VOLATILE_COLUMNS = {
    ("auth_session", "last_seen_at"),
    ("audit_event", "chain"),  # set by the app's sealer a few seconds after a row is written
    # The app's outbox sender works through earlier tests' emails at any moment (a row
    # claimed, sent, its content dropped): a row a handler adds still shows by its id.
    *(
        ("outbox_message", column)
        for column in ("message_ct", "attempts", "next_attempt_at", "claimed_until", "sent_at", "failed_at")
    ),
}


@dataclass(frozen=True)
class Snapshot:
    tables: dict[str, Counter]
    audit: tuple[tuple[Any, ...], ...]  # (id, actor_id, item_id, action, outcome)


def database_path(app: RunningApp) -> Path:
    return app.data_dir / "betterjournal.db"


# One read-only connection per database, kept open: it tells whether anything was committed
# since the last snapshot (PRAGMA data_version), so an unchanged database is not read again.
_readers: dict[Path, sqlite3.Connection] = {}
_last_snapshot: dict[Path, tuple[int, Snapshot]] = {}


def _reader(path: Path) -> sqlite3.Connection:
    if path not in _readers:
        _readers[path] = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)
    return _readers[path]


def snapshot(app: RunningApp) -> Snapshot:
    """Every row of every table (as a multiset), read through a read-only connection; the
    last one again when nothing was committed since (by any connection or process)."""
    path = database_path(app)
    connection = _reader(path)
    version = connection.execute("PRAGMA data_version").fetchone()[0]
    last = _last_snapshot.get(path)
    if last is not None and last[0] == version:
        return last[1]
    names = [
        row[0]
        for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    tables: dict[str, Counter] = {}
    for name in names:
        columns = [row[1] for row in connection.execute(f'PRAGMA table_info("{name}")')]
        kept = [c for c in columns if (name, c) not in VOLATILE_COLUMNS]
        select = ", ".join(f'"{c}"' for c in kept)
        tables[name] = Counter(connection.execute(f'SELECT {select} FROM "{name}"').fetchall())  # noqa: S608
    audit = tuple(
        connection.execute(
            "SELECT id, actor_id, item_id, action, outcome FROM audit_event ORDER BY id"
        ).fetchall()
    )
    taken = Snapshot(tables=tables, audit=audit)
    _last_snapshot[path] = (version, taken)
    return taken


def new_audit_rows(before: Snapshot, after: Snapshot) -> list[tuple[Any, ...]]:
    known = {row[0] for row in before.audit}
    return [row for row in after.audit if row[0] not in known]


def writes_between(before: Snapshot, after: Snapshot, *, allow_denied_audit: bool = True) -> list[str]:
    """What changed, table by table; denied-attempt audit rows are allowed if asked."""
    changes = []
    for name in sorted(set(before.tables) | set(after.tables)):
        old, new = before.tables.get(name, Counter()), after.tables.get(name, Counter())
        if name == "audit_event":
            if old - new:
                changes.append("audit_event: rows disappeared or changed")
            added = new_audit_rows(before, after)
            if not allow_denied_audit and added:
                changes.append(f"audit_event: {len(added)} new rows")
            elif any(row[4] != "DENIED" for row in added):
                changes.append(f"audit_event: non-denied rows added: {added}")
            continue
        if old != new:
            changes.append(
                f"{name}: {sum((new - old).values())} rows added/changed, "
                f"{sum((old - new).values())} removed/changed"
            )
    return changes


def uuid_hex(value: str) -> str:
    """An id as SQLModel stores it in SQLite (32 hex digits)."""
    return uuid.UUID(value).hex


# --- what a reply carries -------------------------------------------------------------------


def secrets_in(updates: list[dict[str, Any]], secrets: set[str]) -> list[str]:
    text = json.dumps(updates)
    return sorted(s for s in secrets if s and s in text)


def _carries_data(value: Any) -> bool:
    """Text or list items: data. Flags, counters and empty values: not data."""
    if isinstance(value, str):
        return value != ""
    if isinstance(value, list):
        return len(value) > 0
    if isinstance(value, dict):
        return any(_carries_data(v) for v in value.values())
    return False


# AppState vars that may hold text for anyone: page feedback, the anti-forgery token and
# the tab's language.
FEEDBACK_VARS = {
    "notice",
    "problem",
    "feedback_on",
    "form_token",
    "language",
    # A tab signed out from elsewhere: the sign-in address that comes back to its own page.
    "sign_in_again",
}
# ... and, for a signed-in caller of the wrong role, their own name and role.
OWN_IDENTITY_VARS = {
    "viewer_name",
    "viewer_role",
    "time_zone",
    # Settings are every role's own (state/settings.py), as "state.var".
    "settings_state.chosen_language",
    "settings_state.chosen_time_zone",
    "settings_state.time_zones",
    "settings_state.settings_loaded",
    "settings_state.weekdays",  # the day names in their language, the same for everyone
    # Where they are signed in (state/account.py): their own devices, for every role.
    "sessions_state.signed_in_sessions",
    # The address their own account uses (the security page, every role's own).
    "security_state.email",
}


@functools.cache
def declared_defaults() -> dict[tuple[str, str], Any]:
    """Each var's declared default, by (state's full name, var name): the same value for
    everyone (a form's preset choice, say: "20:00", every weekday ticked), so a var at its
    default holds no data."""
    defaults: dict[tuple[str, str], Any] = {}
    for state_class in all_states():
        for name, declared in state_class.get_fields().items():  # type: ignore[attr-defined]
            if name not in state_class.base_vars:  # type: ignore[attr-defined]
                continue
            if isinstance(declared.default, str | bool | int | float | list):
                defaults[(state_class.get_full_name(), name)] = declared.default
            elif callable(declared.default_factory):
                defaults[(state_class.get_full_name(), name)] = declared.default_factory()
    return defaults


def filled_vars(updates: list[dict[str, Any]], *, allowed: set[str] = FEEDBACK_VARS) -> list[str]:
    """App vars (not the router's) that any update filled with data, as State.var names.

    Each update is checked on its own: a var filled and then cleared again within one
    exchange still counts. A var at its declared default (the same for everyone) is not
    filled.
    """
    app_state = AppState.get_full_name()
    defaults = declared_defaults()
    found = []
    for update in updates:
        for state, values in (update.get("delta") or {}).items():
            for key, value in values.items():
                var = key.removesuffix(FIELD_SUFFIX)
                if key.startswith("rx_router") or var == "is_hydrated":
                    continue
                if state == app_state and var in allowed:
                    continue
                if f"{state.rsplit('___', 1)[-1]}.{var}" in allowed:  # "settings_state.var"
                    continue
                if (state, var) in defaults and value == defaults[(state, var)]:
                    continue
                if _carries_data(value):
                    found.append(f"{state.rsplit('.', 1)[-1]}.{var}")
    return sorted(set(found))


def problem_of(updates: list[dict[str, Any]]) -> str:
    return state_of(updates, AppState).get("problem") or ""


def toasts_of(updates: list[dict[str, Any]]) -> list[str]:
    """Messages of toasts the error handler sent (frontend `_call_function` events)."""
    return [
        json.dumps(event.get("payload"))
        for update in updates
        for event in update.get("events") or []
        if event.get("name") == "_call_function" and "__toast" in json.dumps(event.get("payload"))
    ]


def downloads_of(updates: list[dict[str, Any]]) -> list[bytes]:
    """The files the replies hand the tab to save (`rx.download` of data: a data URL)."""
    found = []
    for update in updates:
        for event in update.get("events") or []:
            if event.get("name") == "_download":
                head, _, data = event["payload"]["url"].partition(",")
                found.append(
                    base64.b64decode(data)
                    if head.endswith(";base64")
                    else urllib.parse.unquote_to_bytes(data)
                )
    return found


def redirects_of(updates: list[dict[str, Any]]) -> list[str]:
    """The paths the replies send the tab to, without their query (a signed-out caller is
    sent to sign in with the page it was on: `?next=…`, see redirect_targets)."""
    return [target.split("?", 1)[0] for target in redirect_targets(updates)]


def redirect_targets(updates: list[dict[str, Any]]) -> list[str]:
    return [
        (event.get("payload") or {}).get("path", "")
        for update in updates
        for event in update.get("events") or []
        if event.get("name") == "_redirect"
    ]


def comparable(updates: list[dict[str, Any]]) -> dict[str, Any]:
    """A reply without what differs per connection: router vars and the form token."""
    merged = merged_delta(updates)
    delta = {
        state: {
            k: v
            for k, v in values.items()
            if not k.startswith("rx_router") and not k.startswith("form_token")
        }
        for state, values in merged.items()
    }
    events = [
        {"name": event.get("name"), "payload": event.get("payload")}
        for update in updates
        for event in update.get("events") or []
    ]
    return {"delta": {s: v for s, v in delta.items() if v}, "events": events}


# --- every registered handler ---------------------------------------------------------------


def all_states(root: type = rx.State) -> Iterator[type]:
    yield root
    for substate in sorted(root.get_substates(), key=lambda s: s.get_full_name()):  # type: ignore[attr-defined]
        yield from all_states(substate)


def all_handlers() -> list[tuple[type, str]]:
    """(state class, handler name) for every handler registered in the app's state tree."""
    return [(state, name) for state in all_states() for name in sorted(state.event_handlers)]  # type: ignore[attr-defined]


def short_name(state_class: type, name: str) -> str:
    return f"{state_class.__name__}.{name}"


def parameter_hint(state_class: type, name: str, parameter: inspect.Parameter) -> str:
    """The parameter's annotation as text ('' if none), resolved where possible."""
    handler = state_class.event_handlers[name]  # type: ignore[attr-defined]
    with contextlib.suppress(Exception):
        hints = typing.get_type_hints(handler.fn)
        if parameter.name in hints:
            hint = hints[parameter.name]
            return hint.__name__ if isinstance(hint, type) else str(hint)
    annotation = parameter.annotation
    if annotation is inspect.Parameter.empty:
        return ""
    return annotation if isinstance(annotation, str) else str(annotation)


def plausible_payload(state_class: type, name: str, world: World) -> dict[str, Any]:
    """A value for every parameter of a handler, built from its signature.

    Ids are real (an entry of client A that is shared with clinician C, C's and A's
    account ids), flags are True, forms carry a real unused invitation code and entry
    text, free text is a fresh marker.
    """
    app, shared = world.app, world.entries["shared"]
    payload: dict[str, Any] = {}
    for parameter in handler_params(state_class, name):
        hint, pname = parameter_hint(state_class, name, parameter).lower(), parameter.name.lower()
        if pname == "var_name":  # the framework's setvar: name a real var of the state
            own = [v for v in state_class.base_vars if not v.startswith("rx_router")]  # type: ignore[attr-defined]
            payload[parameter.name] = own[0] if own else "is_hydrated"
        elif "clinician" in pname:
            payload[parameter.name] = world["c"].id
        elif "client" in pname:
            payload[parameter.name] = world["a"].id
        elif pname.endswith("id"):
            payload[parameter.name] = shared.id
        elif "bool" in hint:
            payload[parameter.name] = True
        elif "dict" in hint or "mapping" in hint or pname in {"form", "vars"}:
            payload[parameter.name] = {
                "code": world.spare_code,
                "title": app.marker(f"probe-{name}-title"),
                "body": app.marker(f"probe-{name}-body"),
            }
        elif "list" in hint or "sequence" in hint:
            payload[parameter.name] = [app.marker(f"probe-{name}-item")]
        elif "int" in hint:
            payload[parameter.name] = 1
        elif "float" in hint:
            payload[parameter.name] = 1.0
        else:
            payload[parameter.name] = app.marker(f"probe-{name}-{parameter.name}")
    return payload


# --- sending what some clients can't --------------------------------------------------------


@contextlib.contextmanager
def ascii_json_packets() -> Iterator[None]:
    """Encode outgoing Socket.IO packets with JSON escapes for everything non-ASCII.

    Importing the app installs Reflex's packet JSON (raw UTF-8) into python-socketio's
    packet class for the whole process; a lone surrogate can't be encoded that way. A
    browser's JSON.stringify sends it as the escape `\\ud800`; so does this.
    """
    original = socketio.packet.Packet.json
    socketio.packet.Packet.json = types.SimpleNamespace(  # pyright: ignore[reportAttributeAccessIssue]
        dumps=lambda obj, **kwargs: json.dumps(obj, **{**kwargs, "ensure_ascii": True}),
        loads=original.loads,
    )
    try:
        yield
    finally:
        socketio.packet.Packet.json = original  # pyright: ignore[reportAttributeAccessIssue]

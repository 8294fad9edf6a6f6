"""What a person waits for, against the real app in production mode (see docs/performance.md).

Run: `make bench` or `.venv/bin/python bench/journal.py`. Starts the app on a
free port with a fresh data directory, measures with raw Socket.IO clients (the tests'
EventClient: the server's round trip plus loopback, no browser rendering), prints every
figure and stops the app. The exit status is 0 even when a target is missed.

Timing: a window runs from the emit to the arrival of the update that puts the result on
screen (the "matching delta"). The guarded no-op sends no update at all, so it is timed
with a fence (the framework's `set_is_hydrated(True)`) emitted right behind it, up to the
fence's echo; the same pair is timed after the unguarded floor, and the difference of the
two pairs is the guard's cost over the floor. Between windows, untimed, the tab is
drained (`EventClient.exchange`) and put back on the page of the next event, so a window
never holds another event's leftovers or a router change. The series are interleaved in
a fresh random order every round, so machine noise hits all of them alike.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = Path(tempfile.mkdtemp(prefix="bj-bench-"))
# Seeding runs the core in this process on the app's own database and key file. Settings
# are read once, when the app is first imported (rxconfig), so this comes before imports.
os.environ["BJ_DATA_DIR"] = str(DATA_DIR)
os.environ.setdefault("MALLOC_MMAP_THRESHOLD_", "1048576")  # as `make run` / `make bench`
# Measure this checkout's code, here and in the app it starts (which inherits the environment),
# whatever checkout the virtualenv's editable install points at.
os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
os.chdir(ROOT)
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "tests" / "sockets"), str(ROOT / "tests" / "unit")]

import psutil  # noqa: E402
import two_step  # noqa: E402
from appserver import RunningApp, start_app  # noqa: E402
from reflex.state import OnLoadInternalState, State  # noqa: E402
from socket_support import (  # noqa: E402  # pyright: ignore[reportMissingImports]
    Actor,
    link,
    new_entry_id,
    reconnect_same_token,
    save_payload,
    state_of,
    write_entry,
)
from socketclient import EventClient, form_token_from, handler_name, post_form, router_data, sign_in  # noqa: E402

from betterjournal import routes  # noqa: E402
from betterjournal.core import accounts, items, journal  # noqa: E402
from betterjournal.db import session_scope  # noqa: E402
from betterjournal.i18n import FRENCH  # noqa: E402
from betterjournal.models import Role  # noqa: E402
from betterjournal.state.admin import AdminState  # noqa: E402
from betterjournal.state.base import AppState  # noqa: E402
from betterjournal.state.editor import EditorState  # noqa: E402
from betterjournal.state.items import ItemSharingState  # noqa: E402
from betterjournal.state.journal import EntryState, JournalState  # noqa: E402

PASSWORD = "bench-harbour-lantern-quietly-77"
# × the guarded no-op; × the English 50-entry journal (5,000 entries, and in French)
TARGETS = {"save": 2.0, "toggle": 1.5, "journal": 1.1, "french": 1.1}
FENCE = handler_name(State, "set_is_hydrated")
BODY = (
    "Walked to the market before work and noticed the tightness in my shoulders again. Wrote "
    "down the thought from the meeting: 'they think I'm not good at this'. Evidence against: "
    "two colleagues asked for my help this week. Mood before 4/10, after 6/10."
)
Window = Callable[[], Awaitable[float]]


class Arrivals(list):
    """EventClient.received that also notes when each update arrived."""

    def __init__(self) -> None:
        super().__init__()
        self.at: list[float] = []

    def append(self, update: Any) -> None:
        self.at.append(time.perf_counter())
        super().append(update)


async def tab(url: str, cookie: str) -> EventClient:
    client = EventClient(url, cookie=cookie, received=Arrivals())
    await client.connect()
    return client


async def emit(client: EventClient, name: str, payload: Any, path: str, query: dict | None = None) -> None:
    assert client._sio is not None
    await client._sio.emit(
        "event",
        {"name": name, "payload": payload, "router_data": router_data(path, query)},
        namespace="/_event",
    )


PAGE_LOAD = handler_name(OnLoadInternalState, "on_load_internal")


async def load_page(client: EventClient, path: str, query: dict | None = None) -> None:
    """Emit what the browser sends once it has navigated to `path`: the server runs the
    page's on_load handlers one after the other (a page load, as a person waits for it)."""
    await emit(client, PAGE_LOAD, {}, path, query)


async def arrival(client: EventClient, start: int, match: Callable[[dict], bool], timeout: float = 30) -> int:
    """The index of the first update from `start` on that matches, once it has arrived."""
    deadline = time.monotonic() + timeout
    while (
        found := next((i for i in range(start, len(client.received)) if match(client.received[i])), None)
    ) is None:
        client._arrived.clear()
        if time.monotonic() > deadline:
            raise TimeoutError(f"no matching update within {timeout} s")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(client._arrived.wait(), 1)
    return found


def is_echo(update: dict) -> bool:
    """The fence's echo: only `is_hydrated`, nothing else."""
    delta = update.get("delta") or {}
    return not update.get("events") and [k for v in delta.values() for k in v] == ["is_hydrated_rx_state_"]


async def settle(client: EventClient, path: str, query: dict | None = None, name: str = FENCE) -> None:
    """Untimed: run `name` to completion (the tests' exchange drains chained events too),
    then put the tab's router back on `path`/`query` (exchange's markers changed it)."""
    await client.exchange(name, {"value": True} if name == FENCE else None, path=path, query=query)
    start = len(client.received)
    await emit(client, FENCE, {"value": True}, path, query)
    await arrival(client, start, lambda _u: True)


def since(client: EventClient, index: int, sent: float) -> float:
    return client.received.at[index] - sent  # type: ignore[attr-defined]


# --- the windows ------------------------------------------------------------------------------


def floor_window(admin: EventClient) -> Window:
    async def run() -> float:
        await settle(admin, routes.ADMIN)
        start, sent = len(admin.received), time.perf_counter()
        await emit(admin, FENCE, {"value": True}, routes.ADMIN)
        return since(admin, await arrival(admin, start, is_echo), sent)

    return run


def pair_window(admin: EventClient, name: str) -> Window:
    """`name` with a fence right behind it, up to the fence's echo."""

    async def run() -> float:
        await settle(admin, routes.ADMIN)
        start, sent = len(admin.received), time.perf_counter()
        await emit(admin, name, {} if name != FENCE else {"value": True}, routes.ADMIN)
        await emit(admin, FENCE, {"value": True}, routes.ADMIN)
        first = await arrival(admin, start, is_echo)
        end = first if name != FENCE else await arrival(admin, first + 1, is_echo)
        if name != FENCE and first != start:
            raise RuntimeError(f"{name} sent an update of its own: {admin.received[start]}")
        return since(admin, end, sent)

    return run


def is_redirect(event: dict) -> bool:
    return event.get("name") == "_redirect"


def save_window(writer: EventClient, redirects: list[float]) -> Window:
    """save_entry on a fresh id, its redirect, and the entry page's load (on_load_internal, as
    the browser sends after navigating: the server chains load_entry), until the entry is shown."""

    async def run() -> float:
        entry_id = await new_entry_id(writer)  # Write: the server hands out the new id
        where = {"id": entry_id}
        await settle(writer, routes.WRITE, where, handler_name(EditorState, "open_editor"))
        title = f"Bench entry {len(redirects)}"
        start, sent = len(writer.received), time.perf_counter()
        await emit(
            writer, handler_name(EditorState, "save_entry"), save_payload(title, BODY), routes.WRITE, where
        )
        redirected = await arrival(writer, start, lambda u: any(map(is_redirect, u.get("events") or [])))
        redirects.append(since(writer, redirected, sent))
        path = next(filter(is_redirect, writer.received[redirected]["events"]))["payload"]["path"]
        page = urlsplit(path)
        await load_page(writer, page.path, dict(parse_qsl(page.query)))
        # The page load is done when its reply shows the save's notice; the entry itself is
        # in the save's own reply (state/journal.py EntryState._save_and_show) or this one.
        shown = await arrival(writer, redirected + 1, lambda u: bool(state_of([u], AppState).get("notice")))
        seconds = since(writer, shown, sent)
        on_screen = writer.received[start : shown + 1]
        shows = state_of(on_screen, EntryState)
        if (shows.get("entry_id"), shows.get("body")) != (entry_id, BODY) or not state_of(
            on_screen, AppState
        ).get("notice"):
            raise RuntimeError(f"the saved entry or its notice is not on screen: {on_screen}")
        return seconds

    return run


def toggle_window(
    sharer: EventClient, entry_id: str, clinician_id: str, flips: list[tuple[bool, float]]
) -> Window:
    async def run() -> float:
        wanted, where = len(flips) % 2 == 0, {"id": entry_id}
        payload = {"item_id": entry_id, "clinician_id": clinician_id, "shared": wanted}
        await settle(sharer, routes.ENTRY, where)
        start, sent = len(sharer.received), time.perf_counter()
        await emit(sharer, handler_name(ItemSharingState, "set_shared"), payload, routes.ENTRY, where)
        shown = await arrival(sharer, start, lambda u: "shares" in state_of([u], ItemSharingState))
        shares = state_of([sharer.received[shown]], ItemSharingState)["shares"]
        if [s["shared"] for s in shares if s["clinician_id"] == clinician_id] != [wanted]:
            raise RuntimeError(f"the toggle did not take: {shares}")
        flips.append((wanted, since(sharer, shown, sent)))
        return flips[-1][1]

    return run


def search_window(owner: EventClient, query: str, found: int) -> Window:
    """Search the journal as the form does (JournalState.begin_search, which sets the button
    spinning, then search_journal), until the list found arrives; it must hold `found`
    entries."""

    async def run() -> float:
        await settle(owner, routes.JOURNAL)
        form = {"form": {"query": query}}
        start, sent = len(owner.received), time.perf_counter()
        await emit(owner, handler_name(JournalState, "begin_search"), form, routes.JOURNAL)
        await emit(owner, handler_name(JournalState, "search_journal"), form, routes.JOURNAL)
        shown = await arrival(owner, start, lambda u: "entries" in state_of([u], JournalState))
        entries = state_of([owner.received[shown]], JournalState)["entries"]
        if len(entries) != found:
            raise RuntimeError(f"the search found {len(entries)} entries, not {found}")
        return since(owner, shown, sent)

    return run


def journal_window(owner: EventClient, private: str = "Private") -> Window:
    """Open the journal (the page load: its on_load handlers, `load_journal` first); each
    card's label must read `private` (the owner's language)."""

    async def run() -> float:
        await settle(owner, routes.JOURNAL)
        start, sent = len(owner.received), time.perf_counter()
        await load_page(owner, routes.JOURNAL)
        shown = await arrival(owner, start, lambda u: "entries" in state_of([u], JournalState))
        entries = state_of([owner.received[shown]], JournalState)["entries"]
        if len(entries) != items.PAGE_SIZE:
            raise RuntimeError("the journal page is not full")
        if {entry["label"] for entry in entries} != {private}:
            raise RuntimeError(f"the journal is not in the owner's language: {entries[0]['label']}")
        return since(owner, shown, sent)

    return run


# --- setup (untimed) --------------------------------------------------------------------------


def create_accounts(people: list[Actor]) -> dict[str, uuid.UUID]:
    """Accounts written directly through the core, in this process (argon2 per account).
    Clinicians and admins get an authenticator, as the app requires: the tests' `sign_in`
    types its code."""
    with session_scope() as session:
        ids = {
            p.label: accounts.create_user(
                session, email=p.email, display_name=p.name, password=p.password, role=Role(p.role)
            ).id
            for p in people
        }
    for p in people:
        if Role(p.role) in (Role.CLINICIAN, Role.ADMIN):
            two_step.enrol(ids[p.label], p.email)
    return ids


def seed_entries(
    owner_id: uuid.UUID, count: int, batch: int = 500, body: Callable[[int], str] = lambda _index: BODY
) -> None:
    """Journal entries written directly through the core: by default the same size each
    (equal pages); `body` gives the n-th entry's text."""
    for first in range(0, count, batch):
        with session_scope() as session:
            for index in range(first, min(first + batch, count)):
                values = {"title": f"Day {index:05d}", "body": body(index)}
                items.save(session, owner_id=owner_id, kind=journal.KIND, item_id=uuid.uuid4(), values=values)


def prefer(user_id: uuid.UUID, language: str, time_zone: str) -> None:
    """The person's own language and time zone, as Settings keeps them."""
    with session_scope() as session:
        accounts.set_preferences(session, user_id=user_id, language=language, time_zone=time_zone)


def actor(label: str, role: str = "client") -> Actor:
    return Actor(label, role, f"bench-{label}-{uuid.uuid4().hex[:8]}@example.com", f"Bench {label}", PASSWORD)


async def sign_in_tab(url: str, person: Actor) -> str:
    """Sign in as a browser tab does: the sign-in page and the app share one Reflex token
    (the tests' sign_in uses a throwaway token, a second server-side state per person).
    Returns the token; the cookie goes on `person`."""
    page = EventClient(url)
    await page.connect()
    try:
        updates = await page.exchange(handler_name(AppState, "prepare_public_page"), path=routes.SIGN_IN)
    finally:
        await page.close()
    fields = {"email": person.email, "password": person.password, "form_token": form_token_from(updates)}
    status, headers = await asyncio.to_thread(post_form, url, "/api/auth/signin", fields)
    assert status == 303, f"sign-in failed: {status}"
    person.cookie = (headers.get("set-cookie") or headers.get("Set-Cookie") or "").split(";", 1)[0]
    return page.token


def rss(pid: int) -> dict[str, int]:
    """RSS in bytes of each process of the app's tree (psutil), by pid and command."""
    root = psutil.Process(pid)
    tree = [root, *root.children(recursive=True)]
    return {f"{p.pid} {' '.join(p.cmdline())[:60]}": p.memory_info().rss for p in tree if p.is_running()}


# --- the run ----------------------------------------------------------------------------------


def quantiles(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    return statistics.median(ordered) * 1000, ordered[max(math.ceil(0.95 * len(ordered)) - 1, 0)] * 1000


async def measure(app: RunningApp, args: argparse.Namespace, idle: dict[str, int]) -> dict[str, Any]:
    admin, clinician = actor("admin", "admin"), actor("clinician", "clinician")
    writer, small, big, french = actor("writer"), actor("small"), actor("big"), actor("french")
    crowd = [actor(f"crowd{i:03d}") for i in range(args.clients)]
    started = time.perf_counter()
    ids = await asyncio.to_thread(create_accounts, [admin, clinician, writer, small, big, french, *crowd])
    await asyncio.to_thread(seed_entries, ids[small.label], items.PAGE_SIZE)
    await asyncio.to_thread(seed_entries, ids[french.label], items.PAGE_SIZE)
    await asyncio.to_thread(prefer, ids[french.label], FRENCH, "America/Vancouver")
    await asyncio.to_thread(seed_entries, ids[big.label], args.big)
    for person in crowd:
        await asyncio.to_thread(seed_entries, ids[person.label], 3)
    for person in (admin, clinician, writer, small, big, french):
        person.cookie = await sign_in(app.url, person.email, person.password)
    await link(app, writer, clinician)
    tabs = {p.label: await tab(app.url, p.cookie) for p in (admin, writer, small, big, french)}
    sharer = await tab(app.url, writer.cookie)  # a second tab of the writer, on an entry page
    shared = await write_entry(app, sharer, "toggled")
    print(f"setup: {time.perf_counter() - started:.0f} s", flush=True)

    redirects: list[float] = []
    flips: list[tuple[bool, float]] = []
    windows: dict[str, Window] = {
        "floor": floor_window(tabs["admin"]),
        "floor+fence": pair_window(tabs["admin"], FENCE),
        "guarded+fence": pair_window(tabs["admin"], handler_name(AdminState, "check_admin")),
        "save": save_window(tabs["writer"], redirects),
        "toggle": toggle_window(sharer, shared.id, clinician.id, flips),
        "journal 50": journal_window(tabs["small"]),
        "journal 50 French": journal_window(tabs["french"], private="Privé"),
        f"journal {args.big:,}": journal_window(tabs["big"]),
    }
    samples: dict[str, list[float]] = {name: [] for name in windows}
    order, started = list(windows), time.perf_counter()
    for round_number in range(args.warmup + args.rounds):
        random.shuffle(order)
        for name in order:
            seconds = await windows[name]()
            if round_number >= args.warmup:
                samples[name].append(seconds)
    print(f"measured {args.rounds} rounds in {time.perf_counter() - started:.0f} s", flush=True)
    # Searching the big journal, reported (no target): a word in every entry (the first page
    # fills at once) and a word in none (every entry is read and compared).
    searches = {
        f"search {args.big:,}: a word in every entry": search_window(
            tabs["big"], "shoulders", items.PAGE_SIZE
        ),
        f"search {args.big:,}: a word in none": search_window(tabs["big"], "lighthouse", 0),
    }
    for name in searches:
        samples[name] = []
    for round_number in range(2 + args.search_rounds):
        for name, window in searches.items():
            seconds = await window()
            if round_number >= 2:
                samples[name].append(seconds)
    for client in [*tabs.values(), sharer]:
        await client.close()

    assert app.process is not None
    memory = {"idle after start": idle}
    await asyncio.sleep(2)
    memory["before the clients"] = rss(app.process.pid)
    gate, connected = asyncio.Semaphore(8), []

    async def arrive(person: Actor) -> None:
        async with gate:
            token = await sign_in_tab(app.url, person)
            client = await reconnect_same_token(app, token, person.cookie)
            connected.append(client)
            await client.exchange(handler_name(JournalState, "load_journal"), path=routes.JOURNAL)

    started = time.perf_counter()
    await asyncio.gather(*(arrive(p) for p in crowd))
    print(
        f"{len(connected)} clients signed in and connected in {time.perf_counter() - started:.0f} s",
        flush=True,
    )
    await asyncio.sleep(3)
    memory[f"{len(connected)} clients connected"] = rss(app.process.pid)
    await asyncio.gather(*(c.close() for c in connected), return_exceptions=True)
    # The same windows, part way and split by direction.
    samples["save: until the redirect"] = redirects[args.warmup :]
    samples["toggle: on"] = [seconds for on, seconds in flips[args.warmup :] if on]
    samples["toggle: off"] = [seconds for on, seconds in flips[args.warmup :] if not on]
    return {"samples": samples, "memory": memory, "clients": len(connected)}


def report(results: dict[str, Any], big: int) -> dict[str, Any]:
    q = {name: quantiles(values) for name, values in results["samples"].items()}
    # The guarded no-op: the floor plus what check_admin adds over set_is_hydrated (same fence behind).
    (f50, f95), (g50, g95), (d50, d95) = q["floor"], q["guarded+fence"], q["floor+fence"]
    q["guarded"] = (f50 + g50 - d50, f95 + g95 - d95)
    # (label, series, what its ratios are to, the target's key); the verdict is on the median ratio
    # to the first of those.
    rows = [
        ("Unguarded floor (State.set_is_hydrated)", "floor", (), ""),
        ("  floor + fence behind it (device)", "floor+fence", (), ""),
        ("  guarded no-op + fence behind it (device)", "guarded+fence", (), ""),
        ("Guarded no-op (AdminState.check_admin)", "guarded", ("floor",), ""),
        ("Save, through to on screen", "save", ("guarded", "floor"), "save"),
        ("  of which: emit to the redirect's arrival", "save: until the redirect", ("guarded",), ""),
        ("Toggle a share (ItemSharingState.set_shared)", "toggle", ("guarded", "floor"), "toggle"),
        ("  the toggles that share (on)", "toggle: on", ("guarded",), ""),
        ("  the toggles that make it private (off)", "toggle: off", ("guarded",), ""),
        ("Journal open, 50 entries", "journal 50", (), ""),
        (f"Journal open, {big:,} entries", f"journal {big:,}", ("journal 50",), "journal"),
        ("Journal open, 50 entries, in French", "journal 50 French", ("journal 50",), "french"),
        (
            f"Search of {big:,} entries, a word in every entry",
            f"search {big:,}: a word in every entry",
            (),
            "",
        ),
        (f"Search of {big:,} entries, a word in none", f"search {big:,}: a word in none", (), ""),
    ]
    n = len(results["samples"]["floor"])
    print(f"\n{'figure, ms (n=' + str(n) + ' each)':<56} {'median':>7} {'p95':>7}   ratios: median, p95")
    verdicts = {}
    for label, key, bases, target in rows:
        (median, p95), ratios = q[key], []
        for base in bases:
            ratios.append(f"{median / q[base][0]:.2f}×, {p95 / q[base][1]:.2f}× {base}")
        if target:
            ratio = median / q[bases[0]][0]
            verdicts[target] = f"{'PASS' if ratio <= TARGETS[target] else 'MISS'} ({ratio:.2f}×)"
            ratios.append(f"target ≤ {TARGETS[target]}×: {verdicts[target]}")
        print(f"{label:<56} {median:7.2f} {p95:7.2f}   {'; '.join(ratios)}")
    print()
    for label, tree in results["memory"].items():
        print(f"Backend RSS, {label:<43} {sum(tree.values()) / 2**20:7.1f} MiB  ({len(tree)} processes)")
    first, last = list(results["memory"].values())[-2:]
    for process, size in last.items():
        print(f"  pid {process}: {size / 2**20:.1f} MiB")
    per_client = (sum(last.values()) - sum(first.values())) / max(results["clients"], 1) / 1024
    print(f"  per signed-in, connected client (journal loaded): {per_client:.0f} KiB")
    return {"ms": q, "verdicts": verdicts, "per_client_kib": per_client}


def main() -> int:
    parser = argparse.ArgumentParser(description="What a person waits for, against the real app.")
    parser.add_argument("--rounds", type=int, default=400, help="measured rounds (every series once each)")
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--big", type=int, default=5000, help="entries of the large journal")
    parser.add_argument("--clients", type=int, default=200, help="connected clients for the memory figure")
    parser.add_argument("--search-rounds", type=int, default=20, help="searches of the large journal, each")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    began = time.perf_counter()
    memory = psutil.virtual_memory()
    print(
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC; {os.cpu_count()} CPUs, {memory.total / 2**30:.1f} GiB RAM"
    )
    print("load average at the start: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()), flush=True)
    app = start_app(DATA_DIR)
    try:
        assert app.process is not None
        time.sleep(2)
        idle = rss(app.process.pid)
        print(f"app up at {app.url} in {time.perf_counter() - began:.0f} s", flush=True)
        results = asyncio.run(measure(app, args, idle))
    finally:
        app.stop()
        shutil.rmtree(DATA_DIR, ignore_errors=True)
    summary = report(results, args.big)
    print("\nload average at the end: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    print(f"whole run: {time.perf_counter() - began:.0f} s")
    if args.json:
        args.json.write_text(json.dumps(results | summary, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())

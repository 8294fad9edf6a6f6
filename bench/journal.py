"""Benchmarks of the journal against the real app in production mode (see docs/performance.md).

Run with `make bench` or `.venv/bin/python bench/journal.py`. By default it starts the app
on a free port with a fresh data directory and stops it afterwards; `--url` and
`--data-dir` point it at an app that is already running instead (the bench then writes
its own accounts and entries into that app's database).

Every figure comes from raw Socket.IO clients speaking Reflex's wire protocol (one event at
a time, timed from its emit to the arrival of its last update; see TimedClient), not from
a browser, so it is the server's round trip plus the loopback network, without rendering.
Data that only has to exist (5,000 entries, 200 accounts) is written in-process through
the core, into the app's own SQLite file.

Targets are printed as PASS or MISS; the exit status is 0 unless the run itself failed.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import datetime as dt
import importlib.metadata
import inspect
import io
import json
import math
import os
import platform
import pstats
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
import urllib.parse
import uuid
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT / "tests"))

from appserver import RunningApp, start_app  # noqa: E402  # pyright: ignore[reportMissingImports]
from socketclient import (  # noqa: E402  # pyright: ignore[reportMissingImports]
    EventClient,
    form_token_from,
    handler_name,
    post_form,
    var_value,
)

PASSWORD = "bench-harbour-lantern-quietly-77"
SAVE_TARGET = 2.0  # × the no-op event
TOGGLE_TARGET = 2.0
LOAD_TARGET = 1.5  # 5,000 entries vs 5
BODY = (
    "Walked to the market before work and noticed the tightness in my shoulders again. "
    "Wrote down the thought that came up in the meeting: 'they think I'm not good at this'. "
    "Evidence for: a short reply from my manager. Evidence against: two colleagues asked for "
    "my help this week, and the review last month was fine. Mood before 4/10, after 6/10. "
)


class BenchError(RuntimeError):
    """The run could not measure what it set out to measure."""


# --- numbers -------------------------------------------------------------------------


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(math.ceil(fraction * len(ordered)) - 1, 0)]


@dataclass
class Series:
    label: str
    seconds: list[float] = field(default_factory=list)

    @property
    def median_ms(self) -> float:
        return statistics.median(self.seconds) * 1000

    @property
    def p95_ms(self) -> float:
        return percentile(self.seconds, 0.95) * 1000

    def row(self, baseline: Series | None = None) -> str:
        ratio = ""
        if baseline is not None:
            ratio = f"{self.median_ms / baseline.median_ms:6.2f}×  {self.p95_ms / baseline.p95_ms:6.2f}×"
        return f"  {self.label:<44} {len(self.seconds):>5} {self.median_ms:9.2f} {self.p95_ms:9.2f}  {ratio}"

    def as_dict(self) -> dict[str, Any]:
        return {"n": len(self.seconds), "median_ms": self.median_ms, "p95_ms": self.p95_ms}


def kept(series: Series, keep: bool) -> Series | None:
    """The series to record into, or None during warm-up."""
    return series if keep else None


def table_header(with_ratio: bool) -> None:
    ratio = "  median× p95× vs no-op" if with_ratio else ""
    print(f"  {'event':<44} {'n':>5} {'median ms':>9} {'p95 ms':>9}{ratio}")


def verdict(value: float, target: float) -> str:
    return "PASS" if value <= target else "MISS"


# --- the machine and the app's processes -----------------------------------------------


def machine() -> dict[str, str]:
    cpu = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    return {
        "nproc": str(len(os.sched_getaffinity(0))),
        "cpu": cpu,
        "memory": memory,
        "python": platform.python_version(),
        "reflex": importlib.metadata.version("reflex"),
        "sqlite": sqlite3.sqlite_version,
        "os": f"{platform.system()} {platform.release()}",
    }


def _children_by_parent() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command may contain spaces and parentheses: the ppid follows the last ')'.
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    return children


def process_tree(root: int) -> list[int]:
    children = _children_by_parent()
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return sorted(found)


def rss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def cmdline(pid: int) -> str:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return "?"
    return " ".join(part.decode(errors="replace") for part in raw.split(b"\0") if part)


def listening_pid(port: int) -> int | None:
    """The process listening on this TCP port (Linux /proc), for --url runs."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError):
            for line in Path(table).read_text().splitlines()[1:]:
                parts = line.split()
                if parts[3] == "0A" and int(parts[1].rsplit(":", 1)[1], 16) == port:
                    inodes.add(parts[9])
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            for fd in (entry / "fd").iterdir():
                with contextlib.suppress(OSError):
                    link = os.readlink(fd)
                    if link.startswith("socket:[") and link[8:-1] in inodes:
                        pid = int(entry.name)
                        # Climb to the `reflex run` process that started the server.
                        while True:
                            stat = Path(f"/proc/{pid}/stat").read_text()
                            parent = int(stat.rsplit(")", 1)[1].split()[1])
                            if parent <= 1 or "reflex" not in cmdline(parent):
                                return pid
                            pid = parent
    return None


@dataclass
class MemorySample:
    label: str
    per_process: dict[int, int]

    @property
    def total_kib(self) -> int:
        return sum(self.per_process.values())


def sample_memory(label: str, root: int | None) -> MemorySample | None:
    if root is None:
        return None
    return MemorySample(label, {pid: rss_kib(pid) for pid in process_tree(root)})


def mib(kib: float) -> str:
    return f"{kib / 1024:8.1f} MiB"


# --- talking to the app ----------------------------------------------------------------


STATES: dict[str, type] = {}


def load_states() -> None:
    """Import the app's state classes (after BJ_DATA_DIR is set) for their full names."""
    from reflex.state import State

    from betterjournal.state.base import AppState
    from betterjournal.state.care_team import CareTeamState
    from betterjournal.state.clinician import ClientsState
    from betterjournal.state.editor import EditorState
    from betterjournal.state.journal import EntryState, JournalState

    FENCE_HANDLER[:] = [handler_name(State, "set_is_hydrated")]
    STATES.update(
        app=AppState,
        care=CareTeamState,
        clients=ClientsState,
        editor=EditorState,
        entry=EntryState,
        journal=JournalState,
    )


FENCE_KEY = "is_hydrated_rx_state_"


@dataclass
class TimedClient(EventClient):
    """EventClient that stamps each update's arrival and knows when an event is done.

    Reflex 0.10 sends no end-of-event flag (`final` is gone), and an event may send
    several updates (a delta, then the events it returned, e.g. a redirect). Events of
    one token are processed one after another, so after the first update of the event
    under test arrives we send a fence, the framework's own `set_is_hydrated(True)` with
    the same page and query, whose update is always exactly `{root: {is_hydrated: true}}`.
    When it is back, every update of the event under test has arrived; the event's round
    trip is from its emit to the arrival of its last own update, so the fence adds
    nothing to the figure (and, being sent after the first update, it barely competes).
    """

    timed: list[tuple[float, dict[str, Any]]] = field(default_factory=list)
    reissued: list[str] = field(default_factory=list)

    async def connect(self) -> None:
        await super().connect()
        sio = self._sio
        assert sio is not None

        async def on_event(data: Any) -> None:
            update = data if isinstance(data, dict) else json.loads(data)
            self.timed.append((time.perf_counter(), update))
            self.received.append(update)
            self._arrived.set()

        async def on_new_token(data: Any) -> None:
            self.reissued.append(str(data))

        sio.on("event", on_event, namespace="/_event")
        sio.on("new_token", on_new_token, namespace="/_event")

    async def _emit(self, name: str, payload: Any, path: str, query: dict[str, str] | None) -> None:
        router: dict[str, Any] = {"pathname": path, "query": query or {}, "asPath": path}
        if query:
            router["asPath"] = path + "?" + urllib.parse.urlencode(query)
        assert self._sio is not None
        await self._sio.emit(
            "event", {"name": name, "payload": payload, "router_data": router}, namespace="/_event"
        )

    async def _wait_for(self, ready: Callable[[], bool], deadline: float, what: str) -> None:
        while not ready():
            self._arrived.clear()
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise BenchError(f"{what}: no answer within the timeout")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._arrived.wait(), remaining)

    async def timed_call(
        self,
        name: str,
        payload: Any,
        *,
        path: str,
        query: dict[str, str] | None,
        timeout: float = 60.0,
    ) -> tuple[list[dict[str, Any]], float]:
        """Send one event; return its updates and its round trip in seconds."""
        deadline = time.monotonic() + timeout
        first = len(self.timed)
        sent = time.perf_counter()
        await self._emit(name, payload, path, query)
        await self._wait_for(lambda: len(self.timed) > first, deadline, name)
        await self._emit(FENCE_HANDLER[0], {"value": True}, path, query)

        def fence_at() -> int | None:
            for index in range(first, len(self.timed)):
                if _is_fence(self.timed[index][1]):
                    return index
            return None

        await self._wait_for(lambda: fence_at() is not None, deadline, f"{name} (fence)")
        own = self.timed[first : fence_at()]
        return [update for _, update in own], own[-1][0] - sent


FENCE_HANDLER: list[str] = []


def _is_fence(update: dict[str, Any]) -> bool:
    delta = update.get("delta") or {}
    return not update.get("events") and len(delta) == 1 and list(next(iter(delta.values()))) == [FENCE_KEY]


class Tab:
    """One signed-in browser tab: one Reflex token, its session cookie, one websocket."""

    def __init__(self, client: TimedClient) -> None:
        self.client = client
        self.last_bytes = 0

    async def call(
        self,
        state: str,
        handler: str,
        payload: dict[str, Any] | None = None,
        *,
        path: str = "/",
        query: dict[str, str] | None = None,
        series: Series | None = None,
    ) -> list[dict[str, Any]]:
        """One event, checked for a problem; its round trip goes into `series`, if given."""
        name = handler_name(STATES[state], handler)
        updates, seconds = await self.client.timed_call(name, payload or {}, path=path, query=query)
        problem = var_value(updates, "problem")
        if problem:
            raise BenchError(f"{state}.{handler} answered with a problem: {problem}")
        if any(update.get("events") for update in updates):
            for event in (e for u in updates for e in u.get("events") or []):
                if event.get("name") == "_call_function":  # the app's error toast
                    raise BenchError(f"{state}.{handler} failed in the app (see the app log)")
        if series is not None:
            series.seconds.append(seconds)
        self.last_bytes = sum(len(json.dumps(update)) for update in updates)
        return updates

    async def close(self) -> None:
        await self.client.close()


def save_payload(title: str, body: str) -> dict[str, Any]:
    """EditorState.save_entry's payload: newer versions take the form's words as `form`."""
    handler = STATES["editor"].event_handlers["save_entry"]  # type: ignore[attr-defined]
    if "form" in inspect.signature(handler.fn).parameters:
        return {"form": {"title": title, "body": body}}
    return {}


async def sign_in_tab(url: str, email: str, password: str) -> tuple[str, str]:
    """Sign in the way a browser tab does; return the tab's Reflex token and its Cookie.

    The sign-in page and the app share the tab's token, as in a browser (socketclient's
    sign_in uses a throwaway token for the sign-in page, which for the memory figure
    would leave two server-side states per person instead of one).
    """
    anonymous = Tab(TimedClient(url))
    await anonymous.client.connect()
    try:
        updates = await anonymous.call("app", "prepare_public_page", path="/signin/")
    finally:
        await anonymous.close()
    status, headers = await asyncio.to_thread(
        post_form,
        url,
        "/api/auth/signin",
        {"email": email, "password": password, "form_token": form_token_from(updates)},
    )
    cookie = headers.get("set-cookie") or headers.get("Set-Cookie") or ""
    if status != 303 or not cookie:
        raise BenchError(f"sign-in failed for {email}: {status} {headers.get('location')}")
    return anonymous.client.token, cookie.split(";", 1)[0]


async def connect_tab(url: str, token: str, cookie: str) -> Tab:
    client = TimedClient(url, cookie=cookie, token=token)
    await client.connect()
    return Tab(client)


async def open_tab(url: str, email: str, password: str) -> Tab:
    """A signed-in tab, connected."""
    return await connect_tab(url, *await sign_in_tab(url, email, password))


# --- data written in-process through the core --------------------------------------------


@dataclass
class People:
    run: str
    clinician: str = ""
    writer: str = ""  # saves and shares through the socket
    small: str = ""
    page: str = ""
    big: str = ""
    profiled: str = ""  # used only in-process, for the stage timings
    crowd: list[str] = field(default_factory=list)
    big_count: int = 0
    ids: dict[str, uuid.UUID] = field(default_factory=dict)

    def email(self, name: str) -> str:
        return f"bench-{self.run}-{name}@example.com"


def create_accounts(people: People, names: list[str], role_name: str) -> None:
    from betterjournal.core import accounts
    from betterjournal.db import session_scope
    from betterjournal.models import Role

    role = Role(role_name)
    with session_scope() as session:
        for name in names:
            user = accounts.create_user(
                session, email=people.email(name), display_name=f"Bench {name}", password=PASSWORD, role=role
            )
            people.ids[name] = user.id


def add_entries(owner_id: uuid.UUID, count: int, batch: int = 500) -> list[uuid.UUID]:
    from betterjournal.core import journal
    from betterjournal.db import session_scope

    made: list[uuid.UUID] = []
    while len(made) < count:
        with session_scope() as session:
            for index in range(len(made), min(len(made) + batch, count)):
                entry_id = uuid.uuid4()
                journal.save_entry(
                    session,
                    owner_id=owner_id,
                    entry_id=entry_id,
                    title=f"Day {index + 1}",
                    body=BODY[: 120 + (index * 37) % (len(BODY) - 120)],
                )
                made.append(entry_id)
    return made


def link(client_id: uuid.UUID, clinician_id: uuid.UUID) -> None:
    from betterjournal.core import links
    from betterjournal.db import session_scope

    with session_scope() as session:
        code = links.create_invitation(session, clinician_id=clinician_id)
        invitation = links.find_invitation(session, code)
        links.accept_invitation(session, client_id=client_id, invitation_id=invitation.id)


def check_effects(owner_id: uuid.UUID, entries: int, share_changes: int) -> None:
    """Make sure the measured events did their work (saved entries, share audit rows)."""
    from sqlmodel import col, func, select

    from betterjournal.db import session_scope
    from betterjournal.models import AuditAction, AuditEvent, ClientItem, Draft

    with session_scope() as session:
        saved = session.exec(select(func.count()).where(ClientItem.owner_id == owner_id)).one()
        drafts = session.exec(select(func.count()).where(Draft.owner_id == owner_id)).one()
        changes = session.exec(
            select(func.count()).where(
                AuditEvent.actor_id == owner_id,
                col(AuditEvent.action).in_([AuditAction.SHARE, AuditAction.REVOKE]),
            )
        ).one()
    if (saved, drafts, changes) != (entries, 0, share_changes):
        raise BenchError(
            f"the events did not do their work: {saved} entries (expected {entries}), "
            f"{drafts} drafts left (expected 0), {changes} share changes (expected {share_changes})"
        )


# --- the measurements -------------------------------------------------------------------


async def bench_save_and_toggle(
    url: str, people: People, iterations: int, warmup: int
) -> tuple[dict[str, Series], dict[str, Any]]:
    """Save-entry, autosave and toggle-share against the no-op, interleaved call by call."""
    noop = Series("no-op (AppState.dismiss_feedback)")
    auth = Series("session check only (AppState.route_home)")
    edit_body = Series("autosave draft (EditorState.edit_body)")
    save_new = Series("save new entry (EditorState.save_entry)")
    resave = Series("re-save same entry (EditorState.save_entry)")
    toggle = Series("toggle share (EntryState.set_shared)")
    info: dict[str, Any] = {}

    writer = await open_tab(url, people.email("writer"), PASSWORD)
    clinician = await open_tab(url, people.email("clinician"), PASSWORD)
    write, entry = "/journal/write/", "/journal/entry/"

    async def save_and_follow(title: str, query: dict[str, str], series: Series | None) -> None:
        """Save the editor's words (timed), then load the entry page the save redirects to
        (untimed): that page load shows the "Entry saved" notice, as in the app."""
        await writer.call(
            "editor", "save_entry", save_payload(title, BODY), path=write, query=query, series=series
        )
        await writer.call("entry", "load_entry", path=entry, query=query)

    try:
        # Saves: a fresh entry id for every save (the editor opens on /journal/write?id=<new>),
        # after typing a title and a body (each typed value autosaves an encrypted draft).
        last = {"id": ""}
        title = ""
        for index in range(warmup + iterations):
            keep = index >= warmup
            last, title = {"id": str(uuid.uuid4())}, f"Bench entry {index}"
            await writer.call("editor", "open_editor", path=write, query=last)
            await writer.call("editor", "edit_title", {"value": title}, path=write, query=last)
            await writer.call(
                "editor", "edit_body", {"value": BODY}, path=write, query=last, series=kept(edit_body, keep)
            )
            await save_and_follow(title, last, kept(save_new, keep))
            await writer.call("app", "dismiss_feedback", path=write, query=last, series=kept(noop, keep))
        # The same entry saved again and again (an edit of an existing entry).
        await writer.call("editor", "open_editor", path=write, query=last)
        for index in range(warmup + iterations):
            keep = index >= warmup
            await save_and_follow(title, last, kept(resave, keep))
            await writer.call("app", "dismiss_feedback", path=write, query=last, series=kept(noop, keep))
            # Reference: an event that only checks the session (what every guarded handler adds).
            await writer.call("app", "route_home", path=write, query=last, series=kept(auth, keep))

        # Link the writer to the clinician through the socket, the way the app does it.
        updates = await clinician.call("clients", "create_invitation", path="/clients/")
        code = var_value(updates, "new_code")
        if not code:
            raise BenchError("create_invitation returned no code")
        await writer.call("care", "check_code", {"form": {"code": code}}, path="/care-team/")
        updates = await writer.call("care", "accept_invitation", path="/care-team/")
        linked = var_value(updates, "clinicians") or []
        if len(linked) != 1:
            raise BenchError(f"expected one linked clinician, got {linked!r}")
        clinician_id = linked[0]["id"]

        # The share switch of the last saved entry, on and off.
        await writer.call("entry", "load_entry", path=entry, query=last)
        for index in range(warmup + iterations):
            keep = index >= warmup
            payload = {"clinician_id": clinician_id, "shared": index % 2 == 0}
            await writer.call(
                "entry", "set_shared", payload, path=entry, query=last, series=kept(toggle, keep)
            )
            await writer.call("app", "dismiss_feedback", path=entry, query=last, series=kept(noop, keep))
        info["toggle_reply_bytes"] = writer.last_bytes
        rounds = warmup + iterations
        await asyncio.to_thread(check_effects, people.ids[people.writer], rounds, rounds)
    finally:
        await writer.close()
        await clinician.close()
    return {
        "noop": noop,
        "auth": auth,
        "edit_body": edit_body,
        "save_new": save_new,
        "resave": resave,
        "toggle": toggle,
    }, info


async def bench_journal_load(
    url: str, people: People, iterations: int, warmup: int
) -> tuple[dict[str, Series], dict[str, int]]:
    """load_journal for 5, 50 and 5,000 entries, round-robin so all share the same conditions."""
    names = {"small": people.small, "page": people.page, "big": people.big}
    tabs = {key: await open_tab(url, people.email(name), PASSWORD) for key, name in names.items()}
    labels = {
        "small": "open journal, 5 entries",
        "page": "open journal, 50 entries (one full page)",
        "big": f"open journal, {people.big_count:,} entries",
    }
    series = {key: Series(labels[key]) for key in tabs}
    sizes: dict[str, int] = {}
    try:
        for index in range(warmup + iterations):
            for key, tab in tabs.items():
                keep = index >= warmup
                await tab.call("journal", "load_journal", path="/journal/", series=kept(series[key], keep))
                sizes[key] = tab.last_bytes
    finally:
        for tab in tabs.values():
            await tab.close()
    return series, sizes


async def bench_memory(
    url: str, people: People, root: int | None, concurrency: int
) -> tuple[list[MemorySample], dict[str, float]]:
    """Sign in every crowd account, then connect each and load its journal; keep them open.

    Memory is sampled after each phase, so the cost of signing in (argon2 runs in the
    server's worker threads) is told apart from the cost of connected tabs.
    """
    tabs: list[Tab] = []
    gate = asyncio.Semaphore(concurrency)
    signed: dict[str, tuple[str, str]] = {}
    seconds: dict[str, float] = {}

    async def sign_in(name: str) -> None:
        async with gate:
            signed[name] = await sign_in_tab(url, people.email(name), PASSWORD)

    async def arrive(name: str) -> None:
        async with gate:
            tab = await connect_tab(url, *signed[name])
            tabs.append(tab)
            await tab.call("journal", "load_journal", path="/journal/")

    def sample(label: str) -> None:
        found = sample_memory(label, root)
        if found:
            samples.append(found)

    samples: list[MemorySample] = []
    sample("before the crowd")
    start = time.perf_counter()
    await asyncio.gather(*(sign_in(name) for name in people.crowd))
    seconds["sign_in"] = time.perf_counter() - start
    await asyncio.sleep(3)  # let the server settle
    sample(f"{len(signed)} clients signed in (not connected)")
    start = time.perf_counter()
    try:
        await asyncio.gather(*(arrive(name) for name in people.crowd))
        seconds["connect_and_load"] = time.perf_counter() - start
        await asyncio.sleep(3)
        reissued = sum(len(tab.client.reissued) for tab in tabs)
        if reissued:
            print(f"  note: the server gave {reissued} tab(s) a new token (their sign-in state stays too)")
        sample(f"{len(tabs)} clients connected, journal loaded")
    finally:
        await asyncio.gather(*(tab.close() for tab in tabs), return_exceptions=True)
    await asyncio.sleep(3)
    sample("crowd disconnected (states kept until expiry)")
    return samples, seconds


# --- in-process stage timings (where the time goes) -----------------------------------------


def time_unit(runs: int, work: Callable[[], Any]) -> float:
    """Median seconds of `work` (one database unit of work, like one in_session call)."""
    values = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        values.append(time.perf_counter() - start)
    return statistics.median(values)


@contextlib.contextmanager
def profiled(enabled: bool, label: str, out: list[str]) -> Iterator[None]:
    if not enabled:
        yield
        return
    profile = cProfile.Profile()
    profile.enable()
    try:
        yield
    finally:
        profile.disable()
        text = io.StringIO()
        pstats.Stats(profile, stream=text).sort_stats("cumulative").print_stats(18)
        out.append(f"--- cProfile: {label} ---\n{text.getvalue()}")


def stage_timings(
    people: People, session_token: str, runs: int, profile: bool
) -> tuple[dict[str, float], list[str]]:
    """The core calls behind each event, in this process, on the app's database."""
    from sqlmodel import col, select

    from betterjournal.core import accounts, journal, sharing
    from betterjournal.db import session_scope
    from betterjournal.models import ClientItem, ItemKind, JournalEntry

    def unit(work: Callable[[Any], Any]) -> Callable[[], Any]:
        def run() -> Any:
            with session_scope() as session:
                return work(session)

        return run

    owner = people.ids[people.profiled]
    clinician_id = people.ids[people.clinician]
    entry_id = uuid.uuid4()
    unit(lambda s: journal.save_entry(s, owner_id=owner, entry_id=entry_id, title="t", body=BODY))()
    flips = iter(range(10**9))
    out: dict[str, float] = {}
    reports: list[str] = []

    out["resolve_session (every guarded event)"] = time_unit(
        runs, unit(lambda s: accounts.resolve_session(s, session_token))
    )
    out["save_draft (edit_body)"] = time_unit(
        runs,
        unit(lambda s: journal.save_draft(s, owner_id=owner, entry_id=uuid.uuid4(), title="t", body=BODY)),
    )
    out["save_entry, new id"] = time_unit(
        runs,
        unit(lambda s: journal.save_entry(s, owner_id=owner, entry_id=uuid.uuid4(), title="t", body=BODY)),
    )
    out["save_entry, same id"] = time_unit(
        runs, unit(lambda s: journal.save_entry(s, owner_id=owner, entry_id=entry_id, title="t", body=BODY))
    )
    out["sharing.set_shared (toggle)"] = time_unit(
        runs,
        unit(
            lambda s: sharing.set_shared(
                s,
                owner_id=owner,
                item_id=entry_id,
                kind=ItemKind.JOURNAL_ENTRY,
                clinician_id=clinician_id,
                shared=next(flips) % 2 == 0,
            )
        ),
    )

    # What one unit of work per event (session check + work together) would cost instead.
    def check_and_save(session: Any) -> None:
        accounts.resolve_session(session, session_token)
        journal.save_entry(session, owner_id=owner, entry_id=entry_id, title="t", body=BODY)

    def check_and_toggle(session: Any) -> None:
        accounts.resolve_session(session, session_token)
        sharing.set_shared(
            session,
            owner_id=owner,
            item_id=entry_id,
            kind=ItemKind.JOURNAL_ENTRY,
            clinician_id=clinician_id,
            shared=next(flips) % 2 == 0,
        )

    out["session check + save_entry, one unit"] = time_unit(runs, unit(check_and_save))
    out["session check + set_shared, one unit"] = time_unit(runs, unit(check_and_toggle))
    for key, name in (("5", people.small), ("50", people.page), (f"{people.big_count:,}", people.big)):
        who = people.ids[name]

        def query_only(session: Any, who: uuid.UUID = who) -> Any:
            return session.exec(
                select(ClientItem, JournalEntry)
                .join(JournalEntry, col(JournalEntry.item_id) == ClientItem.id)
                .where(
                    ClientItem.owner_id == who,
                    ClientItem.kind == ItemKind.JOURNAL_ENTRY,
                    col(ClientItem.deleted_at).is_(None),
                )
                .order_by(col(ClientItem.created_at).desc(), col(ClientItem.id).desc())
                .limit(journal.PAGE_SIZE + 1)
            ).all()

        out[f"list_entries query only, {key} entries"] = time_unit(runs, unit(query_only))
        out[f"list_entries, {key} entries"] = time_unit(
            runs, unit(lambda s, who=who: journal.list_entries(s, owner_id=who))
        )
        out[f"list_drafts, {key} entries"] = time_unit(
            runs, unit(lambda s, who=who: journal.list_drafts(s, owner_id=who))
        )
    # The last page, reached the way "Older entries" does: from the cursor of the page before.
    big_id = people.ids[people.big]
    pages, cursor = 1, None
    while following := unit(
        lambda s, at=cursor: journal.list_entries(s, owner_id=big_id, older_than=at)[1]
    )():
        pages, cursor = pages + 1, following
    out[f"list_entries, {people.big_count:,} entries, last page ({pages})"] = time_unit(
        runs, unit(lambda s: journal.list_entries(s, owner_id=big_id, older_than=cursor))
    )
    if profile:
        with profiled(True, f"list_entries, {people.big_count:,} entries ×20", reports):
            for _ in range(20):
                unit(lambda s: journal.list_entries(s, owner_id=people.ids[people.big]))()
        with profiled(True, "save_entry, new id ×50", reports):
            for _ in range(50):
                unit(
                    lambda s: journal.save_entry(
                        s, owner_id=owner, entry_id=uuid.uuid4(), title="t", body=BODY
                    )
                )()
    return out, reports


def query_plan() -> list[str]:
    """SQLite's plans for the journal's first and older pages (is the owner/kind/created
    index used, and does an older page start from the cursor?)."""
    from betterjournal.core import journal
    from betterjournal.db import get_engine

    engine = get_engine()
    lines = []
    for label, query in (("first page", journal._FIRST_PAGE), ("older page", journal._OLDER_PAGE)):
        compiled = query.compile(engine)
        # The plan doesn't depend on the values: any of the right count will do.
        values = tuple("0" for _name in compiled.positiontup or [])
        with engine.connect() as connection:
            rows = connection.exec_driver_sql("EXPLAIN QUERY PLAN " + str(compiled), values).all()
        lines += [f"{label}: {row[-1]}" for row in rows]
    return lines


# --- the run --------------------------------------------------------------------------------


async def timed_stage(label: str, work: Awaitable[Any]) -> Any:
    start = time.perf_counter()
    result = await work
    print(f"  … {label}: {time.perf_counter() - start:.1f} s", flush=True)
    return result


async def run(args: argparse.Namespace, url: str, root: int | None, results: dict[str, Any]) -> None:
    load_states()
    people = People(run=uuid.uuid4().hex[:8])
    people.clinician, people.writer, people.small, people.page, people.big, people.profiled = (
        "clinician",
        "writer",
        "small",
        "page",
        "big",
        "profiled",
    )
    people.crowd = [f"crowd{i:03d}" for i in range(args.clients)]

    idle = sample_memory("idle after start" if args.url is None else "at bench start", root)
    print("Preparing data in-process (accounts, entries)…", flush=True)
    await timed_stage("1 clinician + 5 clients", asyncio.to_thread(_prepare_core_people, people, args))
    await timed_stage(
        f"{args.clients} crowd accounts with 3 entries each", asyncio.to_thread(_prepare_crowd, people)
    )

    print("Measuring save, autosave and toggle-share (one client, one event at a time)…", flush=True)
    events, info = await timed_stage(
        "save/toggle", bench_save_and_toggle(url, people, args.iterations, args.warmup)
    )
    print("Measuring opening the journal…", flush=True)
    loads, sizes = await timed_stage(
        "journal loads", bench_journal_load(url, people, args.loads, args.warmup)
    )
    print(f"Connecting {args.clients} signed-in clients…", flush=True)
    samples, crowd_seconds = await timed_stage("crowd", bench_memory(url, people, root, args.concurrency))
    if idle:
        samples.insert(0, idle)

    print("Timing the core calls in-process (where the time goes)…", flush=True)
    token = await _session_token(url, people)
    stages, reports = await asyncio.to_thread(stage_timings, people, token, args.stage_runs, args.profile)
    hops = []
    for _ in range(args.stage_runs):
        start = time.perf_counter()
        await asyncio.to_thread(int)
        hops.append(time.perf_counter() - start)
    stages["asyncio.to_thread hop, empty (bench process)"] = statistics.median(hops)
    plan = query_plan()

    report(args, events, info, loads, sizes, samples, crowd_seconds, stages, reports, plan, results)


def _prepare_core_people(people: People, args: argparse.Namespace) -> None:
    create_accounts(people, [people.clinician], "clinician")
    create_accounts(people, [people.writer, people.small, people.page, people.big, people.profiled], "client")
    add_entries(people.ids[people.small], 5)
    add_entries(people.ids[people.page], 50)
    add_entries(people.ids[people.big], args.big)
    people.big_count = args.big
    add_entries(people.ids[people.profiled], 5)
    link(people.ids[people.profiled], people.ids[people.clinician])


def _prepare_crowd(people: People) -> None:
    for start in range(0, len(people.crowd), 50):
        names = people.crowd[start : start + 50]
        create_accounts(people, names, "client")
        for name in names:
            add_entries(people.ids[name], 3)


async def _session_token(url: str, people: People) -> str:
    from betterjournal.api import session_token_from_cookie_header

    tab = await open_tab(url, people.email(people.small), PASSWORD)
    await tab.close()
    token = session_token_from_cookie_header(tab.client.cookie)
    if not token:
        raise BenchError("no session token in the sign-in cookie")
    return token


def report(
    args: argparse.Namespace,
    events: dict[str, Series],
    info: dict[str, Any],
    loads: dict[str, Series],
    sizes: dict[str, int],
    samples: list[MemorySample],
    crowd_seconds: dict[str, float],
    stages: dict[str, float],
    reports: list[str],
    plan: list[str],
    results: dict[str, Any],
) -> None:
    noop = events["noop"]
    print("\n== 1. Event round trips (raw Socket.IO, one client, sequential) ==")
    table_header(with_ratio=True)
    print(noop.row())
    for key in ("auth", "edit_body", "save_new", "resave", "toggle"):
        print(events[key].row(noop))
    print(f"  (toggle-share reply: {info.get('toggle_reply_bytes', 0)} bytes)")
    targets: dict[str, dict[str, Any]] = {}
    for key, label, target in (
        ("save_new", "save-entry", SAVE_TARGET),
        ("toggle", "toggle-share", TOGGLE_TARGET),
    ):
        ratio = events[key].median_ms / noop.median_ms
        ratio95 = events[key].p95_ms / noop.p95_ms
        targets[label] = {"median_ratio": ratio, "p95_ratio": ratio95, "target": target}
        print(
            f"  TARGET {label} ≤ {target:g}× no-op: median {ratio:.2f}× {verdict(ratio, target)}, "
            f"p95 {ratio95:.2f}× {verdict(ratio95, target)}"
        )
    ratio = events["edit_body"].median_ms / noop.median_ms
    print(f"  (autosave is not a target; median {ratio:.2f}× the no-op)")

    print("\n== 2. Opening the journal (JournalState.load_journal, page of 50) ==")
    table_header(with_ratio=False)
    for key in ("small", "page", "big"):
        print(loads[key].row() + f"   reply {sizes.get(key, 0):>6} bytes")
    big, small = loads["big"], loads["small"]
    ratio, ratio95 = big.median_ms / small.median_ms, big.p95_ms / small.p95_ms
    targets["open-journal"] = {"median_ratio": ratio, "p95_ratio": ratio95, "target": LOAD_TARGET}
    print(
        f"  TARGET {args.big:,} vs 5 entries ≤ {LOAD_TARGET:g}×: "
        f"median {ratio:.2f}× {verdict(ratio, LOAD_TARGET)}, "
        f"p95 {ratio95:.2f}× {verdict(ratio95, LOAD_TARGET)}"
    )
    page_ratio = big.median_ms / loads["page"].median_ms
    print(f"  ({args.big:,} vs 50 entries, same page size: median {page_ratio:.2f}×)")

    print("\n== 3. Backend memory (RSS of the app's process tree) ==")
    memory: dict[str, Any] = {}
    if not samples:
        print("  (no app process found: skipped)")
    for sample in samples:
        print(f"  {sample.label:<44} total {mib(sample.total_kib)}")
        for pid, kib in sample.per_process.items():
            print(f"      pid {pid:<7} {mib(kib)}  {cmdline(pid)[:70]}")
        memory[sample.label] = {"total_kib": sample.total_kib, "per_process_kib": sample.per_process}

    def find(suffix: str) -> MemorySample | None:
        return next((s for s in samples if s.label.endswith(suffix)), None)

    before, signed = find("before the crowd"), find("signed in (not connected)")
    connected = find("clients connected, journal loaded")
    if before and signed and connected and args.clients:
        steps = {
            "per_client_kib": (connected.total_kib - before.total_kib) / args.clients,
            "per_client_sign_in_kib": (signed.total_kib - before.total_kib) / args.clients,
            "per_client_connected_kib": (connected.total_kib - signed.total_kib) / args.clients,
        }
        memory.update(steps)
        print(
            f"  increase per client: {steps['per_client_kib']:.0f} KiB in all = "
            f"{steps['per_client_sign_in_kib']:.0f} KiB signing in + "
            f"{steps['per_client_connected_kib']:.0f} KiB connected with its journal loaded"
        )
    print(
        f"  ({args.clients} clients signed in in {crowd_seconds.get('sign_in', 0):.1f} s, "
        f"then connected and loaded in {crowd_seconds.get('connect_and_load', 0):.1f} s)"
    )

    print("\n== Where the time goes: core calls in-process, one unit of work each (median) ==")
    for label, seconds in stages.items():
        print(f"  {label:<44} {seconds * 1000:8.2f} ms")
    print("  SQLite plan of the journal page query:")
    for line in plan:
        print(f"    {line}")
    for text in reports:
        print(text)

    results.update(
        events={k: v.as_dict() for k, v in events.items()},
        loads={k: v.as_dict() | {"reply_bytes": sizes.get(k, 0)} for k, v in loads.items()},
        memory=memory,
        crowd_seconds=crowd_seconds,
        stages_ms={k: v * 1000 for k, v in stages.items()},
        plan=plan,
        targets=targets,
    )


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Benchmarks of the journal against the real app.")
    parser.add_argument("--url", help="an already-running app (default: start one on a free port)")
    parser.add_argument("--data-dir", type=Path, help="that app's BJ_DATA_DIR (needed with --url)")
    parser.add_argument("--iterations", type=int, default=300, help="measured calls per event")
    parser.add_argument("--loads", type=int, default=200, help="measured journal loads per client")
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--big", type=int, default=5000, help="entries of the large journal")
    parser.add_argument("--clients", type=int, default=200, help="connected clients for the memory figure")
    parser.add_argument("--concurrency", type=int, default=8, help="sign-ins in flight at once")
    parser.add_argument("--stage-runs", type=int, default=100, help="runs per in-process stage timing")
    parser.add_argument("--profile", action="store_true", help="also print cProfile of two core calls")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--keep", action="store_true", help="keep the temporary data directory")
    args = parser.parse_args()
    if args.url and not args.data_dir:
        parser.error("--url needs --data-dir (the app's BJ_DATA_DIR), to add its test data")
    return args


def main() -> int:
    args = parse_args()
    os.chdir(PROJECT_ROOT)
    started = time.perf_counter()
    temp_dir: Path | None = None
    app: RunningApp | None = None
    data_dir: Path = args.data_dir or Path(tempfile.mkdtemp(prefix="bj-bench-"))
    if args.data_dir is None:
        temp_dir = data_dir
    # The core in this process must open the app's own database and key file.
    os.environ["BJ_DATA_DIR"] = str(data_dir.resolve())
    results: dict[str, Any] = {"date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}
    try:
        results["machine"] = info = machine()
        print(f"Betterjournal benchmark, {results['date']}")
        print(
            f"Machine: {info['nproc']} CPU(s), {info['cpu']}, {info['memory']} RAM; Python {info['python']}, "
            f"Reflex {info['reflex']}, SQLite {info['sqlite']}, {info['os']}"
        )
        results["load_at_start"] = load = os.getloadavg()
        print(f"Load average at start (1/5/15 min): {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
        if args.url:
            url = args.url.rstrip("/")
            port = urllib.parse.urlsplit(url).port
            root = listening_pid(port) if port else None
        else:
            print("Starting the app in production mode…", flush=True)
            running: RunningApp = start_app(data_dir)
            app = running
            url, root = running.url, (running.process.pid if running.process else None)
            print(f"  … up at {url} in {time.perf_counter() - started:.1f} s", flush=True)
            time.sleep(2)  # let it settle before the idle memory sample
        asyncio.run(run(args, url, root, results))
    except BenchError as error:
        print(f"\nBENCH FAILED: {error}", file=sys.stderr)
        return 1
    finally:
        if app is not None:
            app.stop()
        if temp_dir is not None and not args.keep:
            shutil.rmtree(temp_dir, ignore_errors=True)
    results["seconds"] = time.perf_counter() - started
    results["load_at_end"] = load = os.getloadavg()
    print(f"Load average at end (1/5/15 min): {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    print(f"\nWhole run: {results['seconds']:.0f} s")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, default=str) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Session preparation against the real app: the clinician's caseload and brief (issue 10).

Run: `.venv/bin/python bench/preparation.py` (also part of `make bench`). Starts the app in
production mode with a fresh data directory, seeds through the core (untimed, timed apart),
and times with the platform bench's raw Socket.IO client (bench/journal.py): each window is
a page load as the browser sends it once it has navigated (`on_load_internal`: the server
runs the page's on_load handler, named below), from the emit to the arrival of the update
that puts its content on screen. What a person waits for; the caseload's load handler alone
is timed too (it was the window before 2026-12-04), and reported for comparison.

The data: a clinician ("big") with 60 linked clients and one ("small") with 1, whose client
is seeded exactly like the big clinician's first. Each client has a year of daily check-ins,
300 journal entries and 50 homework responses (one assignment a week, each answered; a
third returned), spread over the past year as they would have been written; a third of the
check-ins and entries shared. Three in four clients had a session every two weeks for the
year, most have a next session planned; one in three shared an agenda for each session (its
line ticked as discussed) and for the next. What was shared before the last session has
been opened by the clinician (seen, audited), and the returned homework of then reviewed;
what was shared since is new.

- The caseload page (`CaseloadState.load_caseload`), 60 clients against 1. Same run,
  interleaved. Target ≤ 2×. And its SQL statements, counted in the app's own process for
  the whole page load (a listener the bench installs with a `sitecustomize` on the
  app's PYTHONPATH; no app code changed), and in this process for `caseload.caseload()`
  alone (the unit tests' way): the same number for both. Target: equal.
- The brief of one client (`BriefState.load_brief`: two weeks since the last held session,
  a shared agenda), against opening one of that client's shared entries of median length
  (`SharedWithMeState.load_shared_entry`), same clinician, same run. Target ≤ 3×.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform as machine
import random
import shutil
import sqlite3
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent))
import homework as homework_bench
import journal as platform
import psutil
from appserver import RunningApp, start_app
from socketclient import EventClient, sign_in
from sqlalchemy import bindparam, event
from sqlmodel import col, select, update
from unit_support import link

from betterjournal import routes
from betterjournal.core import agenda, appointments, caseload, checkins, homework, items, journal, sharing
from betterjournal.core import worksheets as sheets
from betterjournal.db import get_engine, session_scope
from betterjournal.models import Appointment, Assignment, CareLink, ClientItem, ItemShare, utcnow
from betterjournal.settings import get_settings
from betterjournal.state.clinician import SharedWithMeState
from betterjournal.state.preparation import BriefState, CaseloadState

TARGETS = {"caseload": 2.0, "brief": 3.0}
LOAD_ALONE = "  load_caseload alone"
PASSWORD = "bench-preparation-passphrase-42"
DAYS, ENTRIES, HOMEWORK, SHARED_EVERY = 365, 300, 50, 3  # a third shared
SESSION_EVERY = 14  # days between held sessions
BRIEF_CLIENT = 0  # the big clinician's client whose brief is timed (the small one's is alike)

# The app's SQL, counted in its own process: a `sitecustomize` on its PYTHONPATH adds a
# listener to every SQLAlchemy engine. It writes a line per statement only while the flag
# file exists (the bench makes it around one event, nothing else in flight); otherwise it
# costs one stat() per statement. The app's background rounds (the email outbox, reminders,
# the audit sealer, the key sweeper: betterjournal/outbox.py, scheduler.py) run on their own
# clock in the same process; their statements are not the page's and are left out: any
# statement with one of those files on its call stack.
SQL_HOOK = platform.DATA_DIR / "sql-count"
SQL_LOG = platform.DATA_DIR / "sql.log"
SQL_FLAG = platform.DATA_DIR / "sql.on"
SITECUSTOMIZE = f"""
import os
import sys

def _count_statements():
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    log, flag = {str(SQL_LOG)!r}, {str(SQL_FLAG)!r}
    background = (os.path.join("betterjournal", "outbox.py"), os.path.join("betterjournal", "scheduler.py"))

    def in_background():
        frame = sys._getframe(2)
        while frame is not None:
            if frame.f_code.co_filename.endswith(background):
                return True
            frame = frame.f_back
        return False

    def statement(_conn, _cursor, text, *_rest):
        if os.path.exists(flag) and not in_background():
            with open(log, "a") as out:
                out.write(" ".join(text.split()) + "\\n")

    event.listen(Engine, "before_cursor_execute", statement)

_count_statements()
"""


def install_sql_hook() -> None:
    """Before the app starts: its processes inherit the environment, so PYTHONPATH."""
    SQL_HOOK.mkdir(parents=True, exist_ok=True)
    (SQL_HOOK / "sitecustomize.py").write_text(SITECUSTOMIZE)
    os.environ["PYTHONPATH"] = os.pathsep.join([str(SQL_HOOK), os.environ["PYTHONPATH"]])


# --- seeding (untimed) -------------------------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    """One client's sessions: the last held `held_lag` days ago (and every two weeks before,
    over the year), or none held yet; the next planned in `planned_in` days, or none; and
    whether they shared an agenda for it."""

    held_lag: int | None
    planned_in: int | None
    agenda: bool


def plan_for(index: int) -> Plan:
    held = None if index % 4 == 3 else SESSION_EVERY if index == BRIEF_CLIENT else 1 + index % 13
    return Plan(held, None if index % 6 == 5 else 1 + index % 13, index % 3 == 0)


@dataclass(frozen=True)
class Seeded:
    client_id: uuid.UUID
    entry_id: str  # a shared entry of median length, for the baseline
    entry_length: int
    shared: int  # items the clinician can see (check-ins, entries, homework returned, agenda)


def _dated(session: Any, rows: list[dict[str, Any]]) -> None:
    """Backdate items to when they were written (`created_at`, `updated_at`, `shared_changed_at`)."""
    if rows:
        session.connection().execute(
            update(ClientItem)
            .where(col(ClientItem.id) == bindparam("item"))
            .values(
                created_at=bindparam("at"), updated_at=bindparam("at"), shared_changed_at=bindparam("at")
            ),
            rows,
        )


def _past_agenda(session: Any, client_id: uuid.UUID, clinician_id: uuid.UUID) -> None:
    """The agenda of a session that took place: a line, shared, ticked as discussed."""
    ready = agenda.prepare(session, client_id=client_id, clinician_id=clinician_id)
    (line,) = agenda.add_text(
        session, client_id=client_id, agenda_id=ready.agenda.id, text="How the week went"
    ).lines
    sharing.set_shared(
        session, owner_id=client_id, item_id=ready.agenda.id, clinician_id=clinician_id, shared=True
    )
    agenda.set_discussed(
        session, clinician_id=clinician_id, agenda_id=ready.agenda.id, line_id=line.id, discussed=True
    )


def seed_client(clinician_id: uuid.UUID, client_id: uuid.UUID, index: int, zone: ZoneInfo) -> Seeded:
    """A year of one client's use, through the core, in one unit of work per client.

    Only timestamps are set directly (the core writes "now"): items, assignments, held
    sessions and shares are moved back to when they would have happened."""
    pick = random.Random(index)  # the same data for the same index, for both clinicians
    plan = plan_for(index)
    now = utcnow()
    today = now.astimezone(zone).date()
    with session_scope() as session:
        link(session, client_id=client_id, clinician_id=clinician_id)
        session.connection().execute(
            update(CareLink)
            .where(col(CareLink.client_id) == client_id, col(CareLink.clinician_id) == clinician_id)
            .values(created_at=now - timedelta(days=DAYS + 7))
        )
        written: list[tuple[uuid.UUID, items.Kind, datetime, int]] = []  # id, kind, when, length
        tags = [checkins.add_tag(session, owner_id=client_id, name=n) for n in ("work", "family", "walk")]
        for day in range(DAYS):
            felt_at = now - timedelta(days=day, hours=pick.randint(0, 12), minutes=pick.randint(0, 59))
            values = {
                "felt_at": felt_at.isoformat(),
                "mood": pick.randint(2, 9),
                "anxiety": pick.randint(0, 8),
                "energy": pick.randint(1, 9),
                "tags": [str(pick.choice(tags))],
            }
            item_id = uuid.uuid4()
            items.save(session, owner_id=client_id, kind=checkins.KIND, item_id=item_id, values=values)
            written.append((item_id, checkins.KIND, felt_at, 0))
        for number, day in enumerate(sorted(pick.sample(range(DAYS), ENTRIES), reverse=True)):
            at = now - timedelta(days=day, hours=pick.randint(0, 12), minutes=pick.randint(0, 59))
            body = "\n\n".join([platform.BODY] * pick.randint(1, 4))  # 260 to 1,050 characters
            values = {"title": f"Evening {number}", "body": body}
            item_id = uuid.uuid4()
            items.save(session, owner_id=client_id, kind=journal.KIND, item_id=item_id, values=values)
            written.append((item_id, journal.KIND, at, len(body)))
        _dated(session, [{"item": i, "at": at} for i, _kind, at, _n in written])

        # Homework: one a week for the year, each answered; a third returned.
        keys = [key for key, sheet in sheets.BUILT_IN.items() if not sheet.is_prompt]
        homework_done: list[tuple[uuid.UUID, uuid.UUID, datetime, bool]] = []  # assignment, response
        for number in range(HOMEWORK):
            key = pick.choice(keys)
            (assignment,) = homework.assign(
                session,
                clinician_id=clinician_id,
                client_id=client_id,
                template=f"builtin:{key}",
                instructions="Whenever you notice a strong feeling this week.",
                due_on=today.isoformat(),
                today=today,
            )
            response = uuid.uuid4()
            returned = number % SHARED_EVERY == 0
            homework.save_response(
                session,
                client_id=client_id,
                item_id=response,
                assignment_id=assignment,
                worksheet=None,
                answers=homework_bench.thought_record_answers()
                if key == "thought_record"
                else homework_bench.short_answers(key),
                return_it=returned,
            )
            given = now - timedelta(days=7 * (HOMEWORK - number) - 4)  # 346 to 3 days ago
            homework_done.append((assignment, response, given, returned))
        session.connection().execute(
            update(Assignment)
            .where(col(Assignment.id) == bindparam("assignment"))
            .values(created_at=bindparam("at"), updated_at=bindparam("at"), due_on=bindparam("due")),
            [
                {"assignment": a, "at": at, "due": (at + timedelta(days=7)).astimezone(zone).date()}
                for a, _r, at, _done in homework_done
            ],
        )
        _dated(session, [{"item": r, "at": at + timedelta(days=2)} for _a, r, at, _done in homework_done])

        # Sessions: every two weeks for the year, the last `held_lag` days ago; the next planned.
        since = now - appointments.NO_SESSION_YET
        if plan.held_lag is not None:
            held_days = list(range(plan.held_lag, DAYS + 1, SESSION_EVERY))
            for _ in held_days:  # each planned, then held (the dates are set below)
                appointments.plan(
                    session,
                    clinician_id=clinician_id,
                    client_id=client_id,
                    day=today.isoformat(),
                    at="23:59",
                    zone=zone,
                )
                if plan.agenda:  # who prepares, prepared for every session: an agenda per window
                    _past_agenda(session, client_id, clinician_id)
                appointments.mark_held(session, clinician_id=clinician_id, client_id=str(client_id))
            held = session.exec(  # in the order they were held, so the oldest gets the oldest day
                select(Appointment.id)
                .where(col(Appointment.clinician_id) == clinician_id, col(Appointment.client_id) == client_id)
                .order_by(col(Appointment.held_at))
            ).all()
            session.connection().execute(
                update(Appointment)
                .where(col(Appointment.id) == bindparam("appointment"))
                .values(held_at=bindparam("at"), starts_at=bindparam("at"), created_at=bindparam("made")),
                [
                    {"appointment": a, "at": now - timedelta(days=d), "made": now - timedelta(days=d + 14)}
                    for a, d in zip(held, reversed(held_days), strict=True)
                ],
            )
            since = now - timedelta(days=plan.held_lag)
        if plan.planned_in is not None:
            appointments.plan(
                session,
                clinician_id=clinician_id,
                client_id=str(client_id),
                day=(today + timedelta(days=plan.planned_in)).isoformat(),
                at=f"{9 + index % 8:02d}:00",
                zone=zone,
            )

        # Shares: a third of the check-ins and entries. What was shared before the last
        # session the clinician has opened (seen, audited) and the homework of then reviewed.
        by_kind: dict[str, list[tuple[uuid.UUID, items.Kind, datetime, int]]] = {}
        for row in written:
            by_kind.setdefault(row[1].name, []).append(row)
        chosen = [row for rows in by_kind.values() for n, row in enumerate(rows) if n % SHARED_EVERY == 0]
        for item_id, _kind, at, _n in chosen:
            if at < since:
                sharing.set_shared(
                    session, owner_id=client_id, item_id=item_id, clinician_id=clinician_id, shared=True
                )
        for kind in (checkins.KIND, journal.KIND):
            sharing.every_shared(session, clinician_id=clinician_id, client_id=client_id, kind=kind)
        for assignment, _response, at, returned in homework_done:
            if returned and at + timedelta(days=2) < since:
                homework.mark_reviewed(session, clinician_id=clinician_id, assignment_id=assignment)
        for item_id, _kind, at, _n in chosen:
            if at >= since:
                sharing.set_shared(
                    session, owner_id=client_id, item_id=item_id, clinician_id=clinician_id, shared=True
                )
        shared_at = [{"item": i, "at": at} for i, _kind, at, _n in chosen] + [
            {"item": r, "at": at + timedelta(days=2)} for _a, r, at, done in homework_done if done
        ]
        session.connection().execute(
            update(ItemShare)
            .where(col(ItemShare.item_id) == bindparam("item"))
            .values(shared_at=bindparam("at")),
            shared_at,
        )

        # The agenda for the next session: three lines, a shared entry of the window, the chart.
        entries = [row for row in chosen if row[1] is journal.KIND]
        recent = [row for row in entries if row[2] >= since]
        if plan.agenda:
            ready = agenda.prepare(session, client_id=client_id, clinician_id=clinician_id)
            for text in (
                "Sleep since the new shift",
                "The talk with my sister",
                "Whether to go back to the gym",
            ):
                agenda.add_text(session, client_id=client_id, agenda_id=ready.agenda.id, text=text)
            if recent:
                agenda.pin(
                    session,
                    client_id=client_id,
                    agenda_id=ready.agenda.id,
                    kind=journal.KIND.name,
                    item_id=str(recent[0][0]),
                )
            agenda.pin(session, client_id=client_id, agenda_id=ready.agenda.id, kind=agenda.CHART, item_id="")
            sharing.set_shared(
                session, owner_id=client_id, item_id=ready.agenda.id, clinician_id=clinician_id, shared=True
            )
    middle = statistics.median_low(row[3] for row in entries)  # the shorter of two middles
    entry = next(row for row in sorted(entries, key=lambda r: r[2], reverse=True) if row[3] == middle)
    returned_count = sum(1 for *_rest, done in homework_done if done)
    return Seeded(client_id, str(entry[0]), middle, len(chosen) + returned_count + int(plan.agenda))


def seed_all(
    big: uuid.UUID, clients: list[uuid.UUID], small: uuid.UUID, small_client: uuid.UUID
) -> tuple[list[Seeded], Seeded]:
    zone = ZoneInfo(get_settings().time_zone)
    seeded = []
    started = time.perf_counter()
    for index, client in enumerate(clients):
        seeded.append(seed_client(big, client, index, zone))
        if index % 10 == 9:
            print(f"  seeded {index + 1} clients in {time.perf_counter() - started:.0f} s", flush=True)
    return seeded, seed_client(small, small_client, BRIEF_CLIENT, zone)


# --- counting SQL ----------------------------------------------------------------------------


async def count_in_app(tab: EventClient, state: type, path: str, query: dict, shown: str) -> list[str]:
    """The statements the app's process runs for one page load (nothing else in flight),
    through to the update that shows the page, and a moment after it."""
    await platform.settle(tab, path, query)
    SQL_LOG.unlink(missing_ok=True)
    SQL_FLAG.touch()
    try:
        start = len(tab.received)
        await platform.load_page(tab, path, query)
        await platform.arrival(tab, start, lambda u: shown in platform.state_of([u], state))
        await asyncio.sleep(0.5)
    finally:
        SQL_FLAG.unlink()
    return SQL_LOG.read_text().splitlines() if SQL_LOG.exists() else []


def count_in_process(clinician_id: uuid.UUID) -> tuple[int, int]:
    """`caseload.caseload()` in one unit of work in this process, on the app's database, with
    a `before_cursor_execute` listener (as tests/unit/test_preparation_core.py): (statements, lines)."""
    seen: list[str] = []

    def statement(*args: object) -> None:
        seen.append(str(args[2]))

    today = datetime.now(ZoneInfo(get_settings().time_zone)).date()
    event.listen(get_engine(), "before_cursor_execute", statement)
    try:
        with session_scope() as session:
            found = caseload.caseload(session, clinician_id=clinician_id, today=today)
    finally:
        event.remove(get_engine(), "before_cursor_execute", statement)
    return len(seen), len(found)


def core_times(
    big: uuid.UUID, small: uuid.UUID, client: uuid.UUID, entry: str, clients: int, rounds: int
) -> dict[str, float]:
    """For the reading of the figures, not the targets: the core calls alone, in this process,
    each in its own unit of work (as `in_session` runs them), interleaved: ms, medians."""
    today = datetime.now(ZoneInfo(get_settings().time_zone)).date()

    def unit(work: Callable[..., Any], **kwargs: Any) -> Callable[[], float]:
        def run() -> float:
            started = time.perf_counter()
            with session_scope() as session:
                work(session, **kwargs)
            return time.perf_counter() - started

        return run

    calls = {
        f"caseload.caseload(), {clients} clients": unit(caseload.caseload, clinician_id=big, today=today),
        "caseload.caseload(), 1 client": unit(caseload.caseload, clinician_id=small, today=today),
        "caseload.brief()": unit(caseload.brief, clinician_id=big, client_id=client, today=today),
        "sharing.open_shared() (the entry)": unit(
            sharing.open_shared, clinician_id=big, item_id=entry, kind=journal.KIND
        ),
    }
    found: dict[str, list[float]] = {name: [] for name in calls}
    order = list(calls)
    for round_number in range(rounds + 3):
        random.shuffle(order)
        for name in order:
            seconds = calls[name]()
            if round_number >= 3:
                found[name].append(seconds)
    return {name: statistics.median(values) * 1000 for name, values in found.items()}


# --- the run ---------------------------------------------------------------------------------


def expect(condition: bool, what: str) -> None:
    if not condition:
        raise RuntimeError(what)


async def measure(app: RunningApp, args: argparse.Namespace) -> dict[str, Any]:
    big, small = platform.actor("big", "clinician"), platform.actor("small", "clinician")
    clients = [platform.actor(f"client{i:02d}") for i in range(args.clients)]
    small_client = platform.actor("alone")
    for person in (big, small, small_client, *clients):
        person.password = PASSWORD
    started = time.perf_counter()
    ids = await asyncio.to_thread(platform.create_accounts, [big, small, small_client, *clients])
    accounts_s = time.perf_counter() - started
    print(f"{len(ids)} accounts (argon2 each) in {accounts_s:.0f} s", flush=True)
    started = time.perf_counter()
    seeded, _alone = await asyncio.to_thread(
        seed_all, ids[big.label], [ids[c.label] for c in clients], ids[small.label], ids[small_client.label]
    )
    seeding_s = time.perf_counter() - started
    per_client = sum(s.shared for s in seeded) / len(seeded)
    print(f"seeded {len(seeded) + 1} clients in {seeding_s:.0f} s ({per_client:.0f} shared each)", flush=True)
    for person in (big, small):
        person.cookie = await sign_in(app.url, person.email, person.password)
    big_tab, small_tab = await platform.tab(app.url, big.cookie), await platform.tab(app.url, small.cookie)
    reader = await platform.tab(app.url, big.cookie)  # the big clinician's tab on the brief and entries
    subject = seeded[BRIEF_CLIENT]
    brief_where = {"client": str(subject.client_id)}

    def cases(count: int) -> Callable[[dict], None]:
        def check(delta: dict) -> None:
            shown = len(delta.get("cases") or [])
            expect(shown == count, f"the caseload lists {shown} clients, not {count}")

        return check

    on_brief: dict[str, int] = {}

    def brief_shown(delta: dict) -> None:
        shown = {name: len(delta.get(name) or []) for name in ("lines", "pinned", "entries", "homework")}
        points = sum(len(trace.get("x") or []) for trace in (delta.get("figure") or {}).get("data", []))
        expect(delta.get("client_id") == str(subject.client_id), "the brief is not on screen")
        expect(shown["lines"] >= 4 and shown["entries"] > 0 and points > 0, f"the brief is thin: {shown}")
        on_brief.update(shown, chart_points=points)

    def entry_shown(delta: dict) -> None:
        expect(delta.get("reading_available") is True, "the entry is not on screen")

    window = homework_bench.load_window
    windows = {
        f"caseload, {args.clients} clients": window(
            big_tab, CaseloadState, routes.CASELOAD, {}, "caseload_loaded", cases(args.clients)
        ),
        "caseload, 1 client": window(
            small_tab, CaseloadState, routes.CASELOAD, {}, "caseload_loaded", cases(1)
        ),
        f"{LOAD_ALONE}, {args.clients} clients": window(
            big_tab,
            CaseloadState,
            routes.CASELOAD,
            {},
            "caseload_loaded",
            cases(args.clients),
            event="load_caseload",
        ),
        f"{LOAD_ALONE}, 1 client": window(
            small_tab, CaseloadState, routes.CASELOAD, {}, "caseload_loaded", cases(1), event="load_caseload"
        ),
        "brief of one client": window(
            reader, BriefState, routes.BRIEF, brief_where, "brief_loaded", brief_shown
        ),
        "shared entry": window(
            reader,
            SharedWithMeState,
            routes.SHARED_ENTRY,
            {"id": subject.entry_id},
            "reading_available",
            entry_shown,
        ),
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

    # SQL statements per page load, in the app's process (three times each), and of
    # the caseload's unit of work alone, in this process.
    counts: dict[str, list[list[str]]] = {}
    for _ in range(3):
        for name, tab in ((f"caseload, {args.clients} clients", big_tab), ("caseload, 1 client", small_tab)):
            counts.setdefault(name, []).append(
                await count_in_app(tab, CaseloadState, routes.CASELOAD, {}, "caseload_loaded")
            )
        counts.setdefault("brief of one client", []).append(
            await count_in_app(reader, BriefState, routes.BRIEF, brief_where, "brief_loaded")
        )
        counts.setdefault("shared entry", []).append(
            await count_in_app(
                reader, SharedWithMeState, routes.SHARED_ENTRY, {"id": subject.entry_id}, "reading_available"
            )
        )
    in_process = {
        f"caseload, {args.clients} clients": count_in_process(ids[big.label]),
        "caseload, 1 client": count_in_process(ids[small.label]),
    }
    for tab in (big_tab, small_tab, reader):
        await tab.close()
    core = await asyncio.to_thread(
        core_times,
        ids[big.label],
        ids[small.label],
        subject.client_id,
        subject.entry_id,
        args.clients,
        args.rounds,
    )
    return {
        "core": core,
        "samples": samples,
        "counts": counts,
        "in_process": in_process,
        "seeding_s": seeding_s,
        "accounts_s": accounts_s,
        "on_brief": on_brief,
        "entry_length": subject.entry_length,
        "shared_per_client": per_client,
    }


def report(results: dict[str, Any], clients: int) -> None:
    samples = results["samples"]
    q = {name: platform.quantiles(values) for name, values in samples.items()}
    big, small = f"caseload, {clients} clients", "caseload, 1 client"
    n = len(samples[big])
    print(f"\n{'figure, ms (n=' + str(n) + ' each)':<44} {'median':>8} {'p95':>8}")
    for name, (median, p95) in q.items():
        print(f"{name:<44} {median:8.2f} {p95:8.2f}")
    b = results["on_brief"]
    print(
        f"  the brief shows {b['lines']} agenda lines, {b['pinned']} pinned, {b['entries']} entries,"
        f" {b['homework']} homework, {b['chart_points']} chart points;"
        f" the entry has {results['entry_length']} characters"
    )
    ratios = {
        "caseload": q[big][0] / q[small][0],
        "brief": q["brief of one client"][0] / q["shared entry"][0],
    }
    print()
    for name, ratio in ratios.items():
        verdict = "PASS" if ratio <= TARGETS[name] else "MISS"
        print(f"{name} ratio: {ratio:.2f}× (target ≤ {TARGETS[name]}×): {verdict}")
    alone = q[f"{LOAD_ALONE}, {clients} clients"][0] / q[f"{LOAD_ALONE}, 1 client"][0]
    print(f"  load_caseload alone, without the rest of the page load: {alone:.2f}× (for comparison)")
    print(f"\n{'the core calls alone, in this process, ms':<44} {'median':>8}")
    for name, median in results["core"].items():
        print(f"{name:<44} {median:8.2f}")
    print("\nSQL statements per page load, counted in the app's process (3 loads each):")
    counts = {name: [len(load) for load in loads] for name, loads in results["counts"].items()}
    for name, found in counts.items():
        print(f"  {name:<40} {found}")
    print(f"  the statements of one load of the caseload, {clients} clients:")
    for statement in results["counts"][big][0]:
        print(f"    {statement[:100]}")
    print("SQL statements of caseload.caseload() alone, counted in this process (same database):")
    for name, (statements, lines) in results["in_process"].items():
        print(f"  {name:<40} {statements} ({lines} lines)")
    app_equal = counts[big] == counts[small]
    core_equal = results["in_process"][big][0] == results["in_process"][small][0]
    verdict = "PASS" if app_equal and core_equal else "MISS"
    print(f"caseload statements, {clients} clients against 1 (target: equal): {verdict}")


def main() -> int:
    parser = argparse.ArgumentParser(description="Session preparation, against the real app.")
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--clients", type=int, default=60, help="linked clients of the big clinician")
    args = parser.parse_args()
    began = time.perf_counter()
    memory = psutil.virtual_memory()
    print(
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC; {os.cpu_count()} CPUs, {memory.total / 2**30:.1f} GiB RAM;"
        f" Python {machine.python_version()}, SQLite {sqlite3.sqlite_version}"
    )
    print("load average at the start: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()), flush=True)
    install_sql_hook()
    app = start_app(platform.DATA_DIR)
    try:
        print(f"app up at {app.url} in {time.perf_counter() - began:.0f} s", flush=True)
        results = asyncio.run(measure(app, args))
    finally:
        app.stop()
        shutil.rmtree(platform.DATA_DIR, ignore_errors=True)
    report(results, args.clients)
    seeding = f"{results['accounts_s']:.0f} s for the accounts, {results['seeding_s']:.0f} s for the data"
    print(f"\nseeding: {seeding}")
    print("load average at the end: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    print(f"whole run: {time.perf_counter() - began:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())

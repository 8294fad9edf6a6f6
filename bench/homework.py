"""Homework against the real app: what a clinician and a client wait for.

Run: `.venv/bin/python bench/homework.py` (also part of `make bench`). Starts the app in
production mode with a fresh data directory, seeds through the core (untimed), and times
with the platform bench's raw Socket.IO client (bench/journal.py): each window is a page
load as the browser sends it once it has navigated (`on_load_internal`: the server runs the
page's on_load handlers, named below), from the emit to the arrival of the update that puts
its content on screen.

- Opening a returned thought record as the clinician (`ReturnedState.load_returned`: the
  access checks, the read, its audit row and "seen" mark, the worksheet laid out), against
  opening a shared journal entry of about the same length (`SharedWithMeState.load_shared_entry`,
  the same checks). Same run, interleaved. Target ≤ 1.5×.
- The client's homework page ("To do" and "Returned", `HomeworkState.load_homework`) for a
  client with 200 assignments, against one with 20. Same mix in both: one in ten started,
  one in ten returned. The page lists what is due first, 20 at a time ("Show more"), and
  the 5 last returned: 25 lines for the first client, 21 for the second. Target ≤ 1.2×.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import shutil
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import journal as platform
from appserver import RunningApp, start_app
from socketclient import handler_name, sign_in

from betterjournal import routes
from betterjournal.core import homework, items, journal, sharing, worksheets
from betterjournal.db import session_scope
from betterjournal.models import utcnow
from betterjournal.state.clinician import SharedWithMeState
from betterjournal.state.homework import HomeworkState, ReturnedState

TARGETS = {"returned": 1.5, "to do": 1.2}
PASSWORD = "bench-homework-passphrase-42"
ANSWER = "I noticed my chest tighten before the meeting and wanted to leave. " * 4  # ~270 characters


def thought_record_answers() -> dict:
    """A thought record filled in as a client would: every field, a few lines each."""
    return {
        "situation": ANSWER,
        "emotions": [{"emotion": "Anxious", "intensity": 80}, {"emotion": "Sad", "intensity": 40}],
        "thoughts": ["They will think I'm useless.", "I always get this wrong."],
        "hot_thought": "They will think I'm useless.",
        "hot_belief": 75,
        "evidence_for": ANSWER,
        "evidence_against": ANSWER,
        "balanced": ANSWER,
        "balanced_belief": 50,
        "emotions_after": [{"emotion": "Anxious", "intensity": 40}],
    }


def short_answers(key: str) -> dict:
    """A built-in worksheet answered in a few words (its first field): enough to return it."""
    first = worksheets.BUILT_IN[key].fields[0]
    if first.type == "rows":
        return {first.id: [{first.columns[0].id: "A short answer."}]}
    return {first.id: "A short answer."}


def seed(clinician_id: uuid.UUID, client_id: uuid.UUID, count: int) -> None:
    """`count` assignments of the built-in templates, due over the next weeks; one in ten
    started (a draft), one in ten answered and returned."""
    pick = random.Random(count)
    today = utcnow().date()
    keys = [key for key, sheet in worksheets.BUILT_IN.items() if not sheet.is_prompt]
    with session_scope() as session:
        for index in range(count):
            key = pick.choice(keys)
            (assignment,) = homework.assign(
                session,
                clinician_id=clinician_id,
                client_id=client_id,
                template=f"builtin:{key}",
                instructions="Whenever you notice a strong feeling this week.",
                due_on=(today + timedelta(days=pick.randint(0, 40))).isoformat(),
                today=today,
            )
            if index % 10 in (1, 2):
                kwargs = {
                    "client_id": client_id,
                    "item_id": uuid.uuid4(),
                    "assignment_id": assignment,
                    "worksheet": None,
                }
                if index % 10 == 1:
                    homework.keep_change(session, **kwargs, change=lambda *_: {})
                else:
                    answers = short_answers(key)  # an empty one can't be returned
                    homework.save_response(session, **kwargs, answers=answers, return_it=True)


def seed_returned(clinician_id: uuid.UUID, client_id: uuid.UUID) -> tuple[str, str]:
    """A returned thought record and a shared journal entry of about its length."""
    today = utcnow().date()
    with session_scope() as session:
        (assignment,) = homework.assign(
            session,
            clinician_id=clinician_id,
            client_id=client_id,
            template="builtin:thought_record",
            today=today,
        )
        homework.save_response(
            session,
            client_id=client_id,
            item_id=uuid.uuid4(),
            assignment_id=assignment,
            worksheet=None,
            answers=thought_record_answers(),
            return_it=True,
        )
        entry = uuid.uuid4()
        body = "\n\n".join([ANSWER] * 5)  # the thought record's text, about as long
        items.save(
            session,
            owner_id=client_id,
            kind=journal.KIND,
            item_id=entry,
            values={"title": "Tuesday", "body": body},
        )
        sharing.set_shared(session, owner_id=client_id, item_id=entry, clinician_id=clinician_id, shared=True)
    return str(assignment), str(entry)


def load_window(
    tab, state: type, path: str, query: dict, shown: str, check, *, event: str | None = None
) -> platform.Window:
    """The page's load as the browser sends it once it has navigated there (the server runs
    the page's on_load handlers), or with `event` that one handler of `state` alone, until the
    update that sets `shown` arrives (checked by `check`)."""

    async def run() -> float:
        await platform.settle(tab, path, query)
        start, sent = len(tab.received), time.perf_counter()
        if event is None:
            await platform.load_page(tab, path, query)
        else:
            await platform.emit(tab, handler_name(state, event), {}, path, query)
        index = await platform.arrival(tab, start, lambda u: shown in platform.state_of([u], state))
        check(platform.state_of([tab.received[index]], state))
        return platform.since(tab, index, sent)

    return run


def expect(condition: bool, what: str) -> None:
    if not condition:
        raise RuntimeError(what)


async def measure(app: RunningApp, args: argparse.Namespace) -> dict:
    clinician = platform.actor("clinician", "clinician")
    small, big = platform.actor("twenty"), platform.actor("two-hundred")
    for person in (clinician, small, big):
        person.password = PASSWORD
    ids = await asyncio.to_thread(platform.create_accounts, [clinician, small, big])
    for person in (clinician, small, big):
        person.cookie = await sign_in(app.url, person.email, person.password)
    await platform.link(app, small, clinician)
    await platform.link(app, big, clinician)
    started = time.perf_counter()
    await asyncio.to_thread(seed, ids[clinician.label], ids[small.label], 20)
    await asyncio.to_thread(seed, ids[clinician.label], ids[big.label], 200)
    assignment, entry = await asyncio.to_thread(seed_returned, ids[clinician.label], ids[small.label])
    print(f"seeded 221 assignments in {time.perf_counter() - started:.0f} s", flush=True)

    doctor = await platform.tab(app.url, clinician.cookie)
    small_tab, big_tab = await platform.tab(app.url, small.cookie), await platform.tab(app.url, big.cookie)

    def to_do(expected: tuple[int, int]):
        """The page lists `expected` (to do, returned)."""

        def check(delta: dict) -> None:
            shown = (len(delta.get("to_do", [])), len(delta.get("done", [])))
            expect(shown == expected, f"the homework page lists {shown}, not {expected}")

        return check

    def returned(delta: dict) -> None:
        fields = delta.get("fields") or []
        expect(delta.get("found") is True and len(fields) == 10, "the thought record is not on screen")

    def entry_shown(delta: dict) -> None:
        expect(delta.get("reading_available") is True, "the entry is not on screen")

    windows = {
        "returned thought record": load_window(
            doctor,
            ReturnedState,
            routes.RETURNED,
            {"assignment": assignment},
            "found",
            returned,
        ),
        "shared journal entry": load_window(
            doctor,
            SharedWithMeState,
            routes.SHARED_ENTRY,
            {"id": entry},
            "reading_available",
            entry_shown,
        ),
        "to do, 20 assignments": load_window(
            small_tab, HomeworkState, routes.HOMEWORK, {}, "homework_loaded", to_do((18, 3))
        ),
        "to do, 200 assignments": load_window(
            big_tab, HomeworkState, routes.HOMEWORK, {}, "homework_loaded", to_do((20, 5))
        ),
    }
    samples: dict[str, list[float]] = {name: [] for name in windows}
    order = list(windows)
    for round_number in range(args.warmup + args.rounds):
        random.shuffle(order)
        for name in order:
            seconds = await windows[name]()
            if round_number >= args.warmup:
                samples[name].append(seconds)
    for tab in (doctor, small_tab, big_tab):
        await tab.close()
    return samples


def report(samples: dict[str, list[float]]) -> None:
    q = {name: platform.quantiles(values) for name, values in samples.items()}
    print(f"\n{'figure, ms':<40} {'median':>8} {'p95':>8}")
    for name, (median, p95) in q.items():
        print(f"{name:<40} {median:8.2f} {p95:8.2f}")
    ratios = {
        "returned": q["returned thought record"][0] / q["shared journal entry"][0],
        "to do": q["to do, 200 assignments"][0] / q["to do, 20 assignments"][0],
    }
    for name, ratio in ratios.items():
        verdict = "PASS" if ratio <= TARGETS[name] else "MISS"
        print(f"{name} ratio: {ratio:.2f}× (target ≤ {TARGETS[name]}×): {verdict}")


def main() -> int:
    parser = argparse.ArgumentParser(description="Homework, against the real app.")
    parser.add_argument("--rounds", type=int, default=60)
    parser.add_argument("--warmup", type=int, default=5)
    args = parser.parse_args()
    app = start_app(platform.DATA_DIR)
    try:
        samples = asyncio.run(measure(app, args))
    finally:
        app.stop()
        shutil.rmtree(platform.DATA_DIR, ignore_errors=True)
    report(samples)
    return 0


if __name__ == "__main__":
    sys.exit(main())

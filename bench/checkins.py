"""Mood charts against the real app: a client with five years of daily check-ins.

Run: `.venv/bin/python bench/checkins.py` (also part of `make bench`). Starts the app in
production mode with a fresh data directory, seeds the check-ins through the core (untimed),
and times with the platform bench's raw Socket.IO client (bench/journal.py): its windows
run from the emit to the arrival of the update that puts the chart on screen.

- "all": `CheckInsState.show_range("all")` on the chart page, against the bare work it
  can't avoid, measured in this process in the same run: the SQL query that fetches the
  same rows plus their decryption (`items.every_own`). Target ≤ 3×.
- "2 weeks": `show_range("2w")`, against the guarded no-op (as the platform bench derives
  it, beside the unguarded floor). Target ≤ 1.5×.
- The JavaScript a browser is sent for the chart page, gzipped, against the full plotly.js
  bundle (the one the plotly package ships), gzipped. Target: at least 3× smaller.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import random
import shutil
import statistics
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import journal as platform
import plotly
from appserver import RunningApp, start_app
from playwright.async_api import async_playwright
from socketclient import handler_name, sign_in
from sqlalchemy import bindparam
from sqlmodel import col, update

from betterjournal import routes
from betterjournal.core import checkins, items, sharing
from betterjournal.db import session_scope
from betterjournal.models import ClientItem, utcnow
from betterjournal.state.admin import AdminState
from betterjournal.state.checkins import CheckInsState, ClientCheckInsState

TARGETS = {"all": 3.0, "2w": 1.5, "js": 3.0}
PASSWORD = "bench-charts-passphrase-42"
CHART_PAGE = routes.CHECK_INS


def seed(owner_id: uuid.UUID, days: int) -> None:
    """A check-in a day for `days` days: mood, anxiety and energy, and one of three tags;
    each written when it was felt, as a client checking in every day would have."""
    pick = random.Random(5)
    with session_scope() as session:
        tags = [checkins.add_tag(session, owner_id=owner_id, name=n) for n in ("work", "family", "walk")]
    now = utcnow()
    for first in range(0, days, 500):
        with session_scope() as session:
            written = []
            for day in range(first, min(first + 500, days)):
                felt_at = now - timedelta(days=day, hours=pick.randint(0, 12))
                values = {
                    "felt_at": felt_at.isoformat(),
                    "mood": pick.randint(2, 9),
                    "anxiety": pick.randint(0, 8),
                    "energy": pick.randint(1, 9),
                    "tags": [str(pick.choice(tags))],
                }
                item_id = uuid.uuid4()
                items.save(session, owner_id=owner_id, kind=checkins.KIND, item_id=item_id, values=values)
                written.append({"item": item_id, "at": felt_at})
            session.connection().execute(
                update(ClientItem)
                .where(col(ClientItem.id) == bindparam("item"))
                .values(
                    created_at=bindparam("at"), updated_at=bindparam("at"), shared_changed_at=bindparam("at")
                ),
                written,
            )


def share_all(client_id: uuid.UUID, clinician_id: uuid.UUID) -> None:
    """Every check-in shared with the clinician (each share audited, as the app does)."""
    with session_scope() as session:
        found = items.every_own(session, owner_id=client_id, kind=checkins.KIND)
    for first in range(0, len(found), 200):
        with session_scope() as session:
            sharing.set_shared_many(
                session,
                owner_id=client_id,
                item_ids=[str(item.id) for item in found[first : first + 200]],
                clinician_id=clinician_id,
                shared=True,
            )


def bare_query(owner_id: uuid.UUID) -> float:
    """The rows of the chart and their decryption, in this process: the work no chart avoids."""
    started = time.perf_counter()
    with session_scope() as session:
        found = items.every_own(session, owner_id=owner_id, kind=checkins.KIND)
    assert found
    return time.perf_counter() - started


def range_window(
    tab, range_name: str, days: int, state: type = CheckInsState, where: tuple[str, dict] | None = None
) -> platform.Window:
    """`state.show_range(range_name)` on its page, until the figure is on screen."""
    page, query = where or (CHART_PAGE, {})

    async def run() -> float:
        await platform.settle(tab, page, query)
        start, sent = len(tab.received), time.perf_counter()
        await platform.emit(tab, handler_name(state, "show_range"), {"range_name": range_name}, page, query)
        shown = await platform.arrival(tab, start, lambda u: "figure" in platform.state_of([u], state))
        figure = platform.state_of([tab.received[shown]], state)["figure"]
        mood = next(trace for trace in figure["data"] if trace["name"] == "Mood")
        if len(mood["x"]) < days * 0.8:  # some days have two check-ins, some none
            raise RuntimeError(f"the chart shows {len(mood['x'])} days, not about {days}")
        return platform.since(tab, shown, sent)

    return run


async def javascript_sizes(app: RunningApp, email: str) -> dict[str, int]:
    """Gzipped bytes of every script the browser loads for the chart page, signed in, with
    nothing in its cache (the sign-in happens on another page of the same browser)."""
    sizes: dict[str, int] = {}
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=platform_chromium(), args=["--no-sandbox", "--disable-gpu"]
        )
        context = await browser.new_context()
        signing_in = await context.new_page()
        await signing_in.goto(app.url + routes.SIGN_IN)
        await signing_in.get_by_label("Email").fill(email)
        await signing_in.get_by_label("Password").fill(PASSWORD)
        await signing_in.get_by_role("button", name="Sign in").click()
        await signing_in.wait_for_url("**/journal")
        await signing_in.close()
        page = await context.new_page()
        await page.route("**/*", lambda route: route.continue_())  # routed requests skip the cache

        async def record(response) -> None:
            if response.request.resource_type == "script" and response.ok:
                sizes[response.url] = len(gzip.compress(await response.body(), 9))

        page.on("response", record)
        await page.goto(app.url + CHART_PAGE)
        await page.locator(".js-plotly-plot").first.wait_for()
        await page.wait_for_load_state("networkidle")
        await browser.close()
    return sizes


def platform_chromium() -> str | None:
    return shutil.which("chromium")


async def measure(app: RunningApp, args: argparse.Namespace) -> dict:
    admin, client = platform.actor("admin", "admin"), platform.actor("charts")
    clinician = platform.actor("clinician", "clinician")
    client.password = admin.password = clinician.password = PASSWORD
    ids = await asyncio.to_thread(platform.create_accounts, [admin, client, clinician])
    started = time.perf_counter()
    await asyncio.to_thread(seed, ids[client.label], args.days)
    print(f"seeded {args.days} check-ins in {time.perf_counter() - started:.0f} s", flush=True)
    for person in (admin, client, clinician):
        person.cookie = await sign_in(app.url, person.email, person.password)
    await platform.link(app, client, clinician)
    await asyncio.to_thread(share_all, ids[client.label], ids[clinician.label])
    admin_tab, chart_tab = (
        await platform.tab(app.url, admin.cookie),
        await platform.tab(app.url, client.cookie),
    )
    await chart_tab.exchange(handler_name(CheckInsState, "load_check_ins"), path=CHART_PAGE)
    doctor_tab = await platform.tab(app.url, clinician.cookie)
    client_page = (routes.CLIENT_CHECK_INS, {"client": client.id})
    await doctor_tab.exchange(
        handler_name(ClientCheckInsState, "load_client_check_ins"), path=client_page[0], query=client_page[1]
    )
    windows = {
        "floor": platform.floor_window(admin_tab),
        "floor+fence": platform.pair_window(admin_tab, platform.FENCE),
        "guarded+fence": platform.pair_window(admin_tab, handler_name(AdminState, "check_admin")),
        "all": range_window(chart_tab, "all", args.days),
        "2w": range_window(chart_tab, "2w", 14),
        "clinician all": range_window(doctor_tab, "all", args.days, ClientCheckInsState, client_page),
    }
    samples: dict[str, list[float]] = {name: [] for name in [*windows, "bare query"]}
    order = list(windows)
    for round_number in range(args.warmup + args.rounds):
        random.shuffle(order)
        for name in order:
            seconds = await windows[name]()
            if round_number >= args.warmup:
                samples[name].append(seconds)
        bare = await asyncio.to_thread(bare_query, ids[client.label])
        if round_number >= args.warmup:
            samples["bare query"].append(bare)
    for tab in (admin_tab, chart_tab, doctor_tab):
        await tab.close()
    return {"samples": samples, "js": await javascript_sizes(app, client.email)}


def report(results: dict) -> None:
    q = {name: platform.quantiles(values) for name, values in results["samples"].items()}
    (f50, _), (g50, _), (d50, _) = q["floor"], q["guarded+fence"], q["floor+fence"]
    guarded = f50 + g50 - d50
    print(f"\n{'figure, ms':<52} {'median':>8} {'p95':>8}")
    for name in ("floor", "bare query", "all", "2w", "clinician all"):
        print(f"{name:<52} {q[name][0]:8.2f} {q[name][1]:8.2f}")
    print(f"{'guarded no-op (derived)':<52} {guarded:8.2f}")
    ratios = {"all": q["all"][0] / q["bare query"][0], "2w": q["2w"][0] / guarded}
    for name, ratio in ratios.items():
        verdict = "PASS" if ratio <= TARGETS[name] else "MISS"
        print(f"{name} ratio: {ratio:.2f}× (target ≤ {TARGETS[name]}×): {verdict}")
    scripts = results["js"]
    total = sum(scripts.values())
    full = len(
        gzip.compress((Path(plotly.__file__).parent / "package_data" / "plotly.min.js").read_bytes(), 9)
    )
    basic = sum(size for url, size in scripts.items() if "plotly" in url.lower())
    print(f"\nJavaScript for the chart page, gzipped: {total / 1024:.0f} KiB in {len(scripts)} scripts")
    print(
        f"  of which Plotly (basic bundle): {basic / 1024:.0f} KiB; the full plotly.js: {full / 1024:.0f} KiB"
    )
    if basic:
        ratio = full / basic
        verdict = "PASS" if ratio >= TARGETS["js"] else "MISS"
        print(f"  full / basic: {ratio:.1f}× smaller (target ≥ {TARGETS['js']}×): {verdict}")
    print(f"  median ms per series: {statistics.median(results['samples']['all']) * 1000:.1f} (all)")


def main() -> int:
    parser = argparse.ArgumentParser(description="Mood charts, against the real app.")
    parser.add_argument("--days", type=int, default=5 * 365 + 1, help="daily check-ins to seed")
    parser.add_argument("--rounds", type=int, default=60)
    parser.add_argument("--warmup", type=int, default=5)
    args = parser.parse_args()
    app = start_app(platform.DATA_DIR)
    try:
        results = asyncio.run(measure(app, args))
    finally:
        app.stop()
        shutil.rmtree(platform.DATA_DIR, ignore_errors=True)
    report(results)
    return 0


if __name__ == "__main__":
    sys.exit(main())

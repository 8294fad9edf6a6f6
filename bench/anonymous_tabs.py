"""What tabs nobody is signed in to cost the server's memory (issue 11).

Run: `.venv/bin/python bench/anonymous_tabs.py` (also part of `make bench`). Starts the app
in production mode with a fresh data directory (bench/journal.py's set-up), then runs
connect-hydrate-disconnect cycles, as a script opening the sign-in page over and over
would: a fresh Reflex token connects without a cookie (the tests' EventClient), sends the
framework's `State.hydrate` for the sign-in page, waits for the reply and disconnects;
`--concurrency` cycles at a time. RSS is the sum over the app's process tree (psutil), the
first sample after `--warmup` cycles and a pause.

Each round of `--cycles` is sampled right after its last cycle, and again `--wait` seconds
later (long enough for a disconnected tab nobody is signed in to leave memory:
betterjournal/limits.py). Memory the server keeps shows as growth that stays; memory it
frees and reuses shows as a second round that grows no further than the first.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform as machine
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import journal as platform  # sets the data directory, PYTHONPATH and sys.path first
import psutil
from appserver import RunningApp, start_app
from reflex.state import State
from socketclient import EventClient, handler_name

from betterjournal import routes

HYDRATE = handler_name(State, "hydrate")


async def cycle(url: str) -> None:
    """One tab: connect with a fresh token and no cookie, hydrate, disconnect."""
    client = EventClient(url)
    await client.connect()
    try:
        await client.exchange(HYDRATE, path=routes.SIGN_IN)
    finally:
        await client.close()


async def cycles(url: str, count: int, concurrency: int) -> float:
    """Run `count` cycles, `concurrency` at a time; return the seconds they took."""
    gate = asyncio.Semaphore(concurrency)

    async def one() -> None:
        async with gate:
            await cycle(url)

    started = time.perf_counter()
    await asyncio.gather(*(one() for _ in range(count)))
    return time.perf_counter() - started


def mib(pid: int) -> float:
    return sum(platform.rss(pid).values()) / 2**20


async def measure(app: RunningApp, args: argparse.Namespace) -> list[tuple[str, float]]:
    assert app.process is not None
    pid = app.process.pid
    await cycles(app.url, args.warmup, args.concurrency)
    await asyncio.sleep(args.wait)
    samples = [(f"after {args.warmup} warm-up cycles and {args.wait:.0f} s", mib(pid))]
    for round_number in range(1, args.rounds + 1):
        seconds = await cycles(app.url, args.cycles, args.concurrency)
        rate = args.cycles / seconds
        await asyncio.sleep(2)
        samples.append((f"round {round_number}: {args.cycles:,} cycles done ({rate:.0f}/s)", mib(pid)))
        await asyncio.sleep(args.wait)
        samples.append((f"round {round_number}: {args.wait:.0f} s later", mib(pid)))
    return samples


def revision() -> str:
    def git(*command: str) -> str:
        return subprocess.run(
            ["git", *command], cwd=platform.ROOT, capture_output=True, text=True, check=False
        ).stdout.strip()

    return git("rev-parse", "--short", "HEAD") + (
        " + uncommitted changes" if git("status", "--porcelain") else ""
    )


def main() -> int:
    parser = argparse.ArgumentParser(description="Memory of anonymous tabs, against the real app.")
    parser.add_argument(
        "--cycles", type=int, default=10_000, help="connect-hydrate-disconnect cycles a round"
    )
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--warmup", type=int, default=200)
    parser.add_argument("--wait", type=float, default=30.0, help="seconds after a round before sampling")
    args = parser.parse_args()
    memory = psutil.virtual_memory()
    print(
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC; code at {revision()}; {machine.platform()}, "
        f"Python {machine.python_version()}; {os.cpu_count()} CPUs, {memory.total / 2**30:.1f} GiB RAM",
        flush=True,
    )
    print("load average at the start: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()), flush=True)
    app = start_app(platform.DATA_DIR)
    try:
        time.sleep(2)
        assert app.process is not None
        idle = mib(app.process.pid)
        samples = asyncio.run(measure(app, args))
    finally:
        app.stop()
        shutil.rmtree(platform.DATA_DIR, ignore_errors=True)
    print(f"\nBackend RSS (app process tree), MiB\n  {'idle after start':<52} {idle:8.1f}")
    base = samples[0][1]
    for label, size in samples:
        print(f"  {label:<52} {size:8.1f}   {size - base:+8.1f}")
    kept = (samples[-1][1] - base) * 1024 / (args.cycles * args.rounds)
    print(f"  kept per cycle, at the last sample: {kept:.1f} KiB")
    print("load average at the end: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    return 0


if __name__ == "__main__":
    sys.exit(main())

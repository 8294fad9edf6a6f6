"""Downloading everything (PRIV-1) for a client with a large journal, in a real browser.

Run: `.venv/bin/python bench/export.py [--entries 5000]`. Starts the app in production
mode with a fresh data directory, gives one client `--entries` journal entries of about
1,400 characters (the journal bench's words shuffled, each entry different) written
through the core, signs them in on a phone viewport (Chromium), and times from the tap
on "Download all my data" until the browser has the whole zip. Prints the time, the
zip's size, and the app's memory before and at its highest
meanwhile; then opens the zip and counts the entries.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import shutil
import sys
import threading
import time
import zipfile
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import journal as platform  # sets the data directory, PYTHONPATH and sys.path first
from appserver import start_app
from playwright.sync_api import ViewportSize, sync_playwright

WORDS = (platform.BODY + " " + platform.BODY.upper()).split()


def body(index: int) -> str:
    """About 1,400 characters, every entry different (as people write; the same text 5,000
    times would compress to almost nothing): the journal bench's words, shuffled."""
    words = random.Random(index).choices(WORDS, k=240)
    return " ".join(words)[:1400]


PHONE: ViewportSize = {"width": 390, "height": 844}


def mib(pid: int) -> float:
    """Resident memory of the app: every process of its tree (as bench/journal.py's `rss`)."""
    return sum(platform.rss(pid).values()) / 2**20


class Peak(threading.Thread):
    """The highest resident memory of a process, sampled every 20 ms until stopped."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.highest, self.done = pid, mib(pid), threading.Event()

    def run(self) -> None:
        while not self.done.wait(0.02):
            self.highest = max(self.highest, mib(self.pid))


def main() -> int:
    parser = argparse.ArgumentParser(description="Downloading everything, for a large journal.")
    parser.add_argument("--entries", type=int, default=5000)
    args = parser.parse_args()
    print(f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC; {os.cpu_count()} CPUs", flush=True)
    app = start_app(platform.DATA_DIR)
    try:
        assert app.process is not None
        person = platform.actor("export")
        owner = platform.create_accounts([person])[person.label]
        platform.seed_entries(owner, args.entries, body=body)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=os.environ.get("BJ_CHROMIUM") or shutil.which("chromium"),
                args=["--no-sandbox", "--disable-gpu"],
            )
            context = browser.new_context(
                viewport=PHONE, is_mobile=True, has_touch=True, accept_downloads=True
            )
            page = context.new_page()
            page.goto(f"{app.url}/signin")
            page.get_by_label("Email").fill(person.email)
            page.get_by_label("Password").fill(person.password)
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_url(lambda url: "/signin" not in url)
            page.goto(f"{app.url}/settings/data")
            page.get_by_role("heading", name="Your data", level=1).wait_for()
            before = mib(app.process.pid)
            button = page.get_by_role("button", name="Download all my data")
            peak = Peak(app.process.pid)
            peak.start()
            started = time.perf_counter()
            with page.expect_download(timeout=600_000) as downloading:
                button.click()
            download = downloading.value
            path = download.path()  # waits until the browser has the whole file
            waited = time.perf_counter() - started
            peak.done.set()
            peak.join()
            failure = download.failure()
            content = path.read_bytes() if path else b""
            browser.close()
        with zipfile.ZipFile(io.BytesIO(content)) as bundle:
            data = json.loads(bundle.read("betterjournal-data.json"))
            html = len(bundle.read("betterjournal-data.html"))
        print(f"entries: {args.entries}; in the zip: {len(data['items']['journal_entry'])}")
        print(f"tap to whole file in the browser: {waited:.2f} s; failure: {failure}")
        print(f"zip: {len(content) / 2**20:.2f} MiB, over HTTP (the websocket carries its ticket only)")
        print(f"HTML page in it: {html / 2**20:.2f} MiB")
        print(f"app RSS: {before:.0f} MiB before, {peak.highest:.0f} MiB at most while it was made and sent")
    finally:
        app.stop()
        shutil.rmtree(platform.DATA_DIR, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Browser fixtures: a real Chromium at a phone's size, watching every request and dialog."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest
from appserver import RunningApp
from people import wait_until_ready
from playwright.sync_api import Browser, BrowserContext, Dialog, Page, ViewportSize, expect, sync_playwright

PHONE: ViewportSize = {"width": 390, "height": 844}
# How long an assertion waits for the page to show what it expects (Playwright's default is
# 5 s): the browser tests share the machine with the socket tests (make test), and a chart
# drawn on a busy phone can take longer. A passing check returns as soon as it holds.
expect.set_options(timeout=15_000)
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def chromium_path() -> str | None:
    """Debian's chromium where present (CI, our machines); else Playwright's own browser."""
    return os.environ.get("BJ_CHROMIUM") or shutil.which("chromium")


@dataclass
class BrowserWatch:
    """Everything the browser did that a test may need to assert against."""

    origins: set[str] = field(default_factory=set)
    dialogs: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    storage_dumps: list[str] = field(default_factory=list)


# Module scope: the sync API runs its own event loop, which must be gone before the
# async socket tests of the same session start.
@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="session")
def watch() -> BrowserWatch:
    return BrowserWatch()


@dataclass
class Person:
    """One person's phone: a browser context of their own (own cookies, own storage)."""

    context: BrowserContext
    page: Page
    app: RunningApp

    def goto(self, path: str) -> None:
        self.page.goto(self.app.url + path)
        wait_until_ready(self.page)

    def dump_storage(self) -> str:
        """Local and session storage, cookies and IndexedDB names, as one string."""
        storage = self.page.evaluate(
            """async () => {
                const dump = (s) => Object.keys(s).map(k => k + '=' + s.getItem(k)).join('\\n');
                const dbs = indexedDB.databases ? (await indexedDB.databases()).map(d => d.name) : [];
                return [dump(localStorage), dump(sessionStorage), document.cookie, dbs.join(',')].join('\\n');
            }"""
        )
        cookies = "\n".join(f"{c.get('name')}={c.get('value')}" for c in self.context.cookies())
        return storage + "\n" + cookies


@pytest.fixture(scope="module")
def open_phone(browser: Browser, running_app: RunningApp, watch: BrowserWatch) -> Iterator:
    people: list[Person] = []

    def open_one(*, locale: str = "en-CA", timezone_id: str = "America/Toronto") -> Person:
        """A new phone; its browser's language and time zone are the person's first choice."""
        context = browser.new_context(
            viewport=PHONE, is_mobile=True, has_touch=True, locale=locale, timezone_id=timezone_id
        )
        context.set_default_timeout(20_000)
        context.on("request", lambda request: watch.origins.add(_origin(request.url)))
        page = context.new_page()
        page.on("dialog", lambda dialog: _record_dialog(watch, dialog))
        page.on(
            "console",
            lambda msg: watch.console_errors.append(msg.text) if msg.type == "error" else None,
        )
        page.on("pageerror", lambda error: watch.page_errors.append(str(error)))
        person = Person(context=context, page=page, app=running_app)
        people.append(person)
        return person

    yield open_one
    for person in people:
        try:
            watch.storage_dumps.append(person.dump_storage())
        finally:
            person.context.close()


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return (
        f"{parts.scheme}://{parts.netloc}" if parts.scheme in {"http", "https", "ws", "wss"} else parts.scheme
    )


def _record_dialog(watch: BrowserWatch, dialog: Dialog) -> None:
    watch.dialogs.append(dialog.message)
    dialog.dismiss()

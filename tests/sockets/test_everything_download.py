"""PRIV-1 over HTTP: "Download all my data" hands the tab a ticket, and the browser fetches
the archive from `/api/everything` (attack review: sent whole over the websocket, a big
journal's archive held up everyone's events as it was encoded and sent). The ticket is the
client's own, used once, and only with their session; the websocket carries no file."""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import sqlite3
import urllib.parse
import urllib.request
import zipfile
from typing import Any
from urllib.error import HTTPError

import pytest
from appserver import RunningApp
from socket_support import (
    connect,
    database_path,
    filled_vars,
    new_audit_rows,
    new_people,
    redirect_targets,
    snapshot,
    state_of,
    write_entry,
    writes_between,
)
from socketclient import handler_name

from betterjournal import routes
from betterjournal.state.base import AppState
from betterjournal.state.journal import JournalState
from betterjournal.state.your_data import YourDataState


def _fetch(url: str, cookie: str) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - our app
            return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read()
    except HTTPError as error:
        return error.code, {k.lower(): v for k, v in error.headers.items()}, b""


def _id_of(app: RunningApp, email: str) -> str | None:
    with contextlib.closing(sqlite3.connect(database_path(app))) as db:
        found = db.execute("SELECT id FROM user_account WHERE email = ?", (email,)).fetchone()
    return None if found is None else found[0]


def _download_url(updates: list[dict[str, Any]]) -> str:
    (url,) = [
        event["payload"]["url"]
        for update in updates
        for event in update.get("events") or []
        if event.get("name") == "_download"
    ]
    return url


async def test_the_archive_comes_over_http_once_for_its_own_client_only(running_app) -> None:
    people = await new_people(running_app, "everything", a="client", b="client", c="clinician")
    tab = await connect(running_app, people["a"].cookie)
    try:
        entry = await write_entry(running_app, tab, "in-the-archive")
        await tab.exchange(handler_name(YourDataState, "load_your_data"), path=routes.YOUR_DATA)
        asked = await tab.exchange(handler_name(YourDataState, "download_everything"), path=routes.YOUR_DATA)
    finally:
        await tab.close()
    url = _download_url(asked)
    assert url.startswith(routes.API_EVERYTHING + "?ticket=")
    assert entry.body not in json.dumps(asked)  # the websocket carries the address only

    address = running_app.url + url
    # Someone else's session, a clinician's, or none: refused, and the ticket stays unused.
    for other in (people["b"].cookie, people["c"].cookie, ""):
        before = snapshot(running_app)
        status, _, body = await asyncio.to_thread(_fetch, address, other)
        assert (status, body) == (403, b"")
        # Nothing written; the clinician's call, another role's, is audited as refused.
        after = snapshot(running_app)
        assert writes_between(before, after) == []
        refused = [(row[1], row[3], row[4]) for row in new_audit_rows(before, after)]
        clinician = _id_of(running_app, people["c"].email)
        assert refused == ([(clinician, "CALL", "DENIED")] if other == people["c"].cookie else [])
    status, headers, body = await asyncio.to_thread(_fetch, address, people["a"].cookie)
    assert status == 200
    assert headers["content-type"] == "application/zip"
    assert headers["cache-control"] == "no-store"
    assert headers["content-disposition"].startswith('attachment; filename="betterjournal-')
    bundle = zipfile.ZipFile(io.BytesIO(body))
    data = json.loads(bundle.read("betterjournal-data.json"))
    assert [item["fields"]["body"] for item in data["items"]["journal_entry"]] == [entry.body]
    # Once only; and a ticket changed by a letter is no ticket.
    assert (await asyncio.to_thread(_fetch, address, people["a"].cookie))[0] == 403
    forged = running_app.url + routes.API_EVERYTHING + "?" + urllib.parse.urlencode({"ticket": url[-10:]})
    assert (await asyncio.to_thread(_fetch, forged, people["a"].cookie))[0] == 403


async def test_deleting_the_account_from_several_tabs_at_once_deletes_it_once(
    running_app: RunningApp,
) -> None:
    """Attack review: four tabs tapping "Delete everything" at the same moment each deleted the
    account, and four deletions were on record for one. They take turns: one deletes it."""
    app = running_app
    client = (await new_people(app, "erase-race", a="client"))["a"]
    tabs = [await connect(app, client.cookie) for _ in range(4)]
    try:
        for tab in tabs:
            await tab.exchange(handler_name(YourDataState, "load_your_data"), path=routes.YOUR_DATA)
        before = snapshot(app)
        form = {"form": {"current_password": client.password, "code": "", "confirm": "on"}}
        await asyncio.gather(
            *(
                tab.exchange(handler_name(YourDataState, "delete_account"), form, path=routes.YOUR_DATA)
                for tab in tabs
            )
        )
        await asyncio.sleep(0.3)
        erased = [row[4] for row in new_audit_rows(before, snapshot(app)) if row[3] == "ERASE"]
        assert erased.count("ALLOWED") == 1, erased
        assert _id_of(app, client.email) is None
    finally:
        for tab in tabs:
            with contextlib.suppress(Exception):
                await tab.close()


@pytest.mark.parametrize("other_tab_sends", ["with_the_deletion", "after_it"])
async def test_another_tab_of_a_deleted_account_says_so_whenever_its_event_comes(
    running_app: RunningApp, other_tab_sends: str
) -> None:
    """A flaky journey: the other tab's page load reached the server between the deletion and
    the push that tells open tabs, and went to sign in with "your session ended", to an
    account that is gone. Whatever comes first, the tab now says the account is deleted."""
    app = running_app
    client = (await new_people(app, f"erase-other-{other_tab_sends}", a="client"))["a"]
    deleting, other = [await connect(app, client.cookie) for _ in range(2)]
    try:
        await deleting.exchange(handler_name(YourDataState, "load_your_data"), path=routes.YOUR_DATA)
        await other.exchange(handler_name(JournalState, "load_journal"), path=routes.JOURNAL)
        since = len(other.received)
        form = {"form": {"current_password": client.password, "code": "", "confirm": "on"}}
        delete = deleting.exchange(handler_name(YourDataState, "delete_account"), form, path=routes.YOUR_DATA)
        load = other.exchange(handler_name(JournalState, "load_journal"), path=routes.JOURNAL)
        if other_tab_sends == "with_the_deletion":
            await asyncio.gather(delete, load)
        else:
            assert redirect_targets(await delete) == [f"{routes.SIGN_IN}?deleted=1"]
            await load
        assert _id_of(app, client.email) is None
        await asyncio.sleep(0.5)  # the push, if it comes after the load
        told = other.received[since:]
        assert redirect_targets(told) == []
        shown = {k: v for update in told for k, v in state_of([update], AppState).items()}
        assert shown["signed_out_here"] is True and shown["account_deleted_here"] is True
        assert shown["viewer_name"] == ""
        # A tap on another page says the same, and sends nothing of anyone's.
        again = await other.exchange(handler_name(JournalState, "load_journal"), path=routes.JOURNAL)
        assert redirect_targets(again) == []
        assert filled_vars(again) == []
    finally:
        for tab in (deleting, other):
            with contextlib.suppress(Exception):
                await tab.close()

"""Hardening found by an outside attack on the running app (issue 11), over the wire.

- Invitation codes: a client's wrong codes are throttled and audited (the core's limits are
  in tests/unit/test_throttling.py, with sign-in throttling, which needs many addresses).
- Sign-out refused by its Origin check changes nothing; accepted, it ends the session.
- POSTs to the public form routes: a body that is too big or not a url-encoded form is
  refused before it is read.
- What a tab may cost: a websocket message's size, the page data the server keeps, the
  anonymous tabs one address holds open, and how long a tab nobody is signed in to stays
  in memory after it disconnects.

Every test runs as a client (clinicians may need MFA to sign in) against the real app.
"""

from __future__ import annotations

import asyncio
import contextlib
import http.client
import json
import socket
import sqlite3
import time
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterable
from typing import Any
from urllib.error import HTTPError

import pytest
import reflex as rx
import socketio.exceptions
from appserver import RunningApp
from socket_support import (
    Actor,
    connect,
    connected,
    database_path,
    new_people,
    problem_of,
    reconnect_same_token,
    redirect_targets,
    redirects_of,
    state_of,
)
from socketclient import EventClient, form_token_from, handler_name, router_data, var_value

from betterjournal import limits, routes
from betterjournal.core import links
from betterjournal.core.errors import TooManyAttempts
from betterjournal.db import session_scope
from betterjournal.state.base import ROUTER_DATA_MAX_CHARS, AppState
from betterjournal.state.care_team import CareTeamState
from betterjournal.state.journal import JournalState

FORM = "application/x-www-form-urlencoded"


async def a_client(app: RunningApp, prefix: str) -> Actor:
    return (await new_people(app, prefix, me="client"))["me"]


def query(app: RunningApp, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    connection = sqlite3.connect(f"file:{database_path(app)}?mode=ro", uri=True, timeout=10)
    try:
        return connection.execute(sql, params).fetchall()
    finally:
        connection.close()


def forget_code_attempts(app: RunningApp) -> None:
    """Every test comes from 127.0.0.1: give the address its code-check allowance back."""
    connection = sqlite3.connect(database_path(app), timeout=10)
    try:
        with connection:
            connection.execute("DELETE FROM login_failure WHERE scope LIKE 'code%'")
    finally:
        connection.close()


async def signed_in(app: RunningApp, cookie: str) -> bool:
    """Whether the session behind this cookie is alive: the app sends it home, not to sign in."""
    async with connected(app, cookie) as tab:
        updates = await tab.exchange(handler_name(AppState, "route_home"))
    return redirects_of(updates) != [routes.SIGN_IN]


# --- invitation codes --------------------------------------------------------------------------


async def test_wrong_codes_are_throttled_and_audited(running_app: RunningApp) -> None:
    """Before: 300 checks on one socket went through in half a second, none audited."""
    app = running_app
    client = await a_client(app, "codes")
    suffix = uuid.uuid4().hex[:8]
    clinician_email = f"codes-dr-{suffix}@example.com"
    await asyncio.to_thread(app.create_user, "clinician", clinician_email, f"Dr Codes {suffix}", "x" * 24)
    clinician_id = uuid.UUID(query(app, "SELECT id FROM user_account WHERE email = ?", clinician_email)[0][0])
    with app.core(), session_scope() as session:
        code = links.create_invitation(session, clinician_id=clinician_id)
    client_id = query(app, "SELECT id FROM user_account WHERE email = ?", client.email)[0][0]
    wrong = "-".join(["ABCD"] * 7)
    care: dict[str, Any] = {"path": routes.CARE_TEAM}
    try:
        async with connected(app, client.cookie) as tab:
            check = handler_name(CareTeamState, "check_code")
            refusals = [
                problem_of(await tab.exchange(check, {"form": {"code": wrong}}, **care))
                for _ in range(links.MAX_CODE_FAILURES_PER_CLIENT)
            ]
            assert len(set(refusals)) == 1 and "isn't valid" in refusals[0], refusals
            # Now even the right code waits: the client's allowance is spent.
            updates = await tab.exchange(check, {"form": {"code": code}}, **care)
            assert problem_of(updates) == str(TooManyAttempts())
            assert not state_of(updates, CareTeamState).get("invitation_from")
        audited = query(app, "SELECT action, outcome, item_id FROM audit_event WHERE actor_id = ?", client_id)
        assert audited == [("CHECK_CODE", "DENIED", None)] * links.MAX_CODE_FAILURES_PER_CLIENT
    finally:
        forget_code_attempts(app)


# --- sign-out ----------------------------------------------------------------------------------


def post(url: str, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, list[tuple[str, str]]]:
    """POST without following a redirect; the status and every response header."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: Any, **kwargs: Any) -> None:
            return None

    request = urllib.request.Request(url + path, data=body, headers=headers, method="POST")  # noqa: S310
    try:
        with urllib.request.build_opener(NoRedirect).open(request, timeout=30) as response:
            return response.status, list(response.headers.items())
    except HTTPError as error:
        return error.code, list(error.headers.items())


async def test_a_refused_sign_out_changes_nothing(running_app: RunningApp) -> None:
    """Before: a foreign page's sign-out cleared the cookie and the site's storage (the
    person was signed out of their view) while the session stayed alive on the server."""
    app = running_app
    me = await a_client(app, "signout")
    foreign = (
        {"Origin": "https://evil.example"},
        {"Origin": "null", "Sec-Fetch-Site": "cross-site"},
        {},  # neither Origin nor Sec-Fetch-Site
    )
    for headers in foreign:
        status, answer = await asyncio.to_thread(
            post,
            app.url,
            routes.API_SIGN_OUT,
            b"everywhere=yes",
            {**headers, "Cookie": me.cookie, "Content-Type": FORM},
        )
        names = {name.lower() for name, _ in answer}
        assert status == 403, (headers, status)
        assert "set-cookie" not in names and "clear-site-data" not in names, (headers, answer)
    assert await signed_in(app, me.cookie)

    status, answer = await asyncio.to_thread(
        post,
        app.url,
        routes.API_SIGN_OUT,
        b"",
        {"Origin": app.url, "Cookie": me.cookie, "Content-Type": FORM},
    )
    assert status == 303
    cookies = [value for name, value in answer if name.lower() == "set-cookie"]
    session_cookie = me.cookie.split("=", 1)[0]
    assert any(c.startswith(f"{session_cookie}=") and "max-age=0" in c.lower() for c in cookies), cookies
    assert any(name.lower() == "clear-site-data" for name, _ in answer)
    assert not await signed_in(app, me.cookie)


# --- bodies of the public form routes -----------------------------------------------------------


def raw_post(
    port: int, path: str, headers: dict[str, str], chunks: Iterable[bytes], *, wait: float = 5.0
) -> tuple[int | None, float]:
    """POST over a bare socket, sending the body `chunks` (as many as the server takes), then
    read the status line. Returns (status or None if none came within `wait`, seconds)."""
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=wait) as sock:
        head = f"POST {path} HTTP/1.1\r\nHost: localhost:{port}\r\nConnection: close\r\n"
        head += "".join(f"{name}: {value}\r\n" for name, value in headers.items()) + "\r\n"
        with contextlib.suppress(OSError):  # the server may answer and close before the end
            sock.sendall(head.encode())
            for chunk in chunks:
                sock.sendall(chunk)
        received = b""
        with contextlib.suppress(OSError):
            while b"\r\n" not in received:
                data = sock.recv(4096)
                if not data:
                    break
                received += data
    status = received.split(b"\r\n", 1)[0].split(b" ")
    code = int(status[1]) if len(status) > 1 and status[1].isdigit() else None
    return code, time.monotonic() - started


def chunked(total: int, size: int = 8192) -> Iterable[bytes]:
    sent = 0
    while sent < total:
        piece = b"x" * min(size, total - sent)
        sent += len(piece)
        yield f"{len(piece):x}\r\n".encode() + piece + b"\r\n"
    yield b"0\r\n\r\n"


async def test_big_or_unexpected_bodies_are_refused_before_they_are_read(running_app: RunningApp) -> None:
    """Before: a 50 MB file part posted to the sign-in route was read in full (into a
    temporary file) before the form token was even looked at."""
    app = running_app
    origin = {"Origin": app.url}
    boundary = "bjboundary"
    multipart_start = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.bin"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode() + b"\0" * 65_536
    cases: list[tuple[str, str, dict[str, str], Iterable[bytes], int]] = [
        (
            "a 50 MB file part, of which 64 KiB are sent",
            routes.API_SIGN_IN,
            {
                **origin,
                "Content-Type": f"multipart/form-data; boundary={boundary}",
                "Content-Length": "50000000",
            },
            [multipart_start],
            415,
        ),
        (
            "a form that says it is 50 MB, of which 64 KiB are sent",
            routes.API_SIGN_IN,
            {**origin, "Content-Type": FORM, "Content-Length": "50000000"},
            [b"email=" + b"x" * 65_536],
            413,
        ),
        (
            "a 100 KiB form without a length (chunked)",
            routes.API_REGISTER,
            {**origin, "Content-Type": FORM, "Transfer-Encoding": "chunked"},
            chunked(100 * 1024),
            413,
        ),
        (
            "a small JSON body",
            routes.API_SIGN_IN,
            {**origin, "Content-Type": "application/json", "Content-Length": "2"},
            [b"{}"],
            415,
        ),
        (
            "any route under /api/access/",
            routes.API_REQUEST_ACCESS,
            {
                **origin,
                "Content-Type": f"multipart/form-data; boundary={boundary}",
                "Content-Length": "50000000",
            },
            [multipart_start],
            415,
        ),
    ]
    problems = []
    for label, path, headers, chunks, expected in cases:
        status, seconds = await asyncio.to_thread(raw_post, app.port, path, headers, chunks)
        if status != expected:
            problems.append(f"{label}: answered {status} after {seconds:.1f} s, not {expected}")
    assert problems == [], "\n".join(problems)
    # A form of ordinary size still arrives (refused only for its stale form token).
    status, answer = await asyncio.to_thread(
        post,
        app.url,
        routes.API_SIGN_IN,
        b"email=a%40example.com&password=x&form_token=old",
        {**origin, "Content-Type": FORM},
    )
    assert status == 303 and ("location", f"{routes.SIGN_IN}?error=form") in [
        (n.lower(), v) for n, v in answer
    ]


# --- what a tab may cost ----------------------------------------------------------------------

SETTLE = handler_name(rx.State, "set_is_hydrated")
CHOOSE_LANGUAGE = handler_name(AppState, "choose_language")  # public; ignores what it can't use


async def emit(client: EventClient, name: str, payload: Any, router: dict[str, Any]) -> None:
    assert client._sio is not None
    await client._sio.emit(
        "event", {"name": name, "payload": payload, "router_data": router}, namespace="/_event"
    )


async def echoed(client: EventClient, marker: str, timeout: float) -> bool:
    """Whether an update carrying `marker` arrives within `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(marker in json.dumps(update) for update in client.received):
            return True
        await asyncio.sleep(0.05)
    return False


async def test_a_tab_cannot_make_the_server_keep_a_big_page(running_app: RunningApp) -> None:
    """Before: one event carrying an 800 kB query cost ~1.4 MB of server memory for the
    whole idle timeout (Reflex keeps an event's router data in the tab's state)."""
    app = running_app
    big = "q" * (ROUTER_DATA_MAX_CHARS * 16)
    async with connected(app) as tab:
        await emit(tab, SETTLE, {"value": True}, router_data(routes.SIGN_IN, {"big": big}))
        await emit(tab, SETTLE, {"value": True}, {**router_data(routes.SIGN_IN, None), "asPath": "/?" + big})
        marker = uuid.uuid4().hex
        await emit(tab, SETTLE, {"value": True}, router_data(routes.SIGN_IN, {"m": marker}))
        assert await echoed(tab, marker, 10), "the tab stopped answering"
        assert not any(big in json.dumps(update) for update in tab.received), "the big page was kept"
        # The tab goes on as before.
        updates = await tab.exchange(handler_name(AppState, "prepare_public_page"), path=routes.SIGN_IN)
        assert form_token_from(updates)
        assert big not in json.dumps(updates)


async def test_a_websocket_message_over_the_limit_closes_the_connection(running_app: RunningApp) -> None:
    """Before: Reflex's default let a tab send 1 MB in one message."""
    app = running_app
    tab = await connect(app)
    try:
        await emit(tab, CHOOSE_LANGUAGE, {"language": "p" * 600_000}, router_data(routes.SIGN_IN, None))
        marker = uuid.uuid4().hex
        with contextlib.suppress(Exception):
            await emit(tab, SETTLE, {"value": True}, router_data(routes.SIGN_IN, {"m": marker}))
        assert not await echoed(tab, marker, 5)
        assert tab._sio is not None and not tab._sio.connected
    finally:
        with contextlib.suppress(Exception):
            await tab.close()
    # A message of an entry's size still goes through.
    async with connected(app) as tab:
        marker = uuid.uuid4().hex
        # An entry's longest body, 50,000 characters (this client escapes each as \u00e9: 6 bytes).
        body = "é" * 50_000
        await emit(tab, CHOOSE_LANGUAGE, {"language": body}, router_data(routes.SIGN_IN, {"m": marker}))
        assert await echoed(tab, marker, 10)


async def test_one_address_holds_only_so_many_anonymous_tabs(running_app: RunningApp) -> None:
    app = running_app
    me = await a_client(app, "tabs")
    tabs = []
    try:
        for _ in range(limits.ANONYMOUS_TABS_PER_ADDRESS):
            tabs.append(await connect(app))
        with pytest.raises(socketio.exceptions.ConnectionError):  # refused at the handshake
            tabs.append(await connect(app))
        # A signed-in person's tab doesn't count, and isn't refused.
        tabs.append(await connect(app, me.cookie))
    finally:
        await asyncio.gather(*(tab.close() for tab in tabs), return_exceptions=True)
    for _attempt in range(50):  # closed tabs are counted off as the server sees them go
        with contextlib.suppress(Exception):
            await (await connect(app)).close()
            break
        await asyncio.sleep(0.1)
    else:
        raise AssertionError("closed tabs still counted")


async def test_a_tab_nobody_is_signed_in_to_leaves_memory_soon_after_it_disconnects(
    running_app: RunningApp,
) -> None:
    """Before: every tab's state stayed in memory for the client idle timeout (30 min)
    after it disconnected, anonymous or not; and a script signed in to one account could
    open tab after tab (about 0.1 MB each, for 30 minutes). A person's disconnected tabs
    beyond the SIGNED_IN_TABS_KEPT used last now leave memory too."""
    app = running_app
    me = await a_client(app, "expiry")
    hydrate = handler_name(rx.State, "hydrate")
    anonymous = await connect(app)
    shown = await anonymous.exchange(handler_name(AppState, "prepare_public_page"), path=routes.SIGN_IN)
    anonymous_token = form_token_from(shown)
    await anonymous.close()
    older: list[tuple[str, str]] = []  # (tab token, its form token), oldest first
    for _ in range(limits.SIGNED_IN_TABS_KEPT + 2):
        tab = await connect(app, me.cookie)
        older.append((tab.token, form_token_from(await tab.exchange(hydrate, path=routes.JOURNAL))))
        await tab.close()
    signed = await connect(app, me.cookie)
    signed_token = form_token_from(await signed.exchange(hydrate, path=routes.JOURNAL))
    await signed.close()
    await asyncio.sleep(limits.ANONYMOUS_TAB_SECONDS + 2 * limits.SWEEP_SECONDS + 2)

    async def form_token_again(token: str, cookie: str = "", path: str = routes.JOURNAL) -> str:
        again = await reconnect_same_token(app, token, cookie)
        try:
            return var_value(await again.exchange(hydrate, path=path), "form_token")
        finally:
            await again.close()

    # The tab's state is new: not the form token it was given before.
    assert await form_token_again(anonymous.token, path=routes.SIGN_IN) != anonymous_token
    # A signed-in person's tab used last is kept (until the idle timeout), form token and all;
    # the oldest beyond the ones kept starts afresh.
    assert await form_token_again(signed.token, me.cookie) == signed_token
    assert await form_token_again(older[-1][0], me.cookie) == older[-1][1]
    assert await form_token_again(older[0][0], me.cookie) != older[0][1]


async def test_a_signed_out_tab_is_sent_to_sign_in_with_only_its_own_page_to_come_back_to(
    running_app: RunningApp,
) -> None:
    """The deep link survives sign-in (tests/e2e/test_sign_in_forms.py); a page that is not
    one of ours is never carried on (no open redirect: tests/unit/test_next_page.py)."""
    load = handler_name(JournalState, "load_journal")
    async with connected(running_app, "") as tab:
        own = await tab.exchange(load, path=routes.ENTRY, query={"id": "abc-1"})
        elsewhere = await tab.exchange(load, path="//evil.example/journal")
    assert redirect_targets(own) == [routes.SIGN_IN + "?next=%2Fjournal%2Fentry%3Fid%3Dabc-1"]
    assert redirect_targets(elsewhere) == [routes.SIGN_IN]


def _answer_of(app: RunningApp, method: str, path: str, headers: dict[str, str], body: bytes = b""):
    host = urllib.parse.urlsplit(app.url)
    connection = http.client.HTTPConnection(host.hostname or "localhost", host.port, timeout=10)
    try:
        connection.request(method, path, body=body or None, headers=headers)
        response = connection.getresponse()
        response.read()
        return response.status, {name.lower(): value for name, value in response.getheaders()}
    finally:
        connection.close()


def test_every_kind_of_answer_carries_the_security_headers(running_app: RunningApp) -> None:
    """TRANS-2 from outside, on every kind of answer the app gives: a page, a page that
    doesn't exist, a build file, JSON, a form's redirect, a refused method, a body too big,
    the service worker and a CORS preflight (which Reflex's CORS layer, outside every other,
    answered with none of them: an outside check)."""
    origin = {"Origin": running_app.url}
    form = {**origin, "Content-Type": FORM}
    answers = {
        "page": _answer_of(running_app, "GET", routes.SIGN_IN, {}),
        "no such page": _answer_of(running_app, "GET", "/no-such-page", {}),
        "health": _answer_of(running_app, "GET", routes.HEALTH, {}),
        "service worker": _answer_of(running_app, "GET", routes.SERVICE_WORKER, {}),
        "form redirect": _answer_of(running_app, "POST", routes.API_SIGN_IN, form, b"email=x"),
        "wrong method": _answer_of(running_app, "PUT", routes.API_SIGN_IN, origin),
        "too big": _answer_of(running_app, "POST", routes.API_REGISTER, form, b"a=" + b"x" * 40_000),
        "preflight": _answer_of(
            running_app,
            "OPTIONS",
            routes.API_SIGN_IN,
            {**origin, "Access-Control-Request-Method": "POST"},
        ),
    }
    problems = []
    for name, (status, headers) in answers.items():
        policy = headers.get("content-security-policy", "")
        wanted = {
            "default-src 'self'": "default-src 'self'" in policy,
            "object-src 'none'": "object-src 'none'" in policy,
            "base-uri 'none'": "base-uri 'none'" in policy,
            "frame-ancestors 'none'": "frame-ancestors 'none'" in policy,
            "no unsafe-eval": "unsafe-eval" not in policy,
            "nosniff": headers.get("x-content-type-options") == "nosniff",
            "no-referrer": headers.get("referrer-policy") == "no-referrer",
            "permissions-policy": bool(headers.get("permissions-policy")),
            "no-store": headers.get("cache-control") == "no-store",
        }
        problems += [f"{name} ({status}): {missing}" for missing, held in wanted.items() if not held]
    assert answers["preflight"][0] < 500 and answers["too big"][0] == 413
    assert problems == [], "\n".join(problems)

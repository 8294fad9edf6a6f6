"""What one client may cost the server before anyone has signed in (issue 11).

- POSTs under the public form routes (/api/auth/, /api/access/) carry a small url-encoded
  form, nothing else: a bigger or other body is refused before it is read, so no one can
  make the server buffer or spool megabytes before the form token is even checked.
- An address may hold only so many websocket tabs open with nobody signed in.
- A tab with nobody signed in, once disconnected, leaves server memory shortly after,
  instead of at the signed-in idle timeout (the memory state manager keeps every tab).

What one event may carry is capped in two places: the websocket frame (rxconfig.py sets
Reflex's max_http_buffer_size) and the router data a tab may make the server keep
(state/base.py, SessionGate).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from typing import Any

from reflex.istate.manager.memory import StateManagerMemory
from reflex.istate.manager.token import BaseStateToken
from starlette.requests import HTTPConnection
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from betterjournal import routes
from betterjournal.api import (
    TYPED_WORDS_MAX_BYTES,
    client_address,
    is_form_type,
    session_token_from_cookie_header,
)
from betterjournal.core import accounts
from betterjournal.db import in_session

log = logging.getLogger("betterjournal.limits")

FORM_PREFIXES = ("/api/auth/", "/api/access/")
# Our largest public form (registration, an access request) is well under 2 KiB encoded.
FORM_MAX_BYTES = 16_384
# But sign-in may carry an entry's words typed as the session ended (api.sign_in), as much
# as the draft beacon takes.
FORM_MAX_BYTES_BY_PATH = {routes.API_SIGN_IN: TYPED_WORDS_MAX_BYTES}
EVENT_PATH = "/_event"
# Websocket tabs with nobody signed in, open at once from one client address.
ANONYMOUS_TABS_PER_ADDRESS = 20
# A disconnected tab with nobody signed in leaves memory once idle this long (seconds);
# the sweep looks every SWEEP_SECONDS. A tab that reconnects later starts afresh, as a
# public page does anyway (its on_load issues a new form token).
ANONYMOUS_TAB_SECONDS = 10
# A signed-in person's disconnected tabs stay (until the idle timeout) so that a phone
# waking up finds its page as it was; beyond this many, their oldest leave memory too
# (a script opening tab after tab kept about 0.1 MB each for 30 minutes).
SIGNED_IN_TABS_KEPT = 20
SWEEP_SECONDS = 5
_SWEEP_BATCH = 2_000  # tabs looked at between two yields to the event loop


class RequestLimits:
    """ASGI middleware: the form-body limits and the per-address cap on anonymous tabs."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.anonymous_tabs: Counter[str] = Counter()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] == "http" and scope.get("method") == "POST" and path.startswith(FORM_PREFIXES):
            await self._small_form(scope, receive, send)
        elif scope["type"] == "websocket" and path.startswith(EVENT_PATH):
            await self._counted_tab(scope, receive, send)
        else:
            await self.app(scope, receive, send)

    async def _small_form(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on with its whole body read here, or refuse it: 415 for anything
        but a url-encoded form, 413 past its limit (by its Content-Length or by the bytes
        that actually arrive, whichever says so first)."""
        connection = HTTPConnection(scope)
        limit = FORM_MAX_BYTES_BY_PATH.get(scope.get("path", "").rstrip("/"), FORM_MAX_BYTES)
        if not is_form_type(connection.headers.get("content-type", "")):
            await Response(status_code=415)(scope, receive, send)
            return
        declared = connection.headers.get("content-length", "0")
        if not declared.isdigit() or int(declared) > limit:
            await Response(status_code=413)(scope, receive, send)
            return
        body = bytearray()
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body.extend(message.get("body", b""))
            if len(body) > limit:
                await Response(status_code=413)(scope, receive, send)
                return
            if not message.get("more_body"):
                break
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()  # a disconnect, when the client goes
            replayed = True
            return {"type": "http.request", "body": bytes(body), "more_body": False}

        await self.app(scope, replay, send)

    async def _counted_tab(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Open the tab unless its address already holds ANONYMOUS_TABS_PER_ADDRESS tabs with
        nobody signed in (refused before the handshake is accepted: HTTP 403)."""
        connection = HTTPConnection(scope)
        token = session_token_from_cookie_header(connection.headers.get("cookie", ""))
        if token and await in_session(accounts.resolve_session, token=token) is not None:
            await self.app(scope, receive, send)
            return
        address = client_address(connection)
        if self.anonymous_tabs[address] >= ANONYMOUS_TABS_PER_ADDRESS:
            message = await receive()
            if message["type"] == "websocket.connect":
                await send({"type": "websocket.close", "code": 1008})
            return
        self.anonymous_tabs[address] += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.anonymous_tabs[address] -= 1
            if self.anonymous_tabs[address] <= 0:
                del self.anonymous_tabs[address]


# --- tabs with nobody signed in leave memory soon ---------------------------------------

_sweeper: asyncio.Task | None = None


def expire_idle_tabs(app: Any, signed_in: Callable[[Any], str]) -> None:
    """Make sure this worker sweeps out disconnected tabs nobody is signed in to, and a
    person's disconnected tabs beyond SIGNED_IN_TABS_KEPT.

    Called for every event (SessionGate), so it starts with the worker's first event; it
    costs a look at one variable after that. `signed_in(root_state)` is who a tab's state
    is held for ("" for nobody). Only the in-memory state manager is swept (the app's;
    Redis expires what it holds on its own).
    """
    global _sweeper
    if _sweeper is None or _sweeper.done():
        _sweeper = asyncio.get_running_loop().create_task(
            _sweep_forever(app, signed_in), name="betterjournal|idle tabs"
        )


async def _sweep_forever(app: Any, signed_in: Callable[[Any], str]) -> None:
    while True:
        await asyncio.sleep(SWEEP_SECONDS)
        try:
            await sweep_idle_tabs(app, signed_in)
        except Exception as error:  # never let the sweeper die: log the type only
            log.error("sweeping idle tabs failed: %s", type(error).__name__)


async def sweep_idle_tabs(app: Any, signed_in: Callable[[Any], str]) -> int:
    """Drop the state of every tab that is not connected, has been idle ANONYMOUS_TAB_SECONDS
    and holds nobody's data, and of a person's such tabs beyond their SIGNED_IN_TABS_KEPT
    used last; return how many.

    Uses the memory manager's own bookkeeping (Reflex has no public call to drop a tab):
    each tab's deadline is its last use plus `token_expiration`, and `_purge_token` is
    what its own expiry calls. A tab being worked on (its lock held) is left alone; the
    check and the drop of each tab happen with no await between them.
    """
    manager = app.state_manager
    if not isinstance(manager, StateManagerMemory):
        return 0
    namespace = app.event_namespace
    connected = namespace.token_to_sid if namespace is not None else {}
    latest_deadline = time.time() + manager.token_expiration - ANONYMOUS_TAB_SECONDS
    dropped = 0
    kept: dict[str, list[tuple[float, str, BaseStateToken]]] = defaultdict(list)  # per person
    for index, key in enumerate(list(manager._token_expires_at)):
        if index and not index % _SWEEP_BATCH:
            await asyncio.sleep(0)
        tracked = manager._token_expires_at.get(key)
        if tracked is None or key in connected:
            continue
        deadline, token = tracked
        if deadline > latest_deadline or not isinstance(token, BaseStateToken):
            continue
        if _in_use(manager, token):
            continue
        state = manager.states.get(key)
        with contextlib.suppress(Exception):
            person = "" if state is None else signed_in(state)
            if person:
                kept[person].append((deadline, key, token))
            else:
                manager._purge_token(token)
                dropped += 1
    for tabs in kept.values():
        tabs.sort(key=lambda tab: tab[0], reverse=True)  # used last first
        for deadline, key, token in tabs[SIGNED_IN_TABS_KEPT:]:
            now = manager._token_expires_at.get(key)  # still, after the awaits above: not used since
            if (
                now is not None
                and now[0] == deadline
                and key not in connected
                and not _in_use(manager, token)
            ):
                manager._purge_token(token)
                dropped += 1
    return dropped


def closed_tab_state(app: Any, token: str) -> Any:
    """The root state server memory holds for a tab that is not connected now, or None
    (connected, gone already, or not the in-memory manager). To read, not to change: it
    takes no lock and leaves the tab's expiry as it was."""
    manager = app.state_manager
    namespace = app.event_namespace
    if not isinstance(manager, StateManagerMemory) or (
        namespace is not None and token in namespace.token_to_sid
    ):
        return None
    return manager.states.get(token)


def drop_closed_tab(app: Any, token: str) -> bool:
    """Drop a disconnected tab's state now, as the sweeper drops one: not while it is being
    worked on, nor once it is connected again (checked with no await before the drop)."""
    manager = app.state_manager
    namespace = app.event_namespace
    tracked = manager._token_expires_at.get(token) if isinstance(manager, StateManagerMemory) else None
    if tracked is None or not isinstance(tracked[1], BaseStateToken):
        return False
    if (namespace is not None and token in namespace.token_to_sid) or _in_use(manager, tracked[1]):
        return False
    manager._purge_token(tracked[1])
    return True


def _in_use(manager: StateManagerMemory, token: BaseStateToken) -> bool:
    """A tab being worked on (its lock held) is left alone."""
    lock = manager._states_locks.get(token.lock_key)
    return lock is not None and lock.locked()

"""A raw Socket.IO client for the app's event endpoint: what an attacker's script would use.

It speaks Reflex's wire protocol directly (no browser), so tests can call any
registered handler with any payload and any cookie, and read back every delta.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.error import HTTPError

import socketio
import two_step

ROUTER_DATA = {"pathname": "/", "query": {}, "asPath": "/"}


def handler_name(state_class: type, handler: str) -> str:
    return f"{state_class.get_full_name()}.{handler}"  # type: ignore[attr-defined]


@dataclass
class EventClient:
    """One browser tab's worth of connection: its own Reflex token and cookie."""

    url: str
    cookie: str = ""
    origin: str | None = None
    token: str = field(default_factory=lambda: str(uuid.uuid4()))
    received: list[dict[str, Any]] = field(default_factory=list)
    # Tokens the server handed out instead of ours (it does so while our token is
    # still linked to another live connection, i.e. a duplicated tab).
    new_tokens: list[str] = field(default_factory=list)
    _sio: socketio.AsyncClient | None = None
    _arrived: asyncio.Event = field(default_factory=asyncio.Event)

    async def connect(self) -> None:
        self._sio = socketio.AsyncClient(reconnection=False)

        async def on_event(data: Any) -> None:
            self.received.append(data if isinstance(data, dict) else json.loads(data))
            self._arrived.set()

        self._sio.on("event", on_event, namespace="/_event")

        async def on_new_token(data: Any) -> None:
            self.new_tokens.append(str(data))

        self._sio.on("new_token", on_new_token, namespace="/_event")

        headers = {"Origin": self.origin or self.url}
        if self.cookie:
            headers["Cookie"] = self.cookie
        await self._sio.connect(
            f"{self.url}?token={self.token}",
            socketio_path="/_event",
            namespaces=["/_event"],
            transports=["websocket"],
            headers=headers,
            wait_timeout=10,
        )

    async def close(self) -> None:
        if self._sio is not None:
            await self._sio.disconnect()

    async def exchange(
        self,
        name: str,
        payload: Any = None,
        *,
        path: str = "/",
        query: dict[str, str] | None = None,
        timeout: float = 10.0,
    ) -> list[dict[str, Any]]:
        """Emit one event and return its updates as soon as the app is done with it.

        The payload is sent exactly as given (any JSON value; `None` sends `{}`). See
        `_exchange` below for how "done" is known without the retired `final` flag.
        """
        return await _exchange(self, name, payload, path=path, query=query, timeout=timeout)


def merged_delta(updates: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """All state changes in a list of updates, by state name."""
    merged: dict[str, dict[str, Any]] = {}
    for update in updates:
        for state, values in (update.get("delta") or {}).items():
            merged.setdefault(state, {}).update(values)
    return merged


def var_value(updates: list[dict[str, Any]], var: str) -> Any:
    """The last value of a var (by its plain name) in these updates, or None."""
    found = None
    for values in merged_delta(updates).values():
        for key, value in values.items():
            if key == var or key.startswith(var + "_rx_state"):
                found = value
    return found


def form_token_from(updates: list[dict[str, Any]]) -> str:
    token = var_value(updates, "form_token")
    assert isinstance(token, str) and token, "no form token in the updates"
    return token


def post_form(url: str, path: str, fields: dict[str, str], *, cookie: str = "") -> tuple[int, dict[str, str]]:
    """POST a form the way the browser does (same origin); don't follow the redirect."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: Any, **kwargs: Any) -> None:
            return None

    request = urllib.request.Request(  # noqa: S310 - our own app on localhost
        url + path,
        data=urllib.parse.urlencode(fields).encode(),
        headers={
            "Origin": url,
            "Content-Type": "application/x-www-form-urlencoded",
            **({"Cookie": cookie} if cookie else {}),
        },
        method="POST",
    )
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=30) as response:
            return response.status, dict(response.headers)
    except HTTPError as error:
        return error.code, dict(error.headers)


# --- settled exchanges -------------------------------------------------------------------
#
# Reflex 0.10 no longer marks the last update of an event (`final` is deprecated since
# 0.9 and never sent), Events of one client
# token are processed strictly in order, so `exchange` follows the event with a harmless
# marker event: the framework's own `set_is_hydrated(True)`, sent with the same page and
# query plus one unique query parameter. Its update carries that parameter back in the
# router vars; once it arrives, everything sent before it has been processed. More
# markers catch events the handler chained (on_load handlers, events it returned),
# until a round brings nothing new.

SETTLE_PARAMETER = "__settle"
_SETTLE_ROUNDS_MIN = 2
_SETTLE_ROUNDS_MAX = 8


def router_data(path: str, query: dict[str, str] | None) -> dict[str, Any]:
    router: dict[str, Any] = {"pathname": path, "query": query or {}, "asPath": path}
    if query:
        router["asPath"] = path + "?" + urllib.parse.urlencode(query)
    return router


def _is_settle_echo(update: dict[str, Any]) -> bool:
    """Whether an update only echoes settle markers (router vars and `is_hydrated`)."""
    if update.get("events"):
        return False
    for values in (update.get("delta") or {}).values():
        for key in values:
            if not (key.startswith("rx_router") or key.startswith("is_hydrated")):
                return False
    return SETTLE_PARAMETER in json.dumps(update)


async def _exchange(
    client: EventClient,
    name: str,
    payload: Any,
    *,
    path: str,
    query: dict[str, str] | None,
    timeout: float,
) -> list[dict[str, Any]]:
    from reflex.state import State

    assert client._sio is not None
    start = len(client.received)
    await client._sio.emit(
        "event",
        {
            "name": name,
            "payload": {} if payload is None else payload,
            "router_data": router_data(path, query),
        },
        namespace="/_event",
    )
    deadline = time.monotonic() + timeout
    seen = start
    for round_number in range(_SETTLE_ROUNDS_MAX):
        marker = uuid.uuid4().hex
        await client._sio.emit(
            "event",
            {
                "name": handler_name(State, "set_is_hydrated"),
                "payload": {"value": True},
                "router_data": router_data(path, {**(query or {}), SETTLE_PARAMETER: marker}),
            },
            namespace="/_event",
        )
        while not any(marker in json.dumps(u) for u in client.received[seen:]):
            client._arrived.clear()
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"the app did not finish {name} within {timeout} s")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(client._arrived.wait(), remaining)
        round_updates = client.received[seen:]
        seen = len(client.received)
        brought_news = any(not _is_settle_echo(u) for u in round_updates)
        if round_number + 1 >= _SETTLE_ROUNDS_MIN and not brought_news:
            break
    return [u for u in client.received[start:] if not _is_settle_echo(u)]


def strip_router(merged: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """A merged delta without the router vars (path, headers, client token, session id)."""
    cleaned = {
        state: {k: v for k, v in values.items() if not k.startswith("rx_router")}
        for state, values in merged.items()
    }
    return {state: values for state, values in cleaned.items() if values}


async def post_sign_in(
    url: str, email: str, password: str, more: dict[str, str] | None = None, *, cookie: str = ""
) -> tuple[int, dict[str, str]]:
    """Post the sign-in form (with `more` fields) as a browser does (holding `cookie`): its
    status and headers."""
    from betterjournal.state.base import AppState

    anonymous = EventClient(url)
    await anonymous.connect()
    try:
        updates = await anonymous.exchange(handler_name(AppState, "prepare_public_page"), path="/signin/")
    finally:
        await anonymous.close()
    fields = {"email": email, "password": password, "form_token": form_token_from(updates), **(more or {})}
    return await asyncio.to_thread(post_form, url, "/api/auth/signin", fields, cookie=cookie)


async def sign_in(url: str, email: str, password: str) -> str:
    """Sign in through the real HTTP route, as a browser does; return the Cookie header value."""
    status, headers = await post_sign_in(url, email, password)
    cookie = headers.get("set-cookie") or headers.get("Set-Cookie") or ""
    assert status == 303 and cookie, f"sign-in failed: {status} {headers.get('location')}"
    cookie = cookie.split(";", 1)[0]
    if (headers.get("location") or "").startswith("/signin/code"):
        await enter_code(url, cookie, two_step.next_code(email))
    return cookie


async def enter_code(url: str, cookie: str, code: str) -> list[dict[str, Any]]:
    """The two-step code after the password, on the code page's own handler."""
    from betterjournal.state.account import SignInCodeState

    tab = EventClient(url, cookie=cookie)
    await tab.connect()
    try:
        return await tab.exchange(
            handler_name(SignInCodeState, "submit_code"), {"form": {"code": code}}, path="/signin/code/"
        )
    finally:
        await tab.close()


def sign_out(url: str, cookie: str, *, everywhere: bool = False) -> int:
    """POST the sign-out form with this session cookie, as the browser does."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: Any, **kwargs: Any) -> None:
            return None

    fields = {"everywhere": "yes"} if everywhere else {}
    request = urllib.request.Request(  # noqa: S310 - our own app on localhost
        url + "/api/auth/signout",
        data=urllib.parse.urlencode(fields).encode(),
        headers={
            "Origin": url,
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": cookie,
        },
        method="POST",
    )
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=30) as response:
            return response.status
    except HTTPError as error:
        return error.code

"""A raw Socket.IO client for the app's event endpoint: what an attacker's script would use.

It speaks Reflex's wire protocol directly (no browser), so tests can call any
registered handler with any payload and any cookie, and read back every delta.
"""

from __future__ import annotations

import asyncio
import json
import time
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass, field
from typing import Any

import socketio

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
    _sio: socketio.AsyncClient | None = None
    _arrived: asyncio.Event = field(default_factory=asyncio.Event)

    async def connect(self) -> None:
        self._sio = socketio.AsyncClient(reconnection=False)

        @self._sio.on("event", namespace="/_event")
        async def on_event(data: Any) -> None:
            self.received.append(data if isinstance(data, dict) else json.loads(data))
            self._arrived.set()

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

    async def call(
        self,
        name: str,
        payload: dict[str, Any] | None = None,
        *,
        path: str = "/",
        query: dict[str, str] | None = None,
        timeout: float = 10.0,
    ) -> list[dict[str, Any]]:
        """Emit one event and collect every update until the final one (or the timeout)."""
        assert self._sio is not None
        start = len(self.received)
        router = {"pathname": path, "query": query or {}, "asPath": path}
        if query:
            router["asPath"] = path + "?" + urllib.parse.urlencode(query)
        await self._sio.emit(
            "event",
            {"name": name, "payload": payload or {}, "router_data": router},
            namespace="/_event",
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            updates = self.received[start:]
            if any(u.get("final") for u in updates):
                return updates
            self._arrived.clear()
            try:
                await asyncio.wait_for(self._arrived.wait(), deadline - time.monotonic())
            except TimeoutError:
                break
        return self.received[start:]


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


def post_form(url: str, path: str, fields: dict[str, str]) -> tuple[int, dict[str, str]]:
    """POST a form the way the browser does (same origin); don't follow the redirect."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: Any, **kwargs: Any) -> None:
            return None

    request = urllib.request.Request(  # noqa: S310 - our own app on localhost
        url + path,
        data=urllib.parse.urlencode(fields).encode(),
        headers={"Origin": url, "Content-Type": "application/x-www-form-urlencoded"},
        method="POST",
    )
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=30) as response:
            return response.status, dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers)


async def sign_in(url: str, email: str, password: str) -> str:
    """Sign in through the real HTTP route; return the Cookie header value to send."""
    from betterjournal.state.base import AppState

    anonymous = EventClient(url)
    await anonymous.connect()
    try:
        updates = await anonymous.call(
            handler_name(AppState, "prepare_public_page"), path="/signin/"
        )
    finally:
        await anonymous.close()
    status, headers = await asyncio.to_thread(
        post_form,
        url,
        "/api/auth/signin",
        {"email": email, "password": password, "form_token": form_token_from(updates)},
    )
    cookie = headers.get("set-cookie") or headers.get("Set-Cookie") or ""
    assert status == 303 and cookie, f"sign-in failed: {status} {headers.get('location')}"
    return cookie.split(";", 1)[0]

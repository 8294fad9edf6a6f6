"""What one person changes reaches the other people's open tabs at once (AUTHZ-6).

A tab that shows something other people's actions change (a clinician's view of shared
items, a client's share switches) is remembered for its signed-in person. When someone
revokes, shares, ends a link, deletes or reads a shared item, each remembered tab of the
people concerned re-checks, from the server, what it holds and drops what it may no
longer show (or shows what is new); the change is pushed to that browser right away. A
tab that holds nothing any more is forgotten, so other tabs cost nothing.

States that hold another person's data implement `_recheck_access(viewer_id)` and
`_leave(path)`; they are found automatically (`holders`).

Every tab a person is signed in on is known too (`push_to_signed_in_tabs`): a sign-out
elsewhere reaches it at once, and so does news from the server itself (a reminder given).
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import logging
import uuid
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

log = logging.getLogger("betterjournal.live")

# Tab tokens per signed-in person, in this process (the in-memory state manager's scope).
_tabs: dict[str, set[str]] = defaultdict(set)
# Every tab a person is signed in on (each event's viewer), for pushing a sign-out.
_signed_in_tabs: dict[str, set[str]] = defaultdict(set)
_SIGNED_IN_TABS_KEPT = 20  # per person; closed tabs beyond it are dropped when one is added
_tasks: set[asyncio.Task] = set()  # keeps pushes alive until they finish


def remember(viewer_id: str, token: str) -> None:
    _tabs[viewer_id].add(token)


def forget(viewer_id: str, token: str) -> None:
    _tabs.get(viewer_id, set()).discard(token)


def signed_in_here(viewer_id: str, token: str) -> None:
    """This tab's events are this person's (AppState._identify, on every event)."""
    tokens = _signed_in_tabs[viewer_id]
    if token in tokens:
        return
    tokens.add(token)
    if len(tokens) > _SIGNED_IN_TABS_KEPT:
        from betterjournal.betterjournal import app

        # Kept: the tabs open now, and the closed ones server memory still holds (the idle-tab
        # sweeper keeps a person's last few), so that a session ending reaches them too.
        open_now = app.event_namespace.token_to_sid if app.event_namespace is not None else {}
        held = getattr(app.state_manager, "states", {})
        tokens.intersection_update({t for t in tokens if t in open_now or t in held} | {token})


def signed_in_people() -> set[str]:
    """Who has a tab signed in, in this process."""
    return {user_id for user_id, tokens in _signed_in_tabs.items() if tokens}


def recheck_sessions(user_ids: Iterable[uuid.UUID | str]) -> None:
    """Sessions of these people just ended (signed out elsewhere, a new password, the
    account deleted): each of their open tabs re-checks its cookie now, and one whose
    session ended is wiped and says so at once, instead of at its next event."""
    push_to_signed_in_tabs(user_ids, None)


# What a push does in one tab, once its session is known to hold: (the tab's root state,
# the signed-in person, a core.accounts.Viewer).
Push = Callable[[Any, Any], Awaitable[None]]


def push_to_signed_in_tabs(user_ids: Iterable[uuid.UUID | str], push: Push | None, *, but: str = "") -> None:
    """In the background, in every open tab these people are signed in on (but the tab
    `but`, which shows the change already): re-check the tab's session (without counting
    it as their activity); a tab whose session ended is wiped and says so; in the others,
    `push` (if any) runs and its change reaches the browser at once."""
    for user_id in {str(u) for u in user_ids}:
        for token in _signed_in_tabs.get(user_id, set()) - {but}:
            task = asyncio.create_task(_push(user_id, token, push), context=contextvars.Context())
            _tasks.add(task)
            task.add_done_callback(_tasks.discard)


async def recheck_unattended(app_state: Any, held: Any, viewer_id: str) -> None:
    """`held._recheck_access`, for a tab nobody may be looking at (a push, a reconnect): what
    the clinician never saw stays out of the page (`sharing.unseen_held_back`), which offers
    to show it instead (`AppState.shared_waiting_on`, `show_shared_waiting`)."""
    from betterjournal.core import sharing

    with sharing.unseen_held_back() as waiting:
        await held._recheck_access(viewer_id)
    if waiting and held._held_path:
        app_state.shared_waiting_on = held._held_path
    elif app_state.shared_waiting_on and app_state.shared_waiting_on == held._held_path:
        # What was offered is no longer waiting (made private again, or seen in another
        # tab): "Show it" would show nothing new (walk-through).
        app_state.shared_waiting_on = ""


async def _push(user_id: str, token: str, push: Push | None) -> None:
    import reflex as rx

    from betterjournal.betterjournal import app
    from betterjournal.state.base import AppState

    namespace = app.event_namespace
    if namespace is not None and token not in namespace.token_to_sid:
        # Closed, or between reconnects: nothing is sent to it.
        if push is None:
            try:
                await _drop_if_signed_out(user_id, token)
            except Exception as error:  # a closed tab must not break the person who acted
                log.warning("dropping a closed tab failed (%s)", type(error).__name__)
        return
    try:
        async with app.modify_state(rx.BaseStateToken(ident=token, cls=AppState)) as root:
            app_state: Any = await root.get_state(AppState)
            if app_state._viewer_id != user_id:
                _signed_in_tabs.get(user_id, set()).discard(token)
                return
            viewer = await _still_signed_in(app_state, user_id, token)
            if viewer is not None and push is not None:
                await push(root, viewer)
    except Exception as error:  # a closed tab must not break the person who acted
        log.warning("live update of a signed-in tab failed (%s)", type(error).__name__)


async def _drop_if_signed_out(user_id: str, token: str) -> None:
    """A tab not connected now, when sessions of its person ended: if its own session did,
    its state leaves server memory now (as the idle-tab sweeper drops one), not at its
    expiry half an hour later (an attack review). One whose session holds is left as it was,
    its expiry too. Nothing of its state is changed to find out: its cookie is read."""
    from betterjournal import limits
    from betterjournal.api import session_token_from_cookie_header
    from betterjournal.betterjournal import app
    from betterjournal.core import accounts
    from betterjournal.db import in_session
    from betterjournal.state.base import AppState

    root = limits.closed_tab_state(app, token)
    app_state = root.substates.get(AppState.get_name()) if root is not None else None
    if not isinstance(app_state, AppState) or app_state._viewer_id != user_id:
        if app.event_namespace is None or token not in app.event_namespace.token_to_sid:
            _signed_in_tabs.get(user_id, set()).discard(token)  # gone, or not theirs any more
        return  # (connected again meanwhile: its own events keep it current)
    cookie_token = session_token_from_cookie_header(app_state.router.headers.cookie)
    viewer = await in_session(accounts.resolve_session, token=cookie_token, touch=False)
    if viewer is not None and str(viewer.user_id) == user_id:
        return
    if limits.drop_closed_tab(app, token):  # (connected again meanwhile: its event wipes it)
        _signed_in_tabs.get(user_id, set()).discard(token)
        forget(user_id, token)


async def _still_signed_in(app_state: Any, user_id: str, token: str) -> Any:
    """The tab's person if its session still holds (re-checked from its cookie, without
    counting as their activity: AUTHN-5); else the tab is wiped (`_identify`), says so, and
    is forgotten, and None. Every push checks this first: the tab token is never identity."""
    from betterjournal import routes

    here = app_state.router.url  # the page the tab shows, to come back to once signed in
    viewer = await app_state._identify(touch=False)
    if viewer is None or str(viewer.user_id) != user_id:
        if viewer is None:
            app_state.signed_out_here = True
            app_state.account_deleted_here = app_state._session_ended == "deleted"
            page = f"{here.path}?{here.query}".rstrip("?")
            app_state.sign_in_again = routes.with_next(routes.SIGN_IN, page)
        _signed_in_tabs.get(user_id, set()).discard(token)
        forget(user_id, token)
        return None
    return viewer


@functools.cache
def page_holders() -> tuple[type, ...]:
    """Every state class that holds decrypted text for one page (a `_held_path`, and
    `_leave` to drop it when the tab is on another page)."""
    from betterjournal.state.base import AppState

    return tuple(cls for cls in AppState.get_substates() if hasattr(cls, "_leave"))


@functools.cache
def holders() -> tuple[type, ...]:
    """Every state class that holds another person's data (has `_recheck_access`)."""
    from betterjournal.state.base import AppState

    return tuple(cls for cls in AppState.get_substates() if hasattr(cls, "_recheck_access"))


@functools.cache
def writers() -> tuple[type, ...]:
    """Every state class where a person writes an item of theirs (has `_written_over_elsewhere`,
    and `_writes(item_id)`: whether the tab is writing that item now)."""
    from betterjournal.state.base import AppState

    return tuple(cls for cls in AppState.get_substates() if hasattr(cls, "_written_over_elsewhere"))


def tell_written_over(user_id: uuid.UUID | str, item_id: object, *, but: str = "") -> None:
    """Words of this item of the person's, held on the server, were just written over from
    one of their tabs or devices, once kept apart as a draft of their own (drafts.keep_apart):
    every other tab of theirs writing that item (but the tab `but`) says so at once (a
    walk-through's laptop went on as if nothing had happened, its words in a draft it was
    never told of). What those tabs show stays as it is: words may be being typed there."""
    item = _canonical_id(item_id)

    async def tell(root: Any, _viewer: Any) -> None:
        for cls in writers():
            writer = await root.get_state(cls)
            if writer._writes(item):
                writer._written_over_elsewhere()

    push_to_signed_in_tabs([user_id], tell, but=but)


def _canonical_id(some_id: object) -> str:
    """A person's or an item's id as the tabs know it: an id sent in another spelling
    (capitals, braces) is the same one."""
    try:
        return str(uuid.UUID(str(some_id)))
    except ValueError:
        return str(some_id)


def recheck_people(user_ids: Iterable[uuid.UUID | str], *, but: str = "") -> None:
    """Re-check, in the background, every open tab of these people (after the caller's event),
    but the tab `but` (the caller's, which shows the change already).

    Not awaited: the caller's own tab is locked while its event runs, and a push must
    never wait on it.
    """
    for user_id in {_canonical_id(u) for u in user_ids}:
        for token in _tabs.get(user_id, set()) - {but}:
            # A fresh context: nothing of the person who acted (their admitted viewer) is
            # visible to the push, which runs as each tab's own person.
            task = asyncio.create_task(_recheck_tab(user_id, token), context=contextvars.Context())
            _tasks.add(task)
            task.add_done_callback(_tasks.discard)


async def _recheck_tab(user_id: str, token: str) -> None:
    import reflex as rx

    from betterjournal.betterjournal import app
    from betterjournal.state.base import AppState

    namespace = app.event_namespace
    if namespace is not None and token not in namespace.token_to_sid:
        # Closed (or between reconnects: its hydrate re-checks everything it holds). A push
        # to it would record views and "seen" that nobody saw.
        forget(user_id, token)
        return
    try:
        async with app.modify_state(rx.BaseStateToken(ident=token, cls=AppState)) as root:
            app_state: Any = await root.get_state(AppState)
            if app_state._viewer_id != user_id:
                forget(user_id, token)  # the tab belongs to someone else now, or to nobody
                return
            # Its session may have ended while nobody was there (idle, signed out elsewhere,
            # the tab away): nothing is read for it then (attack review: a tab back with its
            # token and no cookie got an entry shared after its session ended).
            if await _still_signed_in(app_state, user_id, token) is None:
                return
            holding = False
            for holder in holders():
                held = await root.get_state(holder)
                if held._held_path:  # type: ignore[attr-defined]
                    await recheck_unattended(app_state, held, user_id)
                holding = holding or bool(held._held_path)  # type: ignore[attr-defined]
            if not holding:
                forget(user_id, token)
    except Exception as error:  # a closed tab must not break the person who acted
        log.warning("live update of a tab failed (%s)", type(error).__name__)

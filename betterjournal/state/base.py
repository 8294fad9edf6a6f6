"""The base state and the one guard every private handler goes through (AUTHZ-1, AUTHN-5).

Identity never comes from the Reflex client token or from state: each guarded event
reads the session cookie from the websocket handshake and re-validates it in the
database. If the session is gone (signed out, expired, idle) every private state is
wiped and the browser is sent to sign in. If another person signs in on the same tab,
the previous person's states are wiped before anything runs.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import json
import logging
import time
import uuid
from collections.abc import Callable, Coroutine
from contextvars import ContextVar
from typing import Any, TypeVarTuple
from urllib.parse import urlsplit

import reflex as rx
from reflex.middleware.middleware import Middleware
from reflex.state import BaseState, StateUpdate
from reflex_base.event import Event, EventCallback

from betterjournal import limits, routes
from betterjournal.api import counted_address, language_from_cookie_header, session_token_from_cookie_header
from betterjournal.core import accounts, audit, form_tokens, sharing, tokens
from betterjournal.core.errors import CoreError, InvalidInput
from betterjournal.crypto import DecryptionError, sha256_hex
from betterjournal.db import in_session, one_file_at_a_time
from betterjournal.i18n import ENGLISH, LANGUAGES, N_, Reader, from_accept_language, language_or_default
from betterjournal.models import AuditAction, AuditOutcome, Role, TokenPurpose, Viewer
from betterjournal.settings import get_settings
from betterjournal.state import live

# A double tap's second tap comes within this time of the first: a button that makes
# something drops it (`.throttle(ONE_TAP_MS)` on the handler); a one-field "Add" form ignores
# the emptied field it sends (AppState._second_tap).
ONE_TAP_MS = 1000
log = logging.getLogger("betterjournal.state")

PUBLIC_PAGE_PROBLEMS = {
    "signin": N_("That email and password don't match an account. Please try again."),
    "throttled": N_("Too many attempts. Please wait a few minutes, then try again."),
    # Sign-in's: its owner may be kept out by someone else's guesses (a browser it was never
    # signed in on), and a new password lets them in at once (accounts.MAX_FAILURES_PER_ACCOUNT).
    "signin_throttled": N_(
        "Too many attempts to sign in. Please wait a few minutes, then try again, or choose "
        'a new password with "Forgot your password?": that lets you in at once.'
    ),
    "code_missing": N_("Enter the invitation code your clinician gave you."),
    "unavailable": N_("We can't create accounts right now. Please try again in a few minutes."),
    "form": N_("This page was open too long. Please try again."),
    "details": N_(
        "We couldn't create an account with these details. Check the invitation code with "
        "your clinician. If you already have an account, sign in instead."
    ),
    "email": N_("Enter an email address like name@example.com."),
    "name": N_("Enter your name as you'd like your clinician to see it (up to 100 characters)."),
    "password_short": N_("Use at least 12 characters for your password."),
    "password_long": N_("Use at most 128 characters for your password."),
    "password_common": N_("That password is too common. Try a few unrelated words together."),
    "invalid": N_("Something in the form couldn't be used. Please check it and try again."),
    "unconfirmed": N_(
        "Please confirm your email address first: follow the link in the email we sent you "
        "(check your spam folder too). A new link is sent at most every 5 minutes."
    ),
    "link": N_("This link has expired or was already used. You can ask for a new one."),
    "clinic": N_(
        "We couldn't sign you in with your clinic account. Sign in with your email and "
        "password, or ask your clinic's administrator for help."
    ),
    "clinic_first_time": N_(
        "The first time, sign in with your email and password to set up two-step sign-in. "
        "After that, you can sign in with your clinic account."
    ),
    "clinic_unavailable": N_(
        "Clinic sign-in isn't available right now. Please try again in a few minutes, or "
        "sign in with your email and password."
    ),
}
CLINIC_SIGN_IN_PROBLEMS = ("clinic", "clinic_first_time", "clinic_unavailable")  # (oidc.py's codes)
PUBLIC_PAGE_NOTICES = {
    "signed_out": N_("You're signed out."),
    "deleted": N_("Your account and everything in it are deleted. Take care."),
    "registered": N_(
        "Thank you. Check your email: we've sent you a message. Follow its link to confirm "
        "your address, then sign in here."
    ),
    "sent": N_(
        "If an account uses this address, we've sent it a link to choose a new password. "
        "It works for 30 minutes. Check your spam folder if it doesn't arrive."
    ),
    "password_set": N_("Your password is saved. Sign in with it now."),
    "confirmed": N_("Your email address is confirmed. You can sign in now."),
    "ended": N_(
        "You were signed out: your session ended (after a time without activity, or from "
        "another device). Sign in to carry on."
    ),
}

HOME_BY_ROLE = {Role.CLIENT: routes.JOURNAL, Role.CLINICIAN: routes.CLIENTS, Role.ADMIN: routes.ADMIN}


# The viewer resolved by SessionGate for the event being processed (None: nobody).
_event_viewer: ContextVar[tuple[str, Viewer | None] | None] = ContextVar("bj_event_viewer", default=None)
# The viewer a guarded handler was admitted as, while it runs.
_guarded_viewer: ContextVar[Viewer | None] = ContextVar("bj_guarded_viewer", default=None)
# The language of the tab whose event is being processed, for the error handler (no state).
_event_language: ContextVar[str] = ContextVar("bj_event_language", default=ENGLISH)
Args = TypeVarTuple("Args")


class AppState(rx.State):
    """Who is signed in (for display only), the tab's language, page feedback, the form token."""

    viewer_name: str = ""
    viewer_role: str = ""
    # What the page's words are in (components/text.py); empty until the server has chosen,
    # while the browser shows its own guess.
    language: str = ""
    time_zone: str = ""  # the signed-in person's; empty: the deployment's
    form_token: str = ""
    signed_out_here: bool = False  # this tab's session was ended from elsewhere (live push)
    sign_in_again: str = routes.SIGN_IN  # then: sign in, and come back to the page it showed
    account_deleted_here: bool = False  # and it ended as the account was deleted
    # A public page opened from an emailed link: its token, posted back by the page's form.
    link_token: str = ""
    link_email: str = ""  # whose the emailed link is: shown on its page, then handed to sign-in
    first_password: bool = False  # choosing the first password (after approval), not a reset
    link_usable: bool = True  # the emailed link (link_token) can still be used
    # The server sent a sign-in or registration form back with a problem: the other fields
    # come back filled, never the password, and its field says so.
    retype_password: bool = False
    next_path: str = ""  # the signed-in page a signed-out person opened, to open after sign-in
    clinic_sign_in: bool = False  # this deployment has a clinic identity provider
    notice: str = ""
    problem: str = ""
    feedback_on: str = ""  # the page the notice or problem was given on (shown only there)
    shared_waiting_on: str = ""  # a page redrawn by a push left out something newly shared
    _viewer_id: str = ""
    # A session short of its second step is nobody's identity, yet the setup page shows it
    # its new authenticator key and then its recovery codes: the tree then holds them for
    # that session alone (its token's digest), and any other cookie, or none, wipes it.
    _held_for_session: str = ""
    _flash_message: str = ""
    # This tab's session ended since its last event, and why: "ended" (signed out, timed
    # out) or "deleted" (the account is gone). The page says which.
    _session_ended: str = ""
    _language_chosen: bool = False  # by the person, not just guessed from the browser
    _added_at: float = 0.0  # when a one-field "Add" form of this tab last added something
    _added_notice: str = ""  # and what it said
    _added_by: str = ""  # which action: "add" (any one-field Add form), or another's name

    def _reader(self) -> Reader:
        """How server-made text reads to the person in this tab: language and time zone."""
        return Reader(language_or_default(self.language), self.time_zone or get_settings().time_zone)

    def _t(self, message: str, **values: object) -> str:
        """`message` in this tab's language (i18n.Reader.t)."""
        return self._reader().t(message, **values)

    def _added(self, action: str = "add", notice: str | None = None) -> None:
        """A one-field "Add" form (a tag, an agenda line…) added what it held, and empties (or
        another `action` emptied what it acted on: the check-ins chosen, a check-in's form);
        call it once the notice is set, or give it."""
        self._added_at, self._added_by = time.monotonic(), action
        self._added_notice = self.notice if notice is None else notice

    def _go_again(self, target: str) -> rx.event.EventSpec | None:
        """The second tap of a double tap on a button that saves and goes to `target`: where
        the first went, saying what it said (restored by `_second_tap`). If the tab is there
        already (the first tap's page loaded before this event came), it is said here: a
        redirect to the page the tab is on loads nothing, and the notice waited unseen."""
        if self.router.url.path.rstrip("/") == urlsplit(target).path.rstrip("/"):
            return None
        self._flash(self.notice)
        self.notice = ""
        return rx.redirect(target)

    def _client_address(self) -> str:
        """This tab's client address, as the throttles count it (AUTHN-3): an IPv6 address as
        its /64, as for the HTTP routes (attack review: each of a /64's addresses was a fresh
        allowance of access requests). Never shown."""
        return counted_address(self.router.session.client_ip)

    def _second_tap(self, value: object, action: str = "add") -> bool:
        """The second tap of a double tap on "Add" (or on `action`): it sends the field (or the
        choice) the first tap emptied. Nothing to add and nothing wrong: the handler returns
        quietly, the first tap's notice restored. (Not a throttle on the form: that would also
        drop a second item typed within a second, and the form would still empty, losing its
        words.)"""
        left = value.strip() if isinstance(value, str) else value
        empty = left is None or (isinstance(left, str | list | dict) and len(left) == 0)
        recent = (time.monotonic() - self._added_at) * 1000 < ONE_TAP_MS
        if not (empty and recent and self._added_by == action):
            return False
        self.notice = self._added_notice  # the first tap's, which this event's start cleared
        return True

    def _use_preferences(self, viewer: Viewer) -> None:
        """The signed-in person's own language and time zone, once they have chosen them."""
        if viewer.language and viewer.language != self.language:
            self.language = viewer.language
        if viewer.language and not self._language_chosen:
            self._language_chosen = True
        if (viewer.time_zone or "") != self.time_zone:
            self.time_zone = viewer.time_zone or ""

    def _drop_notice(self, page: str) -> None:
        """What this page's notice said is about something no longer on it (a push emptied
        the page): it goes, rather than stay above "isn't available" (walk-through)."""
        if self.notice and self.feedback_on == page:
            self.notice = ""

    def _place_feedback(self) -> None:
        """Pin the notice or problem just given to the page of this event."""
        if (self.notice or self.problem) and self.feedback_on != (here := self.router.url.path):
            self.feedback_on = here

    def _viewer(self) -> Viewer:
        """The signed-in viewer a `guarded` handler was admitted as (only inside one)."""
        viewer = _guarded_viewer.get()
        if viewer is None:
            raise RuntimeError("_viewer() outside a guarded handler")
        return viewer

    def _keep_current(self) -> None:
        """This tab now shows something other people's actions change (a share, a revoke,
        "seen"): have state/live.py update it from the server when they act."""
        live.remember(self._viewer_id, self.router.session.client_token)
        if self.shared_waiting_on and not sharing.holding_back():
            # Read by the person's own tap: all that is shared is on the page now, nothing
            # waits to be shown (the brief's offer outlived "Mark held", in a walk-through).
            self.shared_waiting_on = ""

    def _one_file_at_a_time(self) -> contextlib.AbstractContextManager[None]:
        """While a file is made for this tab's person, another is refused (db.one_file_at_a_time)."""
        return one_file_at_a_time(self._viewer().user_id)

    def _flash(self, message: str) -> None:
        """A notice for the page this handler redirects to, shown when that page loads.

        Kept server-side until then, so the handler's own reply is the redirect alone.
        """
        self._flash_message = message

    async def _identify(self, *, touch: bool = True) -> Viewer | None:
        """Re-validate the session cookie of this connection; wipe the tree if it changed.

        Runs before every event (SessionGate), the framework's own hydrate included, so
        a tab whose session ended, or that another person signs in on, never gets the
        previous person's data back from server memory. `touch=False` for the server's
        own pushes (state/live.py): they are not the person's activity.
        """
        token = session_token_from_cookie_header(self.router.headers.cookie)
        if self._held_for_session and self._held_for_session != sha256_hex(token or ""):
            await self._forget()
        viewer = await in_session(accounts.resolve_session, token=token, touch=touch)
        # Private data only ever enters the tree for an identified viewer or a held session,
        # so with neither there is nothing of anyone's to wipe.
        if self._viewer_id and (viewer is None or str(viewer.user_id) != self._viewer_id):
            previous = uuid.UUID(self._viewer_id)
            await self._forget()
            if viewer is None:
                # Whichever comes first, this tab's next event or the push that follows a
                # deletion, the tab says the same: the account is gone, not just signed out.
                gone = not await in_session(accounts.account_exists, user_id=previous)
                self._session_ended = "deleted" if gone else "ended"
        if viewer is not None and self._viewer_id != str(viewer.user_id):
            self._viewer_id = str(viewer.user_id)
            self.viewer_name = viewer.display_name
            self.viewer_role = viewer.role.value
            self.form_token = form_tokens.issue()
        if viewer is not None:
            if self._session_ended:
                self._session_ended = ""
            live.signed_in_here(str(viewer.user_id), self.router.session.client_token)
            self._use_preferences(viewer)
            if not self.language:  # not chosen yet: as the browser asks, like a public page
                headers = self.router.headers
                self.language = language_from_cookie_header(headers.cookie) or from_accept_language(
                    headers.accept_language
                )
        return viewer

    async def _authenticate(self, roles: tuple[Role, ...]) -> Viewer | None:
        """The viewer for this event if they hold one of `roles` (any role if empty)."""
        resolved = _event_viewer.get()
        if resolved is not None and resolved[0] == self.router.session.client_token:
            viewer = resolved[1]  # checked by SessionGate for this very event
        else:
            viewer = await self._identify()
        if viewer is None or (roles and viewer.role not in roles):
            return None
        return viewer

    def _hold_for_session(self, token: str) -> None:
        """What this tree is given next belongs to the session `token`, though it identifies
        nobody yet (two-step setup): `_identify` wipes it for any other cookie."""
        self._held_for_session = sha256_hex(token)

    async def _forget(self) -> None:
        """Wipe every state of the tree: nothing of a previous session stays in memory.

        The tab keeps its language: the sign-in page after signing out reads as before.
        """
        for state_class in AppState.get_substates():
            (await self.get_state(state_class)).reset()
        app_state = await self.get_state(AppState)
        language, chosen = app_state.language, app_state._language_chosen
        app_state.reset()
        app_state.language, app_state._language_chosen = language, chosen

    @rx.event
    async def prepare_public_page(self) -> None:
        """On sign-in and registration pages: forget any previous session, issue a form token."""
        await self._prepare_public()

    @rx.event
    async def prepare_password_page(self) -> None:
        """The choose-a-password page: says at once when its link is used or expired, rather
        than after a new password was typed and sent."""
        await self._prepare_public()
        purpose = TokenPurpose.SET_PASSWORD if self.first_password else TokenPurpose.RESET_PASSWORD
        await self._read_link(purpose)

    @rx.event
    async def prepare_confirm_page(self) -> None:
        """The confirm-your-address page: whose address it is, handed to sign-in after."""
        await self._prepare_public()
        await self._read_link(TokenPurpose.CONFIRM_EMAIL)

    async def _read_link(self, purpose: TokenPurpose) -> None:
        address = await in_session(tokens.address_of, token=self.link_token, purpose=purpose)
        self.link_usable, self.link_email = address is not None, address or ""

    async def _prepare_public(self) -> None:
        await self._forget()
        self.form_token = form_tokens.issue()
        if not self._language_chosen:  # the browser's last, else the one it asks for
            headers = self.router.headers
            self.language = language_from_cookie_header(headers.cookie) or from_accept_language(
                headers.accept_language
            )
        query = self.router.url.query_parameters
        problem = PUBLIC_PAGE_PROBLEMS.get(str(query.get("error", ""))[:40])
        self.problem = self._t(problem) if problem else ""
        # Not after a clinic sign-in's answer: no password was typed (a walk-through).
        self.retype_password = problem is not None and query.get("error") not in CLINIC_SIGN_IN_PROBLEMS
        notice = next((message for key, message in PUBLIC_PAGE_NOTICES.items() if query.get(key)), None)
        self.notice = self._t(notice) if notice else ""
        token = query.get("token", "")
        self.link_token = token if isinstance(token, str) and len(token) <= 100 else ""
        self.link_email = ""
        self.first_password = query.get("first") == "1"
        self.next_path = routes.after_sign_in(query.get("next", ""))
        self.clinic_sign_in = get_settings().oidc_enabled
        self._place_feedback()

    @rx.event
    def choose_language(self, language: str) -> None:
        """The tab's language, chosen on a public page (signed in, the settings page keeps it)."""
        if isinstance(language, str) and language in LANGUAGES:
            self.language, self._language_chosen = language, True

    @rx.event
    async def route_home(self) -> rx.event.EventSpec:
        """Send each person to where their work is."""
        viewer = await self._authenticate(())
        if viewer is None:
            return rx.redirect(routes.SIGN_IN, replace=True)
        return rx.redirect(HOME_BY_ROLE[viewer.role], replace=True)

    @rx.event
    def dismiss_feedback(self) -> None:
        self.notice = ""
        self.problem = ""


def form_fields(form: object, allowed: set[str] | None = None, *, form_id: str = "") -> dict[str, Any]:
    """A submitted form's fields: a dict (anything else is refused with a plain message).
    If `allowed` is given, only those names (Reflex also sends each input by its id; ids'
    dashes read as underscores; an id "{form_id}-{name}", a field's own on a page with two
    forms, is that field again); if not, the names as they came (a name may hold an id)."""
    if not isinstance(form, dict):
        raise InvalidInput(N_("This couldn't be saved. Please try again."))
    if allowed is None:
        return dict(form)
    values = {key.replace("-", "_"): value for key, value in form.items()}
    own = form_id.replace("-", "_") + "_"
    if form_id:
        values = {k: v for k, v in values.items() if not (k.startswith(own) and k[len(own) :] in allowed)}
    if set(values) - allowed:
        raise InvalidInput(N_("This couldn't be saved. Please try again."))
    return values


def _is_event_of(event: Event, state_class: type) -> bool:
    """Whether the event calls one of this state's own handlers."""
    return event.name.rpartition(".")[0] == state_class.get_full_name()  # type: ignore[attr-defined]


def event_reader() -> Reader:
    """How text reads to the tab whose event is being processed (for code without its state)."""
    return Reader(_event_language.get(), get_settings().time_zone)


# What an event may give as its page (path, URL and query). Reflex keeps it in the tab's
# state for as long as the tab lives; our pages' queries hold an id or two.
ROUTER_DATA_MAX_CHARS = 4_096


def _router_data_size(router_data: dict[str, Any]) -> int:
    """Characters of the page an event names: its path, its URL and its query."""
    try:
        query = json.dumps(router_data.get("query") or {}, default=str)
    except (TypeError, ValueError, RecursionError):
        return ROUTER_DATA_MAX_CHARS + 1
    page = (router_data.get("pathname"), router_data.get("asPath"))
    return sum(len(str(part or "")) for part in page) + len(query)


def _forget_page_data(state: BaseState) -> None:
    """Take an oversized query and URL back out of the tab's state (Reflex stores an event's
    router data in it before any middleware runs)."""
    page_only = {**state.router_data, "query": {}, "asPath": state.router_data.get("pathname") or "/"}
    state.router_data = state._update_router_vars(page_only, state.router_data)


def _signed_in(root: BaseState) -> str:
    """Whose data a tab's state holds ("": nobody's, and the tab leaves memory soon after it
    disconnects; limits.expire_idle_tabs)."""
    app_state = root.substates.get(AppState.get_name())
    return app_state._viewer_id if isinstance(app_state, AppState) else ""


class SessionGate(Middleware):
    """Authenticate every event before anything runs, framework events included (AUTHN-5).

    The viewer it resolves is what `guarded` handlers then use, so each event checks the
    session in the database exactly once.
    """

    async def preprocess(self, app: Any, state: BaseState, event: Event) -> StateUpdate | None:
        limits.expire_idle_tabs(app, _signed_in)
        if event.router_data and _router_data_size(event.router_data) > ROUTER_DATA_MAX_CHARS:
            _forget_page_data(state)
            return StateUpdate()  # refused: nothing runs, nothing is sent
        app_state = await state.get_state(AppState)
        assert isinstance(app_state, AppState)
        if app_state.shared_waiting_on and event.name.endswith(".on_load_internal"):
            app_state.shared_waiting_on = ""  # a page opened reads what is shared, all of it
        viewer = await app_state._identify()
        token = app_state.router.session.client_token
        _event_viewer.set((token, viewer))
        _event_language.set(language_or_default(app_state.language))
        if viewer is not None:
            await self._guard_held_data(state, viewer, event)
        return None

    async def _guard_held_data(self, state: BaseState, viewer: Viewer, event: Event) -> None:
        """Before anything is sent: states holding decrypted text for a page drop it when the
        tab left that page, and those holding another person's data re-check access on
        hydrate (which re-sends every var)."""
        # Events a page chains (its on_load handlers) carry no path: they stay on that page.
        path = str((event.router_data or {}).get("pathname") or "")
        hydrating = event.name.endswith((".hydrate", ".hydrate_and_load"))
        for holder in live.page_holders():
            held: Any = await state.get_state(holder)
            if path and held._held_path and held._held_path.rstrip("/") != path.rstrip("/"):
                if getattr(holder, "_finishes_own_events", False) and _is_event_of(event, holder):
                    continue  # typed on its page, sent after the tab left it: kept first
                held._leave()
            elif hydrating and held._held_path and hasattr(held, "_recheck_access"):
                await live.recheck_unattended(await state.get_state(AppState), held, str(viewer.user_id))

    async def postprocess(self, app: Any, state: BaseState, event: Event, update: StateUpdate) -> StateUpdate:
        _event_viewer.set(None)
        return update


UNREADABLE = N_(
    "That request couldn't be read, so nothing was changed. Please reload the page and try again."
)


def guarded(
    *roles: Role, quiet: bool = False
) -> Callable[[Callable[[Any, *Args], Coroutine[Any, Any, Any]]], EventCallback[*Args]]:
    """Make a handler run only for a signed-in viewer of one of `roles`.

    Inside, `self._viewer()` is that viewer. The handler keeps its own signature, so pages
    calling it are type-checked against it. Refusals and core errors become plain messages
    in `AppState.problem`; nothing else about them reaches the browser or the logs. A
    `quiet` handler (background work such as autosave) leaves the current notice and
    problem on screen.
    """

    def decorate(handler: Callable[[Any, *Args], Coroutine[Any, Any, Any]]) -> EventCallback[*Args]:
        takes = inspect.signature(handler)

        @functools.wraps(handler)
        async def run(self: AppState, *args: Any, **kwargs: Any) -> Any:
            viewer = await self._authenticate(())
            if viewer is None:
                if self._viewer_id:
                    return rx.redirect(routes.HOME)
                if self._session_ended == "deleted":
                    # There is nothing to sign in to: every page of the tab says so, until
                    # someone signs in on it.
                    self.signed_out_here = self.account_deleted_here = True
                    return None
                # A signed-out person who opened a page comes back to it once signed in; one
                # whose session just ended in this tab is told why.
                here = self.router.url
                target = routes.with_next(routes.SIGN_IN, f"{here.path}?{here.query}".rstrip("?"))
                if self._session_ended:
                    self._session_ended = ""
                    target += ("&" if "?" in target else "?") + "ended=1"
                return rx.redirect(target)
            if roles and viewer.role not in roles:
                # A signed-in person calling what their role may not (a client "commenting",
                # a clinician "answering"): refused and audited, as every denial is.
                await in_session(
                    audit.record,
                    actor_id=viewer.user_id,
                    action=AuditAction.CALL,
                    outcome=AuditOutcome.DENIED,
                )
                return rx.redirect(routes.HOME)
            try:
                takes.bind(self, *args, **kwargs)
            except TypeError:
                # A payload no page of the app sends (an extra key, one missing): refused in
                # words (INPUT-1), not as the failure of a handler that never ran.
                self.problem = self._t(UNREADABLE)
                self._place_feedback()
                return None
            if not quiet:
                # Only touch what changes: every assignment is sent to the browser.
                if self._flash_message:
                    self.notice, self._flash_message = self._flash_message, ""
                elif self.notice:
                    self.notice = ""
                if self.problem:
                    self.problem = ""
            admitted = _guarded_viewer.set(viewer)
            try:
                return await handler(self, *args, **kwargs)  # type: ignore[call-arg]
            except CoreError as error:
                self.problem = self._t(error.message, **error.values)
            except DecryptionError:
                error_id = uuid.uuid4().hex[:12]
                log.error("decryption failed (error id %s)", error_id)
                self.problem = self._t(
                    "This can't be opened right now. Please try again later (reference {error_id}).",
                    error_id=error_id,
                )
            finally:
                _guarded_viewer.reset(admitted)
                self._place_feedback()
            return None

        # The roles this handler admits (no roles: any signed-in viewer). The per-handler
        # guard test (tests/sockets/test_guard_per_handler.py) finds guarded handlers by it.
        run.__bj_roles__ = frozenset(roles or Role)  # type: ignore[attr-defined]
        return rx.event(run)  # type: ignore[return-value]

    return decorate

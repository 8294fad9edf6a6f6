"""The way in and the account's own security: the public home page's request for early
access, the two-step code after the password, setting two-step sign-in up, where the
person is signed in, and changes that need the password again.

The two MFA pages serve a sign-in that is not anyone's identity yet (a session at an MFA
stage): their handlers read that session from the cookie themselves, and can do nothing
but the step it waits for. Everything else here is `guarded`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import reflex as rx

from betterjournal import routes
from betterjournal.api import session_token_from_cookie_header
from betterjournal.core import access, accounts, credentials, journal, mfa
from betterjournal.core.errors import CoreError
from betterjournal.db import in_session
from betterjournal.models import SessionStage, User
from betterjournal.state import live
from betterjournal.state.admin import show_to_admins
from betterjournal.state.base import HOME_BY_ROLE, AppState, form_fields, guarded
from betterjournal.views import RECOVERY_CODES_FILE, recovery_codes_text

ACCESS_FIELDS = set(access.FIELDS)


class LandingState(AppState):
    """The public home page: what Betterjournal is, and a request for early access."""

    landing_ready: bool = False
    access_requested: bool = False
    asked_as: str = "client"  # the form shows the clinician's fields when "clinician"
    refused_field: str = ""  # the field the problem shown is about (marked aria-invalid)

    @rx.event
    async def open_landing(self) -> rx.event.EventSpec | None:
        """A signed-in person goes to their work; a visitor sees the page."""
        viewer = await self._authenticate(())
        if viewer is not None:
            return rx.redirect(HOME_BY_ROLE[viewer.role], replace=True)
        await self._prepare_public()
        self.landing_ready, self.access_requested, self.asked_as = True, False, "client"
        return None

    @rx.event
    def ask_as(self, role: str) -> None:
        if role in ("client", "clinician"):
            self.asked_as = role

    @rx.event
    async def request_access(self, form: dict[str, Any]) -> None:
        """Keep the request; the same answer whatever the address (access.request_access)."""
        self.notice = self.problem = self.refused_field = ""
        try:
            fields = form_fields(form, ACCESS_FIELDS)
            await in_session(
                access.request_access, fields=fields, address=self._client_address(), language=self.language
            )
        except CoreError as error:
            self.problem = self._t(error.message, **error.values)
            about = getattr(error, "code", "")  # InvalidInput names the field it refuses
            self.refused_field = about if about in ACCESS_FIELDS else ""
        else:
            await show_to_admins()
            self.access_requested = True
            self.notice = self._t(
                "Thank you. We've received your request. If you're invited to the beta, "
                "you'll get an email with the next step."
            )
        self._place_feedback()


def _pending_user(state: AppState, stage: SessionStage):
    token = session_token_from_cookie_header(state.router.headers.cookie)
    return token, in_session(accounts.pending_session, token=token, stage=stage)


class SignInCodeState(AppState):
    """The code from the authenticator app (or a recovery code), after the password."""

    code_ready: bool = False

    @rx.event
    async def open_code(self) -> rx.event.EventSpec | None:
        _, pending = _pending_user(self, SessionStage.MFA_CODE)
        if await pending is None:
            return rx.redirect(routes.SIGN_IN, replace=True)
        self.code_ready = True
        return None

    @rx.event
    async def submit_code(self, form: dict[str, Any]) -> rx.event.EventSpec | None:
        self.problem = ""
        token, pending = _pending_user(self, SessionStage.MFA_CODE)
        user: User | None = await pending
        if user is None or token is None:
            return rx.redirect(routes.SIGN_IN, replace=True)
        code = form.get("code") if isinstance(form, dict) else None

        next_page = routes.after_sign_in(self.router.url.query_parameters.get("next", ""))

        def work(session) -> str:
            mfa.verify(session, user.id, code)
            held = accounts.advance_session(session, token)
            if held and (draft := journal.put_back_typed_words(session, user, held)):
                return routes.write(draft)  # the words that came with the password, back
            return next_page or accounts.home_after_sign_in(session, user)

        try:
            destination = await in_session(work)
        except CoreError as error:
            self.problem = self._t(error.message, **error.values)
            self._place_feedback()
            return None
        self.code_ready = False
        return rx.redirect(destination, replace=True)


class TwoStepState(AppState):
    """Setting two-step sign-in up: at a clinician's or admin's first sign-in (all that
    session can do), or a client turning it on from their security settings."""

    setup_ready: bool = False
    qr_code: str = ""
    secret: str = ""
    setup_link: str = ""  # otpauth: the same key, for an authenticator app on the phone the page is open on
    needs_password: bool = False  # a signed-in client re-authenticates to turn it on
    recovery_codes: list[str] = []

    async def _who(self) -> tuple[str | None, User | None, bool]:
        """(token, person, signed in fully): the session at its setup stage, or a client's."""
        token, pending = _pending_user(self, SessionStage.MFA_SETUP)
        user = await pending
        if user is not None and token is not None:
            self._hold_for_session(token)
            return token, user, False
        viewer = await self._authenticate(())
        if viewer is None:
            return token, None, False
        full = await in_session(lambda session: session.get(User, viewer.user_id))
        return token, full, True

    @rx.event
    async def open_setup(self) -> rx.event.EventSpec | None:
        token, user, signed_in = await self._who()
        if user is None or token is None:
            return rx.redirect(routes.SIGN_IN, replace=True)
        if user.totp_secret_ct is not None and not self.recovery_codes:
            return rx.redirect(routes.SECURITY, replace=True)
        setup = await in_session(mfa.begin_setup, user_id=user.id, token=token)
        self.qr_code, self.secret, self.setup_link = setup.qr_svg, setup.grouped_secret, setup.uri
        self.problem = ""  # said of the key before (a reload's new key is not that one)
        self.needs_password, self.setup_ready = signed_in, True
        return None

    @rx.event
    async def confirm_setup(self, form: dict[str, Any]) -> None:
        self.problem = ""
        token, user, signed_in = await self._who()
        if user is None or token is None:
            return
        if signed_in and user.totp_secret_ct is not None:
            return  # on already: nothing to confirm (and no password try to spend)
        fields = form if isinstance(form, dict) else {}

        def work(session) -> list[str]:
            if signed_in:
                credentials.reauthenticate(session, user.id, password=fields.get("password"), code=None)
            codes = credentials.turn_two_step_on(session, user.id, code=fields.get("code"), token=token)
            if not signed_in:
                accounts.advance_session(session, token)
            return codes

        try:
            self.recovery_codes = await in_session(work)
        except CoreError as error:
            self.problem = self._t(error.message, **error.values)
        else:
            self.qr_code = self.secret = self.setup_link = ""
            self.notice = self._t(
                "Two-step sign-in is on. Keep these recovery codes somewhere safe: each works "
                "once if you lose your phone. They won't be shown again."
            )
        self._place_feedback()

    @rx.event
    async def download_codes(self) -> rx.event.EventSpec | None:
        """The recovery codes on screen, as a text file to keep."""
        _, user, _ = await self._who()
        if user is None or not self.recovery_codes:
            return None
        text = recovery_codes_text(self.recovery_codes, self._reader())
        return rx.download(data=text, filename=RECOVERY_CODES_FILE)

    @rx.event
    async def finish_setup(self) -> rx.event.EventSpec:
        """The codes were kept: on to the person's work (the codes leave server memory); a
        client who turned it on from their security settings, back there, where it shows as
        on (a walk-through landed on the journal, with no word that it was)."""
        from_settings = self.needs_password and bool(self.recovery_codes)
        self.recovery_codes, self.setup_ready = [], False
        if from_settings:
            return rx.redirect(routes.SECURITY, replace=True)
        return rx.redirect(routes.HOME, replace=True)


@dataclass(frozen=True)
class SignedInSession:
    id: str
    device: str
    last_active: str
    this_one: bool


class SessionsState(AppState):
    """Where the person is signed in: device in words and last activity, never an address."""

    signed_in_sessions: list[SignedInSession] = []
    sessions_loaded: bool = False

    async def _fill(self) -> None:
        viewer = self._viewer()
        rows = await in_session(accounts.live_sessions, user_id=viewer.user_id)
        reader = self._reader()
        self.signed_in_sessions = [
            SignedInSession(
                id=str(row.id),
                device=_device_words(reader, row.device),
                last_active=reader.when(row.last_seen_at),
                this_one=row.id == viewer.session_id,
            )
            for row in rows
        ]
        self.sessions_loaded = True

    @guarded()
    async def load_sessions(self) -> None:
        await self._fill()

    @guarded()
    async def end_session(self, session_id: str) -> None:
        """Sign out of one of the person's other sessions."""
        viewer = self._viewer()
        dropped = await in_session(accounts.end_own_session, user_id=viewer.user_id, session_id=session_id)
        live.recheck_sessions([viewer.user_id])
        await self._fill()
        self.notice = self._with_address_change(self._t("Signed out there."), dropped)

    @guarded()
    async def end_other_sessions(self) -> None:
        viewer = self._viewer()
        dropped = await in_session(accounts.end_sessions, user_id=viewer.user_id, keep=viewer.session_id)
        live.recheck_sessions([viewer.user_id])
        await self._fill()
        self.notice = self._with_address_change(self._t("Signed out everywhere else."), dropped)

    def _with_address_change(self, notice: str, dropped: bool) -> str:
        """Signing a device out ends a change of address asked for (it may have been that
        device's): said, not silently (walk-through: its link then said "expired")."""
        if not dropped:
            return notice
        ended = self._t(
            "The change of email address you asked for is cancelled too: ask for it again if it was you."
        )
        return f"{notice} {ended}"


def _device_words(reader, device: str) -> str:
    browser, _, system = device.partition(" / ")
    if browser and system:
        return reader.t("{browser} on {system}", browser=browser, system=system)
    return browser or reader.t("An unknown browser")


class SecurityState(AppState):
    """Password, email and two-step sign-in: each change asks for the password again (and
    a code when two-step sign-in is on)."""

    two_step_on: bool = False
    two_step_required: bool = False
    codes_left: int = 0
    email: str = ""  # the account's address (a walk-through couldn't tell where mail went)
    pending_email: str = ""  # a new address waiting for its link to be followed
    security_loaded: bool = False
    new_recovery_codes: list[str] = []

    async def _fill(self) -> None:
        viewer = self._viewer()

        def read(session) -> tuple[bool, int, str, str]:
            user = session.get(User, viewer.user_id)
            return (
                mfa.is_on(session, viewer.user_id),
                mfa.recovery_codes_left(session, viewer.user_id),
                user.email if user is not None else "",
                (user.pending_email if user is not None else None) or "",
            )

        self.two_step_on, self.codes_left, self.email, self.pending_email = await in_session(read)
        self.two_step_required = viewer.role in mfa.REQUIRED_FOR
        self.security_loaded = True

    @guarded()
    async def load_security(self) -> None:
        self.new_recovery_codes = []
        await self._fill()

    @guarded()
    async def change_password(self, form: dict[str, Any]) -> None:
        viewer = self._viewer()
        fields = form_fields(form, {"current_password", "code", "new_password"}, form_id="password")
        await in_session(
            credentials.change_password,
            user_id=viewer.user_id,
            session_id=viewer.session_id,
            current=fields.get("current_password"),
            code=fields.get("code"),
            new=fields.get("new_password"),
        )
        live.recheck_sessions([viewer.user_id])
        self.notice = self._t("Password changed. You're signed out everywhere else.")

    @guarded()
    async def change_email(self, form: dict[str, Any]) -> None:
        viewer = self._viewer()
        fields = form_fields(form, {"current_password", "code", "new_email"}, form_id="email")
        await in_session(
            credentials.change_email,
            user_id=viewer.user_id,
            current=fields.get("current_password"),
            code=fields.get("code"),
            new_email=fields.get("new_email"),
        )
        await self._fill()
        self.notice = self._t(
            "We've sent a link to the new address. Your email address changes when you follow it."
        )

    @guarded()
    async def turn_two_step_off(self, form: dict[str, Any]) -> None:
        viewer = self._viewer()
        fields = form_fields(form, {"current_password", "code"}, form_id="two-step-off")
        await in_session(
            credentials.turn_two_step_off,
            user_id=viewer.user_id,
            current=fields.get("current_password"),
            code=fields.get("code"),
        )
        await self._fill()
        self.notice = self._t("Two-step sign-in is off.")

    @guarded()
    async def renew_recovery_codes(self, form: dict[str, Any]) -> None:
        viewer = self._viewer()
        fields = form_fields(form, {"current_password", "code"}, form_id="recovery")
        self.new_recovery_codes = await in_session(
            credentials.renew_recovery_codes,
            user_id=viewer.user_id,
            current=fields.get("current_password"),
            code=fields.get("code"),
        )
        await self._fill()
        self.notice = self._t("New recovery codes. The old ones no longer work. They won't be shown again.")

    @guarded()
    async def download_codes(self) -> rx.event.EventSpec | None:
        """The new recovery codes on screen, as a text file to keep."""
        if not self.new_recovery_codes:
            return None
        return rx.download(
            data=recovery_codes_text(self.new_recovery_codes, self._reader()), filename=RECOVERY_CODES_FILE
        )

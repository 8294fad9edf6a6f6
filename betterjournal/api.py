"""Plain HTTP routes and headers around the Reflex app.

Sign-in, registration and sign-out are ordinary HTML form POSTs handled here, so the
session cookie is set and cleared by the server (HttpOnly, SameSite=Strict), never by
page JavaScript (AUTHN-4). Every response gets the security headers (TRANS-2).
"""

from __future__ import annotations

import asyncio
import base64
import gzip
import hashlib
import html
import ipaddress
import logging
import re
import uuid
from collections.abc import Callable, Iterable
from http.cookies import SimpleCookie
from urllib.parse import parse_qsl, urlencode

from sqlmodel import Session
from starlette.applications import Starlette
from starlette.background import BackgroundTask
from starlette.requests import HTTPConnection, Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from betterjournal import export_files, oidc, pwa, routes
from betterjournal.core import (
    accounts,
    agenda,
    audit,
    credentials,
    form_tokens,
    homework,
    items,
    journal,
    mfa,
    portability,
    reminders,
    worksheets,
)
from betterjournal.core.errors import (
    BegunElsewhere,
    CoreError,
    InvalidInput,
    KeyStoreUnavailable,
    NotFound,
    TooManyAttempts,
)
from betterjournal.db import in_session, made_in_turn, one_file_at_a_time
from betterjournal.i18n import LANGUAGES, N_, Reader, from_accept_language, language_or_default
from betterjournal.models import AuditAction, AuditOutcome, Role, SessionStage, User, Viewer
from betterjournal.settings import get_settings
from betterjournal.state import live

log = logging.getLogger("betterjournal.api")


# The language of the last person who signed in or out in this browser, so the sign-in
# page after signing out (or after a session ended) reads as the app did. Not a secret.
LANGUAGE_COOKIE = "bj_language"
LANGUAGE_COOKIE_DAYS = 365
# Sent only to the sign-in and password routes: the accounts this browser signed in to
# (api.sign_in), or chose a password for from an emailed link (api.choose_password).
KNOWN_BROWSER_COOKIE = "bj_known_browser"
KNOWN_BROWSER_PATH = "/api/auth"
KNOWN_BROWSER_DAYS = 180


def _cookie(header: str, name: str) -> str | None:
    """One cookie's value from a raw Cookie header (HTTP request or websocket handshake)."""
    for part in header.split(";"):
        key, _, value = part.strip().partition("=")
        if key == name and value:
            return value
    return None


def session_token_from_cookie_header(header: str) -> str | None:
    return _cookie(header, get_settings().session_cookie_name)


def language_from_cookie_header(header: str) -> str | None:
    """The language this browser last signed in or out with, if it is one of the app's."""
    value = _cookie(header, LANGUAGE_COOKIE)
    return value if value in LANGUAGES else None


def _with_language_cookie(response: Response, language: str | None) -> Response:
    if language in LANGUAGES:
        response.set_cookie(
            LANGUAGE_COOKIE,
            language,
            max_age=LANGUAGE_COOKIE_DAYS * 86_400,
            path="/",
            secure=get_settings().secure_cookies,
            httponly=False,  # the page reads it for its first paint (assets/language.jsx)
            samesite="strict",
        )
    return response


def client_address(connection: HTTPConnection) -> str:
    """The client's address, as throttles count it (AUTHN-3): the last proxy's
    X-Forwarded-For entry when the deployment trusts its proxy (as rxconfig's
    trusted_proxy_hops does), else the socket's peer; an IPv6 address as its /64."""
    if get_settings().trust_proxy and (forwarded := connection.headers.get("x-forwarded-for")):
        return _counted_as(forwarded.split(",")[-1].strip()[:64])
    return _counted_as(connection.client.host) if connection.client else "unknown"


def counted_address(address: str | None) -> str:
    """A websocket tab's address (Reflex's `client_ip`, which reads the proxy's header as
    rxconfig's trusted_proxy_hops says), counted as `client_address` counts an HTTP client's."""
    return _counted_as((address or "unknown")[:64])


def _counted_as(address: str) -> str:
    """One phone line or household is given a whole IPv6 /64, and picks any address in it:
    counted per address, each of its 2^64 would be a fresh allowance of guesses."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.IPv6Network((parsed, 64), strict=False))
    return str(parsed)


def _same_origin(request: Request) -> bool:
    """TRANS-3: the form was posted from our own pages."""
    origin = request.headers.get("origin")
    # With Referrer-Policy: no-referrer, browsers send "Origin: null" on form posts;
    # Sec-Fetch-Site (set by the browser, not by page script) then decides.
    if origin is not None and origin != "null":
        return origin in get_settings().allowed_origins
    return request.headers.get("sec-fetch-site") == "same-origin"


def _back(path: str, error: str) -> RedirectResponse:
    return RedirectResponse(f"{path}?{urlencode({'error': error})}", status_code=303)


_FORM_TYPE = "application/x-www-form-urlencoded"


def is_form_type(content_type: str) -> bool:
    """Whether a Content-Type header names a url-encoded form (the only body our forms send)."""
    return content_type.split(";", 1)[0].strip().lower() == _FORM_TYPE


async def _checked_form(request: Request) -> dict[str, str] | None:
    """The fields of a url-encoded form posted from our own pages with a valid form token,
    or None. Any other body (multipart: files) is refused before it is read; the size of
    the ones read is capped before they reach here (limits.RequestLimits)."""
    if not _same_origin(request) or not is_form_type(request.headers.get("content-type", "")):
        return None
    form = await request.form()
    fields = {key: value for key, value in form.items() if isinstance(value, str)}
    # Each form token works once: a replayed post is refused like a forged one.
    if not await in_session(form_tokens.use, token=fields.get("form_token")):
        return None
    return fields


def _with_session_cookie(response: Response, token: str) -> Response:
    settings = get_settings()
    response.set_cookie(
        settings.session_cookie_name,
        token,
        max_age=int(settings.session_lifetime.total_seconds()),
        path="/",
        secure=settings.secure_cookies,
        httponly=True,
        samesite="strict",
    )
    return response


def _device(request: Request) -> str:
    """The browser and system in words ("Firefox on Android"), for "Where you're signed in"."""
    return accounts.device_in_words(request.headers.get("user-agent", ""))


def _start_signed_in(
    session,
    user,
    device: str,
    next_page: str = "",
    unsent: dict[str, str] | None = None,
    replacing: str | None = None,
    clinic_subject: str | None = None,
) -> tuple[str, str, str | None]:
    """A session for a person whose first factor passed: (token, where to go, language).

    With MFA on, the session waits for a code; a clinician or admin without it can only
    set it up. Neither is anyone's identity until then (accounts.resolve_session). Once
    signed in, the person lands on `next_page` (the deep link they opened) if it is one of
    our pages, else where their work is; or on the draft that `unsent` put back (after the
    code, with MFA on; `replacing`: the session this browser held, whose words waiting for
    a code go on to this one; `clinic_subject`: a clinic sign-in's, bound to the person by
    the code of an authenticator they already had).
    """
    stage = mfa.stage_after_password(user)
    if stage == SessionStage.MFA_CODE:
        # The words wait with the session for its code (SignInCodeState.submit_code).
        held = unsent if journal.can_put_back(user, unsent) else None
        token = accounts.start_session(
            session,
            user,
            stage=stage,
            device=device,
            held_words=held,
            replacing=replacing,
            clinic_subject=clinic_subject,
        )
        return token, routes.with_next(routes.SIGN_IN_CODE, next_page), user.language
    token = accounts.start_session(session, user, stage=stage, device=device, clinic_subject=clinic_subject)
    if stage == SessionStage.MFA_SETUP:
        return token, routes.TWO_STEP_SETUP, user.language
    if unsent and (draft := journal.put_back_typed_words(session, user, unsent)):
        return token, routes.write(draft), user.language
    return token, routes.after_sign_in(next_page) or accounts.home_after_sign_in(session, user), user.language


def _unsent(fields: dict[str, str]) -> dict[str, str] | None:
    """The editor's words a sign-in form carries (assets/unsent_words.jsx: typed as the
    session ended, never confirmed); None if it has none."""
    unsent = {name: fields[f"unsent_{name}"] for name in journal.TYPED_WORDS if f"unsent_{name}" in fields}
    return unsent if unsent.get("entry_id") else None


def _signed_in(token: str, destination: str, language: str | None) -> Response:
    response = _with_session_cookie(RedirectResponse(destination, status_code=303), token)
    return _with_language_cookie(response, language)


async def finish_sign_in(
    request: Request, user_id: uuid.UUID, *, clinic_subject: str | None = None
) -> Response:
    """Sign in a person another way has identified (clinic sign-in): the same session,
    MFA step and cookie as a password sign-in; the MFA step binds the `clinic_subject`."""
    device = _device(request)

    def work(session) -> tuple[str, str, str | None] | str:
        user = session.get(User, user_id)
        if user is None or not user.is_active or user.email_confirmed_at is None:
            return "signin"
        if mfa.stage_after_password(user) != SessionStage.MFA_CODE:
            log.warning("clinic sign-in refused: two-step sign-in not set up yet")
            return oidc.FIRST_TIME  # in the unit that starts the session
        return _start_signed_in(session, user, device, clinic_subject=clinic_subject)

    started = await in_session(work)
    if isinstance(started, str):
        return _back(routes.SIGN_IN, started)
    return _signed_in(*started)


async def sign_in(request: Request) -> Response:
    fields = await _checked_form(request)
    if fields is None:
        return _back(routes.SIGN_IN, "form")
    address, device = client_address(request), _device(request)
    replacing = session_token_from_cookie_header(request.headers.get("cookie", ""))
    # An account many sign-ins failed on is slowed down: waited here, on the event loop,
    # holding no worker thread and no transaction (then refused to unknown browsers:
    # accounts.MAX_FAILURES_PER_ACCOUNT).
    if wait := await in_session(accounts.sign_in_wait, email=fields.get("email")):
        await asyncio.sleep(wait)

    known = _known_browser_proofs(request)

    def work(session) -> tuple[tuple[str, str, str | None], list[str]] | None:
        user = accounts.authenticate(
            session, email=fields.get("email"), password=fields.get("password"), address=address, known=known
        )
        if user.email_confirmed_at is None:
            # The right password, so saying so is no oracle; the link is sent again.
            credentials.send_confirmation(session, user, language=fields.get("language"))
            return None
        accounts.adopt_first_preferences(
            session, user, language=fields.get("language"), time_zone=fields.get("time_zone")
        )
        started = _start_signed_in(session, user, device, fields.get("next", ""), _unsent(fields), replacing)
        return started, accounts.remember_browser(user, known)

    try:
        signed_in = await in_session(work)
    except TooManyAttempts:
        return _back(routes.SIGN_IN, "signin_throttled")
    except CoreError:
        return _back(routes.SIGN_IN, "signin")
    if signed_in is None:
        return _back(routes.SIGN_IN, "unconfirmed")
    started, remembered = signed_in
    return _with_known_browser(_signed_in(*started), remembered)


def _known_browser_proofs(request: Request) -> list[str]:
    """The accounts this browser has signed in to (accounts.known_browser_proof), newest first."""
    kept = _cookie(request.headers.get("cookie", ""), KNOWN_BROWSER_COOKIE) or ""
    return [proof for proof in kept.split(".")[: accounts.KNOWN_ACCOUNTS] if proof]


def _with_known_browser(response: Response, proofs: list[str]) -> Response:
    """The browser is known to the accounts it signed in to: an attack on one of them from
    elsewhere doesn't keep its owner out here (accounts.MAX_FAILURES_PER_ACCOUNT). Kept when
    signing out: it is about the browser, and names nobody."""
    response.set_cookie(
        KNOWN_BROWSER_COOKIE,
        ".".join(proofs),
        max_age=KNOWN_BROWSER_DAYS * 86_400,
        path=KNOWN_BROWSER_PATH,
        secure=get_settings().secure_cookies,
        httponly=True,
        samesite="strict",
    )
    return response


async def register(request: Request) -> Response:
    fields = await _checked_form(request)
    if fields is None:
        return _back(routes.REGISTER, "form")
    try:
        await in_session(
            accounts.register_client,
            code=fields.get("code"),
            name=fields.get("name"),
            email=fields.get("email"),
            password=fields.get("password"),
            address=client_address(request),
            language=fields.get("language"),
        )
    except TooManyAttempts:
        return _back(routes.REGISTER, "throttled")
    except KeyStoreUnavailable:
        return _back(routes.REGISTER, "unavailable")
    except InvalidInput as error:
        return _back(routes.REGISTER, error.code)
    # The same answer whether or not the email already had an account (AUTHN-2): no
    # session is started here; the person confirms their address from the email, then
    # signs in.
    return RedirectResponse(f"{routes.SIGN_IN}?registered=1", status_code=303)


async def forgot_password(request: Request) -> Response:
    """Email a reset link; the same answer whether or not the address has an account."""
    fields = await _checked_form(request)
    if fields is None:
        return _back(routes.FORGOT, "form")
    try:
        await in_session(credentials.count_reset_request, address=client_address(request))
    except TooManyAttempts:
        return _back(routes.FORGOT, "throttled")
    # Whether the address has an account is looked up once the answer has gone: a link made
    # and queued for an account took twice the time of a look that found none (AUTHN-2).
    later = BackgroundTask(_send_reset_link, email=fields.get("email"), language=fields.get("language"))
    return RedirectResponse(f"{routes.FORGOT}?sent=1", status_code=303, background=later)


async def _send_reset_link(*, email: str | None, language: str | None) -> None:
    try:
        await in_session(credentials.send_reset_link, email=email, language=language)
    except Exception as error:  # the person has their answer; the error by type and id only
        log.error("a reset link failed: %s (error id %s)", type(error).__name__, uuid.uuid4().hex[:12])


async def choose_password(request: Request) -> Response:
    """A password from an emailed link: the first one after approval, or a reset."""
    fields = await _checked_form(request)
    first = fields is not None and fields.get("first") == "1"
    token = fields.get("token", "") if fields is not None else ""
    back = f"{routes.CHOOSE_PASSWORD}?{urlencode({'token': token[:100], 'first': '1' if first else ''})}"
    if fields is None:
        return RedirectResponse(f"{back}&error=form", status_code=303)

    known = _known_browser_proofs(request)

    def work(session) -> tuple[uuid.UUID, list[str]]:
        user = credentials.choose_password(session, token=token, password=fields.get("password"), first=first)
        return user.id, accounts.remember_browser(user, known)

    try:
        user_id, remembered = await in_session(work)
    except InvalidInput as error:
        return RedirectResponse(f"{back}&{urlencode({'error': error.code})}", status_code=303)
    live.recheck_sessions([user_id])  # every session ended: their open tabs show it at once
    # The emailed link proved the owner: this browser may sign in even while the account
    # is attacked (accounts.MAX_FAILURES_PER_ACCOUNT; an attack review kept the owner out).
    response = RedirectResponse(f"{routes.SIGN_IN}?password_set=1", status_code=303)
    return _with_known_browser(response, remembered)


async def confirm_email(request: Request) -> Response:
    """Confirm an address from the emailed link (a button on the page it opens: a mail
    scanner fetching the link can't use it up)."""
    fields = await _checked_form(request)
    if fields is None:
        return _back(routes.CONFIRM_EMAIL, "form")
    try:
        await in_session(credentials.confirm_email, token=fields.get("token"))
    except InvalidInput as error:
        return _back(routes.CONFIRM_EMAIL, error.code)
    return RedirectResponse(f"{routes.SIGN_IN}?confirmed=1", status_code=303)


async def sign_out(request: Request) -> Response:
    """End the session (or, asked, every session of its person), then clear the cookie and
    the site's storage. Posted from anywhere but our own pages (TRANS-3), it changes
    nothing at all, so a foreign page can't sign a person out of their view."""
    if not _same_origin(request):
        return Response(status_code=403)
    settings = get_settings()
    token = session_token_from_cookie_header(request.headers.get("cookie", ""))
    # Sign-out is honoured even with a stale form token; it only ever removes access.
    form = await request.form() if is_form_type(request.headers.get("content-type", "")) else {}
    everywhere = form.get("everywhere") == "yes"
    viewer = await in_session(accounts.resolve_session, token=token)
    language = viewer.language if viewer is not None else None
    await in_session(accounts.end_session, token=token, everywhere=everywhere)
    if viewer is not None:  # the person's other open tabs show it at once
        live.recheck_sessions([viewer.user_id])
    response = _with_language_cookie(
        RedirectResponse(f"{routes.SIGN_IN}?signed_out=1", status_code=303), language
    )
    # Drop the tab's Reflex token with the rest of the site's storage, so the next
    # page load starts a fresh state rather than re-attaching to the old one.
    response.headers["Clear-Site-Data"] = '"cache", "storage"'
    response.delete_cookie(
        settings.session_cookie_name,
        path="/",
        secure=settings.secure_cookies,
        httponly=True,
        samesite="strict",
    )
    return response


async def health(_request: Request) -> Response:
    return JSONResponse({"status": "ok"})


# --- what was typed, sent as a tab is hidden or closes -------------------------------------
#
# A field that saves as it is typed in waits for a pause; a tab closed inside it would lose
# the words. The page hands them to navigator.sendBeacon, which outlives it (the websocket
# may be gone by then): the editor its title and words (assets/editor_autosave.jsx), any
# other such field its value (assets/page_feedback.jsx). Each route makes the same checks
# as the websocket's autosave (the session cookie of a signed-in client, then the core's
# own: the client's own item, valid text) and those of every state-changing POST (same
# origin, a form token), with exactly its fields. The text is never logged; nothing is sent
# back.

API_KEEP_DRAFT = routes.API_KEEP_DRAFT
API_KEEP_ANSWER = routes.API_KEEP_ANSWER
API_KEEP_NOTE = routes.API_KEEP_NOTE
# The longest text the core accepts, percent-encoded, and the other fields.
TYPED_WORDS_MAX_BYTES = 1_048_576


async def _keep_typed(
    request: Request,
    names: set[str],
    keep: Callable[[Session, Viewer, dict[str, str]], Iterable[object] | None],
    *,
    refused_alike: bool = False,
) -> Response:
    """Take a beacon of exactly `names` (and a form token) and `keep` it for the signed-in
    client: 204 when kept, or when aimed at an item that isn't theirs (written nowhere,
    audited, answered like a free id, so the route tells nobody whether someone else's
    item exists: AUTHZ-3); 400 for what the core refuses as invalid, or 204 too when
    `refused_alike` (what can be checked only against an item of the client's own would
    otherwise say whether it is theirs). Another role's session is refused and audited, as
    the websocket's guard does. `keep` may give the items of the client's whose words it
    wrote over, once kept apart: their tabs writing them say so (live.tell_written_over)."""
    if not _same_origin(request) or not is_form_type(request.headers.get("content-type", "")):
        return Response(status_code=403)
    raw = bytearray()
    async for chunk in request.stream():
        raw.extend(chunk)
        if len(raw) > TYPED_WORDS_MAX_BYTES:
            return Response(status_code=413)
    expected = {"form_token", *names}
    try:
        pairs = parse_qsl(
            raw.decode("utf-8"),
            keep_blank_values=True,
            strict_parsing=True,
            errors="strict",
            max_num_fields=len(expected),
        )
    except ValueError:  # not UTF-8, malformed, or too many fields
        return Response(status_code=400)
    fields = dict(pairs)
    if len(pairs) != len(fields) or set(fields) != expected:
        return Response(status_code=400)
    if not form_tokens.is_valid(fields["form_token"]):
        return Response(status_code=403)
    token = session_token_from_cookie_header(request.headers.get("cookie", ""))

    def work(session: Session) -> tuple[uuid.UUID, list[object]] | None:
        viewer = accounts.resolve_session(session, token=token)
        if viewer is None:
            return None
        if viewer.role != Role.CLIENT:
            audit.record(
                session, actor_id=viewer.user_id, action=AuditAction.CALL, outcome=AuditOutcome.DENIED
            )
            return None
        return viewer.user_id, list(keep(session, viewer, fields) or ())

    try:
        kept = await in_session(work)
    except NotFound:
        return Response(status_code=204)
    except CoreError:
        return Response(status_code=204 if refused_alike else 400)
    except Exception as error:  # logged by type and id only: never a message with the text
        log.error("keeping typed words failed: %s (error id %s)", type(error).__name__, uuid.uuid4().hex[:12])
        return Response(status_code=500)
    if kept is None:
        return Response(status_code=403)
    person, written_over = kept
    for item_id in written_over:
        live.tell_written_over(person, item_id)
    return Response(status_code=204)


async def keep_draft(request: Request) -> Response:
    """The editor's title and words, as a tab goes (`journal.keep_typed_words`)."""

    def keep(session: Session, viewer: Viewer, fields: dict[str, str]) -> list[str]:
        saved = journal.keep_typed_words(session, viewer.user_id, fields)
        return [fields["entry_id"]] if saved.set_aside is not None else []

    return await _keep_typed(request, set(journal.TYPED_WORDS), keep)


async def keep_answer(request: Request) -> Response:
    """One text answer of a worksheet (WorksheetState.answer): the draft of the client's
    response to an assignment (`assignment_id`; a response not begun yet only under a new
    id), or of an exercise of their own (begun with a worksheet, or new: its address's
    `template` or `prompt`). An answer is checked against the worksheet of the client's
    own item, so every refusal is answered alike. The answers carry the worksheet's mark
    (`items.words_mark`): written for no one else (an id a tab was given, claimed by another
    client before its first answer was kept, as an attack review did with the editor's)."""

    def keep(session: Session, viewer: Viewer, fields: dict[str, str]) -> list[object]:
        items.check_words_mark(
            viewer.user_id, fields["item_id"], fields["mark"], within=fields["assignment_id"]
        )
        row = fields["row"]
        if not re.fullmatch(r"-1|\d{1,2}", row):
            raise InvalidInput(N_("This couldn't be saved. Please try again."))
        assignment_id = fields["assignment_id"] or None
        sheet = None
        if assignment_id is None:
            chosen = worksheets.chosen_exercise(fields["template"], fields["prompt"])
            sheet = homework.begun_with(
                session, client_id=viewer.user_id, item_id=fields["item_id"], chosen=chosen
            )
        # The tab's language: the person's choice, else the browser's (as AppState's).
        reader = Reader(language_or_default(viewer.language or _language_of(request)))
        field, column, value = fields["field"], fields["column"], fields["value"]

        def keep_into(item_id: object, *, id_from_page: bool) -> list[object]:
            kept = homework.keep_change(
                session,
                client_id=viewer.user_id,
                item_id=item_id,
                assignment_id=assignment_id,
                worksheet=sheet,
                change=lambda worksheet, held: {
                    field: worksheets.answer_given(worksheet, held, field, int(row), column, value)
                },
                translate=lambda text: str(reader.shown(text)),
                id_from_page=id_from_page,
                # A field's own answer as the page last had it from the server (a list's
                # rows are answer_given's to place).
                shown={field: fields["seen"]} if row == "-1" else None,
            )
            return [item_id] if kept.set_aside is not None else []

        if value == fields["seen"]:
            # Words the server gave the page (its own, saved already): sent again as the tab
            # goes, they could only write over what another device typed since (a
            # walk-through's reload put a laptop's old answer back over the phone's).
            return []
        try:
            return keep_into(fields["item_id"], id_from_page=True)
        except BegunElsewhere as begun:  # on another device meanwhile: the answer joins that one
            return keep_into(begun.response_id, id_from_page=False)

    names = {
        "item_id",
        "mark",
        "assignment_id",
        "template",
        "prompt",
        "field",
        "row",
        "column",
        "value",
        "seen",
    }
    return await _keep_typed(request, names, keep, refused_alike=True)


async def keep_note(request: Request) -> Response:
    """The client's note after the session held last with a clinician (the Prepare page's
    "What I want to remember"); their other tabs show it at once."""
    kept_by: list[uuid.UUID] = []

    def keep(session: Session, viewer: Viewer, fields: dict[str, str]) -> None:
        agenda.remember_last_time(
            session, client_id=viewer.user_id, clinician_id=fields["clinician_id"], text=fields["value"]
        )
        kept_by.append(viewer.user_id)

    response = await _keep_typed(request, {"clinician_id", "value"}, keep)
    live.recheck_people(kept_by)
    return response


async def keep_line(request: Request) -> Response:
    """A line half typed in the Prepare page's "Add a line" (`agenda.keep_typed_line`)."""

    def keep(session: Session, viewer: Viewer, fields: dict[str, str]) -> None:
        agenda.keep_typed_line(
            session, client_id=viewer.user_id, agenda_id=fields["agenda_id"], text=fields["value"]
        )

    return await _keep_typed(request, {"agenda_id", "value"}, keep)


# --- everything the client has, as one file (PRIV-1) -------------------------------------
#
# "Download all my data" (YourDataState) hands the page a ticket for this route: the file
# is made here and sent as an HTTP response, not over the websocket, where a big journal's
# archive (encoded whole into one message) held up everyone's events meanwhile (attack
# review: 815 ms for 1,200 long entries).


async def download_everything(request: Request) -> Response:
    """The signed-in client's archive, for a ticket made for them in the last few minutes and
    not used before (`form_tokens.use_ticket`); else 403, nothing made."""
    token = session_token_from_cookie_header(request.headers.get("cookie", ""))
    ticket = request.query_params.get("ticket", "")

    def admitted(session: Session) -> Viewer | None:
        viewer = accounts.resolve_session(session, token=token)
        if viewer is None:
            return None
        if viewer.role != Role.CLIENT:  # refused and audited, as the beacon routes do
            audit.record(
                session, actor_id=viewer.user_id, action=AuditAction.CALL, outcome=AuditOutcome.DENIED
            )
            return None
        return viewer if form_tokens.use_ticket(session, ticket, viewer.user_id) else None

    viewer = await in_session(admitted)
    if viewer is None:
        return Response(status_code=403, headers={"Cache-Control": "no-store"})
    reader = Reader(
        language_or_default(viewer.language or _language_of(request)),
        viewer.time_zone or get_settings().time_zone,
    )
    try:
        with one_file_at_a_time(viewer.user_id):  # one at a time per person, as a summary is
            data = await in_session(portability.everything, client_id=viewer.user_id)
            archive = await made_in_turn(export_files.archive, data=data, reader=reader)
    except InvalidInput:  # another file of theirs is being made
        return Response(status_code=429, headers={"Cache-Control": "no-store", "Retry-After": "10"})
    except Exception as error:  # logged by type and id only: never a message with the words
        log.error("making an archive failed: %s (error id %s)", type(error).__name__, uuid.uuid4().hex[:12])
        return Response(status_code=500, headers={"Cache-Control": "no-store"})
    return Response(
        archive,
        media_type="application/zip",
        headers={
            "Content-Disposition": f'attachment; filename="{export_files.file_name(reader)}"',
            "Cache-Control": "no-store",
        },
    )


# --- the installable app (betterjournal/pwa.py) -----------------------------------------


def _language_of(request: Request) -> str:
    """The language this browser last used the app in, else the one it asks for."""
    return language_from_cookie_header(request.headers.get("cookie", "")) or from_accept_language(
        request.headers.get("accept-language", "")
    )


async def web_app_manifest(request: Request) -> Response:
    return JSONResponse(pwa.manifest(_language_of(request)), media_type="application/manifest+json")


async def service_worker(_request: Request) -> Response:
    return Response(pwa.built_worker_script(), media_type="text/javascript")


async def offline_page(request: Request) -> Response:
    return Response(pwa.offline_page(_language_of(request)), media_type="text/html; charset=utf-8")


# --- the one-tap opt-out of reminder emails ---------------------------------------------


def _calm_page(reader: Reader, heading: str, *paragraphs: str, link: tuple[str, str]) -> str:
    """A small page of our own, in the person's language and the app's look (pwa.calm_page):
    no script, nothing outside; the crisis line at its foot, as on every page."""
    body = "".join(f"<p>{html.escape(text)}</p>" for text in paragraphs)
    return pwa.calm_page(
        reader.language,
        heading,
        f"<h1>{html.escape(heading)}</h1>{body}"
        f'<p><a class="again" href="{html.escape(link[1])}">{html.escape(link[0])}</a></p>'
        f"{pwa.crisis_line(reader)}",
    )


ONE_CLICK = b"List-Unsubscribe=One-Click"  # RFC 8058: the mail program's own "Unsubscribe"


async def reminders_off(request: Request) -> Response:
    """Turn a person's reminders off from a reminder email. The mail program's one-click
    POST (RFC 8058) turns them off at once. The link opens a page whose one button does
    (a POST): a mail scanner fetching every link of a message (as many clinics' and
    employers' do) must not turn them off unseen, as the confirmation link's page does.
    The token is purpose-bound: it does this and nothing else, signs nobody in, and a
    forged or altered one changes nothing."""
    token = request.query_params.get("token")
    if request.method == "GET":
        reader = await in_session(reminders.opt_out_reader, token=token)
        if reader is None:
            return _reminders_link_broken(request)
        action = f"{routes.API_REMINDERS_OFF}?{urlencode({'token': token})}"
        question = reader.t("Turn reminders off?")
        what = html.escape(reader.t("You will get no more reminders from Betterjournal."))
        button = html.escape(reader.t("Turn reminders off"))
        some = html.escape(reader.t("To keep some of them, choose which in your settings."))
        settings = html.escape(reader.t("Go to settings"))
        page = pwa.calm_page(
            reader.language,
            question,
            f"<h1>{html.escape(question)}</h1><p>{what}</p>"
            f'<form method="post" action="{html.escape(action)}">'
            f'<button class="again" type="submit">{button}</button></form>'
            f'<p>{some} <a href="{routes.SETTINGS}">{settings}</a></p>'
            f"{pwa.crisis_line(reader)}",
        )
        return HTMLResponse(page)
    one_click = (await request.body())[:200] == ONE_CLICK
    turned_off = await in_session(reminders.opt_out, token=token)
    if turned_off is not None:  # the person's settings open in a tab show them off at once
        live.recheck_people([turned_off[0]])
    if one_click:
        return Response(status_code=200 if turned_off is not None else 400)
    if turned_off is None:
        return _reminders_link_broken(request)
    reader = turned_off[1]
    page = _calm_page(
        reader,
        reader.t("Reminders are off"),
        reader.t("You won't get reminders from Betterjournal any more."),
        reader.t("If you'd like them again, you can turn them back on in your settings."),
        link=(reader.t("Go to settings"), routes.SETTINGS),
    )
    return HTMLResponse(page)


def _reminders_link_broken(request: Request) -> HTMLResponse:
    reader = Reader(from_accept_language(request.headers.get("accept-language", "")))
    page = _calm_page(
        reader,
        reader.t("This link doesn't work"),
        reader.t("Nothing was changed. You can turn reminders off in your settings, once signed in."),
        link=(reader.t("Go to settings"), routes.SETTINGS),
    )
    return HTMLResponse(page, status_code=400)


def http_routes() -> Starlette:
    return Starlette(
        routes=[
            Route(routes.API_SIGN_IN, sign_in, methods=["POST"]),
            Route(routes.API_REGISTER, register, methods=["POST"]),
            Route(routes.API_SIGN_OUT, sign_out, methods=["POST"]),
            Route(routes.API_FORGOT, forgot_password, methods=["POST"]),
            Route(routes.API_PASSWORD, choose_password, methods=["POST"]),
            Route(routes.API_CONFIRM, confirm_email, methods=["POST"]),
            Route(routes.HEALTH, health, methods=["GET"]),
            Route(API_KEEP_DRAFT, keep_draft, methods=["POST"]),
            Route(API_KEEP_ANSWER, keep_answer, methods=["POST"]),
            Route(API_KEEP_NOTE, keep_note, methods=["POST"]),
            Route(routes.API_KEEP_LINE, keep_line, methods=["POST"]),
            Route(routes.API_EVERYTHING, download_everything, methods=["GET"]),
            Route(routes.MANIFEST, web_app_manifest, methods=["GET"]),
            Route(routes.SERVICE_WORKER, service_worker, methods=["GET"]),
            Route(routes.OFFLINE, offline_page, methods=["GET"]),
            Route(routes.API_REMINDERS_OFF, reminders_off, methods=["GET", "POST"]),
            *oidc.oidc_routes(),
        ]
    )


# --- pages without their trailing slash --------------------------------------------------


class PagePaths:
    """ASGI middleware: a page asked for without its trailing slash ("/journal", as every
    link, email and form redirect writes it) is served as that page ("/journal/") rather
    than redirected there: on a phone over a slow connection each redirect costs a round
    trip before anything shows."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._pages: dict[str, bool] = {}

    def _is_page(self, path: str) -> bool:
        if path not in routes.PAGE_PATHS:  # also keeps the memo to our own few paths
            return False
        if path not in self._pages:
            from reflex.constants import Dirs
            from reflex.utils.prerequisites import get_web_dir

            self._pages[path] = (get_web_dir() / Dirs.STATIC / path.strip("/") / "index.html").is_file()
        return self._pages[path]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] == "http" and scope.get("method") in ("GET", "HEAD") and self._is_page(path):
            scope = {**scope, "path": path + "/", "raw_path": (path + "/").encode()}
        await self.app(scope, receive, send)


# --- security headers -------------------------------------------------------------------

_INLINE_SCRIPT = re.compile(rb"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", re.DOTALL)
_BASE_CSP = (
    "default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
    "form-action 'self'; img-src 'self' data:; font-src 'self' data:; "
    "style-src 'self' 'unsafe-inline'; connect-src 'self'; manifest-src 'self'; "
    "worker-src 'self'"
)
STATIC_HEADERS = {
    b"x-content-type-options": b"nosniff",
    b"referrer-policy": b"no-referrer",
    b"x-frame-options": b"DENY",
    b"cross-origin-opener-policy": b"same-origin",
    b"permissions-policy": b"camera=(), microphone=(), geolocation=(), payment=(), usb=()",
}


def content_security_policy(html: bytes) -> str:
    """CSP allowing our own scripts plus, by hash, the inline scripts in this very page."""
    hashes = [
        "'sha256-" + base64.b64encode(hashlib.sha256(body).digest()).decode() + "'"
        for body in _INLINE_SCRIPT.findall(html)
    ]
    return _BASE_CSP + "; script-src 'self' " + " ".join(hashes)


class SecurityHeaders:
    """ASGI middleware: security headers on every HTTP response (TRANS-2).

    HTML is buffered to hash its inline scripts into the CSP. Vite's content-hashed
    build files are cached for a year (`immutable`: never even revalidated); everything
    else, HTML, the manifest and the service worker included, is `Cache-Control: no-store`.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cacheable = scope.get("method") in ("GET", "HEAD") and pwa.is_hashed_asset(scope.get("path", ""))
        # Files must arrive as body messages so HTML can be hashed: no zero-copy sends.
        extensions = {
            k: v for k, v in (scope.get("extensions") or {}).items() if k != "http.response.pathsend"
        }
        scope = {**scope, "extensions": extensions}
        if not cacheable:
            scope = _gzip_at_most(scope)
        start: Message | None = None
        body = bytearray()

        async def send_with_headers(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
                if not _is_html(message):
                    await send(_decorate(message, html=None, cacheable=cacheable))
                return
            if start is None or not _is_html(start):
                await send(message)
                return
            body.extend(message.get("body", b""))
            if not message.get("more_body"):
                html = bytes(body)
                if _header(start, b"content-encoding") == b"gzip":
                    html = gzip.decompress(html)
                page = _decorate(start, html=html, body_length=len(body), cacheable=False)
                await send(_remember_browser_language(page, scope))
                await send({"type": "http.response.body", "body": bytes(body)})

        await self.app(scope, receive, send_with_headers)


def _gzip_at_most(scope: Scope) -> Scope:
    """The request, asking for gzip at most: a page is read back to hash its inline scripts,
    and Python reads gzip but not brotli. Build files (`cacheable`) keep brotli (rxconfig.py)."""

    def gzip_or_plain(accepted: bytes) -> bytes:
        codings = (c.strip() for c in accepted.split(b","))
        return b", ".join(c for c in codings if c.split(b";")[0].strip().lower() in (b"gzip", b"identity"))

    headers = [
        (name, gzip_or_plain(value)) if name.lower() == b"accept-encoding" else (name, value)
        for name, value in scope.get("headers", [])
    ]
    return {**scope, "headers": headers}


def _header(message: Message, name: bytes) -> bytes | None:
    return next((v for n, v in message.get("headers", []) if n.lower() == name), None)


def _is_html(message: Message) -> bool:
    return any(
        name.lower() == b"content-type" and value.startswith(b"text/html")
        for name, value in message.get("headers", [])
    )


def _remember_browser_language(message: Message, scope: Scope) -> Message:
    """A page for a browser the app has never seen: the language cookie starts as the one
    the browser asks for, so the websocket that follows (whose handshake may not carry the
    browser's Accept-Language) opens in the same language as the page it serves."""
    request = dict(scope.get("headers") or [])
    if language_from_cookie_header(request.get(b"cookie", b"").decode("latin-1")):
        return message
    language = from_accept_language(request.get(b"accept-language", b"").decode("latin-1"))
    cookie = SimpleCookie()
    cookie[LANGUAGE_COOKIE] = language
    morsel = cookie[LANGUAGE_COOKIE]
    morsel.update({"path": "/", "max-age": str(LANGUAGE_COOKIE_DAYS * 86_400), "samesite": "Strict"})
    morsel["secure"] = get_settings().secure_cookies
    return {**message, "headers": [*message["headers"], (b"set-cookie", morsel.OutputString().encode())]}


def _decorate(message: Message, *, html: bytes | None, cacheable: bool, body_length: int = 0) -> Message:
    replaced = {b"content-length", b"cache-control", b"content-security-policy"}
    headers = [(n, v) for n, v in message.get("headers", []) if n.lower() not in replaced]
    if cacheable and message.get("status") in (200, 304):
        headers.append((b"cache-control", pwa.IMMUTABLE.encode()))
    else:
        headers.append((b"cache-control", b"no-store"))
    if html is not None:
        headers.append((b"content-length", str(body_length).encode()))
        headers.append((b"content-security-policy", content_security_policy(html).encode()))
    else:
        headers += [(n, v) for n, v in message.get("headers", []) if n.lower() == b"content-length"]
        headers.append((b"content-security-policy", _BASE_CSP.encode() + b"; script-src 'self'"))
    present = {n.lower() for n, _ in headers}
    headers += [(n, v) for n, v in STATIC_HEADERS.items() if n not in present]
    return {**message, "headers": headers}

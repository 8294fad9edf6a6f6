"""Clinic sign-in: OpenID Connect with the clinic's own identity provider (issue 11).

The authorization code flow with PKCE (S256), state and nonce, through Authlib's client.
What the way back needs (state, nonce, code verifier) waits in a short-lived HttpOnly
cookie sealed with a key of the deployment's own, so no server-side row is written for a
sign-in that is never finished. The ID token is checked here with joserfc against the
provider's published keys: signature, issuer, audience (and authorized party), times,
nonce, and a verified email. That email must belong to an approved clinician account
(active, confirmed, role clinician); the person then takes the same second step as after a
password (`api.finish_sign_in`): the clinic's sign-in replaces the password, never the
app's own two-step sign-in. Once that step is done with a code from the authenticator the
clinician already had (not at its first setup, where whoever signs in makes the factor),
the provider's subject (`sub`, as a digest) is the account's: later clinic sign-ins are
matched by it first, and the account's email with another subject of the same provider is
refused (a provider that lets people change their address would otherwise let one take a
clinician's).

Every failure on the way back, whatever its cause (a wrong state, an unknown email, a
client's or an admin's email, a provider that is down), gets one answer, so the page tells
nobody whether an address has an account here (AUTHN-2). The log says why, in a word or
an error type, never with an address or a token (INPUT-5).
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import logging
import secrets
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, cast

import httpx2
from authlib.integrations.httpx_client import AsyncOAuth2Client
from joserfc import jwt
from joserfc.errors import InvalidKeyIdError
from joserfc.jwk import KeySet, KeySetSerialization
from sqlmodel import Session, select
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from betterjournal import routes
from betterjournal.core import accounts
from betterjournal.core.validation import clean_email
from betterjournal.crypto import DecryptionError, get_vault
from betterjournal.db import in_session
from betterjournal.models import Role, User
from betterjournal.settings import Settings, get_settings

log = logging.getLogger("betterjournal.oidc")

START = "/api/auth/oidc/start"
CALLBACK = "/api/auth/oidc/callback"
COOKIE_PATH = "/api/auth/oidc"  # the pending cookie goes to these two routes only

# The error codes the sign-in page explains (state.base.PUBLIC_PAGE_PROBLEMS).
REFUSED = "clinic"  # anything on the way back: one answer for every cause, but the next
# A clinician with no two-step sign-in yet (api.finish_sign_in): whoever signs in at its
# setup makes the second factor, so after a clinic sign-in it could be someone holding the
# clinician's address at the provider (a review). The first time is with the password.
FIRST_TIME = "clinic_first_time"
UNAVAILABLE = "clinic_unavailable"  # the provider could not be reached before leaving

PENDING_SECONDS = 600  # time to sign in at the clinic and come back
DISCOVERY_SECONDS = 300  # how long the provider's metadata and keys are reused
HTTP_TIMEOUT = httpx2.Timeout(10.0)
CLOCK_LEEWAY = 60  # seconds of clock skew allowed on exp / iat
# Asymmetric algorithms only: a key from the JWKS is never taken as an HMAC secret.
ALGORITHMS = ("RS256", "PS256", "ES256")
SCOPE = "openid email"
_MAX_CODE = 2048  # the longest authorization code accepted on the way back


class Refused(Exception):
    """The sign-in can't go on. The message is one word for the log, never shown."""


# --- the provider: discovery and keys ---------------------------------------------------


@dataclass(frozen=True)
class Provider:
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    token_auth_method: str  # client_secret_basic or client_secret_post
    keys: KeySet
    fetched_at: float


_providers: dict[str, Provider] = {}


def forget_providers() -> None:
    """Drop the cached metadata and keys (tests; a provider that was replaced)."""
    _providers.clear()


async def provider(settings: Settings, *, fresh: bool = False) -> Provider:
    """The configured provider's endpoints and signing keys, fetched at most every few
    minutes. The metadata must name the configured issuer exactly (OIDC Discovery §4.3)."""
    issuer = settings.oidc_issuer
    cached = _providers.get(issuer)
    if cached is not None and not fresh and time.monotonic() - cached.fetched_at < DISCOVERY_SECONDS:
        return cached
    async with httpx2.AsyncClient(timeout=HTTP_TIMEOUT, follow_redirects=False) as http:
        metadata = await _json(http, f"{issuer}/.well-known/openid-configuration")
        if metadata.get("issuer") != issuer:
            raise Refused("metadata issuer")
        endpoints = {
            name: _endpoint(metadata, name, settings)
            for name in ("authorization_endpoint", "token_endpoint", "jwks_uri")
        }
        keys = KeySet.import_key_set(cast(KeySetSerialization, await _json(http, endpoints["jwks_uri"])))
    methods = metadata.get("token_endpoint_auth_methods_supported") or ["client_secret_basic"]
    if "client_secret_basic" in methods:
        method = "client_secret_basic"
    elif "client_secret_post" in methods:
        method = "client_secret_post"
    else:
        raise Refused("token auth method")
    found = Provider(
        issuer=issuer,
        authorization_endpoint=endpoints["authorization_endpoint"],
        token_endpoint=endpoints["token_endpoint"],
        token_auth_method=method,
        keys=keys,
        fetched_at=time.monotonic(),
    )
    _providers[issuer] = found
    return found


async def _json(http: httpx2.AsyncClient, url: str) -> dict[str, Any]:
    response = await http.get(url, headers={"Accept": "application/json"})
    response.raise_for_status()
    body = response.json()
    if not isinstance(body, dict):
        raise Refused("metadata")
    return body


def _endpoint(metadata: dict[str, Any], name: str, settings: Settings) -> str:
    value = metadata.get(name)
    if not isinstance(value, str) or not value.startswith(("https://", "http://")):
        raise Refused("metadata")
    if settings.production and not value.startswith("https://"):
        raise Refused("metadata")
    return value


@asynccontextmanager
async def _oauth_client(settings: Settings, found: Provider) -> AsyncIterator[AsyncOAuth2Client]:
    client = AsyncOAuth2Client(
        client_id=settings.oidc_client_id,
        client_secret=settings.oidc_client_secret,
        token_endpoint_auth_method=found.token_auth_method,
        code_challenge_method="S256",
        scope=SCOPE,
        redirect_uri=redirect_uri(settings),
        timeout=HTTP_TIMEOUT,
        follow_redirects=False,
    )
    try:
        yield client
    finally:
        # An httpx2.AsyncClient underneath (Authlib picks httpx2 at import, out of pyright's sight).
        await cast(httpx2.AsyncClient, client).aclose()


def redirect_uri(settings: Settings) -> str:
    """The address the deployment registers with its provider as the redirect URI."""
    return settings.public_url + CALLBACK


# --- the pending sign-in, sealed in a cookie --------------------------------------------


@dataclass(frozen=True)
class Pending:
    state: str
    nonce: str
    verifier: str  # the PKCE code verifier
    issuer: str
    started_at: int


def _cookie_name(settings: Settings) -> str:
    # Not __Host-: that prefix needs Path=/, and this cookie goes to the OIDC routes only.
    return "__Secure-bj_oidc" if settings.secure_cookies else "bj_oidc"


def _seal(pending: Pending) -> str:
    pending_id = secrets.token_urlsafe(16)
    text = json.dumps(
        {
            "state": pending.state,
            "nonce": pending.nonce,
            "verifier": pending.verifier,
            "issuer": pending.issuer,
            "at": pending.started_at,
        }
    )
    blob = get_vault().system_key("oidc/v1").seal("oidc", "pending", pending_id, text)
    return f"{pending_id}.{base64.urlsafe_b64encode(blob).decode().rstrip('=')}"


def _open(cookie: str | None) -> Pending:
    if not cookie or cookie.count(".") != 1:
        raise Refused("no pending sign-in")
    pending_id, encoded = cookie.split(".")
    try:
        blob = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
        fields = json.loads(get_vault().system_key("oidc/v1").open("oidc", "pending", pending_id, blob))
        pending = Pending(
            state=str(fields["state"]),
            nonce=str(fields["nonce"]),
            verifier=str(fields["verifier"]),
            issuer=str(fields["issuer"]),
            started_at=int(fields["at"]),
        )
    except (binascii.Error, ValueError, KeyError, TypeError, DecryptionError):
        raise Refused("pending cookie") from None
    if not 0 <= time.time() - pending.started_at <= PENDING_SECONDS:
        raise Refused("pending expired")
    return pending


def _forget_pending(response: Response, settings: Settings) -> Response:
    response.delete_cookie(
        _cookie_name(settings),
        path=COOKIE_PATH,
        secure=settings.secure_cookies,
        httponly=True,
        samesite="lax",
    )
    return response


# --- the routes --------------------------------------------------------------------------


async def start(request: Request) -> Response:
    """GET: off to the clinic's provider, with a fresh state, nonce and PKCE verifier."""
    settings = get_settings()
    if not settings.oidc_enabled:
        return Response(status_code=404)
    try:
        found = await provider(settings)
    except Exception as error:  # the provider is down or misconfigured: logged by type only
        log.warning("clinic sign-in unavailable: %s", _why(error))
        return _back(UNAVAILABLE)
    pending = Pending(
        state=secrets.token_urlsafe(32),
        nonce=secrets.token_urlsafe(32),
        verifier=secrets.token_urlsafe(48),  # 64 characters (RFC 7636: 43 to 128)
        issuer=settings.oidc_issuer,
        started_at=int(time.time()),
    )
    async with _oauth_client(settings, found) as client:
        url, _ = client.create_authorization_url(
            found.authorization_endpoint,
            state=pending.state,
            code_verifier=pending.verifier,
            nonce=pending.nonce,
        )
    response = RedirectResponse(url, status_code=303)
    response.set_cookie(
        _cookie_name(settings),
        _seal(pending),
        max_age=PENDING_SECONDS,
        path=COOKIE_PATH,
        secure=settings.secure_cookies,
        httponly=True,
        # Lax, not Strict: the cookie must come back on the provider's cross-site redirect.
        samesite="lax",
    )
    return response


async def callback(request: Request) -> Response:
    """GET: back from the provider. Signs in an approved clinician; anything else gets the
    same refusal. The pending cookie is cleared either way."""
    from betterjournal import api  # api imports this module for its routes

    settings = get_settings()
    if not settings.oidc_enabled:
        return Response(status_code=404)
    try:
        user_id, subject = await _identify(request, settings)
    except Exception as error:  # every cause, one answer; the log gets a word or a type
        log.warning("clinic sign-in refused: %s", _why(error))
        return _forget_pending(_back(REFUSED), settings)
    return _forget_pending(await api.finish_sign_in(request, user_id, clinic_subject=subject), settings)


async def _identify(request: Request, settings: Settings) -> tuple[uuid.UUID, str | None]:
    """The approved clinician the provider vouches for, and the subject digest to bind to
    them (None: bound already), or Refused (or another error)."""
    pending = _open(request.cookies.get(_cookie_name(settings)))
    query = request.query_params
    state, code = query.get("state", ""), query.get("code", "")
    if not hmac.compare_digest(state.encode(), pending.state.encode()):
        raise Refused("state")
    if pending.issuer != settings.oidc_issuer:  # the deployment changed providers meanwhile
        raise Refused("pending issuer")
    if "error" in query or not code or len(code) > _MAX_CODE:
        raise Refused("provider answered no code")
    # RFC 9207: a provider that names itself on the way back must be ours (mix-up attacks).
    if "iss" in query and query["iss"] != settings.oidc_issuer:
        raise Refused("response issuer")
    found = await provider(settings)
    async with _oauth_client(settings, found) as client:
        token = await client.fetch_token(
            found.token_endpoint,
            grant_type="authorization_code",
            code=code,
            code_verifier=pending.verifier,
            redirect_uri=redirect_uri(settings),
        )
    id_token = token.get("id_token")
    if not isinstance(id_token, str):
        raise Refused("no id token")
    claims = await _verified_claims(id_token, settings, found, nonce=pending.nonce)
    if claims.get("email_verified") is not True:
        raise Refused("email not verified")
    email = clean_email(claims.get("email"))
    if not isinstance(claims.get("sub"), str) or not claims["sub"]:
        raise Refused("no subject")
    subject = accounts.clinic_subject_digest(settings.oidc_issuer, claims["sub"])
    return await in_session(_approved_clinician, email=email, subject=subject, issuer=settings.oidc_issuer)


async def _verified_claims(
    id_token: str, settings: Settings, found: Provider, *, nonce: str
) -> dict[str, Any]:
    """The ID token's claims once its signature, issuer, audience, times and nonce check
    out (OIDC Core §3.1.3.7). The keys are fetched again once for an unknown key id (the
    provider rotated its keys)."""
    try:
        decoded = jwt.decode(id_token, found.keys, algorithms=list(ALGORITHMS))
    except InvalidKeyIdError:
        found = await provider(settings, fresh=True)
        decoded = jwt.decode(id_token, found.keys, algorithms=list(ALGORITHMS))
    claims = decoded.claims
    jwt.JWTClaimsRegistry(
        leeway=CLOCK_LEEWAY,
        iss={"essential": True, "value": settings.oidc_issuer},
        aud={"essential": True, "value": settings.oidc_client_id},
        sub={"essential": True},
        exp={"essential": True},
        iat={"essential": True},
    ).validate(claims)
    audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
    # With several audiences, or whenever it is present, the authorized party must be us.
    if (len(audiences) > 1 or "azp" in claims) and claims.get("azp") != settings.oidc_client_id:
        raise Refused("azp")
    if time.time() - claims["iat"] > PENDING_SECONDS + CLOCK_LEEWAY:
        raise Refused("id token too old")
    got = claims.get("nonce")
    if not isinstance(got, str) or not hmac.compare_digest(got.encode(), nonce.encode()):
        raise Refused("nonce")
    return claims


def _approved_clinician(
    session: Session, *, email: str, subject: str, issuer: str
) -> tuple[uuid.UUID, str | None]:
    """The active, confirmed clinician account the provider's subject is bound to, else the
    one with this (lower-case) email unless it is bound to another subject of this
    provider; with the subject to bind (None when bound already)."""
    bound = session.exec(select(User).where(User.clinic_subject == subject)).first()
    user = bound or session.exec(select(User).where(User.email == email)).first()
    if user is None or user.role != Role.CLINICIAN or not user.is_active or user.email_confirmed_at is None:
        raise Refused("no approved clinician")
    if bound is not None:
        return user.id, None
    if user.clinic_subject is not None and user.clinic_issuer == issuer:
        raise Refused("another subject for this clinician")
    return user.id, subject


def _back(error: str) -> Response:
    # api imports this module for its routes: reached at call time, not at import.
    from betterjournal import api

    return api._back(routes.SIGN_IN, error)


def _why(error: Exception) -> str:
    """What the log may say about a failure: our own word, else only the error's type
    (an exception's message may hold a token, a code or an address)."""
    return str(error) if isinstance(error, Refused) else type(error).__name__


def oidc_routes() -> list[Route]:
    """The two routes, for `api.http_routes()`; both answer 404 unless an issuer is set."""
    return [
        Route(START, start, methods=["GET"]),
        Route(CALLBACK, callback, methods=["GET"]),
    ]

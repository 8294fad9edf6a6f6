"""A real OpenID provider for the tests, on 127.0.0.1 and a free port (issue 11).

Not a mock: the app reaches it over HTTP as it would a clinic's own provider. Discovery,
the published signing key (RSA, made at start), an authorization endpoint and a token
endpoint that checks the client's secret, the one-time code, the redirect URI and the
PKCE verifier, and signs an RS256 ID token with joserfc. There is no login page: the
authorization endpoint sends the browser straight back with a code for the identity the
test chose (`next_identity`). `spoil_next_token(fault)` makes the next ID token wrong in
one way, so a test can see the app refuse it.

It runs on the standard library's threaded HTTP server in a background thread, so the
tests need no ASGI server of their own.

    provider = OpenIDProvider(redirect_uris=["http://localhost:3000/api/auth/oidc/callback"])
    provider.start()
    # BJ_OIDC_ISSUER=provider.issuer, BJ_OIDC_CLIENT_ID=provider.client_id,
    # BJ_OIDC_CLIENT_SECRET=provider.client_secret
    provider.next_identity(email="dr-a@example.test")
    ...
    provider.stop()
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal, get_args
from urllib.parse import parse_qs, parse_qsl, unquote, urlencode, urlsplit

from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

# One way each to make the next ID token wrong.
Fault = Literal[
    "wrong_nonce",  # not the nonce the app sent
    "wrong_issuer",  # "iss" names another provider
    "wrong_audience",  # issued to another client
    "extra_audience",  # issued to us and another client, with no "azp"
    "unverified_email",  # "email_verified": false
    "missing_email_verified",  # no "email_verified" claim at all
    "expired",  # "exp" an hour ago
    "wrong_key",  # signed by another key under our key's id
]
FAULTS: tuple[Fault, ...] = get_args(Fault)

CODE_SECONDS = 60  # a code not redeemed by then is refused


@dataclass(frozen=True)
class Identity:
    """Who the provider says signed in."""

    email: str
    email_verified: bool = True
    subject: str = field(default_factory=lambda: secrets.token_hex(8))


@dataclass(frozen=True)
class _Grant:
    client_id: str
    redirect_uri: str
    code_challenge: str
    nonce: str | None
    identity: Identity
    issued_at: float


class OpenIDProvider:
    """A minimal OpenID provider for one confidential client (authorization code + PKCE)."""

    def __init__(
        self,
        *,
        client_id: str = "betterjournal-test",
        client_secret: str | None = None,
        redirect_uris: Iterable[str] = (),
    ) -> None:
        self.client_id = client_id
        self.client_secret = client_secret or secrets.token_urlsafe(24)
        self.redirect_uris = set(redirect_uris)
        self._key = RSAKey.generate_key(2048, parameters={"use": "sig", "alg": "RS256"})
        self._key.ensure_kid()
        self._stranger_key = RSAKey.generate_key(2048)  # signs the "wrong_key" token
        self._lock = threading.Lock()
        self._identity: Identity | None = None
        self._faults: set[Fault] = set()
        self._grants: dict[str, _Grant] = {}
        self.token_requests = 0  # how many times the token endpoint was called
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- running ----------------------------------------------------------------------

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the provider isn't running")
        return self._server.server_address[1]

    @property
    def issuer(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> OpenIDProvider:
        handler = type("Handler", (_Handler,), {"provider": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="oidc-provider", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = self._thread = None

    # --- what the tests set -------------------------------------------------------------

    def register_redirect_uri(self, uri: str) -> None:
        with self._lock:
            self.redirect_uris.add(uri)

    def next_identity(
        self, *, email: str, email_verified: bool = True, subject: str | None = None
    ) -> Identity:
        """Who the next authorization request signs in, without asking: by default the
        subject a provider keeps for that address (one account, one subject)."""
        default = "sub-" + hashlib.sha256(email.lower().encode()).hexdigest()[:16]
        identity = Identity(email=email, email_verified=email_verified, subject=subject or default)
        with self._lock:
            self._identity = identity
        return identity

    def spoil_next_token(self, *faults: Fault) -> None:
        """Make the next ID token the token endpoint issues wrong in these ways."""
        unknown = set(faults) - set(FAULTS)
        if unknown:
            raise ValueError(f"unknown faults: {sorted(unknown)}")
        with self._lock:
            self._faults.update(faults)

    def reset(self) -> None:
        """Forget the identity, the faults and every unredeemed code."""
        with self._lock:
            self._identity = None
            self._faults.clear()
            self._grants.clear()
            self.token_requests = 0

    # --- the endpoints ------------------------------------------------------------------

    def metadata(self) -> dict[str, Any]:
        issuer = self.issuer
        return {
            "issuer": issuer,
            "authorization_endpoint": f"{issuer}/authorize",
            "token_endpoint": f"{issuer}/token",
            "jwks_uri": f"{issuer}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", "email"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "code_challenge_methods_supported": ["S256"],
            "claims_supported": ["sub", "iss", "aud", "exp", "iat", "nonce", "email", "email_verified"],
        }

    def jwks(self) -> dict[str, Any]:
        return dict(KeySet([self._key]).as_dict(private=False))

    def authorize(self, query: dict[str, str]) -> tuple[int, dict[str, str], dict[str, Any] | None]:
        """(status, headers, JSON body): a redirect back with a code, or an error.

        A request with an unknown client or redirect URI is answered here, never redirected
        (RFC 6749 §4.1.2.1): a provider must not send a code to an address it doesn't know.
        """
        redirect_uri = query.get("redirect_uri", "")
        with self._lock:
            known = query.get("client_id") == self.client_id and redirect_uri in self.redirect_uris
            identity = self._identity
            self._identity = None
        if not known:
            return (
                400,
                {},
                {"error": "invalid_request", "error_description": "unknown client or redirect_uri"},
            )
        back: dict[str, str] = {"iss": self.issuer}
        if "state" in query:
            back["state"] = query["state"]
        problem = None
        if query.get("response_type") != "code":
            problem = "unsupported_response_type"
        elif "openid" not in query.get("scope", "").split():
            problem = "invalid_scope"
        elif query.get("code_challenge_method") != "S256" or not query.get("code_challenge"):
            problem = "invalid_request"  # PKCE S256 is required here
        elif identity is None:
            problem = "access_denied"  # nobody signed in
        if problem is not None:
            return 302, {"Location": f"{redirect_uri}?{urlencode({**back, 'error': problem})}"}, None
        assert identity is not None
        code = secrets.token_urlsafe(32)
        with self._lock:
            self._grants[code] = _Grant(
                client_id=self.client_id,
                redirect_uri=redirect_uri,
                code_challenge=query["code_challenge"],
                nonce=query.get("nonce"),
                identity=identity,
                issued_at=time.time(),
            )
        return 302, {"Location": f"{redirect_uri}?{urlencode({**back, 'code': code})}"}, None

    def token(self, form: dict[str, str], authorization: str | None) -> tuple[int, dict[str, Any]]:
        """(status, JSON body) for a token request: the code grant, once, with PKCE."""
        with self._lock:
            self.token_requests += 1
        client_id, client_secret = _client_credentials(form, authorization)
        if not (
            hmac.compare_digest(client_id.encode(), self.client_id.encode())
            and hmac.compare_digest(client_secret.encode(), self.client_secret.encode())
        ):
            return 401, {"error": "invalid_client"}
        if form.get("grant_type") != "authorization_code":
            return 400, {"error": "unsupported_grant_type"}
        with self._lock:
            grant = self._grants.pop(form.get("code", ""), None)  # one use, right or wrong
        verifier = form.get("code_verifier", "")
        if (
            grant is None
            or time.time() - grant.issued_at > CODE_SECONDS
            or grant.client_id != client_id
            or grant.redirect_uri != form.get("redirect_uri")
            or not 43 <= len(verifier) <= 128
            or not hmac.compare_digest(_s256(verifier).encode(), grant.code_challenge.encode())
        ):
            return 400, {"error": "invalid_grant"}
        with self._lock:
            faults, self._faults = self._faults, set()
        return 200, {
            "access_token": secrets.token_urlsafe(32),
            "token_type": "Bearer",
            "expires_in": 300,
            "scope": "openid email",
            "id_token": self._id_token(grant, faults),
        }

    def _id_token(self, grant: _Grant, faults: set[Fault]) -> str:
        now = int(time.time())
        identity = grant.identity
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "sub": identity.subject,
            "aud": grant.client_id,
            "iat": now,
            "exp": now + 300,
            "auth_time": now,
            "email": identity.email,
            "email_verified": identity.email_verified,
        }
        if grant.nonce is not None:
            claims["nonce"] = grant.nonce
        if "wrong_nonce" in faults:
            claims["nonce"] = secrets.token_urlsafe(32)
        if "wrong_issuer" in faults:
            claims["iss"] = "http://127.0.0.1:1"
        if "wrong_audience" in faults:
            claims["aud"] = "some-other-client"
        if "extra_audience" in faults:
            claims["aud"] = [grant.client_id, "some-other-client"]
        if "unverified_email" in faults:
            claims["email_verified"] = False
        if "missing_email_verified" in faults:
            del claims["email_verified"]
        if "expired" in faults:
            claims["iat"], claims["exp"] = now - 7200, now - 3600
        key = self._stranger_key if "wrong_key" in faults else self._key
        return jwt.encode({"alg": "RS256", "kid": self._key.kid}, claims, key, algorithms=["RS256"])


def _s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def _client_credentials(form: dict[str, str], authorization: str | None) -> tuple[str, str]:
    """client_secret_basic (RFC 6749 §2.3.1: each part form-encoded) or client_secret_post."""
    if authorization and authorization.lower().startswith("basic "):
        try:
            decoded = base64.b64decode(authorization[6:], validate=True).decode()
        except ValueError:
            return "", ""
        client_id, _, secret = decoded.partition(":")
        return unquote(client_id), unquote(secret)
    return form.get("client_id", ""), form.get("client_secret", "")


class _Handler(BaseHTTPRequestHandler):
    provider: OpenIDProvider  # set on the subclass each server makes

    def do_GET(self) -> None:  # the standard library's names
        parts = urlsplit(self.path)
        query = {key: values[0] for key, values in parse_qs(parts.query).items()}
        if parts.path == "/.well-known/openid-configuration":
            self._send(200, {}, self.provider.metadata())
        elif parts.path == "/jwks":
            self._send(200, {}, self.provider.jwks())
        elif parts.path == "/authorize":
            self._send(*self.provider.authorize(query))
        else:
            self._send(404, {}, {"error": "not_found"})

    def do_POST(self) -> None:
        if urlsplit(self.path).path != "/token":
            self._send(404, {}, {"error": "not_found"})
            return
        length = int(self.headers.get("Content-Length") or 0)
        form = dict(parse_qsl(self.rfile.read(length).decode()))
        status, body = self.provider.token(form, self.headers.get("Authorization"))
        self._send(status, {"Cache-Control": "no-store"}, body)

    def _send(self, status: int, headers: dict[str, str], body: dict[str, Any] | None) -> None:
        payload = json.dumps(body).encode() if body is not None else b""
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        if body is not None:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: Any) -> None:  # quiet in tests
        return

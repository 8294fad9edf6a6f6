"""Anti-forgery tokens for the plain HTML forms that POST to our auth routes (TRANS-3).

A token is `issued-at.nonce.mac`, signed with a key derived from the KEK. The routes
also check Origin / Sec-Fetch-Site; with SameSite=Strict cookies that makes three locks.
"""

from __future__ import annotations

import hmac
import secrets
import time

from betterjournal.crypto import get_vault

PURPOSE = "form-token/v1"
MAX_AGE_SECONDS = 12 * 3600


def issue(now: float | None = None) -> str:
    issued = str(int(now if now is not None else time.time()))
    nonce = secrets.token_urlsafe(16)
    return f"{issued}.{nonce}.{get_vault().sign(PURPOSE, f'{issued}.{nonce}'.encode())}"


def is_valid(token: object, now: float | None = None) -> bool:
    if not isinstance(token, str) or len(token) > 200 or token.count(".") != 2:
        return False
    issued, nonce, mac = token.split(".")
    expected = get_vault().sign(PURPOSE, f"{issued}.{nonce}".encode())
    if not hmac.compare_digest(mac, expected) or not issued.isdigit():
        return False
    age = (now if now is not None else time.time()) - int(issued)
    return 0 <= age <= MAX_AGE_SECONDS

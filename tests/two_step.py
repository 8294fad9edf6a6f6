"""Two-step sign-in for the tests' people: each clinician and admin the tests make has an
authenticator, as in real life, and the tests type its codes as a person would.

A code is accepted once (the app keeps the last time step used), and the app takes the
codes of the step before and after the current one too. So a person can sign in up to
three times in one 30-second step; after that `next_code` gives one of their recovery
codes (as a person without a fresh code would), and only when those are spent waits for
the next step.
"""

from __future__ import annotations

import threading
import time

from pyotp.totp import TOTP

STEP = 30
MARGIN = 12  # seconds a code must stay valid after it is handed out
SETUP_MARGIN = 5  # the same, for a code confirmed in this process right away
# The session a setup made here belongs to (mfa.begin_setup: another session gets another key).
SETUP_TOKEN = "the setup's own session"
_secrets: dict[str, str] = {}
_last_step: dict[str, int] = {}
_recovery_codes: dict[str, list[str]] = {}
_lock = threading.Lock()
waited: list[float] = []  # the pauses next_code made (the suite's time cost of the rule)


def remember(email: str, secret: str, used_step: int, recovery_codes: list[str] | None = None) -> None:
    with _lock:
        _secrets[email.lower()] = secret
        _last_step[email.lower()] = used_step
        _recovery_codes[email.lower()] = list(recovery_codes or [])


def has_authenticator(email: str) -> bool:
    return email.lower() in _secrets


def secret_of(email: str) -> str:
    return _secrets[email.lower()]


def next_code(email: str) -> str:
    """A code the app has not seen for this person (waiting for a new step if need be)."""
    key = email.lower()
    while True:
        with _lock:
            clock = time.time()
            now = int(clock) // STEP
            # The step before now stops being accepted when this step ends: only use it
            # with time to spare for the page to send it (a busy CI machine is slow).
            stale_soon = STEP - clock % STEP < MARGIN
            for step in (now - 1, now, now + 1):
                if step == now - 1 and stale_soon:
                    continue
                if step > _last_step.get(key, -1):
                    _last_step[key] = step
                    return TOTP(_secrets[key]).at(step * STEP)
            if _recovery_codes.get(key):
                return _recovery_codes[key].pop()
        pause = STEP - time.time() % STEP + 0.2
        waited.append(pause)
        time.sleep(pause)


def enrol(user_id, email: str) -> None:
    """Set up two-step sign-in through the app's own core functions (run inside
    RunningApp.core(), or a unit test's database), as the setup page does."""
    from betterjournal.core import mfa
    from betterjournal.db import session_scope

    with session_scope() as session:
        secret = mfa.begin_setup(session, user_id, token=SETUP_TOKEN).secret
    # The step before now (so the next sign-in needs no wait), unless this step ends too soon:
    # confirmed in the next one, that code would be two steps old and refused.
    clock = time.time()
    step = int(clock) // STEP - (0 if STEP - clock % STEP < SETUP_MARGIN else 1)
    with session_scope() as session:
        codes = mfa.confirm_setup(session, user_id, token=SETUP_TOKEN, code=TOTP(secret).at(step * STEP))
    remember(email, secret, step, codes)

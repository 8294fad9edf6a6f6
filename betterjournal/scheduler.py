"""The app's own rounds, as lifespan tasks: the reminders due each minute, the audit
log's rows sealed into its chain every few seconds (core/audit.py, AUD-4), and the open
tabs of sessions that ran out told so.

The reminders' scheduler:
Each round reads the clock once and hands it to `core.reminders.send_due_to`, one unit of
work per person (a failure for one person, such as an address the relay can't take, holds
up nobody else), which records every reminder it gives under a unique key in the same
unit as its email: two workers running this, or one restarted mid-minute, never give one
twice.
"""

from __future__ import annotations

import logging
import uuid
from collections import Counter
from datetime import datetime

from betterjournal import keystore
from betterjournal.core import accounts, audit, reminders
from betterjournal.db import in_rounds, off_the_loop, session_scope
from betterjournal.models import utcnow
from betterjournal.settings import get_settings

log = logging.getLogger("betterjournal.scheduler")


def give_due(now: datetime) -> Counter[uuid.UUID]:
    """One round at `now`: every reminder due, given once; how many each person was given.
    Blocking (the database)."""
    with session_scope() as session:
        people = reminders.people_to_remind(session)
    given: Counter[uuid.UUID] = Counter()
    for user_id in people:
        try:
            with session_scope() as session:
                given[user_id] += reminders.send_due_to(session, user_id=user_id, now=now)
        except Exception as error:  # by type only: never an address or a name
            log.warning("a reminder was not given (%s)", type(error).__name__)
    return +given


async def give_due_reminders(now: datetime | None = None) -> Counter[uuid.UUID]:
    """One round: every reminder due at `now` (default: the clock), given once."""
    return await off_the_loop(give_due, now=now or utcnow())


async def run_reminders() -> None:
    """Forever, a round a minute (BJ_REMINDER_ROUND_SECONDS); whoever was just given a
    reminder sees its banner at once in the tabs they have open."""
    from betterjournal.state.reminders import show_new_reminders  # the app's states

    async def one_round() -> None:
        show_new_reminders(await give_due_reminders())

    await in_rounds("reminders", one_round, lambda: get_settings().reminder_round_seconds)


SEAL_EVERY_SECONDS = 5.0
ERASED_KEYS_EVERY_SECONDS = 600.0  # reads every key: once in ten minutes


def seal_audit_log() -> int:
    """One sealing round: the audit rows written since the last, chained. Blocking."""
    sealed = 0
    while True:
        with session_scope() as session:
            done = audit.seal(session)
        sealed += done
        if done < audit.SEAL_BATCH:
            return sealed


def destroy_erased_keys() -> int:
    """The keys a deletion could not destroy at the time (keystore.destroy_erased)."""
    with session_scope() as session:
        return keystore.destroy_erased(session)


def let_go_of_held_words() -> int:
    """The words sign-ins no one came back to held for a two-step code (accounts)."""
    with session_scope() as session:
        return accounts.let_go_of_held_words(session)


async def run_audit_sealer() -> None:
    """Forever, a sealing round every SEAL_EVERY_SECONDS."""
    await in_rounds("audit", lambda: off_the_loop(seal_audit_log), lambda: SEAL_EVERY_SECONDS)


async def run_key_sweeper() -> None:
    """Forever, from the app's start, every ERASED_KEYS_EVERY_SECONDS: destroy the keys
    deleted accounts left behind (a deletion whose key could not be destroyed at the time),
    so that no copy of the key store made later holds one; and the words sign-ins no one came
    back to held for a two-step code."""

    async def one_round() -> None:
        if destroyed := await off_the_loop(destroy_erased_keys):
            log.warning("destroyed %d data keys of deleted accounts left behind", destroyed)
        await off_the_loop(let_go_of_held_words)

    await in_rounds("erased-keys", one_round, lambda: ERASED_KEYS_EVERY_SECONDS)


async def run_session_watch() -> None:
    """Forever, a round every BJ_SESSION_ROUND_SECONDS: the open tabs of every session that
    ran out since the last round (idle, lifetime: AUTHN-6) are wiped and say so at once
    (state/live.py), as when the session is ended from elsewhere. Without it a tab left open
    showed its page until the next tap, and words typed then went nowhere: the tap went to
    the sign-in page."""
    from betterjournal.state import live  # the app's states

    after = utcnow()

    async def one_round() -> None:
        nonlocal after
        until = utcnow()
        people = await off_the_loop(_people_whose_sessions_ended, after=after, until=until)
        after = until
        live.recheck_sessions(people & live.signed_in_people())

    await in_rounds("sessions", one_round, lambda: get_settings().session_round_seconds)


def _people_whose_sessions_ended(*, after: datetime, until: datetime) -> set[str]:
    with session_scope() as session:
        return {
            str(user_id)
            for user_id in accounts.people_whose_sessions_ended(session, after=after, until=until)
        }

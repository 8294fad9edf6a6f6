"""Marking a session held from several tabs at the same moment (a clinician's phone and
laptop, a double tap that beat the button's throttle): one session is held.

Real threads on the app's own SQLite engine, released together at a barrier, many
rounds: a read-then-write window in `appointments.mark_held` shows up as a second held
session, which would start a window with nothing in it.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import delete, select
from unit_support import OK, People, link, race

from betterjournal.core import appointments
from betterjournal.core.errors import InvalidInput
from betterjournal.db import session_scope
from betterjournal.models import Appointment

ROUNDS = 25
RACERS = 6
ZONE = ZoneInfo("America/Halifax")


def _holding(clinician_id: uuid.UUID, client_id: uuid.UUID) -> Callable[[threading.Barrier], None]:
    def attempt(barrier: threading.Barrier) -> None:
        with session_scope() as session:
            barrier.wait()
            appointments.mark_held(session, clinician_id=clinician_id, client_id=client_id, zone=ZONE)

    return attempt


@pytest.mark.parametrize("planned", ["none", "later_today", "another_day"])
def test_many_tabs_marking_held_at_once_hold_one_session(db: People, planned: str) -> None:
    clinician, client = db.clinician_a.id, db.client_a.id
    with session_scope() as session:
        link(session, client_id=client, clinician_id=clinician)
    for _ in range(ROUNDS):
        with session_scope() as session:
            session.exec(delete(Appointment))  # type: ignore[call-overload]
            if planned != "none":
                day = datetime.now(ZONE) + timedelta(days=0 if planned == "later_today" else 2)
                appointments.plan(
                    session,
                    clinician_id=clinician,
                    client_id=client,
                    day=day.date().isoformat(),
                    at="23:59",
                    zone=ZONE,
                )
        outcomes = race([_holding(clinician, client) for _ in range(RACERS)])
        with session_scope() as session:
            rows = session.exec(select(Appointment)).all()
        held = [row for row in rows if row.held_at is not None]
        still_planned = [row for row in rows if row.held_at is None]
        assert len(held) == 1, f"{len(held)} sessions held by {RACERS} taps at once"
        assert len(still_planned) == (1 if planned == "another_day" else 0)
        assert outcomes.count(OK) == 1
        assert all(
            isinstance(outcome, InvalidInput) and outcome.message == "This session is marked held already."
            for outcome in outcomes
            if outcome is not OK
        ), outcomes

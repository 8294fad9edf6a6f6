"""Single-use invitation codes under concurrency (AUTHN-8, AUTHN-2, AUTHN-3).

An outside attack linked several clients with one code, and created several accounts
with one code, by using it from many connections at the same moment. These tests do
that: a real SQLite file (WAL, busy timeout: the app's own engine), real threads held at
a `threading.Barrier` and released together, and many rounds, so a check-then-write
window anywhere on the path shows up as a second link or a second account.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable

import pytest
from sqlmodel import col, func, select, update
from unit_support import OK, PASSWORD, race

from betterjournal.core import accounts, links
from betterjournal.core.errors import InvalidInput
from betterjournal.db import session_scope
from betterjournal.models import (
    AuditAction,
    AuditEvent,
    CareLink,
    Invitation,
    LoginFailure,
    Role,
    User,
    utcnow,
)

ROUNDS = 50
RACERS = 8


def _accepting(code: str, client_id: uuid.UUID) -> Callable[[threading.Barrier], None]:
    """Find the code open (as the care-team page does before "Accept"), wait, accept."""

    def attempt(barrier: threading.Barrier) -> None:
        with session_scope() as session:
            found = links.find_invitation(session, code)
            barrier.wait()
            links.accept_invitation(session, client_id=client_id, invitation_id=found.id)

    return attempt


def _registering(code: str, email: str, address: str) -> Callable[[threading.Barrier], None]:
    def attempt(barrier: threading.Barrier) -> None:
        with session_scope() as session:
            barrier.wait()
            accounts.register_client(
                session,
                code=code,
                name="Racer",
                email=email,
                password="a sensible long passphrase",
                address=address,
            )

    return attempt


def _invalid_code_refusal() -> tuple[str, str]:
    """What an unknown code gets today: every lost race must look exactly like it."""
    with pytest.raises(InvalidInput) as caught, session_scope() as session:
        links.find_invitation(session, "NOT-A-REAL-CODE")
    return caught.value.code, str(caught.value)


def _refusals(outcomes: list[object]) -> list[tuple[str, str]]:
    return [
        (error.code, str(error)) if isinstance(error, InvalidInput) else ("not InvalidInput", repr(error))
        for error in outcomes
        if error is not OK
    ]


def _new_code(clinician_id: uuid.UUID) -> tuple[str, uuid.UUID]:
    with session_scope() as session:
        code = links.create_invitation(session, clinician_id=clinician_id)
        return code, links.find_invitation(session, code).id


@pytest.fixture
def clients(db) -> list[uuid.UUID]:
    """RACERS client accounts (A and B, and six more)."""
    made = [db.client_a.id, db.client_b.id]
    with session_scope() as session:
        for index in range(RACERS - len(made)):
            user = accounts.create_user(
                session,
                email=f"racer-{index}@example.test",
                display_name=f"Racer {index}",
                password=PASSWORD,
                role=Role.CLIENT,
            )
            made.append(user.id)
    return made


def test_a_code_accepted_by_eight_clients_at_once_links_exactly_one(db, clients) -> None:
    """Each racer finds the code open (as the care-team page does before "Accept"), waits
    for the others, then accepts: one link, `used_by_id` is that client, one LINK audit
    row; every other racer gets the invalid-code refusal."""
    clinician = db.clinician_a.id
    refusal = _invalid_code_refusal()
    for round_number in range(ROUNDS):
        code, invitation_id = _new_code(clinician)
        outcomes = race([_accepting(code, client) for client in clients])
        with session_scope() as session:
            active = session.exec(
                select(CareLink).where(CareLink.clinician_id == clinician, col(CareLink.ended_at).is_(None))
            ).all()
            invitation = session.get(Invitation, invitation_id)
            assert invitation is not None
            link_events = session.exec(
                select(func.count()).where(AuditEvent.action == AuditAction.LINK)
            ).one()
            where = f"round {round_number}"
            assert outcomes.count(OK) == 1, f"{where}: {outcomes.count(OK)} clients accepted one code"
            assert _refusals(outcomes) == [refusal] * (RACERS - 1), where
            assert [link.client_id for link in active] == [invitation.used_by_id], where
            assert invitation.used_by_id == clients[outcomes.index(OK)], where
            assert invitation.used_at is not None, where
            assert link_events == round_number + 1, f"{where}: {link_events} LINK rows in all"
            # Unlink for the next round, so every round starts with no link at all.
            session.exec(update(CareLink).values(ended_at=utcnow()))
        with pytest.raises(InvalidInput), session_scope() as session:
            links.find_invitation(session, code)


def test_a_code_used_by_eight_registrations_at_once_makes_at_most_one_account(db) -> None:
    """One registration wins the code; the others get the invalid-code refusal and create
    nothing. Two of the racers give an email that already has an account: when one of
    them wins, nothing is created at all (AUTHN-2: the winner's answer is the same)."""
    refusal = _invalid_code_refusal()
    taken = {0: db.client_a.email, 1: db.client_b.email.upper()}
    for round_number in range(ROUNDS):
        code, invitation_id = _new_code(db.clinician_a.id)
        # A fresh address per round keeps the per-address throttle out of the race; the
        # throttle itself is checked below (every attempt counts, winner or not).
        address = f"192.0.2.{round_number}"
        emails = [taken.get(i, f"round{round_number}-racer{i}@example.test") for i in range(RACERS)]
        outcomes = race([_registering(code, email, address) for email in emails])
        where = f"round {round_number}"
        with session_scope() as session:
            new_accounts = session.exec(
                select(User).where(col(User.email).like(f"round{round_number}-%"))
            ).all()
            invitation = session.get(Invitation, invitation_id)
            attempts = session.exec(
                select(func.count()).where(LoginFailure.scope == f"register:{address}")
            ).one()
        assert len(new_accounts) <= 1, f"{where}: {len(new_accounts)} accounts from one code"
        assert outcomes.count(OK) == 1, f"{where}: {outcomes.count(OK)} registrations succeeded"
        assert _refusals(outcomes) == [refusal] * (RACERS - 1), where
        winner = outcomes.index(OK)
        assert invitation is not None and invitation.registered_at is not None, where
        if winner in taken:
            assert new_accounts == [], where
            assert invitation.offered_to_id is None, where
        else:
            assert [user.email for user in new_accounts] == [emails[winner]], where
            assert invitation.offered_to_id == new_accounts[0].id, where
        assert invitation.used_at is None, f"{where}: registering must not accept the code"
        assert attempts == RACERS, f"{where}: {attempts} of {RACERS} attempts were counted"
    with session_scope() as session:
        assert session.exec(select(func.count()).select_from(User)).one() <= 4 + ROUNDS


def _cancelling(invitation_id: uuid.UUID, clinician_id: uuid.UUID) -> Callable[[threading.Barrier], None]:
    """See the code in the pending list (as the Clients page does), wait, cancel it."""

    def attempt(barrier: threading.Barrier) -> None:
        with session_scope() as session:
            listed = [p.id for p in links.pending_invitations(session, clinician_id=clinician_id)]
            assert invitation_id in listed
            barrier.wait()
            links.cancel_invitation(session, clinician_id=clinician_id, invitation_id=invitation_id)

    return attempt


def _open(invitation_id: uuid.UUID) -> bool:
    with session_scope() as session:
        invitation = session.get(Invitation, invitation_id)
        assert invitation is not None
        return invitation.used_at is None and invitation.expires_at > utcnow()


def test_a_code_cancelled_and_accepted_at_once_is_one_or_the_other(db, clients) -> None:
    """Four clients accept and four cancels (the clinician's two tabs, twice) race for one
    code: exactly one of the eight wins. If a client won, they are linked and the code is
    used; if a cancel won, nobody is linked and the code is closed. Never both."""
    clinician = db.clinician_a.id
    refusal = _invalid_code_refusal()
    winners = {"accept": 0, "cancel": 0}
    for round_number in range(ROUNDS // 2):
        code, invitation_id = _new_code(clinician)
        racers = clients[:4]
        outcomes = race(
            [_accepting(code, client) for client in racers] + [_cancelling(invitation_id, clinician)] * 4
        )
        where = f"round {round_number}"
        assert outcomes.count(OK) == 1, f"{where}: {outcomes.count(OK)} of a use and a cancel won"
        winner = outcomes.index(OK)
        with session_scope() as session:
            invitation = session.get(Invitation, invitation_id)
            assert invitation is not None
            active = session.exec(
                select(CareLink).where(CareLink.clinician_id == clinician, col(CareLink.ended_at).is_(None))
            ).all()
            listed = links.pending_invitations(session, clinician_id=clinician)
            if winner < len(racers):
                winners["accept"] += 1
                assert invitation.used_by_id == racers[winner], where
                assert [link.client_id for link in active] == [racers[winner]], where
            else:
                winners["cancel"] += 1
                assert invitation.used_at is None and active == [], where
            assert invitation_id not in [p.id for p in listed], where
            session.exec(update(CareLink).values(ended_at=utcnow()))
        assert not _open(invitation_id), where
        # Every loser was refused: a client with the invalid-code message, a cancel with its own.
        for index, outcome in enumerate(outcomes):
            if index != winner:
                assert isinstance(outcome, InvalidInput), f"{where}: {outcome!r}"
                if index < len(racers):
                    assert (outcome.code, str(outcome)) == refusal, where
    assert sum(winners.values()) == ROUNDS // 2


def test_cancel_is_the_clinicians_own_and_once(db) -> None:
    code, invitation_id = _new_code(db.clinician_a.id)
    for who, target in ((db.clinician_b.id, invitation_id), (db.clinician_a.id, "not-an-id")):
        with pytest.raises(InvalidInput), session_scope() as session:
            links.cancel_invitation(session, clinician_id=who, invitation_id=target)
    assert _open(invitation_id)
    with session_scope() as session:
        # Listed with the code's last group, to tell it from the clinician's other codes.
        listed = links.pending_invitations(session, clinician_id=db.clinician_a.id)
        assert [(p.id, p.code_end) for p in listed] == [(invitation_id, code[-4:])]
        assert links.pending_invitations(session, clinician_id=db.clinician_b.id) == []
        links.cancel_invitation(session, clinician_id=db.clinician_a.id, invitation_id=invitation_id)
    with pytest.raises(InvalidInput), session_scope() as session:
        links.cancel_invitation(session, clinician_id=db.clinician_a.id, invitation_id=invitation_id)
    with pytest.raises(InvalidInput), session_scope() as session:
        links.find_invitation(session, code)  # a cancelled code links nobody
    with session_scope() as session:
        assert links.pending_invitations(session, clinician_id=db.clinician_a.id) == []

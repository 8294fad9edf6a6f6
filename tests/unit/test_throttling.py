"""Throttling that an attacker can't turn against the owner, and that holds under
parallel attempts (issue 11, AUTHN-3).

1. Others' guesses never refuse the owner on their own browser: refusals are per (account,
   address) and per address; an account failed on from many addresses is slowed down, then
   refused to browsers it was never signed in on; a password reset clears its failures
   (`accounts.clear_failures`).
2. Parallel attempts: each counts before its password check, so at most the limit of
   them ever reach the hash.
3. Invitation-code checks are throttled per client and per address, and audited.
"""

from __future__ import annotations

import secrets
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable

import pytest
from sqlmodel import col, select
from starlette.requests import Request
from unit_support import PASSWORD

from betterjournal import api
from betterjournal.core import accounts, links, passwords
from betterjournal.core.errors import InvalidInput, SignInFailed, TooManyAttempts
from betterjournal.db import session_scope
from betterjournal.models import AuditAction, AuditEvent, AuditOutcome, LoginFailure, User

OWNER_ADDRESS = "203.0.113.7"
WRONG = "wrong password here"


def attacker(index: int) -> str:
    return f"198.51.100.{index}"


@pytest.fixture
def fast_hash(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """A stand-in for argon2 (these tests count, they don't hash): the password checks made."""
    checks: list[str] = []

    def verify(stored: str | None, given: str) -> bool:
        checks.append(given)
        return stored is not None and given == PASSWORD

    monkeypatch.setattr(passwords, "verify_password", verify)
    return checks


_WAITS: list[float] = []


@pytest.fixture
def waits() -> list[float]:
    """The slow-down's waits (what the sign-in route would sleep), recorded."""
    _WAITS.clear()
    return _WAITS


def _user(user_id: uuid.UUID) -> User:
    with session_scope() as session:
        user = session.get(User, user_id)
        assert user is not None
        return user


def attempt(email: str, password: str, address: str, known: list[str] | None = None) -> str:
    """One sign-in as the route makes it (the wait, then the check in its own unit of
    work), from a browser `known` to these accounts (its cookie's proofs): "ok", or the
    refusal's class name."""
    with session_scope() as session:
        if wait := accounts.sign_in_wait(session, email=email):
            _WAITS.append(wait)
    try:
        with session_scope() as session:
            accounts.authenticate(session, email=email, password=password, address=address, known=known or [])
    except (SignInFailed, TooManyAttempts) as refusal:
        return type(refusal).__name__
    return "ok"


# --- 1. nobody else's guesses keep the owner out ----------------------------------------------


def test_failures_from_other_addresses_never_refuse_the_owner(db, fast_hash, waits) -> None:
    """Before: five wrong passwords from anywhere made the owner's right one "too many
    attempts" for 15 minutes, renewable forever."""
    for index in range(1, 9):  # eight addresses, each up to its own limit and past it
        for _ in range(accounts.MAX_FAILURES_PER_ACCOUNT_ADDRESS):
            assert attempt(db.client_a.email, WRONG, attacker(index)) == "SignInFailed"
        assert attempt(db.client_a.email, WRONG, attacker(index)) == "TooManyAttempts"
    assert attempt(db.client_a.email, PASSWORD, OWNER_ADDRESS) == "ok"
    # ... and from a new address too (slowed down, not refused).
    assert attempt(db.client_a.email, PASSWORD, attacker(200)) == "ok"


def test_an_attacked_account_is_slowed_down_then_kept_to_browsers_it_was_signed_in_on(
    db, fast_hash, waits
) -> None:
    """An attack review made 100 password checks on one account in 51 s from 20 addresses:
    the slow-down waits each request apart, and requests in parallel wait together. Past
    MAX_FAILURES_PER_ACCOUNT, only a browser the account was signed in on may try it."""
    for index in range(1, accounts.SLOW_DOWN_AFTER + 1):
        assert attempt(db.client_a.email, WRONG, attacker(index)) == "SignInFailed"
    assert waits == []  # no wait below SLOW_DOWN_AFTER failures
    assert attempt(db.client_a.email, WRONG, attacker(100)) == "SignInFailed"
    assert waits == [accounts.SLOW_DOWN_STEP.total_seconds()]
    for index in range(101, 100 + accounts.MAX_FAILURES_PER_ACCOUNT - accounts.SLOW_DOWN_AFTER):
        assert attempt(db.client_a.email, WRONG, attacker(index)) == "SignInFailed"
    assert max(waits) == accounts.SLOW_DOWN_MAX.total_seconds()
    assert waits == sorted(waits)  # it only grows with the failures
    checks = len(fast_hash)
    assert checks == accounts.MAX_FAILURES_PER_ACCOUNT
    for index in range(200, 220):  # refused before any password check, from any address
        assert attempt(db.client_a.email, WRONG, attacker(index)) == "TooManyAttempts"
    # The right password too, from a browser it was never signed in on (as a wrong one:
    # the answer tells nothing), and with another account's proof or a made-up one.
    assert attempt(db.client_a.email, PASSWORD, attacker(230)) == "TooManyAttempts"
    others = [accounts.known_browser_proof(_user(db.client_b.id)), "made-up"]
    assert attempt(db.client_a.email, PASSWORD, attacker(231), known=others) == "TooManyAttempts"
    assert len(fast_hash) == checks
    # The owner's own browser waits like everyone (the wait tells nothing), then gets in.
    waits.clear()
    owners_browser = ["made-up", accounts.known_browser_proof(_user(db.client_a.id))]
    assert attempt(db.client_a.email, PASSWORD, OWNER_ADDRESS, known=owners_browser) == "ok"
    assert waits == [accounts.SLOW_DOWN_MAX.total_seconds()]


def test_a_known_browsers_proof_taken_away_buys_few_guesses_and_none_after_a_new_password(
    db, fast_hash, waits
) -> None:
    """Attack review: one proof per account, the same for every browser and kept across a new
    password, let a copy taken earlier guess without end past the account's limit. Each
    browser's is its own now, its failures are counted apart, and a new password ends it."""
    with session_scope() as session:
        account_scope, _ = accounts._scopes(db.client_a.email, "")
        failures = accounts.MAX_FAILURES_PER_ACCOUNT
        session.add_all(
            [LoginFailure(scope=account_scope, failed_at=accounts.utcnow()) for _ in range(failures)]
        )
    owner = _user(db.client_a.id)
    taken, owners = accounts.known_browser_proof(owner), accounts.known_browser_proof(owner)
    assert taken != owners
    guesses = [attempt(db.client_a.email, WRONG, attacker(index), known=[taken]) for index in range(1, 16)]
    assert guesses == ["SignInFailed"] * accounts.MAX_FAILURES_PER_KNOWN_BROWSER + ["TooManyAttempts"] * 5
    assert attempt(db.client_a.email, PASSWORD, OWNER_ADDRESS, known=[owners]) == "ok"  # not the owner's
    with session_scope() as session:  # a new password: proofs made before it prove nothing
        user = session.get(User, db.client_a.id)
        assert user is not None
        user.password_hash = "another hash"
        session.add(user)
    assert attempt(db.client_a.email, WRONG, attacker(99), known=[owners]) == "TooManyAttempts"
    # Another account is not slowed down.
    waits.clear()
    assert attempt(db.client_b.email, PASSWORD, attacker(1)) == "ok"
    assert waits == []


def test_the_attacker_is_refused_at_their_own_address(db, fast_hash, waits) -> None:
    for _ in range(accounts.MAX_FAILURES_PER_ACCOUNT_ADDRESS):
        attempt(db.client_a.email, WRONG, attacker(1))
    checks = len(fast_hash)
    for _ in range(20):  # refused without a password check, however often they try
        assert attempt(db.client_a.email, PASSWORD, attacker(1)) == "TooManyAttempts"
    assert len(fast_hash) == checks
    # One address guessing at many accounts: refused at MAX_FAILURES_PER_ADDRESS.
    for index in range(accounts.MAX_FAILURES_PER_ADDRESS - accounts.MAX_FAILURES_PER_ACCOUNT_ADDRESS):
        assert attempt(f"guess{index}@example.test", WRONG, attacker(2)) == "SignInFailed"
    for index in range(accounts.MAX_FAILURES_PER_ACCOUNT_ADDRESS):
        attempt(f"more{index}@example.test", WRONG, attacker(2))
    assert attempt(db.client_b.email, PASSWORD, attacker(2)) == "TooManyAttempts"
    assert attempt(db.client_b.email, PASSWORD, attacker(3)) == "ok"


def test_a_password_reset_clears_the_account_everywhere(db, fast_hash, waits) -> None:
    """The owner's way in when they share the attacker's address (or forgot the password)."""
    for index in (1, 2, 3):
        for _ in range(accounts.MAX_FAILURES_PER_ACCOUNT_ADDRESS):
            attempt(db.client_a.email, WRONG, attacker(index))
    for _ in range(accounts.MAX_FAILURES_PER_ACCOUNT_ADDRESS):
        attempt(db.client_b.email, WRONG, attacker(1))
    assert attempt(db.client_a.email, PASSWORD, attacker(1)) == "TooManyAttempts"
    with session_scope() as session:
        accounts.clear_failures(session, f"  {db.client_a.email.upper()} ")
    waits.clear()
    assert attempt(db.client_a.email, PASSWORD, attacker(1)) == "ok"
    assert waits == []  # the account-wide count is gone too
    # Only that account: the other one, and the address's own count, are as they were.
    assert attempt(db.client_b.email, PASSWORD, attacker(1)) == "TooManyAttempts"
    with session_scope() as session:
        address_scope = accounts._scopes("", attacker(1))[1]
        assert accounts._recent_attempts(session, address_scope, accounts.utcnow()) == 10


def test_a_success_takes_back_its_own_attempt_and_the_typos_before_it(db, fast_hash, waits) -> None:
    for _ in range(accounts.MAX_FAILURES_PER_ACCOUNT_ADDRESS - 1):
        attempt(db.client_a.email, WRONG, OWNER_ADDRESS)
    attempt(db.client_a.email, WRONG, attacker(1))
    assert attempt(db.client_a.email, PASSWORD, OWNER_ADDRESS) == "ok"
    with session_scope() as session:
        scopes = Counter(session.exec(select(LoginFailure.scope)).all())
    account_scope, owner_address = accounts._scopes(db.client_a.email, OWNER_ADDRESS)
    assert scopes[accounts._pair_scope(db.client_a.email, OWNER_ADDRESS)] == 0
    assert scopes[accounts._pair_scope(db.client_a.email, attacker(1))] == 1
    assert scopes[account_scope] == accounts.MAX_FAILURES_PER_ACCOUNT_ADDRESS  # the failures only
    assert scopes[owner_address] == accounts.MAX_FAILURES_PER_ACCOUNT_ADDRESS - 1


# --- 2. parallel attempts ---------------------------------------------------------------------


def in_parallel(count: int, work: Callable[[int], str]) -> list[str]:
    """Run `work(i)` in `count` threads released at the same moment."""
    start = threading.Barrier(count)
    results: list[str] = [""] * count

    def run(index: int) -> None:
        start.wait()
        results[index] = work(index)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.fixture
def slow_hash(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """A stand-in for argon2 that takes as long (~40 ms): the window a count read before
    the hash and written after it leaves open."""
    checks: list[str] = []
    lock = threading.Lock()

    def verify(stored: str | None, given: str) -> bool:
        with lock:
            checks.append(given)
        time.sleep(0.04)
        return stored is not None and given == PASSWORD

    monkeypatch.setattr(passwords, "verify_password", verify)
    return checks


def test_forty_parallel_wrong_passwords_reach_the_hash_at_most_five_times(db, slow_hash, waits) -> None:
    """Before: the count was read before the ~40 ms hash and written after it, and 40
    parallel attempts made 8-10 password checks."""
    results = in_parallel(40, lambda _: attempt(db.client_a.email, WRONG, OWNER_ADDRESS))
    assert len(slow_hash) <= accounts.MAX_FAILURES_PER_ACCOUNT_ADDRESS, Counter(results)
    assert Counter(results)["SignInFailed"] == len(slow_hash)
    assert Counter(results)["TooManyAttempts"] == 40 - len(slow_hash)
    # Refused attempts leave nothing behind: the failures on record are the checked ones.
    with session_scope() as session:
        pair = accounts._pair_scope(db.client_a.email, OWNER_ADDRESS)
        assert accounts._recent_attempts(session, pair, accounts.utcnow()) == len(slow_hash)


def test_parallel_guesses_from_one_address_reach_the_hash_at_most_its_limit(db, slow_hash, waits) -> None:
    count = accounts.MAX_FAILURES_PER_ADDRESS + 15
    results = in_parallel(count, lambda i: attempt(f"guess{i}@example.test", WRONG, attacker(1)))
    assert len(slow_hash) <= accounts.MAX_FAILURES_PER_ADDRESS, Counter(results)
    assert Counter(results)["TooManyAttempts"] == count - len(slow_hash)


def test_parallel_guesses_from_many_addresses_reach_the_hash_at_most_the_accounts_limit(
    db, slow_hash, waits
) -> None:
    """The attack review's: 20 addresses, 6 guesses each, all at once."""
    results = in_parallel(120, lambda i: attempt(db.client_a.email, WRONG, attacker(1 + i % 20)))
    assert len(slow_hash) <= accounts.MAX_FAILURES_PER_ACCOUNT, Counter(results)
    assert Counter(results)["TooManyAttempts"] == 120 - len(slow_hash)


def test_the_owner_gets_in_during_a_parallel_attack_from_many_addresses(db, slow_hash, waits) -> None:
    def work(index: int) -> str:
        if index == 0:
            return attempt(db.client_a.email, PASSWORD, OWNER_ADDRESS)
        return attempt(db.client_a.email, WRONG, attacker(index))

    results = in_parallel(30, work)
    assert results[0] == "ok"
    assert set(results[1:]) == {"SignInFailed"}


# --- 3. invitation codes ---------------------------------------------------------------------


def wrong_code() -> str:
    raw = "".join(secrets.choice(links._CODE_ALPHABET) for _ in range(links._CODE_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def check(client_id: uuid.UUID, code: object, address: str = OWNER_ADDRESS) -> str:
    """One code check in its own unit of work: "ok", or the refusal's class name."""
    try:
        with session_scope() as session:
            links.check_code(session, client_id=client_id, code=code, address=address)
    except (links.CodeRefused, TooManyAttempts) as refusal:
        return type(refusal).__name__
    return "ok"


def new_code(db) -> str:
    with session_scope() as session:
        return links.create_invitation(session, clinician_id=db.clinician_a.id)


def code_audit(client_id: uuid.UUID) -> list[tuple[AuditAction, AuditOutcome]]:
    with session_scope() as session:
        rows = session.exec(
            select(AuditEvent).where(AuditEvent.actor_id == client_id).order_by(col(AuditEvent.id))
        ).all()
    return [(row.action, row.outcome) for row in rows]


def test_a_right_code_names_its_invitation_and_leaves_no_count(db) -> None:
    code = new_code(db)
    with session_scope() as session:
        expected = links.find_invitation(session, code).id
        found = links.check_code(session, client_id=db.client_a.id, code=code.lower(), address=OWNER_ADDRESS)
    assert found == expected
    with session_scope() as session:
        assert session.exec(select(LoginFailure)).all() == []
    assert code_audit(db.client_a.id) == []


def test_wrong_codes_are_audited_and_throttled_per_client(db) -> None:
    """Before: neither throttled nor audited (300 checks went through in 0.5 s)."""
    for _ in range(links.MAX_CODE_FAILURES_PER_CLIENT):
        assert check(db.client_a.id, wrong_code()) == "CodeRefused"
    code = new_code(db)
    assert check(db.client_a.id, code) == "TooManyAttempts"  # even the right one, for now
    assert check(db.client_a.id, "NOT-A-REAL-CODE") == "TooManyAttempts"
    # Every wrong code is on record: who tried, that it was refused; no code in the row.
    denied = (AuditAction.CHECK_CODE, AuditOutcome.DENIED)
    assert code_audit(db.client_a.id) == [denied] * links.MAX_CODE_FAILURES_PER_CLIENT
    # Another client at the same address is not held back by it.
    assert check(db.client_b.id, code) == "ok"


def test_wrong_codes_are_throttled_per_address(db) -> None:
    clients = [db.client_a.id, db.client_b.id, uuid.uuid4(), uuid.uuid4()]
    tried = 0
    while tried < links.MAX_CODE_FAILURES_PER_ADDRESS:
        for client_id in clients:  # under each client's own limit
            if tried < links.MAX_CODE_FAILURES_PER_ADDRESS:
                assert check(client_id, wrong_code(), attacker(1)) == "CodeRefused"
                tried += 1
    code = new_code(db)
    assert check(db.client_b.id, code, attacker(1)) == "TooManyAttempts"
    assert check(db.client_b.id, code, attacker(2)) == "ok"


def test_a_code_that_cannot_be_one_is_audited_but_costs_no_count(db) -> None:
    for bad in ("NOT-A-REAL-CODE", None, 12, "x" * 101, "\x00" + wrong_code()[1:], "É" * 28):
        assert check(db.client_a.id, bad) == "CodeRefused"
    for nothing in ("", " - "):  # nothing typed: asked for the code, not refused as wrong
        with pytest.raises(InvalidInput, match="Enter the invitation code"), session_scope() as session:
            links.check_code(session, client_id=db.client_a.id, code=nothing, address=OWNER_ADDRESS)
    with session_scope() as session:
        assert session.exec(select(LoginFailure)).all() == []
    assert len(code_audit(db.client_a.id)) == 6


def test_parallel_wrong_codes_are_looked_up_at_most_the_limit(db, monkeypatch: pytest.MonkeyPatch) -> None:
    lookups: list[object] = []
    real_find = links.find_invitation

    def slow_find(session, code, **kwargs):
        lookups.append(code)
        time.sleep(0.02)
        return real_find(session, code, **kwargs)

    monkeypatch.setattr(links, "find_invitation", slow_find)
    results = in_parallel(30, lambda _: check(db.client_a.id, wrong_code()))
    assert len(lookups) <= links.MAX_CODE_FAILURES_PER_CLIENT, Counter(results)
    assert Counter(results)["CodeRefused"] == len(lookups)


def test_an_ipv6_line_is_counted_as_one_address() -> None:
    """AUTHN-3: a phone line or household gets a whole IPv6 /64 and may pick any address in
    it; counted one by one, each would be a fresh allowance of wrong passwords (an outside
    check guessed from 20 addresses at once). The /64 is one address to every throttle."""

    def seen_from(host: str) -> str:
        return api.client_address(Request({"type": "http", "headers": [], "client": (host, 5000)}))

    line = seen_from("2001:db8:1:2::1")
    assert line == seen_from("2001:db8:1:2:ffff:ffff:ffff:fffe") == "2001:db8:1:2::/64"
    assert seen_from("2001:db8:1:3::1") != line
    assert seen_from("203.0.113.7") == seen_from("::ffff:203.0.113.7") == "203.0.113.7"
    assert seen_from("203.0.113.8") != "203.0.113.7"


def test_a_websocket_tab_is_counted_as_the_http_routes_count_its_address() -> None:
    """The websocket's throttles (an access request, an invitation code guessed) count a tab's
    address as the HTTP routes do: an attack review sent 30 access requests from one /64, and
    every one was kept. Every read of a tab's address goes through the one helper."""
    assert (
        api.counted_address("2001:db8:1:2::1")
        == api.counted_address("2001:db8:1:2::abcd")
        == "2001:db8:1:2::/64"
    )
    assert api.counted_address("::ffff:203.0.113.7") == "203.0.113.7"
    assert api.counted_address(None) == api.counted_address("") == "unknown"
    from pathlib import Path

    states = Path(api.__file__).parent / "state"
    readers = [path.name for path in states.glob("*.py") if "session.client_ip" in path.read_text()]
    assert readers == ["base.py"]  # AppState._client_address

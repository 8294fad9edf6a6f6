"""Changes a signed-in person makes to their own account's security, each after giving
the password again (and a code with two-step sign-in on), and their signed-in sessions."""

from __future__ import annotations

import time
import uuid

import pytest
from beta_support import PASSWORD_CHANGED, sent_emails
from pyotp.totp import TOTP
from two_step import SETUP_TOKEN
from unit_support import PASSWORD

from betterjournal import emails
from betterjournal.core import accounts, credentials, mfa, passwords
from betterjournal.core.errors import InvalidInput, TooManyAttempts
from betterjournal.db import session_scope
from betterjournal.i18n import Reader
from betterjournal.models import AuthSession, User

NEW_PASSWORD = "lighthouse meadow copper 58"
TWO_STEP_CHANGED = emails.two_step_changed(Reader(), "off").subject
CHROME_ANDROID = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Mobile Safari/537.36"
)


def _session_for(user_id: uuid.UUID, device: str = "") -> tuple[str, uuid.UUID]:
    with session_scope() as session:
        user = session.get(User, user_id)
        assert user is not None
        token = accounts.start_session(session, user, device=device)
    with session_scope() as session:
        viewer = accounts.resolve_session(session, token)
        assert viewer is not None
        return token, viewer.session_id


def _alive(token: str) -> bool:
    with session_scope() as session:
        return accounts.resolve_session(session, token) is not None


def _turn_on_two_step(user_id: uuid.UUID) -> tuple[str, list[str]]:
    with session_scope() as session:
        secret = mfa.begin_setup(session, user_id, token=SETUP_TOKEN).secret
    step = int(time.time()) // 30 - 1
    with session_scope() as session:
        codes = mfa.confirm_setup(session, user_id, token=SETUP_TOKEN, code=TOTP(secret).at(step * 30))
    return secret, codes


def _next_code(secret: str) -> str:
    return TOTP(secret).at((int(time.time()) // 30 + 1) * 30)


def test_changing_the_password_asks_for_the_old_one_and_signs_out_everywhere_else(db) -> None:
    here, here_id = _session_for(db.client_a.id)
    elsewhere, _ = _session_for(db.client_a.id)
    with pytest.raises(InvalidInput), session_scope() as session:
        credentials.change_password(
            session,
            db.client_a.id,
            session_id=here_id,
            current="not my password",
            code=None,
            new=NEW_PASSWORD,
        )
    assert _alive(elsewhere) and sent_emails() == []
    with session_scope() as session:
        credentials.change_password(
            session, db.client_a.id, session_id=here_id, current=PASSWORD, code=None, new=NEW_PASSWORD
        )
    assert _alive(here) and not _alive(elsewhere)
    with session_scope() as session:
        user = session.get(User, db.client_a.id)
        assert user is not None and passwords.verify_password(user.password_hash, NEW_PASSWORD)
    assert [(email.to, email.subject) for email in sent_emails()] == [(db.client_a.email, PASSWORD_CHANGED)]


def test_with_two_step_on_a_change_needs_a_code_too(db) -> None:
    secret, _ = _turn_on_two_step(db.client_a.id)
    _, here_id = _session_for(db.client_a.id)
    for code in (None, "", "123456"):
        with pytest.raises(InvalidInput), session_scope() as session:
            credentials.change_password(
                session, db.client_a.id, session_id=here_id, current=PASSWORD, code=code, new=NEW_PASSWORD
            )
    with session_scope() as session:
        credentials.change_password(
            session,
            db.client_a.id,
            session_id=here_id,
            current=PASSWORD,
            code=_next_code(secret),
            new=NEW_PASSWORD,
        )


def test_each_change_to_two_step_sign_in_is_told_by_email_saying_which_it_was(db) -> None:
    """On, new recovery codes, off: one email each, saying what changed (a walk-through: no
    email when turned on, and one sentence for "turned off, or codes renewed")."""
    user_id = db.client_a.id
    with session_scope() as session:
        secret = mfa.begin_setup(session, user_id, token=SETUP_TOKEN).secret
    with session_scope() as session:
        credentials.turn_two_step_on(
            session, user_id, code=TOTP(secret).at((int(time.time()) // 30 - 1) * 30), token=SETUP_TOKEN
        )
    with session_scope() as session:
        credentials.renew_recovery_codes(session, user_id, current=PASSWORD, code=TOTP(secret).now())
    with session_scope() as session:
        credentials.turn_two_step_off(session, user_id, current=PASSWORD, code=_next_code(secret))
    sent = sent_emails()
    assert [(email.to, email.subject) for email in sent] == [(db.client_a.email, TWO_STEP_CHANGED)] * 3
    said = [" ".join(email.text.split()) for email in sent]
    assert "Two-step sign-in was turned on for your Betterjournal account." in said[0]
    assert "New recovery codes were made" in said[1] and "turned" not in said[1]
    assert "Two-step sign-in was turned off on your Betterjournal account." in said[2]
    assert not any(" or its recovery codes" in text for text in said)


def test_a_client_may_turn_two_step_off_and_a_clinician_may_not(db) -> None:
    secret, _ = _turn_on_two_step(db.client_a.id)
    with session_scope() as session:
        credentials.turn_two_step_off(session, db.client_a.id, current=PASSWORD, code=_next_code(secret))
    with session_scope() as session:
        assert not mfa.is_on(session, db.client_a.id)
    assert [email.subject for email in sent_emails()] == [TWO_STEP_CHANGED]

    secret, _ = _turn_on_two_step(db.clinician_a.id)
    with pytest.raises(InvalidInput), session_scope() as session:
        credentials.turn_two_step_off(session, db.clinician_a.id, current=PASSWORD, code=_next_code(secret))
    with session_scope() as session:
        assert mfa.is_on(session, db.clinician_a.id)


def test_new_recovery_codes_end_the_old_ones(db) -> None:
    secret, old_codes = _turn_on_two_step(db.clinician_a.id)
    with session_scope() as session:
        new_codes = credentials.renew_recovery_codes(
            session, db.clinician_a.id, current=PASSWORD, code=_next_code(secret)
        )
    assert len(set(new_codes)) == 10 and not set(new_codes) & set(old_codes)
    with pytest.raises(InvalidInput), session_scope() as session:
        mfa.verify(session, db.clinician_a.id, old_codes[0])
    with session_scope() as session:
        mfa.verify(session, db.clinician_a.id, new_codes[0])


def test_re_authentication_is_throttled(db) -> None:
    _, here_id = _session_for(db.client_a.id)
    with pytest.raises(TooManyAttempts):
        for _ in range(credentials.REAUTH_TRIES + 1):
            with pytest.raises(InvalidInput), session_scope() as session:
                credentials.change_password(
                    session, db.client_a.id, session_id=here_id, current="wrong", code=None, new=NEW_PASSWORD
                )


def test_sessions_list_only_the_persons_own_live_ones_in_words_and_end_only_their_own(db) -> None:
    mine, mine_id = _session_for(db.client_a.id, accounts.device_in_words(CHROME_ANDROID))
    other, other_id = _session_for(db.client_a.id)
    theirs, theirs_id = _session_for(db.client_b.id)
    with session_scope() as session:
        live = accounts.live_sessions(session, user_id=db.client_a.id)
    assert {row.id for row in live} == {mine_id, other_id}
    assert next(row.device for row in live if row.id == mine_id) == "Chrome Mobile / Android"
    # Someone else's session id changes nothing.
    with session_scope() as session:
        accounts.end_own_session(session, user_id=db.client_a.id, session_id=str(theirs_id))
    assert _alive(theirs)
    with session_scope() as session:
        accounts.end_own_session(session, user_id=db.client_a.id, session_id=str(other_id))
    assert _alive(mine) and not _alive(other)
    with session_scope() as session:
        accounts.end_sessions(session, db.client_a.id, keep=mine_id)
        assert session.get(AuthSession, mine_id).revoked_at is None  # type: ignore[union-attr]


def test_a_device_is_words_never_the_raw_header() -> None:
    assert accounts.device_in_words("") == ""
    assert accounts.device_in_words("x" * 10_000) == ""
    words = accounts.device_in_words(
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Version/17.0 Mobile/15E148 Safari/604.1"
    )
    assert words == "Mobile Safari / iOS"

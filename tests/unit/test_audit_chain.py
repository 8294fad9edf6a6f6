"""AUD-4: the audit log is append-only (the database refuses deletes and changes) and
tamper-evident (each row chained to the one before; `betterjournal audit-verify` names the
first row altered by someone who got round the triggers)."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy.exc import DatabaseError
from typer.testing import CliRunner

from betterjournal.cli import app
from betterjournal.core import audit
from betterjournal.db import get_engine, session_scope
from betterjournal.models import AuditAction, AuditOutcome

runner = CliRunner()


@pytest.fixture
def written(db, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Five rows, sealed (at once: no wait for the sealer's grace period)."""
    monkeypatch.setattr(audit, "SEAL_AFTER", timedelta(0))
    with session_scope() as session:
        audit.record_many(
            session,
            actor_id=db.client_a.id,
            action=AuditAction.SHARE,
            subject_id=db.client_a.id,
            item_ids=[uuid.uuid4() for _ in range(5)],
        )
    with session_scope() as session:
        assert audit.seal(session) == 5
    with session_scope() as session:
        assert audit.seal(session) == 0  # each row is sealed once
    with get_engine().connect() as connection:
        return list(connection.exec_driver_sql("SELECT id FROM audit_event ORDER BY id").scalars())


def _sql(statement: str, *parameters: object) -> None:
    with get_engine().begin() as connection:
        connection.exec_driver_sql(statement, parameters)


def test_a_sealed_log_verifies_and_new_rows_wait_to_be_sealed(written: list[int], db) -> None:
    with session_scope() as session:
        audit.record(
            session, actor_id=db.client_a.id, action=AuditAction.REVOKE, outcome=AuditOutcome.ALLOWED
        )
        assert audit.verify(session) == audit.Verdict(checked=5, waiting=1, broken_at=None)
    said = runner.invoke(app, ["audit-verify"])
    assert said.exit_code == 0 and "5 rows chained, 1 newest not sealed yet" in said.output


@pytest.mark.parametrize(
    "statement",
    [
        "DELETE FROM audit_event WHERE id = ?",
        "UPDATE audit_event SET action = 'DELETE' WHERE id = ?",
        "UPDATE audit_event SET chain = '" + "f" * 64 + "' WHERE id = ?",  # sealed already
        "UPDATE audit_event SET outcome = 'DENIED', chain = NULL WHERE id = ?",
    ],
)
def test_the_database_refuses_to_change_or_remove_a_row(written: list[int], statement: str) -> None:
    with pytest.raises(DatabaseError, match="append-only"):
        _sql(statement, written[2])
    with session_scope() as session:
        assert audit.verify(session).broken_at is None


def _get_round_the_triggers() -> None:
    """What someone with write access to the database file could do."""
    _sql("DROP TRIGGER audit_event_no_delete")
    _sql("DROP TRIGGER audit_event_no_change")


@pytest.mark.parametrize(
    ("alteration", "broken"),
    [
        ("UPDATE audit_event SET outcome = 'DENIED' WHERE id = ?", 2),  # that row
        ("DELETE FROM audit_event WHERE id = ?", 3),  # the row after the one removed
        ("UPDATE audit_event SET chain = NULL WHERE id = ?", 3),  # sealed rows after it
    ],
)
def test_verify_names_the_first_altered_row(written: list[int], alteration: str, broken: int) -> None:
    _get_round_the_triggers()
    _sql(alteration, written[2])
    with session_scope() as session:
        assert audit.verify(session).broken_at == written[broken]
    said = runner.invoke(app, ["audit-verify"])
    assert said.exit_code == 1 and f"altered at row {written[broken]}" in said.output

"""The Alembic migrations build exactly the models' schema; SQLite runs as AVAIL-3 says."""

from __future__ import annotations

import os
import stat

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import String, inspect
from sqlmodel import SQLModel
from sqlmodel.sql.sqltypes import AutoString

import betterjournal.models  # noqa: F401 - registers the tables
from betterjournal.db import get_engine
from betterjournal.settings import PROJECT_ROOT


def _config() -> Config:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "alembic"))
    config.attributes["configure_logging"] = False
    return config


def _differences() -> list:
    with get_engine().connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "compare_server_default": True}
        )
        return compare_metadata(context, SQLModel.metadata)


def test_migrated_database_matches_the_models(db) -> None:
    differences = _differences()
    assert differences == [], "models and migrations disagree: run `alembic revision --autogenerate`"


def test_database_is_at_the_single_head(db) -> None:
    heads = ScriptDirectory.from_config(_config()).get_heads()
    assert len(heads) == 1, f"migration history has branched: {heads}"
    with get_engine().connect() as connection:
        assert MigrationContext.configure(connection).get_current_heads() == tuple(heads)


def test_downgrade_then_upgrade_round_trips(db) -> None:
    command.downgrade(_config(), "base")
    get_engine().dispose()
    tables = set(inspect(get_engine()).get_table_names())
    assert tables <= {"alembic_version"}
    command.upgrade(_config(), "head")
    get_engine().dispose()
    assert _differences() == []


def test_migrating_keeps_rows_that_point_at_a_rebuilt_table(db) -> None:
    """SQLite rebuilds a table to alter it. Foreign keys stay off meanwhile, so the rows
    of its children are kept (with them on, 0002's rebuild of `invitation` nulled every
    session's pending invitation), and they are on again for the app afterwards."""
    import uuid

    command.downgrade(_config(), "0001")
    get_engine().dispose()
    invitation = uuid.uuid4().hex
    with get_engine().begin() as connection:
        clinician, client = (
            connection.exec_driver_sql("SELECT id FROM user_account WHERE role = ?", (role,)).scalar()
            for role in ("CLINICIAN", "CLIENT")
        )
        now = "2026-11-27 12:00:00.000000"
        connection.exec_driver_sql(
            "INSERT INTO invitation (id, code_hash, clinician_id, created_at, expires_at) "
            "VALUES (?, ?, ?, ?, ?)",
            (invitation, "c" * 64, clinician, now, "2026-12-04 12:00:00.000000"),
        )
        connection.exec_driver_sql(
            "INSERT INTO auth_session (id, token_hash, user_id, created_at, last_seen_at, expires_at, "
            "pending_invitation_id) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (uuid.uuid4().hex, "t" * 64, client, now, now, now, invitation),
        )
        sessions = connection.exec_driver_sql("SELECT COUNT(*) FROM auth_session").scalar()
    command.upgrade(_config(), "head")
    get_engine().dispose()
    with get_engine().connect() as connection:
        offered = connection.exec_driver_sql(
            "SELECT offered_to_id, registered_at IS NOT NULL FROM invitation WHERE id = ?", (invitation,)
        ).one()
        assert tuple(offered) == (client, 1)
        assert connection.exec_driver_sql("SELECT COUNT(*) FROM auth_session").scalar() == sessions
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA foreign_key_check").all() == []


def test_the_comparison_would_notice_a_difference(db) -> None:
    with get_engine().begin() as connection:
        connection.exec_driver_sql("DROP INDEX ix_item_share_clinician")
        connection.exec_driver_sql("ALTER TABLE item_draft ADD COLUMN note TEXT")
    described = repr(_differences())
    assert "ix_item_share_clinician" in described
    assert "note" in described


def test_string_lengths_reach_the_migrated_schema(db) -> None:
    reflected = inspect(get_engine())
    wrong = []
    for table in SQLModel.metadata.tables.values():
        columns = {c["name"]: c for c in reflected.get_columns(table.name)}
        for column in table.columns:
            length = getattr(column.type, "length", None)
            if isinstance(column.type, String | AutoString) and length:
                got = getattr(columns[column.name]["type"], "length", None)
                if got != length:
                    wrong.append(f"{table.name}.{column.name}: {got} != {length}")
    assert not wrong, wrong


@pytest.mark.parametrize(
    ("pragma", "expected"),
    [
        ("journal_mode", "wal"),
        ("foreign_keys", 1),
        ("secure_delete", 1),
        ("busy_timeout", 5000),
    ],
)
def test_sqlite_pragmas_hold_on_every_connection(db, pragma: str, expected: object) -> None:
    engine = get_engine()
    with engine.connect() as first, engine.connect() as second:  # two pooled connections
        for connection in (first, second):
            value = connection.exec_driver_sql(f"PRAGMA {pragma}").scalar()
            assert value == expected, f"PRAGMA {pragma} is {value!r}"


def test_foreign_keys_are_enforced(db) -> None:
    import uuid

    from sqlalchemy.exc import IntegrityError

    with pytest.raises(IntegrityError), get_engine().begin() as connection:
        connection.exec_driver_sql(
            "INSERT INTO journal_entry (item_id, body_ct) VALUES (?, x'00')", (uuid.uuid4().hex,)
        )


def test_init_creates_a_private_key_file_and_database(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    from unit_support import clear_caches

    from betterjournal import cli

    data_dir, key_dir = tmp_path / "data", tmp_path / "keys"
    for name in [name for name in os.environ if name.startswith("BJ_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("BJ_DATA_DIR", str(data_dir))
    monkeypatch.setenv("BJ_KEY_FILE", str(key_dir / "kek.key"))
    clear_caches()
    try:
        cli.init()
        key_mode = stat.S_IMODE((key_dir / "kek.key").stat().st_mode)
        key = (key_dir / "kek.key").read_text()
        database = data_dir / "betterjournal.db"
        assert (key_mode, stat.S_IMODE(database.stat().st_mode)) == (0o600, 0o600)
        assert _differences() == []
        cli.init()  # again: keeps the key, nothing to migrate
        assert (key_dir / "kek.key").read_text() == key
    finally:
        get_engine().dispose()
        clear_caches()

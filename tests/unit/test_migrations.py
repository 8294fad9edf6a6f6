"""The Alembic migrations build exactly the models' schema; SQLite runs as AVAIL-3 says."""

from __future__ import annotations

import os
import stat
import uuid

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


def test_an_upgrade_interrupted_in_a_table_rebuild_runs_again(db) -> None:
    """SQLite's table rebuild makes its copy outside the transaction: interrupted before the
    commit, the copy stays while the table is intact. The next run starts afresh."""
    command.downgrade(_config(), "0015")
    get_engine().dispose()
    with get_engine().begin() as connection:
        connection.exec_driver_sql("CREATE TABLE _alembic_tmp_user_account (id CHAR(32))")
        accounts = connection.exec_driver_sql("SELECT COUNT(*) FROM user_account").scalar()
    command.upgrade(_config(), "head")  # 0016 rebuilds user_account
    get_engine().dispose()
    with get_engine().connect() as connection:
        names = (
            connection.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'table'").scalars().all()
        )
        assert "_alembic_tmp_user_account" not in names
        assert connection.exec_driver_sql("SELECT COUNT(*) FROM user_account").scalar() == accounts == 4


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


def test_a_unit_rolled_back_keeps_nothing_it_wrote_in_a_savepoint(db) -> None:
    """A unit whose first write is inside `begin_nested()` (a row made if missing, as
    `agenda._ensure` does), then refused, keeps none of it. On SQLite the savepoint's
    release committed that write on its own (attack review: a refused pin kept an agenda)."""
    from sqlmodel import Session

    engine = get_engine()
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE scratch (id INTEGER PRIMARY KEY, v TEXT)")
    try:
        with Session(engine) as session:
            session.connection().exec_driver_sql("SELECT count(*) FROM scratch")  # the unit reads first
            with session.begin_nested():
                session.connection().exec_driver_sql("INSERT INTO scratch (v) VALUES ('made in a savepoint')")
            session.rollback()  # refused after: session_scope rolls the unit back
        with Session(engine) as session:  # and a savepoint rolled back alone, the unit committed
            session.connection().exec_driver_sql("INSERT INTO scratch (v) VALUES ('kept')")
            try:
                with session.begin_nested():
                    session.connection().exec_driver_sql("INSERT INTO scratch (v) VALUES ('undone')")
                    raise RuntimeError
            except RuntimeError:
                pass
            session.commit()
        with engine.connect() as connection:
            kept = [row[0] for row in connection.exec_driver_sql("SELECT v FROM scratch")]
        assert kept == ["kept"]
    finally:
        with engine.begin() as connection:
            connection.exec_driver_sql("DROP TABLE scratch")


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


def test_0003_moves_drafts_binds_shares_to_their_link_and_back(db) -> None:
    """0003 (the item platform): a draft sealed the old way (title_ct/body_ct in `draft`)
    moves to `item_draft` and opens with drafts.get; an active share gets the link it was
    made under; a share whose link had ended (a lost race) is revoked, so linking again
    doesn't revive it. Downgrading moves the draft back, readable the old way."""
    import uuid

    from note_kind import NOTE
    from unit_support import link

    from betterjournal.core import drafts, items, journal, sharing
    from betterjournal.crypto import get_vault
    from betterjournal.db import session_scope

    a, dr_a, dr_b = db.client_a.id, db.clinician_a.id, db.clinician_b.id
    entry, new_draft, live_link, ended_link = (uuid.uuid4() for _ in range(4))
    active_share, orphan_share = uuid.uuid4(), uuid.uuid4()
    command.downgrade(_config(), "0002")
    get_engine().dispose()
    then, now = "2026-11-20 09:00:00.000000", "2026-11-27 12:00:00.000000"
    with get_engine().begin() as connection:
        sql = connection.exec_driver_sql
        wrapped = sql("SELECT wrapped_data_key FROM user_account WHERE id = ?", (a.hex,)).scalar_one()
        key = get_vault().data_key(a, wrapped)
        sql(
            "INSERT INTO care_link (id, clinician_id, client_id, created_at, ended_at) "
            "VALUES (?, ?, ?, ?, ?), (?, ?, ?, ?, ?)",
            (live_link.hex, dr_a.hex, a.hex, then, None, ended_link.hex, dr_b.hex, a.hex, then, now),
        )
        sql(
            "INSERT INTO client_item (id, owner_id, kind, created_at, updated_at) "
            "VALUES (?, ?, 'JOURNAL_ENTRY', ?, ?)",
            (entry.hex, a.hex, then, then),
        )
        sql(
            "INSERT INTO journal_entry (item_id, title_ct, body_ct) VALUES (?, ?, ?)",
            (
                entry.hex,
                key.seal("journal_entry", "title_ct", entry, "Saved title"),
                key.seal("journal_entry", "body_ct", entry, "saved body"),
            ),
        )
        sql(
            "INSERT INTO item_share (id, item_id, clinician_id, shared_at, revoked_at, first_seen_at) "
            "VALUES (?, ?, ?, ?, NULL, ?), (?, ?, ?, ?, NULL, NULL)",
            (active_share.hex, entry.hex, dr_a.hex, then, now, orphan_share.hex, entry.hex, dr_b.hex, then),
        )
        sql(
            "INSERT INTO draft (owner_id, entry_id, title_ct, body_ct, updated_at) VALUES (?, ?, ?, ?, ?), "
            "(?, ?, NULL, ?, ?)",
            (
                a.hex,
                new_draft.hex,
                key.seal("draft", "title_ct", new_draft, "Draft title"),
                key.seal("draft", "body_ct", new_draft, "draft body, not saved yet"),
                now,
                a.hex,
                entry.hex,
                key.seal("draft", "body_ct", entry, "an edit in progress"),
                then,
            ),
        )

    command.upgrade(_config(), "head")
    get_engine().dispose()
    assert _differences() == []
    with session_scope() as session:
        moved = drafts.get(session, owner_id=a, item_id=new_draft)
        assert moved is not None
        assert (moved.kind, moved.fields) == (
            journal.KIND.name,
            {"title": "Draft title", "body": "draft body, not saved yet"},
        )
        edit = drafts.open_for_editing(session, owner_id=a, kind=journal.KIND, item_id=entry, issued=False)
        assert (edit.fields, edit.is_new, edit.from_draft) == (
            {"title": "", "body": "an edit in progress"},
            False,
            True,
        )
        assert [d.item_id for d in drafts.list_new(session, owner_id=a, kind=journal.KIND)] == [
            new_draft,
            entry,
        ]
        assert items.open_own(session, owner_id=a, kind=journal.KIND, item_id=entry).fields == {
            "title": "Saved title",
            "body": "saved body",
        }
        shares = {
            row[0]: tuple(row[1:])
            for row in session.connection().exec_driver_sql(
                "SELECT id, link_id, revoked_at IS NOT NULL, first_seen_at IS NOT NULL FROM item_share"
            )
        }
        assert shares == {active_share.hex: (live_link.hex, 0, 1), orphan_share.hex: (None, 1, 0)}
        # Each share took its item's kind (0010).
        kinds = session.connection().exec_driver_sql("SELECT DISTINCT kind FROM item_share").scalars().all()
        assert kinds == [journal.KIND.name]
        assert sharing.visible_item_ids(session, clinician_id=dr_a) == {entry}
        assert sharing.visible_item_ids(session, clinician_id=dr_b) == set()
        link(session, client_id=a, clinician_id=dr_b)  # linking again revives nothing
        statuses = sharing.shares_of(session, owner_id=a, item_ids=[entry])[entry]
        assert [(s.clinician_id, s.shared_at is not None, s.seen_at is not None) for s in statuses] == [
            (dr_a, True, True),
            (dr_b, False, False),
        ]
        assert sharing.visible_item_ids(session, clinician_id=dr_b) == set()
        # Another kind's draft can't go back to the old table: the downgrade drops it.
        drafts.save(session, owner_id=a, kind=NOTE, item_id=uuid.uuid4(), values={"text": "a note"})

    command.downgrade(_config(), "0002")
    get_engine().dispose()
    with get_engine().connect() as connection:
        sql = connection.exec_driver_sql
        tables = set(inspect(connection).get_table_names())
        assert "draft" in tables
        assert "item_draft" not in tables
        assert "link_id" not in {c["name"] for c in inspect(connection).get_columns("item_share")}
        assert sql("SELECT kind FROM client_item WHERE id = ?", (entry.hex,)).scalar_one() == "JOURNAL_ENTRY"
        wrapped = sql("SELECT wrapped_data_key FROM user_account WHERE id = ?", (a.hex,)).scalar_one()
        key = get_vault().data_key(a, wrapped)
        rows = {
            uuid.UUID(row[0]): (row[1], row[2])
            for row in sql("SELECT entry_id, title_ct, body_ct FROM draft WHERE owner_id = ?", (a.hex,))
        }
        assert set(rows) == {new_draft, entry}
        opened = {
            item_id: tuple(
                key.open("draft", column, item_id, blob) if blob else ""
                for column, blob in zip(("title_ct", "body_ct"), blobs, strict=True)
            )
            for item_id, blobs in rows.items()
        }
        assert opened == {
            new_draft: ("Draft title", "draft body, not saved yet"),
            entry: ("", "an edit in progress"),
        }
    command.upgrade(_config(), "head")
    get_engine().dispose()


def test_0012_keeps_quiet_hours_times_while_they_are_off(db) -> None:
    """0012: a person with quiet hours keeps them on; one without gets them off, with the
    times the settings page offers. From then on, turning them off keeps the times."""
    from datetime import time

    from betterjournal.core import reminders
    from betterjournal.db import session_scope

    with_quiet, without = db.client_a.id, db.client_b.id
    command.downgrade(_config(), "0011")
    get_engine().dispose()
    with get_engine().begin() as connection:
        connection.exec_driver_sql(
            "INSERT INTO reminder_preference (user_id, check_in_on, check_in_days, check_in_at, journal_on, "
            "journal_days, journal_at, homework_on, homework_at, quiet_start, quiet_end, updated_at) "
            "VALUES (?, 1, 1, 1200, 0, 0, 1200, 0, 540, 1380, 360, '2026-12-01 10:00:00.000000'), "
            "(?, 1, 1, 1200, 0, 0, 1200, 0, 540, NULL, NULL, '2026-12-01 10:00:00.000000')",
            (with_quiet.hex, without.hex),
        )
    command.upgrade(_config(), "head")
    get_engine().dispose()
    with session_scope() as session:
        kept = reminders.preferences(session, user_id=with_quiet)
        offered = reminders.preferences(session, user_id=without)
    assert (kept.quiet_on, kept.quiet) == (True, (time(23, 0), time(6, 0)))
    assert (offered.quiet_on, offered.quiet, offered.quiet_hours) == (False, None, reminders.QUIET_HOURS)

    off = reminders.plan_from_form(
        {
            "check_in_on": "on",
            "check_in_day_0": "on",
            "check_in_at": "20:00",
            "quiet_start": "23:00",
            "quiet_end": "06:00",
        }
    )
    with session_scope() as session:
        reminders.save_preferences(session, user_id=with_quiet, plan=off)
    with session_scope() as session:
        turned_off = reminders.preferences(session, user_id=with_quiet)
    assert (turned_off.quiet, turned_off.quiet_hours) == (None, (time(23, 0), time(6, 0)))


def test_0017_marks_the_homework_returned_before_it(db) -> None:
    """0017: an assignment whose response was shared with its clinician (still, or taken back
    since) keeps when it was first returned; one never returned keeps nothing; the caseload
    counts read the same before and after."""
    from datetime import date, timedelta

    from unit_support import link

    from betterjournal.core import caseload, homework
    from betterjournal.db import session_scope
    from betterjournal.models import Assignment

    def _attention(session, clinician: uuid.UUID, today: date) -> dict[str, tuple[int, int]]:
        return {
            line.client_id: (line.to_review, line.overdue)
            for line in caseload.caseload(session, clinician_id=clinician, today=today)
        }

    client, clinician, today = db.client_a.id, db.clinician_a.id, date.today()
    with session_scope() as session:
        link(session, client_id=client, clinician_id=clinician)
        given = homework.assign(
            session,
            clinician_id=clinician,
            client_id=client,
            template="builtin:thought_record",
            due_on=today.isoformat(),
            repeat="daily",
            times=3,
            today=today,
        )
    returned, taken_back, private = given
    for assignment, return_it in ((returned, True), (taken_back, True), (private, False)):
        with session_scope() as session:
            homework.not_done(
                session,
                client_id=client,
                item_id=uuid.uuid4(),
                assignment_id=assignment,
                reasons=["forgot"],
                return_it=return_it,
            )
    with session_scope() as session:
        homework.take_back(session, client_id=client, assignment_id=taken_back)
    later = today + timedelta(days=5)
    with session_scope() as session:
        before = _attention(session, clinician, later)
    command.downgrade(_config(), "0016")
    get_engine().dispose()
    command.upgrade(_config(), "head")
    get_engine().dispose()
    with session_scope() as session:
        rows = {a: session.get(Assignment, a) for a in given}
        marked = {a: row is not None and row.first_returned_at is not None for a, row in rows.items()}
        after = _attention(session, clinician, later)
    assert marked == {returned: True, taken_back: True, private: False}
    assert after == before == {str(client): (1, 2)}

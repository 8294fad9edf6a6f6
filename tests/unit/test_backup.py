"""AVAIL-2: `betterjournal backup` copies the live database (online, to a new file only the
app's user can read); `betterjournal restore` checks a backup, then brings it back."""

from __future__ import annotations

import stat
from pathlib import Path

from typer.testing import CliRunner
from unit_support import new_entry

from betterjournal.cli import app
from betterjournal.core import items, journal
from betterjournal.crypto import Vault
from betterjournal.db import get_engine, session_scope

runner = CliRunner()


def _bodies(owner) -> list[str]:
    with session_scope() as session:
        return [i.fields["body"] for i in items.every_own(session, owner_id=owner, kind=journal.KIND)]


def test_a_backup_brings_back_what_was_deleted_after_it(db, tmp_path: Path) -> None:
    with session_scope() as session:
        entry = new_entry(session, owner_id=db.client_a.id, body="kept in the backup")
    copy = tmp_path / "backups" / "today.db"
    made = runner.invoke(app, ["backup", str(copy)])
    assert made.exit_code == 0, made.output
    assert "Backed up 4 accounts" in made.output
    assert stat.S_IMODE(copy.stat().st_mode) == 0o600
    assert b"kept in the backup" not in copy.read_bytes()  # encrypted there as here

    with session_scope() as session:
        items.delete_item(session, owner_id=db.client_a.id, item_id=entry)
    assert _bodies(db.client_a.id) == []
    get_engine().dispose()
    restored = runner.invoke(app, ["restore", str(copy)])
    assert restored.exit_code == 0, restored.output
    assert _bodies(db.client_a.id) == ["kept in the backup"]
    # A backup is never written over.
    again = runner.invoke(app, ["backup", str(copy)])
    assert again.exit_code == 1 and "exists already" in again.output


def test_restore_refuses_what_is_not_a_good_backup_and_changes_nothing(
    db, tmp_path: Path, monkeypatch
) -> None:
    with session_scope() as session:
        new_entry(session, owner_id=db.client_a.id, body="still here")
    copy = tmp_path / "good.db"
    assert runner.invoke(app, ["backup", str(copy)]).exit_code == 0
    not_a_database = tmp_path / "notes.db"
    not_a_database.write_text("hello")
    for path, said in (
        (tmp_path / "missing.db", "There is no file"),
        (not_a_database, "not a SQLite database"),
    ):
        refused = runner.invoke(app, ["restore", str(path)])
        assert refused.exit_code == 1 and said in refused.output
    # Made under another key-encryption key: its data could not be opened here.
    monkeypatch.setattr("betterjournal.backup.get_vault", lambda: Vault(b"\x01" * 32))
    refused = runner.invoke(app, ["restore", str(copy)])
    assert refused.exit_code == 1 and "another key-encryption key" in refused.output
    assert _bodies(db.client_a.id) == ["still here"]

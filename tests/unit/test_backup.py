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
    monkeypatch.setattr("betterjournal.backup.get_vault", lambda: Vault({1: b"\x01" * 32}))
    refused = runner.invoke(app, ["restore", str(copy)])
    assert refused.exit_code == 1 and "do not open with this key-encryption key" in refused.output
    assert _bodies(db.client_a.id) == ["still here"]


def test_a_backup_holds_no_data_key_so_an_account_deleted_after_it_cannot_be_read_from_it(
    db, tmp_path: Path
) -> None:
    """CRYPTO-6: deleting an account destroys its data key (crypto-shredding); the backups
    made before hold the account's ciphertext but no key for it, anywhere."""
    from unit_support import PASSWORD

    from betterjournal import keystore
    from betterjournal.core import portability
    from betterjournal.settings import get_settings

    with session_scope() as session:
        new_entry(session, owner_id=db.client_a.id, body="A's words")
        new_entry(session, owner_id=db.client_b.id, body="B's words")
    a_key = keystore.get(db.client_a.id)
    assert a_key is not None
    with get_engine().connect() as connection:
        a_words = connection.exec_driver_sql("SELECT body_ct FROM journal_entry").scalars().all()
    assert len(a_words) == 2
    copy = tmp_path / "before.db"
    assert runner.invoke(app, ["backup", str(copy)]).exit_code == 0
    every_wrapped_key = [key.wrapped for key in keystore.every_key()]
    assert len(every_wrapped_key) == 4
    assert not any(wrapped in copy.read_bytes() for wrapped in every_wrapped_key)

    with session_scope() as session:
        portability.erase(session, client_id=db.client_a.id, password=PASSWORD, code="")
    assert keystore.get(db.client_a.id) is None
    # The key is gone from every file the deployment keeps, not only from the table; the
    # deleted ciphertext is gone from the database's files too (secure delete, and the
    # write-ahead log emptied before the key was destroyed). The backup still holds it.
    data_dir = get_settings().data_dir
    for path in [copy, *data_dir.iterdir()]:
        if path.is_file():
            assert a_key.wrapped not in path.read_bytes(), path.name
    live = b"".join(path.read_bytes() for path in data_dir.iterdir() if path.is_file())
    backed_up = copy.read_bytes()
    assert [words in live for words in a_words].count(True) == 1  # only B's is left
    assert all(words in backed_up for words in a_words)

    get_engine().dispose()
    restored = runner.invoke(app, ["restore", str(copy)])
    assert restored.exit_code == 0, restored.output
    assert "Restored 3 accounts" in restored.output
    assert "Left out 1 accounts deleted since the backup was made" in restored.output
    assert _bodies(db.client_b.id) == ["B's words"]
    from betterjournal.models import User

    with session_scope() as session:
        assert session.get(User, db.client_a.id) is None
        assert items.every_own(session, owner_id=db.client_a.id, kind=journal.KIND) == []


def test_restore_with_a_key_store_that_knows_nobody_is_refused_and_changes_nothing(
    db, tmp_path: Path, monkeypatch
) -> None:
    """A wrong BJ_KEYSTORE_URL (a new machine without the deployment's key store) would
    otherwise make every account look deleted since the backup, and the restore drop them all."""
    from unit_support import clear_caches

    with session_scope() as session:
        new_entry(session, owner_id=db.client_a.id, body="kept")
    copy = tmp_path / "good.db"
    assert runner.invoke(app, ["backup", str(copy)]).exit_code == 0
    get_engine().dispose()
    monkeypatch.setenv("BJ_KEYSTORE_URL", f"sqlite:///{tmp_path / 'empty-keys.db'}")
    clear_caches()
    refused = runner.invoke(app, ["restore", str(copy)])
    assert refused.exit_code == 1
    assert "None of the 4 accounts" in refused.output and "BJ_KEYSTORE_URL" in refused.output
    monkeypatch.delenv("BJ_KEYSTORE_URL")
    clear_caches()
    assert _bodies(db.client_a.id) == ["kept"]

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


def _migrate_to(revision: str) -> None:
    from alembic import command
    from alembic.config import Config

    from betterjournal.settings import PROJECT_ROOT

    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "alembic"))
    config.attributes["configure_logging"] = False
    command.downgrade(config, revision) if revision != "head" else command.upgrade(config, "head")
    get_engine().dispose()


def test_a_backup_made_before_the_key_store_does_not_bring_an_erased_account_back(
    db, tmp_path: Path, monkeypatch
) -> None:
    """A backup made before migration 0016 carries its data keys. Restored after an erasure
    and a KEK rotation that retired the version its keys were wrapped by: the erased account
    stays out (its carried key is not kept), and the others open with the key store's keys."""
    import os

    from unit_support import PASSWORD, clear_caches

    from betterjournal import keystore
    from betterjournal.core import portability

    with session_scope() as session:
        new_entry(session, owner_id=db.client_a.id, body="A's words")
        new_entry(session, owner_id=db.client_b.id, body="B's words")
    _migrate_to("0015")  # the keys back in user_account, as before the key store
    old = tmp_path / "before-the-key-store.db"
    assert runner.invoke(app, ["backup", str(old)]).exit_code == 0
    _migrate_to("head")
    with session_scope() as session:
        portability.erase(session, client_id=db.client_a.id, password=PASSWORD, code="")
    first = os.environ["BJ_KEK"]
    monkeypatch.setenv("BJ_KEK", f"1:{first},2:{new_kek_b64()}")
    clear_caches()
    assert runner.invoke(app, ["kek-rewrap"]).exit_code == 0
    monkeypatch.setenv("BJ_KEK", os.environ["BJ_KEK"].split(",")[1])  # version 1 retired
    clear_caches()

    get_engine().dispose()
    restored = runner.invoke(app, ["restore", str(old)])
    assert restored.exit_code == 0, restored.output
    assert "Left out 1 accounts deleted since the backup was made" in restored.output
    assert keystore.get(db.client_a.id) is None
    assert _bodies(db.client_b.id) == ["B's words"]
    from betterjournal.models import User

    with session_scope() as session:
        assert session.get(User, db.client_a.id) is None


def new_kek_b64() -> str:
    import base64
    import secrets

    return base64.b64encode(secrets.token_bytes(32)).decode()


def test_the_key_store_is_copied_on_its_own_and_a_copy_restores_it(db, tmp_path: Path) -> None:
    """Without the key store every backup of the database is unreadable: `backup-keys` copies
    it (a new file, mode 600, never written over), and the copy is a working key store."""
    from betterjournal import keystore
    from betterjournal.settings import get_settings

    with session_scope() as session:
        new_entry(session, owner_id=db.client_a.id, body="needs its key")
    copy = tmp_path / "keys-copy.db"
    made = runner.invoke(app, ["backup-keys", str(copy)])
    assert made.exit_code == 0, made.output
    assert "Copied 4 data keys" in made.output
    assert stat.S_IMODE(copy.stat().st_mode) == 0o600
    assert runner.invoke(app, ["backup-keys", str(copy)]).exit_code == 1
    # The key store lost: put the copy in its place, and the entry opens again.
    keystore.get_engine().dispose()
    live = Path(get_settings().keystore_url.removeprefix("sqlite:///"))
    for path in live.parent.glob(live.name + "*"):
        path.unlink()
    copy.replace(live)
    keystore.get_engine.cache_clear()
    assert _bodies(db.client_a.id) == ["needs its key"]


def test_a_restore_first_destroys_the_keys_erasures_left_behind(db, tmp_path: Path, monkeypatch) -> None:
    """An erase whose key could not be destroyed (the key store out of reach for a moment),
    then last night's backup restored: the backup's audit log knows nothing of the erase, so
    the restore destroys that key first, and the account stays out."""
    from unit_support import PASSWORD

    from betterjournal import keystore
    from betterjournal.core import portability
    from betterjournal.models import User

    with session_scope() as session:
        new_entry(session, owner_id=db.client_a.id, body="A's words")
    nightly = tmp_path / "nightly.db"
    assert runner.invoke(app, ["backup", str(nightly)]).exit_code == 0

    def unreachable(user_id) -> None:
        raise OSError("the key store is out of reach")

    real_destroy = keystore.destroy
    monkeypatch.setattr(keystore, "destroy", unreachable)
    with session_scope() as session:
        portability.erase(session, client_id=db.client_a.id, password=PASSWORD, code="")
    monkeypatch.setattr(keystore, "destroy", real_destroy)
    assert keystore.get(db.client_a.id) is not None
    get_engine().dispose()
    restored = runner.invoke(app, ["restore", str(nightly)])
    assert restored.exit_code == 0, restored.output
    assert "Left out 1 accounts" in restored.output
    assert keystore.get(db.client_a.id) is None
    with session_scope() as session:
        assert session.get(User, db.client_a.id) is None


def test_a_backup_made_before_the_key_store_gives_no_erased_key_back_even_if_the_restore_stops(
    db, tmp_path: Path, monkeypatch
) -> None:
    """The backup's own copy of an erased person's key is dropped before migration 0016 would
    store it: a restore that stops before it removes the account (or whose destroy fails)
    leaves no key to open the account's data with. The rerun finishes it."""
    import pytest
    from sqlmodel import col, select
    from unit_support import PASSWORD

    from betterjournal import keystore
    from betterjournal.core import portability
    from betterjournal.models import AuditAction, AuditEvent, User

    with session_scope() as session:
        new_entry(session, owner_id=db.client_a.id, body="A's words")
        new_entry(session, owner_id=db.client_b.id, body="B's words")
    _migrate_to("0015")
    old = tmp_path / "before-the-key-store.db"
    assert runner.invoke(app, ["backup", str(old)]).exit_code == 0
    _migrate_to("head")
    with session_scope() as session:
        portability.erase(session, client_id=db.client_a.id, password=PASSWORD, code="")
    get_engine().dispose()

    def stops(_session, _user) -> None:
        raise RuntimeError("the process stopped here")

    with pytest.MonkeyPatch.context() as stopped:
        stopped.setattr(portability, "remove_account", stops)
        assert runner.invoke(app, ["restore", str(old)]).exit_code != 0
    assert keystore.get(db.client_a.id) is None  # the carried key was not stored
    assert _bodies(db.client_b.id) == ["B's words"]

    get_engine().dispose()
    again = runner.invoke(app, ["restore", "--leave-out-keyless", str(old)])
    assert again.exit_code == 0, again.output
    assert keystore.get(db.client_a.id) is None
    assert _bodies(db.client_b.id) == ["B's words"]
    with session_scope() as session:
        assert session.get(User, db.client_a.id) is None
        erased = select(AuditEvent.subject_id).where(col(AuditEvent.action) == AuditAction.ERASE)
        assert db.client_a.id in set(session.exec(erased))  # the restored audit log says so


def test_a_stale_key_store_does_not_delete_an_account_nobody_erased(db, tmp_path: Path, monkeypatch) -> None:
    """A copy of the key store that lacks an account's key (older than the account): the
    restore is refused and changes nothing, rather than deleting an account nobody erased;
    leaving it out is the operator's explicit choice."""
    import sqlite3

    from unit_support import clear_caches

    from betterjournal.models import User

    with session_scope() as session:
        new_entry(session, owner_id=db.client_b.id, body="B's words")
    today = tmp_path / "today.db"
    assert runner.invoke(app, ["backup", str(today)]).exit_code == 0
    stale = tmp_path / "keys-last-month.db"
    assert runner.invoke(app, ["backup-keys", str(stale)]).exit_code == 0
    with sqlite3.connect(stale) as keys:
        keys.execute("DELETE FROM data_key WHERE user_id = ?", (db.client_b.id.hex,))
    get_engine().dispose()
    monkeypatch.setenv("BJ_KEYSTORE_URL", f"sqlite:///{stale}")
    clear_caches()
    refused = runner.invoke(app, ["restore", str(today)])
    assert refused.exit_code == 1
    said = " ".join(refused.output.split())
    assert "1 accounts" in said and "no record of their deletion" in said and "--leave-out-keyless" in said
    with session_scope() as session:
        assert session.get(User, db.client_b.id) is not None
    get_engine().dispose()
    chosen = runner.invoke(app, ["restore", "--leave-out-keyless", str(today)])
    assert chosen.exit_code == 0, chosen.output
    with session_scope() as session:
        assert session.get(User, db.client_b.id) is None

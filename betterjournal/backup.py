"""Backing up the database while the app runs, and restoring a backup (AVAIL-2).

SQLite: `backup` copies the live database through SQLite's online backup API (a consistent
copy even while people write), into a new file only the app's user may read. `restore`
checks a backup first (a SQLite database, intact, of this app, whose data keys open with
this deployment's key-encryption key), then copies it over the database through the same
API and brings its schema up to date. Restore with the app stopped.

PostgreSQL: use pg_dump and pg_restore (the commands say so).

A backup holds what the database holds: health data encrypted, names and emails in the
clear (docs/data-inventory.md). Keep it as safe as the database, and apart from the KEK.
It holds no data key: those are in the key store (keystore.py), which a restore reads. An
account deleted after a backup was made has no key any more: its data in the backup can't be
read, and a restore leaves the account out (crypto-shredding, CRYPTO-6).
"""

from __future__ import annotations

import os
import sqlite3
import uuid
from dataclasses import dataclass
from pathlib import Path

from sqlmodel import col, select

from betterjournal import keystore
from betterjournal.crypto import DecryptionError, UnknownKek, get_vault
from betterjournal.keystore import StoredKey
from betterjournal.settings import get_settings


class BackupError(RuntimeError):
    """What went wrong, in words for the operator."""


def database_file() -> Path:
    url = get_settings().database_url
    if not url.startswith("sqlite:///"):
        raise BackupError("This database is PostgreSQL: back it up with pg_dump, restore with pg_restore.")
    return Path(url.removeprefix("sqlite:///"))


def backup(destination: Path) -> Contents:
    """Copy the live database to `destination` (a new file, mode 600). What it holds."""
    _copy_sqlite(database_file(), destination, "SELECT 1")
    try:
        return check(destination)
    except BackupError:
        destination.unlink()
        raise


@dataclass(frozen=True)
class Contents:
    """What a backup holds: its accounts, and those deleted since (their data keys are
    destroyed, so their data in it can't be read; restore leaves them out)."""

    accounts: int
    deleted: frozenset[uuid.UUID]

    @property
    def deleted_since(self) -> int:
        return len(self.deleted)


def backup_keys(destination: Path) -> int:
    """Copy the key store (SQLite) to `destination` (a new file, mode 600), while the app
    runs. How many data keys it holds. Keep one recent copy, apart from the database's
    backups: a deleted account stays readable for as long as a copy holding its key is kept."""
    url = get_settings().keystore_url
    if not url.startswith("sqlite:///"):
        raise BackupError(
            "The key store is PostgreSQL: copy it with pg_dump, apart from the database's backups."
        )
    return len(
        _copy_sqlite(Path(url.removeprefix("sqlite:///")), destination, "SELECT user_id FROM data_key")
    )


def _copy_sqlite(source: Path, destination: Path, rows: str) -> list[tuple]:
    """An online copy of a SQLite file into a new file only this user may read; the rows
    the query `rows` reads from the copy."""
    if destination.exists():
        raise BackupError(f"{destination} exists already: choose a new file name.")
    if not source.exists():
        raise BackupError(f"There is no database at {source} yet.")
    destination.parent.mkdir(parents=True, exist_ok=True)
    os.close(os.open(destination, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    with sqlite3.connect(source) as live, sqlite3.connect(destination) as copy:
        live.backup(copy)
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        return copy.execute(rows).fetchall()


def check(path: Path) -> Contents:
    """That `path` is an intact backup of this app whose accounts' data keys open with this
    deployment's KEK (the key store's; a backup made before the key store carries its own,
    used only for accounts the key store has never held); what it holds. BackupError otherwise."""
    if not path.is_file():
        raise BackupError(f"There is no file at {path}.")
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as copy:
            if copy.execute("PRAGMA integrity_check").fetchone() != ("ok",):
                raise BackupError(f"{path} is damaged (SQLite's integrity check failed).")
            tables = {row[0] for row in copy.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if not {"alembic_version", "user_account"} <= tables:
                raise BackupError(f"{path} is not a Betterjournal database.")
            columns = {row[1] for row in copy.execute("PRAGMA table_info(user_account)")}
            carried: list[StoredKey] = []
            if "wrapped_data_key" in columns:  # made before the key store (migration 0016)
                rows = copy.execute("SELECT id, wrapped_data_key, kek_version FROM user_account").fetchall()
                carried = [
                    StoredKey(uuid.UUID(user_id), wrapped, version) for user_id, wrapped, version in rows
                ]
            ids = [uuid.UUID(row[0]) for row in copy.execute("SELECT id FROM user_account")]
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{path} is not a SQLite database ({error}).") from None
    stored = list(keystore.keys_of(ids).values())  # one read per 500 accounts, not one per account
    if carried and not stored:
        # The key store has never known these accounts (a first restore on a new machine):
        # the backup's own keys are the only ones, and migration 0016 stores them.
        _opening(carried, path)
        return Contents(accounts=len(ids), deleted=frozenset())
    if ids and not stored:
        raise BackupError(
            f"None of the {len(ids)} accounts in {path} has a data key in this key store: point "
            "BJ_KEYSTORE_URL at the deployment's own (`betterjournal paths` shows which is used)."
        )
    _opening(stored, path)
    return Contents(accounts=len(ids), deleted=frozenset(ids) - {key.user_id for key in stored})


def _opening(keys: list[StoredKey], path: Path) -> None:
    """Each key opens with this deployment's KEK; BackupError otherwise."""
    vault = get_vault()
    for key in keys:
        try:
            vault.data_key(key.user_id, key.wrapped, key.kek_version)
        except (DecryptionError, UnknownKek):
            raise BackupError(
                f"The data keys for {path} do not open with this key-encryption key: "
                "restore with the key (BJ_KEK or key file) the data was written under."
            ) from None


def restore(source: Path, *, leave_out_keyless: bool = False) -> Contents:
    """Replace the database with the backup at `source` (checked first), then migrate it and
    leave out the accounts deleted since it was made. What it held. Run with the app stopped.

    An account of the backup whose key the key store lacks is left out only if the database
    being replaced says it was erased, or if `leave_out_keyless` says so: a key store copy
    older than the backup lacks the keys of the accounts made in between, and leaving them
    out would delete them for good."""
    erased = _finish_erasures()
    contents = check(source)
    unexplained = contents.deleted - erased
    if unexplained and not leave_out_keyless:
        raise BackupError(
            f"{len(unexplained)} accounts in {source} have no data key in this key store, and the "
            "database being replaced has no record of their deletion. Their data can't be read "
            "without their keys: restore the copy of the key store made with or after this backup "
            "(`backup-keys`) first, or run `restore --leave-out-keyless` to leave them out."
        )
    destination = database_file()
    destination.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(f"file:{source}?mode=ro", uri=True) as copy, sqlite3.connect(destination) as live:
        copy.backup(live)
        live.execute("PRAGMA journal_mode=WAL")
        _drop_carried_keys(live, contents.deleted)
    destination.chmod(0o600)
    from betterjournal.cli import migrate
    from betterjournal.core import audit
    from betterjournal.core.portability import remove_account
    from betterjournal.db import get_engine, session_scope
    from betterjournal.models import AuditAction, AuditOutcome, User

    get_engine().dispose()  # no pooled connection keeps reading the database it replaced
    migrate()  # a backup made before the key store: 0016 stores the keys the store lacks
    with session_scope() as session:
        for user in session.exec(select(User).where(col(User.id).in_(contents.deleted))):
            remove_account(session, user)  # and, once committed, the key 0016 stored for it
            # The restored audit log says so too: a key left behind is destroyed from it.
            audit.record(
                session,
                actor_id=None,
                action=AuditAction.ERASE,
                outcome=AuditOutcome.ALLOWED,
                subject_id=user.id,
            )
    return contents


def _finish_erasures() -> set[uuid.UUID]:
    """Before the database is replaced: destroy the keys its erasures left behind (the
    backup's audit log won't know of them), and return who it says was erased. Nothing when
    there is no database yet, or one that can't be read (the reason to restore)."""
    from sqlalchemy.exc import DatabaseError

    from betterjournal.db import session_scope
    from betterjournal.models import AuditAction, AuditEvent, AuditOutcome

    if not database_file().exists():
        return set()
    try:
        with session_scope() as session:
            keystore.destroy_erased(session)
            query = select(AuditEvent.subject_id).where(
                col(AuditEvent.action) == AuditAction.ERASE, col(AuditEvent.outcome) == AuditOutcome.ALLOWED
            )
            return {user_id for user_id in session.exec(query) if user_id is not None}
    except DatabaseError:
        return set()


def _drop_carried_keys(live: sqlite3.Connection, deleted: frozenset[uuid.UUID]) -> None:
    """A backup made before the key store carries each account's key: drop those of the
    accounts left out before migration 0016 would store them again."""
    columns = {row[1] for row in live.execute("PRAGMA table_info(user_account)")}
    if "wrapped_data_key" not in columns or not deleted:
        return
    live.executemany(
        "UPDATE user_account SET wrapped_data_key = NULL WHERE id = ?",
        [(user_id.hex,) for user_id in deleted],
    )
    live.commit()

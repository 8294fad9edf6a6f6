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

from sqlmodel import select

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
    source = database_file()
    if destination.exists():
        raise BackupError(f"{destination} exists already: choose a new file name.")
    if not source.exists():
        raise BackupError(f"There is no database at {source} yet.")
    destination.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(destination, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.close(descriptor)
    with sqlite3.connect(source) as live, sqlite3.connect(destination) as copy:
        live.backup(copy)
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
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
    deleted_since: int


def check(path: Path) -> Contents:
    """That `path` is an intact backup of this app whose accounts' data keys (in the key
    store, or in the backup itself if it was made before the key store) open with this
    deployment's KEK; what it holds. BackupError otherwise."""
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
            if "wrapped_data_key" in columns:  # made before the key store (migration 0016)
                carried = copy.execute(
                    "SELECT id, wrapped_data_key, kek_version FROM user_account"
                ).fetchall()
                keys = [
                    StoredKey(uuid.UUID(user_id), wrapped, version) for user_id, wrapped, version in carried
                ]
                return Contents(accounts=_opening(keys, path), deleted_since=0)
            ids = [uuid.UUID(row[0]) for row in copy.execute("SELECT id FROM user_account")]
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{path} is not a SQLite database ({error}).") from None
    stored = [key for user_id in ids if (key := keystore.get(user_id)) is not None]
    if ids and not stored:
        raise BackupError(
            f"None of the {len(ids)} accounts in {path} has a data key in this key store: point "
            "BJ_KEYSTORE_URL at the deployment's own (`betterjournal paths` shows which is used)."
        )
    _opening(stored, path)
    return Contents(accounts=len(ids), deleted_since=len(ids) - len(stored))


def _opening(keys: list[StoredKey], path: Path) -> int:
    """How many keys there are, once each has opened with this deployment's KEK."""
    vault = get_vault()
    for key in keys:
        try:
            vault.data_key(key.user_id, key.wrapped, key.kek_version)
        except (DecryptionError, UnknownKek):
            raise BackupError(
                f"The data keys for {path} do not open with this key-encryption key: "
                "restore with the key (BJ_KEK or key file) the data was written under."
            ) from None
    return len(keys)


def restore(source: Path) -> Contents:
    """Replace the database with the backup at `source` (checked first), then migrate it and
    leave out the accounts deleted since it was made. What it held. Run with the app stopped."""
    contents = check(source)
    destination = database_file()
    destination.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(f"file:{source}?mode=ro", uri=True) as copy, sqlite3.connect(destination) as live:
        copy.backup(live)
        live.execute("PRAGMA journal_mode=WAL")
    destination.chmod(0o600)
    from betterjournal.cli import migrate
    from betterjournal.core.portability import remove_account
    from betterjournal.db import get_engine, session_scope
    from betterjournal.models import User

    get_engine().dispose()  # no pooled connection keeps reading the database it replaced
    migrate()
    with session_scope() as session:
        users = list(session.exec(select(User)))
        kept = keystore.holds([user.id for user in users])
        for user in users:
            if user.id not in kept:
                remove_account(session, user)
    return contents

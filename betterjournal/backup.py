"""Backing up the database while the app runs, and restoring a backup (AVAIL-2).

SQLite: `backup` copies the live database through SQLite's online backup API (a consistent
copy even while people write), into a new file only the app's user may read. `restore`
checks a backup first (a SQLite database, intact, of this app, whose data keys open with
this deployment's key-encryption key), then copies it over the database through the same
API and brings its schema up to date. Restore with the app stopped.

PostgreSQL: use pg_dump and pg_restore (the commands say so).

A backup holds what the database holds: health data encrypted, names and emails in the
clear (docs/data-inventory.md). Keep it as safe as the database, and apart from the KEK.
"""

from __future__ import annotations

import os
import sqlite3
import uuid
from pathlib import Path

from betterjournal.crypto import DecryptionError, get_vault
from betterjournal.settings import get_settings


class BackupError(RuntimeError):
    """What went wrong, in words for the operator."""


def database_file() -> Path:
    url = get_settings().database_url
    if not url.startswith("sqlite:///"):
        raise BackupError("This database is PostgreSQL: back it up with pg_dump, restore with pg_restore.")
    return Path(url.removeprefix("sqlite:///"))


def backup(destination: Path) -> int:
    """Copy the live database to `destination` (a new file, mode 600). How many accounts it holds."""
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


def check(path: Path) -> int:
    """That `path` is an intact backup of this app whose data keys open with this
    deployment's KEK; how many accounts it holds. BackupError otherwise."""
    if not path.is_file():
        raise BackupError(f"There is no file at {path}.")
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as copy:
            if copy.execute("PRAGMA integrity_check").fetchone() != ("ok",):
                raise BackupError(f"{path} is damaged (SQLite's integrity check failed).")
            tables = {row[0] for row in copy.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if not {"alembic_version", "user_account"} <= tables:
                raise BackupError(f"{path} is not a Betterjournal database.")
            keys = copy.execute("SELECT id, wrapped_data_key FROM user_account").fetchall()
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{path} is not a SQLite database ({error}).") from None
    vault = get_vault()
    for user_id, wrapped in keys:
        try:
            vault.data_key(uuid.UUID(user_id), wrapped)
        except DecryptionError:
            raise BackupError(
                f"{path} was made under another key-encryption key: restore it with that key."
            ) from None
    return len(keys)


def restore(source: Path) -> int:
    """Replace the database with the backup at `source` (checked first), then migrate it.
    How many accounts it holds. Run with the app stopped."""
    accounts = check(source)
    destination = database_file()
    destination.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(f"file:{source}?mode=ro", uri=True) as copy, sqlite3.connect(destination) as live:
        copy.backup(live)
        live.execute("PRAGMA journal_mode=WAL")
    destination.chmod(0o600)
    from betterjournal.db import get_engine

    get_engine().dispose()  # no pooled connection keeps reading the database it replaced
    from betterjournal.cli import migrate

    migrate()
    return accounts

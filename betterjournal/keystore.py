"""The key store: every person's data key, wrapped by the KEK, kept apart from the data.

The data keys are not in the database they open: a backup of the database (ours, pg_dump,
a copy of its file) holds no key. A snapshot of a disk or directory that holds the key
store too holds the keys: in production, keep the key store where the database's backups
and snapshots don't reach. Deleting an account destroys its key
here (crypto-shredding, CRYPTO-6), so every copy of that person's data, in the database
and in every backup made before, can no longer be read by anyone, even with the KEK.

By default the key store is `keys.db` in the data directory (SQLite, secure delete on, its
write-ahead log truncated after a key is destroyed); BJ_KEYSTORE_URL may point it at a
database of its own (PostgreSQL when several machines run the app). It holds only wrapped
keys and ids. Keep it like the KEK: safe and replicated (`betterjournal backup-keys`), and
never in the database's backups; a copy of it kept for a while keeps erased accounts
readable for that while (so does PostgreSQL, until VACUUM and in its WAL archives).

Writes are ordered so that a failure leaves a key without an account, never an account
without its key: a key is stored before its account is committed, and destroyed only once
the account's deletion is committed and on disk. A key left by a deletion whose key could
not be destroyed then is destroyed by `destroy_erased` (from the app's start, every ten
minutes; by `kek-rewrap`; and by `restore`, before it replaces the database); a key of an
account that failed to be created opens nothing and stays.
"""

from __future__ import annotations

import functools
import logging
import os
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import sqlmodel
from sqlalchemy import Column, Integer, LargeBinary, MetaData, Table, Uuid, delete, event, inspect, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, col

from betterjournal.core.errors import KeyStoreUnavailable
from betterjournal.crypto import Vault, WrappedKey, get_vault, read_vault
from betterjournal.db import BUSY_TIMEOUT_MS, make_engine
from betterjournal.models import AuditAction, AuditEvent, AuditOutcome, User, UTCDateTime, utcnow
from betterjournal.settings import get_settings

log = logging.getLogger(__name__)

metadata = MetaData()
data_key = Table(
    "data_key",
    metadata,
    Column("user_id", Uuid, primary_key=True),
    Column("wrapped", LargeBinary, nullable=False),
    Column("kek_version", Integer, nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
)


@dataclass(frozen=True)
class StoredKey:
    user_id: uuid.UUID
    wrapped: bytes
    kek_version: int


@functools.cache
def get_engine() -> Engine:
    engine = make_engine(get_settings().keystore_url)
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine, "connect")
        def _durable(dbapi_connection, _record) -> None:  # pragma: no cover - trivial
            # A key is written rarely and must survive a power cut once its account is
            # committed: every commit reaches the disk (the database's own is NORMAL).
            dbapi_connection.execute("PRAGMA synchronous=FULL")

    if inspect(engine).has_table("user_account"):
        # Another spelling of the database's own URL: its backups would hold every key.
        raise RuntimeError("BJ_KEYSTORE_URL names the app's own database: give the key store one of its own")
    metadata.create_all(engine)
    return engine


def put(user_id: uuid.UUID, wrapped: WrappedKey) -> None:
    """Store (or replace) a person's wrapped data key, committed at once (KeyStoreUnavailable
    if the key store can't be reached)."""
    try:
        with get_engine().begin() as connection:
            connection.execute(delete(data_key).where(data_key.c.user_id == user_id))
            connection.execute(
                data_key.insert().values(
                    user_id=user_id,
                    wrapped=wrapped.blob,
                    kek_version=wrapped.kek_version,
                    created_at=utcnow(),
                )
            )
    except (SQLAlchemyError, OSError) as error:
        raise KeyStoreUnavailable() from error


def ensure_reachable() -> None:
    """A read from the key store, or KeyStoreUnavailable: so that work which needs the key
    store on one path only fails alike on every path (registering answers the same for a
    new email and a taken one, AUTHN-2)."""
    try:
        with get_engine().connect() as connection:
            connection.execute(select(data_key.c.user_id).limit(1)).first()
    except (SQLAlchemyError, OSError) as error:
        raise KeyStoreUnavailable() from error


def new_data_key(user_id: uuid.UUID) -> None:
    """A new random data key for a person, wrapped by the newest KEK (the key file read
    again: never a version `kek-rewrap` has just retired) and stored."""
    put(user_id, read_vault().new_data_key(user_id))


def get(user_id: uuid.UUID) -> StoredKey | None:
    return keys_of([user_id]).get(user_id)


def keys_of(user_ids: list[uuid.UUID]) -> dict[uuid.UUID, StoredKey]:
    """The stored keys of these people, by person (read 500 at a time); none for a person
    without a key."""
    found: dict[uuid.UUID, StoredKey] = {}
    with get_engine().connect() as connection:
        for first in range(0, len(user_ids), 500):
            query = select(data_key.c.user_id, data_key.c.wrapped, data_key.c.kek_version).where(
                data_key.c.user_id.in_(user_ids[first : first + 500])
            )
            for row in connection.execute(query):
                found[row.user_id] = StoredKey(row.user_id, row.wrapped, row.kek_version)
    return found


def holds(user_ids: list[uuid.UUID]) -> set[uuid.UUID]:
    """Which of these people still have a data key."""
    return set(keys_of(user_ids))


def every_key() -> Iterator[StoredKey]:
    with get_engine().connect() as connection:
        for row in connection.execute(select(data_key.c.user_id, data_key.c.wrapped, data_key.c.kek_version)):
            yield StoredKey(row.user_id, row.wrapped, row.kek_version)


def destroy(user_id: uuid.UUID) -> None:
    """Destroy a person's data key: nothing it encrypted can be opened again, anywhere."""
    engine = get_engine()
    with engine.begin() as connection:
        connection.execute(delete(data_key).where(data_key.c.user_id == user_id))
    # Secure delete zeroed the key's page in the file; empty the write-ahead log too.
    empty_write_ahead_log(engine)


def make_commits_durable(engine: Engine) -> None:
    """With SQLite, put what is committed on disk now. The database commits with
    `synchronous=NORMAL`: a commit is in the write-ahead log, safe from a crash of the
    process but not yet from a power cut until the log is synced. Syncing the log file (and
    the database file, which a checkpoint may have moved it to) makes every commit so far
    durable, without a lock: nobody waits. Nothing to do for another database (PostgreSQL
    syncs each commit)."""
    if engine.dialect.name != "sqlite" or not engine.url.database:
        return
    for path in (f"{engine.url.database}-wal", engine.url.database):
        try:
            descriptor = os.open(path, os.O_RDONLY)
        except FileNotFoundError:
            continue
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


def empty_write_ahead_log(engine: Engine, tries: int = 3) -> bool:
    """With SQLite, copy the write-ahead log into the database and empty it, so that it
    keeps no older copy of what was deleted. While a reader holds an older snapshot that
    can't be done; each try waits at most 50 ms (an emptying checkpoint holds back other
    writers while it waits), then it is left for the log to be overwritten. False (and
    logged) if it could not; True at once for another database."""
    if engine.dialect.name != "sqlite":
        return True
    for attempt in range(tries):
        with engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA busy_timeout=50")
            try:
                row = connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").first()
            finally:
                connection.exec_driver_sql(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        if row is not None and row[0] == 0:
            return True
        if attempt + 1 < tries:
            time.sleep(0.05)
    log.warning("could not empty the write-ahead log of %s yet: a reader held it", engine.url.database)
    return False


def destroy_when_committed(session: Session, user_id: uuid.UUID) -> None:
    """Destroy the key once this unit of work (the account's deletion) is committed and on
    disk, and only if the account is really gone: a commit that did not delete it (a
    rollback, then another commit) keeps the key. With SQLite the deletion is first made
    durable (a power cut can't bring the account back without its key), then the
    database's write-ahead log is emptied if no reader holds it (it would otherwise keep
    older copies of the deleted rows until it is overwritten)."""
    database = session.get_bind().engine

    def _after_commit(_session: Session) -> None:
        try:
            with database.connect() as connection:
                query = sqlmodel.select(User.id).where(col(User.id) == user_id)
                if connection.execute(query).first() is not None:
                    return
            make_commits_durable(database)
            empty_write_ahead_log(database)
            destroy(user_id)
        except Exception as error:  # the deletion stands; destroy_erased finishes it soon after
            log.error("could not destroy a deleted account's data key yet: %s", type(error).__name__)

    event.listen(session, "after_commit", _after_commit, once=True)


def destroy_erased(session: Session) -> int:
    """Destroy any key left behind by an account deletion whose key could not be destroyed
    at the time (the key store out of reach, the process stopped): the keys of accounts
    that no longer exist and that the audit log says were erased. How many.

    Read from the key store's side (one key per account) and the audit log's index on
    the person, so that it costs what the accounts do, not what the audit log holds."""
    keyed = [key.user_id for key in every_key()]
    existing: set[uuid.UUID] = set()
    for first in range(0, len(keyed), 500):
        chunk = keyed[first : first + 500]
        existing.update(session.exec(sqlmodel.select(User.id).where(col(User.id).in_(chunk))))
    without_account = [user_id for user_id in keyed if user_id not in existing]
    erased: set[uuid.UUID] = set()
    for first in range(0, len(without_account), 500):
        chunk = without_account[first : first + 500]
        query = sqlmodel.select(AuditEvent.subject_id).where(
            col(AuditEvent.subject_id).in_(chunk),
            col(AuditEvent.action) == AuditAction.ERASE,
            col(AuditEvent.outcome) == AuditOutcome.ALLOWED,  # a refused erasure names its subject too
        )
        erased.update(user_id for user_id in session.exec(query) if user_id is not None)
    for user_id in erased:
        destroy(user_id)
    return len(erased)


def rewrap(vault: Vault | None = None) -> int:
    """Re-wrap every data key not wrapped by the newest KEK with it; the data they encrypt is
    not touched (CRYPTO-6). One key per transaction: safe to run while the app runs, and to
    run again after an interruption. How many keys were re-wrapped."""
    vault = vault or get_vault()
    done = 0
    for key in list(every_key()):
        if key.kek_version == vault.kek_version:
            continue
        fresh = vault.rewrap(key.user_id, key.wrapped, key.kek_version)
        with get_engine().begin() as connection:
            connection.execute(
                data_key.update()
                .where(data_key.c.user_id == key.user_id, data_key.c.kek_version == key.kek_version)
                .values(wrapped=fresh.blob, kek_version=fresh.kek_version)
            )
        done += 1
    return done


def versions_in_use() -> dict[int, int]:
    """How many data keys each KEK version wraps."""
    counts: dict[int, int] = {}
    for key in every_key():
        counts[key.kek_version] = counts.get(key.kek_version, 0) + 1
    return counts

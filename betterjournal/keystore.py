"""The key store: every person's data key, wrapped by the KEK, kept apart from the data.

The data keys are not in the database they open: a backup of the database (ours, pg_dump,
a copy of the file, a disk snapshot) holds no key. Deleting an account destroys its key
here (crypto-shredding, CRYPTO-6), so every copy of that person's data, in the database
and in every backup made before, can no longer be read by anyone, even with the KEK.

By default the key store is `keys.db` in the data directory (SQLite, secure delete on, its
write-ahead log truncated after a key is destroyed); BJ_KEYSTORE_URL may point it at a
database of its own (PostgreSQL when several machines run the app). It holds only wrapped
keys and ids. Keep it like the KEK: safe and replicated, and never in the database's
backups; a copy of it kept for a while keeps erased accounts readable for that while.

Writes are ordered so that a failure leaves a harmless key without an account, never an
account without its key: a key is stored before its account is committed, and destroyed
only once the account's deletion is committed. `forget_orphans` removes stray keys.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Column, Integer, LargeBinary, MetaData, Table, Uuid, delete, event, select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from betterjournal.crypto import Vault, WrappedKey, get_vault
from betterjournal.models import UTCDateTime, utcnow
from betterjournal.settings import get_settings

# Long enough for any unit of work that stores a key before committing its account.
ORPHAN_GRACE = timedelta(hours=1)

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
    from betterjournal.db import make_engine

    engine = make_engine(get_settings().keystore_url)
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine, "connect")
        def _durable(dbapi_connection, _record) -> None:  # pragma: no cover - trivial
            # A key is written rarely and must survive a power cut once its account is
            # committed: every commit reaches the disk (the database's own is NORMAL).
            dbapi_connection.execute("PRAGMA synchronous=FULL")

    metadata.create_all(engine)
    return engine


def put(user_id: uuid.UUID, wrapped: WrappedKey) -> None:
    """Store (or replace) a person's wrapped data key, committed at once."""
    with get_engine().begin() as connection:
        connection.execute(delete(data_key).where(data_key.c.user_id == user_id))
        connection.execute(
            data_key.insert().values(
                user_id=user_id, wrapped=wrapped.blob, kek_version=wrapped.kek_version, created_at=utcnow()
            )
        )


def new_data_key(user_id: uuid.UUID) -> None:
    """A new random data key for a person, wrapped by the newest KEK and stored."""
    put(user_id, get_vault().new_data_key(user_id))


def get(user_id: uuid.UUID) -> StoredKey | None:
    with get_engine().connect() as connection:
        row = connection.execute(
            select(data_key.c.wrapped, data_key.c.kek_version).where(data_key.c.user_id == user_id)
        ).first()
    return None if row is None else StoredKey(user_id, row.wrapped, row.kek_version)


def holds(user_ids: list[uuid.UUID]) -> set[uuid.UUID]:
    """Which of these people still have a data key."""
    with get_engine().connect() as connection:
        return set(
            connection.execute(select(data_key.c.user_id).where(data_key.c.user_id.in_(user_ids))).scalars()
        )


def every_key() -> Iterator[StoredKey]:
    with get_engine().connect() as connection:
        for row in connection.execute(select(data_key.c.user_id, data_key.c.wrapped, data_key.c.kek_version)):
            yield StoredKey(row.user_id, row.wrapped, row.kek_version)


def destroy(user_id: uuid.UUID) -> None:
    """Destroy a person's data key: nothing it encrypted can be opened again, anywhere."""
    engine = get_engine()
    with engine.begin() as connection:
        connection.execute(delete(data_key).where(data_key.c.user_id == user_id))
    if engine.dialect.name == "sqlite":
        # Secure delete zeroed the key's page in the file; empty the write-ahead log too.
        with engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")


def destroy_when_committed(session: Session, user_id: uuid.UUID) -> None:
    """Destroy the key once this unit of work (the account's deletion) is committed and on
    disk: with SQLite, the database's write-ahead log is first checkpointed and emptied, which
    also drops the older copies of the deleted rows it held."""
    database = session.get_bind().engine

    def _after_commit(_session: Session) -> None:
        if database.dialect.name == "sqlite":
            with database.connect() as connection:
                connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        destroy(user_id)

    event.listen(session, "after_commit", _after_commit, once=True)


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


def forget_orphans(account_ids: set[uuid.UUID], *, now: datetime | None = None) -> int:
    """Destroy keys whose account does not exist (an account that failed to be created, or
    deleted while the key store was out of reach), once older than ORPHAN_GRACE."""
    cutoff = (now or utcnow()) - ORPHAN_GRACE
    with get_engine().connect() as connection:
        stray = [
            row.user_id
            for row in connection.execute(select(data_key.c.user_id).where(data_key.c.created_at < cutoff))
            if row.user_id not in account_ids
        ]
    for user_id in stray:
        destroy(user_id)
    return len(stray)

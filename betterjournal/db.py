"""The database engine and sessions.

SQLite runs in WAL mode with foreign keys, secure delete and a busy timeout (AVAIL-3):
secure_delete overwrites freed pages, so deleted ciphertext and index entries do not
linger in the file.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from collections.abc import Awaitable, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, String, event, select, update
from sqlalchemy.engine import CursorResult, Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.base import Executable
from sqlalchemy.sql.functions import FunctionElement
from sqlmodel import Session, SQLModel, create_engine

from betterjournal.settings import get_settings

T = TypeVar("T")

BUSY_TIMEOUT_MS = 5000  # how long a statement waits for another connection's lock
SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA foreign_keys=ON",
    "PRAGMA secure_delete=ON",
    f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}",
    "PRAGMA synchronous=NORMAL",
)


class IdText(FunctionElement):
    """An id column as text, written as `str(uuid.UUID)` writes it ('1be510b1-b673-4a81-…'),
    to compare in SQL with text that names an id (an agenda's window). PostgreSQL casts its
    uuid; SQLite keeps an id as 32 hex digits, which are cut into their five groups (the
    column is named five times: pass a column, not a subquery)."""

    type = String()
    inherit_cache = True


@compiles(IdText)
def _id_text(element: IdText, compiler: Any, **kw: Any) -> str:
    return f"CAST({compiler.process(element.clauses, **kw)} AS TEXT)"


_UUID_GROUPS = ((1, 8), (9, 4), (13, 4), (17, 4), (21, 12))  # (first digit, digits) of each


@compiles(IdText, "sqlite")
def _id_text_sqlite(element: IdText, compiler: Any, **kw: Any) -> str:
    hex_digits = compiler.process(element.clauses, **kw)
    groups = " || '-' || ".join(f"substr({hex_digits}, {start}, {length})" for start, length in _UUID_GROUPS)
    return f"({groups})"


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        # The connection used last is used next (LIFO): its page cache is still good after
        # its own writes, where any other connection's write empties a connection's cache.
        # A page loads about a quarter faster (docs/performance.md, "One warm connection").
        engine = create_engine(url, connect_args={"check_same_thread": False}, pool_use_lifo=True)

        @event.listens_for(engine, "connect")
        def _configure(dbapi_connection, _record) -> None:  # pragma: no cover - trivial
            cursor = dbapi_connection.cursor()
            for pragma in SQLITE_PRAGMAS:
                cursor.execute(pragma)
            cursor.close()

        @event.listens_for(engine, "savepoint")
        def _inside_the_unit(connection, _name) -> None:
            """The driver begins a unit's transaction only at its first write: a savepoint
            taken before it began one of its own, and its release committed what it held,
            whatever the unit did next (an attack review: a refused pin kept the agenda made
            for it). The unit's transaction is begun first, so a rollback undoes it all."""
            driver = connection.connection.dbapi_connection
            if not driver.in_transaction:
                driver.execute("BEGIN")

        return engine
    return create_engine(url, pool_pre_ping=True)


@functools.cache
def get_engine() -> Engine:
    return make_engine(get_settings().database_url)


@contextmanager
def session_scope() -> Iterator[Session]:
    """One unit of work: committed when the block ends, rolled back on any error.

    A refusal (`Denied`) is audited after the rollback, in a transaction of its own: the
    attempt is on record even though nothing of the unit's work is kept. If that audit
    row can't be written, its error propagates instead (AUD-2: nothing is shown).
    """
    from betterjournal.core.errors import Denied

    with Session(get_engine(), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except Denied as denial:
            session.rollback()
            _audit_denial(session, denial)
            raise
        except BaseException:
            session.rollback()
            raise


def _audit_denial(session: Session, denial: Any) -> None:
    from betterjournal.core import audit

    audit.record_denial(session, denial)
    session.commit()


def run_prebuilt(session: Session, statement: Executable, /, **params: Any) -> CursorResult[*tuple[Any, ...]]:
    """Run a statement built once at import, on the unit of work's own connection.

    The paths every event or keystroke takes (the session check, autosave, saving, the
    share switch, the audit row) use this with module-level statements and bound
    parameters: building a statement per call and running it through the ORM cost
    about three times the database work itself (docs/performance.md). Everything else
    uses the ORM as usual. Both share the unit's transaction, and pending ORM changes are
    flushed first, as the ORM's own queries do. A row written here is not refreshed in an
    ORM object the unit already loaded: don't read a row through the ORM and then write it
    here in the same unit.
    """
    session.flush()
    return session.connection().execute(statement, params)


def take_turns(session: Session, model: type[SQLModel], *where: ColumnElement[bool]) -> int:
    """Units of work that read, then write, what hangs off these rows (a person's tags,
    an agenda's lines) take turns: the first to get here holds the rows until it ends,
    and the next waits, then reads what the first wrote. Call it before reading. Returns
    how many rows matched (0: nothing to act on).

    SQLite has one writer at a time: a write here takes that lock, held until the unit
    commits. It writes the rows' `created_at` with itself: never their id, which SQLite
    would check against every row referring to it (25 ms for 200,000). PostgreSQL locks
    just the rows (`SELECT … FOR NO KEY UPDATE`: rows that refer to them can still be
    added)."""
    table = model.__table__  # type: ignore[attr-defined]
    if session.get_bind().dialect.name == "sqlite":
        written = update(table).where(*where).values(created_at=table.c.created_at)
        return run_prebuilt(session, written).rowcount
    locked = select(table.c.id).where(*where).with_for_update(key_share=True)
    return len(run_prebuilt(session, locked).all())


# A unit of work SQLite refused its write lock at once, tried again from its start: see
# `in_session`. A few tries, a few milliseconds apart (the other writer's unit is short).
UNIT_TRIES = 4
_TRY_AGAIN_AFTER_S = 0.01


def _refused_the_write_lock(error: OperationalError) -> bool:
    """SQLite's "database is locked": a busy timeout that ran out while another unit held
    the write lock. (The driver begins a unit's transaction at its first write, so what it
    read before that is not part of it: a unit that must not act on rows another unit may
    change meanwhile holds them first, with `take_turns`.)"""
    return "database is locked" in str(error.orig)


async def in_session(work: Callable[..., T], /, **kwargs: Any) -> T:
    """Run `work(session, **kwargs)` as one unit of work in a worker thread.

    The one way async code (event handlers, HTTP routes) reaches the database or does
    other blocking work (argon2), so no slow call ever stalls the event loop. A unit SQLite
    refuses its write lock (another unit held it past the busy timeout) was rolled back
    whole, and runs again from its start: the person's action isn't lost to a moment of
    traffic (a background round writing, another tab saving).
    """

    def unit() -> T:
        for attempt in range(1, UNIT_TRIES + 1):
            try:
                with session_scope() as session:
                    return work(session, **kwargs)
            except OperationalError as error:
                if attempt == UNIT_TRIES or not _refused_the_write_lock(error):
                    raise
            time.sleep(_TRY_AGAIN_AFTER_S * attempt)
        raise AssertionError("unreachable")

    return await off_the_loop(unit)


async def off_the_loop(work: Callable[..., T], /, **kwargs: Any) -> T:
    """Run `work(**kwargs)` in a worker thread, outside any unit of work so it holds no
    transaction open while it runs (the background rounds' work)."""
    return await asyncio.to_thread(work, **kwargs)


# Files made for a person (a session summary, an archive of everything) are made one at a
# time, in a thread of their own: however many are asked for at once, the worker threads
# that every unit of work needs (in_session) stay free for everyone else.
_FILE_MAKER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="bj-files")


async def made_in_turn(work: Callable[..., T], /, **kwargs: Any) -> T:
    """Run `work(**kwargs)` (making a file, no database) in the file maker's thread, after
    the files asked for before it."""
    return await asyncio.get_running_loop().run_in_executor(_FILE_MAKER, functools.partial(work, **kwargs))


_FILES_BEING_MADE: set[Any] = set()  # the people a file is being made for now, in this process


@contextmanager
def one_file_at_a_time(person: Any) -> Iterator[None]:
    """While a file is made for this person (a summary in one tab, their archive over HTTP),
    a second one asked for meanwhile is refused (InvalidInput): each waits its turn, and one
    person's many tabs would keep everyone else's files waiting."""
    from betterjournal.core.errors import InvalidInput
    from betterjournal.i18n import N_

    if person in _FILES_BEING_MADE:
        raise InvalidInput(
            N_(
                "A file you asked for is still being made, in another tab or window. "
                "Try again once it has downloaded."
            )
        )
    _FILES_BEING_MADE.add(person)
    try:
        yield
    finally:
        _FILES_BEING_MADE.discard(person)


Round = Callable[[], Awaitable[object]]


async def in_rounds(name: str, one_round: Round, pause: Callable[[], float]) -> None:
    """Forever: `one_round`, then `pause()` seconds (the app's background tasks, as Reflex
    lifespan tasks). A failed round (the database busy or not migrated yet) is logged by
    its error type only, once until the next success, and the rounds go on."""
    log = logging.getLogger(f"betterjournal.{name}")
    last_error = ""
    while True:
        try:
            await one_round()
            last_error = ""
        except Exception as error:
            if type(error).__name__ != last_error:
                log.warning("%s round failed (%s)", name, type(error).__name__)
            last_error = type(error).__name__
        await asyncio.sleep(pause())

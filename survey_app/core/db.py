"""Database engines for SQLite and PostgreSQL, write transactions and migrations."""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import sqlite3
import warnings
import weakref
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import asyncpg
from piccolo.columns import Column
from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, TransactionType
from piccolo.table import Table

from survey_app.core.files import PRIVATE_FILE, private_file, tighten
from survey_app.core.settings import database_url_from_env
from survey_app.tables import ALL_TABLES

SQLITE_TIMEOUT_SECONDS = 60
# What the drivers raise when the database refuses a statement or a transaction (a broken
# constraint, a lock that cannot be had, a full disk); the command line shows it as one line.
DATABASE_ERRORS: tuple[type[Exception], ...] = (
    asyncpg.PostgresError,
    asyncpg.InterfaceError,
    sqlite3.Error,
)

_engine: Engine | None = None


def engine_from_url(url: str) -> Engine:
    """An engine for ``sqlite:///path`` or ``postgresql://user:pw@host:port/db``."""
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        if not url.startswith("sqlite:///"):
            raise ValueError(
                "An SQLite DATABASE_URL looks like sqlite:///relative/or sqlite:////abs"
            )
        path = Path(unquote(url[len("sqlite:///") :]))
        # The database holds the identity side: owner only (its -wal and -shm files get
        # the database file's mode from SQLite).
        private_file(path)
        for suffix in ("-wal", "-shm"):
            tighten(path.with_name(path.name + suffix), PRIVATE_FILE)
        return SQLiteEngine(path=str(path), timeout=SQLITE_TIMEOUT_SECONDS)
    if parts.scheme in {"postgres", "postgresql"}:
        config: dict[str, object] = {
            "host": parts.hostname or "127.0.0.1",
            "port": parts.port or 5432,
            "user": unquote(parts.username or "postgres"),
            "database": unquote(parts.path.lstrip("/")) or "postgres",
        }
        if parts.password:
            config["password"] = unquote(parts.password)
        with warnings.catch_warnings():
            # Piccolo connects as the engine is made, only to warn about old servers; a
            # database that cannot be reached is reported by the first real connection
            # instead (on the command line as one line, `core.cli.run_async`).
            warnings.simplefilter("ignore")
            return PostgresEngine(config=config)
    raise ValueError(f"DATABASE_URL must start with sqlite:/// or postgresql://, not {url!r}")


def use_engine(engine: Engine) -> None:
    """Point every table, and Piccolo's own tooling (through `piccolo_conf.DB`), at ``engine``."""
    global _engine
    from piccolo.apps.migrations.tables import Migration

    _engine = engine
    # Piccolo's own table of applied migrations must follow too, or a second database in
    # the same process would be judged by the first one's migration records.
    for table in (*ALL_TABLES, Migration):
        table._meta._db = engine


def current_engine() -> Engine:
    """The engine in use; the first call without `use_engine` builds ``DATABASE_URL``'s."""
    if _engine is None:
        use_engine(engine_from_url(database_url_from_env()))
    assert _engine is not None
    return _engine


def prepare_sqlite_file(engine: Engine) -> None:
    """Write-ahead logging lets readers continue while one writer commits."""
    if isinstance(engine, SQLiteEngine):
        connection = sqlite3.connect(engine.connection_kwargs["database"])
        try:
            connection.execute("PRAGMA journal_mode=WAL")
        finally:
            connection.close()


_WRITER_LOCKS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = (
    weakref.WeakKeyDictionary()
)


def _sqlite_writer_lock() -> asyncio.Lock:
    """One lock per event loop (the demo and CLI run several loops in one process)."""
    loop = asyncio.get_running_loop()
    lock = _WRITER_LOCKS.get(loop)
    if lock is None:
        lock = _WRITER_LOCKS[loop] = asyncio.Lock()
    return lock


# The engine whose write transaction is open as a batch (`one_write_transaction`).
_BATCH: contextvars.ContextVar[Engine | None] = contextvars.ContextVar(
    "klankbord_write_batch", default=None
)


@contextlib.asynccontextmanager
async def write_transaction() -> AsyncIterator[None]:
    """A transaction that takes the write lock up front.

    Not reentrant: do not nest write transactions (inside `one_write_transaction` each is
    part of the batch's transaction instead).

    On SQLite a DEFERRED transaction that reads and then writes fails with "database is
    locked" when another writer got in between, so writes start IMMEDIATE.
    """
    engine = current_engine()
    if _BATCH.get() is engine:
        yield
        return
    if isinstance(engine, SQLiteEngine):
        # Writers of this process queue in order here instead of polling SQLite's busy
        # handler, which is not first-come-first-served and starves unlucky requests.
        async with (
            _sqlite_writer_lock(),
            engine.transaction(transaction_type=TransactionType.immediate),
        ):
            yield
    else:
        async with engine.transaction():
            yield


@contextlib.asynccontextmanager
async def one_write_transaction() -> AsyncIterator[None]:
    """Many actions, each written in its own `write_transaction`, as one transaction: all
    or nothing together, committed once.

    For invented data only (the demo's history), where the actions follow one another in
    one task and none fails: committing each one took most of the time. An action that
    fails ends the batch; catching its error inside would keep what it wrote up to then.
    """
    async with write_transaction():
        token = _BATCH.set(current_engine())
        try:
            yield
        finally:
            _BATCH.reset(token)


def _transaction_connection(engine: Engine) -> Any:
    transaction = engine.current_transaction.get()
    if transaction is None:
        raise RuntimeError("bulk writes belong inside write_transaction(): all or nothing")
    return transaction.connection


def _names(columns: Sequence[Column]) -> list[str]:
    return [column._meta.db_column_name for column in columns]


async def insert_rows(
    table: type[Table], columns: Sequence[Column], rows: Sequence[Sequence[object]]
) -> None:
    """Insert ``rows`` (a value for each of ``columns`` each) into ``table``, inside the
    current write transaction, however many there are.

    No statement holds more than one row's values, so the drivers' limits on bound
    parameters (asyncpg: 32,767 a statement) never apply: PostgreSQL takes all rows with one
    COPY, SQLite runs one prepared INSERT per row. Both skip Piccolo's objects and query
    building, which cost most of the time: releasing 20,000 responses (280,000 answers) in
    one go took 40 s on PostgreSQL and 48 s on SQLite as Piccolo objects in INSERTs of 1,000
    rows, and takes 9 s and 21 s now; COPY is 2.4 times as fast as prepared INSERTs there
    (`bench/README.md`, `bulk.py`). Columns left out get their database default.
    """
    if not rows:
        return
    engine = current_engine()
    connection = _transaction_connection(engine)
    names = _names(columns)
    if isinstance(engine, PostgresEngine):
        await connection.copy_records_to_table(table._meta.tablename, records=rows, columns=names)
        return
    quoted = ", ".join(f'"{name}"' for name in names)
    marks = ", ".join("?" for _name in names)
    # Identifiers from the table's own definition, values bound.
    await connection.executemany(
        f'INSERT INTO "{table._meta.tablename}" ({quoted}) VALUES ({marks})',  # noqa: S608
        rows,
    )


async def update_rows(
    table: type[Table], columns: Sequence[Column], rows: Sequence[Sequence[object]]
) -> None:
    """Set ``columns`` of many rows of ``table``, inside the current write transaction:
    each of ``rows`` holds the new values and then the row's id.

    One prepared UPDATE run for every row (pipelined by asyncpg), so no statement grows
    with the number of rows — no IN list of ids, no CASE — and rows that need different
    values need no statement of their own.
    """
    if not rows:
        return
    engine = current_engine()
    connection = _transaction_connection(engine)
    postgres = isinstance(engine, PostgresEngine)
    marks = [f"${index}" if postgres else "?" for index in range(1, len(columns) + 2)]
    assignments = ", ".join(
        f'"{name}" = {mark}' for name, mark in zip(_names(columns), marks, strict=False)
    )
    key = table._meta.primary_key._meta.db_column_name
    # Identifiers from the table's own definition, values bound.
    await connection.executemany(
        f'UPDATE "{table._meta.tablename}" SET {assignments} '  # noqa: S608
        f'WHERE "{key}" = {marks[-1]}',
        rows,
    )


async def _keep_session_state(connection: object) -> None:
    """Nothing to reset: the application changes no session settings.

    asyncpg otherwise sends a reset query after every pooled query outside a transaction
    (a measurable share of each request); open transactions are still rolled back by
    asyncpg before this is called.
    """


async def start_pool() -> None:
    engine = current_engine()
    if isinstance(engine, PostgresEngine):
        await engine.start_connection_pool(min_size=1, max_size=10, reset=_keep_session_state)


async def close_pool() -> None:
    engine = current_engine()
    if isinstance(engine, PostgresEngine) and engine.pool is not None:
        await engine.close_connection_pool()


async def migrate() -> None:
    """Apply every pending Piccolo migration to the current engine."""
    from piccolo.apps.migrations.commands.forwards import run_forwards

    prepare_sqlite_file(current_engine())
    with contextlib.redirect_stdout(None):
        result = await run_forwards(app_name="all")
    if not result.success:
        raise RuntimeError(f"Migrations failed: {result.message}")

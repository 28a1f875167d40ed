"""SQLite for SQLAlchemy's asyncio API, executed on the event loop's own thread.

aiosqlite runs every call in a helper thread: about four thread round trips per statement
(cursor, execute, fetch, close), each waking the event loop. For the bot's short, indexed
statements that hand-over costs more than the statement itself, so the bot uses this shim
instead: the same SQLAlchemy dialect (``sqlite+aiosqlite``) with a DBAPI whose coroutines
run ``sqlite3`` directly and never suspend.

Calling SQLite on the loop's thread is only safe when a call cannot block for long, so
connections made here never sleep in SQLite's busy handler: ``Database`` acquires the write
lock with ``BEGIN IMMEDIATE`` and retries it asynchronously, and WAL checkpoints (the only
calls that flush to disk under ``synchronous=NORMAL``) run in a worker thread on a separate
connection (SQLite's own autocheckpoint is only a backstop here). Reads in WAL mode never wait
for writers.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_dbapi,
)
from sqlalchemy.util.concurrency import await_

#: How long a reader may wait in SQLite's busy handler (rare in WAL mode: recovery after a
#: crash of another process); bounded so the event loop never stalls for long.
READER_BUSY_TIMEOUT_MS = 50


class InlineCursor:
    """An aiosqlite-shaped cursor whose coroutines complete without suspending."""

    __slots__ = ("_cursor",)

    def __init__(self, cursor: sqlite3.Cursor) -> None:
        self._cursor = cursor

    async def __aenter__(self) -> InlineCursor:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        self._cursor.close()

    @property
    def description(self) -> Any:
        """The DBAPI description of the last statement."""
        return self._cursor.description

    @property
    def rowcount(self) -> int:
        """Rows changed by the last statement."""
        return self._cursor.rowcount

    @property
    def lastrowid(self) -> int | None:
        """The rowid of the last inserted row."""
        return self._cursor.lastrowid

    @property
    def arraysize(self) -> int:
        """Default fetchmany size."""
        return self._cursor.arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._cursor.arraysize = value

    async def execute(self, sql: str, parameters: Any = ()) -> InlineCursor:
        """Run one statement."""
        self._cursor.execute(sql, parameters)
        return self

    async def executemany(self, sql: str, parameters: Iterable[Any]) -> InlineCursor:
        """Run one statement for many parameter sets."""
        self._cursor.executemany(sql, parameters)
        return self

    async def fetchone(self) -> Any:
        """The next row or None."""
        return self._cursor.fetchone()

    async def fetchmany(self, size: int | None = None) -> Sequence[Any]:
        """Up to ``size`` rows."""
        return self._cursor.fetchmany(self._cursor.arraysize if size is None else size)

    async def fetchall(self) -> Sequence[Any]:
        """All remaining rows."""
        return self._cursor.fetchall()

    async def close(self) -> None:
        """Close the cursor."""
        self._cursor.close()


class InlineConnection:
    """An aiosqlite-shaped connection around a plain ``sqlite3`` connection."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._conn = connection
        # SQLAlchemy's adapter checks this attribute to see whether the connection is open.
        self._connection: sqlite3.Connection | None = connection

    @property
    def isolation_level(self) -> str | None:
        """pysqlite's transaction handling mode."""
        return self._conn.isolation_level

    def cursor(self) -> InlineCursor:
        """A new cursor."""
        return InlineCursor(self._conn.cursor())

    async def commit(self) -> None:
        """Commit the transaction."""
        self._conn.commit()

    async def rollback(self) -> None:
        """Roll the transaction back."""
        self._conn.rollback()

    async def create_function(self, *args: Any, **kwargs: Any) -> None:
        """Register a SQL function."""
        self._conn.create_function(*args, **kwargs)

    async def close(self) -> None:
        """Close the connection (twice is harmless)."""
        self.stop()

    def stop(self) -> None:
        """Close at once (SQLAlchemy's terminate)."""
        if self._connection is not None:
            self._connection = None
            self._conn.close()


class _Adapted(AsyncAdapt_aiosqlite_connection):
    __slots__ = ()

    @property
    def isolation_level(self) -> str | None:
        return self._connection.isolation_level

    @isolation_level.setter
    def isolation_level(self, value: str | None) -> None:
        self._connection._conn.isolation_level = value


class _Module:
    """What SQLAlchemy's aiosqlite adapter reads from the aiosqlite module."""

    Connection = InlineConnection
    DatabaseError = sqlite3.DatabaseError
    Error = sqlite3.Error
    IntegrityError = sqlite3.IntegrityError
    NotSupportedError = sqlite3.NotSupportedError
    OperationalError = sqlite3.OperationalError
    ProgrammingError = sqlite3.ProgrammingError
    sqlite_version = sqlite3.sqlite_version
    sqlite_version_info = sqlite3.sqlite_version_info
    __version__ = "inline"

    @staticmethod
    async def connect(database: str, **kwargs: Any) -> InlineConnection:
        """Open a ``sqlite3`` connection usable from the event loop's thread."""
        kwargs.pop("check_same_thread", None)
        kwargs["timeout"] = READER_BUSY_TIMEOUT_MS / 1000
        return InlineConnection(sqlite3.connect(database, check_same_thread=False, **kwargs))


class InlineDBAPI(AsyncAdapt_aiosqlite_dbapi):
    """The DBAPI module to pass as ``module=`` to ``create_async_engine`` for SQLite URLs."""

    def __init__(self) -> None:
        super().__init__(_Module, sqlite3)  # type: ignore[arg-type]

    def connect(self, *args: Any, **kwargs: Any) -> _Adapted:
        """Open a connection (no helper thread)."""
        connection = await_(_Module.connect(*args, **kwargs))
        return _Adapted(self, connection)  # type: ignore[arg-type]

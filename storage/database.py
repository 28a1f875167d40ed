"""Engine set-up for SQLite and PostgreSQL, units of work, and migrations."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import event
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import ConnectionPoolEntry

from storage.unit_of_work import UnitOfWork

SQLITE_BUSY_TIMEOUT_MS = 10_000


class DatabaseUnavailable(Exception):
    """The database cannot be reached or opened; the message is one readable line."""


class Database:
    """One database: hands out units of work (one transaction each) and runs migrations."""

    def __init__(
        self, url: str, *, echo: bool = False, connect_args: dict[str, Any] | None = None
    ) -> None:
        self.url = url
        parsed = make_url(url)
        self.is_sqlite = parsed.get_backend_name() == "sqlite"
        if self.is_sqlite:
            database = parsed.database or ""
            if database in {"", ":memory:"}:
                raise ValueError("use a SQLite file; in-memory databases are not shared safely")
            folder = Path(database).parent
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as error:
                raise DatabaseUnavailable(
                    f"cannot create the data folder {folder}: {error.strerror or error}"
                ) from None
        arguments = dict(connect_args or {})
        if self.is_sqlite:
            arguments.setdefault("timeout", SQLITE_BUSY_TIMEOUT_MS / 1000)
        pool = {"pool_size": 8, "max_overflow": 8} if self.is_sqlite else {}
        self.engine: AsyncEngine = create_async_engine(
            url, echo=echo, pool_pre_ping=not self.is_sqlite, connect_args=arguments, **pool
        )
        if self.is_sqlite:
            _configure_sqlite(self.engine)
        # Writes on SQLite start with BEGIN IMMEDIATE: a deferred transaction that later
        # upgrades to a write fails at once with SQLITE_BUSY, whatever the busy timeout.
        self._write_engine = self.engine.execution_options(sqlite_begin="IMMEDIATE")
        # SQLite has one writer at a time; a second one waits in SQLite's busy handler, which
        # sleeps in steps of up to 100 ms. Queueing our own writers here instead keeps waits
        # short and fair (other processes still meet the busy timeout).
        self._write_lock = asyncio.Lock() if self.is_sqlite else contextlib.nullcontext()

    @asynccontextmanager
    async def write(self) -> AsyncIterator[UnitOfWork]:
        """Open a write transaction; it commits when the block ends, rolls back on error."""
        async with (
            self._write_lock,
            _translate_errors(self.url),
            self._write_engine.begin() as connection,
        ):
            yield UnitOfWork(connection)

    @asynccontextmanager
    async def read(self) -> AsyncIterator[UnitOfWork]:
        """Open a read-only transaction (never upgraded to a write)."""
        async with _translate_errors(self.url), self.engine.connect() as connection:
            await connection.begin()
            try:
                yield UnitOfWork(connection)
            finally:
                await connection.rollback()

    async def upgrade(self, revision: str = "head") -> None:
        """Apply migrations up to ``revision`` (all by default)."""
        await self._run_migration(lambda config: command.upgrade(config, revision))

    async def downgrade(self, revision: str) -> None:
        """Revert migrations down to ``revision`` (``base`` removes every table)."""
        await self._run_migration(lambda config: command.downgrade(config, revision))

    async def current_revision(self) -> str | None:
        """Return the revision the database is at (None: never migrated)."""
        async with _translate_errors(self.url), self.engine.connect() as connection:
            return await connection.run_sync(
                lambda sync: MigrationContext.configure(sync).get_current_revision()
            )

    @staticmethod
    def head_revision() -> str | None:
        """Return the newest revision the code knows."""
        return ScriptDirectory.from_config(alembic_config()).get_current_head()

    async def _run_migration(self, run: Any) -> None:
        async with _translate_errors(self.url), self.engine.begin() as connection:
            await connection.run_sync(_with_connection, run)

    async def dispose(self) -> None:
        """Close all pooled connections."""
        await self.engine.dispose()


def alembic_config() -> Config:
    """Return an Alembic configuration pointing at ``storage/migrations``."""
    config = Config()
    config.set_main_option("script_location", str(resources.files("storage") / "migrations"))
    return config


def _with_connection(connection: Connection, run: Any) -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    run(config)


def _configure_sqlite(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
        # Take transaction control away from pysqlite so the "begin" hook below decides.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Connection) -> None:
        mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
        connection.exec_driver_sql(f"BEGIN {mode}")


@asynccontextmanager
async def _translate_errors(url: str) -> AsyncIterator[None]:
    """Turn "cannot connect / cannot open" failures into one readable line."""
    try:
        yield
    except (OperationalError, DBAPIError) as error:
        if _is_connection_problem(error):
            where = make_url(url).render_as_string(hide_password=True)
            reason = str(error.orig).strip().splitlines()[0] if error.orig else str(error)
            raise DatabaseUnavailable(f"database {where} is unavailable: {reason}") from error
        raise
    except (TimeoutError, OSError) as error:
        where = make_url(url).render_as_string(hide_password=True)
        raise DatabaseUnavailable(f"database {where} is unavailable: {error}") from error


def _is_connection_problem(error: DBAPIError) -> bool:
    if error.connection_invalidated:
        return True
    text = str(error.orig).lower()
    signs = (
        "unable to open database",
        "could not connect",
        "connection refused",
        "readonly",
        "read-only",
        "disk i/o error",
        "does not exist",
        "password authentication",
        "connect call failed",
        "no such host",
        "name or service not known",
    )
    return any(sign in text for sign in signs)


__all__ = ["AsyncConnection", "Database", "DatabaseUnavailable", "alembic_config"]

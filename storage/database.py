"""Engine set-up for SQLite and PostgreSQL, units of work, and migrations."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
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

from storage.inline_sqlite import READER_BUSY_TIMEOUT_MS, InlineDBAPI
from storage.unit_of_work import UnitOfWork

SQLITE_BUSY_TIMEOUT_MS = 10_000
#: SQLite's own checkpoint limit on inline connections (pages), should background ones fail.
WAL_BACKSTOP_PAGES = 10_000

log = logging.getLogger(__name__)


class DatabaseUnavailable(Exception):
    """The database cannot be reached or opened; the message is one readable line."""


class Database:
    """One database: hands out units of work (one transaction each) and runs migrations."""

    def __init__(
        self,
        url: str,
        *,
        echo: bool = False,
        connect_args: dict[str, Any] | None = None,
        inline_sqlite: bool = False,
    ) -> None:
        """Set up the engine; ``inline_sqlite`` runs SQLite calls on the loop's thread.

        Inline SQLite (see :mod:`storage.inline_sqlite`) is for the bot, whose statements are
        short and many; commands and the dashboard keep aiosqlite's helper thread.
        """
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
        options: dict[str, Any] = {"pool_size": 8, "max_overflow": 8} if self.is_sqlite else {}
        self.inline = self.is_sqlite and inline_sqlite
        if self.inline:
            options["module"] = InlineDBAPI()
        self.engine: AsyncEngine = create_async_engine(
            url, echo=echo, pool_pre_ping=not self.is_sqlite, connect_args=arguments, **options
        )
        if self.is_sqlite:
            _configure_sqlite(self.engine, inline=self.inline)
        self._checkpoints = _Checkpoints(self.engine.url.database or "") if self.inline else None
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
        if self.inline:
            # Inline statements never suspend, nor does an uncontended lock: without this, a
            # loop of writes (a purge, a backlog of timers) would hold the event loop for all
            # of them. Before the lock, so a cancellation here costs nothing.
            await asyncio.sleep(0)
        async with self._write_lock, _translate_errors(self.url):
            connection = await self._begin_write()
            try:
                yield UnitOfWork(connection)
            except BaseException:
                await _rollback_or_discard(connection)
                raise
            else:
                try:
                    await connection.commit()
                except BaseException:
                    # A failed COMMIT leaves SQLAlchemy's transaction object behind, so the
                    # pool would not roll back and the connection would keep SQLite's write
                    # lock; discarding it closes it, which rolls back.
                    await connection.invalidate()
                    raise
            finally:
                await connection.close()
        if self._checkpoints is not None:
            self._checkpoints.after_write()

    async def _begin_write(self) -> AsyncConnection:
        """Connect and start the write transaction, waiting out other processes' writers.

        Inline connections do not sleep in SQLite's busy handler (that would stall the event
        loop), so a writer in another process (the dashboard, a command) is waited for here.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + SQLITE_BUSY_TIMEOUT_MS / 1000
        delay = 0.002
        while True:
            connection = await self._write_engine.connect()
            try:
                await connection.begin()
            except OperationalError as error:
                await connection.close()
                busy = "locked" in str(error.orig) or "busy" in str(error.orig)
                if not (self.inline and busy) or loop.time() > deadline:
                    raise
                await asyncio.sleep(delay)
                delay = min(delay * 2, 0.1)
                continue
            except BaseException:
                await connection.close()
                raise
            return connection

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
        """Close all pooled connections (after a last WAL checkpoint, when inline)."""
        if self._checkpoints is not None:
            await self._checkpoints.finish()
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


async def _rollback_or_discard(connection: AsyncConnection) -> None:
    """Roll back; if even that fails, discard the connection instead of pooling it."""
    try:
        await connection.rollback()
    except Exception:
        await connection.invalidate()
        raise


def _configure_sqlite(engine: AsyncEngine, *, inline: bool) -> None:
    busy_timeout = READER_BUSY_TIMEOUT_MS if inline else SQLITE_BUSY_TIMEOUT_MS

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
        # Take transaction control away from pysqlite so the "begin" hook below decides.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        # Switching to WAL takes an exclusive lock; a file already in WAL mode (every start
        # after the first) is only asked, which never waits for a checkpoint in progress.
        cursor.execute("PRAGMA journal_mode")
        mode = str(cursor.fetchone()[0]).lower()
        if mode != "wal":
            cursor.execute("PRAGMA journal_mode=WAL")
            mode = str(cursor.fetchone()[0]).lower()
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={busy_timeout}")
        cursor.execute("PRAGMA foreign_keys=ON")
        if inline:
            if mode != "wal":
                # Without WAL, readers wait for writers and every commit syncs the disk: not
                # something to do on the event loop's thread.
                cursor.close()
                raise DatabaseUnavailable(
                    f"SQLite at {engine.url.database} cannot use WAL mode (it is in {mode} "
                    "mode; a network file system?); keep the bot's database on a local disk"
                )
            # Checkpoints write the database file; _Checkpoints runs them off the loop. The
            # high limit is a backstop should those keep failing.
            cursor.execute(f"PRAGMA wal_autocheckpoint={WAL_BACKSTOP_PAGES}")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Connection) -> None:
        mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
        if inline and mode == "IMMEDIATE":
            # Fail at once if another process writes; Database._begin_write waits for it.
            connection.exec_driver_sql("PRAGMA busy_timeout=0")
            try:
                connection.exec_driver_sql("BEGIN IMMEDIATE")
            finally:
                connection.exec_driver_sql(f"PRAGMA busy_timeout={busy_timeout}")
        else:
            connection.exec_driver_sql(f"BEGIN {mode}")


class _Checkpoints:
    """WAL checkpoints for inline SQLite, in a worker thread on their own connection."""

    #: Checkpoint after this many write transactions, or this long after the last one.
    EVERY_WRITES = 100
    EVERY_SECONDS = 1.0

    def __init__(self, path: str) -> None:
        self.path = path
        self.writes = 0
        self.last = 0.0
        #: Checkpoints started so far.
        self.runs = 0
        self.task: asyncio.Task[None] | None = None

    def after_write(self) -> None:
        """Count a committed write; start a checkpoint when one is due."""
        self.writes += 1
        now = asyncio.get_running_loop().time()
        due = self.writes >= self.EVERY_WRITES or now - self.last >= self.EVERY_SECONDS
        if due and (self.task is None or self.task.done()):
            self.writes = 0
            self.last = now
            self.runs += 1
            self.task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        try:
            await asyncio.to_thread(self._checkpoint)
        except Exception as error:
            # The next write tries again; the backstop limit bounds the WAL meanwhile.
            log.warning("WAL checkpoint failed", extra={"error_type": type(error).__name__})

    def _checkpoint(self) -> None:
        connection = sqlite3.connect(self.path, timeout=SQLITE_BUSY_TIMEOUT_MS / 1000)
        try:
            connection.execute("PRAGMA wal_checkpoint(PASSIVE)")
        finally:
            connection.close()

    async def finish(self) -> None:
        """Wait for a running checkpoint, then run a last one (off the loop's thread)."""
        if self.task is not None:
            await self.task
        await self._run()


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

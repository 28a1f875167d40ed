"""A fresh PostgreSQL database on the test server for bot processes (they need a URL)."""

from __future__ import annotations

import asyncio
import threading
import uuid
from collections.abc import Iterator
from typing import Any

import asyncpg
import pytest

from tests.conftest import POSTGRES_URL


class PgDatabase:
    """One throw-away database: its URL for the bot, and synchronous queries for the test."""

    def __init__(self) -> None:
        self.name = f"nf_{uuid.uuid4().hex[:12]}"
        server, _, _ = POSTGRES_URL.rpartition("/")
        self.url = f"{server}/{self.name}"
        self._admin = POSTGRES_URL.replace("postgresql+asyncpg://", "postgresql://")
        self.dsn = self.url.replace("postgresql+asyncpg://", "postgresql://")

    def create(self) -> PgDatabase:
        """Create the database (empty; the bot migrates it at start)."""
        asyncio.run(self._admin_execute(f'CREATE DATABASE "{self.name}"'))
        return self

    def drop(self) -> None:
        """Drop it, closing connections left by killed processes."""
        asyncio.run(self._admin_execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))

    def query(self, sql: str, *args: Any) -> list[asyncpg.Record]:
        """Run one statement ($1-style parameters) and return its rows."""
        return asyncio.run(self._query(sql, *args))

    def scalar(self, sql: str, *args: Any) -> Any:
        """The first column of the first row."""
        rows = self.query(sql, *args)
        return rows[0][0] if rows else None

    async def _query(self, sql: str, *args: Any) -> list[asyncpg.Record]:
        connection = await asyncpg.connect(self.dsn)
        try:
            return list(await connection.fetch(sql, *args))
        finally:
            await connection.close()

    async def _admin_execute(self, sql: str) -> None:
        connection = await asyncpg.connect(self._admin)
        try:
            await connection.execute(sql)
        finally:
            await connection.close()


@pytest.fixture
def pg() -> Iterator[PgDatabase]:
    """A fresh, empty PostgreSQL database for one test."""
    database = PgDatabase().create()
    try:
        yield database
    finally:
        database.drop()


class TableLock:
    """Hold ``LOCK TABLE … IN EXCLUSIVE MODE`` (reads pass, writes wait) until released."""

    def __init__(self, database: PgDatabase, table: str) -> None:
        self.database = database
        self.table = table
        self._locked = threading.Event()
        self._release = threading.Event()
        self._thread = threading.Thread(target=lambda: asyncio.run(self._hold()), daemon=True)

    def __enter__(self) -> TableLock:
        self._thread.start()
        assert self._locked.wait(10), "could not lock the table"
        return self

    def __exit__(self, *exc: object) -> None:
        self._release.set()
        self._thread.join(10)

    async def _hold(self) -> None:
        connection = await asyncpg.connect(self.database.dsn)
        try:
            async with connection.transaction():
                await connection.execute(f'LOCK TABLE "{self.table}" IN EXCLUSIVE MODE')
                self._locked.set()
                await asyncio.to_thread(self._release.wait)
        finally:
            await connection.close()

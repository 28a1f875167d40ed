"""Shared fixtures: real databases (a SQLite file and the local PostgreSQL), fixed clocks."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest

from storage.database import Database

pytest_plugins = ["tests.fakes.plugin"]

#: The machine's PostgreSQL (trust auth). CI exercises it; tests never skip it.
POSTGRES_URL = os.environ.get(
    "NEEDFINDER_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)


def _asyncpg_dsn() -> str:
    return POSTGRES_URL.replace("postgresql+asyncpg://", "postgresql://")


async def create_pg_schema() -> str:
    """Create a fresh schema so each test has its own empty PostgreSQL database."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    connection = await asyncpg.connect(_asyncpg_dsn())
    try:
        await connection.execute(f'CREATE SCHEMA "{schema}"')
    finally:
        await connection.close()
    return schema


async def drop_pg_schema(schema: str) -> None:
    """Drop a schema made by :func:`create_pg_schema`."""
    connection = await asyncpg.connect(_asyncpg_dsn())
    try:
        await connection.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    finally:
        await connection.close()


def pg_database(schema: str) -> Database:
    """Return a Database bound to ``schema`` of the test PostgreSQL."""
    return Database(POSTGRES_URL, connect_args={"server_settings": {"search_path": schema}})


@pytest.fixture(params=["sqlite", "sqlite-inline", "postgresql"])
async def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    """An empty database of each kind (not migrated); "sqlite-inline" is the bot's SQLite."""
    if request.param.startswith("sqlite"):
        database = Database(
            f"sqlite+aiosqlite:///{tmp_path / 'needfinder.db'}",
            inline_sqlite=request.param == "sqlite-inline",
        )
        yield database
        await database.dispose()
        return
    schema = await create_pg_schema()
    database = pg_database(schema)
    try:
        yield database
    finally:
        await database.dispose()
        await drop_pg_schema(schema)


@pytest.fixture
async def database(empty_database: Database) -> Database:
    """A migrated database of each kind."""
    await empty_database.upgrade()
    return empty_database


@pytest.fixture
async def second_database(database: Database, tmp_path: Path) -> AsyncIterator[Database]:
    """Another migrated, empty database of the same kind as ``database``."""
    if database.is_sqlite:
        other = Database(
            f"sqlite+aiosqlite:///{tmp_path / 'second.db'}", inline_sqlite=database.inline
        )
        await other.upgrade()
        yield other
        await other.dispose()
        return
    schema = await create_pg_schema()
    other = pg_database(schema)
    try:
        await other.upgrade()
        yield other
    finally:
        await other.dispose()
        await drop_pg_schema(schema)

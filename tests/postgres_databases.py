"""Whole scratch PostgreSQL databases, for tests that hand a plain URL to a real process.

tests/conftest.py gives in-process tests a schema each (via search_path in connect_args); a
``needfinder`` subprocess only takes NEEDFINDER_DATABASE_URL, so it gets a database of its own.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg

from tests.conftest import POSTGRES_URL


def _admin_dsn() -> str:
    return POSTGRES_URL.replace("postgresql+asyncpg://", "postgresql://")


async def drop_pg_database(url: str) -> None:
    """Drop the database of ``url``, disconnecting whoever still uses it."""
    name = url.rsplit("/", 1)[1]
    connection = await asyncpg.connect(_admin_dsn())
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await connection.close()


@asynccontextmanager
async def scratch_pg_database() -> AsyncIterator[str]:
    """Create an empty database on the test PostgreSQL; yield its SQLAlchemy URL; drop it."""
    name = f"nf_{uuid.uuid4().hex[:12]}"
    connection = await asyncpg.connect(_admin_dsn())
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    url = f"{POSTGRES_URL.rsplit('/', 1)[0]}/{name}"
    try:
        yield url
    finally:
        await drop_pg_database(url)

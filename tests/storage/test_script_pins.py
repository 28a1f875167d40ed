"""Pinning a script text: once per distinct text, even when two workers start it at once."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from sqlalchemy import func, select, text

from storage.database import Database
from storage.schema import script_versions

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)


async def _waiting_on_a_lock(database: Database) -> bool:
    async with database.engine.connect() as connection:
        count = await connection.scalar(
            text(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE wait_event_type = 'Lock' AND datname = current_database()"
            )
        )
    return bool(count)


async def test_two_workers_pinning_the_same_new_text_at_once_both_go_on(
    database: Database,
) -> None:
    async def pin() -> None:
        async with database.write() as uow:
            await uow.dialogues.pin_script("c0ffee", "discovery", 3, "steps: []", NOW)

    async with database.write() as first:
        await first.dialogues.pin_script("c0ffee", "discovery", 3, "steps: []", NOW)
        # The second worker has not seen the first one's row: it is not committed yet.
        second = asyncio.create_task(pin())
        if not database.is_sqlite:
            # On PostgreSQL both insert; the second waits on the first's key until it commits.
            for _ in range(500):
                if await _waiting_on_a_lock(database):
                    break
                await asyncio.sleep(0.01)
            else:
                raise AssertionError("the second insert never waited on the first")
    await second  # before the fix: a duplicate-key error on PostgreSQL
    async with database.read() as uow:
        count = await uow.connection.scalar(select(func.count()).select_from(script_versions))
    assert count == 1

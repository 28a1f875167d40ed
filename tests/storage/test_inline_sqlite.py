"""Inline SQLite (the bot's driver): same results, and the event loop never waits on a lock."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from storage.database import Database


@pytest.fixture
async def inline(tmp_path: Path) -> AsyncIterator[Database]:
    """A migrated SQLite database on the inline driver."""
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}", inline_sqlite=True)
    await database.upgrade()
    yield database
    await database.dispose()


async def _write(database: Database, key: str) -> None:
    async with database.write() as uow:
        await uow.meta.set(key, "value")


async def _read(database: Database, key: str) -> str | None:
    async with database.read() as uow:
        return await uow.meta.get(key)


async def test_statements_run_without_a_helper_thread(inline: Database) -> None:
    async with inline.read() as uow:
        driver = (await uow.connection.get_raw_connection()).driver_connection
        assert type(driver).__name__ == "InlineConnection"
        # aiosqlite keeps a thread per connection; the inline driver has none.
        assert not hasattr(driver, "_thread")


async def test_a_write_commits_and_a_failed_one_rolls_back(inline: Database) -> None:
    await _write(inline, "kept")
    with pytest.raises(RuntimeError):
        async with inline.write() as uow:
            await uow.meta.set("lost", "value")
            raise RuntimeError("handler failed")
    assert await _read(inline, "kept") == "value"
    assert await _read(inline, "lost") is None


async def test_a_writer_in_another_process_is_waited_for_without_stalling_the_loop(
    inline: Database, tmp_path: Path
) -> None:
    # Another process (the dashboard, a command) holds SQLite's write lock.
    other = sqlite3.connect(tmp_path / "bot.db", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    write = asyncio.create_task(_write(inline, "waited"))
    turns = 0
    # The loop keeps running other tasks while the bot's write waits for the lock.
    while turns < 50:
        await asyncio.sleep(0)
        turns += 1
        assert not write.done()
    other.execute("COMMIT")
    other.close()
    await write
    assert await _read(inline, "waited") == "value"


async def test_checkpoints_run_off_the_loop_and_keep_the_wal_short(
    inline: Database, tmp_path: Path
) -> None:
    async with inline.read() as uow:
        autocheckpoint = (
            await uow.connection.exec_driver_sql("PRAGMA wal_autocheckpoint")
        ).scalar_one()
    assert autocheckpoint == 0  # SQLite itself never checkpoints on the loop's thread
    checkpoints = inline._checkpoints
    assert checkpoints is not None
    for batch in range(3):
        for number in range(100):
            await _write(inline, f"key-{batch}-{number}")
        await checkpoints.finish()
    assert checkpoints.runs >= 3
    check = sqlite3.connect(tmp_path / "bot.db")
    try:
        _busy, frames, _copied = check.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    finally:
        check.close()
    # 300 write transactions, but the WAL was reset after each background checkpoint.
    assert frames < 300

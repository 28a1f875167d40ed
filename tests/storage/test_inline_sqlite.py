"""Inline SQLite (the bot's driver): same results, and the event loop never waits on a lock."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy.exc import IntegrityError

from storage.database import WAL_BACKSTOP_PAGES, Database


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
    # SQLite itself checkpoints on the loop's thread only as a backstop.
    assert autocheckpoint == WAL_BACKSTOP_PAGES
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


async def test_a_loop_of_writes_lets_other_tasks_run(inline: Database) -> None:
    turns = 0
    done = False

    async def other_task() -> None:
        nonlocal turns
        while not done:
            turns += 1
            await asyncio.sleep(0)

    ticker = asyncio.create_task(other_task())
    await asyncio.sleep(0)
    before = turns
    for number in range(30):
        await _write(inline, f"loop-{number}")
    done = True
    await ticker
    # Inline statements never suspend; each unit of work still gives the loop a turn.
    assert turns - before >= 30


async def test_a_failed_commit_releases_the_write_lock(inline: Database, tmp_path: Path) -> None:
    async with inline.write() as uow:
        await uow.connection.exec_driver_sql("CREATE TABLE parent (id INTEGER PRIMARY KEY)")
        await uow.connection.exec_driver_sql(
            "CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES parent(id))"
        )
    with pytest.raises(IntegrityError):
        async with inline.write() as uow:
            # Checked only at COMMIT: the commit itself fails.
            await uow.connection.exec_driver_sql("PRAGMA defer_foreign_keys=ON")
            await uow.connection.exec_driver_sql("INSERT INTO child VALUES (1, 999)")
    other = sqlite3.connect(tmp_path / "bot.db", timeout=0, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")  # raises "database is locked" if the lock were kept
        other.execute("ROLLBACK")
    finally:
        other.close()
    await _write(inline, "after")
    assert await _read(inline, "after") == "value"

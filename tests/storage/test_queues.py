"""The inbox and outbox shared by several workers on PostgreSQL (and one bot on SQLite)."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from storage.coordination import Coordination
from storage.database import Database
from storage.queues import NewUpdate
from tests.conftest import create_pg_schema, drop_pg_schema, pg_database

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)


@pytest.fixture
async def pg() -> AsyncIterator[Database]:
    """A migrated PostgreSQL database (workers share only PostgreSQL)."""
    schema = await create_pg_schema()
    database = pg_database(schema)
    try:
        await database.upgrade()
        yield database
    finally:
        await database.dispose()
        await drop_pg_schema(schema)


async def store(database: Database, *updates: tuple[int, str | None]) -> None:
    async with database.write() as uow:
        rows = [NewUpdate(uid, chat, {"update_id": uid}) for uid, chat in updates]
        await uow.inbox.add_many("telegram", rows, NOW)


async def test_claims_are_every_pending_row_on_one_bot(database: Database) -> None:
    await store(database, (1, "10"), (2, "20"), (3, "10"))
    async with database.write() as uow:
        items = await uow.inbox.claim_pending(10)
        assert [i.update_id for i in items] == [1, 2, 3]
        assert await uow.inbox.lock_chats(["10", "20"]) == ["10", "20"]


async def test_a_chat_is_handled_by_one_worker_at_a_time_in_order(pg: Database) -> None:
    await store(pg, (1, "10"), (2, "20"), (3, "10"), (4, None), (5, "30"))
    async with pg.write() as first:
        mine = await first.inbox.claim_pending(10)
        assert [i.update_id for i in mine] == [1, 2, 3, 4, 5]
        async with pg.write() as second:
            # Every chat is held by the first worker: nothing for the second, not even row 3.
            assert await second.inbox.claim_pending(10) == []
        # A row of chat 10 arriving now waits for the first worker's transaction to end.
        await store(pg, (6, "10"), (7, "40"))
        async with pg.write() as second:
            assert [i.update_id for i in await second.inbox.claim_pending(10)] == [7]
            await second.inbox.mark_all_done([i.id for i in mine if i.update_id == 7], NOW)
        await first.inbox.mark_all_done([i.id for i in mine], NOW)
    async with pg.write() as second:
        # After the commit the next claimant sees the rows as done and gets only what is left.
        assert [i.update_id for i in await second.inbox.claim_pending(10)] == [6, 7]


async def test_a_row_done_just_before_the_lock_is_not_claimed_again(pg: Database) -> None:
    await store(pg, (1, "10"), (2, "10"))
    async with pg.write() as first:
        rows = await first.inbox.claim_pending(10)
        async with pg.write() as second:
            assert await second.inbox.claim_pending(10) == []
        await first.inbox.mark_all_done([rows[0].id], NOW)
    async with pg.write() as second:
        claimed = await second.inbox.claim_pending(10)
        assert [i.update_id for i in claimed] == [2]
        assert not await second.inbox.is_pending(rows[0].id)


async def test_send_claims_leader_and_pace_are_shared(pg: Database) -> None:
    one, two = Coordination(pg), Coordination(pg)
    await one.open()
    await two.open()
    try:
        assert await one.claim_chats(["10", "20"]) == ["10", "20"]
        assert await two.claim_chats(["10", "20", "30"]) == ["30"]
        await one.release_chat("10")
        assert await two.claim_chats(["10"]) == ["10"]

        assert await one.try_lead() is True
        assert await two.try_lead() is False
        await one.close()  # a dead worker's locks go with its connection
        assert await two.try_lead() is True
        assert await two.claim_chats(["20"]) == ["20"]

        # Slots are handed out one interval apart, whoever asks.
        three = Coordination(pg)
        await three.open()
        delays = [await c.reserve_send_slot(0.5) for c in (two, three, two, three)]
        await three.close()
        assert delays[0] <= 0.5
        assert all(later > earlier for earlier, later in itertools.pairwise(delays))
        assert delays[-1] >= 1.0
    finally:
        await one.close()
        await two.close()

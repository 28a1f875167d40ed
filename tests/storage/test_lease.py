"""One running bot per database: the lease is taken, refused, renewed, lost and released."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from needfinder.app.lease import STALE_AFTER, BotLease, LeaseHeld, LeaseLost
from storage.database import Database

NOW = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)


def lease(database: Database, host: str, pid: int, alive: bool = True) -> BotLease:
    return BotLease(database, host=host, pid=pid, alive=lambda _pid: alive)


async def test_a_second_bot_is_refused_while_the_first_renews(database: Database) -> None:
    first = lease(database, "alpha", 100)
    second = lease(database, "beta", 200)
    await first.acquire(NOW)
    with pytest.raises(LeaseHeld, match=r"process 100 on alpha, active 10 s ago"):
        await second.acquire(NOW + timedelta(seconds=10))
    await first.renew(NOW + STALE_AFTER - timedelta(seconds=1))
    with pytest.raises(LeaseHeld):
        await second.acquire(NOW + STALE_AFTER + timedelta(seconds=10))


async def test_a_stale_lease_is_taken_over_and_the_old_holder_stops(database: Database) -> None:
    first = lease(database, "alpha", 100)
    second = lease(database, "beta", 200)
    await first.acquire(NOW)
    await second.acquire(NOW + STALE_AFTER)  # the first stopped renewing (stalled or gone)
    with pytest.raises(LeaseLost, match="process 200 on beta took over"):
        await first.renew(NOW + STALE_AFTER + timedelta(seconds=1))


async def test_a_crashed_bot_on_this_host_is_replaced_at_once(database: Database) -> None:
    await lease(database, "alpha", 100).acquire(NOW)
    with pytest.raises(LeaseHeld):
        await lease(database, "alpha", 101, alive=True).acquire(NOW)
    await lease(database, "alpha", 102, alive=False).acquire(NOW + timedelta(seconds=1))


async def test_release_frees_the_database_but_only_the_holder_can(database: Database) -> None:
    first = lease(database, "alpha", 100)
    second = lease(database, "beta", 200)
    await first.acquire(NOW)
    await second.release()  # not its lease: nothing happens
    with pytest.raises(LeaseHeld):
        await second.acquire(NOW)
    await first.release()
    await second.acquire(NOW)


async def test_two_bots_starting_together_get_one_lease(database: Database) -> None:
    bots = [lease(database, f"host-{n}", 300 + n) for n in range(4)]
    results = await asyncio.gather(*(b.acquire(NOW) for b in bots), return_exceptions=True)
    assert sum(r is None for r in results) == 1
    assert all(isinstance(r, LeaseHeld) for r in results if r is not None)

"""Coordination of several bot workers on one PostgreSQL: leader, chat claims, shared pace.

Each worker keeps one dedicated connection (autocommit, never inside a transaction) and holds
PostgreSQL *session* advisory locks on it:

* the leader lock: the one worker holding it runs what must run once (polling, timers and
  reminders, digest publication, the hourly retention purge);
* one send claim per chat while this worker sends that chat's messages, so a chat's messages
  go out from one worker at a time, in order.

A worker that dies (even by SIGKILL) loses its connection, and PostgreSQL releases its locks at
once: no lease to expire, no home-made queue service. The overall sending rate is one row in
``meta`` that every worker advances atomically (the next free send slot, in the database's own
clock), so the ≈30 messages/s limit holds for all workers together.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.database import Database, DatabaseUnavailable
from storage.queues import PACE_KEY

#: Advisory-lock classes (first key) of the session locks; see storage.queues for the others.
LEADER_LOCK_CLASS = 7302
SENDING_LOCK_CLASS = 7303


async def leader_present(connection: AsyncConnection) -> bool:
    """Whether some worker holds the leader lock on this database (for ``needfinder status``)."""
    held = await connection.scalar(
        text(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted "
            "AND classid = :cls AND objid = 0 AND objsubid = 2 "
            "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
        ),
        {"cls": LEADER_LOCK_CLASS},
    )
    return bool(held)


class CoordinationLost(Exception):
    """The coordination connection broke: this worker's locks are gone, so it must stop."""


class Coordination:
    """One worker's locks on PostgreSQL (use only with a PostgreSQL database)."""

    def __init__(self, database: Database) -> None:
        self.database = database
        self._connection: AsyncConnection | None = None
        # One connection carries every call; SQLAlchemy connections are not for concurrent use.
        self._lock = asyncio.Lock()
        self.leader = False

    async def open(self) -> None:
        """Open the dedicated connection and make sure the pace row exists."""
        connection = await self.database.engine.connect()
        self._connection = await connection.execution_options(isolation_level="AUTOCOMMIT")
        await self._execute(
            "INSERT INTO meta (key, value) VALUES (:key, '0') ON CONFLICT (key) DO NOTHING",
            key=PACE_KEY,
        )

    async def close(self) -> None:
        """Close the connection; PostgreSQL releases every lock it held."""
        if self._connection is not None:
            connection, self._connection = self._connection, None
            # Closing would return it to the pool, session locks and all; invalidating closes
            # the database connection itself, which is what releases them.
            await connection.invalidate()
            await connection.close()

    async def try_lead(self) -> bool:
        """Become the leader if no other worker is; True while this worker leads."""
        if not self.leader:
            self.leader = bool(
                await self._scalar("SELECT pg_try_advisory_lock(:cls, 0)", cls=LEADER_LOCK_CLASS)
            )
        return self.leader

    async def claim_chats(self, chat_ids: Sequence[str]) -> list[str]:
        """Claim chats for sending; return those claimed (others are sent by other workers)."""
        if not chat_ids:
            return []
        columns = ", ".join(
            f"pg_try_advisory_lock(:cls, hashtext(:c{i}))" for i in range(len(chat_ids))
        )
        params = {f"c{i}": chat for i, chat in enumerate(chat_ids)}
        row = await self._row(f"SELECT {columns}", cls=SENDING_LOCK_CLASS, **params)
        return [chat for chat, taken in zip(chat_ids, row, strict=True) if taken]

    async def release_chat(self, chat_id: str) -> None:
        """Give up the send claim of a chat (its outcomes are committed)."""
        await self._scalar(
            "SELECT pg_advisory_unlock(:cls, hashtext(:chat))", cls=SENDING_LOCK_CLASS, chat=chat_id
        )

    async def reserve_send_slot(self, interval: float) -> float:
        """Take the next overall send slot; return the seconds to wait until it."""
        now = "CAST(extract(epoch FROM clock_timestamp()) AS double precision)"
        delay = await self._scalar(
            "UPDATE meta SET value = CAST(GREATEST(CAST(value AS double precision), "
            f"{now}) + :interval AS text) WHERE key = :key "
            f"RETURNING CAST(value AS double precision) - :interval - {now}",
            key=PACE_KEY,
            interval=interval,
        )
        return max(0.0, float(delay)) if isinstance(delay, int | float) else 0.0

    async def _execute(self, sql: str, **params: object) -> None:
        await self._row(sql, **params)

    async def _scalar(self, sql: str, **params: object) -> object:
        row = await self._row(sql, **params)
        return row[0] if row else None

    async def _row(self, sql: str, **params: object) -> tuple[object, ...]:
        async with self._lock:
            if self._connection is None:
                raise CoordinationLost("the coordination connection is closed")
            try:
                result = await self._connection.execute(text(sql), params)
            except Exception as error:
                # Whatever the cause, the locks on this connection can no longer be trusted.
                raise CoordinationLost(
                    f"lost the coordination connection to the database: {error}"
                ) from error
            if not result.returns_rows:
                return ()
            row = result.first()
            return tuple(row) if row is not None else ()


__all__ = ["Coordination", "CoordinationLost", "DatabaseUnavailable"]

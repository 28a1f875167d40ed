"""Long polling into the inbox: updates are committed before Telegram is told we have them.

Telegram drops updates below the ``offset`` of the next ``getUpdates`` call, so the offset only
moves past updates that are already committed to the inbox. A crash before the commit means
Telegram delivers the same updates again; the inbox ignores duplicates by update id.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from telegram.error import Conflict, InvalidToken, NetworkError, RetryAfter

from bot.api import BotApi
from bot.mapping import ALLOWED_UPDATES, CHANNEL, chat_key
from bot.sender import backoff, retry_seconds
from bot.waiting import wait_any
from storage.database import Database, DatabaseUnavailable
from storage.queues import NewUpdate

log = logging.getLogger(__name__)

OFFSET_KEY = "telegram_offset"


class Poller:
    """Fetches updates and stores them durably; ``on_stored`` wakes the worker."""

    def __init__(
        self,
        database: Database,
        api: BotApi,
        *,
        on_stored: Callable[[], None] = lambda: None,
        utcnow: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.database = database
        self.api = api
        self.on_stored = on_stored
        self.utcnow = utcnow

    async def run(self, stop: asyncio.Event) -> None:
        """Poll until ``stop`` is set. Raises InvalidToken if Telegram rejects the token."""
        offset = await self._initial_offset()
        failures = 0
        while not stop.is_set():
            poll = asyncio.create_task(self.api.get_updates(offset, ALLOWED_UPDATES))
            stopped = asyncio.create_task(stop.wait())
            done, _ = await asyncio.wait({poll, stopped}, return_when=asyncio.FIRST_COMPLETED)
            stopped.cancel()
            if poll not in done:
                # Unconfirmed updates are simply delivered again after a restart.
                poll.cancel()
                return
            try:
                updates = poll.result()
                if updates:
                    await self._store(updates)
                    offset = max(int(u["update_id"]) for u in updates) + 1
                    self.on_stored()
                failures = 0
            except InvalidToken:
                raise
            except (Conflict, NetworkError, RetryAfter, DatabaseUnavailable) as error:
                failures += 1
                delay = backoff(failures)
                if isinstance(error, RetryAfter):
                    delay = retry_seconds(error.retry_after)
                log.warning(
                    "polling failed; retrying",
                    extra={
                        "error": f"{type(error).__name__}: {error}"[:300],
                        "retry_in": round(delay, 2),
                    },
                )
                await wait_any(stop, seconds=delay)

    async def _initial_offset(self) -> int | None:
        async with self.database.read() as uow:
            stored = await uow.meta.get(OFFSET_KEY)
            highest = await uow.inbox.max_update_id(CHANNEL)
        candidates = [int(stored)] if stored else []
        if highest is not None:
            candidates.append(highest + 1)
        return max(candidates) if candidates else None

    async def _store(self, updates: list[dict[str, Any]]) -> None:
        rows = [NewUpdate(int(u["update_id"]), chat_key(u), u) for u in updates]
        async with self.database.write() as uow:
            new = await uow.inbox.add_many(CHANNEL, rows, self.utcnow())
            await uow.meta.set(OFFSET_KEY, str(max(r.update_id for r in rows) + 1))
        if new < len(rows):
            log.info("duplicate updates ignored", extra={"duplicates": len(rows) - new})

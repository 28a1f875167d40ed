"""Handle stored updates and due timers: inbox → dialogue service → outbox, one transaction.

A batch of pending inbox rows is handled in one transaction (group commit, the throughput
lever on SQLite): for each row, in order, the engine runs, its records are stored, its replies
are queued and the row is marked done. If anything in the batch fails, the batch is rolled
back and its rows are handled one by one, so a single bad update cannot hold up others; a row
that keeps failing is set aside as ``failed`` (its payload kept) and the customer is told.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, datetime

from app.dialogues import DialogueService, Handled, Inbound
from bot.mapping import (
    CHANNEL,
    CustomerMessage,
    GroupActivity,
    Ignored,
    UnreadableUpdate,
    route,
)
from bot.render import Call, render, text_calls
from bot.waiting import wait_any
from storage.database import Database, DatabaseUnavailable
from storage.queues import InboxItem
from storage.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)

BATCH_SIZE = 200

GROUP_POINTER = (
    "Hallo! Gespräche führe ich nur im privaten Chat: {link}\n"
    "Hi! I only hold conversations in a private chat: {link}"
)
APOLOGY = (
    "Entschuldigung – bei Ihrer letzten Nachricht ist bei mir etwas schiefgegangen. Sie ist "
    "gespeichert, und unser Team sieht sich das an.\n"
    "Sorry – something went wrong with your last message. It is kept, and our team will look "
    "into it."
)


class Worker:
    """Turns inbox rows and due timers into stored records and queued replies."""

    def __init__(
        self,
        database: Database,
        service: DialogueService,
        *,
        bot_username: str | None,
        on_enqueued: Callable[[], None] = lambda: None,
        utcnow: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.database = database
        self.service = service
        self.bot_username = bot_username
        self.on_enqueued = on_enqueued
        self.utcnow = utcnow
        self._wake = asyncio.Event()

    def wake(self) -> None:
        """New inbox rows are committed: handle them now."""
        self._wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        """Handle updates and timers until ``stop`` is set (the current batch is finished)."""
        while not stop.is_set():
            self._wake.clear()
            try:
                handled = await self.handle_pending()
                await self.fire_timers()
                wait = 0.0 if handled >= BATCH_SIZE else await self._until_next_timer()
            except DatabaseUnavailable as error:
                log.error("database unavailable; retrying", extra={"error": str(error)})
                wait = 2.0
            if wait > 0:
                await wait_any(stop, self._wake, seconds=wait)

    async def handle_pending(self) -> int:
        """Handle one batch of pending inbox rows; return how many were taken."""
        async with self.database.read() as uow:
            items = await uow.inbox.pending(BATCH_SIZE)
        if not items:
            return 0
        try:
            async with self.database.write() as uow:
                for item in items:
                    await self._handle(uow, item)
        except DatabaseUnavailable:
            raise
        except Exception:
            log.warning("batch failed; handling its updates one by one", extra={"size": len(items)})
            for item in items:
                await self._handle_alone(item)
        self.on_enqueued()
        return len(items)

    async def _handle_alone(self, item: InboxItem) -> None:
        try:
            async with self.database.write() as uow:
                await self._handle(uow, item)
        except DatabaseUnavailable:
            raise
        except Exception as error:
            log.exception(
                "update could not be handled",
                extra={"update_id": item.update_id, "error_type": type(error).__name__},
            )
            async with self.database.write() as uow:
                set_aside = await uow.inbox.mark_attempt_failed(
                    item.id, f"{type(error).__name__}: {error}", self.utcnow()
                )
                if set_aside and item.chat_key and not item.chat_key.startswith("-"):
                    await self._enqueue(uow, item.chat_key, text_calls(item.chat_key, APOLOGY))

    async def _handle(self, uow: UnitOfWork, item: InboxItem) -> None:
        now = self.utcnow()
        try:
            routed = route(item.payload)
        except UnreadableUpdate as error:
            log.error("unreadable update set aside", extra={"update_id": item.update_id})
            await uow.inbox.set_aside(item.id, str(error), now)
            return
        if isinstance(routed, CustomerMessage):
            handled = await self.service.handle(
                uow, Inbound(routed.identity, routed.event, routed.language_hint)
            )
            await self._enqueue_handled(uow, handled, render(handled, routed.pressed))
            log.info(
                "update handled",
                extra={
                    "update_id": item.update_id,
                    "kind": type(routed.event).__name__,
                    "participant_id": handled.participant_id,
                    "dialogue_id": handled.dialogue_id,
                },
            )
        elif isinstance(routed, GroupActivity):
            await self._point_group_to_private_chat(uow, routed)
        else:
            assert isinstance(routed, Ignored)
            log.debug(
                "update ignored", extra={"update_id": item.update_id, "reason": routed.reason}
            )
        await uow.inbox.mark_done(item.id, now)

    async def fire_timers(self) -> int:
        """Run the engine for dialogues whose timers are due (answer settled, reminder)."""
        async with self.database.read() as uow:
            due = await uow.dialogues.due(self.utcnow(), limit=BATCH_SIZE)
        for dialogue_id, _participant in due:
            async with self.database.write() as uow:
                handled = await self.service.tick(uow, dialogue_id)
                if handled is None:
                    continue
                await self._enqueue_handled(uow, handled, render(handled))
        if due:
            self.on_enqueued()
        return len(due)

    async def _until_next_timer(self) -> float:
        async with self.database.read() as uow:
            next_due = await uow.dialogues.next_due_at()
        if next_due is None:
            return 5.0
        return max(0.0, min(5.0, (next_due - self.utcnow()).total_seconds()))

    async def _enqueue_handled(self, uow: UnitOfWork, handled: Handled, calls: list[Call]) -> None:
        await self._enqueue(
            uow,
            handled.identity.chat_id,
            calls,
            participant_id=handled.participant_id,
            dialogue_id=handled.dialogue_id,
            entries=handled.reply_entries,
        )

    async def _enqueue(
        self,
        uow: UnitOfWork,
        chat_id: str,
        calls: list[Call],
        *,
        participant_id: str | None = None,
        dialogue_id: str | None = None,
        entries: dict[int, int] | None = None,
    ) -> None:
        now = self.utcnow()
        for call in calls:
            entry_id = (
                (entries or {}).get(call.output_index) if call.output_index is not None else None
            )
            await uow.outbox.enqueue(
                channel=CHANNEL,
                chat_id=chat_id,
                method=call.method,
                payload=call.params,
                now=now,
                participant_id=participant_id,
                dialogue_id=dialogue_id,
                entry_id=entry_id,
            )

    async def _point_group_to_private_chat(self, uow: UnitOfWork, group: GroupActivity) -> None:
        key = f"pointer:{group.chat_id}"
        if await uow.meta.get(key) is not None:
            return  # one pointer per group, then silence
        await uow.meta.set(key, self.utcnow().isoformat())
        link = f"https://t.me/{self.bot_username}" if self.bot_username else "t.me"
        calls = text_calls(group.chat_id, GROUP_POINTER.format(link=link))
        await self._enqueue(uow, group.chat_id, calls)
        log.info("group pointed to the private chat", extra={"chat_type": group.chat_type})

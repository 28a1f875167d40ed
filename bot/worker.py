"""Handle stored updates and due timers: inbox → dialogue service → outbox, one transaction.

A batch of pending inbox rows is handled in one transaction (group commit, the throughput
lever on SQLite): for each row, in order, the engine runs, its records are stored, its replies
are queued and the row is marked done. If anything in the batch fails, the batch is rolled
back and its rows are handled one by one, so a single bad update cannot hold up others; a row
that keeps failing is set aside as ``failed`` (its payload kept) and the customer is told.

On PostgreSQL several workers share the inbox: a batch takes a transaction-level lock on each
of its chats (``InboxRepository.claim_pending``), so one chat's updates are handled by one
worker at a time, strictly in order, and each exactly once. Timers, reminders and digest
publication run only on the leader (``is_leader``), under the same chat locks.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, datetime

from bot.mapping import (
    CHANNEL,
    CustomerMessage,
    GroupActivity,
    Ignored,
    UnreadableUpdate,
    route,
)
from bot.publish import Publisher
from bot.render import Call, render, text_calls
from bot.staff import StaffDesk
from bot.waiting import wait_any
from needfinder.app.dialogues import DialogueService, Handled, Inbound
from storage.database import Database, DatabaseUnavailable
from storage.queues import InboxItem, handling_key
from storage.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)

BATCH_SIZE = 200
TIMER_CHECK_SECONDS = 0.25
#: Chats one batch takes on PostgreSQL: a backlog is shared out among the workers.
CHATS_PER_CLAIM = 25
#: How long an idle worker waits before looking at the inbox again without being woken (it is
#: woken by updates it stores itself; others' updates it finds after this long at the latest).
IDLE_SECONDS = 1.0

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
        staff: StaffDesk | None = None,
        publisher: Publisher | None = None,
        on_enqueued: Callable[[], None] = lambda: None,
        utcnow: Callable[[], datetime] = lambda: datetime.now(UTC),
        is_leader: Callable[[], bool] = lambda: True,
    ) -> None:
        self.database = database
        self.is_leader = is_leader
        self.service = service
        self.bot_username = bot_username
        self.staff = staff
        self.publisher = publisher
        self.on_enqueued = on_enqueued
        self.utcnow = utcnow
        self._wake = asyncio.Event()

    def wake(self) -> None:
        """New inbox rows are committed: handle them now."""
        self._wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        """Handle updates and timers until ``stop`` is set (the current batch is finished)."""
        loop = asyncio.get_running_loop()
        timers_checked = 0.0
        while not stop.is_set():
            self._wake.clear()
            try:
                handled = await self.handle_pending()
                wait = 0.0
                # Under full load, timers are looked at a few times a second, not per batch.
                if handled < BATCH_SIZE or loop.time() - timers_checked > TIMER_CHECK_SECONDS:
                    leader = self.is_leader()
                    if leader:
                        await self.fire_timers()
                        await self.publish_digests()
                    timers_checked = loop.time()
                    if handled < BATCH_SIZE:
                        wait = await self._idle_wait(leader, handled)
            except DatabaseUnavailable as error:
                log.error("database unavailable; retrying", extra={"error": str(error)})
                wait = 2.0
            if wait > 0:
                await wait_any(stop, self._wake, seconds=wait)

    async def handle_pending(self) -> int:
        """Handle one batch of pending inbox rows; return how many were taken."""
        if self.database.is_sqlite:
            # One bot and one writer: a cheap read first keeps an idle bot from writing.
            async with self.database.read() as uow:
                items = await uow.inbox.pending(BATCH_SIZE)
            if not items:
                return 0
        else:
            items = []
        try:
            async with self.database.write() as uow:
                if not self.database.is_sqlite:
                    # The chats' locks are held until this transaction ends.
                    items = await uow.inbox.claim_pending(BATCH_SIZE, chats=CHATS_PER_CLAIM)
                    if not items:
                        return 0
                replies = Replies()
                for item in items:
                    await self._handle(uow, item, replies)
                # The batch commits now: that is when its replies are durably queued.
                await replies.flush(uow, self.utcnow())
                await uow.inbox.mark_all_done([item.id for item in items], self.utcnow())
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
                if not await self._still_ours(uow, item):
                    return
                replies = Replies()
                await self._handle(uow, item, replies)
                await replies.flush(uow, self.utcnow())
                await uow.inbox.mark_all_done([item.id], self.utcnow())
        except DatabaseUnavailable:
            raise
        except Exception as error:
            log.exception(
                "update could not be handled",
                extra={"update_id": item.update_id, "error_type": type(error).__name__},
            )
            async with self.database.write() as uow:
                if not await self._still_ours(uow, item):
                    return
                set_aside = await uow.inbox.mark_attempt_failed(
                    item.id, f"{type(error).__name__}: {error}", self.utcnow()
                )
                if set_aside and item.chat_key and not item.chat_key.startswith("-"):
                    replies = Replies()
                    replies.add(item.chat_key, text_calls(item.chat_key, APOLOGY))
                    await replies.flush(uow, self.utcnow())

    async def _still_ours(self, uow: UnitOfWork, item: InboxItem) -> bool:
        """Lock the item's chat again (a new transaction) and check it is still pending."""
        if self.database.is_sqlite:
            return True
        if not await uow.inbox.lock_chats([handling_key(item)]):
            return False  # another worker has the chat now, and with it this row
        return await uow.inbox.is_pending(item.id)

    async def _handle(self, uow: UnitOfWork, item: InboxItem, replies: Replies) -> None:
        now = self.utcnow()
        try:
            routed = route(item.payload)
        except UnreadableUpdate as error:
            log.error("unreadable update set aside", extra={"update_id": item.update_id})
            await uow.inbox.set_aside(item.id, str(error), now)
            return
        if isinstance(routed, CustomerMessage):
            answers = await self.staff.private_command(uow, routed, now) if self.staff else None
            if answers is not None:
                for chat_id, calls in answers:
                    replies.add(chat_id, calls)
                return
            handled = await self.service.handle(
                uow, Inbound(routed.identity, routed.event, routed.language_hint)
            )
            replies.add_handled(handled, render(handled, routed.pressed))
            if handled.finished_now and self.staff is not None:
                note = await self.staff.finished_note(uow, handled)
                if note is not None:
                    replies.add(*note)
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
            if self.staff is not None and self.staff.is_staff_chat(routed.chat_id):
                for chat_id, calls in await self.staff.group_activity(uow, routed, now):
                    replies.add(chat_id, calls)
            else:
                await self._point_group_to_private_chat(uow, routed, replies)
        else:
            assert isinstance(routed, Ignored)
            log.debug(
                "update ignored", extra={"update_id": item.update_id, "reason": routed.reason}
            )

    async def fire_timers(self) -> int:
        """Run the engine for dialogues whose timers are due (answer settled, reminder)."""
        async with self.database.read() as uow:
            due = await uow.dialogues.due(self.utcnow(), limit=BATCH_SIZE)
        for dialogue_id, participant in due:
            async with self.database.write() as uow:
                if not self.database.is_sqlite and not await self._lock_participant_chats(
                    uow, participant
                ):
                    continue  # a worker handles this customer's update now; next round
                handled = await self.service.tick(uow, dialogue_id)
                if handled is None:
                    continue
                replies = Replies()
                replies.add_handled(handled, render(handled))
                await replies.flush(uow, self.utcnow())
        if due:
            self.on_enqueued()
        return len(due)

    async def _lock_participant_chats(self, uow: UnitOfWork, participant_id: str) -> bool:
        """Take the handling locks of a participant's chats (the tick reads fresh state)."""
        chats = [i.chat_id for i in await uow.participants.identities(participant_id)]
        return len(await uow.inbox.lock_chats(chats)) == len(chats)

    async def publish_digests(self) -> int:
        """Queue the digests that staff asked to publish."""
        if self.publisher is None:
            return 0
        async with self.database.read() as uow:
            if not await uow.digests.with_status("publishing"):
                return 0
        async with self.database.write() as uow:
            replies = Replies()
            published = await self.publisher.publish_requested(uow, replies, self.utcnow())
            await replies.flush(uow, self.utcnow())
        if published:
            self.on_enqueued()
        return published

    async def _idle_wait(self, leader: bool, handled: int) -> float:
        if self.database.is_sqlite:
            return await self._until_next_timer()
        if handled:
            # Rows of a chat that was locked while this batch ran are now ours to take.
            return 0.0
        return min(IDLE_SECONDS, await self._until_next_timer()) if leader else IDLE_SECONDS

    async def _until_next_timer(self) -> float:
        async with self.database.read() as uow:
            next_due = await uow.dialogues.next_due_at()
        if next_due is None:
            return 5.0
        return max(0.0, min(5.0, (next_due - self.utcnow()).total_seconds()))

    async def _point_group_to_private_chat(
        self, uow: UnitOfWork, group: GroupActivity, replies: Replies
    ) -> None:
        key = f"pointer:{group.chat_id}"
        if await uow.meta.get(key) is not None:
            return  # one pointer per group, then silence
        await uow.meta.set(key, self.utcnow().isoformat())
        link = f"https://t.me/{self.bot_username}" if self.bot_username else "t.me"
        replies.add(group.chat_id, text_calls(group.chat_id, GROUP_POINTER.format(link=link)))
        log.info("group pointed to the private chat", extra={"chat_type": group.chat_type})


class Replies:
    """Replies of one transaction, written to the outbox in one statement when it ends."""

    def __init__(self) -> None:
        self.rows: list[dict[str, object]] = []

    def add(
        self,
        chat_id: str,
        calls: list[Call],
        *,
        participant_id: str | None = None,
        dialogue_id: str | None = None,
        entries: dict[int, int] | None = None,
    ) -> None:
        """Queue calls to one chat; ``entries`` links a reply to its transcript entry."""
        entries = entries or {}
        for call in calls:
            self.rows.append(
                {
                    "channel": CHANNEL,
                    "chat_id": chat_id,
                    "method": call.method,
                    "payload": call.params,
                    "participant_id": participant_id,
                    "dialogue_id": dialogue_id,
                    "entry_id": entries.get(call.output_index)
                    if call.output_index is not None
                    else None,
                }
            )

    def add_handled(self, handled: Handled, calls: list[Call]) -> None:
        """Queue what the dialogue service produced for one event."""
        chat_id = handled.identity.chat_id
        if handled.erased:
            # Replies to this person queued earlier in the batch go with everything else.
            self.rows = [row for row in self.rows if row["chat_id"] != chat_id]
        self.add(
            chat_id,
            calls,
            participant_id=handled.participant_id,
            dialogue_id=handled.dialogue_id,
            entries=handled.reply_entries,
        )

    async def flush(self, uow: UnitOfWork, now: datetime) -> None:
        """Write the queued rows (in order) to the outbox."""
        await uow.outbox.enqueue_many(self.rows, now)
        self.rows = []

"""Drain the outbox to Telegram within its limits; every outcome is recorded durably.

One task per chat sends that chat's messages strictly in order; chats run side by side. A
message is marked sent (with Telegram's message id) in the database before the chat's next
message goes out, so a crash can repeat at most the one message in flight.

With several workers on PostgreSQL (``coordination``), a worker sends to a chat only while it
holds that chat's send claim (a session advisory lock), reads the chat's messages after taking
it, and takes every overall send slot from the pace row all workers share.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
)

from bot.api import BotApi
from bot.limits import SendLimits
from bot.waiting import wait_any
from storage.coordination import Coordination
from storage.database import Database, DatabaseUnavailable
from storage.queues import OutboxItem

log = logging.getLogger(__name__)

#: Calls that put a new message into a chat count against the chat's limit …
CHAT_LIMITED = frozenset({"sendMessage", "sendDocument"})
#: … and these, edits included, against the overall rate.
RATE_LIMITED = CHAT_LIMITED | {"editMessageText", "editMessageReplyMarkup"}
#: Harmless 400s: the edit was already applied, or the thing to answer/edit is gone.
_HARMLESS = ("message is not modified",)
_STALE = (
    "query is too old",
    "message to edit not found",
    "message can't be edited",
    "query id is invalid",
    "message to delete not found",
)
MAX_BACKOFF_SECONDS = 60.0
#: With other workers: how far back a chat's sends are read when a worker takes the chat.
CHAT_MEMORY = timedelta(seconds=5)
#: With other workers: how soon to look again at chats that another worker was sending to.
CONTENDED_SECONDS = 0.1


@dataclass(frozen=True)
class Outcome:
    """What happened to one outbox row."""

    kind: Literal["sent", "retry", "blocked", "failed"]
    message_id: int | None = None
    retry_after: float = 0.0
    rate_limited: bool = False
    error: str = ""


class Sender:
    """Sends queued messages; ``wake()`` after enqueueing makes it look at once."""

    def __init__(
        self,
        database: Database,
        api: BotApi,
        limits: SendLimits | None = None,
        *,
        utcnow: Callable[[], datetime] = lambda: datetime.now(UTC),
        give_up_after: timedelta = timedelta(hours=24),
        coordination: Coordination | None = None,
    ) -> None:
        self.database = database
        self.coordination = coordination
        self.api = api
        self.limits = limits or SendLimits()
        self.utcnow = utcnow
        self.give_up_after = give_up_after
        self.writer = OutcomeWriter(database, utcnow)
        self._wake = asyncio.Event()
        self._stop = asyncio.Event()
        self._active: dict[str, asyncio.Task[None]] = {}
        self._skipped: set[str] = set()
        self._failure: BaseException | None = None
        # More chats at once than can be sent to only queue up behind the overall rate.
        self.max_active = max(8, int(self.limits.per_second * 2))

    def wake(self) -> None:
        """Look for due messages now."""
        self._wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        """Send until ``stop`` is set; then finish the calls in flight and record them.

        Raises if an outcome cannot be recorded: sending on without a record could repeat
        messages after a restart, so the bot stops instead.
        """
        self._stop = stop
        writer = asyncio.create_task(self.writer.run())
        try:
            while not stop.is_set():
                if self._failure is not None:
                    raise self._failure
                self._wake.clear()
                wait = await self._dispatch()
                await wait_any(stop, self._wake, seconds=wait)
        finally:
            stop.set()
            if self._active:
                await asyncio.gather(*self._active.values(), return_exceptions=True)
            await self.writer.close()
            await writer

    async def _dispatch(self) -> float:
        """Start a task for every idle chat with due messages; return how long to sleep."""
        now = self.utcnow()
        # A chat busy now may finish while we read; what we read of it could be stale, so it
        # is left to its own task (which reads its chat again before it ends).
        busy = set(self._active)
        free = self.max_active - len(busy)
        if free <= 0:
            return 1.0  # a finishing chat wakes us
        if self.coordination is not None:
            return await self._dispatch_shared(now, busy, free)
        try:
            async with self.database.read() as uow:
                chats = await uow.outbox.due_chats(now, limit=len(busy) + free)
                for chat_id in chats:
                    if chat_id in busy:
                        self._skipped.add(chat_id)
                idle = [c for c in chats if c not in busy][:free]
                # One query for every chat started now; a chat's task then only sends.
                items = await uow.outbox.due_for_chats(idle, now) if idle else {}
                next_due = await uow.outbox.next_due_at()
        except DatabaseUnavailable as error:
            log.error("outbox unavailable", extra={"error": str(error)})
            return 5.0
        self._start(items)
        self.limits.forget_idle(asyncio.get_running_loop().time())
        if next_due is None:
            return 5.0
        return max(0.0, min(5.0, (next_due - now).total_seconds()))

    async def _dispatch_shared(self, now: datetime, busy: set[str], free: int) -> float:
        """:meth:`_dispatch` with other workers: claim chats first, then read their messages."""
        assert self.coordination is not None
        try:
            async with self.database.read() as uow:
                chats = await uow.outbox.due_chats(now, limit=len(busy) + free)
            idle = [c for c in chats if c not in busy][:free]
            claimed = await self.coordination.claim_chats(idle)
            # Read after claiming: what another worker sent before we claimed is marked sent.
            async with self.database.read() as uow:
                items = await uow.outbox.due_for_chats(claimed, now) if claimed else {}
                next_due = await uow.outbox.next_due_at()
                started = [c for c in claimed if items.get(c)]
                recent = await uow.outbox.recent_sends(started, now - CHAT_MEMORY)
        except DatabaseUnavailable as error:
            log.error("outbox unavailable", extra={"error": str(error)})
            return 5.0
        for chat_id in claimed:
            if not items.get(chat_id):
                await self.coordination.release_chat(chat_id)
        self._remember(recent, now)
        self._start(items)
        self.limits.forget_idle(asyncio.get_running_loop().time())
        if len(claimed) < len(idle):
            # Other workers send to those chats; look again soon rather than spin.
            return CONTENDED_SECONDS
        if not any(items.values()) and busy:
            # Everything due belongs to chats this worker sends to already: each of them
            # wakes the sender when it finishes, and new replies wake it too. (Looking again
            # at once would only spin on PostgreSQL round trips.)
            return 1.0
        if next_due is None:
            return 5.0
        return max(0.0, min(5.0, (next_due - now).total_seconds()))

    def _remember(self, recent: dict[str, list[datetime]], now: datetime) -> None:
        """Charge each chat's bucket with its recent sends, whichever worker made them, so
        the per-chat limit holds when a chat moves between workers."""
        loop_now = asyncio.get_running_loop().time()
        for chat_id, times in recent.items():
            if not times:
                continue
            shared = self.limits.new_bucket(chat_id)
            for sent_at in times:
                shared.take(loop_now - (now - sent_at).total_seconds())
            local = self.limits.chats.get(chat_id)
            if local is None or local.ready_at(loop_now) < shared.ready_at(loop_now):
                self.limits.chats[chat_id] = shared

    def _start(self, items: dict[str, list[OutboxItem]]) -> None:
        for chat_id, chat_items in items.items():
            if chat_items and chat_id not in self._active:
                task = asyncio.create_task(self._send_chat(chat_id, chat_items))
                self._active[chat_id] = task
                task.add_done_callback(functools.partial(self._finished, chat_id))

    def _finished(self, chat_id: str, task: asyncio.Task[None]) -> None:
        self._active.pop(chat_id, None)
        self._skipped.discard(chat_id)
        if not task.cancelled() and task.exception() is not None:
            self._failure = task.exception()
        # The chat may have more, or others wait for a slot: look again (wakes coalesce).
        self._wake.set()

    async def _send_chat(self, chat_id: str, items: list[OutboxItem]) -> None:
        """Send one chat's due messages in order, stopping at one that must wait."""
        try:
            await self._send_chat_items(chat_id, items)
        finally:
            if self.coordination is not None:
                # Every outcome is committed by now, so the next claimant reads them.
                await self.coordination.release_chat(chat_id)

    async def _send_chat_items(self, chat_id: str, items: list[OutboxItem]) -> None:
        loop = asyncio.get_running_loop()
        bucket = self.limits.chat(chat_id)
        for item in items:
            if item.method in CHAT_LIMITED and not await self._pause_until(
                bucket.ready_at(loop.time())
            ):
                return
            if item.method in RATE_LIMITED and not await self._pause_until(
                await self._overall_slot(loop.time())
            ):
                return
            if item.method in CHAT_LIMITED:
                bucket.take(loop.time())
            outcome = await self.attempt(item)
            if outcome.kind == "retry":
                outcome = self._retry_or_give_up(item, outcome)
                if outcome.rate_limited:
                    bucket.hold(loop.time() + outcome.retry_after)
            await self.writer.record(item, outcome)
            if outcome.kind in {"retry", "blocked"}:
                return  # the rest of this chat waits, so its order is kept

    async def _overall_slot(self, now: float) -> float:
        """Reserve the next overall send slot (shared by all workers when coordinated)."""
        if self.coordination is None:
            return self.limits.overall.reserve(now)
        return now + await self.coordination.reserve_send_slot(1.0 / self.limits.per_second)

    async def _pause_until(self, when: float) -> bool:
        """Wait until ``when`` (event-loop time); False if the sender stops meanwhile."""
        delay = when - asyncio.get_running_loop().time()
        if delay > 0:
            await wait_any(self._stop, seconds=delay)
        return not self._stop.is_set()

    def _retry_or_give_up(self, item: OutboxItem, outcome: Outcome) -> Outcome:
        if self.utcnow() - item.created_at > self.give_up_after:
            return Outcome("failed", error=f"gave up after {self.give_up_after}: {outcome.error}")
        return outcome

    async def attempt(self, item: OutboxItem) -> Outcome:
        """Make one Bot API call for ``item`` and classify the result."""
        try:
            result = await self.api.call(item.method, item.payload)
        except RetryAfter as error:
            seconds = retry_seconds(error.retry_after)
            return Outcome("retry", retry_after=seconds, rate_limited=True, error="429")
        except Forbidden as error:
            return Outcome("blocked", error=f"403 {error.message}")
        except ChatMigrated as error:
            return Outcome("failed", error=f"chat migrated to {error.new_chat_id}")
        except BadRequest as error:
            text = error.message.lower()
            if any(sign in text for sign in _HARMLESS):
                return Outcome("sent")
            if "chat not found" in text:
                return Outcome("blocked", error=f"400 {error.message}")
            quiet = any(sign in text for sign in _STALE)
            (log.debug if quiet else log.error)(
                "telegram refused a call",
                extra={"outbox_id": item.id, "method": item.method, "error": error.message},
            )
            return Outcome("failed", error=f"400 {error.message}")
        except InvalidToken as error:
            log.error("telegram rejected the bot token", extra={"outbox_id": item.id})
            return Outcome("retry", retry_after=MAX_BACKOFF_SECONDS, error=str(error))
        except NetworkError as error:  # includes timeouts and 5xx answers
            return Outcome("retry", retry_after=backoff(item.attempts), error=_describe(error))
        except TelegramError as error:
            return Outcome("failed", error=_describe(error))
        message_id = result.get("message_id") if isinstance(result, dict) else None
        return Outcome("sent", message_id=message_id)


def backoff(attempts: int) -> float:
    """Seconds to wait after ``attempts`` earlier failures: exponential, capped, jittered."""
    base = min(MAX_BACKOFF_SECONDS, 0.5 * 2**attempts)
    return base * (0.75 + random.random() / 2)


def retry_seconds(value: Any) -> float:
    """Return Telegram's retry_after (int or timedelta, by PTB setting) in seconds, ≥ 1."""
    if isinstance(value, timedelta):
        return max(1.0, value.total_seconds())
    return max(1.0, float(value))


def _describe(error: TelegramError) -> str:
    return f"{type(error).__name__}: {error.message}"[:300]


class OutcomeWriter:
    """Records outcomes; outcomes arriving together share one transaction (group commit)."""

    def __init__(self, database: Database, utcnow: Callable[[], datetime]) -> None:
        self.database = database
        self.utcnow = utcnow
        self._queue: list[tuple[OutboxItem, Outcome, asyncio.Future[None]]] = []
        self._ready = asyncio.Event()
        self._closing = False
        self._broken: BaseException | None = None

    async def record(self, item: OutboxItem, outcome: Outcome) -> None:
        """Store an outcome; returns once it is committed."""
        if self._broken is not None:
            raise self._broken
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._queue.append((item, outcome, done))
        self._ready.set()
        await done

    async def close(self) -> None:
        """Write what is queued, then stop."""
        self._closing = True
        self._ready.set()

    async def run(self) -> None:
        """Write batches until closed and empty."""
        while True:
            await self._ready.wait()
            self._ready.clear()
            while self._queue:
                batch, self._queue = self._queue, []
                try:
                    await self._write(batch)
                except DatabaseUnavailable as error:
                    log.error("cannot record send outcomes", extra={"error": str(error)})
                    self._queue = batch + self._queue
                    await asyncio.sleep(1.0)
                    continue
                except Exception as error:
                    # Never die silently: every waiting sender learns of it and stops.
                    log.exception("recording send outcomes failed")
                    self._broken = error
                    for _item, _outcome, done in batch + self._queue:
                        if not done.done():
                            done.set_exception(error)
                    self._queue = []
                    return
                for _item, _outcome, done in batch:
                    if not done.done():
                        done.set_result(None)
            if self._closing and not self._queue:
                return

    async def _write(self, batch: list[tuple[OutboxItem, Outcome, asyncio.Future[None]]]) -> None:
        now = self.utcnow()
        async with self.database.write() as uow:
            for item, outcome, _done in batch:
                if outcome.kind == "sent" and item.participant_id is None:
                    # Nobody to link it to (erasure confirmations, group pointers): keep nothing.
                    await uow.outbox.delete(item.id)
                elif outcome.kind == "sent":
                    await uow.outbox.mark_sent(item.id, outcome.message_id, now)
                    if item.entry_id is not None and outcome.message_id is not None:
                        await uow.transcripts.set_ref(item.entry_id, str(outcome.message_id))
                elif outcome.kind == "retry":
                    until = now + timedelta(seconds=outcome.retry_after)
                    await uow.outbox.retry_later(item.id, until, outcome.error)
                    await uow.outbox.defer_chat(item.chat_id, until)
                elif outcome.kind == "blocked":
                    await uow.outbox.give_up(item.id, "blocked", outcome.error)
                    await uow.outbox.give_up_chat(item.chat_id, "blocked", outcome.error)
                    participant = item.participant_id or await uow.participants.find_by_chat(
                        item.channel, item.chat_id
                    )
                    if participant is not None:
                        await uow.participants.mark_unreachable(participant, now)
                    log.info(
                        "chat unreachable",
                        extra={"outbox_id": item.id, "participant_id": participant},
                    )
                else:
                    await uow.outbox.give_up(item.id, "failed", outcome.error)
                    log.warning(
                        "message not delivered",
                        extra={"outbox_id": item.id, "method": item.method, "error": outcome.error},
                    )

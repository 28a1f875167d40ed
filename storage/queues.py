"""The inbox (received updates) and outbox (messages to send), and small operational facts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Row, and_, delete, func, or_, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.schema import inbox, meta, outbox

#: After this many failed attempts an inbox row is set aside as ``failed`` (and reported).
MAX_INBOX_ATTEMPTS = 5
#: Advisory-lock class (first key) of "this transaction handles this chat" on PostgreSQL.
#: The two-key form never collides with the one-key locks of ``MetaRepository.serialise``.
HANDLING_LOCK_CLASS = 7301


@dataclass(frozen=True)
class InboxItem:
    """A received update waiting to be handled."""

    id: int
    channel: str
    update_id: int
    chat_key: str | None
    payload: dict[str, Any]
    attempts: int


@dataclass(frozen=True)
class NewUpdate:
    """An update to store in the inbox."""

    update_id: int
    chat_key: str | None
    payload: dict[str, Any]


@dataclass(frozen=True)
class OutboxItem:
    """A message waiting to be sent."""

    id: int
    channel: str
    chat_id: str
    participant_id: str | None
    dialogue_id: str | None
    entry_id: int | None
    method: str
    payload: dict[str, Any]
    attempts: int
    created_at: datetime


class InboxRepository:
    """Durable record of received updates; a duplicate update id is ignored."""

    def __init__(self, connection: AsyncConnection) -> None:
        self.connection = connection

    async def add_many(self, channel: str, updates: Sequence[NewUpdate], now: datetime) -> int:
        """Store updates not seen before; return how many were new."""
        if not updates:
            return 0
        dialect = self.connection.dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        statement = (
            insert(inbox)
            .values(
                [
                    {
                        "channel": channel,
                        "update_id": u.update_id,
                        "chat_key": u.chat_key,
                        "received_at": now,
                        "payload": u.payload,
                        "status": "pending",
                        "attempts": 0,
                    }
                    for u in updates
                ]
            )
            .on_conflict_do_nothing(index_elements=["channel", "update_id"])
            .returning(inbox.c.id)
        )
        return len((await self.connection.execute(statement)).all())

    async def pending(self, limit: int = 100) -> list[InboxItem]:
        """Return unhandled updates, oldest first."""
        query = select(inbox).where(inbox.c.status == "pending").order_by(inbox.c.id).limit(limit)
        return [
            InboxItem(r.id, r.channel, r.update_id, r.chat_key, r.payload or {}, r.attempts)
            for r in await self.connection.execute(query)
        ]

    async def claim_pending(self, limit: int = 100, chats: int = 100) -> list[InboxItem]:
        """Return unhandled updates of chats that this transaction now holds, oldest first.

        SQLite has one bot (and one writer), so that is simply :meth:`pending`. On PostgreSQL
        several workers share the inbox: each chat among the oldest pending rows is taken with
        a transaction-level advisory lock (a chat another worker handles is skipped), and the
        chats' rows are read again *after* locking, so a row another worker committed as done
        just before is not handled twice, and a chat's rows come strictly in order. Call it
        inside a write transaction; the locks end with it.
        """
        if self.connection.dialect.name != "postgresql":
            return await self.pending(limit)
        window = await self.connection.execute(
            select(inbox.c.chat_key, inbox.c.update_id)
            .where(inbox.c.status == "pending")
            .order_by(inbox.c.id)
            .limit(limit * 4)
        )
        keys = list(dict.fromkeys(_handling_key(r.chat_key, r.update_id) for r in window))
        held = await self._lock_some(keys, chats)
        if not held:
            return []
        with_chat = [k for k in held if not k.startswith("u")]
        loose = [int(k[1:]) for k in held if k.startswith("u")]
        query = (
            select(inbox)
            .where(
                inbox.c.status == "pending",
                or_(
                    inbox.c.chat_key.in_(with_chat),
                    and_(inbox.c.chat_key.is_(None), inbox.c.update_id.in_(loose)),
                ),
            )
            .order_by(inbox.c.id)
            .limit(limit)
        )
        return [
            InboxItem(r.id, r.channel, r.update_id, r.chat_key, r.payload or {}, r.attempts)
            for r in await self.connection.execute(query)
        ]

    async def lock_chats(self, keys: Sequence[str]) -> list[str]:
        """Take the handling lock of each chat for this transaction; return those taken.

        Without waiting: a chat that another worker is handling is left to it. On SQLite
        (one bot, one writer) every chat is taken.
        """
        if self.connection.dialect.name != "postgresql" or not keys:
            return list(keys)
        columns = [
            func.pg_try_advisory_xact_lock(HANDLING_LOCK_CLASS, func.hashtext(key)).label(f"k{i}")
            for i, key in enumerate(keys)
        ]
        row = (await self.connection.execute(select(*columns))).one()
        return [key for key, taken in zip(keys, row, strict=True) if taken]

    async def _lock_some(self, keys: Sequence[str], most: int) -> list[str]:
        """Take the first ``most`` chats of ``keys`` that no other worker holds, in order.

        A batch takes only some chats, so that a backlog is spread over all workers instead
        of going to whichever asks first. The function scan feeds the filter row by row and
        the LIMIT stops it, so chats after the last one taken are not locked.
        """
        if not keys:
            return []
        rows = await self.connection.execute(
            text(
                "SELECT k FROM unnest(CAST(:keys AS text[])) WITH ORDINALITY AS t(k, n) "
                "WHERE pg_try_advisory_xact_lock(:cls, hashtext(k)) LIMIT :most"
            ),
            {"keys": list(keys), "cls": HANDLING_LOCK_CLASS, "most": most},
        )
        return [row.k for row in rows]

    async def is_pending(self, item_id: int) -> bool:
        """Whether a row still waits to be handled."""
        status = await self.connection.scalar(select(inbox.c.status).where(inbox.c.id == item_id))
        return status == "pending"

    async def mark_all_done(self, item_ids: Sequence[int], now: datetime) -> None:
        """Mark rows handled (and drop their payloads) in one statement."""
        if item_ids:
            await self.connection.execute(
                update(inbox)
                .where(inbox.c.id.in_(list(item_ids)), inbox.c.status == "pending")
                .values(status="done", payload=None, handled_at=now)
            )

    async def mark_attempt_failed(self, item_id: int, error: str, now: datetime) -> bool:
        """Count a failed attempt; return True when the row was set aside as ``failed``."""
        row = (
            await self.connection.execute(
                update(inbox)
                .where(inbox.c.id == item_id)
                .values(attempts=inbox.c.attempts + 1, error=error[:500])
                .returning(inbox.c.attempts)
            )
        ).first()
        if row is not None and row.attempts >= MAX_INBOX_ATTEMPTS:
            await self.connection.execute(
                update(inbox).where(inbox.c.id == item_id).values(status="failed", handled_at=now)
            )
            return True
        return False

    async def set_aside(self, item_id: int, error: str, now: datetime) -> None:
        """Mark a row ``failed`` at once, keeping its payload for the operator."""
        await self.connection.execute(
            update(inbox)
            .where(inbox.c.id == item_id)
            .values(status="failed", error=error[:500], handled_at=now)
        )

    async def counts(self) -> dict[str, int]:
        """Return the number of rows per status."""
        rows = await self.connection.execute(
            select(inbox.c.status, func.count()).group_by(inbox.c.status)
        )
        return {row[0]: int(row[1]) for row in rows}

    async def last_handled(self) -> tuple[int, datetime] | None:
        """Return the update id and time of the most recently handled update."""
        row = (
            await self.connection.execute(
                select(inbox.c.update_id, inbox.c.handled_at)
                .where(inbox.c.status == "done")
                .order_by(inbox.c.handled_at.desc(), inbox.c.id.desc())
                .limit(1)
            )
        ).first()
        return (int(row.update_id), row.handled_at) if row else None

    async def max_update_id(self, channel: str) -> int | None:
        """Return the highest update id ever stored for ``channel``."""
        value = await self.connection.scalar(
            select(func.max(inbox.c.update_id)).where(inbox.c.channel == channel)
        )
        return int(value) if value is not None else None

    async def prune_done(self, before: datetime) -> int:
        """Delete handled rows received before ``before`` (their ids no longer matter)."""
        result = await self.connection.execute(
            delete(inbox).where(inbox.c.status == "done", inbox.c.received_at < before)
        )
        return int(result.rowcount or 0)


class OutboxRepository:
    """Durable queue of messages to send."""

    def __init__(self, connection: AsyncConnection) -> None:
        self.connection = connection

    async def enqueue(
        self,
        *,
        channel: str,
        chat_id: str,
        method: str,
        payload: dict[str, Any],
        now: datetime,
        participant_id: str | None = None,
        dialogue_id: str | None = None,
        entry_id: int | None = None,
        not_before: datetime | None = None,
    ) -> int:
        """Queue one message; returns its id."""
        result = await self.connection.execute(
            outbox.insert()
            .values(
                channel=channel,
                chat_id=chat_id,
                participant_id=participant_id,
                dialogue_id=dialogue_id,
                entry_id=entry_id,
                method=method,
                payload=payload,
                status="pending",
                created_at=now,
                not_before=not_before or now,
                attempts=0,
            )
            .returning(outbox.c.id)
        )
        return int(result.scalar_one())

    async def enqueue_many(self, rows: Sequence[dict[str, Any]], now: datetime) -> None:
        """Queue several messages in one statement (each row: channel, chat_id, method,
        payload and optionally participant_id, dialogue_id, entry_id)."""
        if not rows:
            return
        await self.connection.execute(
            outbox.insert(),
            [
                {
                    "participant_id": None,
                    "dialogue_id": None,
                    "entry_id": None,
                    **row,
                    "status": "pending",
                    "created_at": now,
                    "not_before": now,
                    "attempts": 0,
                }
                for row in rows
            ],
        )

    async def due_chats(self, now: datetime, limit: int = 50) -> list[str]:
        """Return up to ``limit`` chats with due messages, the one waiting longest first.

        Walks the oldest pending rows in id order (an index range, no sorting of the whole
        backlog) and reads no payloads.
        """
        chats: dict[str, None] = {}
        window = max(200, limit * 10)
        rows = await self.connection.execute(
            select(outbox.c.chat_id)
            .where(outbox.c.status == "pending", outbox.c.not_before <= now)
            .order_by(outbox.c.id)
            .limit(window)
        )
        for row in rows:
            chats.setdefault(row.chat_id, None)
            if len(chats) >= limit:
                break
        return list(chats)

    async def due_for_chats(
        self, chat_ids: Sequence[str], now: datetime, per_chat: int = 20
    ) -> dict[str, list[OutboxItem]]:
        """Return each chat's due messages in order, stopping before one that must still wait
        (a later message never overtakes one that waits)."""
        ranked = (
            select(
                outbox,
                func.row_number()
                .over(partition_by=outbox.c.chat_id, order_by=outbox.c.id)
                .label("rank"),
            )
            .where(outbox.c.chat_id.in_(list(chat_ids)), outbox.c.status == "pending")
            .subquery()
        )
        rows = await self.connection.execute(
            select(ranked).where(ranked.c.rank <= per_chat).order_by(ranked.c.id)
        )
        found: dict[str, list[OutboxItem]] = {chat_id: [] for chat_id in chat_ids}
        waiting: set[str] = set()
        for row in rows:
            if row.chat_id in waiting:
                continue
            if row.not_before > now:
                waiting.add(row.chat_id)
                continue
            found[row.chat_id].append(_outbox_item(row))
        return found

    async def recent_sends(
        self, chat_ids: Sequence[str], since: datetime
    ) -> dict[str, list[datetime]]:
        """When each chat was last sent to (messages kept as sent since ``since``), oldest
        first: another worker may have sent to the chat just before this one took it."""
        found: dict[str, list[datetime]] = {chat_id: [] for chat_id in chat_ids}
        if not chat_ids:
            return found
        rows = await self.connection.execute(
            select(outbox.c.chat_id, outbox.c.sent_at)
            .where(
                outbox.c.chat_id.in_(list(chat_ids)),
                outbox.c.status == "sent",
                outbox.c.sent_at >= since,
            )
            .order_by(outbox.c.sent_at)
        )
        for row in rows:
            found[row.chat_id].append(row.sent_at)
        return found

    async def next_due_at(self) -> datetime | None:
        """Return when the next pending message becomes due."""
        value: datetime | None = await self.connection.scalar(
            select(func.min(outbox.c.not_before)).where(outbox.c.status == "pending")
        )
        return value

    async def mark_sent(self, item_id: int, message_id: int | None, now: datetime) -> None:
        """Mark a message sent, keep the channel's message id, drop the text."""
        await self.connection.execute(
            update(outbox)
            .where(outbox.c.id == item_id)
            .values(status="sent", sent_at=now, message_id=message_id, payload=None)
        )

    async def delete(self, item_id: int) -> None:
        """Remove a row entirely."""
        await self.connection.execute(delete(outbox).where(outbox.c.id == item_id))

    async def retry_later(self, item_id: int, not_before: datetime, error: str) -> None:
        """Count a failed attempt and try again at ``not_before``."""
        await self.connection.execute(
            update(outbox)
            .where(outbox.c.id == item_id)
            .values(attempts=outbox.c.attempts + 1, not_before=not_before, last_error=error[:500])
        )

    async def defer_chat(self, chat_id: str, until: datetime) -> None:
        """Hold back every pending message of a chat until ``until`` (keeps their order)."""
        await self.connection.execute(
            update(outbox)
            .where(
                outbox.c.chat_id == chat_id,
                outbox.c.status == "pending",
                outbox.c.not_before < until,
            )
            .values(not_before=until)
        )

    async def give_up(self, item_id: int, status: str, error: str) -> None:
        """Stop trying to send a message (``failed`` or ``blocked``); its text is dropped."""
        await self.connection.execute(
            update(outbox)
            .where(outbox.c.id == item_id)
            .values(status=status, last_error=error[:500], payload=None)
        )

    async def give_up_chat(self, chat_id: str, status: str, error: str) -> int:
        """Stop all pending messages to a chat (e.g. the customer blocked the bot)."""
        result = await self.connection.execute(
            update(outbox)
            .where(outbox.c.chat_id == chat_id, outbox.c.status == "pending")
            .values(status=status, last_error=error[:500], payload=None)
        )
        return int(result.rowcount or 0)

    async def counts(self) -> dict[str, int]:
        """Return the number of rows per status."""
        rows = await self.connection.execute(
            select(outbox.c.status, func.count()).group_by(outbox.c.status)
        )
        return {row[0]: int(row[1]) for row in rows}


def handling_key(item: InboxItem) -> str:
    """The key whose lock a worker holds while it handles ``item`` (its chat, if any)."""
    return _handling_key(item.chat_key, item.update_id)


def _handling_key(chat_key: str | None, update_id: int) -> str:
    # Updates without a chat need no order among themselves; each is its own key.
    return chat_key if chat_key is not None else f"u{update_id}"


def _outbox_item(row: Row[Any]) -> OutboxItem:
    return OutboxItem(
        row.id,
        row.channel,
        row.chat_id,
        row.participant_id,
        row.dialogue_id,
        row.entry_id,
        row.method,
        row.payload or {},
        row.attempts,
        row.created_at,
    )


#: Key in ``meta`` of the overall sending pace shared by all workers (PostgreSQL).
PACE_KEY = "send_pace"


class MetaRepository:
    """Small key/value facts about the installation."""

    def __init__(self, connection: AsyncConnection) -> None:
        self.connection = connection

    async def get(self, key: str) -> str | None:
        """Return the value stored under ``key``."""
        value = await self.connection.scalar(select(meta.c.value).where(meta.c.key == key))
        return str(value) if value is not None else None

    async def delete(self, key: str) -> None:
        """Remove ``key``."""
        await self.connection.execute(meta.delete().where(meta.c.key == key))

    async def serialise(self, name: str) -> None:
        """Let one transaction at a time past this point for ``name`` (until it ends).

        SQLite write transactions are serial anyway (BEGIN IMMEDIATE); PostgreSQL takes a
        transaction-scoped advisory lock, so read-then-write on a key cannot interleave.
        """
        if self.connection.dialect.name == "postgresql":
            await self.connection.execute(
                text("SELECT pg_advisory_xact_lock(hashtext(:name))"), {"name": name}
            )

    async def set(self, key: str, value: str) -> None:
        """Store ``value`` under ``key``."""
        dialect = self.connection.dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        statement = insert(meta).values(key=key, value=value)
        await self.connection.execute(
            statement.on_conflict_do_update(index_elements=["key"], set_={"value": value})
        )

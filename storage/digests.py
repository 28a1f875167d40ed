"""Digests (drafts, approval, publication), their deliveries, and who may receive or be quoted."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Row, and_, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.schema import (
    channel_identities,
    consent_events,
    dialogues,
    digest_deliveries,
    digests,
    imported_dialogues,
    participants,
)


@dataclass(frozen=True)
class StoredDigest:
    """A digest as stored: its content (themes, quotes, note) and where it is in its life."""

    id: str
    status: str
    content: dict[str, Any]
    created_at: datetime
    created_by: str
    updated_at: datetime
    since: datetime | None = None
    until: datetime | None = None
    script_id: str | None = None
    campaign: str | None = None
    approved_at: datetime | None = None
    approved_by: str | None = None
    published_at: datetime | None = None
    published_by: str | None = None


@dataclass(frozen=True)
class Subscriber:
    """Someone who asked to receive digests, and where to reach them."""

    participant_id: str
    chat_id: str
    language: str | None


class DigestRepository:
    """Reads and writes digests."""

    def __init__(self, connection: AsyncConnection) -> None:
        self.connection = connection

    async def create(
        self,
        digest_id: str,
        content: dict[str, Any],
        now: datetime,
        created_by: str,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        script_id: str | None = None,
        campaign: str | None = None,
    ) -> None:
        """Store a new draft."""
        await self.connection.execute(
            insert(digests).values(
                id=digest_id,
                created_at=now,
                created_by=created_by,
                status="draft",
                since=since,
                until=until,
                script_id=script_id,
                campaign=campaign,
                content=content,
                updated_at=now,
            )
        )

    async def get(self, digest_id: str) -> StoredDigest | None:
        """Return a digest by id."""
        row = (
            await self.connection.execute(select(digests).where(digests.c.id == digest_id))
        ).first()
        return _digest(row) if row else None

    async def find_id(self, prefix: str) -> str | None:
        """Resolve a digest id or an unambiguous prefix of one."""
        rows = (
            await self.connection.execute(
                select(digests.c.id)
                .where(digests.c.id.startswith(prefix, autoescape=True))
                .limit(2)
            )
        ).all()
        return str(rows[0].id) if len(rows) == 1 else None

    async def with_status(self, status: str) -> list[StoredDigest]:
        """Return the digests in ``status``, oldest first."""
        rows = await self.connection.execute(
            select(digests).where(digests.c.status == status).order_by(digests.c.created_at)
        )
        return [_digest(row) for row in rows]

    async def recent(self, limit: int = 20) -> list[StoredDigest]:
        """Return digests, newest first."""
        rows = await self.connection.execute(
            select(digests).order_by(digests.c.created_at.desc(), digests.c.id.desc()).limit(limit)
        )
        return [_digest(row) for row in rows]

    async def save(
        self,
        digest_id: str,
        content: dict[str, Any],
        status: str,
        now: datetime,
        *,
        approved_by: str | None = None,
        published_by: str | None = None,
    ) -> None:
        """Store edited content and the status that follows from the edit or decision."""
        values: dict[str, Any] = {"content": content, "status": status, "updated_at": now}
        if status == "draft":
            values.update(approved_at=None, approved_by=None)
        if status == "approved":
            values.update(approved_at=now, approved_by=approved_by)
        if status == "publishing":
            values.update(published_by=published_by)
        if status == "published":
            values.update(published_at=now)
        await self.connection.execute(
            update(digests).where(digests.c.id == digest_id).values(**values)
        )

    async def subscribers(self) -> list[Subscriber]:
        """Return reachable people whose latest decision on digests is "yes"."""
        latest = (
            select(consent_events.c.participant_id, func.max(consent_events.c.id).label("last"))
            .where(consent_events.c.topic == "updates")
            .group_by(consent_events.c.participant_id)
            .subquery()
        )
        rows = await self.connection.execute(
            select(
                participants.c.id,
                participants.c.language,
                channel_identities.c.chat_id,
            )
            .select_from(latest)
            .join(consent_events, consent_events.c.id == latest.c.last)
            .join(participants, participants.c.id == latest.c.participant_id)
            .join(
                channel_identities,
                and_(
                    channel_identities.c.participant_id == participants.c.id,
                    channel_identities.c.channel == "telegram",
                ),
            )
            .where(consent_events.c.granted.is_(True), participants.c.unreachable_at.is_(None))
            .order_by(participants.c.id)
        )
        return [Subscriber(r.id, r.chat_id, r.language) for r in rows]

    async def claim_deliveries(
        self, digest_id: str, participant_ids: Sequence[str], now: datetime
    ) -> set[str]:
        """Record deliveries not made before; return the participants newly claimed."""
        if not participant_ids:
            return set()
        dialect = self.connection.dialect.name
        insert_ = postgresql.insert if dialect == "postgresql" else sqlite.insert
        claimed: set[str] = set()
        for start in range(0, len(participant_ids), 500):
            chunk = participant_ids[start : start + 500]
            result = await self.connection.execute(
                insert_(digest_deliveries)
                .values(
                    [{"digest_id": digest_id, "participant_id": p, "queued_at": now} for p in chunk]
                )
                .on_conflict_do_nothing(index_elements=["digest_id", "participant_id"])
                .returning(digest_deliveries.c.participant_id)
            )
            claimed.update(str(r.participant_id) for r in result)
        return claimed

    async def quotable(self, dialogue_ids: Sequence[str]) -> set[str]:
        """Return the dialogues that may be quoted now.

        A quote needs "yes" to quotes in its own dialogue, and the person's latest decision on
        quotes (in any dialogue) must still be "yes"; an erased person has no dialogues left.
        """
        if not dialogue_ids:
            return set()
        own = (
            select(consent_events.c.dialogue_id, func.max(consent_events.c.id).label("last"))
            .where(consent_events.c.topic == "quotes")
            .group_by(consent_events.c.dialogue_id)
            .subquery()
        )
        person = (
            select(consent_events.c.participant_id, func.max(consent_events.c.id).label("last"))
            .where(consent_events.c.topic == "quotes")
            .group_by(consent_events.c.participant_id)
            .subquery()
        )
        own_event = consent_events.alias("own_event")
        person_event = consent_events.alias("person_event")
        allowed: set[str] = set()
        ids = list(dict.fromkeys(dialogue_ids))
        for start in range(0, len(ids), 500):
            rows = await self.connection.execute(
                select(dialogues.c.id)
                .join(own, own.c.dialogue_id == dialogues.c.id)
                .join(own_event, own_event.c.id == own.c.last)
                .join(person, person.c.participant_id == dialogues.c.participant_id)
                .join(person_event, person_event.c.id == person.c.last)
                .where(
                    dialogues.c.id.in_(ids[start : start + 500]),
                    own_event.c.granted.is_(True),
                    person_event.c.granted.is_(True),
                )
            )
            allowed.update(str(r.id) for r in rows)
        return allowed

    async def existing_dialogues(self, dialogue_ids: Sequence[str]) -> set[str]:
        """Return which of the dialogues still exist (erased people's are gone)."""
        found: set[str] = set()
        ids = list(dict.fromkeys(dialogue_ids))
        for start in range(0, len(ids), 500):
            rows = await self.connection.execute(
                select(dialogues.c.id).where(dialogues.c.id.in_(ids[start : start + 500]))
            )
            found.update(str(r.id) for r in rows)
        return found

    async def source_ids(self, dialogue_ids: Sequence[str]) -> dict[str, str]:
        """Return the source id of each imported dialogue among ``dialogue_ids``."""
        found: dict[str, str] = {}
        ids = list(dict.fromkeys(dialogue_ids))
        for start in range(0, len(ids), 500):
            rows = await self.connection.execute(
                select(imported_dialogues.c.dialogue_id, imported_dialogues.c.source_id).where(
                    imported_dialogues.c.dialogue_id.in_(ids[start : start + 500])
                )
            )
            found.update({str(r.dialogue_id): str(r.source_id) for r in rows})
        return found

    async def scrub_dialogues(self, dialogue_ids: Sequence[str], now: datetime) -> int:
        """Remove erased dialogues (ids and quotes) from every stored digest; return how many
        digests changed. Published messages already in people's chats cannot be recalled."""
        gone = set(dialogue_ids)
        if not gone:
            return 0
        changed = 0
        for row in await self.connection.execute(select(digests.c.id, digests.c.content)):
            content = row.content or {}
            cleaned = scrub_content(content, gone)
            if cleaned != content:
                await self.connection.execute(
                    update(digests)
                    .where(digests.c.id == row.id)
                    .values(content=cleaned, updated_at=now)
                )
                changed += 1
        return changed


def scrub_content(content: dict[str, Any], gone: set[str]) -> dict[str, Any]:
    """Return ``content`` without quotes from, or references to, the dialogues in ``gone``
    (in the need themes and in the struggles section alike)."""

    def scrubbed(theme: dict[str, Any]) -> dict[str, Any]:
        cleaned = {
            **theme,
            "dialogue_ids": [d for d in theme.get("dialogue_ids", []) if d not in gone],
            "quotes": [q for q in theme.get("quotes", []) if q.get("dialogue_id") not in gone],
        }
        if "source_ids" in theme:
            cleaned["source_ids"] = {d: s for d, s in theme["source_ids"].items() if d not in gone}
        if "secondary_dialogue_ids" in theme:
            cleaned["secondary_dialogue_ids"] = [
                d for d in theme["secondary_dialogue_ids"] if d not in gone
            ]
        return cleaned

    result = {
        **content,
        "themes": [scrubbed(t) for t in content.get("themes", [])],
        "unthemed_dialogue_ids": [
            d for d in content.get("unthemed_dialogue_ids", []) if d not in gone
        ],
    }
    if "struggles" in content:
        result["struggles"] = [scrubbed(t) for t in content.get("struggles", [])]
    return result


def _digest(row: Row[Any]) -> StoredDigest:
    return StoredDigest(
        id=row.id,
        status=row.status,
        content=row.content or {},
        created_at=row.created_at,
        created_by=row.created_by,
        updated_at=row.updated_at,
        since=row.since,
        until=row.until,
        script_id=row.script_id,
        campaign=row.campaign,
        approved_at=row.approved_at,
        approved_by=row.approved_by,
        published_at=row.published_at,
        published_by=row.published_by,
    )

"""Participants, their channel identities and consent events."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Row, delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from conversations.model import Language
from conversations.transcript import ConsentEvent, Identity, Participant
from storage.digests import DigestRepository
from storage.schema import (
    channel_identities,
    consent_events,
    dialogues,
    inbox,
    outbox,
    participants,
)


class ParticipantRepository:
    """Reads and writes participants; identity data stays in its own table."""

    def __init__(self, connection: AsyncConnection) -> None:
        self.connection = connection

    async def find_by_chat(self, channel: str, chat_id: str) -> str | None:
        """Return the id of the participant reached through ``chat_id``, if any."""
        value = await self.connection.scalar(
            select(channel_identities.c.participant_id).where(
                channel_identities.c.channel == channel, channel_identities.c.chat_id == chat_id
            )
        )
        return str(value) if value is not None else None

    async def get(self, participant_id: str) -> Participant | None:
        """Return the participant with ``participant_id``."""
        row = (
            await self.connection.execute(
                select(participants).where(participants.c.id == participant_id)
            )
        ).first()
        return _participant(row) if row else None

    async def create(
        self, participant_id: str, identity: Identity, now: datetime, language: Language | None
    ) -> Participant:
        """Create a participant with its channel identity (names are added only on consent)."""
        await self.connection.execute(
            insert(participants).values(id=participant_id, created_at=now, language=language)
        )
        await self.connection.execute(
            insert(channel_identities).values(
                participant_id=participant_id,
                channel=identity.channel,
                external_id=identity.external_id,
                chat_id=identity.chat_id,
                created_at=now,
                updated_at=now,
            )
        )
        return Participant(participant_id, now, language)

    async def store_names(self, participant_id: str, identity: Identity, now: datetime) -> None:
        """Keep the channel's names (needed to remove them from anything published)."""
        await self.connection.execute(
            update(channel_identities)
            .where(
                channel_identities.c.participant_id == participant_id,
                channel_identities.c.channel == identity.channel,
            )
            .values(
                first_name=identity.first_name,
                last_name=identity.last_name,
                username=identity.username,
                chat_id=identity.chat_id,
                updated_at=now,
            )
        )

    async def create_bare(self, participant_id: str, now: datetime) -> None:
        """Create a participant without a channel identity (e.g. from an import)."""
        await self.connection.execute(
            insert(participants).values(id=participant_id, created_at=now)
        )

    async def identities_of(self, participant_ids: Sequence[str]) -> dict[str, list[Identity]]:
        """Return the channel identities of several participants."""
        found: dict[str, list[Identity]] = {p: [] for p in participant_ids}
        if not participant_ids:
            return found
        rows = await self.connection.execute(
            select(channel_identities).where(
                channel_identities.c.participant_id.in_(list(participant_ids))
            )
        )
        for r in rows:
            found[r.participant_id].append(
                Identity(r.channel, r.external_id, r.chat_id, r.first_name, r.last_name, r.username)
            )
        return found

    async def identities(self, participant_id: str) -> list[Identity]:
        """Return the participant's channel identities."""
        rows = await self.connection.execute(
            select(channel_identities).where(channel_identities.c.participant_id == participant_id)
        )
        return [
            Identity(r.channel, r.external_id, r.chat_id, r.first_name, r.last_name, r.username)
            for r in rows
        ]

    async def set_language(self, participant_id: str, language: Language) -> None:
        """Remember the participant's preferred language."""
        await self.connection.execute(
            update(participants)
            .where(participants.c.id == participant_id)
            .values(language=language)
        )

    async def mark_unreachable(self, participant_id: str, now: datetime) -> None:
        """Note that the participant blocked us (Telegram 403)."""
        await self.connection.execute(
            update(participants)
            .where(participants.c.id == participant_id)
            .values(unreachable_at=now)
        )

    async def mark_reachable(self, participant_id: str) -> None:
        """Clear the unreachable mark (the participant wrote to us again)."""
        await self.connection.execute(
            update(participants)
            .where(participants.c.id == participant_id, participants.c.unreachable_at.is_not(None))
            .values(unreachable_at=None)
        )

    async def add_consent(
        self,
        participant_id: str,
        dialogue_id: str | None,
        event: ConsentEvent,
    ) -> None:
        """Record a consent decision."""
        await self.connection.execute(
            insert(consent_events).values(
                participant_id=participant_id,
                dialogue_id=dialogue_id,
                topic=event.topic,
                granted=event.granted,
                at=event.at,
                script_id=event.script_id,
                script_version=event.script_version,
            )
        )

    async def consents(self, participant_id: str) -> list[ConsentEvent]:
        """Return the participant's consent events, oldest first."""
        rows = await self.connection.execute(
            select(consent_events)
            .where(consent_events.c.participant_id == participant_id)
            .order_by(consent_events.c.id)
        )
        return [
            ConsentEvent(r.topic, r.granted, r.at, r.script_id, r.script_version, r.dialogue_id)
            for r in rows
        ]

    async def forget_names_if_done(self, participant_id: str) -> bool:
        """Drop the channel names once no transcript of the participant keeps raw text.

        The names are only kept to remove them from what is published; with every dialogue
        anonymised or deleted they have no purpose left.
        """
        raw = await self.connection.scalar(
            select(func.count())
            .select_from(dialogues)
            .where(
                dialogues.c.participant_id == participant_id, dialogues.c.anonymised_at.is_(None)
            )
        )
        if raw:
            return False
        await self.connection.execute(
            update(channel_identities)
            .where(channel_identities.c.participant_id == participant_id)
            .values(first_name=None, last_name=None, username=None)
        )
        return True

    async def erase(self, participant_id: str, now: datetime | None = None) -> None:
        """Erase everything about a participant: identity, dialogues, transcripts, consents,
        their queued or received messages, and their quotes in stored digests."""
        chat_ids = [
            r.chat_id
            for r in await self.connection.execute(
                select(channel_identities.c.chat_id).where(
                    channel_identities.c.participant_id == participant_id
                )
            )
        ]
        if chat_ids:
            await self.connection.execute(delete(inbox).where(inbox.c.chat_key.in_(chat_ids)))
            await self.connection.execute(delete(outbox).where(outbox.c.chat_id.in_(chat_ids)))
        dialogue_ids = [
            r.id
            for r in await self.connection.execute(
                select(dialogues.c.id).where(dialogues.c.participant_id == participant_id)
            )
        ]
        await DigestRepository(self.connection).scrub_dialogues(
            dialogue_ids, now or datetime.now(UTC)
        )
        # Foreign keys cascade from here to identities, dialogues, entries, edits, consents.
        await self.connection.execute(
            delete(dialogues).where(dialogues.c.participant_id == participant_id)
        )
        await self.connection.execute(
            delete(participants).where(participants.c.id == participant_id)
        )


def _participant(row: Row[Any]) -> Participant:
    return Participant(row.id, row.created_at, row.language, row.unreachable_at)

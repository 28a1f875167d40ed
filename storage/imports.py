"""Which source ids have been imported (so importing the same file twice changes nothing)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.schema import imported_dialogues


class ImportRepository:
    """Source id → dialogue id of imported dialogues."""

    def __init__(self, connection: AsyncConnection) -> None:
        self.connection = connection

    async def find(self, source_id: str) -> str | None:
        """Return the dialogue a source id was imported as, if it was."""
        value = await self.connection.scalar(
            select(imported_dialogues.c.dialogue_id).where(
                imported_dialogues.c.source_id == source_id
            )
        )
        return str(value) if value is not None else None

    async def record(self, source_id: str, dialogue_id: str, now: datetime) -> None:
        """Remember that ``source_id`` was imported as ``dialogue_id``."""
        await self.connection.execute(
            insert(imported_dialogues).values(
                source_id=source_id, dialogue_id=dialogue_id, imported_at=now
            )
        )

"""One transaction and the repositories that work inside it."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncConnection

from storage.dialogues import DialogueRepository
from storage.digests import DigestRepository
from storage.imports import ImportRepository
from storage.participants import ParticipantRepository
from storage.queues import InboxRepository, MetaRepository, OutboxRepository
from storage.staff import StaffRepository
from storage.transcripts import TranscriptRepository


class UnitOfWork:
    """Repositories sharing one connection and one transaction (design.md §2: one per event)."""

    def __init__(self, connection: AsyncConnection) -> None:
        self.connection = connection
        self.participants = ParticipantRepository(connection)
        self.dialogues = DialogueRepository(connection)
        self.transcripts = TranscriptRepository(connection)
        self.inbox = InboxRepository(connection)
        self.outbox = OutboxRepository(connection)
        self.meta = MetaRepository(connection)
        self.imports = ImportRepository(connection)
        self.digests = DigestRepository(connection)
        self.staff = StaffRepository(connection)

"""Domain objects for what was said and decided: stored dialogues, entries, consents.

Storage returns these (never database rows); views, exports and insights consume them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from conversations.events import EntryKind, Speaker
from conversations.model import Language
from conversations.state import DialogueState, Status


@dataclass(frozen=True)
class Identity:
    """How a participant is reached on one channel; personal data, kept apart and erasable."""

    channel: str
    external_id: str
    chat_id: str
    first_name: str | None = None
    last_name: str | None = None
    username: str | None = None


@dataclass(frozen=True)
class Participant:
    """A customer under a pseudonymous id."""

    id: str
    created_at: datetime
    language: Language | None = None
    unreachable_at: datetime | None = None


@dataclass(frozen=True)
class EntryEdit:
    """An earlier text of an edited entry."""

    replaced_at: datetime
    previous_text: str


@dataclass(frozen=True)
class StoredEntry:
    """A transcript entry as stored: the engine's entry plus id and edit history."""

    id: int
    dialogue_id: str
    at: datetime
    speaker: Speaker
    kind: EntryKind
    step_id: str | None
    text: str
    ref: str | None = None
    attachment: dict[str, str] | None = None
    corrects: str | None = None
    edited_at: datetime | None = None
    edits: tuple[EntryEdit, ...] = ()


@dataclass(frozen=True)
class DialogueInfo:
    """A dialogue's metadata (no content)."""

    id: str
    participant_id: str
    script_id: str
    script_version: int
    script_checksum: str
    status: Status
    language: Language
    campaign: str | None
    step_id: str | None
    started_at: datetime
    updated_at: datetime
    consented_at: datetime | None = None
    finished_at: datetime | None = None
    entry_count: int = 0


@dataclass(frozen=True)
class LoadedDialogue:
    """A dialogue with its engine state, as the service needs it to go on."""

    info: DialogueInfo
    state: DialogueState


@dataclass(frozen=True)
class ConsentEvent:
    """A recorded consent decision."""

    topic: str
    granted: bool
    at: datetime
    script_id: str
    script_version: int
    dialogue_id: str | None = None


@dataclass(frozen=True)
class Transcript:
    """A dialogue with all its entries in order."""

    info: DialogueInfo
    entries: tuple[StoredEntry, ...] = field(default_factory=tuple)

"""Transcript entries and their edit history."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from conversations.events import Entry
from conversations.transcript import EntryEdit, StoredEntry
from storage.schema import dialogues, entry_edits, transcript_entries

_APPEND = insert(transcript_entries).returning(
    transcript_entries.c.id, sort_by_parameter_order=True
)


class TranscriptRepository:
    """Appends entries, applies edits (keeping the original), reads transcripts."""

    def __init__(self, connection: AsyncConnection) -> None:
        self.connection = connection

    async def append(self, dialogue_id: str, entries: Sequence[Entry]) -> list[int]:
        """Append entries in order (one statement) and return their ids in the same order."""
        if not entries:
            return []
        result = await self.connection.execute(
            _APPEND,
            [
                {
                    "dialogue_id": dialogue_id,
                    "at": entry.at,
                    "speaker": entry.speaker,
                    "kind": entry.kind,
                    "step_id": entry.step_id,
                    "text": entry.text,
                    "ref": entry.ref,
                    "attachment": entry.attachment,
                    "corrects": entry.corrects,
                }
                for entry in entries
            ],
        )
        return [int(row.id) for row in result]

    async def apply_edit(
        self, participant_id: str, ref: str, text: str, at: datetime
    ) -> int | None:
        """Replace the text of the participant's entry with channel ref ``ref``.

        The text it had is kept in ``entry_edits``. Returns the entry id, or None when no such
        entry exists (e.g. the edited message was sent before consent and never stored).
        """
        row = (
            await self.connection.execute(
                select(transcript_entries.c.id, transcript_entries.c.text)
                .join(dialogues, dialogues.c.id == transcript_entries.c.dialogue_id)
                .where(
                    dialogues.c.participant_id == participant_id,
                    transcript_entries.c.ref == ref,
                    transcript_entries.c.speaker == "customer",
                )
                .order_by(transcript_entries.c.id.desc())
                .limit(1)
            )
        ).first()
        if row is None or row.text == text:
            return None if row is None else int(row.id)
        await self.connection.execute(
            insert(entry_edits).values(entry_id=row.id, replaced_at=at, previous_text=row.text)
        )
        await self.connection.execute(
            update(transcript_entries)
            .where(transcript_entries.c.id == row.id)
            .values(text=text, edited_at=at)
        )
        return int(row.id)

    async def rewrite(self, dialogue_id: str, texts: dict[int, str]) -> None:
        """Replace entry texts in place and drop what kept the originals (edits, attachments):
        used when the retention period anonymises a transcript (its staff notes are rewritten
        separately, see StaffRepository.rewrite_notes)."""
        for entry_id, text in texts.items():
            await self.connection.execute(
                update(transcript_entries)
                .where(transcript_entries.c.id == entry_id)
                .values(text=text)
            )
        entry_ids = select(transcript_entries.c.id).where(
            transcript_entries.c.dialogue_id == dialogue_id
        )
        await self.connection.execute(
            delete(entry_edits).where(entry_edits.c.entry_id.in_(entry_ids))
        )
        await self.connection.execute(
            update(transcript_entries)
            .where(transcript_entries.c.dialogue_id == dialogue_id)
            .values(attachment=None, edited_at=None, ref=None)
        )

    async def set_ref(self, entry_id: int, ref: str) -> None:
        """Record the channel's message id of a sent bot entry."""
        await self.connection.execute(
            update(transcript_entries).where(transcript_entries.c.id == entry_id).values(ref=ref)
        )

    async def for_dialogue(self, dialogue_id: str) -> list[StoredEntry]:
        """Return a dialogue's entries in order, each with its edit history."""
        rows = (
            await self.connection.execute(
                select(transcript_entries)
                .where(transcript_entries.c.dialogue_id == dialogue_id)
                .order_by(transcript_entries.c.id)
            )
        ).all()
        return await self._with_edits(rows)

    async def for_dialogues(self, dialogue_ids: Sequence[str]) -> dict[str, list[StoredEntry]]:
        """Return the entries of several dialogues at once, by dialogue id."""
        found: dict[str, list[StoredEntry]] = {d: [] for d in dialogue_ids}
        if not dialogue_ids:
            return found
        rows = (
            await self.connection.execute(
                select(transcript_entries)
                .where(transcript_entries.c.dialogue_id.in_(list(dialogue_ids)))
                .order_by(transcript_entries.c.id)
            )
        ).all()
        for entry in await self._with_edits(rows):
            found[entry.dialogue_id].append(entry)
        return found

    async def add_imported(self, dialogue_id: str, entry: StoredEntry) -> int:
        """Insert an entry taken from an import, with its timestamps and edit history."""
        result = await self.connection.execute(
            insert(transcript_entries)
            .values(
                dialogue_id=dialogue_id,
                at=entry.at,
                speaker=entry.speaker,
                kind=entry.kind,
                step_id=entry.step_id,
                text=entry.text,
                ref=entry.ref,
                attachment=entry.attachment,
                corrects=entry.corrects,
                edited_at=entry.edited_at,
            )
            .returning(transcript_entries.c.id)
        )
        entry_id = int(result.scalar_one())
        for edit in entry.edits:
            await self.connection.execute(
                insert(entry_edits).values(
                    entry_id=entry_id,
                    replaced_at=edit.replaced_at,
                    previous_text=edit.previous_text,
                )
            )
        return entry_id

    async def _with_edits(self, rows: Sequence[Row[Any]]) -> list[StoredEntry]:
        edited = [r.id for r in rows if r.edited_at is not None]
        history: dict[int, list[EntryEdit]] = defaultdict(list)
        if edited:
            for edit in await self.connection.execute(
                select(entry_edits)
                .where(entry_edits.c.entry_id.in_(edited))
                .order_by(entry_edits.c.id)
            ):
                history[edit.entry_id].append(EntryEdit(edit.replaced_at, edit.previous_text))
        return [
            StoredEntry(
                id=r.id,
                dialogue_id=r.dialogue_id,
                at=r.at,
                speaker=r.speaker,
                kind=r.kind,
                step_id=r.step_id,
                text=r.text,
                ref=r.ref,
                attachment=r.attachment,
                corrects=r.corrects,
                edited_at=r.edited_at,
                edits=tuple(history.get(r.id, ())),
            )
            for r in rows
        ]

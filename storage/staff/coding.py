"""Coding answers: tags and notes on customer entries, and the excerpts a tag collects."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import delete, distinct, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from storage.schema import dialogues, entry_notes, entry_tags, tags, transcript_entries
from storage.staff._common import StaffQueriesBase
from storage.staff.models import EntryCoding, EntryRef, Excerpt, ExcerptPage, Note, Tag, TagCount

TAG_NAME_LENGTH = 64
NOTE_LENGTH = 4000


class CodingCommands(StaffQueriesBase):
    """Tags and notes on answers, and what a tag collects."""

    async def entry(self, entry_id: int) -> EntryRef | None:
        """Return which dialogue an entry belongs to and who said it."""
        row = (
            await self.connection.execute(
                select(
                    transcript_entries.c.id,
                    transcript_entries.c.dialogue_id,
                    transcript_entries.c.speaker,
                ).where(transcript_entries.c.id == entry_id)
            )
        ).first()
        return EntryRef(row.id, row.dialogue_id, row.speaker) if row else None

    async def tag_entry(self, entry_id: int, name: str, by: str, now: datetime) -> Tag | None:
        """Put a tag (created if new) on a customer entry; None if there is no such answer.

        Tag names are normalised (trimmed, single spaces, lower case) so "Pricing" and
        "pricing " are one tag.
        """
        name = normalise_tag_name(name)
        entry = await self.entry(entry_id)
        if not name or entry is None or entry.speaker != "customer":
            return None
        await self._insert_ignoring_duplicates(tags, {"name": name, "created_at": now})
        tag_id = await self.connection.scalar(select(tags.c.id).where(tags.c.name == name))
        assert tag_id is not None  # inserted just now or before
        await self._insert_ignoring_duplicates(
            entry_tags,
            {"entry_id": entry_id, "tag_id": tag_id, "created_by": by, "created_at": now},
        )
        return Tag(int(tag_id), name)

    async def untag_entry(self, entry_id: int, tag_id: int) -> bool:
        """Take a tag off an entry; return whether it was there."""
        result = await self.connection.execute(
            delete(entry_tags).where(
                entry_tags.c.entry_id == entry_id, entry_tags.c.tag_id == tag_id
            )
        )
        return bool(result.rowcount)

    async def add_note(self, entry_id: int, text: str, by: str, now: datetime) -> Note | None:
        """Add a note to a customer entry; None if there is no such answer or the note is empty."""
        text = text.strip()[:NOTE_LENGTH]
        entry = await self.entry(entry_id)
        if not text or entry is None or entry.speaker != "customer":
            return None
        result = await self.connection.execute(
            insert(entry_notes)
            .values(entry_id=entry_id, text=text, created_by=by, created_at=now)
            .returning(entry_notes.c.id)
        )
        return Note(int(result.scalar_one()), entry_id, text, by, now)

    async def delete_note(self, note_id: int, entry_id: int) -> bool:
        """Delete a note of an entry; return whether it existed."""
        result = await self.connection.execute(
            delete(entry_notes).where(
                entry_notes.c.id == note_id, entry_notes.c.entry_id == entry_id
            )
        )
        return bool(result.rowcount)

    async def rewrite_notes(self, texts: dict[int, str]) -> None:
        """Replace the text of notes (by id), e.g. with their anonymised form."""
        for note_id, text in texts.items():
            await self.connection.execute(
                update(entry_notes).where(entry_notes.c.id == note_id).values(text=text)
            )

    async def coding_for_dialogue(self, dialogue_id: str) -> dict[int, EntryCoding]:
        """Return the tags and notes on a dialogue's entries, by entry id."""
        tagged: dict[int, list[Tag]] = defaultdict(list)
        for r in await self.connection.execute(
            select(entry_tags.c.entry_id, tags.c.id, tags.c.name)
            .join(tags, tags.c.id == entry_tags.c.tag_id)
            .join(transcript_entries, transcript_entries.c.id == entry_tags.c.entry_id)
            .where(transcript_entries.c.dialogue_id == dialogue_id)
            .order_by(tags.c.name)
        ):
            tagged[r.entry_id].append(Tag(r.id, r.name))
        noted: dict[int, list[Note]] = defaultdict(list)
        for r in await self.connection.execute(
            select(entry_notes)
            .join(transcript_entries, transcript_entries.c.id == entry_notes.c.entry_id)
            .where(transcript_entries.c.dialogue_id == dialogue_id)
            .order_by(entry_notes.c.id)
        ):
            noted[r.entry_id].append(Note(r.id, r.entry_id, r.text, r.created_by, r.created_at))
        return {
            entry_id: EntryCoding(tuple(tagged.get(entry_id, ())), tuple(noted.get(entry_id, ())))
            for entry_id in {*tagged, *noted}
        }

    async def tag_overview(self) -> list[TagCount]:
        """Return every tag with how many answers and dialogues carry it, most used first."""
        entries = func.count(entry_tags.c.entry_id)
        rows = await self.connection.execute(
            select(
                tags.c.id,
                tags.c.name,
                entries.label("entries"),
                func.count(distinct(transcript_entries.c.dialogue_id)).label("dialogues"),
            )
            .select_from(tags)
            .outerjoin(entry_tags, entry_tags.c.tag_id == tags.c.id)
            .outerjoin(transcript_entries, transcript_entries.c.id == entry_tags.c.entry_id)
            .group_by(tags.c.id, tags.c.name)
            .order_by(entries.desc(), tags.c.name)
        )
        return [TagCount(r.id, r.name, int(r.entries), int(r.dialogues)) for r in rows]

    async def tag_names(self) -> list[str]:
        """Return the names of all tags, alphabetically."""
        return [
            str(n) for n in await self.connection.scalars(select(tags.c.name).order_by(tags.c.name))
        ]

    async def tag(self, tag_id: int) -> Tag | None:
        """Return a tag by id."""
        row = (await self.connection.execute(select(tags).where(tags.c.id == tag_id))).first()
        return Tag(row.id, row.name) if row else None

    async def excerpts(
        self, tag_id: int, *, limit: int = 50, offset: int = 0
    ) -> ExcerptPage | None:
        """Return the answers carrying a tag, most recently tagged first."""
        found = await self.tag(tag_id)
        if found is None:
            return None
        total = await self.connection.scalar(
            select(func.count()).select_from(entry_tags).where(entry_tags.c.tag_id == tag_id)
        )
        rows = await self.connection.execute(
            select(*_EXCERPT_COLUMNS)
            .select_from(entry_tags)
            .join(transcript_entries, transcript_entries.c.id == entry_tags.c.entry_id)
            .join(dialogues, dialogues.c.id == transcript_entries.c.dialogue_id)
            .where(entry_tags.c.tag_id == tag_id)
            .order_by(entry_tags.c.created_at.desc(), transcript_entries.c.id.desc())
            .limit(limit)
            .offset(offset)
        )
        excerpts = tuple(_excerpt(r) for r in rows)
        return ExcerptPage(found, excerpts, int(total or 0))

    async def recent_excerpts(self, per_tag: int = 3) -> dict[int, list[Excerpt]]:
        """Return each tag's most recently tagged answers (up to ``per_tag``), by tag id."""
        numbered = (
            select(*_EXCERPT_COLUMNS, entry_tags.c.tag_id)
            .add_columns(
                func.row_number()
                .over(
                    partition_by=entry_tags.c.tag_id,
                    order_by=(entry_tags.c.created_at.desc(), transcript_entries.c.id.desc()),
                )
                .label("position")
            )
            .select_from(entry_tags)
            .join(transcript_entries, transcript_entries.c.id == entry_tags.c.entry_id)
            .join(dialogues, dialogues.c.id == transcript_entries.c.dialogue_id)
            .subquery()
        )
        rows = await self.connection.execute(
            select(numbered)
            .where(numbered.c.position <= per_tag)
            .order_by(numbered.c.tag_id, numbered.c.position)
        )
        found: dict[int, list[Excerpt]] = defaultdict(list)
        for r in rows:
            found[r.tag_id].append(_excerpt(r))
        return dict(found)

    async def _insert_ignoring_duplicates(self, target: Any, values: dict[str, Any]) -> None:
        if self._dialect == "postgresql":
            await self.connection.execute(
                postgresql.insert(target).values(values).on_conflict_do_nothing()
            )
        else:
            await self.connection.execute(
                sqlite.insert(target).values(values).on_conflict_do_nothing()
            )


_EXCERPT_COLUMNS = (
    transcript_entries.c.id.label("entry_id"),
    transcript_entries.c.dialogue_id,
    dialogues.c.script_id,
    transcript_entries.c.step_id,
    transcript_entries.c.at,
    transcript_entries.c.text,
    entry_tags.c.created_by.label("tagged_by"),
    entry_tags.c.created_at.label("tagged_at"),
)


def _excerpt(row: Any) -> Excerpt:
    return Excerpt(
        entry_id=row.entry_id,
        dialogue_id=row.dialogue_id,
        script_id=row.script_id,
        step_id=row.step_id,
        at=row.at,
        text=row.text,
        tagged_by=row.tagged_by,
        tagged_at=row.tagged_at,
    )


def normalise_tag_name(name: str) -> str:
    """Return a tag name trimmed, with single spaces, in lower case, at most 64 characters."""
    return " ".join(name.split()).lower()[:TAG_NAME_LENGTH]

"""The dialogue list: one page at a time, narrowed by filters, and the values to filter by."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, case, func, select

from storage.schema import dialogues, entry_tags, tags, transcript_entries
from storage.staff._common import date_conditions
from storage.staff.coding import CodingCommands, normalise_tag_name
from storage.staff.models import DialogueFilter, DialoguePage, DialogueSummary, FilterChoices
from storage.staff.search import SearchQueries


class ListingQueries(SearchQueries, CodingCommands):
    """Dialogue list and filter choices (filters use full-text search and tags)."""

    async def list_dialogues(
        self, dialogue_filter: DialogueFilter, *, page: int = 1, per_page: int = 50
    ) -> DialoguePage:
        """Return one page of dialogues (newest first) matching the filter, and the total."""
        page = max(1, page)
        conditions = self._dialogue_conditions(dialogue_filter)
        total = int(
            await self.connection.scalar(
                select(func.count()).select_from(dialogues).where(*conditions)
            )
            or 0
        )
        rows = (
            await self.connection.execute(
                select(*_SUMMARY_COLUMNS)
                .where(*conditions)
                .order_by(dialogues.c.started_at.desc(), dialogues.c.id.desc())
                .limit(per_page)
                .offset((page - 1) * per_page)
            )
        ).all()
        counts = await self._entry_counts([r.id for r in rows])
        summaries = tuple(_summary(r, counts.get(r.id, (0, 0))) for r in rows)
        return DialoguePage(summaries, total, page, per_page)

    async def dialogue(self, dialogue_id: str) -> DialogueSummary | None:
        """Return one dialogue's summary (None if there is no such dialogue)."""
        row = (
            await self.connection.execute(
                select(*_SUMMARY_COLUMNS).where(dialogues.c.id == dialogue_id)
            )
        ).first()
        if row is None:
            return None
        counts = await self._entry_counts([row.id])
        return _summary(row, counts.get(row.id, (0, 0)))

    async def filter_choices(self) -> FilterChoices:
        """Return the scripts, languages, campaigns and tags that occur."""

        async def distinct_values(column_: ColumnElement[Any]) -> tuple[str, ...]:
            values = await self.connection.scalars(
                select(column_).where(column_.is_not(None)).distinct().order_by(column_)
            )
            return tuple(str(v) for v in values)

        return FilterChoices(
            scripts=await distinct_values(dialogues.c.script_id),
            languages=await distinct_values(dialogues.c.language),
            campaigns=await distinct_values(dialogues.c.campaign),
            tags=tuple(await self.tag_names()),
        )

    def _dialogue_conditions(self, f: DialogueFilter) -> list[ColumnElement[bool]]:
        conditions: list[ColumnElement[bool]] = []
        for value, column_ in (
            (f.status, dialogues.c.status),
            (f.script_id, dialogues.c.script_id),
            (f.language, dialogues.c.language),
            (f.campaign, dialogues.c.campaign),
        ):
            if value:
                conditions.append(column_ == value)
        conditions.extend(date_conditions(f.started_from, f.started_to))
        if f.tag:
            conditions.append(
                dialogues.c.id.in_(
                    select(transcript_entries.c.dialogue_id)
                    .join(entry_tags, entry_tags.c.entry_id == transcript_entries.c.id)
                    .join(tags, tags.c.id == entry_tags.c.tag_id)
                    .where(tags.c.name == normalise_tag_name(f.tag))
                )
            )
        match = self._match(f.text or "")
        if match is not None:
            conditions.append(
                dialogues.c.id.in_(
                    select(transcript_entries.c.dialogue_id).where(
                        match, transcript_entries.c.speaker == "customer"
                    )
                )
            )
        return conditions

    async def _entry_counts(self, dialogue_ids: Sequence[str]) -> dict[str, tuple[int, int]]:
        if not dialogue_ids:
            return {}
        answers = func.sum(case((transcript_entries.c.speaker == "customer", 1), else_=0))
        rows = await self.connection.execute(
            select(
                transcript_entries.c.dialogue_id,
                func.count().label("entries"),
                answers.label("answers"),
            )
            .where(transcript_entries.c.dialogue_id.in_(list(dialogue_ids)))
            .group_by(transcript_entries.c.dialogue_id)
        )
        return {r.dialogue_id: (int(r.entries), int(r.answers or 0)) for r in rows}


_SUMMARY_COLUMNS = (
    dialogues.c.id,
    dialogues.c.participant_id,
    dialogues.c.script_id,
    dialogues.c.script_version,
    dialogues.c.status,
    dialogues.c.language,
    dialogues.c.campaign,
    dialogues.c.step_id,
    dialogues.c.started_at,
    dialogues.c.updated_at,
    dialogues.c.consented_at,
    dialogues.c.finished_at,
    dialogues.c.anonymised_at,
)


def _summary(row: Any, counts: tuple[int, int]) -> DialogueSummary:
    return DialogueSummary(
        id=row.id,
        participant_id=row.participant_id,
        script_id=row.script_id,
        script_version=row.script_version,
        status=row.status,
        language=row.language,
        campaign=row.campaign,
        step_id=row.step_id,
        started_at=row.started_at,
        updated_at=row.updated_at,
        consented_at=row.consented_at,
        finished_at=row.finished_at,
        entry_count=counts[0],
        answer_count=counts[1],
        anonymised_at=row.anonymised_at,
    )

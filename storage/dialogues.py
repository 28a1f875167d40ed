"""Dialogues: metadata, engine state, and the script versions they pin."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, bindparam, delete, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from conversations.state import LIVE_STATUSES, DialogueState
from conversations.transcript import DialogueInfo, LoadedDialogue, Participant
from storage.schema import (
    channel_identities,
    consent_events,
    dialogues,
    participants,
    script_versions,
    transcript_entries,
)


class DialogueRepository:
    """Reads and writes dialogues and pinned script versions."""

    def __init__(self, connection: AsyncConnection) -> None:
        self.connection = connection

    async def latest_by_identity(
        self, channel: str, external_id: str
    ) -> tuple[Participant, LoadedDialogue | None] | None:
        """Return the participant behind a channel identity with their latest dialogue (locked
        for update), in one query: this runs for every customer message."""
        parameters = {"channel": channel, "external_id": external_id}
        row = (await self.connection.execute(_BY_IDENTITY, parameters)).first()
        if row is None:
            return None
        participant = Participant(row.p_id, row.p_created_at, row.p_language, row.p_unreachable_at)
        return participant, (_loaded(row) if row.id is not None else None)

    async def get(self, dialogue_id: str) -> LoadedDialogue | None:
        """Return a dialogue with its state."""
        row = (
            await self.connection.execute(select(dialogues).where(dialogues.c.id == dialogue_id))
        ).first()
        return _loaded(row) if row else None

    async def create(
        self,
        dialogue_id: str,
        participant_id: str,
        checksum: str,
        state: DialogueState,
        now: datetime,
    ) -> None:
        """Insert a new dialogue."""
        await self.connection.execute(
            insert(dialogues).values(
                id=dialogue_id,
                participant_id=participant_id,
                script_id=state.script_id,
                script_version=state.script_version,
                script_checksum=checksum,
                started_at=now,
                **_state_columns(state, now),
            )
        )

    async def save(self, dialogue_id: str, state: DialogueState, now: datetime) -> None:
        """Store the new state (and the metadata derived from it) in one statement."""
        await self.connection.execute(
            _SAVE,
            {
                "dialogue_id": dialogue_id,
                **_state_columns(state, now),
                "consented_now": now if state.consented else None,
                "finished_now": None if state.live else now,
            },
        )

    async def set_times(
        self,
        dialogue_id: str,
        *,
        started: datetime,
        consented: datetime | None,
        finished: datetime | None,
    ) -> None:
        """Set a dialogue's timestamps (for imported dialogues, which happened elsewhere)."""
        await self.connection.execute(
            update(dialogues)
            .where(dialogues.c.id == dialogue_id)
            .values(
                started_at=started,
                updated_at=finished or started,
                consented_at=consented,
                finished_at=finished,
            )
        )

    async def ended_before(self, cutoff: datetime, limit: int = 200) -> list[DialogueInfo]:
        """Return ended dialogues (finished, stopped, declined) that ended before ``cutoff`` and
        were not anonymised yet, oldest first."""
        rows = await self.connection.execute(
            select(dialogues)
            .where(
                dialogues.c.finished_at < cutoff,
                dialogues.c.anonymised_at.is_(None),
                dialogues.c.status.not_in(LIVE_STATUSES),
            )
            .order_by(dialogues.c.finished_at, dialogues.c.id)
            .limit(limit)
        )
        return [_info(row) for row in rows]

    async def mark_anonymised(self, dialogue_id: str, now: datetime) -> None:
        """Note that the transcript was anonymised in place."""
        await self.connection.execute(
            update(dialogues).where(dialogues.c.id == dialogue_id).values(anonymised_at=now)
        )

    async def delete(self, dialogue_id: str) -> None:
        """Delete a dialogue with its transcript and consent events."""
        await self.connection.execute(delete(dialogues).where(dialogues.c.id == dialogue_id))

    async def due(self, now: datetime, limit: int = 100) -> list[tuple[str, str]]:
        """Return ``(dialogue id, participant id)`` of live dialogues whose timers are due."""
        rows = await self.connection.execute(
            select(dialogues.c.id, dialogues.c.participant_id)
            .where(dialogues.c.due_at <= now, dialogues.c.status.in_(LIVE_STATUSES))
            .order_by(dialogues.c.due_at)
            .limit(limit)
        )
        return [(r.id, r.participant_id) for r in rows]

    async def next_due_at(self) -> datetime | None:
        """Return the earliest pending timer of any live dialogue."""
        # min() keeps the column's type, so the value comes back as an aware UTC datetime.
        value: datetime | None = await self.connection.scalar(
            select(func.min(dialogues.c.due_at)).where(dialogues.c.status.in_(LIVE_STATUSES))
        )
        return value

    async def recent(
        self,
        *,
        status: str | None = None,
        script_id: str | None = None,
        participant_id: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> list[DialogueInfo]:
        """Return dialogues, newest first, with their entry counts."""
        counts = (
            select(transcript_entries.c.dialogue_id, func.count().label("n"))
            .group_by(transcript_entries.c.dialogue_id)
            .subquery()
        )
        query = (
            select(dialogues, func.coalesce(counts.c.n, 0).label("entry_count"))
            .outerjoin(counts, counts.c.dialogue_id == dialogues.c.id)
            .order_by(dialogues.c.started_at.desc(), dialogues.c.id.desc())
            .limit(limit)
            .offset(offset)
        )
        if status:
            query = query.where(dialogues.c.status == status)
        if script_id:
            query = query.where(dialogues.c.script_id == script_id)
        if participant_id:
            query = query.where(dialogues.c.participant_id == participant_id)
        return [_info(row, row.entry_count) for row in await self.connection.execute(query)]

    async def for_export(
        self, *, since: datetime | None = None, script_id: str | None = None
    ) -> list[DialogueInfo]:
        """Return dialogues in the order they started (optionally since a time, of a script)."""
        query = select(dialogues).order_by(dialogues.c.started_at, dialogues.c.id)
        if since is not None:
            query = query.where(dialogues.c.started_at >= since)
        if script_id:
            query = query.where(dialogues.c.script_id == script_id)
        return [_info(row) for row in await self.connection.execute(query)]

    async def consents_by_dialogue(self, dialogue_ids: Sequence[str]) -> dict[str, dict[str, bool]]:
        """Return each dialogue's latest decision per consent topic."""
        found: dict[str, dict[str, bool]] = {d: {} for d in dialogue_ids}
        if not dialogue_ids:
            return found
        rows = await self.connection.execute(
            select(consent_events.c.dialogue_id, consent_events.c.topic, consent_events.c.granted)
            .where(consent_events.c.dialogue_id.in_(list(dialogue_ids)))
            .order_by(consent_events.c.id)
        )
        for row in rows:
            found[row.dialogue_id][row.topic] = bool(row.granted)
        return found

    async def exists(self, dialogue_id: str) -> bool:
        """Return whether a dialogue with this id exists."""
        value = await self.connection.scalar(
            select(dialogues.c.id).where(dialogues.c.id == dialogue_id)
        )
        return value is not None

    async def find_id(self, prefix: str) -> str | None:
        """Resolve a dialogue id or an unambiguous prefix of one."""
        rows = (
            await self.connection.execute(
                select(dialogues.c.id)
                .where(dialogues.c.id.startswith(prefix, autoescape=True))
                .limit(2)
            )
        ).all()
        return rows[0].id if len(rows) == 1 else None

    async def pin_script(
        self, checksum: str, script_id: str, version: int, source: str, now: datetime
    ) -> None:
        """Keep the exact script text a dialogue starts with (once per distinct text)."""
        exists = await self.connection.scalar(
            select(script_versions.c.checksum).where(script_versions.c.checksum == checksum)
        )
        if exists is None:
            # Several workers on PostgreSQL may start the first dialogue of a new text at once:
            # the same text is the same row, so the second insert is simply not needed.
            upsert = (
                postgresql.insert if self.connection.dialect.name == "postgresql" else sqlite.insert
            )
            await self.connection.execute(
                upsert(script_versions)
                .values(
                    checksum=checksum,
                    script_id=script_id,
                    version=version,
                    source=source,
                    first_used_at=now,
                )
                .on_conflict_do_nothing(index_elements=["checksum"])
            )

    async def pinned_source(self, checksum: str) -> str | None:
        """Return the stored text of a pinned script version."""
        value = await self.connection.scalar(
            select(script_versions.c.source).where(script_versions.c.checksum == checksum)
        )
        return str(value) if value is not None else None


_latest = dialogues.alias("latest")
_latest_id = (
    select(_latest.c.id)
    .where(_latest.c.participant_id == participants.c.id)
    .order_by(_latest.c.started_at.desc(), _latest.c.id.desc())
    .limit(1)
    .correlate(participants)
    .scalar_subquery()
)
_BY_IDENTITY = (
    select(
        participants.c.id.label("p_id"),
        participants.c.created_at.label("p_created_at"),
        participants.c.language.label("p_language"),
        participants.c.unreachable_at.label("p_unreachable_at"),
        dialogues,
    )
    .select_from(channel_identities)
    .join(participants, participants.c.id == channel_identities.c.participant_id)
    .outerjoin(dialogues, dialogues.c.id == _latest_id)
    .where(
        channel_identities.c.channel == bindparam("channel"),
        channel_identities.c.external_id == bindparam("external_id"),
    )
    # One participant's events are serialised by locking the participant (PostgreSQL cannot lock
    # the optional side of an outer join).
    .with_for_update(of=participants)
)

# Built once: executing a prepared statement with parameters skips SQLAlchemy's per-call
# statement building, which dominates the cost of a turn otherwise.
_SAVE = (
    update(dialogues)
    .where(dialogues.c.id == bindparam("dialogue_id"))
    .values(
        status=bindparam("status"),
        language=bindparam("language"),
        campaign=bindparam("campaign"),
        step_id=bindparam("step_id"),
        state=bindparam("state", type_=dialogues.c.state.type),
        updated_at=bindparam("updated_at", type_=dialogues.c.updated_at.type),
        due_at=bindparam("due_at", type_=dialogues.c.due_at.type),
        consented_at=func.coalesce(
            dialogues.c.consented_at,
            bindparam("consented_now", type_=dialogues.c.consented_at.type),
        ),
        finished_at=func.coalesce(
            dialogues.c.finished_at,
            bindparam("finished_now", type_=dialogues.c.finished_at.type),
        ),
    )
)


def _state_columns(state: DialogueState, now: datetime) -> dict[str, Any]:
    return {
        "status": state.status,
        "language": state.language,
        "campaign": state.campaign,
        "step_id": state.step_id,
        "state": state.model_dump(mode="json"),
        "updated_at": now,
        "due_at": state.due_at,
    }


def _info(row: Row[Any], entry_count: int = 0) -> DialogueInfo:
    return DialogueInfo(
        id=row.id,
        participant_id=row.participant_id,
        script_id=row.script_id,
        script_version=row.script_version,
        script_checksum=row.script_checksum,
        status=row.status,
        language=row.language,
        campaign=row.campaign,
        step_id=row.step_id,
        started_at=row.started_at,
        updated_at=row.updated_at,
        consented_at=row.consented_at,
        finished_at=row.finished_at,
        entry_count=entry_count,
    )


def _loaded(row: Row[Any]) -> LoadedDialogue:
    return LoadedDialogue(_info(row), DialogueState.model_validate(row.state))

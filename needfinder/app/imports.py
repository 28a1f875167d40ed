"""Import dialogues held elsewhere (calls, workshops, e-mail) from JSONL; idempotent by source id.

One JSON object per line::

    {"id": "call-2026-03-01-anna",           # the dialogue's id in the source (required)
     "language": "de",                        # de | en (required)
     "script": "discovery",                   # a known script id (required)
     "started_at": "2026-03-01T10:00:00Z",    # optional, default: now
     "campaign": "phone", "participant": "p_…", "status": "finished",   # optional
     "consents": {"quotes": true, "updates": false},                    # optional
     "answers": {"who": "…", "challenges": "…", "needs": "…"}}          # answers by step id
    # … or, instead of "answers", a list of entries:
    # "entries": [{"speaker": "customer", "step": "who", "text": "…", "kind": "answer",
    #              "at": "…"}, …]

Importing a dialogue means the operator vouches for the person's consent to storage; it is
recorded as such. The JSONL export has exactly this shape, so an export imports again.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from conversations.events import EntryKind, Speaker
from conversations.model import AskStep, ChoiceStep, Language
from conversations.state import LIVE_STATUSES, DialogueState, Status
from conversations.transcript import ConsentEvent, EntryEdit, StoredEntry
from needfinder.app.ids import IdFactory
from needfinder.app.scripts import ScriptLibrary
from storage.unit_of_work import UnitOfWork

# Ids in our own form are kept, so that an export imports again as the same dialogues.
_OWN_DIALOGUE_ID = re.compile(r"^d_[0-9a-f]{6,32}$")
_OWN_PARTICIPANT_ID = re.compile(r"^p_[0-9a-f]{6,32}$")


class ImportFileError(Exception):
    """A line that cannot be imported; the message names the line and the field."""

    def __init__(self, source: str, line: int, field: str | None, problem: str) -> None:
        where = f" (field '{field}')" if field else ""
        super().__init__(f"{source}:{line}{where}: {problem}")
        self.line = line
        self.field = field


def _aware(value: datetime | None) -> datetime | None:
    """Times without a zone are taken as UTC."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


class _Edit(BaseModel):
    model_config = ConfigDict(extra="forbid")
    replaced_at: datetime
    previous_text: str

    @field_validator("replaced_at")
    @classmethod
    def _utc(cls, value: datetime) -> datetime:
        return value if value.tzinfo else value.replace(tzinfo=UTC)


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid")
    speaker: Speaker = "customer"
    kind: EntryKind | None = None
    step: str | None = None
    text: str
    at: datetime | None = None
    corrects: str | None = None
    attachment: dict[str, str] | None = None
    edits: list[_Edit] = Field(default_factory=list)

    @field_validator("at")
    @classmethod
    def _utc(cls, value: datetime | None) -> datetime | None:
        return _aware(value)


class ImportedDialogue(BaseModel):
    """One line of an import file."""

    model_config = ConfigDict(extra="ignore")
    id: str = Field(min_length=1, max_length=128)
    language: Language
    script: str
    started_at: datetime | None = None
    finished_at: datetime | None = None
    campaign: str | None = Field(default=None, max_length=64)
    participant: str | None = None
    # Exports carry every status; an imported live dialogue stays as it was (it has no channel
    # to go on in, so it never resumes).
    status: Status = "finished"
    consents: dict[Literal["storage", "quotes", "updates"], bool] = Field(default_factory=dict)
    answers: dict[str, str] | None = None
    entries: list[_Entry] | None = None

    @model_validator(mode="after")
    def _answers_or_entries(self) -> ImportedDialogue:
        if (self.answers is None) == (self.entries is None):
            raise ValueError("give either 'answers' (by step id) or 'entries'")
        return self

    @field_validator("started_at", "finished_at")
    @classmethod
    def _utc(cls, value: datetime | None) -> datetime | None:
        return _aware(value)


@dataclass(frozen=True)
class ImportResult:
    """How many lines were imported and how many were already there."""

    imported: int
    skipped: int


def parse_lines(lines: Iterable[str], source: str) -> list[tuple[int, ImportedDialogue]]:
    """Validate every line first, so a bad file imports nothing (errors name line and field)."""
    parsed: list[tuple[int, ImportedDialogue]] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as error:
            raise ImportFileError(source, number, None, f"not JSON ({error.msg})") from None
        if not isinstance(data, dict):
            raise ImportFileError(source, number, None, "expected a JSON object")
        try:
            parsed.append((number, ImportedDialogue.model_validate(data)))
        except ValidationError as error:
            first = error.errors()[0]
            field = ".".join(str(p) for p in first["loc"]) or None
            raise ImportFileError(
                source, number, field, first["msg"].removeprefix("Value error, ")
            ) from None
    return parsed


async def import_dialogues(
    uow: UnitOfWork,
    dialogues: list[tuple[int, ImportedDialogue]],
    library: ScriptLibrary,
    source: str,
    *,
    ids: IdFactory | None = None,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> ImportResult:
    """Store the dialogues not imported before (by source id)."""
    ids = ids or IdFactory()
    imported = skipped = 0
    for number, record in dialogues:
        if await uow.imports.find(record.id) is not None:
            skipped += 1
            continue
        loaded = library.get(record.script)
        if loaded is None:
            known = ", ".join(library.ids())
            raise ImportFileError(
                source, number, "script", f"unknown script {record.script!r}; known: {known}"
            )
        script = loaded.script
        entries = _entries(record, script, source, number, clock())
        now = clock()
        started = record.started_at or (entries[0].at if entries else now)
        dialogue_id = (
            record.id
            if _OWN_DIALOGUE_ID.match(record.id) and not await uow.dialogues.exists(record.id)
            else ids.dialogue()
        )
        participant_id = record.participant
        if participant_id is None or not _OWN_PARTICIPANT_ID.match(participant_id):
            participant_id = ids.participant()
        if await uow.participants.get(participant_id) is None:
            await uow.participants.create_bare(participant_id, started)
        status = record.status
        state = DialogueState(
            tag=ids.tag(),
            script_id=script.id,
            script_version=script.version,
            language=record.language,
            campaign=record.campaign,
            status=status,
            step_id=script.steps[-1].id,
            consented=True,
            consents={"storage": True, **record.consents},
        )
        await uow.dialogues.pin_script(
            loaded.checksum, script.id, script.version, loaded.source_text, now
        )
        await uow.dialogues.create(dialogue_id, participant_id, loaded.checksum, state, started)
        await uow.dialogues.set_times(
            dialogue_id,
            started=started,
            consented=started,
            finished=record.finished_at
            or (None if status in LIVE_STATUSES else (entries[-1].at if entries else started)),
        )
        for topic, granted in {"storage": True, **record.consents}.items():
            await uow.participants.add_consent(
                participant_id,
                dialogue_id,
                ConsentEvent(topic, granted, started, script.id, script.version),
            )
        for entry in entries:
            await uow.transcripts.add_imported(dialogue_id, entry)
        await uow.imports.record(record.id, dialogue_id, now)
        imported += 1
    return ImportResult(imported, skipped)


def _entries(
    record: ImportedDialogue, script: Any, source: str, number: int, now: datetime
) -> list[StoredEntry]:
    base = record.started_at or now
    step_ids = {step.id for step in script.steps}
    result: list[StoredEntry] = []
    if record.answers is not None:
        for offset, (step_id, text) in enumerate(record.answers.items()):
            step = script.step(step_id) if step_id in step_ids else None
            if not isinstance(step, AskStep | ChoiceStep):
                raise ImportFileError(
                    source,
                    number,
                    f"answers.{step_id}",
                    f"not a question of script {script.id!r}",
                )
            result.append(
                StoredEntry(
                    0, "", base + timedelta(seconds=offset), "customer", "answer", step_id, text
                )
            )
        return result
    assert record.entries is not None
    for index, entry in enumerate(record.entries):
        if entry.step is not None and entry.step not in step_ids and entry.step != "_after":
            raise ImportFileError(
                source, number, f"entries.{index}.step", f"no step {entry.step!r} in {script.id!r}"
            )
        default_kind: EntryKind = (
            "answer"
            if entry.speaker == "customer"
            else ("question" if entry.speaker == "bot" else "system")
        )
        result.append(
            StoredEntry(
                0,
                "",
                entry.at or base + timedelta(seconds=index),
                entry.speaker,
                entry.kind or default_kind,
                entry.step,
                entry.text,
                None,
                entry.attachment,
                entry.corrects,
                entry.edits[-1].replaced_at if entry.edits else None,
                tuple(EntryEdit(e.replaced_at, e.previous_text) for e in entry.edits),
            )
        )
    return result

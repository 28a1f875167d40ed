"""Transcript exports: JSONL (one dialogue per line), CSV (one entry per row), Markdown."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from conversations.transcript import DialogueInfo, StoredEntry
from needfinder.app.anonymising import anonymise_entries
from storage.unit_of_work import UnitOfWork

ExportFormat = Literal["jsonl", "csv", "md"]
CSV_COLUMNS = (
    "dialogue_id",
    "participant",
    "script",
    "language",
    "campaign",
    "status",
    "started_at",
    "entry_at",
    "speaker",
    "kind",
    "step",
    "text",
    "corrects",
)
_BATCH = 200


@dataclass(frozen=True)
class ExportOptions:
    """Which dialogues to export, and how."""

    fmt: ExportFormat = "jsonl"
    since: datetime | None = None
    script_id: str | None = None
    anonymised: bool = False
    staff_names: tuple[str, ...] = ()


async def export_dialogues(uow: UnitOfWork, options: ExportOptions) -> AsyncIterator[str]:
    """Yield the export in pieces (a header, then one piece per dialogue)."""
    infos = await uow.dialogues.for_export(since=options.since, script_id=options.script_id)
    if options.fmt == "csv":
        yield _csv_line(CSV_COLUMNS)
    for start in range(0, len(infos), _BATCH):
        batch = infos[start : start + _BATCH]
        ids = [info.id for info in batch]
        entries = await uow.transcripts.for_dialogues(ids)
        consents = await uow.dialogues.consents_by_dialogue(ids)
        identities = (
            await uow.participants.identities_of(sorted({i.participant_id for i in batch}))
            if options.anonymised
            else {}
        )
        for info in batch:
            dialogue_entries = entries[info.id]
            if options.anonymised:
                # CPU work in a thread: a dashboard streaming this keeps answering others.
                dialogue_entries = await asyncio.to_thread(
                    anonymise_entries,
                    dialogue_entries,
                    identities.get(info.participant_id, ()),
                    options.staff_names,
                    info.language,
                )
            record = dialogue_record(info, dialogue_entries, consents[info.id])
            if options.anonymised:
                record["anonymised"] = True
            yield render(record, options.fmt)


def dialogue_record(
    info: DialogueInfo, entries: Sequence[StoredEntry], consents: dict[str, bool]
) -> dict[str, Any]:
    """Return one dialogue as the JSON-ready record the JSONL export and import share."""
    return {
        "id": info.id,
        "participant": info.participant_id,
        "script": info.script_id,
        "script_version": info.script_version,
        "language": info.language,
        "campaign": info.campaign,
        "status": info.status,
        "started_at": info.started_at.isoformat(),
        "finished_at": info.finished_at.isoformat() if info.finished_at else None,
        "consents": consents,
        "entries": [entry_record(e) for e in entries],
    }


def entry_record(entry: StoredEntry) -> dict[str, Any]:
    """Return one transcript entry as JSON-ready data (empty fields left out)."""
    record: dict[str, Any] = {
        "at": entry.at.isoformat(),
        "speaker": entry.speaker,
        "kind": entry.kind,
        "step": entry.step_id,
        "text": entry.text,
    }
    if entry.corrects:
        record["corrects"] = entry.corrects
    if entry.attachment:
        record["attachment"] = entry.attachment
    if entry.edits:
        record["edits"] = [
            {"replaced_at": e.replaced_at.isoformat(), "previous_text": e.previous_text}
            for e in entry.edits
        ]
    return record


def render(record: dict[str, Any], fmt: ExportFormat) -> str:
    """Render one dialogue record in ``fmt``."""
    if fmt == "jsonl":
        return json.dumps(record, ensure_ascii=False) + "\n"
    if fmt == "csv":
        return "".join(
            _csv_line(
                (
                    record["id"],
                    record["participant"],
                    record["script"],
                    record["language"],
                    record["campaign"] or "",
                    record["status"],
                    record["started_at"],
                    e["at"],
                    e["speaker"],
                    e["kind"],
                    e["step"] or "",
                    e["text"],
                    e.get("corrects", ""),
                )
            )
            for e in record["entries"]
        )
    return _markdown(record)


def _csv_line(values: Sequence[object]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerow(values)
    return buffer.getvalue()


def _markdown(record: dict[str, Any]) -> str:
    lines = [
        f"## Dialogue {record['id']}",
        "",
        f"- script: {record['script']} v{record['script_version']}, language: "
        f"{record['language']}, status: {record['status']}",
        f"- participant: {record['participant']}, campaign: {record['campaign'] or '–'}",
        f"- started: {record['started_at']}",
        "",
    ]
    speakers = {"customer": "**Customer**", "bot": "*Bot*", "system": "·"}
    for entry in record["entries"]:
        text = str(entry["text"]).replace("\n", "  \n")
        kind = (
            ""
            if entry["kind"] in {"answer", "question", "say", "system"}
            else f" ({entry['kind']})"
        )
        lines.append(f"{speakers[entry['speaker']]}{kind}: {text}  ")
    return "\n".join(lines) + "\n\n"

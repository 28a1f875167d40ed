"""A participant's own data (``/mydata``): everything stored about them, as JSON and as text."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from conversations.transcript import StoredEntry
from storage.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class ParticipantExport:
    """The data export: a JSON-ready dict and a readable text of the same content."""

    data: dict[str, Any]
    text: str


async def build_export(uow: UnitOfWork, participant_id: str) -> ParticipantExport:
    """Collect everything stored about one participant."""
    participant = await uow.participants.get(participant_id)
    identities = await uow.participants.identities(participant_id)
    consents = await uow.participants.consents(participant_id)
    dialogues = await uow.dialogues.recent(participant_id=participant_id, limit=10_000)
    data: dict[str, Any] = {
        "participant": {
            "id": participant_id,
            "created_at": participant.created_at.isoformat() if participant else None,
            "language": participant.language if participant else None,
        },
        "identities": [
            {
                "channel": i.channel,
                "user_id": i.external_id,
                "first_name": i.first_name,
                "last_name": i.last_name,
                "username": i.username,
            }
            for i in identities
        ],
        "consents": [
            {
                "topic": c.topic,
                "granted": c.granted,
                "at": c.at.isoformat(),
                "script": f"{c.script_id} v{c.script_version}",
            }
            for c in consents
        ],
        "dialogues": [],
    }
    lines = [f"Participant {participant_id}"]
    for identity in identities:
        names = " ".join(n for n in (identity.first_name, identity.last_name) if n) or "-"
        lines.append(f"{identity.channel}: {names} (@{identity.username or '-'})")
    for consent in consents:
        answer = "yes" if consent.granted else "no"
        lines.append(f"consent {consent.topic}: {answer} at {consent.at:%Y-%m-%d %H:%M} UTC")
    for info in reversed(dialogues):
        entries = await uow.transcripts.for_dialogue(info.id)
        data["dialogues"].append(
            {
                "id": info.id,
                "script": info.script_id,
                "script_version": info.script_version,
                "status": info.status,
                "language": info.language,
                "campaign": info.campaign,
                "started_at": info.started_at.isoformat(),
                "finished_at": info.finished_at.isoformat() if info.finished_at else None,
                "entries": [_entry(e) for e in entries],
            }
        )
        lines.append("")
        lines.append(
            f"Dialogue {info.id} ({info.script_id}, {info.status}), {info.started_at:%Y-%m-%d}"
        )
        lines.extend(f"  {e.speaker}: {e.text}" for e in entries if e.speaker == "customer")
    return ParticipantExport(data, "\n".join(lines))


def _entry(entry: StoredEntry) -> dict[str, Any]:
    return {
        "at": entry.at.isoformat(),
        "speaker": entry.speaker,
        "kind": entry.kind,
        "step": entry.step_id,
        "text": entry.text,
        "corrects": entry.corrects,
        "attachment": entry.attachment,
        "edits": [
            {"replaced_at": e.replaced_at.isoformat(), "previous_text": e.previous_text}
            for e in entry.edits
        ],
    }

"""Transcripts as readable, chat-like text (terminal, Telegram staff commands)."""

from __future__ import annotations

from conversations.transcript import Transcript

_SPEAKERS = {"customer": "Customer", "bot": "Bot", "system": "·"}


def render_transcript(transcript: Transcript) -> str:
    """Render a transcript as readable, chat-like text."""
    info = transcript.info
    lines = [
        f"Dialogue {info.id} · {info.script_id} v{info.script_version} · {info.language} · "
        f"{info.status} · participant {info.participant_id} · campaign {info.campaign or '-'}",
        f"started {info.started_at:%Y-%m-%d %H:%M} UTC"
        + (f", ended {info.finished_at:%Y-%m-%d %H:%M} UTC" if info.finished_at else ""),
        "",
    ]
    if not transcript.entries:
        lines.append("(nothing stored: the customer has not consented)")
    for entry in transcript.entries:
        label = _SPEAKERS[entry.speaker]
        if entry.kind not in {"answer", "question", "say", "system"}:
            label += f" ({entry.kind}{' of ' + entry.corrects if entry.corrects else ''})"
        body = entry.text.replace("\n", "\n" + " " * 8)
        if entry.speaker == "system":
            lines.append(f"{entry.at:%H:%M}   · {body}")
        else:
            lines.append(f"{entry.at:%H:%M}   {label}: {body}")
        for edit in entry.edits:
            lines.append(f"{'':8}(edited {edit.replaced_at:%H:%M}; before: {edit.previous_text!r})")
    return "\n".join(lines)

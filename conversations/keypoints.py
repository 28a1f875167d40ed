"""Pick the key points of an answer in the customer's own words (for the mirror step)."""

from __future__ import annotations

import re

_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+|\n+")
_SPACES = re.compile(r"[ \t\r\f\v]+")


def key_points(answer: str, max_chars: int = 240) -> str:
    """Return the opening sentences of ``answer`` up to ``max_chars``, verbatim.

    The mirror step must reflect the customer's words, not ours, so this only selects and
    shortens: whole sentences first, then a cut at a word boundary marked with an ellipsis.
    """
    # Separate messages of one answer read as one text; a dash marks where one ended.
    lines = [line.strip() for line in answer.splitlines() if line.strip()]
    text = ""
    for line in lines:
        separator = "" if not text else (" " if text[-1] in ".!?…:;" else " – ")
        text += separator + line
    sentences = [s.strip() for s in _SENTENCE_END.split(_SPACES.sub(" ", text)) if s.strip()]
    if not sentences:
        return ""
    chosen: list[str] = []
    length = 0
    for sentence in sentences:
        extra = len(sentence) + (1 if chosen else 0)
        if chosen and length + extra > max_chars:
            break
        chosen.append(sentence)
        length += extra
    summary = " ".join(chosen)
    if len(summary) > max_chars:
        cut = summary[: max_chars - 1]
        if " " in cut:
            cut = cut[: cut.rfind(" ")]
        summary = cut.rstrip(",;:-– ") + "…"
    elif len(chosen) < len(sentences):
        summary += " …"
    return summary

"""Split an answer into sentences, keeping each sentence's position in the original text."""

from __future__ import annotations

import re
from dataclasses import dataclass

# A sentence ends at . ! ? … (with any closing quotes or brackets) followed by white space,
# or at a line break: several messages of one answer arrive as lines.
_BOUNDARY = re.compile(r"(?<=[.!?…])[\"'»«“”)\]]*\s+|\s*\n\s*")
# Emoji and other symbols on their own carry no content worth quoting.
_HAS_LETTER = re.compile(r"[^\W\d_]")


@dataclass(frozen=True, slots=True)
class Span:
    """A sentence of a text: ``text == source[start:end]``."""

    start: int
    end: int
    text: str


def sentences(text: str) -> tuple[Span, ...]:
    """Return the sentences of ``text`` as verbatim spans, trimmed of surrounding white space."""
    spans: list[Span] = []
    position = 0
    for match in _BOUNDARY.finditer(text):
        _add(text, position, match.start(), spans)
        position = match.end()
    _add(text, position, len(text), spans)
    return tuple(spans)


def _add(text: str, start: int, end: int, spans: list[Span]) -> None:
    """Append ``text[start:end]`` without outer white space, if it has a letter."""
    piece = text[start:end]
    stripped = piece.strip()
    if not stripped or not _HAS_LETTER.search(stripped):
        return
    start += len(piece) - len(piece.lstrip())
    spans.append(Span(start, start + len(stripped), stripped))


def shorten(span: Span, max_chars: int) -> tuple[Span, bool]:
    """Cut a span to at most ``max_chars`` at a word boundary; say whether it was cut.

    The result is still a verbatim substring (no ellipsis is added): callers that show it
    mark the cut themselves, so quotes stay exact.
    """
    if len(span.text) <= max_chars:
        return span, False
    cut = span.text[:max_chars]
    space = cut.rfind(" ")
    if space > max_chars // 3:
        cut = cut[:space]
    cut = cut.rstrip(" ,;:-–—(")
    return Span(span.start, span.start + len(cut), cut), True

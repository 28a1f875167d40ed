"""Pick representative quotes for a theme: verbatim sentences from customers who allowed it."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from needfinder.insights.themes.features import DialogueFeatures, Segment
from needfinder.insights.themes.model import Quote
from needfinder.insights.themes.segments import shorten

MAX_QUOTE_CHARS = 220
# Sentences shorter than this rarely say enough to stand alone in a digest.
_SHORT = 30
# Placeholders make a quote harder to read; prefer sentences without them.
_PLACEHOLDER = re.compile(r"\[[A-Z_]+(?:_\d+)?\]")
# Never quote anything that looks like a pseudonymous participant or dialogue id.
_INTERNAL_ID = re.compile(r"\b[pd]_[0-9a-f]{6,}\b")


def select_quotes(
    features: Sequence[DialogueFeatures],
    on_topic: Callable[[Segment], tuple[float, float]],
    count: int,
    vet: Callable[[str], bool] | None = None,
) -> tuple[Quote, ...]:
    """Choose up to ``count`` quotes from distinct dialogues, alternating languages.

    ``on_topic`` gives a sentence's score for the theme and the share of its whole score that
    belongs to the theme; sentences mostly about something else are not representative.
    Only dialogues whose customer allowed quotes are considered; ``vet`` (if given) may refuse
    a quote's text, e.g. one the anonymiser's last check would flag.
    """
    candidates: list[tuple[float, str, int, Quote]] = []
    for feature in features:
        dialogue = feature.dialogue
        if not dialogue.quotes_allowed:
            continue
        for segment in feature.segments:
            score, share = on_topic(segment)
            if score <= 0 or share < 0.5 or _INTERNAL_ID.search(segment.span.text):
                continue
            span, shortened = shorten(segment.span, MAX_QUOTE_CHARS)
            merit = share * min(score, 6.0)
            if len(span.text) < _SHORT:
                merit *= 0.5
            if shortened:
                merit *= 0.8
            if _PLACEHOLDER.search(span.text):
                merit *= 0.6
            quote = Quote(
                dialogue.id,
                segment.step_id,
                dialogue.language,
                span.text,
                span.start,
                span.end,
                shortened,
            )
            candidates.append((-merit, dialogue.id, span.start, quote))
    candidates.sort(key=lambda c: (c[0], c[1], c[2]))
    if vet is not None:
        refused: dict[str, bool] = {}

        def fine(quote: Quote) -> bool:
            if quote.text not in refused:
                refused[quote.text] = not vet(quote.text)
            return not refused[quote.text]

        # Vetting is slow (the anonymiser): only as many candidates as could be picked.
        kept: list[tuple[float, str, int, Quote]] = []
        for candidate in candidates:
            if fine(candidate[3]):
                kept.append(candidate)
            if len({c[1] for c in kept}) >= count * 3:
                break
        candidates = kept
    chosen: list[Quote] = []
    seen_dialogues: set[str] = set()
    seen_texts: set[str] = set()
    while len(chosen) < count:
        # After each pick prefer the other language, so a mixed theme shows both voices.
        wanted = None
        if chosen:
            wanted = "en" if chosen[-1].language == "de" else "de"
        pick = _first(candidates, seen_dialogues, seen_texts, wanted)
        if pick is None and wanted is not None:
            pick = _first(candidates, seen_dialogues, seen_texts, None)
        if pick is None:
            break
        chosen.append(pick)
        seen_dialogues.add(pick.dialogue_id)
        seen_texts.add(pick.text.casefold())
    return tuple(chosen)


def _first(
    candidates: Sequence[tuple[float, str, int, Quote]],
    dialogues: set[str],
    texts: set[str],
    language: str | None,
) -> Quote | None:
    """The best candidate from a new dialogue with a new text (and the wanted language)."""
    for _merit, dialogue_id, _start, quote in candidates:
        if dialogue_id in dialogues or quote.text.casefold() in texts:
            continue
        if language is None or quote.language == language:
            return quote
    return None

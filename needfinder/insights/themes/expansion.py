"""Learn, from the dialogues of one digest, which words the lexicon lacks speak about which theme.

The lexicon's concepts find the themes, but customers often describe a topic in words the
lexicon does not have ("the contact form is a black hole"). A word the lexicon does not know,
used by several customers whose sentences are clearly about one theme, is taken to be about that
theme too, and counts for it in every dialogue that uses it: one step of label propagation over
the digest's own dialogues. It is leave-one-out (a dialogue never supports itself through its
own words), needs the word's evidence to point mostly to one theme, ignores stop words and words
that too many dialogues use, and learns from nothing outside the digest: pure and deterministic.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from needfinder.insights.themes.cluster import Community, ConceptStats
from needfinder.insights.themes.features import DialogueFeatures

Scores = list[list[float]]


@dataclass(frozen=True, slots=True)
class WordLearning:
    """The knobs of learning unknown words from the digest's own dialogues."""

    #: How much a learned word counts, relative to a concept of the same rarity.
    weight: float = 0.5
    #: Share of a word's evidence that must point to one theme.
    purity: float = 0.6
    #: Evidence (in dialogues' worth) a word needs from other dialogues to count fully.
    full_support: float = 2.0
    #: Less evidence than this and the word is not used at all.
    min_support: float = 0.5
    #: Words in more than this share of the dialogues (and more than three) are too generic.
    max_share: float = 0.15
    #: Rounds of propagation (the second one learns from dialogues the first one placed).
    rounds: int = 1


def learned_scores(
    features: Sequence[DialogueFeatures],
    communities: Sequence[Community],
    stats: ConceptStats,
    scores: Scores,
    min_score: float,
    relative_score: float,
    learning: WordLearning,
) -> Scores:
    """Add to each dialogue's community ``scores`` what its unknown words say (new lists)."""
    current = [list(row) for row in scores]
    if not communities:
        return current
    owner = {c: i for i, community in enumerate(communities) for c in community.concepts}
    dialogue_words = [_words(feature) for feature in features]
    frequency: dict[str, int] = {}
    for words in dialogue_words:
        for word in words:
            frequency[word] = frequency.get(word, 0) + 1
    total = len(features)
    limit = max(3, learning.max_share * total)
    for _round in range(max(1, learning.rounds)):
        evidence = [
            _evidence(feature, row, owner, stats, len(communities), min_score, relative_score)
            for feature, row in zip(features, current, strict=True)
        ]
        sums: dict[str, list[float]] = {}
        for found in evidence:
            for word, vector in found.items():
                into = sums.setdefault(word, [0.0] * len(communities))
                for i, value in enumerate(vector):
                    into[i] += value
        updated = [list(row) for row in scores]
        for index, words in enumerate(dialogue_words):
            own = evidence[index]
            for word in words:
                if frequency[word] > limit or word not in sums:
                    continue
                vector = sums[word]
                mine = own.get(word)
                others = [v - m for v, m in zip(vector, mine, strict=True)] if mine else vector
                support = sum(others)
                if support < learning.min_support:
                    continue
                best = max(range(len(others)), key=lambda i: (others[i], -i))
                share = others[best] / support
                if share < learning.purity:
                    continue
                idf = math.log((1 + total) / (1 + frequency[word])) + 1.0
                confidence = min(1.0, support / learning.full_support)
                updated[index][best] += learning.weight * share * confidence * idf
        current = updated
    return current


def _words(feature: DialogueFeatures) -> tuple[str, ...]:
    """The dialogue's unknown content words, each once, sorted."""
    return tuple(sorted({w for segment in feature.segments for w in segment.words}))


def _evidence(
    feature: DialogueFeatures,
    row: Sequence[float],
    owner: dict[str, int],
    stats: ConceptStats,
    size: int,
    min_score: float,
    relative_score: float,
) -> dict[str, list[float]]:
    """What one dialogue says about the themes of its unknown words (one vector per word).

    Half comes from the word's own sentence (the concepts next to it), half from the themes
    the whole dialogue was placed in; a dialogue placed nowhere lends only its sentences.
    """
    best = max(row, default=0.0)
    placed: list[float] | None = None
    if best >= min_score:
        kept = [v if v >= min_score and v >= relative_score * best else 0.0 for v in row]
        placed = _normalised(kept)
    found: dict[str, list[float]] = {}
    counts: dict[str, int] = {}
    for segment in feature.segments:
        if not segment.words:
            continue
        sentence = [0.0] * size
        for concept in segment.concepts:
            i = owner.get(concept)
            if i is not None:
                sentence[i] += stats.strength(concept)
        local = _normalised(sentence) if any(sentence) else None
        if local is None and placed is None:
            continue
        vector = [
            0.5 * (local[i] if local else 0.0) + 0.5 * (placed[i] if placed else 0.0)
            for i in range(size)
        ]
        for word in segment.words:
            into = found.setdefault(word, [0.0] * size)
            for i, value in enumerate(vector):
                into[i] += value
            counts[word] = counts.get(word, 0) + 1
    # A word repeated in several sentences of one dialogue still counts as one dialogue's worth.
    return {w: [v / counts[w] for v in vector] for w, vector in found.items()}


def _normalised(values: Sequence[float]) -> list[float]:
    """The values scaled to sum to one (all zeros stay zeros)."""
    total = sum(values)
    return [v / total for v in values] if total else [0.0] * len(values)

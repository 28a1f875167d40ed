"""Draft a digest: group many dialogues' challenges and needs into themes with quotes.

>>> from insights.digest import build_digest
>>> from insights.themes.model import DigestDialogue
>>> draft = build_digest([
...     DigestDialogue("d1", "de", {"challenges": "Wir finden kein Personal."}, True),
...     DigestDialogue("d2", "en", {"challenges": "We can't find staff to hire."}, True),
... ])
>>> [(t.label.en, t.dialogue_ids) for t in draft.themes]
[('Staff', ('d1', 'd2'))]

The default method runs offline on the shipped bilingual concept lexicon (no model, no
download); see :mod:`.themes.cluster` for how themes are found. Words the lexicon lacks
are learned from the digest's own dialogues (:mod:`.themes.expansion`), so an answer in
unexpected words can still join the theme of the customers who used the same words. Everything
here is a pure function of its input: the same dialogues give the same draft, in any order.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from needfinder.insights.themes.cluster import (
    Community,
    ConceptStats,
    concept_graph,
    concept_stats,
    dialogue_scores,
    louvain,
)
from needfinder.insights.themes.expansion import WordLearning, learned_scores
from needfinder.insights.themes.features import DialogueFeatures, Segment, extract
from needfinder.insights.themes.labels import theme_label
from needfinder.insights.themes.lexicon import Lexicon, lexicon
from needfinder.insights.themes.model import THEME_STEPS, DigestDialogue, DigestDraft, Theme
from needfinder.insights.themes.quotes import select_quotes

METHOD = "concept-lexicon-v3"


@dataclass(frozen=True, slots=True)
class DigestSettings:
    """The knobs of theme building; the defaults are the ones the evaluation reports."""

    #: Louvain resolution: higher gives more, smaller themes.
    resolution: float = 1.5
    #: Strength of the lexicon's related-concept links relative to the mean data edge.
    prior: float = 5.0
    #: A dialogue joins a theme when its score there is at least this …
    min_score: float = 1.0
    #: … and at least this share of its score for its strongest theme.
    relative_score: float = 0.4
    #: Concepts seen in fewer dialogues than this take no part in forming themes.
    min_concept_dialogues: int = 2
    #: Learning of words the lexicon lacks from the digest's own dialogues (None: off).
    learning: WordLearning | None = field(default_factory=WordLearning)


def build_digest(
    dialogues: Iterable[DigestDialogue],
    *,
    max_themes: int = 12,
    quotes_per_theme: int = 3,
    min_dialogues: int = 2,
    steps: Sequence[str] = THEME_STEPS,
    settings: DigestSettings | None = None,
    concept_lexicon: Lexicon | None = None,
) -> DigestDraft:
    """Group the dialogues' answers into at most ``max_themes`` themes, largest first.

    Only answers of ``steps`` count (by default the challenges and needs of every shipped
    script). A theme needs ``min_dialogues`` dialogues. Quotes come only from dialogues that
    allowed quotes and are verbatim sentences (or word-boundary cuts) of their answers.
    """
    settings = settings or DigestSettings()
    lex = concept_lexicon or lexicon()
    ordered = sorted(dialogues, key=lambda d: d.id)
    features = extract(ordered, steps, lex)
    weights = {c.id: c.weight for c in lex.concepts.values()}
    stats = concept_stats(features, weights)
    graph = concept_graph(
        features, stats, settings.min_concept_dialogues, sorted(lex.related), settings.prior
    )
    communities = [Community(tuple(c)) for c in louvain(graph, settings.resolution)]
    scores = [dialogue_scores(feature, communities, stats) for feature in features]
    if settings.learning is not None:
        scores = learned_scores(
            features,
            communities,
            stats,
            scores,
            settings.min_score,
            settings.relative_score,
            settings.learning,
        )
    members = _assign(scores, len(communities), settings)
    themes: list[Theme] = []
    for index, community in enumerate(communities):
        chosen = [features[i] for i in members[index]]
        if len(chosen) < max(1, min_dialogues):
            continue
        themes.append(_theme(community, chosen, stats, lex, weights, quotes_per_theme))
    themes.sort(key=lambda t: (-t.dialogue_count, t.id))
    themes = themes[:max_themes]
    themed = {i for t in themes for i in t.dialogue_ids}
    return DigestDraft(
        themes=tuple(themes),
        dialogue_count=len(ordered),
        unthemed_dialogue_ids=tuple(d.id for d in ordered if d.id not in themed),
        method=METHOD,
    )


def _assign(
    scores: Sequence[Sequence[float]], size: int, settings: DigestSettings
) -> list[list[int]]:
    """For each community, the dialogues (by index) that speak about it strongly enough."""
    members: list[list[int]] = [[] for _ in range(size)]
    for index, row in enumerate(scores):
        best = max(row, default=0.0)
        for community, value in enumerate(row):
            if value >= settings.min_score and value >= settings.relative_score * best:
                members[community].append(index)
    return members


def _theme(
    community: Community,
    chosen: Sequence[DialogueFeatures],
    stats: ConceptStats,
    lex: Lexicon,
    weights: dict[str, float],
    quotes_per_theme: int,
) -> Theme:
    """Build one theme from its community and the dialogues assigned to it."""
    concepts = set(community.concepts)
    mass: dict[str, float] = {}
    for feature in chosen:
        for concept in feature.concepts & concepts:
            mass[concept] = mass.get(concept, 0.0) + stats.strength(concept)
    ranked = sorted(mass, key=lambda c: (-mass[c], c))

    def on_topic(segment: Segment) -> tuple[float, float]:
        inside = sum(stats.strength(c) for c in segment.concepts if c in concepts)
        total = sum(stats.strength(c) for c in segment.concepts)
        return inside, (inside / total if total else 0.0)

    languages: dict[str, int] = {}
    for feature in chosen:
        languages[feature.dialogue.language] = languages.get(feature.dialogue.language, 0) + 1
    return Theme(
        id=ranked[0] if ranked else community.concepts[0],
        label=theme_label(ranked, lex, weights),
        dialogue_ids=tuple(f.dialogue.id for f in chosen),
        quotes=select_quotes(chosen, on_topic, quotes_per_theme),
        concepts=tuple(ranked),
        languages=languages,
    )

"""Draft a digest, needs first: what customers need, and apart from it what they struggle with.

>>> from needfinder.insights.digest import build_digest
>>> from needfinder.insights.themes.model import DigestDialogue
>>> draft = build_digest([
...     DigestDialogue("d1", "de", {"needs": "Wir bräuchten schnellere Lieferungen."}, True),
...     DigestDialogue("d2", "en", {"needs": "We need shorter lead times."}, True),
... ])
>>> [(t.label.en, t.dialogue_ids) for t in draft.themes]
[('Delivery speed and availability', ('d1', 'd2'))]

Each sentence of the needs answer (and, with less weight, of the challenges answer) is given a
probability for every known need and struggle by a small classifier trained on the development
set (:mod:`.themes.needs`); clauses saying a topic is fine or not needed count for nothing.
A dialogue's *primary* need is the need with the most evidence, a *secondary* one only when its
evidence is nearly as strong, so side remarks do not make a dialogue belong everywhere.
Dialogues whose needs fit none of the known needs are grouped among themselves by the words they
share (deterministic Louvain), so a new need still surfaces as its own theme. Struggles — staff,
rent, weather, succession … — form a section of their own and are never need themes.
Everything here is a pure function of its input: the same dialogues give the same draft.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from functools import cache

from needfinder.insights.anonymise import Anonymiser
from needfinder.insights.themes.cluster import louvain
from needfinder.insights.themes.features import DialogueFeatures, Segment, content_words
from needfinder.insights.themes.lexicon import Language, Lexicon, lexicon
from needfinder.insights.themes.model import (
    THEME_STEPS,
    DigestDialogue,
    DigestDraft,
    Theme,
    ThemeLabel,
)
from needfinder.insights.themes.needs import (
    NEED_PREFIX,
    STRUGGLE_PREFIX,
    NeedModel,
    features,
    need_config,
    need_model,
    settled_clauses,
)
from needfinder.insights.themes.quotes import select_quotes
from needfinder.insights.themes.segments import sentences

METHOD = "needs-first-v1"
#: Steps whose answers say what is needed; the others (challenges, changes) only support.
NEED_STEPS = frozenset({"needs", "digital_tasks", "tomorrow", "where_we_must_be"})


@dataclass(frozen=True, slots=True)
class DigestSettings:
    """The knobs of theme building; the defaults are the ones the evaluation reports."""

    #: How much a challenges sentence counts for a need, relative to a needs sentence.
    support_weight: float = 0.5
    #: A dialogue's primary need needs at least this much evidence (summed probabilities) …
    min_need: float = 0.5
    #: … or, for a short answer said in words the classifier is unsure of, at least this much
    #: when it is ``dominance`` times the evidence of any other need.
    weak_need: float = 0.3
    dominance: float = 3.0
    #: … a secondary need at least this share of the primary's evidence (and ``min_need``).
    secondary_ratio: float = 0.7
    #: A struggle counts for a dialogue from this much evidence on.
    min_struggle: float = 0.5
    #: A sentence is quoted for a theme only when at least this probable for it.
    min_quote: float = 0.5


@dataclass(slots=True)
class _Dialogue:
    """One dialogue's classified sentences and its evidence per need and struggle."""

    feature: DialogueFeatures
    probabilities: list[list[float]]
    needs: dict[str, float]
    struggles: dict[str, float]


def build_digest(
    dialogues: Iterable[DigestDialogue],
    *,
    max_themes: int = 12,
    quotes_per_theme: int = 3,
    min_dialogues: int = 2,
    steps: Sequence[str] = THEME_STEPS,
    settings: DigestSettings | None = None,
    model: NeedModel | None = None,
    concept_lexicon: Lexicon | None = None,
) -> DigestDraft:
    """Group the dialogues into need themes (largest first) and a section of struggles.

    Only answers of ``steps`` count. A theme needs ``min_dialogues`` dialogues. Quotes come only
    from dialogues that allowed quotes and are verbatim sentences (or word-boundary cuts).
    """
    settings = settings or DigestSettings()
    model = model or need_model()
    lex = concept_lexicon or lexicon()
    ordered = sorted(dialogues, key=lambda d: d.id)
    analysed = [_analyse(d, steps, model, lex, settings) for d in ordered]
    members: dict[str, list[int]] = {}
    secondary: dict[str, set[int]] = {}
    pool: list[int] = []
    for index, item in enumerate(analysed):
        ranked = sorted(item.needs.items(), key=lambda kv: (-kv[1], kv[0]))
        if ranked and _primary(ranked, settings):
            members.setdefault(ranked[0][0], []).append(index)
            if (
                len(ranked) > 1
                and ranked[1][1] >= settings.min_need
                and ranked[1][1] >= settings.secondary_ratio * ranked[0][1]
            ):
                members.setdefault(ranked[1][0], []).append(index)
                secondary.setdefault(ranked[1][0], set()).add(index)
        elif any(s.step_id in NEED_STEPS for s in item.feature.segments):
            pool.append(index)
    config = need_config()
    themes: list[Theme] = []
    for need, indices in members.items():
        if len(indices) < max(1, min_dialogues):
            continue
        chosen = [analysed[i] for i in indices]
        column = model.classes.index(NEED_PREFIX + need)
        theme = _theme(
            need, config.needs[need], (need,), chosen, column, quotes_per_theme, settings, "need"
        )
        second = tuple(analysed[i].feature.dialogue.id for i in sorted(secondary.get(need, ())))
        themes.append(replace(theme, secondary_ids=second))
    for label, words, indices in _new_needs(analysed, pool, max(2, min_dialogues)):
        chosen = [analysed[i] for i in indices]
        themes.append(
            _theme(
                f"other-{words[0]}", label, words, chosen, None, quotes_per_theme, settings, "other"
            )
        )
    themes.sort(key=lambda t: (-t.dialogue_count, t.id))
    themes = themes[:max_themes]
    struggles: list[Theme] = []
    for struggle, struggle_label in config.struggles.items():
        chosen = [a for a in analysed if a.struggles.get(struggle, 0.0) >= settings.min_struggle]
        if len(chosen) < max(1, min_dialogues):
            continue
        column = model.classes.index(STRUGGLE_PREFIX + struggle)
        struggles.append(
            _theme(
                f"struggle-{struggle}",
                struggle_label,
                (struggle,),
                chosen,
                column,
                quotes_per_theme,
                settings,
                "struggle",
            )
        )
    struggles.sort(key=lambda t: (-t.dialogue_count, t.id))
    themed = {i for t in themes for i in t.dialogue_ids}
    return DigestDraft(
        themes=tuple(themes),
        dialogue_count=len(ordered),
        unthemed_dialogue_ids=tuple(d.id for d in ordered if d.id not in themed),
        method=METHOD,
        struggles=tuple(struggles),
    )


def _primary(ranked: Sequence[tuple[str, float]], settings: DigestSettings) -> bool:
    """Whether the strongest need is evidence enough to be the dialogue's primary need."""
    top = ranked[0][1]
    second = ranked[1][1] if len(ranked) > 1 else 0.0
    if top >= settings.min_need:
        return True
    return top >= settings.weak_need and top >= settings.dominance * second


def _analyse(
    dialogue: DigestDialogue,
    steps: Sequence[str],
    model: NeedModel,
    lex: Lexicon,
    settings: DigestSettings,
) -> _Dialogue:
    """Classify every sentence of a dialogue and add up its evidence per need and struggle."""
    segments: list[Segment] = []
    probabilities: list[list[float]] = []
    needs: dict[str, float] = {}
    struggles: dict[str, float] = {}
    for step_id in steps:
        text = dialogue.answers.get(step_id)
        if not text:
            continue
        weight = 1.0 if step_id in NEED_STEPS else settings.support_weight
        for span in sentences(text):
            row = model.probabilities(features(span.text, dialogue.language, lex))
            segments.append(Segment(step_id, span, {}))
            probabilities.append(row)
            for name, value in zip(model.classes, row, strict=True):
                if name.startswith(NEED_PREFIX):
                    key = name[len(NEED_PREFIX) :]
                    needs[key] = needs.get(key, 0.0) + weight * value
                elif name.startswith(STRUGGLE_PREFIX):
                    key = name[len(STRUGGLE_PREFIX) :]
                    struggles[key] = struggles.get(key, 0.0) + value
    return _Dialogue(DialogueFeatures(dialogue, tuple(segments)), probabilities, needs, struggles)


def _new_needs(
    analysed: Sequence[_Dialogue], pool: Sequence[int], min_dialogues: int
) -> list[tuple[ThemeLabel, tuple[str, ...], list[int]]]:
    """Group dialogues whose needs fit no known need by the content words they share.

    Words shared by at least two of them are the nodes of a co-occurrence graph; its Louvain
    communities are new needs, and each dialogue joins the community its words weigh most in.
    """
    terms: dict[int, set[str]] = {}
    surface: dict[str, Counter[tuple[str, str]]] = {}
    for index in pool:
        dialogue = analysed[index].feature.dialogue
        found: set[str] = set()
        for segment in analysed[index].feature.segments:
            if segment.step_id not in NEED_STEPS:
                continue
            for words, settled in settled_clauses(segment.span.text, dialogue.language):
                if settled:
                    continue
                for key, word in _keys(words, dialogue.language):
                    found.add(key)
                    surface.setdefault(key, Counter())[(dialogue.language, word)] += 1
        terms[index] = found
    df = Counter(t for found in terms.values() for t in found)
    kept = {t for t, n in df.items() if n >= 2}
    edges: dict[str, dict[str, float]] = {t: {} for t in sorted(kept)}
    for found in terms.values():
        shared = sorted(found & kept)
        for a in shared:
            for b in shared:
                if a != b:
                    edges[a][b] = edges[a].get(b, 0.0) + 1.0 / len(shared)
    communities = louvain(edges, 1.0)
    owner = {t: i for i, group in enumerate(communities) for t in group}
    groups: dict[int, list[int]] = {}
    for index in pool:
        weights: dict[int, float] = {}
        for term in terms[index] & kept:
            weights[owner[term]] = weights.get(owner[term], 0.0) + math.log(
                (1 + len(pool)) / df[term]
            )
        if weights:
            best = min(weights, key=lambda g: (-weights[g], g))
            groups.setdefault(best, []).append(index)
    result: list[tuple[ThemeLabel, tuple[str, ...], list[int]]] = []
    for group, indices in sorted(groups.items()):
        if len(indices) < min_dialogues:
            continue
        inside = Counter(t for i in indices for t in terms[i] if owner.get(t) == group)
        ranked = sorted(inside.items(), key=lambda kv: (-kv[1], kv[0]))
        top: tuple[str, ...] = tuple(t for t, _n in ranked[:3])
        result.append((_label(top, surface), top, indices))
    return result


def _keys(words: Sequence[str], language: Language) -> list[tuple[str, str]]:
    """The content words of a clause as (key, word), function words left out."""
    lang: Language = "de" if language == "de" else "en"
    result: list[tuple[str, str]] = []
    for word in words:
        for key in content_words([word], lang):
            result.append((key, word))
    return result


def _label(words: Sequence[str], surface: dict[str, Counter[tuple[str, str]]]) -> ThemeLabel:
    """Name a new need after its strongest words, as German and English customers wrote them.

    "Weiteres Anliegen: rampe, barrierefrei" — the words stay lower case and a word the
    anonymiser would flag (it might be a name) is left out, so the label passes the last
    check before publication; staff give it a proper name.
    """
    checker = _checker()
    prefixes = {"de": "Weiteres Anliegen", "en": "Another need"}
    names: dict[str, str] = {}
    for language in ("de", "en"):
        picked: list[str] = []
        for key in words:
            forms = [(n, w) for (lang, w), n in surface[key].items() if lang == language]
            forms = forms or [(n, w) for (_lang, w), n in surface[key].items()]
            word = min(forms, key=lambda f: (-f[0], f[1]))[1].lower()
            label = f"{prefixes[language]}: " + ", ".join([*picked, word])
            if word not in picked and len(picked) < 2 and not checker.check(label, language):
                picked.append(word)
        names[language] = f"{prefixes[language]}: " + ", ".join(picked) if picked else ""
    return ThemeLabel(
        names["de"] or prefixes["de"],
        names["en"] or prefixes["en"],
    )


def _publishable(text: str) -> bool:
    """Whether a quote passes the anonymiser's last check (approval runs it again)."""
    return not _checker().check(text)


@cache
def _checker() -> Anonymiser:
    """The anonymiser that vets words taken from answers for a label."""
    return Anonymiser()


def _theme(
    theme_id: str,
    label: ThemeLabel,
    concepts: tuple[str, ...],
    chosen: Sequence[_Dialogue],
    column: int | None,
    quotes_per_theme: int,
    settings: DigestSettings,
    kind: str,
) -> Theme:
    """A theme from its dialogues; quotes are sentences that speak for it (``column``)."""
    probability: dict[int, float] = {}
    for item in chosen:
        for segment, row in zip(item.feature.segments, item.probabilities, strict=True):
            if column is not None:
                value = row[column]
            else:
                # A new need speaks in the needs answer; the classifier knows nothing of it.
                value = 1.0 if segment.step_id in NEED_STEPS else 0.0
            if kind == "need" and segment.step_id not in NEED_STEPS:
                value *= 0.8
            probability[id(segment)] = value

    def on_topic(segment: Segment) -> tuple[float, float]:
        value = probability.get(id(segment), 0.0)
        if value < settings.min_quote:
            return 0.0, 0.0
        return 3.0 * value, value

    languages: Counter[str] = Counter(item.feature.dialogue.language for item in chosen)
    return Theme(
        id=theme_id,
        label=label,
        dialogue_ids=tuple(item.feature.dialogue.id for item in chosen),
        quotes=select_quotes(
            [item.feature for item in chosen], on_topic, quotes_per_theme, _publishable
        ),
        concepts=concepts,
        languages=dict(languages),
        kind=kind,
    )

"""Map German and English words to shared concepts, using the curated lexicon in package data.

The lexicon (``insights/data/concepts.yaml``) lists, per concept, German and English words,
stems and phrases. Matching folds case and umlauts, strips common inflection endings, and splits
German compounds greedily into known parts ("Fachkräftemangel" → staff + shortage), so the
lexicon needs stems, not every word form.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache, lru_cache
from importlib import resources
from typing import Any, Literal

import yaml

Language = Literal["de", "en"]

_FOLD = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "’": "'"})
_TOKEN = re.compile(r"[^\W_]+(?:[-'][^\W_]+)*")
# Inflection endings tried when a word is not in the lexicon as written.
_ENDINGS: dict[Language, tuple[str, ...]] = {
    "de": ("ern", "en", "er", "es", "em", "e", "n", "s"),
    "en": ("'s", "ies", "es", "s"),
}
# German compound parts: a stem inside a word must be this long, a whole word at its end this
# long, so that short words do not match by accident ("amt" in "insgesamt").
_MIN_INNER_STEM = 5
_MIN_HEAD_WORD = 4


def fold(text: str) -> str:
    """Lower-case and fold umlauts and ß, so "Kräfte" and "Kraefte" meet."""
    return text.lower().translate(_FOLD)


def tokens(text: str) -> list[str]:
    """Return the folded words of ``text`` (hyphenated words stay one token)."""
    return _TOKEN.findall(fold(text))


@dataclass(frozen=True, slots=True)
class Concept:
    """One idea customers mention, with its labels and its weight in theme building."""

    id: str
    label_de: str
    label_en: str
    weight: float = 1.0


@dataclass(slots=True)
class _Table:
    """The terms of one language, indexed for fast look-up."""

    words: dict[str, set[str]] = field(default_factory=dict)
    stems: dict[str, set[str]] = field(default_factory=dict)
    exceptions: dict[str, set[str]] = field(default_factory=dict)
    # phrase first word (or stem, marked with "*") -> [(patterns, concept id)]
    phrases: dict[str, list[tuple[tuple[str, ...], str]]] = field(default_factory=dict)
    stem_lengths: tuple[int, ...] = ()
    phrase_stem_lengths: tuple[int, ...] = ()


class Lexicon:
    """Concepts and the words that express them, for German and English."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self.concepts: dict[str, Concept] = {}
        #: Pairs of related concepts (each pair once, sorted), a prior for theme building.
        self.related: set[tuple[str, str]] = set()
        self._tables: dict[Language, _Table] = {"de": _Table(), "en": _Table()}
        for concept_id, entry in data["concepts"].items():
            label = entry["label"]
            self.concepts[concept_id] = Concept(
                concept_id, label["de"], label["en"], float(entry.get("weight", 1.0))
            )
            for other in entry.get("related", ()):
                pair = (concept_id, str(other))
                self.related.add((min(pair), max(pair)))
            for language in ("de", "en"):
                for term in entry.get(language, ()):
                    self._add(self._tables[language], concept_id, str(term))
        for table in self._tables.values():
            table.stem_lengths = tuple(sorted({len(s) for s in table.stems}, reverse=True))
            table.phrase_stem_lengths = tuple(
                sorted({len(k) - 1 for k in table.phrases if k.endswith("*")}, reverse=True)
            )
        # Per-instance caches: a bound method cached at class level would keep lexicons alive.
        self.word_concepts = lru_cache(maxsize=200_000)(self._word_concepts)

    @staticmethod
    def _add(table: _Table, concept_id: str, term: str) -> None:
        """Index one term of the lexicon file."""
        term = fold(term.strip())
        if term.startswith("!"):
            table.exceptions.setdefault(term[1:].rstrip("*"), set()).add(concept_id)
        elif " " in term:
            parts = tuple(term.split())
            table.phrases.setdefault(parts[0], []).append((parts, concept_id))
        elif term.endswith("*"):
            table.stems.setdefault(term[:-1], set()).add(concept_id)
        else:
            table.words.setdefault(term, set()).add(concept_id)

    def concepts_in(self, text: str, language: Language) -> dict[str, int]:
        """Count the concepts mentioned in ``text`` (a phrase's words count once, for it)."""
        words = tokens(text)
        table = self._tables[language]
        counts: dict[str, int] = {}
        i = 0
        while i < len(words):
            matched = self._phrase_at(table, words, i)
            if matched is not None:
                length, concept_ids = matched
                i += length
            else:
                concept_ids = self.word_concepts(words[i], language)
                i += 1
            for concept_id in concept_ids:
                counts[concept_id] = counts.get(concept_id, 0) + 1
        return counts

    def _phrase_at(
        self, table: _Table, words: list[str], i: int
    ) -> tuple[int, frozenset[str]] | None:
        """Return the longest phrase starting at word ``i``: its length and concepts."""
        if not table.phrases:
            return None
        word = words[i]
        candidates = list(table.phrases.get(word, ()))
        for length in table.phrase_stem_lengths:
            if len(word) >= length:
                candidates += table.phrases.get(word[:length] + "*", ())
        best: tuple[int, frozenset[str]] | None = None
        for parts, concept_id in candidates:
            if i + len(parts) > len(words):
                continue
            following = words[i + 1 : i + len(parts)]
            if all(_pattern_matches(p, w) for p, w in zip(parts[1:], following, strict=True)):
                if best is None or len(parts) > best[0]:
                    best = (len(parts), frozenset({concept_id}))
                elif len(parts) == best[0]:
                    best = (best[0], best[1] | {concept_id})
        return best

    def _word_concepts(self, word: str, language: Language) -> frozenset[str]:
        """Concepts of one folded word (cached: a digest sees the same words many times)."""
        table = self._tables[language]
        found = self._match(table, word, language)
        if not found and "-" in word:
            found = self._match(table, word.replace("-", ""), language)
            if not found:
                for part in word.split("-"):
                    found |= self._match(table, part, language)
        excluded = {
            concept
            for stem, concepts in table.exceptions.items()
            if word.startswith(stem)
            for concept in concepts
        }
        return frozenset(found - excluded)

    def _match(self, table: _Table, word: str, language: Language) -> set[str]:
        """Concepts of a word: as written, with an ending removed, by stem or compound parts."""
        for form in _forms(word, language):
            if form in table.words:
                return set(table.words[form])
        if language == "de":
            return self._compound(table, word)
        stem = _longest_stem(table, word, 0)
        return set(table.stems[stem]) if stem else set()

    def _compound(self, table: _Table, word: str) -> set[str]:
        """Split a German word greedily into known stems and a known last word."""
        found: set[str] = set()
        i = 0
        while i < len(word) - 2:
            stem = _longest_stem(table, word, i)
            if stem and (i == 0 or len(stem) >= _MIN_INNER_STEM):
                found |= table.stems[stem]
                i += len(stem)
                continue
            if i > 0:
                head = word[i:]
                for form in _forms(head, "de"):
                    if len(form) >= _MIN_HEAD_WORD and form in table.words:
                        found |= table.words[form]
                        return found
            i += 1
        return found


def _pattern_matches(pattern: str, word: str) -> bool:
    """Whether a phrase pattern (word or ``stem*``) matches a folded word."""
    if pattern.endswith("*"):
        return word.startswith(pattern[:-1])
    return pattern == word or any(
        word == pattern + ending for ending in ("s", "es", "e", "en", "n", "er", "'s")
    )


def _forms(word: str, language: Language) -> Iterable[str]:
    """The word and the word without one inflection ending."""
    yield word
    for ending in _ENDINGS[language]:
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            yield word[: -len(ending)] + ("y" if ending == "ies" else "")


def _longest_stem(table: _Table, word: str, start: int) -> str | None:
    """The longest lexicon stem that ``word`` has at ``start``."""
    rest = len(word) - start
    for length in table.stem_lengths:
        if length <= rest and word[start : start + length] in table.stems:
            return word[start : start + length]
    return None


@cache
def lexicon() -> Lexicon:
    """The shipped lexicon, loaded once from package data (no network, no model)."""
    text = resources.files("insights").joinpath("data/concepts.yaml").read_text("utf-8")
    return Lexicon(yaml.safe_load(text))

"""Map German and English words to shared concepts, using the curated lexicon in package data.

The lexicon (``insights/data/concepts.yaml``) lists, per concept, German and English words,
stems and phrases. Matching folds case and umlauts, strips common inflection endings (English
"-ing"/"-ed" too), splits German compounds greedily into known parts ("Fachkräftemangel" →
staff + shortage), and forgives one typing slip in longer words ("Mitrabeiter"), so the lexicon
needs stems, not every word form.

Some words mean different things in different topics ("stock" next to a till system is data,
not a delivery; "pay" next to a price rise is a cost, not a late payment). The lexicon's
``context`` rules say, per sentence, which concept such a word stands for given the concepts
around it, so an ambiguous word follows the sentence's topic instead of pulling it elsewhere.
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
    "en": ("'s", "ies", "ing", "ed", "es", "s"),
}
# German compound parts: a stem inside a word must be this long, a whole word at its end this
# long, so that short words do not match by accident ("amt" in "insgesamt").
_MIN_INNER_STEM = 5
_MIN_HEAD_WORD = 4
# Typing slips (two letters swapped, one dropped or doubled, never the first letter) are
# forgiven in words of this length or more, against lexicon terms at least this long, so that
# short words do not turn into other short words ("Tür" is no slip of "teuer").
_MIN_SLIP_WORD = 6
_MIN_SLIP_TERM = 6


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


@dataclass(frozen=True, slots=True)
class ContextRule:
    """In a sentence that also mentions one of ``near``, ``concept`` becomes ``becomes``.

    ``becomes`` None drops the concept: its word meant nothing topical there.
    """

    concept: str
    near: frozenset[str]
    becomes: str | None


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
    # Every term with one typing slip -> the term (words as a whole, stems as prefixes).
    slipped_words: dict[str, set[str]] = field(default_factory=dict)
    slipped_stems: dict[str, set[str]] = field(default_factory=dict)
    slipped_stem_lengths: tuple[int, ...] = ()


class Lexicon:
    """Concepts and the words that express them, for German and English."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self.concepts: dict[str, Concept] = {}
        #: Pairs of related concepts (each pair once, sorted), a prior for theme building.
        self.related: set[tuple[str, str]] = set()
        self._tables: dict[Language, _Table] = {"de": _Table(), "en": _Table()}
        #: Disambiguation by the sentence's other concepts, applied in order.
        self.context: tuple[ContextRule, ...] = tuple(
            ContextRule(
                str(rule["concept"]),
                frozenset(str(c) for c in rule["near"]),
                None if rule.get("becomes") is None else str(rule["becomes"]),
            )
            for rule in data.get("context", ())
        )
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
            _index_slips(table)
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
        return self.analyse(text, language)[0]

    def analyse(self, text: str, language: Language) -> tuple[dict[str, int], list[str]]:
        """Count the concepts in ``text`` and list its folded words that matched no concept."""
        words = tokens(text)
        table = self._tables[language]
        counts: dict[str, int] = {}
        unmatched: list[str] = []
        i = 0
        while i < len(words):
            matched = self._phrase_at(table, words, i)
            if matched is not None:
                length, concept_ids = matched
                i += length
            else:
                concept_ids = self.word_concepts(words[i], language)
                if not concept_ids:
                    unmatched.append(words[i])
                i += 1
            for concept_id in concept_ids:
                counts[concept_id] = counts.get(concept_id, 0) + 1
        return self._disambiguate(counts), unmatched

    def _disambiguate(self, counts: dict[str, int]) -> dict[str, int]:
        """Apply the context rules: each looks at the sentence's concepts as first found."""
        if not self.context or len(counts) < 2:
            return counts
        found = set(counts)
        result = dict(counts)
        for rule in self.context:
            if rule.concept not in result or rule.concept not in found:
                continue
            if not rule.near & (found - {rule.concept}):
                continue
            count = result.pop(rule.concept)
            if rule.becomes is not None:
                result[rule.becomes] = result.get(rule.becomes, 0) + count
        return result

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
        if not found and len(word) >= _MIN_SLIP_WORD and word.isalpha():
            found = self._slip(table, word, language)
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

    @staticmethod
    def _slip(table: _Table, word: str, language: Language) -> set[str]:
        """Concepts of a word that is a lexicon term with one typing slip."""
        for form in _forms(word, language):
            if form in table.slipped_words:
                return {c for term in sorted(table.slipped_words[form]) for c in table.words[term]}
        for length in table.slipped_stem_lengths:
            prefix = word[:length]
            if length <= len(word) and prefix in table.slipped_stems:
                return {c for term in table.slipped_stems[prefix] for c in table.stems[term]}
        return set()

    def _compound(self, table: _Table, word: str) -> set[str]:
        """Split a German word greedily into known stems and a known last word."""
        found: set[str] = set()
        i = 0
        while i < len(word) - 2:
            inner = i > 0
            if inner and not _part_starts_at(word, i):
                i += 1
                continue
            stem = _longest_stem(table, word, i)
            if stem and (not inner or len(stem) >= _MIN_INNER_STEM):
                found |= table.stems[stem]
                i += len(stem)
                continue
            if inner:
                head = word[i:]
                for form in _forms(head, "de"):
                    if len(form) >= _MIN_HEAD_WORD and form in table.words:
                        found |= table.words[form]
                        return found
            i += 1
        return found


def _part_starts_at(word: str, i: int) -> bool:
    """Whether a compound part may start at ``i`` (after three letters, or a participle's "ge").

    A short prefix is no compound part: "Vertrag" holds no "Ertrag", "ankündigen" no
    "kündigen", but "gekündigt" does hold "kündig".
    """
    return i >= 3 or (i == 2 and word.startswith("ge"))


def _slips(term: str, *, stem: bool = False) -> set[str]:
    """The term with one typing slip: two neighbours swapped, a letter dropped or doubled.

    A stem never loses a letter (as a prefix, "mitteil" without its "i" would be "mittel"),
    nor a word its last one ("directory" without its "y" is "director").
    """
    slips: set[str] = set()
    for i in range(1, len(term)):
        if not stem and i < len(term) - 1:
            slips.add(term[:i] + term[i + 1 :])
        slips.add(term[:i] + term[i] + term[i:])
        if i + 1 < len(term):
            slips.add(term[:i] + term[i + 1] + term[i] + term[i + 2 :])
    slips.discard(term)
    return slips


def _index_slips(table: _Table) -> None:
    """Index every long enough word and stem under each of its slips (real terms win)."""
    for term in table.words:
        if len(term) >= _MIN_SLIP_TERM and term.isalpha():
            for slip in _slips(term):
                if slip not in table.words:
                    table.slipped_words.setdefault(slip, set()).add(term)
    for stem in table.stems:
        if len(stem) >= _MIN_SLIP_TERM and stem.isalpha():
            for slip in _slips(stem, stem=True):
                if slip not in table.stems:
                    table.slipped_stems.setdefault(slip, set()).add(stem)
    table.slipped_stem_lengths = tuple(sorted({len(s) for s in table.slipped_stems}, reverse=True))


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
            base = word[: -len(ending)]
            if ending == "ies":
                yield base + "y"
            elif ending in ("ing", "ed"):
                # "hiring" → hire, "planned" → plan, "ordered" → order.
                yield base
                yield base + "e"
                if base[-1] == base[-2] and base[-1] not in "aeiouls" and len(base) > 3:
                    yield base[:-1]
            else:
                yield base


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
    text = resources.files("needfinder.insights").joinpath("data/concepts.yaml").read_text("utf-8")
    return Lexicon(yaml.safe_load(text))

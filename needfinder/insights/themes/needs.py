"""Tell what a sentence says a customer needs: a small trained classifier over word features.

A sentence becomes a bag of features — folded word keys, word pairs, letter 4-grams (so German
compounds and typing slips still share features with the words they contain) and the concept
lexicon's concepts as one more signal. Clauses that say a topic is fine or not needed ("die
Preise sind völlig okay", "we don't need software hookups") keep only marked features (``~``), so
the classifier learns they say nothing for that topic — and even unseen marked words never count
for it. A multinomial logistic regression, trained on the development set by
``scripts/train_themes.py`` and shipped as ``data/need_model.json``, gives each sentence a
probability for every known need, every known struggle and "nothing of the kind".
"""

from __future__ import annotations

import itertools
import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

from needfinder.insights.themes.lexicon import Language, Lexicon, fold, lexicon, tokens
from needfinder.insights.themes.model import ThemeLabel

MODEL_FORMAT = "needfinder-need-model/1"
NONE = "none"
NEED_PREFIX = "need:"
STRUGGLE_PREFIX = "struggle:"

_PLACEHOLDER = re.compile(r"\[[A-Z_]+(?:_\d+)?\]")
# Clause boundaries inside a sentence: punctuation that separates statements.
_CLAUSE_PUNCTUATION = re.compile(r"\s*(?:[,;:()]|\s[-–—]\s)\s*")
# Words shorter than this give no letter 4-grams (they are features as whole words).
_MIN_GRAM_WORD = 5


@dataclass(frozen=True, slots=True)
class NeedConfig:
    """The known needs and struggles with their labels, and the cue phrases of clauses."""

    needs: Mapping[str, ThemeLabel]
    struggles: Mapping[str, ThemeLabel]
    no_need: Mapping[str, tuple[tuple[str, ...], ...]]
    satisfied: Mapping[str, tuple[tuple[str, ...], ...]]
    short_satisfied: Mapping[str, frozenset[tuple[str, ...]]]
    wanting: Mapping[str, frozenset[str]]
    negators: Mapping[str, tuple[tuple[str, ...], ...]]
    clause_words: Mapping[str, frozenset[str]]
    #: Lexicon concept → the needs and struggles it usually speaks for.
    signals: Mapping[str, tuple[str, ...]]


@cache
def need_config() -> NeedConfig:
    """The shipped configuration (``data/needs.yaml``)."""
    package = resources.files("needfinder.insights")
    data = yaml.safe_load(package.joinpath("data/needs.yaml").read_text("utf-8"))

    def labels(section: Mapping[str, Mapping[str, str]]) -> dict[str, ThemeLabel]:
        return {key: ThemeLabel(value["de"], value["en"]) for key, value in section.items()}

    def phrases(section: Mapping[str, Sequence[str]]) -> dict[str, tuple[tuple[str, ...], ...]]:
        return {
            language: tuple(
                sorted({tuple(tokens(str(p))) for p in items if tokens(str(p))}, key=len)[::-1]
            )
            for language, items in section.items()
        }

    def words(section: Mapping[str, Sequence[str]]) -> dict[str, frozenset[str]]:
        return {
            language: frozenset(fold(str(w)) for w in items) for language, items in section.items()
        }

    return NeedConfig(
        needs=labels(data["needs"]),
        struggles=labels(data["struggles"]),
        no_need=phrases(data["no_need"]),
        satisfied=phrases(data["satisfied"]),
        short_satisfied={
            language: frozenset(tuple(tokens(str(p))) for p in items)
            for language, items in data["short_satisfied"].items()
        },
        wanting=words(data["wanting"]),
        negators=phrases(data["negators"]),
        clause_words=words(data["clause_words"]),
        signals=_signals(data.get("signals", {})),
    )


def _signals(section: Mapping[str, Sequence[str]]) -> dict[str, tuple[str, ...]]:
    """Invert need → concepts into concept → needs."""
    result: dict[str, list[str]] = {}
    for target, concepts in section.items():
        for concept in concepts:
            result.setdefault(str(concept), []).append(str(target))
    return {c: tuple(t) for c, t in result.items()}


def shipped_label(text: str) -> bool:
    """Whether ``text`` is one of the shipped need or struggle labels (package text, written by
    us: it names no customer, whatever a statistical name tagger may think of "Wettbewerb")."""
    config = need_config()
    labels = (*config.needs.values(), *config.struggles.values())
    return any(text in (label.de, label.en) for label in labels)


def clauses(text: str, language: Language) -> list[list[str]]:
    """Split a sentence into clauses of folded words (at , ; : dashes and "but"/"aber" …)."""
    config = need_config()
    boundary = config.clause_words.get(language, frozenset())
    result: list[list[str]] = []
    for piece in _CLAUSE_PUNCTUATION.split(_PLACEHOLDER.sub(" ", text)):
        current: list[str] = []
        for word in tokens(piece):
            if word in boundary and current:
                result.append(current)
                current = []
            current.append(word)
        if current:
            result.append(current)
    return result


def _matches(
    words: Sequence[str], phrases: Sequence[tuple[str, ...]]
) -> list[tuple[int, tuple[str, ...]]]:
    """Every (start, phrase) of ``phrases`` found in ``words``."""
    index = _index(tuple(phrases))
    found: list[tuple[int, tuple[str, ...]]] = []
    for start, word in enumerate(words):
        for phrase in index.get(word, ()):
            if tuple(words[start : start + len(phrase)]) == phrase:
                found.append((start, phrase))
    return found


@cache
def _index(phrases: tuple[tuple[str, ...], ...]) -> dict[str, tuple[tuple[str, ...], ...]]:
    """Phrases by their first word, so a clause is scanned once, not once per phrase."""
    index: dict[str, list[tuple[str, ...]]] = {}
    for phrase in phrases:
        index.setdefault(phrase[0], []).append(phrase)
    return {first: tuple(items) for first, items in index.items()}


def clause_is_settled(words: Sequence[str], language: Language) -> bool:
    """Whether a clause says its topic is not needed or already fine.

    "No need"-cues always count. "Is fine"-cues count unless the clause negates them outside the
    cue itself ("not fine", "nicht zufrieden") or also says what is wanted ("a portal would be
    fine" is a wish).
    """
    config = need_config()
    if _matches(words, config.no_need.get(language, ())):
        return True
    wanting = config.wanting.get(language, frozenset())
    for start, phrase in _matches(words, config.satisfied.get(language, ())):
        outside = [*words[:start], *words[start + len(phrase) :]]
        if any(w in wanting for w in outside):
            continue
        if _matches(outside, config.negators.get(language, ())):
            continue
        return True
    return False


def word_key(word: str) -> str:
    """A folded word without a common inflection ending (German and English alike)."""
    for ending in ("ern", "en", "er", "es", "em", "ies", "ing", "ed", "e", "n", "s"):
        if word.endswith(ending) and len(word) - len(ending) >= 4:
            return word[: -len(ending)]
    return word


def settled_clauses(text: str, language: Language) -> list[tuple[list[str], bool]]:
    """The clauses of a sentence and whether each says its topic is fine or not needed.

    A clause that is nothing but "das passt" / "no complaints there" settles the one before.
    """
    short = need_config().short_satisfied.get(language, frozenset())
    result: list[tuple[list[str], bool]] = []
    for words in clauses(text, language):
        if tuple(words) in short and result:
            result[-1] = (result[-1][0], True)
            result.append((words, True))
        else:
            result.append((words, clause_is_settled(words, language)))
    return result


def features(text: str, language: Language, lex: Lexicon | None = None) -> list[str]:
    """The classifier's features of one sentence (marked ``~`` in settled clauses).

    When a sentence also has a clause that is not settled ("die Preise passen, aber …"), the
    settled clauses are left out altogether: the sentence is about what comes after "aber".
    """
    lex = lex or lexicon()
    result: list[str] = []
    parts = settled_clauses(text, language)
    if not all(settled for _words, settled in parts):
        parts = [(words, settled) for words, settled in parts if not settled]
    for words, settled in parts:
        mark = "~" if settled else ""
        keys = [word_key(w) for w in words]
        own = [f"w:{k}" for k in keys]
        own += [f"b:{a}_{b}" for a, b in itertools.pairwise(keys)]
        for word in words:
            if len(word) >= _MIN_GRAM_WORD and word.isalpha():
                padded = f"<{word}>"
                own += [f"g:{padded[i : i + 4]}" for i in range(len(padded) - 3)]
        concepts, _unmatched = lex.analyse(" ".join(words), language)
        own += [f"c:{c}" for c in concepts]
        signals = need_config().signals
        own += sorted({f"n:{t}" for c in concepts for t in signals.get(c, ())})
        if mark:
            own.append("f:settled")
        result += [mark + f for f in own]
    return result


@dataclass(frozen=True, slots=True)
class NeedModel:
    """A multinomial logistic regression: a bias and sparse weights per feature and class."""

    classes: tuple[str, ...]
    bias: tuple[float, ...]
    weights: Mapping[str, tuple[tuple[int, float], ...]]
    meta: Mapping[str, Any]

    def probabilities(self, feature_list: Sequence[str]) -> list[float]:
        """The probability of every class (in ``classes`` order) for a bag of features.

        Each distinct feature counts once: a long sentence repeating a word says no more.
        """
        scores = list(self.bias)
        for feature in set(feature_list):
            for index, weight in self.weights.get(feature, ()):
                scores[index] += weight
        top = max(scores)
        exps = [math.exp(s - top) for s in scores]
        total = sum(exps)
        return [e / total for e in exps]

    def to_dict(self) -> dict[str, Any]:
        """The JSON form shipped in package data."""
        return {
            "format": MODEL_FORMAT,
            "meta": dict(self.meta),
            "classes": list(self.classes),
            "bias": [round(b, 4) for b in self.bias],
            "weights": {
                f: [[i, round(w, 4)] for i, w in pairs] for f, pairs in sorted(self.weights.items())
            },
        }


def model_from_dict(data: Mapping[str, Any]) -> NeedModel:
    """Read a model; raise ValueError when it is not in the expected format."""
    if data.get("format") != MODEL_FORMAT:
        raise ValueError(f"not a need model of format {MODEL_FORMAT!r}")
    classes = tuple(str(c) for c in data["classes"])
    bias = tuple(float(b) for b in data["bias"])
    if len(bias) != len(classes):
        raise ValueError("one bias per class expected")
    weights: dict[str, tuple[tuple[int, float], ...]] = {}
    for feature, pairs in data["weights"].items():
        checked = tuple((int(i), float(w)) for i, w in pairs)
        if any(not 0 <= i < len(classes) for i, _w in checked):
            raise ValueError(f"feature {feature!r} names an unknown class")
        weights[str(feature)] = checked
    return NeedModel(classes, bias, weights, dict(data.get("meta", {})))


@cache
def need_model() -> NeedModel:
    """The shipped model (``data/need_model.json``)."""
    package = resources.files("needfinder.insights")
    return model_from_dict(json.loads(package.joinpath("data/need_model.json").read_text("utf-8")))

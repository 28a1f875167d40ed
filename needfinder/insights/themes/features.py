"""Turn dialogues into sentences tagged with lexicon concepts, the input of theme building."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml

from needfinder.insights.themes.lexicon import Language, Lexicon, fold
from needfinder.insights.themes.model import DigestDialogue
from needfinder.insights.themes.segments import Span, sentences

# The anonymiser's placeholders ("[PHONE_1]") say nothing about a topic: "[EMAIL_2]" is no
# complaint about e-mail.
_PLACEHOLDER = re.compile(r"\[[A-Z_]+(?:_\d+)?\]")
# Words shorter than this are too ambiguous to learn from.
_MIN_WORD = 4
# Inflection endings removed to give a word's key, so "Kontaktformular" and "Kontaktformulars"
# (or "invoice" and "invoices") count as one word in the fallback.
_KEY_ENDINGS: dict[Language, tuple[str, ...]] = {
    "de": ("ern", "en", "er", "es", "em", "e", "n", "s"),
    "en": ("'s", "ies", "ing", "ed", "es", "s"),
}


@dataclass(frozen=True, slots=True)
class Segment:
    """One sentence of one answer, the concepts it mentions and its other content words."""

    step_id: str
    span: Span
    concepts: Mapping[str, int]
    #: Keys of the sentence's content words that matched no concept (no stop words).
    words: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class DialogueFeatures:
    """The tagged sentences of one dialogue (only those with a concept or a content word)."""

    dialogue: DigestDialogue
    segments: tuple[Segment, ...]

    @property
    def concepts(self) -> frozenset[str]:
        """Every concept the dialogue mentions."""
        return frozenset(c for segment in self.segments for c in segment.concepts)


def extract(
    dialogues: Sequence[DigestDialogue], steps: Sequence[str], lexicon: Lexicon
) -> list[DialogueFeatures]:
    """Tag the sentences of the given steps' answers with concepts, dialogue by dialogue."""
    result: list[DialogueFeatures] = []
    for dialogue in dialogues:
        segments: list[Segment] = []
        for step_id in steps:
            text = dialogue.answers.get(step_id)
            if not text:
                continue
            for span in sentences(text):
                plain = _PLACEHOLDER.sub(" ", span.text)
                concepts, unmatched = lexicon.analyse(plain, dialogue.language)
                words = content_words(unmatched, dialogue.language)
                if concepts or words:
                    segments.append(Segment(step_id, span, concepts, words))
        result.append(DialogueFeatures(dialogue, tuple(segments)))
    return result


def content_words(words: Sequence[str], language: Language) -> tuple[str, ...]:
    """The keys of the content words among folded ``words``, each once, in order."""
    stop = stop_words()[language]
    keys: list[str] = []
    for token in words:
        for word in token.split("-"):
            if len(word) < _MIN_WORD or word in stop or not word.isalpha():
                continue
            key = word_key(word, language)
            if key not in keys:
                keys.append(key)
    return tuple(keys)


def word_key(word: str, language: Language) -> str:
    """A folded word without one inflection ending (at least four letters stay)."""
    for ending in _KEY_ENDINGS[language]:
        if word.endswith(ending) and len(word) - len(ending) >= _MIN_WORD:
            return word[: -len(ending)] + ("y" if ending == "ies" else "")
    return word


@cache
def stop_words() -> dict[Language, frozenset[str]]:
    """Function words and generic words per language (package data, folded).

    The digest's own list of generic words, plus the anonymiser's stop word lists.
    """
    package = resources.files("needfinder.insights")
    data = yaml.safe_load(package.joinpath("data/stopwords.yaml").read_text("utf-8"))
    words: dict[Language, frozenset[str]] = {}
    for language in ("de", "en"):
        listed = package.joinpath(f"anonymise/data/stopwords_{language}.txt").read_text("utf-8")
        extra = [w.strip() for w in listed.splitlines() if w.strip() and not w.startswith("#")]
        words[language] = frozenset(fold(str(w)) for w in [*data[language], *extra])
    return words

"""Summarise one finished dialogue in the customer's own words, point by point.

Every key sentence is a verbatim substring of what the customer wrote (an answer, or the
correction that replaced it in the mirror step), at most cut at a word boundary; nothing is
paraphrased. The same selection serves the engine's mirror step through
:func:`summarise_answer`.

>>> summary = summarise_dialogue(
...     {"who": "Ich führe eine Bäckerei.", "needs": "Mehr Personal. Und Zeit."},
...     {"who": "Wer Sie sind", "needs": "Was Sie brauchen"},
...     corrections={"who": "Ich führe zwei Bäckereien in Kassel."},
... )
>>> [(p.step_id, p.text, p.corrected) for p in summary.points]  # doctest: +NORMALIZE_WHITESPACE
[('who', 'Ich führe zwei Bäckereien in Kassel.', True),
 ('needs', 'Mehr Personal. Und Zeit.', False)]
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from needfinder.insights.themes.lexicon import lexicon, tokens
from needfinder.insights.themes.segments import Span, sentences, shorten

Language = Literal["de", "en"]

#: The key of a correction that belongs to no single point (``conversations.state.GENERAL_NOTE``).
NOTE_KEY = "_note"
_NOTE_LABEL: dict[Language, str] = {"de": "Außerdem", "en": "Also"}

MAX_SENTENCES = 3
MAX_CHARS = 240


def _words(text: str) -> frozenset[str]:
    """The white-space separated words of ``text``."""
    return frozenset(text.split())


# Words that carry no content: a sentence made only of these ("Puh, gute Frage.") is filler.
_FILLER = _words(
    """
    ja nein naja puh hm hmm ok okay also gut gute frage ehrlich gesagt schwierig schwer zu sagen
    da gibt es einiges mal sehen so in etwa danke das wars wärs erstmal und dann noch
    yes no well hmm ok okay good question honestly tough one clearly thanks for asking
    that's about it something like that where do i start quite a few things
    ich wir es ist sind the a an i we it is are was of to und oder or and
    """
)
_STOPWORDS = _words(
    """
    der die das den dem des ein eine einen einem einer und oder aber ich wir sie er es ist sind
    war bin hab habe haben hat uns unser unsere mir mich mein meine auch noch schon nur sehr so
    zu im in am an auf aus bei mit nach von vor für über um wie was wer wenn dass nicht kein
    keine mehr man mal da dann denn doch ja nein
    the a an and or but i we you he she it is are was were be been am have has had our my me
    us to in on at of for with from by as so very just also not no more that this there then
    what who when if do does did can could would will
    """
)
_PLACEHOLDER = re.compile(r"\[[A-Z_]+(?:_\d+)?\]")


@dataclass(frozen=True, slots=True)
class KeySentence:
    """A verbatim piece of a point's source text: ``source[start:end] == text``."""

    text: str
    start: int
    end: int
    #: True when the sentence was cut at a word boundary.
    shortened: bool = False


@dataclass(frozen=True, slots=True)
class SummaryPoint:
    """What the customer said to one question, in key sentences of their own."""

    step_id: str
    label: str
    sentences: tuple[KeySentence, ...]
    #: The text the key sentences come from: the answer, or the correction that replaced it.
    source: str
    corrected: bool = False

    @property
    def text(self) -> str:
        """The key sentences as one readable line, marking cuts and gaps with "…"."""
        return _join(self.sentences, self.source)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data."""
        return {
            "step_id": self.step_id,
            "label": self.label,
            "text": self.text,
            "corrected": self.corrected,
            "sentences": [
                {"text": s.text, "start": s.start, "end": s.end, "shortened": s.shortened}
                for s in self.sentences
            ],
        }


@dataclass(frozen=True, slots=True)
class DialogueSummary:
    """The structured summary of one dialogue: one point per question answered."""

    language: Language
    points: tuple[SummaryPoint, ...]

    def point(self, step_id: str) -> SummaryPoint | None:
        """The point of ``step_id``, if the customer said something to it."""
        return next((p for p in self.points if p.step_id == step_id), None)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data."""
        return {"language": self.language, "points": [p.to_dict() for p in self.points]}


def summarise_dialogue(
    answers: Mapping[str, str],
    labels: Mapping[str, str],
    corrections: Mapping[str, str] | None = None,
    *,
    language: Language = "de",
    order: Sequence[str] | None = None,
    max_sentences: int = MAX_SENTENCES,
    max_chars: int = MAX_CHARS,
) -> DialogueSummary:
    """Summarise a dialogue: per step, a label and key sentences in the customer's words.

    ``answers`` and ``labels`` are keyed by step id (labels in the dialogue's language; the
    step id stands in for a missing label). A correction from the mirror step replaces the
    point it corrects; a general correction (key ``"_note"``) becomes a last point of its own.
    Steps come in ``order`` if given, else in the order of ``answers``; corrected steps that
    have no answer follow.
    """
    corrections = corrections or {}
    steps = list(order) if order is not None else list(answers)
    steps += [s for s in corrections if s not in steps and s != NOTE_KEY]
    if NOTE_KEY in corrections:
        steps.append(NOTE_KEY)
    points: list[SummaryPoint] = []
    for step_id in steps:
        corrected = step_id in corrections and bool(corrections[step_id].strip())
        source = corrections[step_id] if corrected else answers.get(step_id, "")
        chosen = key_sentences(
            source, language=language, max_sentences=max_sentences, max_chars=max_chars
        )
        if not chosen:
            continue
        default_label = _NOTE_LABEL[language] if step_id == NOTE_KEY else step_id
        label = labels.get(step_id, default_label)
        points.append(SummaryPoint(step_id, label, chosen, source, corrected))
    return DialogueSummary(language, tuple(points))


def key_sentences(
    text: str,
    *,
    language: Language = "de",
    max_sentences: int = MAX_SENTENCES,
    max_chars: int = MAX_CHARS,
) -> tuple[KeySentence, ...]:
    """The most informative sentences of ``text`` in their original order, verbatim.

    A sentence counts by its content words, more for words of the concept lexicon (the topics
    digests are about); filler like "Puh, gute Frage." is left out unless nothing else is
    there. The selection fits in ``max_chars``; a first sentence that is longer alone is cut
    at a word boundary.
    """
    spans = sentences(text)
    if not spans:
        return ()
    scored = [(_informativeness(span, language), i, span) for i, span in enumerate(spans)]
    useful = [s for s in scored if s[0] > 0] or scored[:1]
    ranked = sorted(useful, key=lambda s: (-s[0], s[1]))
    chosen: list[tuple[int, Span]] = []
    used = 0
    for _score, index, span in ranked:
        if len(chosen) == max_sentences:
            break
        extra = len(span.text) + (1 if chosen else 0)
        if chosen and used + extra > max_chars:
            continue
        chosen.append((index, span))
        used += extra
    result: list[KeySentence] = []
    for _index, span in sorted(chosen, key=lambda c: c[0]):
        cut, shortened = shorten(span, max_chars)
        result.append(KeySentence(cut.text, cut.start, cut.end, shortened))
    return tuple(result)


def _informativeness(span: Span, language: Language) -> float:
    """Content words plus a bonus for lexicon concepts; 0 for pure filler."""
    words = [w for w in tokens(_PLACEHOLDER.sub(" ", span.text)) if w not in _STOPWORDS]
    content = [w for w in words if w not in _FILLER and len(w) > 2]
    if not content:
        return 0.0
    concepts = lexicon().concepts_in(span.text, language)
    return len(content) + 2.0 * sum(concepts.values())


def _join(chosen: Sequence[KeySentence], source: str) -> str:
    """Join key sentences; "…" marks a cut sentence and skipped text between two sentences."""
    pieces: list[str] = []
    for i, sentence in enumerate(chosen):
        if i > 0:
            skipped = source[chosen[i - 1].end : sentence.start].strip()
            pieces.append(" … " if skipped and not chosen[i - 1].shortened else " ")
        pieces.append(sentence.text + ("…" if sentence.shortened else ""))
    return "".join(pieces)


def summarise_answer(answer: str, language: Language) -> str:
    """The engine's ``summarise`` hook: an answer's key sentences as one line, verbatim."""
    chosen = key_sentences(answer, language=language)
    return _join(chosen, answer)

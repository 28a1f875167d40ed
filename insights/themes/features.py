"""Turn dialogues into sentences tagged with lexicon concepts, the input of theme building."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from insights.themes.lexicon import Lexicon
from insights.themes.model import DigestDialogue
from insights.themes.segments import Span, sentences


@dataclass(frozen=True, slots=True)
class Segment:
    """One sentence of one answer and the concepts it mentions."""

    step_id: str
    span: Span
    concepts: Mapping[str, int]


@dataclass(frozen=True, slots=True)
class DialogueFeatures:
    """The concept-tagged sentences of one dialogue (only those with a concept)."""

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
                concepts = lexicon.concepts_in(span.text, dialogue.language)
                if concepts:
                    segments.append(Segment(step_id, span, concepts))
        result.append(DialogueFeatures(dialogue, tuple(segments)))
    return result

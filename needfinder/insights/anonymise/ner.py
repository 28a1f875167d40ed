"""Optional hook: use a named-entity model, if one happens to be installed, for extra recall.

The defaults meet the targets without any model. If a spaCy pipeline with an NER component is
available (official spaCy models are not on PyPI, so Needfinder never installs one), pass it::

    import spacy
    anonymiser = Anonymiser(extra_recognisers=[ner_recogniser(spacy.load("de_core_news_md"))])

Nothing here imports spaCy; any callable returning an object with ``ents`` (each having
``start_char``, ``end_char`` and ``label_``) works.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Protocol

from needfinder.insights.anonymise.model import Candidate, EntityType
from needfinder.insights.anonymise.scan import Recogniser, Scan


class _Entity(Protocol):
    start_char: int
    end_char: int
    label_: str


class _Doc(Protocol):
    @property
    def ents(self) -> Iterable[_Entity]: ...


# spaCy's German (PER, ORG) and English (PERSON, ORG) labels. Places are left out on purpose:
# a town on its own is not personal data here, and addresses have their own recogniser.
DEFAULT_LABELS: Mapping[str, EntityType] = {
    "PER": EntityType.PERSON,
    "PERSON": EntityType.PERSON,
    "ORG": EntityType.ORG,
}


def ner_recogniser(
    nlp: Callable[[str], _Doc], labels: Mapping[str, EntityType] = DEFAULT_LABELS
) -> Recogniser:
    """Wrap an NER pipeline as a recogniser; its spans compete with the rule-based ones."""

    def recognise(scan: Scan) -> Iterator[Candidate]:
        lex = scan.lex
        for entity in nlp(scan.text).ents:
            kind = labels.get(entity.label_)
            if kind is None:
                continue
            words = scan.text[entity.start_char : entity.end_char].split()
            # Models tag products and brands as ORG ("SAP", "Zoom"): keep those.
            if all(word.casefold().strip(".,") in lex.brands for word in words):
                continue
            yield Candidate(kind, entity.start_char, entity.end_char)

    return recognise

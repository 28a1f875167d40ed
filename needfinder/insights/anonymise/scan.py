"""The text under analysis, shared by all recognisers of one call."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import cached_property
from typing import Literal

from needfinder.insights.anonymise.lexicon import Lexicon, lexicon
from needfinder.insights.anonymise.model import Candidate
from needfinder.insights.anonymise.tokens import Token, tokenize

Language = Literal["de", "en"]


class Scan:
    """One text, its language and lazily computed tokens."""

    def __init__(self, text: str, language: Language) -> None:
        self.text = text
        self.language: Language = language
        self.lex: Lexicon = lexicon()

    @cached_property
    def tokens(self) -> list[Token]:
        """Word tokens of the text (computed on first use)."""
        return tokenize(self.text)

    @cached_property
    def folded_text(self) -> str:
        """The text folded character by character (offsets unchanged), for known-name matching."""
        from needfinder.insights.anonymise.recognisers.known import fold_same_length

        return fold_same_length(self.text)

    @cached_property
    def digit_count(self) -> int:
        """How many digits the text has; number recognisers skip texts with too few."""
        return sum(ch.isdigit() for ch in self.text)


# A recogniser looks at a scan and proposes candidate spans. Extra recognisers (for example an
# NER model, if one is installed) have the same shape and are passed to the Anonymiser.
Recogniser = Callable[[Scan], Iterable[Candidate]]

"""Word tokens with offsets and the little context the name rules look at."""

from __future__ import annotations

import re
from dataclasses import dataclass

from needfinder.insights.anonymise.lexicon import fold

# A word: letters, optionally joined by hyphens or apostrophes ("Anna-Lena", "O'Neill",
# "Anna's"). A placeholder such as "[PERSON_1]" is one token so rules can skip it.
_TOKEN = re.compile(r"\[[A-Z_]+_\d+\]|[^\W\d_]+(?:[-'’][^\W\d_]+)*|\d[\w./-]*")
PLACEHOLDER = re.compile(
    r"\[(?:PERSON|EMAIL|PHONE|ADDRESS|ORG|URL|IBAN|CARD|HANDLE|DATE_OF_BIRTH|ID)_\d+\]"
)
_SENTENCE_END = frozenset(".!?:;\n")


@dataclass(frozen=True, slots=True)
class Token:
    """One word of the text with its position and a few precomputed facts."""

    text: str
    start: int
    end: int
    folded: str
    is_word: bool
    is_placeholder: bool
    sentence_start: bool

    @property
    def is_capitalised(self) -> bool:
        """First letter upper-case ("Klein", "KLEIN")."""
        return self.is_word and self.text[0].isupper()

    @property
    def is_lower(self) -> bool:
        """All letters lower-case ("klein")."""
        return self.is_word and self.text.islower()


def possessive_base(token: Token) -> tuple[str, int]:
    """Split an English possessive: ("Anna's") -> ("Anna", end of "Anna")."""
    text = token.text
    if len(text) > 3 and text[-2] in "'’" and text[-1] in "sS":
        return text[:-2], token.end - 2
    return text, token.end


def tokenize(text: str) -> list[Token]:
    """Split ``text`` into tokens; a token is sentence-initial after . ! ? : ; or a newline."""
    tokens: list[Token] = []
    previous_end = 0
    for match in _TOKEN.finditer(text):
        word = match.group()
        gap = text[previous_end : match.start()]
        sentence_start = not tokens or any(ch in _SENTENCE_END for ch in gap)
        is_placeholder = word.startswith("[")
        tokens.append(
            Token(
                text=word,
                start=match.start(),
                end=match.end(),
                folded=fold(word) if not is_placeholder else word,
                is_word=not is_placeholder and not word[0].isdigit(),
                is_placeholder=is_placeholder,
                sentence_start=sentence_start,
            )
        )
        previous_end = match.end()
    return tokens


def gap(text: str, left: Token, right: Token) -> str:
    """The characters between two tokens."""
    return text[left.end : right.start]

"""Names in lists: an unknown word among names found by the other recognisers is a name too.

"Siddharth, Marlene, Oluwaseun und mir", "Ingrid, Thandiwe, Kenji and Rhiannon": the lists know
common first names and the tagger knows their shapes, but an unusual foreign name in the same
list is missed. Items of one list are alike, so where two items are people, an item nobody found
that can be a name (capitalised, no ordinary word, brand or stop word) is a person as well.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from needfinder.insights.anonymise.lexicon import Lexicon, fold
from needfinder.insights.anonymise.model import Candidate, EntityType
from needfinder.insights.anonymise.scan import Scan
from needfinder.insights.anonymise.wordfreq import noun_zipf

# Chat answers are often typed in lower case ("jovana, kalani und deaglan"), so items may be too.
_ITEM = r"[^\W\d_]{3,}(?:-[^\W\d_]+)?"
# Items joined by commas, the last one by "und"/"and"/"&"/"sowie"; the last may be "me"/"mir".
_LIST = re.compile(
    rf"(?<![\w'’-]){_ITEM}(?:\s*,\s*{_ITEM})+"
    rf"(?:\s*,?\s+(?:und|and|&|sowie|or|oder)\s+(?:{_ITEM}|mir|mich|me|ich|I|myself))?(?![\w'’-])"
    rf"|(?<![\w'’-]){_ITEM}\s+(?:und|and|&|sowie)\s+{_ITEM}\s+(?:und|and|&)\s+{_ITEM}(?![\w'’-])"
)
_SELF = frozenset(("mir", "mich", "me", "ich", "i", "myself"))
_ITEM_WORD = re.compile(_ITEM)
# Zipf bucket from which a word that no name list knows reads as an ordinary word.
_WORD_ZIPF = 3
# People in the list before its other items count as people too.
_MIN_PEOPLE = 2


def list_companions(scan: Scan, candidates: Sequence[Candidate]) -> Iterator[Candidate]:
    """Items of a list with at least two found people that no recogniser found."""
    lex = scan.lex
    for match in _LIST.finditer(scan.text):
        items = [
            item
            for item in _ITEM_WORD.finditer(scan.text, match.start(), match.end())
            if fold(item.group()) not in _SELF
        ]
        people = 0
        unfound: list[re.Match[str]] = []
        for item in items:
            overlapping = [c for c in candidates if c.start < item.end() and item.start() < c.end]
            if any(c.type is EntityType.PERSON for c in overlapping):
                people += 1
            elif not overlapping:
                unfound.append(item)
        if people < _MIN_PEOPLE:
            continue
        for item in unfound:
            if _can_be_name(item.group(), lex):
                yield Candidate(EntityType.PERSON, item.start(), item.end())


def _can_be_name(word: str, lex: Lexicon) -> bool:
    """Can this list item be a name? ("Frank" among names yes, "Marketing" or "birnen" no)."""
    folded = fold(word)
    if lex.is_stopword(folded) or folded in lex.brands:
        return False
    # "Anna, Tom, Marketing und Vertrieb": a frequent word no name list knows is a word.
    if noun_zipf(folded) >= _WORD_ZIPF and not lex.is_name(folded):
        return False
    if not word[0].isupper():
        return not lex.is_everyday_word(folded) and noun_zipf(folded) == 0
    # Among names, a first name that is also a word ("Frank", "Will") is the name.
    return lex.is_first_name(folded) or not lex.is_everyday_word(folded)

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
# Lists of things, joined by "oder"/"or" as well: "Graf, Baron oder König", "Felchen und Barsch".
# Three or more items with commas, or items whose last is joined by a conjunction; "ich bin
# dom, offiziell …" is no list.
_THING_LIST = re.compile(
    rf"(?<![\w'’-]){_ITEM}(?:\s*,\s*{_ITEM})*\s*,?\s+(?:und|and|&|oder|or|sowie)\s+{_ITEM}(?![\w'’-])"
    rf"|(?<![\w'’-]){_ITEM}(?:\s*,\s*{_ITEM}){{2,}}(?![\w'’-])"
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


def without_list_strangers(
    scan: Scan, model_found: Sequence[Candidate], rule_found: Sequence[Candidate]
) -> list[Candidate]:
    """The model's one-word names, less those listed among ordinary things.

    "Hirsch, Reh und Wildschwein", "Arsenal, Chelsea, Spurs", "Leinöl, Hanföl, Kürbiskernöl":
    where most other items of a list are ordinary words nobody found, a one-word name the model
    (or a name list) proposes among them is one of those things too. Rule findings stay.
    """
    if not model_found:
        return []
    lex = scan.lex
    dropped: set[Candidate] = set()
    for match in _THING_LIST.finditer(scan.text):
        # Pronouns and other stop words ("Anna und ich") are no things of the list.
        items = [
            item
            for item in _ITEM_WORD.finditer(scan.text, match.start(), match.end())
            if not lex.is_stopword(fold(item.group())) and fold(item.group()) not in _SELF
        ]
        joined = re.search(r"\s(?:und|and|&|oder|or|sowie)\s", match.group()) is not None
        if len(items) < (2 if joined else 3):
            continue
        for item in items:
            proposed = [
                c
                for c in model_found
                if c.start == item.start()
                and c.end <= item.end() + 2
                and c.type in (EntityType.PERSON, EntityType.ORG)
            ]
            if not proposed:
                continue
            # Items of one list are written alike: "Georg, und mach" is no list of things.
            capitalised = item.group()[:1].isupper()
            others = [
                other
                for other in items
                if other is not item and other.group()[:1].isupper() == capitalised
            ]
            if not others:
                continue
            ordinary = sum(
                1 for other in others if _is_ordinary_item(other, lex, model_found, rule_found)
            )
            if ordinary * 2 > len(others):
                dropped.update(proposed)
    return [c for c in model_found if c not in dropped]


def _is_ordinary_item(
    item: re.Match[str],
    lex: Lexicon,
    model_found: Sequence[Candidate],
    rule_found: Sequence[Candidate],
) -> bool:
    """An item no recogniser calls a name that reads as an ordinary word."""
    start, end = item.start(), item.end()
    if any(c.start < end and start < c.end for c in (*rule_found, *model_found)):
        return False
    folded = fold(item.group())
    if lex.is_first_name(folded, standalone=True):
        return False
    # Brands are no evidence: "Shopify and Precious" pairs a product with a person.
    if folded in lex.brands:
        return False
    return lex.is_everyday_word(folded) or noun_zipf(folded) >= _WORD_ZIPF

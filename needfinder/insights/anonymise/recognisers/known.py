"""Known identities: the participant's Telegram names and username, names learned earlier in
the dialogue and staff names, matched case-insensitively wherever they recur."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator

from needfinder.insights.anonymise.lexicon import Lexicon, fold, folded_set
from needfinder.insights.anonymise.model import Candidate, EntityType
from needfinder.insights.anonymise.scan import Scan

_NAME_PART = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*")
# Words of a display name that are never matched on their own.
_SKIP_WORDS = folded_set(
    """
    herr herrn frau dr prof mr mrs ms miss mx der die das den dem the and und of von van de
    da di del la le zu
    """
)


_FOLDED_CHARS: dict[str, str] = {}


def _fold_char(char: str) -> str:
    folded = char.casefold()
    if char == "ı":
        folded = "i"
    decomposed = "".join(
        c for c in unicodedata.normalize("NFKD", folded) if not unicodedata.combining(c)
    )
    if len(decomposed) == 1:
        return decomposed
    if len(folded) == 1:
        return folded
    return char


def fold_same_length(text: str) -> str:
    """Fold case and accents character by character, so offsets stay valid ("ß" stays "ß")."""
    if text.isascii():
        return text.lower()
    cache = _FOLDED_CHARS
    out = []
    for char in text:
        folded = cache.get(char)
        if folded is None:
            folded = _fold_char(char)
            # Characters are few; remember each one's folding (bounded, whatever the input).
            if len(cache) < 10_000:
                cache[char] = folded
        out.append(folded)
    return "".join(out)


def name_parts(name: str) -> list[str]:
    """The words of a name worth matching on their own ("Dr. Anna-Lena Berger" -> 3 words)."""
    parts = []
    for word in _NAME_PART.findall(name):
        folded = fold(word)
        if len(folded) >= 2 and folded not in _SKIP_WORDS:
            parts.append(word)
        # "Anna-Lena": also match "Anna" and "Lena" on their own.
        if "-" in word:
            parts.extend(p for p in word.split("-") if len(p) >= 2)
    return parts


class KnownMatcher:
    """Finds known names (PERSON) and usernames (HANDLE) in a text."""

    def __init__(
        self,
        names: Iterable[str],
        usernames: Iterable[str],
        lex: Lexicon,
        *,
        unambiguous_only: bool = False,
    ) -> None:
        """``unambiguous_only`` keeps only name parts that cannot be ordinary words.

        Used for names learned in another dialogue: "Klein" from "ich bin Max Klein" must not
        remove "klein" or "Klein" from someone else's answer unless the context says it is a
        name there (the other recognisers decide that).
        """
        self._ambiguous: set[str] = set()
        variants: set[str] = set()
        for name in names:
            parts = name_parts(name)
            if len(parts) > 1:
                variants.add(" ".join(fold_same_length(p) for p in parts))
            for part in parts:
                key = fold_same_length(part)
                folded = fold(part)
                everyday = lex.is_everyday_word(folded)
                # Elsewhere only parts that are surely names ("Jonas", "Meinhardt"): a part
                # that may be a word ("Frost", "Klein", "Max") is left to the context rules and
                # the tagger, which remove it where the context makes it a name.
                if unambiguous_only and (
                    everyday
                    or folded in lex.name_words
                    or not (lex.is_first_name(folded, standalone=True) or folded in lex.surnames)
                ):
                    continue
                variants.add(key)
                if everyday:
                    self._ambiguous.add(key)
        self._names = self._compile_names(variants)
        handles = {fold_same_length(u.lstrip("@")) for u in usernames if len(u.lstrip("@")) >= 3}
        self._bare_ok = {
            h
            for h in handles
            if any(c.isdigit() or c == "_" for c in h)
            or (len(h) >= 6 and not lex.is_everyday_word(h))
        }
        self._handles = (
            re.compile(
                r"(?<![\w@/.])(?P<prefix>@|(?:https?://)?(?:www\.)?(?:t|telegram)\.me/)?(?P<handle>"
                + "|".join(re.escape(h) for h in sorted(handles, key=len, reverse=True))
                + r")(?![\w])"
            )
            if handles
            else None
        )

    @staticmethod
    def _compile_names(variants: set[str]) -> re.Pattern[str] | None:
        if not variants:
            return None
        alternatives = "|".join(
            re.escape(v).replace(r"\ ", r"\s+") for v in sorted(variants, key=len, reverse=True)
        )
        return re.compile(rf"(?<![\w@/.])(?P<name>{alternatives})(?P<suffix>['’]s|s|['’])?(?![\w])")

    def find(self, scan: Scan) -> Iterator[Candidate]:
        """Candidates for every occurrence of a known name or username."""
        folded_text = scan.folded_text
        if self._names is not None:
            for match in self._names.finditer(folded_text):
                name = match.group("name")
                suffix = match.group("suffix") or ""
                original = scan.text[match.start("name") : match.end("name")]
                if suffix == "s" and (len(name) < 3 or name[-1] in "sxzß"):
                    continue  # "Al" + "s" is the German "als", not a genitive.
                # A name that is also a word ("Will", "Hope", "Wolf") only when capitalised.
                if name in self._ambiguous and not original[:1].isupper():
                    continue
                end = match.end("suffix") if suffix == "s" else match.end("name")
                key = " ".join(name.split())
                yield Candidate(EntityType.PERSON, match.start("name"), end, key)
        if self._handles is not None:
            for match in self._handles.finditer(folded_text):
                handle = match.group("handle")
                if match.group("prefix") is None and handle not in self._bare_ok:
                    continue
                yield Candidate(EntityType.HANDLE, match.start(), match.end(), handle)

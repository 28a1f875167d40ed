"""How common a word is in German and English, from a table shipped in the package.

The table (``data/word_freq.tsv.gz``, built by ``scripts/build_word_table.py`` from the
``wordfreq`` package at development time) holds the Zipf frequency bucket of the most frequent
German and English words. A capitalised token the tagger calls a name is far more often an
ordinary noun when the word is frequent ("Grüße", "Sommer", "Gesellen"); a list of such nouns
never ends, a frequency does generalise. Loaded on first use, once per process; offline.
"""

from __future__ import annotations

import gzip
from functools import cache, lru_cache
from importlib import resources

from needfinder.insights.anonymise.lexicon import folded_set

TABLE_NAME = "word_freq.tsv.gz"


@cache
def frequency_table() -> dict[str, tuple[int, int]]:
    """{folded word: (German bucket, English bucket)}; 0 means not among the frequent words."""
    data = resources.files("needfinder.insights.anonymise").joinpath("data").joinpath(TABLE_NAME)
    table: dict[str, tuple[int, int]] = {}
    for line in gzip.decompress(data.read_bytes()).decode("utf-8").splitlines():
        word, de, en = line.split("\t")
        table[word] = (int(de), int(en))
    return table


def buckets(folded: str) -> tuple[int, int]:
    """(German, English) Zipf bucket of a folded word; (0, 0) when it is not frequent."""
    return frequency_table().get(folded, (0, 0))


def zipf(folded: str) -> int:
    """The higher of the word's German and English buckets."""
    de, en = buckets(folded)
    return max(de, en)


# Inflection endings tried when a word is not in the table ("Umsatzes", "Wimpern", "Hausärzten").
_ENDINGS = ("en", "es", "n", "s", "e")
_UMLAUTS = str.maketrans("äöü", "aou")
# Compound heads that mostly form surnames and place names ("Hoff|mann", "Stein|berg"): a word
# ending in them is no evidence of an ordinary noun.
_NAME_HEADS = folded_set(
    """mann manns berg burg stein feld bach dorf hausen heim thal tal meier meyer maier mayer
    müller bauer hofer huber wald brand brandt lein ling hardt hart reiter kamp busch horst
    hoff hof haus lind linde rode roth rath born brink beck wein"""
)
# Shortest compound head and modifier that count ("Zoo|bedarf", "Bewerbungs|fotos").
_MIN_HEAD = 4
_MIN_MODIFIER = 3


def _lookup(folded: str, german: bool = False) -> int:
    """Bucket of the word itself or of a lemma-like variant (plural endings, umlaut plurals)."""

    def bucket(word: str) -> int:
        return buckets(word)[0] if german else zipf(word)

    best = bucket(folded)
    if best:
        return best
    for ending in _ENDINGS:
        if folded.endswith(ending) and len(folded) - len(ending) >= _MIN_HEAD:
            stem = folded[: -len(ending)]
            best = max(bucket(stem), bucket(stem.translate(_UMLAUTS)))
            if best:
                return best
    return 0


@lru_cache(maxsize=65_536)
def german_form_zipf(folded: str) -> int:
    """Bucket of a word or its inflected form in German alone ("Großhändlern" -> "großhändler")."""
    return _lookup(folded, german=True)


def form_zipf(folded: str) -> int:
    """Bucket of the word itself (either language) or of its German inflected form, no compounds.

    Fantasy firm words are compounds of frequent ones ("pixelherz"); this does not count them.
    """
    return max(zipf(folded), german_form_zipf(folded))


def noun_zipf(folded: str) -> int:
    """Bucket of a word read as an ordinary noun: itself, an inflected form, or a compound's head.

    German compounds and inflected forms ("Naturkosmetik", "Zoobedarf", "Hausärzten") are rarely
    in a table of frequent words, but their head is; the longest known head of at least four
    letters stands for the word (heads that form surnames, "-mann", "-berg", do not count).
    """
    direct = _lookup(folded)
    if direct or not folded.isalpha():
        return direct
    for cut in range(_MIN_MODIFIER, len(folded) - _MIN_HEAD + 1):
        head = folded[cut:]
        if head in _NAME_HEADS:
            return 0
        # Only German words compound without a space; an English head ("Wilhel|mine") is chance.
        bucket = _lookup(head, german=True)
        if bucket >= 2:
            return bucket
    return 0

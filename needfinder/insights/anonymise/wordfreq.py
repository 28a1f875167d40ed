"""How common a word is in German and English, from a table shipped in the package.

The table (``data/word_freq.tsv.gz``, built by ``scripts/build_word_table.py`` from the
``wordfreq`` package at development time) holds the Zipf frequency bucket of the most frequent
German and English words. A capitalised token the tagger calls a name is far more often an
ordinary noun when the word is frequent ("Grüße", "Sommer", "Gesellen"); a list of such nouns
never ends, a frequency does generalise. Loaded on first use, once per process; offline.
"""

from __future__ import annotations

import gzip
from functools import cache
from importlib import resources

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

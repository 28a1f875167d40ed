"""Build the anonymiser's common-word table (``data/word_freq.tsv.gz``) from ``wordfreq``.

Run: ``pip install -e '.[train]' && python scripts/build_word_table.py``. Takes the most
frequent German and English words (``wordfreq.top_n_list``), folds them the way the
recognisers compare tokens (lower case, no accents, ß -> ss) and writes one line per word:
``word<TAB>de bucket<TAB>en bucket``, the bucket being the Zipf frequency rounded down (0 = not
in that language's top list, 3 = once per million words ... 7 = "the"). The table is data:
``wordfreq`` is needed only here, never at run time.
"""

from __future__ import annotations

import argparse
import gzip
from pathlib import Path

from needfinder.insights.anonymise.lexicon import fold
from needfinder.insights.anonymise.wordfreq import TABLE_NAME

TOP_N = 40_000
LANGUAGES = ("de", "en")


def build(top_n: int = TOP_N) -> dict[str, tuple[int, int]]:
    """{folded word: (de bucket, en bucket)} for the top ``top_n`` words of each language."""
    import wordfreq  # development-time dependency (the "train" extra)

    table: dict[str, list[int]] = {}
    for column, language in enumerate(LANGUAGES):
        for word in wordfreq.top_n_list(language, top_n):
            if not word.isalpha():
                continue
            bucket = int(wordfreq.zipf_frequency(word, language))
            if bucket < 1:
                continue
            entry = table.setdefault(fold(word), [0, 0])
            entry[column] = max(entry[column], bucket)
    return {word: (de, en) for word, (de, en) in table.items()}


def main() -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = Path(__file__).resolve().parents[1] / "needfinder/insights/anonymise/data"
    parser.add_argument("--out", type=Path, default=default / TABLE_NAME)
    parser.add_argument("--top", type=int, default=TOP_N)
    args = parser.parse_args()
    table = build(args.top)
    lines = "".join(f"{w}\t{de}\t{en}\n" for w, (de, en) in sorted(table.items()))
    # mtime=0 keeps the file byte-identical between rebuilds of the same word lists.
    with open(args.out, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as out:
        out.write(lines.encode("utf-8"))
    print(f"{len(table)} words -> {args.out} ({args.out.stat().st_size / 1e3:.0f} kB)")


if __name__ == "__main__":
    main()

"""Time a needs-first digest over 10,000 dialogues (python bench/digest_bench.py [COUNT]).

The dialogues are generated from the development inventory (both its parts) with fresh seeds:
new combinations of needs, struggles, settled topics and writing styles, so the set is a
perturbed replication of the development set rather than copies of it. A second run puts a
typo in every fourth long word, so the word caches help far less. The target is ≤ 30 s on the
2-core development machine (theme building uses one core). Anonymisation is not timed here
(it has its own bench): the digest is built over the answers as generated.
"""

from __future__ import annotations

import dataclasses
import random
import sys
import time

from needfinder.insights.digest import build_digest
from needfinder.insights.theme_eval import EvalDialogue, _typo, generate, phrases, score
from needfinder.insights.themes.lexicon import lexicon

TARGET_SECONDS = 30.0


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    inventory = phrases()
    dialogues = [g.dialogue for g in generate(inventory, "tune", count * 3 // 4, seed=101)]
    dialogues += [g.dialogue for g in generate(inventory, "holdout", count - len(dialogues), 102)]
    dialogues = [dataclasses.replace(d, id=f"b{i:05d}") for i, d in enumerate(dialogues)]
    chars = sum(len(t) for d in dialogues for t in d.answers.values())
    print(f"dialogues: {len(dialogues)} ({chars / 1e6:.1f} M characters of answers)")
    slowest = 0.0
    for name, batch in (("as generated", dialogues), ("typo in every 4th word", _noisy(dialogues))):
        lexicon().word_concepts.cache_clear()  # each run starts with a cold word cache
        started = time.perf_counter()
        draft = build_digest([d.to_digest() for d in batch])
        seconds = time.perf_counter() - started
        slowest = max(slowest, seconds)
        report = score(name, batch, draft, seconds)
        print(
            f"{name}: digest built in {seconds:.2f} s ({len(batch) / seconds:,.0f} dialogues/s), "
            f"{len(draft.themes)} need themes, {len(draft.struggles)} struggles, "
            f"{report.recovered} of 8 needs recovered, purity {report.purity:.2f}"
        )
    print(f"target ≤ {TARGET_SECONDS:.0f} s: {'met' if slowest <= TARGET_SECONDS else 'MISSED'}")
    if slowest > TARGET_SECONDS:
        sys.exit(1)


def _noisy(dialogues: list[EvalDialogue]) -> list[EvalDialogue]:
    """The same dialogues with many more distinct words: the word cache helps far less."""
    rng = random.Random(4)
    noisy: list[EvalDialogue] = []
    for dialogue in dialogues:
        answers = {
            step: " ".join(
                _typo(w, rng) if len(w) >= 6 and w.isalpha() and rng.random() < 0.25 else w
                for w in text.split(" ")
            )
            for step, text in dialogue.answers.items()
        }
        noisy.append(dataclasses.replace(dialogue, answers=answers))
    return noisy


if __name__ == "__main__":
    main()

"""Time a digest over 10,000 dialogues (python bench/digest_bench.py [COUNT]).

The dialogues are generated from all four phrase inventories of the evaluation set with fresh
random combinations, second topics, typos and writing styles, so the set is a perturbed
replication of the shipped one rather than 17 copies of it. The target is ≤ 30 s on the
2-core development machine (theme building uses one core).
"""

from __future__ import annotations

import dataclasses
import random
import sys
import time

import yaml

from needfinder.insights.digest import build_digest
from needfinder.insights.theme_eval import EvalDialogue, _read_data, _typo, generate, score
from needfinder.insights.themes.lexicon import lexicon

TARGET_SECONDS = 30.0


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    dialogues = []
    # 40 % from the dev phrases, 20 % from each of the three held-out inventories.
    inventories = (
        ("theme_eval_phrases.yaml", 0.4),
        ("theme_eval_holdout.yaml", 0.2),
        ("theme_eval_holdout2.yaml", 0.2),
    )
    for seed, (name, share) in enumerate(inventories, start=1):
        phrases = yaml.safe_load(_read_data(name))
        dialogues += generate(phrases, f"bench{seed}", int(count * share), seed=seed)
    phrases = yaml.safe_load(_read_data("theme_eval_holdout3.yaml"))
    dialogues += generate(phrases, "bench4", count - len(dialogues), seed=4)
    chars = sum(len(t) for d in dialogues for t in d.answers.values())
    print(f"dialogues: {len(dialogues)} ({chars / 1e6:.1f} M characters of answers)")
    slowest = 0.0
    for name, batch in (("as generated", dialogues), ("typo in every 4th word", _noisy(dialogues))):
        lexicon().word_concepts.cache_clear()  # each run starts with a cold word cache
        started = time.perf_counter()
        draft = build_digest([d.to_digest() for d in batch])
        seconds = time.perf_counter() - started
        slowest = max(slowest, seconds)
        report = score(batch, draft, seconds)
        print(
            f"{name}: digest built in {seconds:.2f} s ({len(batch) / seconds:,.0f} dialogues/s), "
            f"{len(draft.themes)} themes, recovered {report.recovered_share:.0%} of true themes"
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

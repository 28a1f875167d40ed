"""Rebuild the anonymiser's tagger model from the training set, reproducibly.

Run: ``python scripts/train_anonymiser.py [--out PATH]``. Reads the "train" split of
``data/train_set.jsonl`` (regenerate it with ``scripts/generate_anonymiser_sets.py``), the
hand-labelled ``data/eval_set.jsonl`` and the hand-written answers with fresh values in
``scripts/anonymiser_contexts/refilled.jsonl.gz`` (regenerate it with
``scripts/refill_anonymiser_contexts.py``), and writes ``data/tagger.crfsuite``. The generated
"gen-dev" split, the hand-written ``dev_hand_set.jsonl`` and the blind sets are never trained on.
Training (L-BFGS) is deterministic, so the same sets give the same model.
"""

from __future__ import annotations

import argparse
import gzip
import tempfile
import time
from pathlib import Path

from needfinder.insights.anonymise.evaluation import EvalCase, data_path, load_eval_set
from needfinder.insights.anonymise.tagger import shipped_model_path, train

TRAIN_SPLITS = frozenset(("train", "dev", "test", "holdout", "holdout2", "train-ctx"))
REFILLED = Path(__file__).resolve().parent / "anonymiser_contexts" / "refilled.jsonl.gz"


def training_cases() -> list[EvalCase]:
    """The cases the model learns from."""
    cases = load_eval_set(data_path("train_set.jsonl")) + load_eval_set(data_path("eval_set.jsonl"))
    with tempfile.TemporaryDirectory() as folder:
        plain = Path(folder) / "refilled.jsonl"
        plain.write_bytes(gzip.decompress(REFILLED.read_bytes()))
        cases += load_eval_set(plain)
    return [case for case in cases if case.split in TRAIN_SPLITS]


def main() -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=shipped_model_path())
    args = parser.parse_args()
    cases = training_cases()
    started = time.perf_counter()
    train(
        ((case.text, [(s.type, s.start, s.end) for s in case.spans]) for case in cases),
        args.out,
    )
    seconds = time.perf_counter() - started
    size = args.out.stat().st_size
    print(f"trained on {len(cases)} answers in {seconds:.0f} s -> {args.out} ({size / 1e3:.0f} kB)")


if __name__ == "__main__":
    main()

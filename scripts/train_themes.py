"""Train the needs-first sentence classifier and write ``needfinder/insights/data/need_model.json``.

    .venv/bin/python scripts/train_themes.py [--check]

The training sentences come only from the *tuning* part of the development inventory
(``needs_phrases.yaml``, three of every four phrases; the fourth is held out for the held-out
part of the development set and never seen here). Dialogues are generated with a seed of their
own (other combinations and writing habits than the tuning set itself); each sentence keeps its
label: ``need:X``, ``struggle:Y`` or ``none`` (greetings, settled topics). Sentences of needs no
known need covers are left out, so the model never learns them — they must surface as new needs.

The model is a multinomial logistic regression over the features of
:func:`needfinder.insights.themes.needs.features`, fitted by AdaGrad with L2 regularisation in
plain Python with a fixed seed, so the same inventory always gives the same weights. ``--check``
retrains and fails when the shipped file differs (CI can use it to see the weights are current).
"""

from __future__ import annotations

import json
import math
import random
import sys
from collections import Counter
from pathlib import Path

from needfinder.insights.theme_eval import generate, phrases
from needfinder.insights.themes.needs import (
    NEED_PREFIX,
    NONE,
    STRUGGLE_PREFIX,
    NeedModel,
    features,
    need_config,
)

SEED = 20261206
DIALOGUES = 2400
EPOCHS = 12
RATE = 0.4
L2 = 1e-4
#: Extra L2 on the text features (words, pairs, letter grams) but not on the lexicon's: the
#: few training phrases per need should not outweigh what the lexicon knows of a topic.
L2_TEXT = 0.02
#: AdaGrad's starting sum of squares: 1 damps the first steps of rare features, which
#: would otherwise jump by the full rate and learn single training sentences by heart.
INIT_SQUARE = 1.0
MIN_COUNT = 2
MIN_WEIGHT = 0.02
TARGET = (
    Path(__file__).resolve().parent.parent / "needfinder" / "insights" / "data" / "need_model.json"
)


def examples(part: str = "tune") -> list[tuple[tuple[str, ...], str, int]]:
    """Distinct (features, label) pairs of the generated training sentences, with counts."""
    counts: Counter[tuple[tuple[str, ...], str]] = Counter()
    for generated in generate(phrases(), part, DIALOGUES, SEED):
        language = generated.dialogue.language
        for piece in generated.pieces:
            if piece.label == "unknown":
                continue
            bag = tuple(sorted(set(features(piece.text, language))))
            counts[(bag, piece.label)] += 1
        who = generated.dialogue.answers["who"]
        counts[(tuple(sorted(set(features(who, language)))), NONE)] += 1
    return [(bag, label, n) for (bag, label), n in sorted(counts.items())]


def train(part: str = "tune") -> NeedModel:
    """Fit the model on :func:`examples` of ``part``."""
    config = need_config()
    classes = (
        *(NEED_PREFIX + n for n in config.needs),
        *(STRUGGLE_PREFIX + s for s in config.struggles),
        NONE,
    )
    index = {c: i for i, c in enumerate(classes)}
    data = examples(part)
    seen: Counter[str] = Counter()
    for bag, _label, n in data:
        seen.update({f: n for f in bag})
    vocabulary = sorted(f for f, n in seen.items() if n >= MIN_COUNT)
    feature_index = {f: i for i, f in enumerate(vocabulary)}
    rows = [
        ([feature_index[f] for f in bag if f in feature_index], index[label], n)
        for bag, label, n in data
    ]
    k = len(classes)
    penalty = [
        L2 + (L2_TEXT if f[0] in "wbg" or f[:2] in ("~w", "~b", "~g") else 0.0) for f in vocabulary
    ]
    weights = [[0.0] * k for _ in vocabulary]
    squares = [[INIT_SQUARE] * k for _ in vocabulary]
    bias = [0.0] * k
    bias_squares = [INIT_SQUARE] * k
    rng = random.Random(SEED)
    order = list(range(len(rows)))
    for _epoch in range(EPOCHS):
        rng.shuffle(order)
        for position in order:
            active, target, n = rows[position]
            scores = bias[:]
            for f in active:
                row = weights[f]
                for c in range(k):
                    scores[c] += row[c]
            top = max(scores)
            exps = [math.exp(s - top) for s in scores]
            total = sum(exps)
            # Repeated sentences weigh as often as they were generated, dampened (log).
            scale = 1.0 + math.log(n)
            gradient = [
                scale * (e / total - (1.0 if c == target else 0.0)) for c, e in enumerate(exps)
            ]
            for c in range(k):
                bias_squares[c] += gradient[c] ** 2
                bias[c] -= RATE * gradient[c] / math.sqrt(bias_squares[c])
            for f in active:
                row = weights[f]
                square = squares[f]
                for c in range(k):
                    g = gradient[c] + penalty[f] * row[c]
                    square[c] += g * g
                    row[c] -= RATE * g / math.sqrt(square[c])
    sparse = {
        feature: tuple((c, w) for c, w in enumerate(weights[i]) if abs(w) >= MIN_WEIGHT)
        for feature, i in feature_index.items()
    }
    meta = {
        "trained_by": "scripts/train_themes.py",
        "seed": SEED,
        "dialogues": DIALOGUES,
        "examples": len(rows),
        "epochs": EPOCHS,
        "inventory": f"needs_phrases.yaml ({part} part)",
    }
    return NeedModel(classes, tuple(bias), {f: p for f, p in sparse.items() if p}, meta)


def validate() -> None:
    """Train on the "fit" entries and score dialogues of the "validate" entries (both within
    the tuning part), to choose settings without touching the held-out part."""
    from needfinder.insights.digest import build_digest
    from needfinder.insights.theme_eval import anonymised, score

    model = train("fit")
    dialogues = anonymised([g.dialogue for g in generate(phrases(), "validate", 320, SEED + 1)])
    draft = build_digest([d.to_digest() for d in dialogues], model=model)
    report = score("validate", dialogues, draft, 0.0).as_dict()
    report.pop("themes_found")
    print(json.dumps(report, indent=1, ensure_ascii=False))


def main() -> int:
    """Train and write the model (or, with --check, compare with the shipped one)."""
    if "--validate" in sys.argv[1:]:
        validate()
        return 0
    text = json.dumps(train().to_dict(), ensure_ascii=False, separators=(",", ":")) + "\n"
    if "--check" in sys.argv[1:]:
        if TARGET.read_text("utf-8") != text:
            print(f"{TARGET} is not what the training script gives; retrain", file=sys.stderr)
            return 1
        print("need model is current")
        return 0
    TARGET.write_text(text, "utf-8")
    print(f"wrote {TARGET} ({len(text) // 1024} KiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

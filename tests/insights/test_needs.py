"""The needs classifier: settled clauses, the shipped model, new needs, struggles apart."""

from __future__ import annotations

import json
import subprocess
import sys
from importlib import resources
from pathlib import Path

import pytest

from needfinder.app.digests import check
from needfinder.insights.digest import build_digest
from needfinder.insights.themes.model import DigestDialogue
from needfinder.insights.themes.needs import (
    MODEL_FORMAT,
    NEED_PREFIX,
    NONE,
    STRUGGLE_PREFIX,
    features,
    model_from_dict,
    need_config,
    need_model,
    settled_clauses,
)

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("text", "language", "settled"),
    [
        ("Die Preise sind völlig okay.", "de", [True]),
        ("prices are completely okay", "en", [True]),
        ("We don't need software hookups.", "en", [True]),
        ("Schulungen brauchen wir nicht.", "de", [True]),
        ("Kein Bedarf an einem Onlineshop.", "de", [True]),
        ("Liefern tut ihr pünktlich – das passt.", "de", [True, True]),
        ("Prices are fine, but we need a contact person.", "en", [True, False]),
        ("Die Preise sind nicht okay.", "de", [False]),
        ("The prices are not fine at all.", "en", [False]),
        # A wish with a satisfied word in it is still a wish.
        ("An app would be great if it is fine to use offline.", "en", [False]),
        ("Nobody calls back.", "en", [False]),
    ],
)
def test_settled_clauses(text: str, language: str, settled: list[bool]) -> None:
    assert [s for _words, s in settled_clauses(text, language)] == settled  # type: ignore[arg-type]


def test_settled_clauses_keep_only_marked_features() -> None:
    plain = features("Die Preise", "de")
    marked = features("Die Preise sind völlig okay", "de")
    mixed = features("Die Preise sind völlig okay, aber schneller liefern", "de")
    assert not any(f.startswith("~") or f == "n:prices" for f in mixed) and "n:delivery" in mixed
    assert "w:preis" in plain and "n:prices" in plain
    assert all(f.startswith("~") for f in marked) and "~n:prices" in marked


def test_the_shipped_model_loads_and_matches_the_training_format() -> None:
    model = need_model()
    config = need_config()
    expected = (
        *(NEED_PREFIX + n for n in config.needs),
        *(STRUGGLE_PREFIX + s for s in config.struggles),
        NONE,
    )
    assert model.classes == expected
    assert model.meta["trained_by"] == "scripts/train_themes.py"
    assert "tune part" in model.meta["inventory"]
    data = json.loads(
        resources.files("needfinder.insights").joinpath("data/need_model.json").read_text()
    )
    assert data["format"] == MODEL_FORMAT
    assert model_from_dict(data).to_dict() == model.to_dict()
    # The training script writes what the package reads.
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import train_themes  # type: ignore[import-not-found]
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    assert (
        train_themes.TARGET.resolve()
        == Path(
            str(resources.files("needfinder.insights").joinpath("data/need_model.json"))
        ).resolve()
    )


def test_a_broken_model_is_refused() -> None:
    data = need_model().to_dict()
    with pytest.raises(ValueError, match="format"):
        model_from_dict({**data, "format": "other"})
    with pytest.raises(ValueError, match="unknown class"):
        model_from_dict({**data, "weights": {"w:x": [[99, 1.0]]}})


@pytest.mark.parametrize(
    ("text", "language", "need"),
    [
        ("Wir bräuchten kürzere Lieferzeiten.", "de", "delivery"),
        ("I want to reorder online at night.", "en", "digital"),
        ("Einen festen Ansprechpartner bitte.", "de", "contact"),
        ("Clear prices without hidden fees.", "en", "prices"),
        ("Schulungen für mein Team.", "de", "training"),
        ("Less packaging waste, please.", "en", "sustainability"),
        ("Zahlung auf Rechnung mit 30 Tagen.", "de", "payment"),
        ("Two systems that don't talk, and I am the interface.", "en", "integration"),
    ],
)
def test_sentences_get_their_need(text: str, language: str, need: str) -> None:
    model = need_model()
    probabilities = model.probabilities(features(text, language))  # type: ignore[arg-type]
    best = model.classes[probabilities.index(max(probabilities))]
    assert best == NEED_PREFIX + need


def _dialogue(i: int, language: str, needs: str, challenges: str = "") -> DigestDialogue:
    return DigestDialogue(
        f"d{i:03d}",
        language,  # type: ignore[arg-type]
        {"challenges": challenges, "needs": needs},
        True,
    )


def test_a_satisfied_mention_never_counts_for_its_theme() -> None:
    dialogues = [
        _dialogue(1, "en", "Prices are completely okay. We need faster deliveries."),
        _dialogue(2, "de", "Die Preise sind völlig okay. Wir bräuchten schnellere Lieferungen."),
        _dialogue(3, "en", "We don't need software hookups. Shorter lead times, please."),
        _dialogue(4, "de", "Eine Schnittstelle brauchen wir nicht, aber kürzere Lieferzeiten."),
    ]
    draft = build_digest(dialogues)
    assert [(t.id, t.dialogue_count) for t in draft.themes] == [("delivery", 4)]


def test_struggles_form_their_own_section_not_need_themes() -> None:
    staff = "Wir finden einfach kein Personal. Der Krankenstand ist hoch."
    dialogues = [
        _dialogue(i, "de" if i % 2 else "en", need, staff)
        for i, need in enumerate(
            [
                "Wir bräuchten schnellere Lieferungen.",
                "We need faster deliveries.",
                "Kürzere Lieferzeiten, ganz klar.",
                "Shorter lead times, plain and simple.",
            ]
        )
    ]
    draft = build_digest(dialogues)
    assert [t.id for t in draft.themes] == ["delivery"]
    struggles = {t.id: t for t in draft.struggles}
    assert {"struggle-staff", "struggle-sickness"} <= set(struggles)
    quote = struggles["struggle-staff"].quotes[0]
    assert quote.step_id == "challenges" and "Personal" in quote.text


def test_a_need_nobody_named_surfaces_as_its_own_theme() -> None:
    # Wheelchair access: in no lexicon, no training sentence and no inventory.
    new = [
        ("en", "A ramp at the entrance so wheelchair users can get in."),
        ("en", "Wheelchair access to the showroom, there is a step at the door."),
        ("en", "Step-free access for my wheelchair, the ramp is missing."),
        ("en", "An accessible entrance with a ramp for wheelchairs would help."),
        ("de", "Eine Rampe am Eingang für Rollstuhlfahrer."),
        ("de", "Der Eingang ist nicht barrierefrei, eine Rampe für den Rollstuhl fehlt."),
        ("de", "Barrierefreier Zugang mit Rampe für Rollstühle."),
    ]
    known = [
        ("de", "Wir bräuchten schnellere Lieferungen."),
        ("en", "We need faster deliveries."),
        ("de", "Einen festen Ansprechpartner, der uns kennt."),
        ("en", "One fixed contact person who knows our business."),
    ]
    dialogues = [_dialogue(i, lang, text) for i, (lang, text) in enumerate(new + known)]
    draft = build_digest(dialogues)
    others = [t for t in draft.themes if t.kind == "other"]
    assert others, [(t.id, t.dialogue_ids) for t in draft.themes]
    new_ids = {f"d{i:03d}" for i in range(len(new))}
    best = max(others, key=lambda t: len(set(t.dialogue_ids) & new_ids))
    assert len(set(best.dialogue_ids) & new_ids) >= 3
    assert set(best.dialogue_ids) <= new_ids  # no known need among them
    assert best.label.de and best.label.en
    label = (best.label.en + best.label.de).lower()
    assert any(w in label for w in ("ramp", "wheelchair", "rollstuhl", "barrierefrei", "access"))
    assert {t.id for t in draft.themes if t.kind == "need"} == {"delivery", "contact"}


def test_shipped_labels_are_trusted_and_every_other_label_is_checked() -> None:
    # Approval runs the anonymiser over every label; the shipped ones are our own text, so a
    # statistical name tagger's false alarm on them ("Wettbewerb") must not block a digest.
    config = need_config()
    content = {
        "themes": [
            {
                "id": need,
                "label": {"de": label.de, "en": label.en},
                "dialogue_ids": ["d1"],
                "quotes": [],
            }
            for need, label in config.needs.items()
        ],
        "struggles": [
            {
                "id": f"struggle-{key}",
                "label": {"de": label.de, "en": label.en},
                "dialogue_ids": ["d1"],
                "quotes": [],
            }
            for key, label in config.struggles.items()
        ],
    }
    assert check(content) == []
    content["struggles"][0]["label"]["en"] = "Write to chef@beispiel.de"
    assert check(content) == ["struggle 1 label may contain personal data (EMAIL)"]


def test_the_model_is_what_the_training_script_gives() -> None:
    # Retraining from the inventory reproduces the shipped weights exactly (fixed seed).
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "train_themes.py"), "--check"],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr

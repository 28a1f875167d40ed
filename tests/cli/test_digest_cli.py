"""``needfinder digest build`` on imported dialogues: --dry-run, source ids, needs and struggles."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.test_cli import run

NEEDS = [
    ("de", "Wir bräuchten schnellere Lieferungen und Ware, die vorrätig ist."),
    ("en", "We need faster deliveries and goods that are actually in stock."),
    ("de", "Kürzere Lieferzeiten, ganz klar."),
    ("en", "Shorter lead times, plain and simple."),
    ("de", "Einen festen Ansprechpartner, der unseren Betrieb kennt."),
    ("en", "One fixed contact person who knows our business."),
]
STRUGGLE = {
    "de": "Wir finden einfach kein Personal. Die Stromrechnung hat sich verdreifacht.",
    "en": "We just can't find staff. The electricity bill has tripled.",
}


def _import_file(tmp_path: Path) -> Path:
    path = tmp_path / "calls.jsonl"
    lines = [
        json.dumps(
            {
                "id": f"call-2026-03-{n + 1:02d}",
                "language": language,
                "script": "discovery",
                "started_at": f"2026-03-{n + 1:02d}T10:00:00Z",
                "consents": {"quotes": True},
                "answers": {
                    "who": "I run a small workshop.",
                    "challenges": STRUGGLE[language],
                    "needs": need,
                },
            },
            ensure_ascii=False,
        )
        for n, (language, need) in enumerate(NEEDS)
    ]
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return path


def test_dry_run_prints_a_traceable_draft_and_stores_nothing(tmp_path: Path) -> None:
    imported = run(["transcripts", "import", str(_import_file(tmp_path))], tmp_path)
    assert imported.returncode == 0, imported.stderr
    dry = run(["digest", "build", "--dry-run", "--format", "json"], tmp_path)
    assert dry.returncode == 0, dry.stderr
    assert "nothing was stored" in dry.stderr
    content = json.loads(dry.stdout)
    themes = {t["id"]: t for t in content["themes"]}
    assert set(themes) == {"delivery", "contact"}
    delivery = themes["delivery"]
    assert len(delivery["dialogue_ids"]) == 4
    # Every imported dialogue of the theme names its id in the source.
    assert sorted(delivery["source_ids"].values()) == [f"call-2026-03-0{n}" for n in (1, 2, 3, 4)]
    assert set(delivery["source_ids"]) == set(delivery["dialogue_ids"])
    struggles = {t["id"] for t in content["struggles"]}
    assert {"struggle-staff", "struggle-energy"} <= struggles
    assert "no digests yet" in run(["digest", "list"], tmp_path).stdout

    markdown = run(["digest", "build", "--lang", "en"], tmp_path)
    assert markdown.returncode == 0, markdown.stderr
    needs_at = markdown.stdout.index("What customers need")
    struggles_at = markdown.stdout.index("What customers are struggling with")
    assert needs_at < markdown.stdout.index("Delivery speed and availability") < struggles_at
    assert markdown.stdout.index("Staff and skilled workers") > struggles_at
    assert "draft g_" in markdown.stderr
    assert "1 themes" not in run(["digest", "list"], tmp_path).stdout

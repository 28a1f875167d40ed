"""``needfinder digest evaluate`` (mounted from needfinder/cli/digest_eval.py)."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from needfinder.cli.digest_eval import evaluate_command
from needfinder.insights.theme_eval import BLIND_FILE, KNOWN_NEEDS, blind_set, phrases


def test_help_explains_every_option() -> None:
    result = CliRunner().invoke(evaluate_command, ["--help"])
    assert result.exit_code == 0
    for option in ("--set", "--file", "--json", "--check"):
        assert option in result.output


def test_table_and_check_on_the_tuning_part() -> None:
    result = CliRunner().invoke(evaluate_command, ["--set", "tune", "--check"])
    assert result.exit_code == 0, result.output
    assert "== dev: tune: 320 dialogues" in result.output
    for line in (
        "needs recovered: ",
        "purity (membership-weighted): ",
        "adjusted Rand",
        "memberships per dialogue: ",
        "dialogues in no need theme",
        "not verbatim or not allowed: 0",
        "personal data found in labels or quotes: 0",
        "targets: met",
    ):
        assert line in result.output


def test_all_reports_every_set_and_says_when_the_blind_set_is_missing() -> None:
    result = CliRunner().invoke(evaluate_command, ["--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    names = [s["set"] for s in data["sets"]]
    assert names[:2] == ["dev: tune", "dev: holdout"]
    if blind_set() is None:
        assert names == ["dev: tune", "dev: holdout"]
        assert any(BLIND_FILE in note and "not present" in note for note in data["notes"])
    else:
        # Each round of the blind set is reported apart, each at least 240 dialogues.
        assert names[2:] == ["blind", "blind2"]
        assert all(figures["dialogues"] >= 240 for figures in data["sets"][2:])
    # Every set reports a row for each need the generator's phrase inventory knows.
    assert set(KNOWN_NEEDS) == set(phrases()["needs"])
    for figures in data["sets"]:
        assert {n["need"] for n in figures["needs"]} == set(KNOWN_NEEDS)


def test_check_fails_when_a_target_is_missed(tmp_path: Path) -> None:
    # Every dialogue says the same thing but is labelled with one of two needs: at most one
    # of them can be recovered, far below 7 of 8.
    lines = [
        json.dumps(
            {
                "id": f"x{i}",
                "language": "de" if i % 2 else "en",
                "needs": ["prices" if i % 2 else "delivery"],
                "struggles": [],
                "quotes_allowed": True,
                "answers": {"needs": "Wir bräuchten schnellere Lieferungen. Faster deliveries."},
            }
        )
        for i in range(10)
    ]
    path = tmp_path / "set.jsonl"
    path.write_text("\n".join(lines), "utf-8")
    result = CliRunner().invoke(evaluate_command, ["--file", str(path), "--check"])
    assert result.exit_code == 1
    assert "targets missed" in result.output


def test_a_malformed_set_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(
        '{"id": "a", "language": "de", "needs": ["prices"], "answers": {}}\n{oops\n', "utf-8"
    )
    result = CliRunner().invoke(evaluate_command, ["--file", str(path)])
    assert result.exit_code == 2
    assert "bad.jsonl:2" in result.output

"""``needfinder digest evaluate`` (mounted from needfinder/cli/digest_eval.py)."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from needfinder.cli.digest_eval import evaluate_command


def test_help_explains_every_option() -> None:
    result = CliRunner().invoke(evaluate_command, ["--help"])
    assert result.exit_code == 0
    for option in ("--set", "--split", "--json", "--check"):
        assert option in result.output


def test_table_and_check_on_the_shipped_set() -> None:
    result = CliRunner().invoke(evaluate_command, ["--check"])
    assert result.exit_code == 0, result.output
    assert "recovered:" in result.output and "targets: met" in result.output


def test_json_for_one_split() -> None:
    result = CliRunner().invoke(evaluate_command, ["--json", "--split", "holdout"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["dialogues"] == 100
    assert {t["theme"] for t in data["themes"]} >= {"staff", "prices", "delivery"}


def test_json_for_the_newest_held_out_split() -> None:
    result = CliRunner().invoke(evaluate_command, ["--json", "--split", "holdout4"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["dialogues"] == 120
    assert data["bad_quotes"] == 0
    assert len(data["themes"]) == 9


def test_check_fails_when_a_target_is_missed(tmp_path: Path) -> None:
    # Every dialogue says the same thing, labelled with two different themes: at most one of
    # the two can be recovered with purity ≥ 60 %.
    lines = [
        json.dumps(
            {
                "id": f"x{i}",
                "language": "de" if i % 2 else "en",
                "themes": ["a" if i % 2 else "b"],
                "quotes_allowed": True,
                "answers": {"challenges": "Wir finden kein Personal. We cannot hire staff."},
            }
        )
        for i in range(10)
    ]
    path = tmp_path / "set.jsonl"
    path.write_text("\n".join(lines), "utf-8")
    result = CliRunner().invoke(evaluate_command, ["--set", str(path), "--check"])
    assert result.exit_code == 1
    assert "targets missed" in result.output


def test_a_malformed_set_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"id": "a", "language": "de", "answers": {}}\n{oops\n', "utf-8")
    result = CliRunner().invoke(evaluate_command, ["--set", str(path)])
    assert result.exit_code == 2
    assert "bad.jsonl:2" in result.output

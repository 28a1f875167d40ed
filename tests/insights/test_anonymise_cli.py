"""``needfinder anonymise`` and ``needfinder anonymise evaluate`` through click's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from needfinder.cli.anonymise_commands import anonymise_group


def test_jsonl_in_jsonl_out_with_consistent_placeholders() -> None:
    stdin = "\n".join(
        [
            json.dumps({"id": "a", "text": "Ich heiße Anna Berger, Mail anna@web.de"}),
            json.dumps({"id": 7, "text": "anna ruft an: 0171 2345678"}),
            "",
            "plain line from Frau Berger",
        ]
    )
    result = CliRunner().invoke(anonymise_group, ["--lang", "de"], input=stdin)
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert lines == [
        {"id": "a", "text": "Ich heiße [PERSON_1], Mail [EMAIL_1]"},
        {"id": 7, "text": "[PERSON_1] ruft an: [PHONE_1]"},
        {"id": 3, "text": "plain line from Frau [PERSON_1]"},
    ]


def test_plain_lines_get_sequential_ids() -> None:
    result = CliRunner().invoke(anonymise_group, [], input="Herr Klein\nMittwoch passt\n")
    assert result.exit_code == 0
    assert [json.loads(line)["id"] for line in result.output.splitlines()] == [1, 2]


def test_per_line_numbers_placeholders_afresh() -> None:
    stdin = "Herr Klein\nHerr Vogel\n"
    result = CliRunner().invoke(anonymise_group, ["--per-line"], input=stdin)
    assert [json.loads(line)["text"] for line in result.output.splitlines()] == [
        "Herr [PERSON_1]",
        "Herr [PERSON_1]",
    ]


def test_malformed_json_line_names_the_line_and_fails() -> None:
    stdin = '{"id": 1, "text": "ok"}\n{"id": 2, "text": \n'
    result = CliRunner().invoke(anonymise_group, [], input=stdin)
    assert result.exit_code != 0
    assert "line 2" in result.output
    assert '"id": 1' not in result.output  # nothing half-written


def test_json_without_text_is_an_error() -> None:
    result = CliRunner().invoke(anonymise_group, [], input='{"id": 1, "body": "x"}\n')
    assert result.exit_code != 0
    assert "line 1" in result.output


def test_evaluate_prints_figures_and_checks_targets() -> None:
    result = CliRunner().invoke(anonymise_group, ["evaluate", "--only", "train/dev", "--check"])
    assert result.exit_code == 0, result.output
    assert "PERSON" in result.output and "over-redaction" in result.output
    assert "LANGUAGE" in result.output and "== train/dev ==" in result.output
    result = CliRunner().invoke(anonymise_group, ["evaluate", "--json"])
    figures = json.loads(result.output)
    dev = figures["train/dev"]
    assert dev["targets_met"] is True
    assert set(dev["per_type"]) >= {"PERSON", "ORG", "ADDRESS", "ID", "EMAIL", "PHONE"}
    assert set(dev["per_language"]) == {"de", "en"}
    assert "dev-hand" in figures
    # The blind set is only installed by whoever wrote it; its absence is reported, not hidden.
    for blind in ("blind2", "blind4", "blind6", "blind8", "blind10"):
        assert (blind in figures) != (blind in figures["missing_sets"])
    # --check fails exactly when some reported set misses a target.
    result = CliRunner().invoke(anonymise_group, ["evaluate", "--check"])
    assert (result.exit_code == 0) == figures["targets_met"]


def test_evaluate_check_fails_when_targets_are_missed(tmp_path: Path) -> None:
    # A name no rule can know, with no context: it leaks, so --check must fail.
    case = {
        "id": "x",
        "language": "de",
        "text": "Zqwertz war da.",
        "spans": [{"type": "PERSON", "start": 0, "end": 7, "value": "Zqwertz"}],
    }
    path = tmp_path / "set.jsonl"
    path.write_text(json.dumps(case) + "\n", encoding="utf-8")
    result = CliRunner().invoke(anonymise_group, ["evaluate", "--set", str(path), "--check"])
    assert result.exit_code == 1
    assert "targets missed" in result.output


def test_every_command_and_option_has_help() -> None:
    for command in [anonymise_group, *anonymise_group.commands.values()]:
        assert command.help
        for parameter in command.params:
            assert getattr(parameter, "help", None), f"{command.name} {parameter.name}"

"""Scripts and profiles: valid ones load, broken ones name file, line and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from conversations.loader import (
    ScriptError,
    builtin_script_paths,
    load_organisation,
    load_script,
    parse_script,
)
from conversations.model import AskStep, ChoiceStep

GOOD = """\
id: demo
version: 2
title: {de: Demo, en: Demo}
steps:
  - id: consent
    kind: consent
    topic: storage
    text: {de: "Einverstanden?", en: "Agreed?"}
  - id: role
    kind: choice
    text: {de: "Rolle?", en: "Role?"}
    options:
      - {id: owner, label: {de: Inhaber, en: Owner}}
      - {id: staff, label: {de: Angestellt, en: Employed}}
  - id: team
    kind: ask
    when: {step: role, equals: owner}
    text: {de: "Wie groß ist Ihr Team?", en: "How big is your team?"}
  - id: end
    kind: end
    text: {de: Danke, en: Thanks}
"""


def test_builtin_scripts_are_valid_and_have_the_promised_steps() -> None:
    scripts = {p.stem: load_script(p).script for p in builtin_script_paths()}
    assert set(scripts) == {"discovery", "contact", "future", "followup"}
    discovery_steps = [s.id for s in scripts["discovery"].steps]
    assert {"who", "challenges", "needs"} <= set(discovery_steps)
    assert (
        discovery_steps.index("who")
        < discovery_steps.index("challenges")
        < discovery_steps.index("needs")
    )
    contact = scripts["contact"]
    assert isinstance(contact.step("frequency"), ChoiceStep)
    assert isinstance(contact.step("digital_tasks"), AskStep)
    assert isinstance(scripts["future"].step("where_we_must_be"), AskStep)


def test_a_good_script_loads() -> None:
    script = parse_script(GOOD, "demo.yaml").script
    assert script.id == "demo" and script.version == 2
    team = script.step("team")
    assert team.when is not None and team.when.equals == "owner"


def _error(text: str) -> ScriptError:
    with pytest.raises(ScriptError) as caught:
        parse_script(text, "bad.yaml")
    return caught.value


def test_unknown_step_kind_names_line_and_field() -> None:
    error = _error(GOOD.replace("kind: ask", "kind: interview"))
    assert error.line == 16 and error.field == "steps[2].kind"
    assert "unknown step kind 'interview'" in str(error) and str(error).startswith("bad.yaml:16")


def test_missing_text_in_one_language_names_the_field() -> None:
    error = _error(GOOD.replace("{de: Danke, en: Thanks}", "{de: Danke}"))
    assert error.field == "steps[3].text.en" and error.line == 21
    assert "Field required" in str(error)


def test_unknown_field_is_an_error() -> None:
    error = _error(GOOD.replace("    topic: storage\n", "    topic: storage\n    colour: red\n"))
    assert error.field == "steps[0].colour" and error.line == 8 and error.problem == "unknown field"


def test_condition_on_unknown_option_is_located() -> None:
    error = _error(GOOD.replace("equals: owner", "equals: boss"))
    assert error.field == "steps[2].when" and error.line == 17
    assert "unknown option 'boss'" in error.problem


def test_condition_on_later_step_is_rejected() -> None:
    error = _error(GOOD.replace("step: role", "step: team"))
    assert "not an earlier step" in error.problem


def test_malformed_yaml_names_the_line() -> None:
    error = _error(GOOD.replace("  - id: team", "  - id: team: broken"))
    assert error.line == 15 and "invalid YAML" in error.problem


def test_unknown_placeholder_is_rejected() -> None:
    error = _error(GOOD.replace("{de: Danke, en: Thanks}", '{de: "Danke {org_nam}", en: Thanks}'))
    assert "unknown placeholder {org_nam}" in error.problem and error.field == "steps[3].text"


def test_script_must_end_with_end_and_have_storage_consent_first() -> None:
    no_end = GOOD.split("  - id: end")[0]
    assert "last step must be of kind 'end'" in _error(no_end).problem
    late_consent = GOOD.replace("topic: storage", "topic: quotes")
    assert "exactly one consent step with topic 'storage'" in _error(late_consent).problem


def test_duplicate_ids_are_rejected() -> None:
    error = _error(GOOD.replace("id: team", "id: role"))
    assert "duplicate step id 'role'" in error.problem and error.field == "steps[2].id"


def test_yes_and_no_are_strings_not_booleans() -> None:
    text = GOOD.replace(
        "    topic: storage\n",
        "    topic: storage\n    yes: {de: Ja, en: Yes}\n    no: {de: Nein, en: No}\n",
    )
    step = parse_script(text, "x.yaml").script.step("consent")
    assert step.yes is not None and step.yes.en == "Yes"  # type: ignore[union-attr]


def test_top_level_must_be_a_mapping() -> None:
    assert _error("- just\n- a list\n").problem == "expected a mapping at the top level"


def test_missing_file_and_non_utf8(tmp_path: Path) -> None:
    with pytest.raises(ScriptError, match="file not found"):
        load_script(tmp_path / "nope.yaml")
    broken = tmp_path / "latin1.yaml"
    broken.write_bytes("id: caf\xe9\n".encode("latin-1"))
    with pytest.raises(ScriptError, match="not UTF-8"):
        load_script(broken)


def test_organisation_profile_errors_are_located(tmp_path: Path) -> None:
    profile = tmp_path / "org.yaml"
    profile.write_text("name: ACME\nintro: {de: Wir, en: We}\nchallenges: {de: Viel}\n")
    with pytest.raises(ScriptError) as caught:
        load_organisation(profile)
    assert caught.value.field == "challenges.en" and caught.value.line == 3

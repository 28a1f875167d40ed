"""Needs-first digests: guarantees on the development set, and the evaluation as a regression."""

from __future__ import annotations

import json
import re

import pytest

from needfinder.insights.digest import build_digest
from needfinder.insights.theme_eval import (
    KNOWN_NEEDS,
    TARGET_PURITY,
    TARGET_RECOVERED,
    EvalDialogue,
    adjusted_rand,
    anonymised,
    dev_set,
    evaluate,
    generate_dev_set,
)
from needfinder.insights.themes.model import DigestDialogue, DigestDraft


@pytest.fixture(scope="module")
def tune() -> list[EvalDialogue]:
    return anonymised([d for d in dev_set() if d.split == "tune"])


@pytest.fixture(scope="module")
def draft(tune: list[EvalDialogue]) -> DigestDraft:
    return build_digest([d.to_digest() for d in tune])


def test_every_quote_is_verbatim_from_its_anonymised_answer(
    tune: list[EvalDialogue], draft: DigestDraft
) -> None:
    by_id = {d.id: d for d in tune}
    quotes = [q for t in (*draft.themes, *draft.struggles) for q in t.quotes]
    assert len(quotes) > 20
    for quote in quotes:
        answer = by_id[quote.dialogue_id].answers[quote.step_id]
        assert answer[quote.start : quote.end] == quote.text
        assert quote.text.strip() == quote.text and quote.text


def test_no_quote_from_a_dialogue_that_disallowed_quotes(
    tune: list[EvalDialogue], draft: DigestDraft
) -> None:
    allowed = {d.id for d in tune if d.quotes_allowed}
    assert len(allowed) < len(tune)  # the set has refusals to test against
    for theme in (*draft.themes, *draft.struggles):
        assert len(theme.quotes) <= 3
        for quote in theme.quotes:
            assert quote.dialogue_id in allowed and quote.dialogue_id in theme.dialogue_ids
        assert len({q.dialogue_id for q in theme.quotes}) == len(theme.quotes)


def test_no_quotes_at_all_when_nobody_allowed_them(tune: list[EvalDialogue]) -> None:
    refused = [DigestDialogue(d.id, d.language, d.answers, quotes_allowed=False) for d in tune]
    draft = build_digest(refused)
    assert draft.themes and draft.struggles
    assert all(t.quotes == () for t in (*draft.themes, *draft.struggles))


def test_needs_first_one_primary_theme_and_struggles_apart(
    tune: list[EvalDialogue], draft: DigestDraft
) -> None:
    ids = {d.id for d in tune}
    memberships: dict[str, int] = {}
    for theme in draft.themes:
        assert theme.kind in ("need", "other")
        assert theme.dialogue_count == len(set(theme.dialogue_ids)) >= 2
        assert set(theme.secondary_ids) <= set(theme.dialogue_ids)
        assert sum(theme.languages.values()) == theme.dialogue_count
        for dialogue_id in theme.dialogue_ids:
            memberships[dialogue_id] = memberships.get(dialogue_id, 0) + 1
    # A primary need and at most one secondary: never more than two need themes.
    assert max(memberships.values()) <= 2
    assert sum(memberships.values()) / len(tune) < 1.2
    themed = set(memberships)
    assert themed | set(draft.unthemed_dialogue_ids) == ids
    assert not themed & set(draft.unthemed_dialogue_ids)
    # Struggles are never need themes, and need themes never carry a struggle's id.
    assert {t.kind for t in draft.struggles} == {"struggle"}
    assert all(t.id.startswith("struggle-") for t in draft.struggles)
    assert not any(t.id.startswith("struggle-") for t in draft.themes)
    assert {t.id for t in draft.themes if t.kind == "need"} == set(KNOWN_NEEDS)
    counts = [t.dialogue_count for t in draft.themes]
    assert counts == sorted(counts, reverse=True)


def test_struggles_are_found_in_the_challenges(
    tune: list[EvalDialogue], draft: DigestDraft
) -> None:
    found = {t.id.removeprefix("struggle-"): set(t.dialogue_ids) for t in draft.struggles}
    hits = total = claimed = 0
    for dialogue in tune:
        for struggle in dialogue.struggles:
            total += 1
            hits += dialogue.id in found.get(struggle, set())
    for struggle, members in found.items():
        labelled = {d.id for d in tune if struggle in d.struggles}
        claimed += len(members - labelled)
    assert hits / total >= 0.8
    assert claimed / sum(len(m) for m in found.values()) <= 0.2


def test_no_participant_ids_anywhere_in_the_output() -> None:
    # Dialogue ids look like storage's ("d_…"); participants ("p_…") never enter the digest,
    # and an answer that mentions one is not quoted.
    participants = [f"p_{i:012x}" for i in range(40)]
    dialogues = []
    for i, participant in enumerate(participants):
        text = "Wir bräuchten schnellere Lieferungen." if i % 2 else "We need faster deliveries."
        if i == 3:
            text = f"Schnellere Lieferungen, fragen Sie {participant} für Details."
        dialogues.append(
            DigestDialogue(f"d_{i:012x}", "de" if i % 2 else "en", {"needs": text}, True)
        )
    output = json.dumps(build_digest(dialogues).to_dict())
    assert not re.search(r"\bp_[0-9a-f]{6,}", output)
    assert "d_000000000001" in output


def test_to_dict_is_json_and_complete(draft: DigestDraft) -> None:
    data = json.loads(json.dumps(draft.to_dict()))
    assert data["method"] == draft.method
    for section in ("themes", "struggles"):
        theme = data[section][0]
        assert set(theme) == {
            "id",
            "kind",
            "label",
            "dialogue_count",
            "dialogue_ids",
            "secondary_dialogue_ids",
            "languages",
            "concepts",
            "quotes",
        }
        assert set(theme["label"]) == {"de", "en"} and all(theme["label"].values())
        assert theme["dialogue_count"] == len(theme["dialogue_ids"])


def test_the_shipped_dev_set_is_what_the_generator_makes() -> None:
    shipped = dev_set()
    assert [d.to_dict() for d in generate_dev_set()] == [d.to_dict() for d in shipped]
    assert len(shipped) >= 400
    parts = {d.split for d in shipped}
    assert parts == {"tune", "holdout"}
    for part in parts:
        dialogues = [d for d in shipped if d.split == part]
        assert {d.language for d in dialogues} == {"de", "en"}
        primaries = {d.needs[0] for d in dialogues}
        assert set(KNOWN_NEEDS) <= primaries
        assert primaries - set(KNOWN_NEEDS), "some dialogues raise a need none of the 8 is"
    assert sum(len(d.needs) == 2 for d in shipped) >= 60
    assert sum(bool(d.struggles) for d in shipped) >= len(shipped) // 2
    lower = sum(d.answers["needs"] == d.answers["needs"].lower() for d in shipped)
    assert lower >= len(shipped) // 5


def test_the_held_out_part_shares_no_need_sentence_with_the_tuning_part() -> None:
    shipped = dev_set()

    def sentences(part: str) -> set[str]:
        found: set[str] = set()
        for d in shipped:
            if d.split == part:
                found |= {s.strip(" .").lower() for s in re.split(r"[.\n]", d.answers["needs"])}
        return found - {""}

    shared = sentences("tune") & sentences("holdout")
    # Only the unknown needs (never trained on) and the short generic frames may recur.
    assert len(shared) <= 0.1 * len(sentences("holdout")), sorted(shared)[:20]


def test_evaluation_meets_the_targets_on_the_tuning_part() -> None:
    report = evaluate("tune", [d for d in dev_set() if d.split == "tune"])
    assert report.recovered >= TARGET_RECOVERED, report.as_dict()
    assert report.purity >= TARGET_PURITY
    assert report.bad_quotes == 0 and report.pii == ()
    assert report.failures() == []


def test_evaluation_floor_on_the_held_out_part() -> None:
    # The held-out part was scored at the end of the work (README: first 6 of 8 at 0.78, then
    # 7 of 8 at 0.82 after one round); this guards it against getting worse.
    report = evaluate("holdout", [d for d in dev_set() if d.split == "holdout"])
    assert report.recovered >= 7, report.as_dict()
    assert report.purity >= 0.8
    assert report.bad_quotes == 0 and report.pii == ()


def test_adjusted_rand_is_one_for_identical_and_low_for_unrelated_partitions() -> None:
    truth = ["a", "a", "b", "b", "c", "c"]
    assert adjusted_rand(truth, ["x", "x", "y", "y", "z", "z"]) == pytest.approx(1.0)
    assert adjusted_rand(truth, ["x", "y", "z", "x", "y", "z"]) < 0.0

"""Digest guarantees on the shipped synthetic set, and the evaluation as a regression test."""

from __future__ import annotations

import json
import re

import pytest

from needfinder.insights.digest import DigestSettings, build_digest
from needfinder.insights.theme_eval import (
    TARGET_MIXED,
    TARGET_RECOVERED,
    EvalDialogue,
    evaluate,
    generate_shipped_set,
    load_eval_set,
    score,
)
from needfinder.insights.themes.model import DigestDialogue, DigestDraft


@pytest.fixture(scope="module")
def eval_set() -> list[EvalDialogue]:
    return load_eval_set()


@pytest.fixture(scope="module")
def draft(eval_set: list[EvalDialogue]) -> DigestDraft:
    return build_digest([d.to_digest() for d in eval_set])


def test_every_quote_is_verbatim_from_its_anonymised_answer(
    eval_set: list[EvalDialogue], draft: DigestDraft
) -> None:
    by_id = {d.id: d for d in eval_set}
    quotes = [q for t in draft.themes for q in t.quotes]
    assert quotes
    for quote in quotes:
        answer = by_id[quote.dialogue_id].answers[quote.step_id]
        assert answer[quote.start : quote.end] == quote.text
        assert quote.text.strip() == quote.text and quote.text


def test_no_quote_from_a_dialogue_that_disallowed_quotes(
    eval_set: list[EvalDialogue], draft: DigestDraft
) -> None:
    allowed = {d.id for d in eval_set if d.quotes_allowed}
    assert len(allowed) < len(eval_set)  # the set has refusals to test against
    for theme in draft.themes:
        assert 1 <= len(theme.quotes) <= 3
        for quote in theme.quotes:
            assert quote.dialogue_id in allowed
            assert quote.dialogue_id in theme.dialogue_ids
        assert len({q.dialogue_id for q in theme.quotes}) == len(theme.quotes)


def test_no_quotes_at_all_when_nobody_allowed_them(eval_set: list[EvalDialogue]) -> None:
    refused = [DigestDialogue(d.id, d.language, d.answers, quotes_allowed=False) for d in eval_set]
    draft = build_digest(refused)
    assert draft.themes
    assert all(theme.quotes == () for theme in draft.themes)


def test_every_theme_lists_its_dialogues(eval_set: list[EvalDialogue], draft: DigestDraft) -> None:
    ids = {d.id for d in eval_set}
    themed: set[str] = set()
    for theme in draft.themes:
        assert theme.dialogue_count == len(theme.dialogue_ids) >= 2
        assert len(set(theme.dialogue_ids)) == len(theme.dialogue_ids)
        assert set(theme.dialogue_ids) <= ids
        assert sum(theme.languages.values()) == theme.dialogue_count
        themed |= set(theme.dialogue_ids)
    assert themed | set(draft.unthemed_dialogue_ids) == ids
    assert not themed & set(draft.unthemed_dialogue_ids)
    assert draft.dialogue_count == len(ids)
    counts = [t.dialogue_count for t in draft.themes]
    assert counts == sorted(counts, reverse=True)


def test_no_participant_ids_anywhere_in_the_output() -> None:
    # Dialogue ids look like storage's ("d_…"); participants ("p_…") never enter the digest,
    # and an answer that mentions one is not quoted.
    participants = [f"p_{i:012x}" for i in range(40)]
    dialogues = []
    for i, participant in enumerate(participants):
        text = (
            "Wir finden kein Personal für die Theke."
            if i % 2
            else "We cannot hire staff for the counter."
        )
        if i == 3:
            text = f"Personal fehlt, fragen Sie {participant} für Details."
        dialogues.append(
            DigestDialogue(f"d_{i:012x}", "de" if i % 2 else "en", {"needs": text}, True)
        )
    output = json.dumps(build_digest(dialogues).to_dict())
    assert not re.search(r"\bp_[0-9a-f]{6,}", output)
    assert "d_000000000001" in output


def test_to_dict_is_json_and_complete(draft: DigestDraft) -> None:
    data = json.loads(json.dumps(draft.to_dict()))
    assert data["method"] == draft.method
    theme = data["themes"][0]
    assert set(theme) == {
        "id",
        "label",
        "dialogue_count",
        "dialogue_ids",
        "languages",
        "concepts",
        "quotes",
    }
    assert set(theme["label"]) == {"de", "en"}
    assert theme["dialogue_count"] == len(theme["dialogue_ids"])


def test_the_shipped_set_is_what_the_generator_makes(eval_set: list[EvalDialogue]) -> None:
    generated = generate_shipped_set()
    assert [d.to_dict() for d in generated] == [d.to_dict() for d in eval_set]
    assert len(eval_set) >= 200
    assert {d.language for d in eval_set} == {"de", "en"}
    assert len({t for d in eval_set for t in d.themes}) >= 8
    assert sum(len(d.themes) == 2 for d in eval_set) >= 50


def test_evaluation_meets_the_targets_on_the_shipped_set(eval_set: list[EvalDialogue]) -> None:
    report = evaluate(eval_set)
    assert report.recovered_share >= TARGET_RECOVERED, report.as_dict()
    assert report.mixed_share >= TARGET_MIXED, report.as_dict()
    assert report.bad_quotes == 0
    assert report.failures() == []


def test_evaluation_on_the_dev_split_alone(eval_set: list[EvalDialogue]) -> None:
    report = evaluate([d for d in eval_set if d.split == "dev"])
    assert report.recovered_share >= TARGET_RECOVERED
    for theme in report.scores:
        assert theme.purity >= 0.6 and theme.recall >= 0.5, theme


def test_the_held_out_splits_are_there(eval_set: list[EvalDialogue]) -> None:
    splits = (("holdout", 100), ("holdout2", 100), ("holdout3", 120), ("holdout4", 120))
    for split, size in splits:
        dialogues = [d for d in eval_set if d.split == split]
        assert len(dialogues) == size
        assert {d.language for d in dialogues} == {"de", "en"}
        assert len({t for d in dialogues for t in d.themes}) == 9
        assert sum(len(d.themes) == 2 for d in dialogues) >= 20


# Floors for the held-out splits, each scored on its own (a digest of 100–120 dialogues), set
# just under what concept-lexicon-v3 gives (100 %, 78 %, 100 %). None of them is unseen now:
# holdout2 (33 % with v1) was read for v2, holdout3 (56 % with v2, written after v2 was frozen)
# was read while v3 broadened the lexicon by meaning and added context rules. They guard
# against making things worse. holdout4 was written blind (from the theme definitions only,
# by someone who never saw the method) after v3 was frozen and scored once: 89 %. Its floor is
# the target itself.
HELD_OUT_FLOORS = {"holdout": 0.88, "holdout2": 0.75, "holdout3": 0.88, "holdout4": 0.8}


@pytest.mark.parametrize("split", sorted(HELD_OUT_FLOORS))
def test_held_out_splits_stay_at_least_where_they_are(
    eval_set: list[EvalDialogue], split: str
) -> None:
    report = evaluate([d for d in eval_set if d.split == split])
    assert report.recovered_share >= HELD_OUT_FLOORS[split], report.as_dict()
    assert report.mixed_share >= TARGET_MIXED
    assert report.bad_quotes == 0


@pytest.mark.parametrize("split", sorted(HELD_OUT_FLOORS))
def test_word_learning_never_costs_a_held_out_theme(
    eval_set: list[EvalDialogue], split: str
) -> None:
    # Learning unknown words from the digest's own dialogues lifted holdout3 from a third of
    # its themes to over half under v2; on no held-out split may it cost one.
    dialogues = [d for d in eval_set if d.split == split]
    plain = build_digest([d.to_digest() for d in dialogues], settings=DigestSettings(learning=None))
    assert evaluate(dialogues).recovered_share >= score(dialogues, plain, 0.0).recovered_share

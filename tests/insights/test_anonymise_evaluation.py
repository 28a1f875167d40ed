"""The shipped labelled set meets the targets: an honest regression test that computes them."""

from __future__ import annotations

from collections import Counter

import pytest

from needfinder.insights.anonymise import EntityType
from needfinder.insights.anonymise.evaluation import (
    MAX_OVER_REDACTION,
    MAX_OVERALL_LEAK,
    MAX_TYPE_LEAK,
    evaluate,
    load_eval_set,
)

CASES = load_eval_set()


def test_the_set_is_large_varied_and_well_formed() -> None:
    assert len(CASES) >= 300
    languages = Counter(case.language for case in CASES)
    assert languages["de"] >= 150 and languages["en"] >= 100
    types = Counter(span.type for case in CASES for span in case.spans)
    assert set(types) == set(EntityType)
    assert sum(1 for case in CASES if not case.spans) >= 100  # PII-free controls


@pytest.mark.parametrize("split", ["all", "dev", "test", "holdout", "holdout2"])
def test_targets_are_met(split: str) -> None:
    cases = [c for c in CASES if split == "all" or c.split == split]
    report = evaluate(cases)
    assert report.leak_rate <= MAX_OVERALL_LEAK, report.leaks
    for entity, limit in MAX_TYPE_LEAK.items():
        assert report.score(entity).leak_rate <= limit, (entity, report.leaks)
    assert report.over_redaction <= MAX_OVER_REDACTION, report.false_positives
    assert report.failures() == []


def test_controls_stay_almost_untouched() -> None:
    report = evaluate([c for c in CASES if not c.spans])
    assert report.controls_changed <= 0.05 * report.control_answers, report.false_positives

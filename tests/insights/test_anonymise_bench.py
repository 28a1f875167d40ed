"""bench/anonymise_bench.py runs whether or not Presidio is installed (no timing is checked)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_benchmark_runs_and_says_whether_presidio_was_compared() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "anonymise_bench.py"), "--seconds", "0.05"],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    assert "needfinder anonymiser:" in result.stdout
    presidio = all(
        importlib.util.find_spec(name) is not None
        for name in ("presidio_analyzer", "presidio_anonymizer", "spacy")
    )
    if presidio:
        assert "ratio:" in result.stdout
    else:
        assert "plain presidio: not compared" in result.stdout

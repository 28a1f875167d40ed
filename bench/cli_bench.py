"""Wall time of ``needfinder --help`` and ``needfinder anonymise --help`` (median of 5 runs).

Run: .venv/bin/python bench/cli_bench.py. Each run is a fresh process, as an operator's call is.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

RUNS = 5
NEEDFINDER = Path(sys.executable).with_name("needfinder")


def wall_time(args: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run([str(NEEDFINDER), *args], check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    wall_time(["--help"])  # warm the file cache and bytecode, as a second call would find them
    for args in (["--help"], ["anonymise", "--help"]):
        times = [wall_time(args) for _ in range(RUNS)]
        print(
            f"needfinder {' '.join(args):<18} median {statistics.median(times) * 1000:6.0f} ms "
            f"(min {min(times) * 1000:.0f}, max {max(times) * 1000:.0f}, {RUNS} runs)"
        )


if __name__ == "__main__":
    main()

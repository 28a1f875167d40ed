"""Run ``needfinder web`` as a real process for tests: one way to start, wait for and stop it."""

from __future__ import annotations

import re
import signal
import subprocess
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

_LISTENING = re.compile(r"listening on [\d.]+:(\d+)")


@contextmanager
def serving(command: Sequence[str], cwd: Path, env: Mapping[str, str]) -> Iterator[int]:
    """Run ``command`` (a ``web --port 0`` call) until the block ends; yield its port.

    The command prints the listening line once the socket accepts connections, so no polling
    is needed; at the end it gets SIGTERM and must exit cleanly (0) within 30 s.
    """
    process = subprocess.Popen(
        list(command),
        cwd=cwd,
        env=dict(env),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stderr is not None
        for line in process.stderr:
            found = _LISTENING.search(line)
            if found:
                break
        else:
            raise AssertionError(f"{' '.join(command)} exited with {process.wait()}")
        yield int(found.group(1))
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()

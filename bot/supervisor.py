"""``needfinder run --workers N``: start N worker processes, restart one that dies, pass SIGTERM.

Each worker is an ordinary ``needfinder run`` (with ``NEEDFINDER_WORKERS=1`` and its own
``NEEDFINDER_WORKER_ID``), exactly as if it had been started N times by hand; the workers share
the work through PostgreSQL, and webhook workers share the listen port (SO_REUSEPORT). The
supervisor itself touches neither the database nor Telegram.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
import sys
import time
from types import FrameType

log = logging.getLogger(__name__)

#: A worker that dies sooner than this after its start is restarted after a growing pause.
STEADY_SECONDS = 10.0
MAX_RESTART_PAUSE = 30.0


class _Worker:
    def __init__(self, number: int, worker_id: str, argv: list[str]) -> None:
        self.number = number
        self.worker_id = worker_id
        self.argv = argv
        self.process: subprocess.Popen[bytes] | None = None
        self.started = 0.0
        self.pause = 1.0

    def start(self) -> None:
        env = {**os.environ, "NEEDFINDER_WORKERS": "1", "NEEDFINDER_WORKER_ID": self.worker_id}
        self.process = subprocess.Popen(self.argv, env=env)
        self.started = time.monotonic()
        log.info("worker started", extra={"worker_id": self.worker_id, "pid": self.process.pid})


def supervise(count: int, *, webhook: bool, worker_id: str | None) -> int:
    """Run ``count`` workers until SIGTERM/SIGINT; return the exit code for the supervisor."""
    base = worker_id or f"{socket.gethostname()}-{os.getpid()}"
    argv = [sys.executable, "-m", "needfinder.cli", "run", "--workers", "1"]
    if webhook:
        argv.append("--webhook")
    workers = [_Worker(n, f"{base}-w{n}", argv) for n in range(1, count + 1)]
    stopping = False

    def forward(signum: int, _frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True
        for worker in workers:
            if worker.process is not None and worker.process.poll() is None:
                worker.process.send_signal(signal.SIGTERM)

    signal.signal(signal.SIGTERM, forward)
    signal.signal(signal.SIGINT, forward)
    for worker in workers:
        worker.start()
    by_pid = {w.process.pid: w for w in workers if w.process is not None}
    worst = 0
    while by_pid:
        try:
            pid, status = os.waitpid(-1, 0)
        except ChildProcessError:
            break
        if pid not in by_pid:
            continue
        worker = by_pid.pop(pid)
        if worker.process is None:
            continue
        code = os.waitstatus_to_exitcode(status)
        worker.process.returncode = code
        if stopping:
            worst = max(worst, code if code > 0 else 0)
            continue
        lived = time.monotonic() - worker.started
        worker.pause = 1.0 if lived > STEADY_SECONDS else min(MAX_RESTART_PAUSE, worker.pause * 2)
        log.error(
            "worker died; restarting it",
            extra={"worker_id": worker.worker_id, "exit_code": code, "restart_in": worker.pause},
        )
        # Not a test's synchronisation: a crash-looping worker must not spin the machine.
        time.sleep(worker.pause)
        if stopping:
            continue
        worker.start()
        assert worker.process is not None
        by_pid[worker.process.pid] = worker
    log.info("all workers stopped", extra={"exit_code": worst})
    return worst

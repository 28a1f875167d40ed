"""Run the real ``needfinder run`` process against the fake Bot API and look into its database."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar

from tests.fakes import FakeTelegram

T = TypeVar("T")
REPO = Path(__file__).resolve().parents[2]


class BotProcess:
    """One bot process (restartable) with its data folder, log and database."""

    def __init__(
        self,
        tg: FakeTelegram,
        data_dir: Path,
        *,
        run_args: Sequence[str] = (),
        log_name: str = "bot.log",
        **settings: str,
    ) -> None:
        self.tg = tg
        self.data_dir = data_dir
        self.run_args = tuple(run_args)
        self.log_path = data_dir / log_name
        self.settings = {
            "NEEDFINDER_ANSWER_SETTLE_SECONDS": "0",
            "NEEDFINDER_REMINDER_AFTER_HOURS": "0",
            "NEEDFINDER_TELEGRAM_POLL_TIMEOUT": "5",
            **settings,
        }
        self.process: subprocess.Popen[bytes] | None = None
        self.exit_codes: list[int] = []

    def env(self) -> dict[str, str]:
        base = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith("NEEDFINDER_") and k != "TELEGRAM_BOT_TOKEN"
        }
        return {
            **base,
            **self.tg.env(),
            "NEEDFINDER_DATA_DIR": str(self.data_dir),
            **self.settings,
        }

    @property
    def webhook(self) -> bool:
        """Whether this bot takes updates by webhook."""
        return "--webhook" in self.run_args

    def start(self, *, ready: int = 1) -> BotProcess:
        """Start the bot and wait until it polls for updates (or ``ready`` processes of it
        have set the webhook, in webhook mode: its port is bound before that)."""
        log = self.log_path.open("ab")
        # A stopped bot's long poll may still count as pending in the fake: this process's own
        # getMe (sent after its signal handlers are in place) tells it apart.
        asked_before = len(self.tg.requests("getMe"))
        hooked_before = len([r for r in self.tg.requests("setWebhook") if r.status == 200])
        self.process = subprocess.Popen(
            [sys.executable, "-m", "needfinder.cli", "run", *self.run_args],
            cwd=REPO,
            env=self.env(),
            stdout=log,
            stderr=log,
        )
        log.close()
        process = self.process

        def started() -> bool:
            if process.poll() is not None:
                return True
            if self.webhook:
                hooked = [r for r in self.tg.requests("setWebhook") if r.status == 200]
                return len(hooked) >= hooked_before + ready
            return len(self.tg.requests("getMe")) > asked_before and self.tg.pending_polls > 0

        self.tg.wait_for(started, timeout=30, description="the bot to start")
        assert process.poll() is None, f"bot exited at start:\n{self.logs()}"
        return self

    def stop(self) -> int:
        """Stop gracefully (SIGTERM) and return the exit code."""
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        code = self.process.wait(timeout=30)
        self.exit_codes.append(code)
        self.process = None
        return code

    def kill(self) -> None:
        """Kill -9: no chance to clean up."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)
        self.process = None

    def command(self, *args: str) -> subprocess.CompletedProcess[str]:
        """Run another ``needfinder`` command with this bot's settings (it may fail)."""
        return subprocess.run(
            [sys.executable, "-m", "needfinder.cli", *args],
            cwd=REPO,
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=60,
        )

    def logs(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def db(self) -> sqlite3.Connection:
        connection = sqlite3.connect(self.data_dir / "needfinder.db", timeout=10)
        connection.row_factory = sqlite3.Row
        return connection

    def query(self, sql: str, *args: Any) -> list[sqlite3.Row]:
        with self.db() as connection:
            return list(connection.execute(sql, args))

    def eventually(self, check: Callable[[], T], timeout: float = 10.0, what: str = "") -> T:
        """Re-check a database condition until it holds (the bot commits asynchronously)."""
        deadline = time.monotonic() + timeout
        while True:
            value = check()
            if value:
                return value
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"timed out waiting for {what or check}\n{self.logs()[-4000:]}"
                )
            time.sleep(0.02)

    def answers(self, user_id: int) -> list[tuple[str, str]]:
        """(step, text) of a customer's stored answers, in order."""
        rows = self.query(
            "SELECT e.step_id, e.text FROM transcript_entries e "
            "JOIN dialogues d ON d.id = e.dialogue_id "
            "JOIN channel_identities i ON i.participant_id = d.participant_id "
            "WHERE i.external_id = ? AND e.speaker = 'customer' ORDER BY e.id",
            str(user_id),
        )
        return [(r["step_id"], r["text"]) for r in rows]


def running_bot(
    tg: FakeTelegram, data_dir: Path, *, run_args: Sequence[str] = (), **settings: str
) -> Iterator[BotProcess]:
    """Start a bot; on the way out stop it gracefully and check it exited cleanly."""
    bot = BotProcess(tg, data_dir, run_args=run_args, **settings).start()
    try:
        yield bot
    finally:
        if bot.process is not None:
            code = bot.stop()
            assert code == 0, f"bot exited with {code}:\n{bot.logs()[-4000:]}"

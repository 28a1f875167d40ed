"""Benchmark: durable turns per second of 1, 2 and 3 webhook workers on PostgreSQL, beside the
single polling bot on SQLite, in one run against the same fake Bot API (a separate process).

For each configuration the real ``needfinder run`` processes start first (webhook workers each
on their own loopback port, the fake delivering to them in turn, as a reverse proxy would);
then N customers' whole ``discovery`` dialogues (8 messages each, as in bench/bot_bench.py) are
queued in the fake at once. Durable turns/s = customer messages stored in the inbox *and*
handled (state, transcript, queued replies committed) per second, first stored → last
handled, from the database's own timestamps. Replies go out at Telegram's pace (~30/s) in the
background, shared by the workers. Usage::

    .venv/bin/python bench/worker_bench.py [--customers 300] [--postgres URL]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import datetime
from pathlib import Path

import asyncpg

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bot_bench import REPO, TOKEN, Fake, customers_messages

POSTGRES = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
PUBLIC_URL = "https://bot.example.org/telegram"
SECRET = "bench-secret"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _env(fake: Fake, data_dir: Path, **more: str) -> dict[str, str]:
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith("NEEDFINDER_")},
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "NEEDFINDER_TELEGRAM_API_URL": fake.base_url,
        "NEEDFINDER_DATA_DIR": str(data_dir),
        "NEEDFINDER_ANSWER_SETTLE_SECONDS": "0",
        "NEEDFINDER_REMINDER_AFTER_HOURS": "0",
        "NEEDFINDER_TELEGRAM_POLL_TIMEOUT": "2",
        "NEEDFINDER_LOG_LEVEL": "WARNING",
        **more,
    }


class PgDatabase:
    """A throw-away database on the PostgreSQL server."""

    def __init__(self, server_url: str) -> None:
        self.name = f"nf_bench_{uuid.uuid4().hex[:8]}"
        base, _, _ = server_url.rpartition("/")
        self.admin = server_url.replace("postgresql+asyncpg://", "postgresql://")
        self.url = f"{base}/{self.name}"
        asyncio.run(self._admin(f'CREATE DATABASE "{self.name}"'))

    async def _admin(self, sql: str) -> None:
        connection = await asyncpg.connect(self.admin)
        try:
            await connection.execute(sql)
        finally:
            await connection.close()

    def handled(self) -> list[tuple[datetime, datetime]]:
        async def fetch() -> list[tuple[datetime, datetime]]:
            connection = await asyncpg.connect(self.url.replace("+asyncpg", ""))
            try:
                rows = await connection.fetch(
                    "SELECT received_at, handled_at FROM inbox WHERE status = 'done'"
                )
            finally:
                await connection.close()
            return [(r[0], r[1]) for r in rows]

        try:
            return asyncio.run(fetch())
        except (asyncpg.UndefinedTableError, OSError):
            return []

    def drop(self) -> None:
        asyncio.run(self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))


def _sqlite_handled(data_dir: Path) -> list[tuple[datetime, datetime]]:
    try:
        with sqlite3.connect(data_dir / "needfinder.db") as connection:
            rows = connection.execute(
                "SELECT received_at, handled_at FROM inbox WHERE status='done'"
            ).fetchall()
    except sqlite3.OperationalError:
        return []
    return [(datetime.fromisoformat(r), datetime.fromisoformat(h)) for r, h in rows]


def _wait(what: str, check: object, timeout: float = 600) -> None:
    deadline = time.monotonic() + timeout
    while not check():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out waiting for {what}")
        time.sleep(0.2)  # polling other processes' state: a benchmark, not a test


def _rate(rows: list[tuple[datetime, datetime]]) -> float:
    first = min(r for r, _ in rows)
    last = max(h for _, h in rows)
    return len(rows) / (last - first).total_seconds()


def _stop(processes: list[subprocess.Popen[bytes]]) -> None:
    for process in processes:
        process.send_signal(signal.SIGTERM)
    for process in processes:
        process.wait(timeout=60)


def measure(fake: Fake, customers: int, workers: int, postgres: str | None, first: int) -> float:
    """Durable turns/s of ``workers`` webhook workers on PostgreSQL (or SQLite polling)."""
    fake.control("reset")
    data_dir = Path(tempfile.mkdtemp(prefix="nf-wbench-"))
    processes: list[subprocess.Popen[bytes]] = []
    database = PgDatabase(postgres) if postgres else None
    try:
        if database is None:
            env = _env(fake, data_dir)
            processes.append(
                subprocess.Popen([sys.executable, "-m", "needfinder.cli", "run"], cwd=REPO, env=env)
            )
            _wait("the bot to poll", lambda: fake.control("stats")["get_updates_calls"] > 0)
            handled = lambda: _sqlite_handled(data_dir)  # noqa: E731
        else:
            ports = [_free_port() for _ in range(workers)]
            fake.control("route_webhook", {"backends": [f"http://127.0.0.1:{p}" for p in ports]})
            for n, port in enumerate(ports):
                env = _env(
                    fake,
                    data_dir,
                    NEEDFINDER_DATABASE_URL=database.url,
                    NEEDFINDER_WEBHOOK_URL=PUBLIC_URL,
                    NEEDFINDER_WEBHOOK_LISTEN=f"127.0.0.1:{port}",
                    NEEDFINDER_WEBHOOK_SECRET=SECRET,
                    NEEDFINDER_WORKER_ID=f"bench-{n}",
                )
                processes.append(
                    subprocess.Popen(
                        [sys.executable, "-m", "needfinder.cli", "run", "--webhook"],
                        cwd=REPO,
                        env=env,
                    )
                )
                # One at a time: the first migrates the database.
                _wait("a worker to set the webhook", lambda n=n: _set_calls(fake) > n)
            handled = database.handled
        messages = customers_messages(first, customers)
        fake.send_many(messages)
        _wait("every turn handled", lambda: len(handled()) >= len(messages))
        return _rate(handled())
    finally:
        _stop(processes)
        if database is not None:
            database.drop()


def _set_calls(fake: Fake) -> int:
    return int(fake.control("webhook")["set_calls"])


def main() -> None:
    """Measure every configuration once and print the figures and ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=300, help="customers per measurement")
    parser.add_argument("--postgres", default=POSTGRES, help="SQLAlchemy URL of a PG server")
    args = parser.parse_args()
    fake = Fake()
    turns = args.customers * 8
    try:
        sqlite_rate = measure(fake, args.customers, 1, None, 10_000)
        print(f"SQLite, 1 polling bot:          {sqlite_rate:7,.0f} turns/s ({turns} turns)")
        rates = {}
        for workers in (1, 2, 3):
            rates[workers] = measure(
                fake, args.customers, workers, args.postgres, 100_000 * (workers + 1)
            )
            print(
                f"PostgreSQL, {workers} webhook worker(s): {rates[workers]:7,.0f} turns/s "
                f"= {rates[workers] / sqlite_rate:.2f} × SQLite, "
                f"{rates[workers] / rates[1]:.2f} × 1 worker"
            )
    finally:
        fake.stop()


if __name__ == "__main__":
    main()

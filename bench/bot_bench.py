"""Benchmark: durable turns per second of the real bot against the fake Bot API.

Three measurements in one run, against the same fake server (a separate process):

1. capacity — N synthetic customers each send a whole ``discovery`` dialogue (8 messages:
   /start, consent, three answers, confirming the mirror, two consents), queued in the fake
   before the bot starts; then ``needfinder run`` drains them. Durable turns/s = customer
   messages stored in the inbox *and* handled (state, transcript, queued replies committed)
   per second, first stored → last handled, from the database's own timestamps;
2. latency — the same at a steady 100 turns/s offered: p50/p99 of update stored → reply queued
   (``inbox.received_at`` → ``inbox.handled_at``, the commit of the batch that handled it);
3. baseline — a bare python-telegram-bot echo bot (Application with its Updater, one
   MessageHandler replying with the text) draining the same number of messages; echoed
   messages per second.

Replies are sent at Telegram's real pace (~30/s) in the background, so sending never bounds the
first two figures; the echo bot sends as fast as the fake answers. Usage::

    .venv/bin/python bench/bot_bench.py [--customers 500] [--latency-seconds 20]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
TOKEN = "123456:TEST"


def dialogue(user_id: int) -> list[str]:
    """The eight messages of one customer's discovery dialogue, typed (no buttons needed)."""
    return [
        "/start",
        "ja",
        f"Ich bin Kunde {user_id} und führe einen kleinen Handwerksbetrieb in Kassel.",
        "Uns fehlen Fachkräfte, und die Materialpreise steigen seit Monaten deutlich.",
        "Verlässliche Lieferzeiten und eine einfache Online-Bestellung wären eine große Hilfe.",
        "stimmt",
        "ja",
        "nein",
    ]


class Fake:
    """The fake Bot API as its own process, driven through its control API."""

    def __init__(self) -> None:
        self.port = _free_port()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.fakes.telegram_api", "--port", str(self.port)],
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        assert self.process.stdout is not None
        self.base_url = self.process.stdout.readline().strip()

    def control(self, action: str, body: dict[str, Any] | None = None) -> Any:
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}/_fake/{action}",
            data=json.dumps(body or {}).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=600) as response:
            return json.loads(response.read())["result"]

    def send_many(self, messages: list[dict[str, Any]]) -> None:
        for start in range(0, len(messages), 500):
            self.control("send_many", {"messages": messages[start : start + 500]})

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=30)


def customers_messages(first_id: int, count: int) -> list[dict[str, Any]]:
    """Every customer's dialogue, interleaved message by message (order kept per customer)."""
    scripts = {uid: dialogue(uid) for uid in range(first_id, first_id + count)}
    return [
        {"user_id": uid, "text": script[step], "language_code": "de"}
        for step in range(8)
        for uid, script in scripts.items()
    ]


def start_bot(fake: Fake, data_dir: Path) -> subprocess.Popen[bytes]:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("NEEDFINDER_")},
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "NEEDFINDER_TELEGRAM_API_URL": fake.base_url,
        "NEEDFINDER_DATA_DIR": str(data_dir),
        "NEEDFINDER_ANSWER_SETTLE_SECONDS": "0",
        "NEEDFINDER_REMINDER_AFTER_HOURS": "0",
        "NEEDFINDER_TELEGRAM_POLL_TIMEOUT": "2",
        "NEEDFINDER_LOG_LEVEL": "WARNING",
    }
    return subprocess.Popen([sys.executable, "-m", "needfinder.cli", "run"], cwd=REPO, env=env)


def handled_rows(data_dir: Path) -> list[tuple[datetime, datetime]]:
    with sqlite3.connect(data_dir / "needfinder.db") as connection:
        rows = connection.execute(
            "SELECT received_at, handled_at FROM inbox WHERE status='done' ORDER BY id"
        ).fetchall()
    return [(datetime.fromisoformat(r), datetime.fromisoformat(h)) for r, h in rows]


def wait_handled(
    data_dir: Path, expected: int, timeout: float = 600
) -> list[tuple[datetime, datetime]]:
    deadline = time.monotonic() + timeout
    while True:  # polling a database another process writes (a benchmark, not a test)
        try:
            rows = handled_rows(data_dir)
        except sqlite3.OperationalError:
            rows = []
        if len(rows) >= expected:
            return rows
        if time.monotonic() > deadline:
            raise SystemExit(f"only {len(rows)} of {expected} turns handled in time")
        time.sleep(0.2)


def measure_capacity(fake: Fake, customers: int) -> float:
    data_dir = Path(tempfile.mkdtemp(prefix="nf-bench-"))
    messages = customers_messages(10_000, customers)
    fake.send_many(messages)
    bot = start_bot(fake, data_dir)
    try:
        rows = wait_handled(data_dir, len(messages))
    finally:
        bot.send_signal(signal.SIGTERM)
        bot.wait(timeout=60)
    first = min(r for r, _ in rows)
    last = max(h for _, h in rows)
    return len(rows) / (last - first).total_seconds()


def measure_latency(fake: Fake, rate: float, seconds: float) -> tuple[float, float, float]:
    data_dir = Path(tempfile.mkdtemp(prefix="nf-bench-"))
    bot = start_bot(fake, data_dir)
    customers = max(1, int(rate * seconds) // 8)
    messages = customers_messages(500_000, customers)
    try:
        time.sleep(2)  # let the bot start polling; offered load begins after that
        began = time.monotonic()
        for index in range(0, len(messages), 10):  # ten messages per tick at `rate` per second
            due = began + index / rate
            pause = due - time.monotonic()
            if pause > 0:
                time.sleep(pause)
            fake.control("send_many", {"messages": messages[index : index + 10]})
        rows = wait_handled(data_dir, len(messages))
    finally:
        bot.send_signal(signal.SIGTERM)
        bot.wait(timeout=60)
    latencies = sorted((h - r).total_seconds() * 1000 for r, h in rows)
    offered = len(messages) / (time.monotonic() - began)
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    return offered, statistics.median(latencies), p99


def measure_echo(fake: Fake, count: int) -> float:
    from telegram import Update
    from telegram.ext import Application, ContextTypes, MessageHandler, filters

    async def echo(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None and update.message.text is not None
        await update.message.reply_text(update.message.text)

    before = fake.control("stats")["messages_sent"]
    messages = [
        {"user_id": 900_000 + i % 500, "text": f"echo {i}", "language_code": "de"}
        for i in range(count)
    ]
    fake.send_many(messages)

    async def run() -> float:
        application = Application.builder().token(TOKEN).base_url(fake.base_url).build()
        application.add_handler(MessageHandler(filters.TEXT, echo))
        async with application:
            began = time.monotonic()
            await application.updater.start_polling(poll_interval=0, timeout=2)  # type: ignore[union-attr]
            await application.start()
            await asyncio.to_thread(
                fake.control, "wait", {"messages_sent": before + count, "timeout": 600}
            )
            elapsed = time.monotonic() - began
            await application.updater.stop()  # type: ignore[union-attr]
            await application.stop()
        return count / elapsed

    return asyncio.run(run())


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def main() -> None:
    """Run the three measurements and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=500, help="customers for the capacity run")
    parser.add_argument("--latency-rate", type=float, default=100.0, help="turns/s offered")
    parser.add_argument("--latency-seconds", type=float, default=20.0, help="length of that run")
    parser.add_argument("--no-echo", action="store_true", help="skip the echo-bot baseline")
    args = parser.parse_args()
    sys.path.insert(0, str(REPO))
    fake = Fake()
    try:
        capacity = measure_capacity(fake, args.customers)
        print(f"capacity: {capacity:,.0f} durable turns/s ({args.customers * 8} turns, SQLite)")
        offered, p50, p99 = measure_latency(fake, args.latency_rate, args.latency_seconds)
        print(f"latency at {offered:,.0f} turns/s offered: p50 {p50:.1f} ms, p99 {p99:.1f} ms")
        if args.no_echo:
            return
        echo = measure_echo(fake, args.customers * 8)
        print(f"bare python-telegram-bot echo: {echo:,.0f} turns/s")
        print(f"ratio needfinder / echo: {capacity / echo:.2f}")
    finally:
        fake.stop()


if __name__ == "__main__":
    main()

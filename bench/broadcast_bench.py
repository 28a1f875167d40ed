"""Benchmark: broadcasting a digest to N subscribers against the fake Bot API with Telegram's
flood limits enforced (≈30 messages/s overall, 429 with retry_after beyond).

Seeds N finished dialogues whose customers asked for the summary, builds, approves and
publishes a digest through the real workflow, starts ``needfinder run`` and watches the fake:
prints the achieved sending rate as a fraction of the 30 messages/s limit, the 429s the bot
received, and whether every subscriber got the digest exactly once. Usage::

    .venv/bin/python bench/broadcast_bench.py [--subscribers 10000]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import sqlite3
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.bot_bench import Fake, start_bot  # noqa: E402

LIMIT = 30.0
CHALLENGES = [
    ("de", "Wir finden keine Fachkräfte, auf unsere Stellen bewirbt sich niemand."),
    ("en", "We cannot find skilled staff, nobody applies for our open positions."),
    ("de", "Die Energiepreise und Materialkosten steigen jeden Monat weiter."),
    ("en", "Energy prices and material costs keep rising every month."),
]


def seed(database_file: Path, subscribers: int) -> None:
    """N finished, consented dialogues whose customers want the digest (plain SQL: fast)."""
    from needfinder.app.scripts import ScriptLibrary

    loaded = ScriptLibrary.load().current("discovery")
    started = (datetime.now(UTC) - timedelta(days=1)).strftime("%Y-%m-%d %H:%M:%S")
    with sqlite3.connect(database_file) as db:
        db.execute(
            "INSERT INTO script_versions (checksum, script_id, version, source, first_used_at)"
            " VALUES (?, 'discovery', ?, ?, ?)",
            (loaded.checksum, loaded.script.version, loaded.source_text, started),
        )
        for n in range(subscribers):
            pid, did, chat = f"p_{n:08x}", f"d_{n:08x}", str(700_000_000 + n)
            language, challenge = CHALLENGES[n % len(CHALLENGES)]
            db.execute(
                "INSERT INTO participants (id, created_at, language) VALUES (?, ?, ?)",
                (pid, started, language),
            )
            db.execute(
                "INSERT INTO channel_identities (participant_id, channel, external_id, chat_id,"
                " created_at, updated_at) VALUES (?, 'telegram', ?, ?, ?, ?)",
                (pid, chat, chat, started, started),
            )
            db.execute(
                "INSERT INTO dialogues (id, participant_id, script_id, script_version,"
                " script_checksum, status, language, state, started_at, updated_at,"
                " consented_at, finished_at) VALUES (?, ?, 'discovery', ?, ?, 'finished', ?,"
                " '{}', ?, ?, ?, ?)",
                (
                    did,
                    pid,
                    loaded.script.version,
                    loaded.checksum,
                    language,
                    started,
                    started,
                    started,
                    started,
                ),
            )
            db.execute(
                "INSERT INTO transcript_entries (dialogue_id, at, speaker, kind, step_id, text)"
                " VALUES (?, ?, 'customer', 'answer', 'challenges', ?)",
                (did, started, challenge),
            )
            for topic in ("storage", "quotes", "updates"):
                db.execute(
                    "INSERT INTO consent_events (participant_id, dialogue_id, topic, granted, at,"
                    " script_id, script_version) VALUES (?, ?, ?, 1, ?, 'discovery', ?)",
                    (pid, did, topic, started, loaded.script.version),
                )


async def publish_digest(database_url: str) -> str:
    """Build, approve and request publication through the real workflow."""
    from needfinder.app import digests as workflow
    from storage.database import Database

    database = Database(database_url)
    now = datetime.now(UTC)
    try:
        draft = await workflow.build_in(
            database, workflow.DigestFilter(), now=now, created_by="bench"
        )
        async with database.write() as uow:
            await workflow.approve(uow, draft.id, "bench", now)
            await workflow.request_publication(uow, draft.id, "bench", now)
        return draft.id
    finally:
        await database.dispose()


def main() -> None:
    """Seed, publish, measure."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=10_000)
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="nf-broadcast-"))
    database_file = data_dir / "needfinder.db"
    import subprocess

    subprocess.run(
        [sys.executable, "-m", "needfinder.cli", "db", "upgrade"],
        cwd=REPO,
        check=True,
        env={"NEEDFINDER_DATA_DIR": str(data_dir), "PATH": "/usr/bin:/bin"},
        capture_output=True,
    )
    seed(database_file, args.subscribers)
    digest_id = asyncio.run(publish_digest(f"sqlite+aiosqlite:///{database_file}"))
    fake = Fake()
    for n in range(args.subscribers):  # the subscribers' private chats exist on "Telegram"
        fake.control("unblock", {"chat_id": 700_000_000 + n})
    fake.control("rate_limits", {"enabled": True})
    bot = start_bot(fake, data_dir)
    try:
        began = time.monotonic()
        stats = fake.control("wait", {"messages_sent": args.subscribers, "timeout": 3600})
        elapsed = time.monotonic() - began
        messages = fake.control("messages")
    finally:
        bot.send_signal(signal.SIGTERM)
        bot.wait(timeout=120)
        fake.stop()
    per_chat: dict[int, int] = {}
    for message in messages:
        per_chat[message["chat_id"]] = per_chat.get(message["chat_id"], 0) + 1
    twice = sum(1 for count in per_chat.values() if count > 1)
    missing = args.subscribers - len(per_chat)
    rate = stats["send_rate"] or args.subscribers / elapsed
    print(f"digest {digest_id} to {args.subscribers} subscribers in {elapsed:.0f} s")
    print(f"achieved rate: {rate:.1f} messages/s = {rate / LIMIT:.1%} of the {LIMIT:.0f}/s limit")
    print(
        f"429s from the fake: {stats['rate_limited']}; peak in one second: "
        f"{stats['peak_sends_per_second']}"
    )
    print(f"subscribers missing: {missing}; served more than once: {twice}")
    print(
        json.dumps(
            {
                "rate": rate,
                "fraction": rate / LIMIT,
                "429": stats["rate_limited"],
                "missing": missing,
                "duplicates": twice,
                "run": uuid.uuid4().hex[:6],
            }
        )
    )


if __name__ == "__main__":
    main()

"""How fast the staff dashboard answers on a large SQLite database.

Seeds 10,000 dialogues (about 100,000 transcript entries) into a fresh SQLite file with one
bulk insert per table, then times pages through the ASGI app (httpx, in process, a real
logged-in session): the dialogue list, a filtered list, a deep page, full-text searches, a
transcript (raw and anonymised), the funnel and the tag overview. Target: < 200 ms each.

    .venv/bin/python bench/dashboard_bench.py [--dialogues 10000] [--runs 20] [--keep DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import re
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, insert

from needfinder.app.scripts import ScriptLibrary
from needfinder.app.settings import Settings
from needfinder.app.staff import create_login_link
from needfinder.web.app import create_app, step_order
from needfinder.web.context import WebContext
from storage import schema
from storage.database import Database

STAFF_ID = "4242"
BASE_URL = "http://bench.local"
START = datetime(2026, 1, 1, tzinfo=UTC)
# Every answer draws from these, so each occurs in about a third of all answers.
COMMON_WORDS = (
    "bakery shift planning invoices delivery customers staff shortage software slow weekend "
    "appointments phone email messenger prices energy costs training apprentices suppliers "
    "paperwork tax office digital forms website orders pickup quality flexible hours family "
    "weddings flowers repair workshop machines spare parts waiting times rent city centre "
    "parking tourists season winter summer cash card payments receipts bookkeeping advisor"
)
WORDS = COMMON_WORDS.split()
RARE_WORD = "sourdough"  # in about 1 % of answers
NAMES = ("Anna", "Jan", "Maria", "Tom", "Lea", "Paul", "Sara", "Ben")
STATUSES = ("finished",) * 6 + ("stopped", "declined", "active", "paused")
CAMPAIGNS = (None, "spring", "fair", "newsletter", "radio")


def answer(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(8, 40))]
    if rng.random() < 0.2:
        words.insert(rng.randrange(len(words)), f"ich bin {rng.choice(NAMES)}")
    if rng.random() < 0.01:
        words.insert(rng.randrange(len(words)), RARE_WORD)
    return " ".join(words).capitalize() + "."


def seed(path: Path, dialogues: int) -> tuple[int, float]:
    """Fill a migrated SQLite file; return the number of entries and the seconds it took."""
    rng = random.Random(7)
    library = ScriptLibrary.load()
    scripts = [library.current(s) for s in ("discovery", "contact", "future")]
    started = time.perf_counter()
    engine = create_engine(f"sqlite:///{path}")
    participants: list[dict[str, Any]] = []
    identities: list[dict[str, Any]] = []
    rows: list[dict[str, Any]] = []
    entries: list[dict[str, Any]] = []
    for n in range(dialogues):
        loaded = scripts[n % 3] if rng.random() < 0.3 else scripts[0]
        script = loaded.script
        steps = [s.id for s in script.steps]
        status = rng.choice(STATUSES)
        at = START + timedelta(minutes=47 * n)
        step = (
            "end"
            if status == "finished"
            else "consent"
            if status == "declined"
            else (rng.choice(steps[2:-1]))
        )
        participant = f"p_{n:012x}"
        participants.append({"id": participant, "created_at": at, "language": "en"})
        identities.append(
            {
                "participant_id": participant,
                "channel": "telegram",
                "external_id": str(100_000 + n),
                "chat_id": str(100_000 + n),
                "first_name": rng.choice(NAMES),
                "username": f"user{n}",
                "created_at": at,
                "updated_at": at,
            }
        )
        dialogue = f"d_{n:012x}"
        rows.append(
            {
                "id": dialogue,
                "participant_id": participant,
                "script_id": script.id,
                "script_version": script.version,
                "script_checksum": loaded.checksum,
                "status": status,
                "language": "en",
                "campaign": rng.choice(CAMPAIGNS),
                "step_id": step,
                "state": {
                    "tag": f"{n:06x}",
                    "script_id": script.id,
                    "script_version": script.version,
                    "language": "en",
                    "status": status,
                    "step_id": step,
                    "consented": status != "declined",
                },
                "started_at": at,
                "updated_at": at,
                "consented_at": None if status == "declined" else at + timedelta(minutes=1),
                "finished_at": None if status in {"active", "paused"} else at + timedelta(hours=1),
            }
        )
        if status == "declined":
            continue
        asks = [s for s in steps if s not in {"intro", "consent", "mirror", "end"}]
        for index, step_id in enumerate(asks[:6]):
            moment = at + timedelta(minutes=2 + index)
            entries.append(
                {
                    "dialogue_id": dialogue,
                    "at": moment,
                    "speaker": "bot",
                    "kind": "question",
                    "step_id": step_id,
                    "text": f"What about {step_id}?",
                }
            )
            entries.append(
                {
                    "dialogue_id": dialogue,
                    "at": moment,
                    "speaker": "customer",
                    "kind": "answer",
                    "step_id": step_id,
                    "text": answer(rng),
                }
            )
    with engine.begin() as connection:
        for loaded in scripts:
            connection.execute(
                insert(schema.script_versions).values(
                    checksum=loaded.checksum,
                    script_id=loaded.script.id,
                    version=loaded.script.version,
                    source=loaded.source_text,
                    first_used_at=START,
                )
            )
        connection.execute(insert(schema.participants), participants)
        connection.execute(insert(schema.channel_identities), identities)
        connection.execute(insert(schema.dialogues), rows)
        # The FTS5 triggers index every entry as it goes in.
        connection.execute(insert(schema.transcript_entries), entries)
    engine.dispose()
    return len(entries), time.perf_counter() - started


async def log_in(http: httpx.AsyncClient, web: WebContext) -> None:
    async with web.database.write() as uow:
        link = await create_login_link(uow, web.settings, STAFF_ID, datetime.now(UTC))
    path = link.removeprefix(BASE_URL)
    page = await http.get(path)
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert csrf is not None
    response = await http.post(path, data={"csrf": csrf.group(1)})
    assert response.status_code == 303, response.text


async def timed(http: httpx.AsyncClient, path: str, runs: int) -> list[float]:
    for _ in range(3):  # warm caches (SQLite pages, templates, the anonymiser's word lists)
        assert (await http.get(path)).status_code == 200, path
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        response = await http.get(path)
        times.append((time.perf_counter() - began) * 1000)
        assert response.status_code == 200, path
    return times


async def measure(folder: Path, runs: int) -> list[tuple[str, list[float]]]:
    settings = Settings(
        _env_file=None,
        data_dir=folder,
        staff_user_ids=[int(STAFF_ID)],
        web_base_url=BASE_URL,
    )
    database = Database(settings.effective_database_url)
    web = WebContext(settings, database, step_order(ScriptLibrary.load()))
    transport = httpx.ASGITransport(app=create_app(web))
    try:
        async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as http:
            await log_in(http, web)
            middle = "d_" + f"{5000:012x}"
            pages = {
                "dialogue list (page 1 of 200)": "/dialogues",
                "dialogue list, filtered": (
                    "/dialogues?status=finished&campaign=spring&script=discovery"
                ),
                "dialogue list, page 150": "/dialogues?page=150",
                f"search, rare word (q={RARE_WORD})": f"/dialogues?q={RARE_WORD}",
                "search, common word (q=bakery)": "/dialogues?q=bakery",
                "search, two words (q=spare parts)": "/dialogues?q=spare+parts",
                "search, prefix of 2 letters (q=pa)": "/dialogues?q=pa",
                "transcript, raw": f"/dialogues/{middle}",
                "transcript, anonymised": f"/dialogues/{middle}?view=anonymised",
                "funnel": "/funnel",
                "tag overview": "/tags",
            }
            results = [(name, await timed(http, path, runs)) for name, path in pages.items()]
            results.append(("StaffRepository.search (bot /find)", await time_search(web, runs)))
            return results
    finally:
        await database.dispose()


async def time_search(web: WebContext, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        async with web.database.read() as uow:
            hits = await uow.staff.search("bakery", limit=10)
        times.append((time.perf_counter() - began) * 1000)
        assert len(hits) == 10
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dialogues", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--keep", type=Path, help="folder to keep the database in")
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        folder = arguments.keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "needfinder.db"
        if path.exists():
            raise SystemExit(f"{path} exists; give an empty folder")

        async def migrate() -> None:
            database = Database(f"sqlite+aiosqlite:///{path}")
            await database.upgrade()
            await database.dispose()

        asyncio.run(migrate())
        count, seconds = seed(path, arguments.dialogues)
        size = path.stat().st_size / 1e6
        print(f"seeded {arguments.dialogues:,} dialogues, {count:,} entries in {seconds:.1f} s")
        print(f"({size:.0f} MB SQLite file); {arguments.runs} timed runs each after 3 warm-ups\n")
        results = asyncio.run(measure(folder, arguments.runs))
        print(f"{'':38} {'median':>8} {'p95':>8} {'max':>8}")
        for name, times in results:
            ordered = sorted(times)
            p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
            print(f"{name:38} {statistics.median(times):6.1f}ms {p95:6.1f}ms {max(times):6.1f}ms")


if __name__ == "__main__":
    main()

"""The dashboard's ``GET /healthz``: a real ``needfinder web`` on SQLite and PostgreSQL."""

from __future__ import annotations

import os
import socket
import sys
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from needfinder.app.scripts import ScriptLibrary
from needfinder.web.app import step_order
from needfinder.web.context import WebContext
from needfinder.web.health import health_report
from storage.database import Database
from storage.queues import NewUpdate
from tests.postgres_databases import drop_pg_database, scratch_pg_database
from tests.web.conftest import make_settings
from tests.web.live_server import LiveServer
from tests.web.processes import serving

NEEDFINDER = [sys.executable, "-m", "needfinder.cli"]
#: Personal data in the queued rows; none of it may appear in the public health answer.
CUSTOMER = {"first_name": "Anna", "last_name": "Berger", "username": "anna_b"}


@asynccontextmanager
async def database_url(kind: str, tmp_path: Path) -> AsyncIterator[str]:
    if kind == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'needfinder.db'}"
        return
    async with scratch_pg_database() as url:
        yield url


async def fill_queues(url: str) -> None:
    """Two updates waiting in the inbox; one message waiting and one given up in the outbox."""
    now = datetime.now(UTC)
    database = Database(url)
    try:
        await database.upgrade()
        async with database.write() as uow:
            await uow.inbox.add_many(
                "telegram",
                [
                    NewUpdate(i, "c1", {"update_id": i, "message": {"from": CUSTOMER}})
                    for i in (1, 2)
                ],
                now,
            )
            payload = {"text": "Hallo Anna Berger"}
            await uow.outbox.enqueue(
                channel="telegram", chat_id="c1", method="sendMessage", payload=payload, now=now
            )
            failed = await uow.outbox.enqueue(
                channel="telegram", chat_id="c1", method="sendMessage", payload=payload, now=now
            )
            await uow.outbox.give_up(failed, "failed", "Bad Request: chat not found")
    finally:
        await database.dispose()


@contextmanager
def dashboard(tmp_path: Path, url: str) -> Iterator[str]:
    """Run ``needfinder web`` on a free port; yield its base URL; stop it with SIGTERM."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("NEEDFINDER_") and k != "TELEGRAM_BOT_TOKEN"
    }
    env.update(NEEDFINDER_DATA_DIR=str(tmp_path / "data"), NEEDFINDER_DATABASE_URL=url)
    command = [*NEEDFINDER, "web", "--host", "127.0.0.1", "--port", "0"]
    with serving(command, tmp_path, env) as port:
        yield f"http://127.0.0.1:{port}"


@pytest.mark.parametrize("kind", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
async def test_health_reports_the_database_and_queue_lengths_without_login(
    kind: str, tmp_path: Path
) -> None:
    async with database_url(kind, tmp_path) as url:
        await fill_queues(url)
        with dashboard(tmp_path, url) as base:
            async with httpx.AsyncClient(base_url=base) as http:
                answer = await http.get("/healthz")
                head = await http.head("/healthz")
                staff_page = await http.get("/", follow_redirects=False)
    assert answer.status_code == 200, answer.text
    assert answer.json() == {
        "service": "dashboard",
        "database": "ok",
        "inbox": {"pending": 2, "failed": 0},
        "outbox": {"pending": 1, "failed": 1},
    }
    assert answer.headers["cache-control"] == "no-store"
    assert answer.headers["content-type"] == "application/json"
    for personal in (*CUSTOMER.values(), "chat not found", "c1"):
        assert personal not in answer.text
    assert head.status_code == 200
    # The rest of the dashboard still wants a session.
    assert staff_page.status_code in {302, 303, 401, 403}


@pytest.mark.postgres
async def test_health_is_503_once_the_database_goes_away(tmp_path: Path) -> None:
    async with scratch_pg_database() as url:
        await fill_queues(url)
        with dashboard(tmp_path, url) as base:
            async with httpx.AsyncClient(base_url=base) as http:
                assert (await http.get("/healthz")).status_code == 200
                # Disconnects the dashboard's pooled connections; reconnecting finds no database.
                await drop_pg_database(url)
                gone = await http.get("/healthz")
                login = await http.get("/login")
    assert gone.status_code == 503
    assert gone.json() == {"service": "dashboard", "database": "unreachable"}
    # The answer names neither the database nor its host (those go to the log).
    assert url.rsplit("/", 1)[1] not in gone.text
    assert "127.0.0.1" not in gone.text
    # The dashboard itself keeps running: pages that need no database still answer.
    assert login.status_code == 200


def test_health_of_a_database_never_migrated_is_503(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}"
    settings = make_settings(tmp_path)
    server = LiveServer(
        url, lambda database: WebContext(settings, database, step_order(ScriptLibrary.load()))
    )
    with server, httpx.Client(base_url=server.url) as http:
        answer = http.get("/healthz")
    assert answer.status_code == 503
    assert answer.json() == {"service": "dashboard", "database": "error"}


async def test_health_gives_up_on_a_database_that_never_answers() -> None:
    # A listening socket nobody accepts on: the TCP connection opens, PostgreSQL never speaks.
    silent = socket.create_server(("127.0.0.1", 0))
    port = silent.getsockname()[1]
    database = Database(f"postgresql+asyncpg://postgres@127.0.0.1:{port}/test")
    try:
        status, body = await health_report(database, give_up_after=0.5)
    finally:
        await database.dispose()
        silent.close()
    assert (status, body) == (503, {"service": "dashboard", "database": "unreachable"})


async def test_health_report_counts_on_every_database(database: Database) -> None:
    now = datetime.now(UTC)
    async with database.write() as uow:
        await uow.inbox.add_many("telegram", [NewUpdate(7, "c7", {"update_id": 7})], now)
    status, body = await health_report(database)
    assert status == 200
    assert body["inbox"] == {"pending": 1, "failed": 0}
    assert body["outbox"] == {"pending": 0, "failed": 0}

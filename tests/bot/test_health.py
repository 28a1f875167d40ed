"""The bot's /healthz: in polling mode on its own address, and 503 without a database."""

from __future__ import annotations

from pathlib import Path

import httpx

from bot.webhook import Health, webhook_app
from storage.database import Database
from tests.bot.harness import running_bot
from tests.bot.test_webhook_e2e import free_port, get_json
from tests.fakes import FakeTelegram


def test_polling_bot_serves_healthz_when_asked(fake_telegram: FakeTelegram, tmp_path: Path) -> None:
    port = free_port()
    settings = {"NEEDFINDER_HEALTH_LISTEN": f"127.0.0.1:{port}", "NEEDFINDER_WORKER_ID": "solo"}
    for _bot in running_bot(fake_telegram, tmp_path, **settings):
        anna = fake_telegram.user(language_code="en")
        anna.send("/start")
        anna.wait_for_message(containing="May I store")
        status, health = get_json(f"http://127.0.0.1:{port}/healthz")
        assert status == 200
        assert health["worker_id"] == "solo" and health["mode"] == "polling"
        assert health["leader"] is True and health["database"] == "ok"
        assert health["inbox"] == {"pending": 0, "failed": 0}


async def test_healthz_is_503_when_the_database_is_unreachable() -> None:
    # Nothing listens on port 1: the database cannot be reached.
    database = Database("postgresql+asyncpg://postgres@127.0.0.1:1/none")
    try:
        app = webhook_app(database, Health(database, "w1", "webhook"), path="/hook", secret="s")
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bot") as client:
            response = await client.get("/healthz")
            assert response.status_code == 503
            assert response.json()["database"] == "unreachable"
            assert response.json()["worker_id"] == "w1"
            # Nor is an update acknowledged that could not be stored: Telegram will retry.
            update = {"update_id": 5, "message": {"message_id": 1, "chat": {"id": 7}}}
            headers = {"X-Telegram-Bot-Api-Secret-Token": "s"}
            response = await client.post("/hook", json=update, headers=headers)
            assert response.status_code == 503
    finally:
        await database.dispose()

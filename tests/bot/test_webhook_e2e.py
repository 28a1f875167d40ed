"""Webhook mode of the real bot process: the fake Telegram delivers by HTTP POST."""

from __future__ import annotations

import json
import socket
import urllib.error
import urllib.request
from pathlib import Path

from tests.bot.harness import BotProcess, running_bot
from tests.bot.test_bot_e2e import WHO_EN
from tests.fakes import FakeTelegram

PUBLIC_URL = "https://bot.example.org/telegram/updates"
SECRET = "s3cret_Token-for-tests"


def free_port() -> int:
    """A port nothing listens on now (the bot binds it next)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def webhook_settings(port: int, **more: str) -> dict[str, str]:
    """Settings of a webhook bot listening on ``port`` of loopback."""
    return {
        "NEEDFINDER_WEBHOOK_URL": PUBLIC_URL,
        "NEEDFINDER_WEBHOOK_LISTEN": f"127.0.0.1:{port}",
        "NEEDFINDER_WEBHOOK_SECRET": SECRET,
        **more,
    }


def post(url: str, body: bytes, headers: dict[str, str]) -> int:
    """POST like Telegram (or an impostor) would; return the HTTP status."""
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def get_json(url: str) -> tuple[int, dict[str, object]]:
    """GET a JSON document; return the status and the document."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return int(response.status), json.loads(response.read())
    except urllib.error.HTTPError as error:
        return int(error.code), json.loads(error.read())


def test_webhook_dialogue_secret_and_health(fake_telegram: FakeTelegram, tmp_path: Path) -> None:
    port = free_port()
    fake_telegram.route_webhook(f"http://127.0.0.1:{port}")
    settings = webhook_settings(port)
    for bot in running_bot(fake_telegram, tmp_path, run_args=["--webhook"], **settings):
        hook = fake_telegram.webhook
        assert hook["url"] == PUBLIC_URL
        assert hook["secret_token"] == SECRET
        assert hook.get("drop_pending_updates") in (False, None)
        assert "message" in hook["allowed_updates"]
        assert fake_telegram.requests("deleteWebhook") == []
        anna = fake_telegram.user(language_code="en")
        anna.send("/start")
        anna.wait_for_message(containing="May I store")
        anna.click("Yes, I agree")
        anna.wait_for_message(containing="who are you")
        deliveries = fake_telegram.webhook_deliveries()
        assert deliveries and all(d.status == 200 for d in deliveries)
        assert all(d.target == f"http://127.0.0.1:{port}/telegram/updates" for d in deliveries)

        stored = bot.query("SELECT COUNT(*) FROM inbox")[0][0]
        forged = json.dumps({"update_id": 999, "message": {"text": "hi"}}).encode()
        endpoint = f"http://127.0.0.1:{port}/telegram/updates"
        plain = {"Content-Type": "application/json"}
        assert post(endpoint, forged, plain) == 403
        wrong = {**plain, "X-Telegram-Bot-Api-Secret-Token": "not-the-secret"}
        assert post(endpoint, forged, wrong) == 403
        assert bot.query("SELECT COUNT(*) FROM inbox")[0][0] == stored

        status, health = get_json(f"http://127.0.0.1:{port}/healthz")
        assert status == 200
        assert health["database"] == "ok" and health["mode"] == "webhook"
        assert health["inbox"] == {"pending": 0, "failed": 0}
        assert isinstance(health["worker_id"], str) and health["worker_id"]
        assert "outbox" in health


def test_duplicate_webhook_deliveries_are_handled_once(
    fake_telegram: FakeTelegram, tmp_path: Path
) -> None:
    port = free_port()
    fake_telegram.route_webhook(f"http://127.0.0.1:{port}")
    fake_telegram.duplicate_updates(True)
    for bot in running_bot(
        fake_telegram, tmp_path, run_args=["--webhook"], **webhook_settings(port)
    ):
        anna = fake_telegram.user(language_code="en")
        anna.send("/start")
        anna.wait_for_message(containing="May I store")
        anna.click("Yes, I agree")
        anna.wait_for_message(containing="who are you")
        anna.send(WHO_EN)
        anna.wait_for_message(containing="challenges")
        fake_telegram.wait_until_idle()
        update_ids = {d.update_id for d in fake_telegram.webhook_deliveries()}
        for update_id in update_ids:
            assert [d.status for d in fake_telegram.webhook_deliveries(update_id)] == [200, 200]
        assert bot.query("SELECT COUNT(*) FROM inbox")[0][0] == len(update_ids) == 3
        assert bot.answers(anna.id) == [("who", WHO_EN)]
        assert fake_telegram.duplicate_sends() == []


def test_switching_between_webhook_and_polling(fake_telegram: FakeTelegram, tmp_path: Path) -> None:
    port = free_port()
    fake_telegram.route_webhook(f"http://127.0.0.1:{port}")
    anna = fake_telegram.user(language_code="en")
    for _bot in running_bot(
        fake_telegram, tmp_path, run_args=["--webhook"], **webhook_settings(port)
    ):
        anna.send("/start")
        anna.wait_for_message(containing="May I store")
    assert fake_telegram.webhook["url"] == PUBLIC_URL  # stays set: Telegram keeps the updates
    anna.click("Yes, I agree")  # arrives while no bot runs
    for _bot in running_bot(fake_telegram, tmp_path):
        assert fake_telegram.webhook["url"] == ""
        assert fake_telegram.requests("deleteWebhook")[-1].params.get("drop_pending_updates") in (
            False,
            None,
        )
        anna.wait_for_message(containing="who are you")


def test_webhook_needs_its_settings(fake_telegram: FakeTelegram, tmp_path: Path) -> None:
    bot = BotProcess(fake_telegram, tmp_path)
    result = bot.command("run", "--webhook")
    assert result.returncode == 2
    assert "NEEDFINDER_WEBHOOK_URL" in result.stderr and "Traceback" not in result.stderr
    bot.settings["NEEDFINDER_WEBHOOK_SECRET"] = "no spaces allowed"
    result = bot.command("run", "--webhook")
    assert result.returncode == 2 and "NEEDFINDER_WEBHOOK_SECRET" in result.stderr
    assert "no spaces allowed" not in result.stderr  # a secret is never echoed


def test_sqlite_refuses_several_workers(fake_telegram: FakeTelegram, tmp_path: Path) -> None:
    result = BotProcess(fake_telegram, tmp_path).command("run", "--workers", "2")
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0, result.stderr
    assert "needs PostgreSQL" in result.stderr

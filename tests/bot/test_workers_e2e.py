"""Several bot workers on one PostgreSQL: shared inbox and outbox, one leader, a supervisor."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.bot.harness import BotProcess
from tests.bot.pg import PgDatabase, pg
from tests.bot.test_bot_e2e import CHALLENGES_EN, WHO_EN
from tests.bot.test_webhook_e2e import free_port, get_json, webhook_settings
from tests.fakes import FakeTelegram

__all__ = ["pg"]  # the fixture


class Workers:
    """Webhook workers on one PostgreSQL database, each on its own loopback port."""

    def __init__(self, tg: FakeTelegram, tmp_path: Path, database: PgDatabase, count: int) -> None:
        self.tg = tg
        self.ports = [free_port() for _ in range(count)]
        self.bots = [
            BotProcess(
                tg,
                tmp_path,
                run_args=["--webhook"],
                log_name=f"worker{n}.log",
                NEEDFINDER_DATABASE_URL=database.url,
                NEEDFINDER_WORKER_ID=f"w{n}",
                **webhook_settings(port),
            )
            for n, port in enumerate(self.ports)
        ]
        tg.route_webhook(*(f"http://127.0.0.1:{port}" for port in self.ports))

    def start(self) -> Workers:
        for bot in self.bots:
            bot.start()
        return self

    def stop(self) -> None:
        for bot in self.bots:
            if bot.process is not None:
                code = bot.stop()
                assert code == 0, f"worker exited with {code}:\n{bot.logs()[-4000:]}"

    def health(self, n: int) -> dict[str, object]:
        status, body = get_json(f"http://127.0.0.1:{self.ports[n]}/healthz")
        assert status == 200, body
        return body


@pytest.fixture
def two_workers(
    fake_telegram: FakeTelegram, tmp_path: Path, pg: PgDatabase
) -> Iterator[Workers]:
    workers = Workers(fake_telegram, tmp_path, pg, 2).start()
    try:
        yield workers
    finally:
        workers.stop()


def test_two_webhook_workers_share_the_work(
    fake_telegram: FakeTelegram, two_workers: Workers, pg: PgDatabase
) -> None:
    customers = [fake_telegram.user(language_code="en") for _ in range(6)]
    for customer in customers:
        customer.send("/start")
    for customer in customers:
        customer.wait_for_message(containing="May I store")
        customer.click("Yes, I agree")
    for customer in customers:
        customer.wait_for_message(containing="who are you")
        customer.send(WHO_EN)
    for customer in customers:
        customer.wait_for_message(containing="challenges")
    fake_telegram.wait_until_idle()
    assert fake_telegram.duplicate_sends() == []
    targets = {d.target for d in fake_telegram.webhook_deliveries()}
    assert len(targets) == 2  # both workers took deliveries
    assert pg.scalar("SELECT COUNT(*) FROM inbox WHERE status <> 'done'") == 0
    healths = [two_workers.health(n) for n in range(2)]
    assert sorted(str(h["worker_id"]) for h in healths) == ["w0", "w1"]
    assert sorted(bool(h["leader"]) for h in healths) == [False, True]

"""Several bot workers on one PostgreSQL: shared inbox and outbox, one leader, a supervisor."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.bot.harness import BotProcess
from tests.bot.pg import PgDatabase, TableLock, pg
from tests.bot.test_bot_e2e import WHO_EN
from tests.bot.test_webhook_e2e import free_port, get_json, webhook_settings
from tests.fakes import FakeTelegram

__all__ = ["pg"]  # the fixture


class Workers:
    """Webhook workers on one PostgreSQL database, each on its own loopback port."""

    def __init__(
        self, tg: FakeTelegram, tmp_path: Path, database: PgDatabase, count: int, **more: str
    ) -> None:
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
                **webhook_settings(port, **more),
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
def two_workers(fake_telegram: FakeTelegram, tmp_path: Path, pg: PgDatabase) -> Iterator[Workers]:
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


def test_reminders_run_on_the_leader_only_and_leadership_moves(
    fake_telegram: FakeTelegram, tmp_path: Path, pg: PgDatabase
) -> None:
    workers = Workers(
        fake_telegram,
        tmp_path,
        pg,
        2,
        NEEDFINDER_REMINDER_AFTER_HOURS="0.0003",  # about one second
        NEEDFINDER_RETENTION_DAYS="30",
    ).start()
    try:
        leads = [n for n in range(2) if workers.health(n)["leader"]]
        assert len(leads) == 1
        leader = leads[0]
        started = [bot.logs().count("this worker leads") for bot in workers.bots]
        assert started == [int(n == leader) for n in range(2)]

        anna = fake_telegram.user(language_code="en")
        anna.send("/start")
        anna.wait_for_message(containing="May I store")
        anna.click("Yes, I agree")
        anna.wait_for_message(containing="who are you")
        anna.wait_for_message(containing="gentle reminder", timeout=15)
        fake_telegram.wait_until_idle(quiet=1.5)
        reminders = [m for m in anna.messages if "gentle reminder" in m.text]
        assert len(reminders) == 1
        assert pg.scalar("SELECT COUNT(*) FROM transcript_entries WHERE text='reminder sent'") == 1

        # The leader dies: the other worker takes over what runs once.
        workers.bots[leader].kill()
        other = 1 - leader
        workers.bots[other].eventually(
            lambda: "this worker leads" in workers.bots[other].logs(),
            timeout=15,
            what="the other worker to lead",
        )
        assert workers.health(other)["leader"] is True
    finally:
        workers.stop()


def _children(pid: int) -> list[int]:
    with open(f"/proc/{pid}/task/{pid}/children") as listing:
        return [int(child) for child in listing.read().split()]


def test_workers_option_supervises_worker_processes(
    fake_telegram: FakeTelegram, tmp_path: Path, pg: PgDatabase
) -> None:
    port = free_port()
    fake_telegram.route_webhook(f"http://127.0.0.1:{port}")
    supervisor = BotProcess(
        fake_telegram,
        tmp_path,
        run_args=["--workers", "2", "--webhook"],
        NEEDFINDER_DATABASE_URL=pg.url,
        NEEDFINDER_WORKER_ID="svc",
        **webhook_settings(port),
    ).start(ready=2)
    try:
        assert supervisor.process is not None
        children = _children(supervisor.process.pid)
        assert len(children) == 2
        # Both share the one port; /healthz answers from either.
        assert get_json(f"http://127.0.0.1:{port}/healthz")[1]["worker_id"] in {"svc-w1", "svc-w2"}

        hooked = len(fake_telegram.requests("setWebhook"))
        os.kill(children[0], signal.SIGKILL)
        fake_telegram.wait_for(
            lambda: len(fake_telegram.requests("setWebhook")) > hooked,
            timeout=30,
            description="the supervisor to restart the killed worker",
        )
        now = _children(supervisor.process.pid)
        assert len(now) == 2 and children[0] not in now
        # The leader may have been the one killed; the other takes over within seconds.
        supervisor.eventually(
            lambda: "bot:    running" in supervisor.command("status").stdout,
            timeout=20,
            what="needfinder status to see the workers",
        )

        anna = fake_telegram.user(language_code="en")
        anna.send("/start")
        anna.wait_for_message(containing="May I store")
    finally:
        if supervisor.process is not None:
            last = _children(supervisor.process.pid)
            assert supervisor.stop() == 0, supervisor.logs()[-4000:]
            for child in last:
                assert not os.path.exists(f"/proc/{child}/status") or _zombie(child)


def _zombie(pid: int) -> bool:
    with open(f"/proc/{pid}/status") as status:
        return "zombie" in status.read()


def test_an_update_is_answered_only_after_its_commit(tmp_path: Path, pg: PgDatabase) -> None:
    # Telegram gives up on an answer after a while and delivers again; here after 1 s.
    with FakeTelegram(webhook_timeout=1.0) as tg:
        workers = Workers(tg, tmp_path, pg, 1).start()
        try:
            anna = tg.user(language_code="en")
            with TableLock(pg, "inbox"):
                ref = anna.send("/start")
                tg.wait_for(
                    lambda: len(tg.webhook_deliveries(ref.update_id)) >= 2,
                    timeout=15,
                    description="Telegram to deliver the update again",
                )
                attempts = tg.webhook_deliveries(ref.update_id)
                assert all(d.status != 200 for d in attempts)
                assert pg.scalar("SELECT COUNT(*) FROM inbox") == 0
            anna.wait_for_message(containing="May I store", timeout=15)
            # Telegram keeps delivering until it gets its 200; the repeat is ignored.
            tg.wait_for(
                lambda: any(d.status == 200 for d in tg.webhook_deliveries(ref.update_id)),
                timeout=15,
                description="a 200 for the update",
            )
            assert pg.scalar("SELECT COUNT(*) FROM inbox WHERE update_id = $1", ref.update_id) == 1
            tg.wait_until_idle()
            assert tg.duplicate_sends() == []
        finally:
            workers.stop()

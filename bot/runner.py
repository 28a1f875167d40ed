"""``needfinder run``: poller or webhook, worker and sender around one database.

On SQLite one bot holds the database (a lease refuses a second). On PostgreSQL any number of
workers share it (see :mod:`storage.coordination`): each takes updates (by webhook), handles
them and sends replies; the one leader also polls (in polling mode), fires timers and
reminders, publishes digests and applies the retention period.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import os
import signal
import socket
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from telegram import BotCommand, BotCommandScopeAllPrivateChats
from telegram.error import InvalidToken, NetworkError, TelegramError

from bot.api import BotApi, BotIdentity
from bot.limits import SendLimits
from bot.mapping import ALLOWED_UPDATES
from bot.poller import Poller
from bot.publish import Publisher
from bot.sender import Sender, backoff
from bot.staff import StaffDesk
from bot.waiting import wait_any
from bot.webhook import Health, listening_socket, parse_listen, serve, webhook_app
from bot.worker import Worker
from needfinder.app.anonymising import anonymiser_for
from needfinder.app.dialogues import DialogueService
from needfinder.app.lease import RENEW_EVERY, BotLease, LeaseHeld, LeaseLost
from needfinder.app.retention import RetentionPolicy, purge
from needfinder.app.settings import Settings
from needfinder.insights.summary import summarise_answer
from storage.coordination import Coordination
from storage.database import Database, DatabaseUnavailable

log = logging.getLogger(__name__)

RETENTION_INTERVAL_SECONDS = 3600
#: Connections Telegram may open to the webhook at once (its maximum).
WEBHOOK_CONNECTIONS = 100
#: How often a worker that is not the leader tries to become it (the leader may have died).
LEAD_RETRY_SECONDS = 2.0

COMMANDS = {
    "de": [
        ("start", "Gespräch beginnen"),
        ("help", "Was ich verstehe"),
        ("pause", "Pause machen"),
        ("resume", "Weitermachen"),
        ("skip", "Frage überspringen"),
        ("stop", "Gespräch beenden"),
        ("language", "Sprache wechseln"),
        ("privacy", "Was ich speichere"),
        ("mydata", "Meine Daten anzeigen"),
        ("forget", "Alle meine Daten löschen"),
    ],
    "en": [
        ("start", "Begin a conversation"),
        ("help", "What I understand"),
        ("pause", "Take a break"),
        ("resume", "Go on"),
        ("skip", "Skip a question"),
        ("stop", "End the conversation"),
        ("language", "Switch language"),
        ("privacy", "What I store"),
        ("mydata", "Show my data"),
        ("forget", "Erase all my data"),
    ],
}


class BotStartError(Exception):
    """The bot cannot start (e.g. Telegram rejected the token); the message is one line."""


@dataclass(frozen=True)
class WebhookConfig:
    """Webhook mode: Telegram POSTs updates to ``url``; the server listens on ``listen``."""

    url: str
    listen: str
    secret: str


def default_worker_id() -> str:
    """host-pid: unique among the workers of one database."""
    return f"{socket.gethostname()}-{os.getpid()}"


def tag_logs(worker_id: str) -> None:
    """Add ``worker_id`` to every log record of this process (one worker per process)."""
    factory = logging.getLogRecordFactory()

    def tagged(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = factory(*args, **kwargs)
        record.worker_id = worker_id
        return record

    logging.setLogRecordFactory(tagged)


async def run_bot(
    database: Database,
    service: DialogueService,
    api: BotApi,
    *,
    messages_per_second: float = 29.0,
    retention: RetentionPolicy | None = None,
    settings: Settings | None = None,
    stop: asyncio.Event | None = None,
    webhook: WebhookConfig | None = None,
    health_listen: str | None = None,
    worker_id: str | None = None,
) -> None:
    """Run the bot until ``stop`` is set or SIGTERM/SIGINT arrives."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    parts = _Parts(
        database,
        service,
        api,
        messages_per_second,
        retention,
        settings,
        stop,
        webhook,
        health_listen,
        worker_id or default_worker_id(),
    )
    if not database.is_sqlite:
        coordination = Coordination(database)
        try:
            await coordination.open()
        except DatabaseUnavailable as error:
            raise BotStartError(str(error)) from None
        try:
            await parts.run(None, coordination)
        finally:
            with contextlib.suppress(Exception):
                await coordination.close()
        return
    lease = BotLease(database)
    try:
        await lease.acquire(datetime.now(UTC))
    except LeaseHeld as error:
        raise BotStartError(str(error)) from None
    try:
        await parts.run(lease, None)
    finally:
        with contextlib.suppress(Exception):
            await lease.release()


@dataclass
class _Parts:
    """The bot's components for one run."""

    database: Database
    service: DialogueService
    api: BotApi
    messages_per_second: float
    retention: RetentionPolicy | None
    settings: Settings | None
    stop: asyncio.Event
    webhook: WebhookConfig | None
    health_listen: str | None
    worker_id: str

    async def run(self, lease: BotLease | None, coordination: Coordination | None) -> None:
        """Connect to Telegram, start every component, wait for the end, clean up."""
        database, api, stop = self.database, self.api, self.stop
        # Bound before Telegram hears of the webhook, so its first delivery finds us.
        listen = self.webhook.listen if self.webhook else self.health_listen
        sock = None
        if listen is not None:
            try:
                sock = listening_socket(*parse_listen(listen))
            except (OSError, ValueError) as error:
                raise BotStartError(f"cannot listen on {listen}: {error}") from None
        me = await _connect(api, stop)
        if me is None:
            return
        await self._point_telegram(api)
        is_leader = (lambda: coordination.leader) if coordination else (lambda: True)
        sender = Sender(
            database,
            api,
            SendLimits(per_second=self.messages_per_second),
            coordination=coordination,
        )
        worker = Worker(
            database,
            self.service,
            bot_username=me.username,
            # Staff commands and digest publication need the settings (who is staff, where).
            staff=StaffDesk(self.settings) if self.settings is not None else None,
            publisher=Publisher(self.settings, me.username) if self.settings else None,
            on_enqueued=sender.wake,
            is_leader=is_leader,
        )
        # Load the word lists now, not in the middle of the first customer's dialogue.
        summarise_answer("Wir backen Brot. We bake bread.", "de")
        anonymiser_for(()).anonymise("Anna Berger, anna@example.org", language="de")
        # Everything loaded at start-up stays for the process's life: keep it out of the cyclic
        # garbage collector's full passes, which otherwise pause the event loop for tens of ms.
        gc.collect()
        gc.freeze()
        mode = "webhook" if self.webhook else "polling"
        log.info(
            "bot running",
            extra={"bot_id": me.id, "bot_username": me.username, "mode": mode},
        )
        duties: list[Callable[[], Coroutine[Any, Any, None]]] = []
        if self.webhook is None:
            poller = Poller(database, api, on_stored=worker.wake)
            duties.append(lambda: poller.run(stop))
        retention = self.retention
        if retention is not None:
            duties.append(lambda: _apply_retention(database, retention, stop))
        tasks = {
            asyncio.create_task(worker.run(stop), name="worker"),
            asyncio.create_task(sender.run(stop), name="sender"),
        }
        if lease is not None:
            tasks.add(asyncio.create_task(_keep_lease(lease, stop), name="lease"))
            tasks.update(asyncio.create_task(duty(), name="duty") for duty in duties)
        else:
            assert coordination is not None
            tasks.add(asyncio.create_task(_lead(coordination, duties, stop), name="leader"))
        if sock is not None:
            health = Health(database, self.worker_id, mode)
            health.leader = is_leader
            app = webhook_app(
                database,
                health,
                path=_path_of(self.webhook.url) if self.webhook else None,
                secret=self.webhook.secret if self.webhook else None,
                on_stored=worker.wake,
            )
            tasks.add(asyncio.create_task(serve(app, sock, stop), name="http"))
        await _supervise(tasks, api, stop)

    async def _point_telegram(self, api: BotApi) -> None:
        """Tell Telegram how we take updates, and set the command menus."""
        if self.webhook is not None:
            try:
                await api.bot.set_webhook(
                    url=self.webhook.url,
                    secret_token=self.webhook.secret,
                    allowed_updates=list(ALLOWED_UPDATES),
                    drop_pending_updates=False,
                    # Telegram's most: it sends one chat's updates one at a time, so parallel
                    # connections are what lets many customers' messages arrive at once.
                    max_connections=WEBHOOK_CONNECTIONS,
                )
            except TelegramError as error:
                raise BotStartError(f"Telegram refused the webhook: {error}") from None
            log.info("webhook set", extra={"listen": self.webhook.listen})
        try:
            if self.webhook is None:
                # Telegram refuses getUpdates while a webhook is set (switching back).
                await api.bot.delete_webhook(drop_pending_updates=False)
            await _set_command_menus(api)
        except TelegramError as error:
            log.warning("could not set up the command menu", extra={"error": str(error)[:300]})


def _path_of(url: str) -> str:
    from urllib.parse import urlsplit

    return urlsplit(url).path or "/"


async def _lead(
    coordination: Coordination,
    duties: list[Callable[[], Coroutine[Any, Any, None]]],
    stop: asyncio.Event,
) -> None:
    """Become the leader when no other worker is, then run what must run only once."""
    while not stop.is_set():
        if await coordination.try_lead():
            log.info("this worker leads: timers, reminders, retention (and polling) run here")
            await asyncio.gather(*(duty() for duty in duties))
            return
        await wait_any(stop, seconds=LEAD_RETRY_SECONDS)


async def _supervise(tasks: set[asyncio.Task[Any]], api: BotApi, stop: asyncio.Event) -> None:
    """Wait for the tasks; the first failure stops them all and becomes BotStartError."""
    failure: BaseException | None = None
    try:
        done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
        for task in done:
            if task.exception() is not None:
                failure = task.exception()
                log.error(
                    "bot component failed; shutting down",
                    extra={"component": task.get_name(), "error_type": type(failure).__name__},
                    exc_info=failure,
                )
    finally:
        stop.set()
        await asyncio.gather(*tasks, return_exceptions=True)
        await api.stop()
        log.info("bot stopped")
    if isinstance(failure, LeaseLost):
        raise BotStartError(f"bot stopped: {failure}")
    if isinstance(failure, InvalidToken):
        raise BotStartError("Telegram rejected TELEGRAM_BOT_TOKEN; check the token from @BotFather")
    if failure is not None:
        raise BotStartError(f"bot stopped after an error: {type(failure).__name__}: {failure}")


async def _keep_lease(lease: BotLease, stop: asyncio.Event) -> None:
    """Renew the lease until stopped; LeaseLost stops the bot (another one took over)."""
    while not stop.is_set():
        await wait_any(stop, seconds=RENEW_EVERY.total_seconds())
        if stop.is_set():
            return
        try:
            await lease.renew(datetime.now(UTC))
        except DatabaseUnavailable as error:
            # The lease goes stale only after STALE_AFTER; the next renewal may get through.
            log.error("lease not renewed: database unavailable", extra={"error": str(error)})


async def _apply_retention(
    database: Database, policy: RetentionPolicy, stop: asyncio.Event
) -> None:
    """Apply the retention period at start and then every hour."""
    while not stop.is_set():
        try:
            result = await purge(
                database,
                days=policy.days,
                action=policy.action,
                now=datetime.now(UTC),
                staff_names=policy.staff_names,
            )
            if result.total:
                log.info(
                    "retention applied",
                    extra={"anonymised": result.anonymised, "deleted": result.deleted},
                )
        except DatabaseUnavailable as error:
            log.error("retention postponed: database unavailable", extra={"error": str(error)})
        await wait_any(stop, seconds=RETENTION_INTERVAL_SECONDS)


async def _connect(api: BotApi, stop: asyncio.Event) -> BotIdentity | None:
    """Call getMe until it works (the network may come up after us); None if stopped."""
    attempts = 0
    while not stop.is_set():
        try:
            return await api.start()
        except InvalidToken:
            raise BotStartError(
                "Telegram rejected TELEGRAM_BOT_TOKEN; check the token from @BotFather"
            ) from None
        except NetworkError as error:
            attempts += 1
            delay = backoff(attempts)
            log.warning(
                "cannot reach the Telegram Bot API; retrying",
                extra={"error": str(error)[:300], "retry_in": round(delay, 2)},
            )
            await wait_any(stop, seconds=delay)
    return None


async def _set_command_menus(api: BotApi) -> None:
    scope = BotCommandScopeAllPrivateChats()
    for language, commands in COMMANDS.items():
        menu = [BotCommand(name, description) for name, description in commands]
        await api.bot.set_my_commands(menu, scope=scope, language_code=language)
    english = [BotCommand(name, description) for name, description in COMMANDS["en"]]
    await api.bot.set_my_commands(english, scope=scope)

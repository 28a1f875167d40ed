"""``needfinder run``: poller, worker and sender around one database, until SIGTERM/SIGINT."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import signal
from datetime import UTC, datetime

from telegram import BotCommand, BotCommandScopeAllPrivateChats
from telegram.error import InvalidToken, NetworkError, TelegramError

from bot.api import BotApi, BotIdentity
from bot.limits import SendLimits
from bot.poller import Poller
from bot.publish import Publisher
from bot.sender import Sender, backoff
from bot.staff import StaffDesk
from bot.waiting import wait_any
from bot.worker import Worker
from needfinder.app.anonymising import anonymiser_for
from needfinder.app.dialogues import DialogueService
from needfinder.app.lease import RENEW_EVERY, BotLease, LeaseHeld, LeaseLost
from needfinder.app.retention import RetentionPolicy, purge
from needfinder.app.settings import Settings
from needfinder.insights.summary import summarise_answer
from storage.database import Database, DatabaseUnavailable

log = logging.getLogger(__name__)

RETENTION_INTERVAL_SECONDS = 3600

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


async def run_bot(
    database: Database,
    service: DialogueService,
    api: BotApi,
    *,
    messages_per_second: float = 29.0,
    retention: RetentionPolicy | None = None,
    settings: Settings | None = None,
    stop: asyncio.Event | None = None,
) -> None:
    """Run the bot until ``stop`` is set or SIGTERM/SIGINT arrives."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    lease = BotLease(database)
    try:
        await lease.acquire(datetime.now(UTC))
    except LeaseHeld as error:
        raise BotStartError(str(error)) from None
    try:
        await _run_with_lease(
            database, service, api, lease, messages_per_second, retention, settings, stop
        )
    finally:
        with contextlib.suppress(Exception):
            await lease.release()


async def _run_with_lease(
    database: Database,
    service: DialogueService,
    api: BotApi,
    lease: BotLease,
    messages_per_second: float,
    retention: RetentionPolicy | None,
    settings: Settings | None,
    stop: asyncio.Event,
) -> None:
    me = await _connect(api, stop)
    if me is None:
        return
    try:
        await api.bot.delete_webhook(drop_pending_updates=False)
        await _set_command_menus(api)
    except TelegramError as error:
        log.warning("could not set up the command menu", extra={"error": str(error)[:300]})

    sender = Sender(database, api, SendLimits(per_second=messages_per_second))
    worker = Worker(
        database,
        service,
        bot_username=me.username,
        # Staff commands and digest publication need the settings (who is staff, where to post).
        staff=StaffDesk(settings) if settings is not None else None,
        publisher=Publisher(settings, me.username) if settings is not None else None,
        on_enqueued=sender.wake,
    )
    poller = Poller(database, api, on_stored=worker.wake)
    # Load the word lists now, not in the middle of the first customer's dialogue.
    summarise_answer("Wir backen Brot. We bake bread.", "de")
    anonymiser_for(()).anonymise("Anna Berger, anna@example.org", language="de")
    # Everything loaded at start-up stays for the process's life: keep it out of the cyclic
    # garbage collector's full passes, which otherwise pause the event loop for tens of ms.
    gc.collect()
    gc.freeze()
    log.info("bot running", extra={"bot_id": me.id, "bot_username": me.username})
    tasks = {
        asyncio.create_task(poller.run(stop), name="poller"),
        asyncio.create_task(worker.run(stop), name="worker"),
        asyncio.create_task(sender.run(stop), name="sender"),
        asyncio.create_task(_keep_lease(lease, stop), name="lease"),
    }
    if retention is not None:
        tasks.add(
            asyncio.create_task(_apply_retention(database, retention, stop), name="retention")
        )
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

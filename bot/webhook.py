"""Webhook delivery into the inbox, and the bot's ``/healthz``, on one small HTTP server.

Telegram POSTs each update to the webhook URL and retries until it gets a 2xx answer. The
update is therefore answered 200 only after it is committed to the inbox; a retry of an update
already stored is ignored there (the inbox is keyed by update id) and answered 200 as well.
Every request must carry the secret token set with ``setWebhook`` in the
``X-Telegram-Bot-Api-Secret-Token`` header; without it the answer is 403 and nothing is stored.
As in python-telegram-bot's ``customwebhookbot/starlettebot.py`` example, the web server runs on
the bot's own event loop, beside the worker and the sender.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
import socket
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.mapping import CHANNEL, chat_key
from storage.database import Database, DatabaseUnavailable
from storage.queues import NewUpdate

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
#: Telegram's updates are small; anything far larger is not from Telegram.
MAX_BODY_BYTES = 1_000_000


def parse_listen(value: str) -> tuple[str, int]:
    """Split ``host:port`` (``[::1]:8443`` for IPv6); raises ValueError when malformed."""
    host, sep, port = value.rpartition(":")
    if not sep or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"expected host:port, got {value!r}")
    return host.strip("[]") or "0.0.0.0", int(port)


class Health:
    """What ``/healthz`` reports: the database reachable, queue lengths, who answers."""

    def __init__(self, database: Database, worker_id: str, mode: str) -> None:
        self.database = database
        self.worker_id = worker_id
        self.mode = mode
        self.leader: Callable[[], bool] = lambda: True

    async def report(self) -> tuple[int, dict[str, Any]]:
        """Return the HTTP status (200 healthy, 503 database unreachable) and the body."""
        body: dict[str, Any] = {
            "worker_id": self.worker_id,
            "mode": self.mode,
            "leader": self.leader(),
        }
        try:
            async with self.database.read() as uow:
                inbox = await uow.inbox.counts()
                outbox = await uow.outbox.counts()
        except DatabaseUnavailable as error:
            return 503, {**body, "database": "unreachable", "error": str(error)[:300]}
        return 200, {
            **body,
            "database": "ok",
            "inbox": {"pending": inbox.get("pending", 0), "failed": inbox.get("failed", 0)},
            "outbox": {"pending": outbox.get("pending", 0), "failed": outbox.get("failed", 0)},
        }


def webhook_app(
    database: Database,
    health: Health,
    *,
    path: str | None = None,
    secret: str | None = None,
    on_stored: Callable[[], None] = lambda: None,
    utcnow: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> Starlette:
    """The ASGI app: ``POST path`` takes updates (when a path is given), ``GET /healthz``."""
    writer = InboxWriter(database, on_stored=on_stored, utcnow=utcnow)

    async def receive(request: Request) -> Response:
        offered = request.headers.get(SECRET_HEADER, "")
        # Constant-time comparison: the secret is the only proof that Telegram is calling.
        if secret is None or not hmac.compare_digest(offered.encode(), secret.encode()):
            log.warning("webhook request refused: wrong or missing secret token")
            return Response(status_code=403)
        body = await request.body()
        if len(body) > MAX_BODY_BYTES:
            return Response(status_code=413)
        try:
            update = json.loads(body)
            update_id = int(update["update_id"])
        except (ValueError, TypeError, KeyError):
            # Retrying would not make it readable; Telegram would only send it again.
            log.error("webhook request without a readable update refused")
            return Response(status_code=400)
        try:
            await writer.store(NewUpdate(update_id, chat_key(update), update))
        except DatabaseUnavailable as error:
            # Not stored: Telegram keeps the update and delivers it again.
            log.error("update not stored: database unavailable", extra={"error": str(error)})
            return Response(status_code=503)
        return Response(status_code=200)

    async def healthz(_request: Request) -> Response:
        status, report = await health.report()
        return JSONResponse(report, status_code=status)

    routes = [Route("/healthz", healthz, methods=["GET"])]
    if path is not None:
        routes.append(Route(path, receive, methods=["POST"]))
    return Starlette(routes=routes)


class InboxWriter:
    """Commits updates arriving together in one transaction (group commit); each caller
    returns only once its update is committed.

    Telegram delivers many chats' updates at once (up to 40 connections); one commit per
    request would make the commit, not the bot, the limit.
    """

    def __init__(
        self,
        database: Database,
        *,
        on_stored: Callable[[], None],
        utcnow: Callable[[], datetime],
    ) -> None:
        self.database = database
        self.on_stored = on_stored
        self.utcnow = utcnow
        self._queue: list[tuple[NewUpdate, asyncio.Future[None]]] = []
        self._writing: asyncio.Task[None] | None = None

    async def store(self, update: NewUpdate) -> None:
        """Store one update (a known update id is ignored); raises DatabaseUnavailable."""
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._queue.append((update, done))
        if self._writing is None or self._writing.done():
            self._writing = asyncio.create_task(self._write_all())
        await done

    async def _write_all(self) -> None:
        while self._queue:
            batch, self._queue = self._queue, []
            try:
                await self._write([update for update, _ in batch])
            except Exception as error:
                if len(batch) > 1 and not isinstance(error, DatabaseUnavailable):
                    # One unstorable update must not fail the others: each alone.
                    for update, done in batch:
                        await self._write_one(update, done)
                    continue
                for _update, done in batch:
                    if not done.done():
                        done.set_exception(error)
                continue
            for _update, done in batch:
                if not done.done():
                    done.set_result(None)

    async def _write_one(self, update: NewUpdate, done: asyncio.Future[None]) -> None:
        try:
            await self._write([update])
        except Exception as error:
            if not done.done():
                done.set_exception(error)
        else:
            if not done.done():
                done.set_result(None)

    async def _write(self, updates: list[NewUpdate]) -> None:
        async with self.database.write() as uow:
            new = await uow.inbox.add_many(CHANNEL, updates, self.utcnow())
        if new:
            self.on_stored()
        if new < len(updates):
            log.info("duplicate updates ignored", extra={"duplicates": len(updates) - new})


class _Server(uvicorn.Server):
    """uvicorn on the bot's loop; the bot's own SIGTERM/SIGINT handling stays in charge."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        """Leave signal handling to the bot (uvicorn would install its own)."""
        yield


def listening_socket(host: str, port: int) -> socket.socket:
    """Bind ``host:port`` with SO_REUSEPORT, so several workers on one host can share a port."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if hasattr(socket, "SO_REUSEPORT"):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    # Listening from now on: Telegram's first delivery waits in the backlog, not refused.
    sock.listen(2048)
    return sock


async def serve(app: Starlette, sock: socket.socket, stop: asyncio.Event) -> None:
    """Serve ``app`` on ``sock`` until ``stop`` is set (requests in progress are finished)."""
    config = uvicorn.Config(
        app,
        log_level="warning",
        access_log=False,
        lifespan="off",
        ws="none",
        loop="none",
        server_header=False,
        timeout_graceful_shutdown=5,
        timeout_keep_alive=60,
    )
    server = _Server(config)
    serving = asyncio.create_task(server.serve(sockets=[sock]))
    stopped = asyncio.create_task(stop.wait())
    await asyncio.wait({serving, stopped}, return_when=asyncio.FIRST_COMPLETED)
    server.should_exit = True
    stopped.cancel()
    await serving
    sock.close()

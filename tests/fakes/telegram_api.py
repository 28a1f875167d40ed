"""A real HTTP fake of the Telegram Bot API for end-to-end tests and benchmarks.

The fake listens on 127.0.0.1 (uvicorn in a background thread with its own event loop), speaks
the Bot API over HTTP exactly as python-telegram-bot sends it (form fields whose non-string
values are JSON-encoded, multipart for uploads, or a plain JSON body) and answers with Telegram's
response shapes. Tests play customers, the bot under test polls ``getUpdates`` and calls
``sendMessage`` & co., and tests wait on what it sent — on a condition variable, never sleeps::

    with FakeTelegram() as tg:                      # or the ``fake_telegram`` fixture
        bot = subprocess.Popen(["needfinder", "run"], env={**os.environ, **tg.env()})
        anna = tg.user(first_name="Anna", language_code="de")
        anna.send("/start kampagne-7")
        welcome = anna.wait_for_message(containing="Willkommen")
        anna.click("Einverstanden")                 # label or callback_data
        anna.wait_for_message(containing="Wer bist du")
        assert not tg.duplicate_sends()

Webhooks: after ``setWebhook`` the fake stops answering ``getUpdates`` (409, as Telegram) and
POSTs each update to the registered URL with the ``X-Telegram-Bot-Api-Secret-Token`` header,
one update per chat at a time and in order, retrying on a non-2xx answer or a timeout until it
gets a 2xx; ``route_webhook`` plays the reverse proxy that maps the public HTTPS URL to local
bot processes (round-robin), and ``webhook_deliveries`` lists every attempt.

Faults: ``fail_next``, ``delay_next``, ``block``, ``redeliver_next_batch``, ``duplicate_updates``,
``set_rate_limits``. Observation: ``messages``, ``sent``, ``requests``, ``commands``, ``stats``,
``dump``. Waits raise AssertionError with a dump of the fake's state on timeout; from async
code that runs the bot in the same event loop use the ``async_*`` variants.

Run standalone for benchmarks and manual tries::

    python -m tests.fakes.telegram_api --port 8081

prints the base URL (``http://127.0.0.1:8081/bot``) on stdout; ``/_fake/...`` is a small JSON
control API (send as a customer, stats, fault injection), see ``_CONTROL_HELP``.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import gc
import hashlib
import itertools
import json
import logging
import re
import signal
import socket
import sys
import threading
import time
from collections import Counter, deque
from collections.abc import Awaitable, Callable, Iterable, Mapping, MutableMapping
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar
from urllib.parse import parse_qsl, urlsplit

import uvicorn

from tests.fakes.actors import FakeChat, FakeUser
from tests.fakes.formatting import EntityParseError, ParsedText, parse_text, utf16_len
from tests.fakes.ratelimit import FloodControl, RateLimits
from tests.fakes.records import (
    BotMessage,
    ClickRef,
    RecordedRequest,
    SentRecord,
    Stats,
    UpdateRef,
    UploadedFile,
)

__all__ = [
    "DEFAULT_TOKEN",
    "ApiError",
    "FakeTelegram",
    "RateLimits",
    "WebhookDelivery",
    "main",
]
WEBHOOK_SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"

JSONDict = dict[str, Any]
T = TypeVar("T")
Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]

DEFAULT_TOKEN = "123456:TEST"
_LOGGER = logging.getLogger(__name__)
MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
_TOKEN_RE = re.compile(r"^\d+:[A-Za-z0-9_-]+$")
_COMMAND_RE = re.compile(r"^/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,64})?(?=\s|$)")
_URL_RE = re.compile(r"https?://[^\s<>\"]+")
_LANGUAGE_RE = re.compile(r"^[a-z]{2}$")
_COMMAND_NAME_RE = re.compile(r"^[a-z0-9_]{1,32}$")

# Updates Telegram sends when allowed_updates was never given (or given as []).
_DEFAULT_ALLOWED = frozenset(
    {
        "message",
        "edited_message",
        "channel_post",
        "edited_channel_post",
        "business_connection",
        "business_message",
        "edited_business_message",
        "deleted_business_messages",
        "inline_query",
        "chosen_inline_result",
        "callback_query",
        "shipping_query",
        "pre_checkout_query",
        "purchased_paid_media",
        "poll",
        "poll_answer",
        "my_chat_member",
        "chat_join_request",
        "chat_boost",
        "removed_chat_boost",
    }
)
_CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
# Form fields that are always plain strings: PTB sends ``str`` values without JSON encoding, so
# "123" in a text field must not become the number 123.
_STRING_FIELDS = frozenset(
    {
        "text",
        "caption",
        "parse_mode",
        "callback_query_id",
        "action",
        "url",
        "title",
        "description",
        "short_description",
        "name",
        "language_code",
        "file_id",
        "phone_number",
        "first_name",
        "last_name",
        "emoji",
        "secret_token",
        "business_connection_id",
        "message_effect_id",
        "inline_message_id",
        "ip_address",
        "address",
        "vcard",
        "document",
        "photo",
        "audio",
        "voice",
        "video",
        "animation",
        "sticker",
        "video_note",
        "thumbnail",
    }
)
# Fields holding JSON objects or arrays; a JSON body may still carry them as JSON strings.
_JSON_FIELDS = frozenset(
    {
        "reply_markup",
        "link_preview_options",
        "reply_parameters",
        "scope",
        "commands",
        "allowed_updates",
        "entities",
        "caption_entities",
        "media",
        "menu_button",
    }
)
_MEDIA_METHODS: dict[str, str] = {
    "sendDocument": "document",
    "sendPhoto": "photo",
    "sendAudio": "audio",
    "sendVoice": "voice",
    "sendVideo": "video",
    "sendAnimation": "animation",
    "sendSticker": "sticker",
    "sendVideoNote": "video_note",
}
_FILE_ID_PREFIX = {
    "document": "BQACAgIAAxkBAAI",
    "photo": "AgACAgIAAxkBAAI",
    "audio": "CQACAgIAAxkBAAI",
    "voice": "AwACAgIAAxkBAAI",
    "video": "BAACAgIAAxkBAAI",
    "animation": "CgACAgIAAxkBAAI",
    "sticker": "CAACAgIAAxkBAAI",
    "video_note": "DQACAgIAAxkBAAI",
}
_FILE_EXT = {
    "document": "bin",
    "photo": "jpg",
    "audio": "mp3",
    "voice": "oga",
    "video": "mp4",
    "animation": "mp4",
    "sticker": "webp",
    "video_note": "mp4",
}
_DEFAULT_DESCRIPTIONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden: bot was blocked by the user",
    404: "Not Found",
    409: "Conflict: terminated by other getUpdates request; make sure that only one bot "
    "instance is running",
    500: "Internal Server Error",
}
_GATEWAY_PHRASES = {
    502: "Bad Gateway",
    503: "Service Temporarily Unavailable",
    504: "Gateway Time-out",
}
_NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)
_QUERY_TOO_OLD = "Bad Request: query is too old and response timeout expired or query ID is invalid"


class ApiError(Exception):
    """A Bot API error answer; raise it from a custom method handler (see ``FakeTelegram.on``)."""

    def __init__(self, status: int, description: str, parameters: JSONDict | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters

    def body(self) -> bytes:
        """Telegram's JSON error body."""
        data: JSONDict = {"ok": False, "error_code": self.status, "description": self.description}
        if self.parameters:
            data["parameters"] = self.parameters
        return _dumps(data)


def _dumps(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _gateway_html(status: int) -> bytes:
    phrase = _GATEWAY_PHRASES.get(status, "Bad Gateway")
    return (
        f"<html>\r\n<head><title>{status} {phrase}</title></head>\r\n<body>\r\n"
        f"<center><h1>{status} {phrase}</h1></center>\r\n<hr><center>nginx/1.18.0</center>\r\n"
        f"</body>\r\n</html>\r\n"
    ).encode()


class _RawJSON(str):
    """A result that is already JSON text (pre-serialised updates)."""

    __slots__ = ()


@dataclass
class _Update:
    update_id: int
    kind: str
    chat_id: int | None
    raw: str  # serialised once at enqueue time, so later edits cannot change what is delivered


@dataclass(frozen=True)
class WebhookDelivery:
    """One attempt to deliver an update by webhook: where to, and the answer (0: no answer)."""

    update_id: int
    target: str
    status: int
    error: str | None
    at: float


@dataclass
class _Fault:
    method: str  # canonical method name or "*"
    times: int
    chat_id: int | None
    status: int = 0
    retry_after: int | None = None
    description: str | None = None
    delay: float = 0.0
    drop: bool = False

    def matches(self, method: str, chat_id: int | None) -> bool:
        if self.method == "*":
            if method == "getUpdates":
                return False  # a wildcard must not starve the poller
        elif self.method != method:
            return False
        return self.chat_id is None or self.chat_id == chat_id


@dataclass
class _StoredFile:
    file_id: str
    file_unique_id: str
    kind: str
    content: bytes
    file_path: str
    upload: UploadedFile | None = None


@dataclass
class _Callback:
    chat_id: int
    user_id: int
    message_id: int
    answer: JSONDict | None = None


@dataclass
class _Chat:
    info: JSONDict
    user: JSONDict | None = None
    next_message_id: int = 1
    messages: dict[int, JSONDict] = field(default_factory=dict)  # every message, current state
    bot_messages: list[BotMessage] = field(default_factory=list)
    bot_by_id: dict[int, BotMessage] = field(default_factory=dict)
    events: list[SentRecord] = field(default_factory=list)
    edits: list[SentRecord] = field(default_factory=list)
    transcript: list[str] = field(default_factory=list)
    read_cursor: int = 0
    edit_cursor: int = 0
    blocked: str | None = None  # 403 description while blocked
    send_times: list[float] = field(default_factory=list)

    @property
    def id(self) -> int:
        return int(self.info["id"])

    @property
    def type(self) -> str:
        return str(self.info["type"])

    def take_message_id(self) -> int:
        mid = self.next_message_id
        self.next_message_id += 1
        return mid


class _UvicornServer(uvicorn.Server):
    """uvicorn Server that reports startup and stops without its 0.1 s polling tick."""

    def __init__(
        self, config: uvicorn.Config, started: threading.Event, freeze_gc: bool = False
    ) -> None:
        super().__init__(config)
        self._started_event = started
        self._exit_event: asyncio.Event | None = None
        self._freeze_gc = freeze_gc

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        self._exit_event = asyncio.Event()
        await super().startup(sockets=sockets)
        self._started_event.set()

    async def main_loop(self) -> None:
        assert self._exit_event is not None
        while not self.should_exit:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._exit_event.wait(), 1.0)
            if self._freeze_gc:
                # A long benchmark records millions of objects; full garbage collections over
                # them pause the server for 100s of ms, which would show up as bot latency.
                # The records form no reference cycles, so moving them out of the GC's view
                # is safe.
                gc.freeze()
            # counter 0 refreshes the Date header once per second, as uvicorn does
            if await self.on_tick(0):
                break

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        # uvicorn's own shutdown sleeps a fixed 0.1 s; tests start and stop a server each, so
        # poll briefly for open connections to finish instead.
        for server in self.servers:
            server.close()
        for sock in sockets or []:
            sock.close()
        for connection in list(self.server_state.connections):
            connection.shutdown()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + float(self.config.timeout_graceful_shutdown or 2)
        pending = self.server_state
        # uvicorn signals no event when a connection closes, so poll briefly.
        while (pending.connections or pending.tasks) and loop.time() < deadline:  # noqa: ASYNC110
            await asyncio.sleep(0.005)
        for task in self.server_state.tasks:
            task.cancel()

    def request_exit(self) -> None:
        """Thread-safe-by-caller: call in the server loop."""
        self.should_exit = True
        if self._exit_event is not None:
            self._exit_event.set()


class _HookClient:
    """Keep-alive HTTP/1.1 POSTs to webhook targets in a few lines of asyncio.

    A general client (httpx) costs about a millisecond of CPU per request in this process; a
    benchmark of several bot workers would then measure the fake's delivery, not the bot.
    """

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        self._idle: dict[tuple[str, int, bool], list[tuple[Any, Any]]] = {}

    async def post(self, url: str, body: bytes, headers: dict[str, str]) -> int:
        """POST ``body``; return the HTTP status (raises OSError/TimeoutError on failure)."""
        parts = urlsplit(url)
        tls = parts.scheme == "https"
        key = (parts.hostname or "127.0.0.1", parts.port or (443 if tls else 80), tls)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        idle = self._idle.setdefault(key, [])
        if idle:
            reader, writer = idle.pop()
        else:
            reader, writer = await asyncio.wait_for(
                asyncio.open_connection(key[0], key[1], ssl=tls or None), self.timeout
            )
        head = [f"POST {path} HTTP/1.1", f"Host: {key[0]}:{key[1]}"]
        head += [f"{name}: {value}" for name, value in headers.items()]
        head.append(f"Content-Length: {len(body)}")
        try:
            writer.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body)
            status, reusable = await asyncio.wait_for(self._response(reader), self.timeout)
        except BaseException:
            writer.close()
            raise
        if reusable:
            idle.append((reader, writer))
        else:
            writer.close()
        return status

    @staticmethod
    async def _response(reader: Any) -> tuple[int, bool]:
        line = await reader.readline()
        if not line:
            raise EOFError("connection closed without an answer")
        status = int(line.split()[1])
        length: int | None = None
        reusable = True
        while True:
            header = await reader.readline()
            if header in (b"\r\n", b"\n", b""):
                break
            name, _, value = header.decode("latin-1").partition(":")
            name = name.strip().lower()
            if name == "content-length":
                length = int(value.strip())
            elif name == "connection" and value.strip().lower() == "close":
                reusable = False
        if length is None:
            return status, False  # no length: do not guess where the body ends
        if length:
            await reader.readexactly(length)
        return status, reusable

    def close(self) -> None:
        """Close every kept connection."""
        for connections in self._idle.values():
            for _reader, writer in connections:
                writer.close()
        self._idle.clear()


class FakeTelegram:
    """Fake Telegram Bot API server plus customer simulation and observation helpers.

    Use ``with FakeTelegram() as tg:`` (or ``start()``/``stop()``). Point the bot at
    ``tg.base_url`` with token ``tg.token`` (``tg.env()`` gives both as environment variables).
    """

    def __init__(
        self,
        *,
        token: str | None = DEFAULT_TOKEN,
        host: str = "127.0.0.1",
        port: int = 0,
        bot_username: str = "needfinder_test_bot",
        bot_first_name: str = "Needfinder (test)",
        rate_limits: bool | RateLimits = False,
        strict_html: bool = True,
        latency: float = 0.0,
        max_recorded_requests: int | None = None,
        clock: Callable[[], float] = time.time,
        loop: Literal["auto", "asyncio", "uvloop"] = "auto",
        http: Literal["auto", "h11", "httptools"] = "auto",
        freeze_gc: bool = False,
        webhook_timeout: float = 10.0,
        webhook_retry_seconds: float = 0.05,
    ) -> None:
        if token is not None and not _TOKEN_RE.match(token):
            raise ValueError(f"token {token!r} does not look like a bot token (123456:ABC)")
        self.token_required = token is not None
        self.token = token or DEFAULT_TOKEN
        self.host = host
        self._requested_port = port
        self.port = 0
        self.strict_html = strict_html
        self.latency = latency
        self._clock = clock
        self._loop_kind = loop
        self._http_kind = http
        # gc.freeze() once a second (see _UvicornServer.main_loop): for long benchmarks; it
        # affects the whole process, so it is off for tests.
        self._freeze_gc = freeze_gc
        self._max_recorded = max_recorded_requests
        # Webhook delivery: Telegram waits about a minute and backs off much longer; tests
        # want failures found and retried quickly.
        self.webhook_timeout = webhook_timeout
        self.webhook_retry_seconds = webhook_retry_seconds
        self._deliverer: asyncio.Task[None] | None = None
        self._webhook_wake: asyncio.Event | None = None
        bot_id = int(self.token.split(":", 1)[0])
        self.bot_user: JSONDict = {
            "id": bot_id,
            "is_bot": True,
            "first_name": bot_first_name,
            "username": bot_username,
        }
        self._bot_me: JSONDict = {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }
        self._rate_limits_config = rate_limits

        self._lock = threading.RLock()
        self._cond = threading.Condition(self._lock)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: _UvicornServer | None = None
        self._thread: threading.Thread | None = None
        self._socket: socket.socket | None = None
        self._closing: asyncio.Event | None = None
        self._pollers: set[asyncio.Future[str]] = set()  # touched only in the server loop
        self._next_update_id = 100_000_001
        self._next_user_id = 7_000_000_001
        self._next_group_id = 4_000_001
        self._next_supergroup_id = 1_000_000_001
        self._id_counter = 0
        self._methods: dict[str, tuple[str, Callable[[JSONDict], Any]]] = {}
        self._register_methods()
        # In-flight counters survive reset(): requests may be running while a test resets.
        self._inflight = 0
        self._polls_pending = 0
        self._reset_state()

    # ==========================================================================================
    # lifecycle
    # ==========================================================================================
    @property
    def url(self) -> str:
        """Server root, e.g. ``http://127.0.0.1:40123``."""
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        """PTB ``base_url`` (the token is appended by PTB): ``http://127.0.0.1:<port>/bot``."""
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        """PTB ``base_file_url`` for downloads of files from getFile."""
        return f"{self.url}/file/bot"

    @property
    def bot_id(self) -> int:
        """The bot's user id (the token's number)."""
        return int(self.bot_user["id"])

    @property
    def bot_username(self) -> str:
        """The bot's username (without @)."""
        return str(self.bot_user["username"])

    def env(self) -> dict[str, str]:
        """Environment for a bot subprocess: API URL and token."""
        return {"NEEDFINDER_TELEGRAM_API_URL": self.base_url, "TELEGRAM_BOT_TOKEN": self.token}

    def start(self, timeout: float = 10.0) -> FakeTelegram:
        """Start serving in a background thread; returns self once the port accepts requests."""
        if self._thread is not None:
            raise RuntimeError("FakeTelegram already started")
        # proto=IPPROTO_TCP matters: asyncio sets TCP_NODELAY on accepted sockets only if the
        # listening socket says TCP explicitly; without it Nagle + delayed ACK add 40 ms.
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, self._requested_port))
        self._socket = sock
        self.port = int(sock.getsockname()[1])
        config = uvicorn.Config(
            self._asgi,
            log_level="warning",
            access_log=False,
            lifespan="off",
            interface="asgi3",
            ws="none",
            http=self._http_kind,
            loop="none",
            # Real Telegram keeps idle connections open long; a short keep-alive would make
            # pooled clients hit "server disconnected" races that Telegram never causes.
            timeout_keep_alive=120,
            timeout_graceful_shutdown=2,
            server_header=False,
            backlog=2048,
        )
        started = self._started_event = threading.Event()
        self._server = _UvicornServer(config, started, freeze_gc=self._freeze_gc)
        self._thread = threading.Thread(
            target=self._run, name=f"FakeTelegram:{self.port}", daemon=True
        )
        self._thread.start()
        if not started.wait(timeout) or not self._server.started:
            self.stop()
            raise RuntimeError(f"fake Telegram server did not start within {timeout}s")
        with self._lock:
            self._started_at = time.monotonic()
        return self

    def _new_loop(self) -> asyncio.AbstractEventLoop:
        if self._loop_kind in ("auto", "uvloop"):
            try:
                import uvloop

                return uvloop.new_event_loop()
            except ImportError:
                if self._loop_kind == "uvloop":
                    raise
        return asyncio.new_event_loop()

    def _run(self) -> None:
        assert self._server is not None and self._socket is not None
        loop = self._new_loop()
        asyncio.set_event_loop(loop)
        self._loop = loop
        self._closing = asyncio.Event()
        try:
            loop.run_until_complete(self._server.serve(sockets=[self._socket]))
        finally:
            self._started_event.set()  # wake start() if serving failed early
            with contextlib.suppress(Exception):
                loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the server (pending long polls answer at once) and join its thread."""
        loop, server, thread = self._loop, self._server, self._thread
        if loop is not None and server is not None and not loop.is_closed():

            def _shutdown() -> None:
                if self._closing is not None:
                    self._closing.set()
                self._wake_pollers("shutdown")
                server.request_exit()

            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(_shutdown)
        if thread is not None:
            thread.join(timeout)
        if self._socket is not None:
            self._socket.close()
        self._thread = None
        self._server = None
        self._loop = None
        self._socket = None

    def __enter__(self) -> FakeTelegram:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    async def __aenter__(self) -> FakeTelegram:
        return await asyncio.to_thread(self.start)

    async def __aexit__(self, *exc: object) -> None:
        await asyncio.to_thread(self.stop)

    def reset(self) -> None:
        """Forget chats, updates, records, faults, commands and counters; keep the server.

        Update ids keep increasing so that a bot that stays connected sees new updates.
        """
        with self._cond:
            self._reset_state()
            self._cond.notify_all()

    def _reset_state(self) -> None:
        self._chats: dict[int, _Chat] = {}
        self._usernames: dict[str, int] = {}
        self._users: dict[int, FakeUser] = {}
        self._group_views: dict[int, FakeChat] = {}
        self._updates: deque[_Update] = deque()
        self._disallowed_pending = 0  # pending updates of kinds outside allowed_updates
        self._redeliver: list[_Update] = []
        self._duplicated: set[int] = set()
        self._duplicate_mode = False
        self._redeliver_batch_once = False
        self._last_batch: list[_Update] = []
        self._allowed_updates: frozenset[str] | None = None
        self._last_allowed_updates: list[str] | None = None
        self._last_poll: JSONDict | None = None
        self._webhook: JSONDict = {"url": ""}
        self._webhook_backends: list[str] = []
        self._backend_turn = 0
        self._webhook_log: list[WebhookDelivery] = []
        self._webhook_retry_at: dict[int, float] = {}
        self._webhook_failures: dict[int, int] = {}
        self._webhook_last_error: tuple[int, str] | None = None
        self._commands: dict[tuple[str, str], list[JSONDict]] = {}
        self._bot_texts: dict[tuple[str, str], str] = {}
        self._menu_buttons: dict[int | None, JSONDict] = {}
        self._faults: list[_Fault] = []
        self._delays: list[_Fault] = []
        self._requests: deque[RecordedRequest] = deque(maxlen=self._max_recorded)
        self._request_seq = 0
        self._sent: list[SentRecord] = []
        self._sent_seq = 0
        self._callbacks: dict[str, _Callback] = {}
        self._files: dict[str, _StoredFile] = {}
        self._flood: FloodControl | None = None
        if self._rate_limits_config:
            limits = (
                self._rate_limits_config
                if isinstance(self._rate_limits_config, RateLimits)
                else RateLimits()
            )
            self._flood = FloodControl(limits)
        self._last_activity = time.monotonic()
        self._started_at = time.monotonic()
        self._status_counts: Counter[int] = Counter()
        self._method_counts: Counter[str] = Counter()
        self._rate_limited = 0
        self._injected = 0
        self._send_times: list[float] = []
        self._updates_enqueued = 0
        self._delivered_ids: set[int] = set()
        self._get_updates_calls = 0
        self._dropped_by_filter = 0

    # ==========================================================================================
    # customers and chats
    # ==========================================================================================
    def user(
        self,
        user_id: int | None = None,
        first_name: str = "Anna",
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "de",
        *,
        is_bot: bool = False,
        is_premium: bool | None = None,
    ) -> FakeUser:
        """A Telegram user with a private chat to the bot (same id returns the same user)."""
        with self._lock:
            if user_id is None:
                user_id = self._next_user_id
                self._next_user_id += 1
            existing = self._users.get(user_id)
            if existing is not None:
                return existing
            info: JSONDict = {"id": user_id, "is_bot": is_bot, "first_name": first_name}
            chat: JSONDict = {"id": user_id, "type": "private", "first_name": first_name}
            if last_name is not None:
                info["last_name"] = chat["last_name"] = last_name
            if username is not None:
                info["username"] = chat["username"] = username
                self._usernames[username.lower()] = user_id
            if language_code is not None:
                info["language_code"] = language_code
            if is_premium:
                info["is_premium"] = True
            self._chats[user_id] = _Chat(info=chat, user=info)
            fake = FakeUser(self, info)
            self._users[user_id] = fake
            return fake

    def group(
        self,
        title: str = "Kundenrat",
        *,
        chat_id: int | None = None,
        supergroup: bool = False,
        username: str | None = None,
        is_forum: bool = False,
    ) -> FakeChat:
        """A group (or supergroup) the bot is a member of."""
        with self._lock:
            if chat_id is None:
                if supergroup:
                    chat_id = -(1_000_000_000_000 + self._next_supergroup_id)
                    self._next_supergroup_id += 1
                else:
                    chat_id = -self._next_group_id
                    self._next_group_id += 1
            info: JSONDict = {
                "id": chat_id,
                "type": "supergroup" if supergroup else "group",
                "title": title,
            }
            if username is not None:
                info["username"] = username
            if is_forum:
                info["is_forum"] = True
            return self._add_chat(info)

    def channel(
        self,
        title: str = "Needfinder News",
        *,
        chat_id: int | None = None,
        username: str | None = None,
    ) -> FakeChat:
        """A channel the bot can post to (``chat_id`` may be "@username" in API calls)."""
        with self._lock:
            if chat_id is None:
                chat_id = -(1_000_000_000_000 + self._next_supergroup_id)
                self._next_supergroup_id += 1
            info: JSONDict = {"id": chat_id, "type": "channel", "title": title}
            if username is not None:
                info["username"] = username
            return self._add_chat(info)

    def _add_chat(self, info: JSONDict) -> FakeChat:
        chat_id = int(info["id"])
        if chat_id in self._chats:
            raise ValueError(f"chat {chat_id} exists already")
        self._chats[chat_id] = _Chat(info=info)
        if info.get("username"):
            self._usernames[str(info["username"]).lower()] = chat_id
        view = FakeChat(self, info)
        self._group_views[chat_id] = view
        return view

    def chat(self, chat_id: int) -> FakeUser | FakeChat:
        """The user or chat object for an id created earlier."""
        with self._lock:
            if chat_id in self._users:
                return self._users[chat_id]
            if chat_id in self._group_views:
                return self._group_views[chat_id]
        raise KeyError(f"no chat {chat_id}; create it with tg.user() or tg.group()")

    def text_content(self, text: str) -> JSONDict:
        """Message fields for a customer's text, with the entities Telegram would add."""
        content: JSONDict = {"text": text}
        entities: list[JSONDict] = []
        m = _COMMAND_RE.match(text)
        if m:
            entities.append({"offset": 0, "length": utf16_len(m.group(0)), "type": "bot_command"})
        for url in _URL_RE.finditer(text):
            entities.append(
                {
                    "offset": utf16_len(text[: url.start()]),
                    "length": utf16_len(url.group(0)),
                    "type": "url",
                }
            )
        if entities:
            content["entities"] = entities
        return content

    def _new_ids(self, kind: str) -> tuple[str, str]:
        self._id_counter += 1
        digest = hashlib.sha256(f"{kind}:{self._id_counter}:{self.token}".encode()).digest()
        body = base64.urlsafe_b64encode(digest * 2).decode().rstrip("=")
        file_id = _FILE_ID_PREFIX.get(kind, "BQACAgIAAxkBAAI") + body[:56]
        unique = "AgAD" + body[60:72]
        return file_id, unique

    def _store_file(
        self, kind: str, content: bytes, upload: UploadedFile | None = None
    ) -> _StoredFile:
        file_id, unique = self._new_ids(kind)
        folder = {"photo": "photos", "voice": "voice", "video_note": "video_notes"}.get(
            kind, f"{kind}s"
        )
        ext = _FILE_EXT.get(kind, "bin")
        if upload is not None and "." in upload.filename:
            ext = upload.filename.rsplit(".", 1)[1]
        stored = _StoredFile(
            file_id, unique, kind, content, f"{folder}/file_{self._id_counter}.{ext}", upload
        )
        self._files[file_id] = stored
        return stored

    def _media_json(
        self,
        kind: str,
        stored: _StoredFile,
        *,
        file_name: str | None = None,
        mime_type: str | None = None,
        duration: int | None = None,
        emoji: str | None = None,
    ) -> Any:
        base: JSONDict = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.content),
        }
        if kind == "photo":
            sizes = []
            for i, (w, h) in enumerate(((90, 67), (320, 240), (1280, 960))):
                fid, uid = (
                    (stored.file_id, stored.file_unique_id) if i == 2 else self._new_ids(kind)
                )
                size = max(1, len(stored.content) * (i + 1) // 3)
                sizes.append(
                    {
                        "file_id": fid,
                        "file_unique_id": uid,
                        "file_size": size,
                        "width": w,
                        "height": h,
                    }
                )
            return sizes
        if kind == "document":
            base["file_name"] = file_name or "document.bin"
            base["mime_type"] = mime_type or "application/octet-stream"
        elif kind == "voice":
            base.update(duration=duration or 4, mime_type=mime_type or "audio/ogg")
        elif kind == "audio":
            base.update(duration=duration or 30, mime_type=mime_type or "audio/mpeg")
            if file_name:
                base["file_name"] = file_name
        elif kind in ("video", "animation"):
            base.update(
                duration=duration or 5, width=1280, height=720, mime_type=mime_type or "video/mp4"
            )
            if file_name:
                base["file_name"] = file_name
        elif kind == "video_note":
            base.update(length=240, duration=duration or 6)
        elif kind == "sticker":
            base.update(
                type="regular",
                width=512,
                height=512,
                is_animated=False,
                is_video=False,
                emoji=emoji or "👍",
                set_name="NeedfinderTestStickers",
            )
        return base

    def media_content(
        self,
        kind: str,
        *,
        caption: str | None = None,
        content: bytes | None = None,
        file_name: str | None = None,
        mime_type: str | None = None,
        duration: int | None = None,
        emoji: str | None = None,
    ) -> JSONDict:
        """Message fields for a customer's media message (file stored for getFile)."""
        with self._lock:
            data = content if content is not None else (kind.encode() + b"\x00" * 2048)
            stored = self._store_file(kind, data)
            result: JSONDict = {
                kind: self._media_json(
                    kind,
                    stored,
                    file_name=file_name,
                    mime_type=mime_type,
                    duration=duration,
                    emoji=emoji,
                )
            }
        if caption is not None:
            result["caption"] = caption
        return result

    # -- enqueueing updates -------------------------------------------------------------------
    def enqueue_update(self, kind: str, payload: JSONDict, *, chat_id: int | None = None) -> int:
        """Queue a raw update ``{"update_id": n, kind: payload}``; returns its update_id."""
        with self._cond:
            update_id = self._next_update_id
            self._next_update_id += 1
            raw = json.dumps({"update_id": update_id, kind: payload}, ensure_ascii=False)
            self._updates.append(_Update(update_id, kind, chat_id, raw))
            if kind not in (self._allowed_updates or _DEFAULT_ALLOWED):
                self._disallowed_pending += 1
            # a new update counts as activity for wait_until_idle
            self._last_activity = time.monotonic()
            self._updates_enqueued += 1
            self._cond.notify_all()
        self._signal_pollers()
        return update_id

    def _chat_or_fail(self, chat_id: int) -> _Chat:
        chat = self._chats.get(chat_id)
        if chat is None:
            raise KeyError(f"no chat {chat_id}; create it with tg.user() or tg.group()")
        return chat

    def post_message(
        self,
        chat_id: int,
        sender: JSONDict | None,
        content: JSONDict,
        *,
        reply_to: int | None = None,
    ) -> UpdateRef:
        """Queue a message (or channel post) from ``sender`` in a chat; used by FakeUser."""
        with self._lock:
            chat = self._chat_or_fail(chat_id)
            mid = chat.take_message_id()
            msg: JSONDict = {"message_id": mid}
            kind = "message"
            if chat.type == "channel":
                kind = "channel_post"
                msg["sender_chat"] = chat.info
            elif sender is not None:
                msg["from"] = sender
            msg["chat"] = chat.info
            msg["date"] = int(self._clock())
            msg.update(content)
            if reply_to is not None:
                target = chat.messages.get(reply_to)
                if target is None:
                    raise KeyError(f"no message {reply_to} in chat {chat_id} to reply to")
                msg["reply_to_message"] = {
                    k: v for k, v in target.items() if k != "reply_to_message"
                }
            chat.messages[mid] = msg
            who = f"{sender['first_name']}: " if sender and chat.type != "private" else ""
            chat.transcript.append(f"> {who}{_describe_incoming(msg)}  [#{mid}]")
            update_id = self.enqueue_update(kind, msg, chat_id=chat_id)
        return UpdateRef(update_id=update_id, chat_id=chat_id, message_id=mid)

    def post_edit(
        self, chat_id: int, sender: JSONDict, message_id: int, new_text: str
    ) -> UpdateRef:
        """Queue an edited_message update for an earlier customer message."""
        with self._lock:
            chat = self._chat_or_fail(chat_id)
            original = chat.messages.get(message_id)
            if original is None or original.get("from", {}).get("id") != sender["id"]:
                raise KeyError(
                    f"user {sender['id']} sent no message {message_id} in chat {chat_id}"
                )
            edited = {k: v for k, v in original.items() if k not in ("text", "entities")}
            edited.update(self.text_content(new_text))
            edited["edit_date"] = int(self._clock())
            chat.messages[message_id] = edited
            chat.transcript.append(f"> [edit #{message_id}] {new_text!r}")
            kind = "edited_channel_post" if chat.type == "channel" else "edited_message"
            update_id = self.enqueue_update(kind, edited, chat_id=chat_id)
        return UpdateRef(update_id=update_id, chat_id=chat_id, message_id=message_id)

    def post_click(
        self, chat_id: int, sender: JSONDict, label_or_data: str, message_id: int | None
    ) -> ClickRef:
        """Press an inline button (callback_query) or a reply-keyboard button (text message)."""
        with self._lock:
            chat = self._chat_or_fail(chat_id)
            candidates = [
                m
                for m in reversed(chat.bot_messages)
                if not m.deleted and (message_id is None or m.message_id == message_id)
            ]
            for msg in candidates:
                markup = msg.payload.get("reply_markup") or {}
                for row in markup.get("inline_keyboard", []):
                    for btn in row:
                        if label_or_data not in (btn.get("text"), btn.get("callback_data")):
                            continue
                        data = btn.get("callback_data")
                        if data is None:
                            raise AssertionError(
                                f"button {btn.get('text')!r} in message #{msg.message_id} has no "
                                f"callback_data (it is a {sorted(set(btn) - {'text'})} button)"
                            )
                        self._id_counter += 1
                        query_id = str(4_000_000_000_000_000 + self._id_counter * 7919)
                        query: JSONDict = {
                            "id": query_id,
                            "from": sender,
                            "message": msg.payload,
                            "chat_instance": str(-(abs(chat_id) * 31 + 17)),
                            "data": data,
                        }
                        self._callbacks[query_id] = _Callback(
                            chat_id, int(sender["id"]), msg.message_id
                        )
                        chat.transcript.append(
                            f"> [click {btn.get('text')!r} -> {data!r} on #{msg.message_id}]"
                        )
                        update_id = self.enqueue_update("callback_query", query, chat_id=chat_id)
                        return ClickRef(update_id, chat_id, msg.message_id, str(data), query_id)
            # Reply keyboards: pressing a button just sends its text.
            for msg in candidates:
                keyboard = msg.params.get("reply_markup") or {}
                for row in keyboard.get("keyboard", []) if isinstance(keyboard, dict) else []:
                    for btn in row:
                        label = btn if isinstance(btn, str) else btn.get("text")
                        if label == label_or_data:
                            ref = self.post_message(chat_id, sender, self.text_content(label))
                            assert ref.message_id is not None
                            return ClickRef(ref.update_id, chat_id, ref.message_id, None, None)
            available = [
                f"#{m.message_id}: {m.button_labels}" for m in chat.bot_messages if m.button_labels
            ]
        raise AssertionError(
            f"no button {label_or_data!r} in chat {chat_id}"
            + (f" message #{message_id}" if message_id is not None else "")
            + f"; buttons seen: {available or 'none'}\n{self.dump(chat_id)}"
        )

    def post_my_chat_member(
        self, chat_id: int, sender: JSONDict, old_status: str, new_status: str
    ) -> UpdateRef:
        """Queue a my_chat_member update (bot added, removed, blocked, unblocked)."""
        with self._lock:
            chat = self._chat_or_fail(chat_id)
            now = int(self._clock())
            payload: JSONDict = {
                "chat": chat.info,
                "from": sender,
                "date": now,
                "old_chat_member": {"user": self.bot_user, "status": old_status},
                "new_chat_member": {"user": self.bot_user, "status": new_status},
            }
            if new_status == "kicked":
                payload["new_chat_member"]["until_date"] = 0
                chat.blocked = (
                    "Forbidden: bot was blocked by the user"
                    if chat.type == "private"
                    else "Forbidden: bot was kicked from the group chat"
                    if chat.type == "group"
                    else "Forbidden: bot was kicked from the supergroup chat"
                    if chat.type == "supergroup"
                    else "Forbidden: bot is not a member of the channel chat"
                )
            elif new_status == "member":
                chat.blocked = None
            chat.transcript.append(f"> [my_chat_member {old_status} -> {new_status}]")
            update_id = self.enqueue_update("my_chat_member", payload, chat_id=chat_id)
        return UpdateRef(update_id=update_id, chat_id=chat_id)

    def set_blocked_by_user(self, user_id: int, *, blocked: bool) -> UpdateRef:
        """The user blocks (or unblocks) the bot in their private chat."""
        with self._lock:
            user = self._chat_or_fail(user_id).user
            assert user is not None, "only users block bots"
            old, new = ("member", "kicked") if blocked else ("kicked", "member")
            return self.post_my_chat_member(user_id, user, old, new)

    # ==========================================================================================
    # fault injection
    # ==========================================================================================
    def fail_next(
        self,
        method: str,
        status: int = 429,
        *,
        retry_after: int | None = None,
        times: int = 1,
        description: str | None = None,
        chat_id: int | None = None,
    ) -> None:
        """Answer the next ``times`` calls of ``method`` ("*": any but getUpdates) with an error.

        429 carries ``parameters.retry_after`` (default 1); 502/503/504 answer with an nginx
        HTML page like a real gateway; other statuses with Telegram's JSON error. With
        ``chat_id`` only calls for that chat fail. Failed calls have no effect.
        """
        if status == 429 and retry_after is None:
            retry_after = 1
        fault = _Fault(
            method=self._canonical_or_star(method),
            times=times,
            chat_id=chat_id,
            status=status,
            retry_after=retry_after,
            description=description,
        )
        with self._lock:
            self._faults.append(fault)

    def delay_next(
        self,
        method: str,
        seconds: float,
        *,
        times: int = 1,
        drop: bool = False,
        chat_id: int | None = None,
    ) -> None:
        """Hold the next ``times`` calls of ``method`` for ``seconds`` before answering.

        The call still takes effect after the delay (as when Telegram got a request whose
        response the client gave up on: a retry then duplicates it). With ``drop=True`` it is
        discarded and answered 504 instead (the request never reached Telegram).
        """
        fault = _Fault(
            method=self._canonical_or_star(method),
            times=times,
            chat_id=chat_id,
            delay=seconds,
            drop=drop,
        )
        with self._lock:
            self._delays.append(fault)

    def clear_faults(self) -> None:
        """Remove all pending fail_next/delay_next faults."""
        with self._lock:
            self._faults.clear()
            self._delays.clear()

    def block(self, chat_id: int, description: str | None = None) -> None:
        """Sends and edits to this chat get 403 (default: "bot was blocked by the user")."""
        with self._cond:
            chat = self._chat_or_fail(chat_id)
            chat.blocked = description or (
                "Forbidden: bot was blocked by the user"
                if chat.type == "private"
                else "Forbidden: bot was kicked from the group chat"
            )
            self._cond.notify_all()

    def unblock(self, chat_id: int) -> None:
        """Undo ``block``."""
        with self._cond:
            self._chat_or_fail(chat_id).blocked = None
            self._cond.notify_all()

    def is_blocked(self, chat_id: int) -> bool:
        """Whether sends to ``chat_id`` get 403."""
        with self._lock:
            return self._chat_or_fail(chat_id).blocked is not None

    def redeliver_next_batch(self) -> None:
        """Make the next getUpdates answer repeat the previous (already confirmed) batch."""
        with self._lock:
            self._redeliver_batch_once = True

    def duplicate_updates(self, enabled: bool = True) -> None:
        """While on, every update is delivered once more after its offset was confirmed."""
        with self._lock:
            self._duplicate_mode = enabled

    def route_webhook(self, *backends: str) -> None:
        """Play the reverse proxy: deliver webhook updates to these ``http://host:port``
        addresses in turn (the registered URL's path and query kept), not to the public URL.
        """
        with self._lock:
            self._webhook_backends = [b.rstrip("/") for b in backends]
            self._backend_turn = 0

    def webhook_deliveries(self, update_id: int | None = None) -> list[WebhookDelivery]:
        """Every webhook delivery attempt so far (of one update, if given), oldest first."""
        with self._lock:
            return [d for d in self._webhook_log if update_id is None or d.update_id == update_id]

    def set_rate_limits(self, limits: bool | RateLimits = True) -> None:
        """Turn Telegram-like flood limits on (``True`` or custom ``RateLimits``) or off."""
        with self._lock:
            self._rate_limits_config = limits
            if limits:
                self._flood = FloodControl(
                    limits if isinstance(limits, RateLimits) else RateLimits()
                )
            else:
                self._flood = None

    def on(self, method: str, handler: Callable[[JSONDict], Any]) -> None:
        """Serve ``method`` with ``handler(params) -> result`` (raise ApiError for errors)."""
        with self._lock:
            existing = self._methods.get(method.lower())
            self._methods[method.lower()] = (existing[0] if existing else method, handler)

    def _canonical_or_star(self, method: str) -> str:
        if method == "*":
            return method
        entry = self._methods.get(method.lower())
        if entry is None:
            raise ValueError(f"unknown Bot API method {method!r}")
        return entry[0]

    # ==========================================================================================
    # observation
    # ==========================================================================================
    def requests(self, method: str | None = None) -> list[RecordedRequest]:
        """Every recorded HTTP request (optionally of one method), oldest first."""
        with self._lock:
            if method is None:
                return list(self._requests)
            return [r for r in self._requests if r.method.lower() == method.lower()]

    def sent(self, chat_id: int | None = None, *, method: str | None = None) -> list[SentRecord]:
        """Successful bot actions (sends, edits, deletes, chat actions, callback answers)."""
        with self._lock:
            records: Iterable[SentRecord] = (
                self._sent if chat_id is None else self._chat_or_fail(chat_id).events
            )
            return [r for r in records if method is None or r.method.lower() == method.lower()]

    def messages(self, chat_id: int | None = None) -> list[BotMessage]:
        """Messages the bot created (in one chat or all), in order."""
        with self._lock:
            if chat_id is not None:
                return list(self._chat_or_fail(chat_id).bot_messages)
            return [
                r.message for r in self._sent if r.message is not None and r.message.seq == r.seq
            ]

    def take_new_messages(self, chat_id: int) -> list[BotMessage]:
        """Consume and return the bot messages of a chat not consumed by a wait yet."""
        with self._lock:
            chat = self._chat_or_fail(chat_id)
            new = chat.bot_messages[chat.read_cursor :]
            chat.read_cursor = len(chat.bot_messages)
            return new

    def uploaded_files(self, chat_id: int | None = None) -> list[UploadedFile]:
        """Files the bot uploaded (sendDocument & co.), in order."""
        return [m.document for m in self.messages(chat_id) if m.document is not None]

    def duplicate_sends(self) -> list[list[SentRecord]]:
        """Groups (size ≥ 2) of successful sends with identical chat, method, text and markup."""
        groups: dict[str, list[SentRecord]] = {}
        with self._lock:
            for rec in self._sent:
                if rec.message is None or rec.message.seq != rec.seq:
                    continue
                key = json.dumps(
                    [
                        rec.chat_id,
                        rec.method,
                        rec.params.get("text", rec.params.get("caption")),
                        rec.params.get("reply_markup"),
                    ],
                    sort_keys=True,
                    default=repr,
                )
                groups.setdefault(key, []).append(rec)
        return [g for g in groups.values() if len(g) > 1]

    def commands(
        self, scope: str | JSONDict | None = None, language_code: str = ""
    ) -> list[JSONDict]:
        """The command list set for exactly this scope ("default", "all_private_chats", a
        BotCommandScope dict, ...) and language, as setMyCommands stored it."""
        if scope is None:
            scope = {"type": "default"}
        elif isinstance(scope, str):
            scope = {"type": scope}
        with self._lock:
            return list(self._commands.get((_scope_key(scope), language_code), []))

    def command_menu(self, chat_id: int, language_code: str = "") -> list[JSONDict]:
        """The commands a user with ``language_code`` sees in private chat ``chat_id``
        (Telegram's lookup order: chat, all private chats, default; language, then none)."""
        scopes: list[JSONDict] = [
            {"type": "chat", "chat_id": chat_id},
            {"type": "all_private_chats"},
            {"type": "default"},
        ]
        with self._lock:
            for scope in scopes:
                for lang in ([language_code] if language_code else []) + [""]:
                    key = (_scope_key(scope), lang)
                    if key in self._commands:
                        return list(self._commands[key])
        return []

    @property
    def allowed_updates(self) -> list[str] | None:
        """The allowed_updates list of the last getUpdates call that sent one."""
        with self._lock:
            return None if self._last_allowed_updates is None else list(self._last_allowed_updates)

    @property
    def webhook(self) -> JSONDict:
        """The webhook settings as set by setWebhook (url "" when none)."""
        with self._lock:
            return dict(self._webhook)

    def pending_updates(self) -> list[JSONDict]:
        """Updates not yet confirmed by a getUpdates offset."""
        with self._lock:
            return [json.loads(u.raw) for u in self._updates]

    def callback_answer(self, query_id: str) -> JSONDict | None:
        """The answerCallbackQuery parameters for a click, or None while unanswered."""
        with self._lock:
            cb = self._callbacks.get(query_id)
            return None if cb is None or cb.answer is None else dict(cb.answer)

    def transcript(self, chat_id: int) -> str:
        """Customer and bot lines of one chat in order ('>' in, '<' out)."""
        with self._lock:
            return "\n".join(self._chat_or_fail(chat_id).transcript)

    def stats(self) -> Stats:
        """Counters: requests, statuses, sends, 429s and achieved/peak send rates."""
        with self._lock:
            sends = list(self._send_times)
            private_peaks = [
                _peak(c.send_times, 1.0) for c in self._chats.values() if c.type == "private"
            ]
            group_peaks = [
                _peak(c.send_times, 60.0) for c in self._chats.values() if c.type != "private"
            ]
            span = sends[-1] - sends[0] if len(sends) > 1 else 0.0
            return Stats(
                uptime=time.monotonic() - self._started_at,
                requests=self._request_seq,
                by_method=dict(self._method_counts),
                by_status=dict(self._status_counts),
                messages_sent=len(sends),
                rate_limited=self._rate_limited,
                injected_faults=self._injected,
                send_rate=(len(sends) - 1) / span if span > 0 else float(len(sends)),
                peak_sends_per_second=_peak(sends, 1.0),
                peak_sends_per_chat_second=max(private_peaks, default=0),
                peak_sends_per_group_minute=max(group_peaks, default=0),
                updates_enqueued=self._updates_enqueued,
                updates_delivered=len(self._delivered_ids),
                updates_pending=len(self._updates) + len(self._redeliver),
                get_updates_calls=self._get_updates_calls,
            )

    def dump(self, chat_id: int | None = None, *, last_requests: int = 25) -> str:
        """A readable picture of the fake's state (used in timeout errors)."""
        with self._lock:
            lines: list[str] = []
            chats = [self._chats[chat_id]] if chat_id in self._chats else list(self._chats.values())
            for chat in chats[-8:]:
                name = chat.info.get("title") or chat.info.get("first_name")
                blocked = f" BLOCKED ({chat.blocked})" if chat.blocked else ""
                lines.append(f"chat {chat.id} ({chat.type}, {name}){blocked}:")
                lines.extend(f"  {line}" for line in chat.transcript[-30:])
                lines.append(
                    f"  consumed by waits: {chat.read_cursor} of {len(chat.bot_messages)} bot "
                    f"messages"
                )
            pending = [u.update_id for u in self._updates]
            lines.append(
                f"updates pending (not confirmed by an offset): {len(pending)}"
                + (f" (ids {pending[0]}..{pending[-1]})" if pending else "")
            )
            if self._last_poll is None:
                lines.append("getUpdates: never called — is the bot polling this server?")
            else:
                ago = time.monotonic() - float(self._last_poll["at"])
                lines.append(
                    f"last getUpdates {ago:.2f}s ago: offset={self._last_poll['offset']} "
                    f"timeout={self._last_poll['timeout']}"
                )
            recent = [r for r in self._requests if r.method != "getUpdates" or r.status != 200]
            lines.append(
                f"last {min(last_requests, len(recent))} requests (getUpdates 200 omitted):"
            )
            lines.extend(f"  {r.summary()}" for r in recent[-last_requests:])
            return "\n".join(lines)

    # -- waiting ------------------------------------------------------------------------------
    def wait_for(
        self,
        predicate: Callable[[], T | None],
        timeout: float = 10.0,
        *,
        description: str | None = None,
        chat_id: int | None = None,
    ) -> T:
        """Block until ``predicate()`` is truthy (re-checked on every state change); return it.

        The predicate runs under the fake's lock and may call the fake's methods. On timeout
        an AssertionError with a dump of the fake's state is raised.
        """
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                value = predicate()
                if value:
                    return value
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    what = description or getattr(predicate, "__name__", repr(predicate))
                    raise AssertionError(
                        f"timed out after {timeout}s waiting for {what}\n{self.dump(chat_id)}"
                    )
                self._cond.wait(remaining)

    async def async_wait_for(
        self,
        predicate: Callable[[], T | None],
        timeout: float = 10.0,  # noqa: ASYNC109 - mirrors the blocking wait_for
        *,
        description: str | None = None,
        chat_id: int | None = None,
    ) -> T:
        """``wait_for`` from async code without blocking the event loop (bot in-process)."""
        return await asyncio.to_thread(
            self.wait_for, predicate, timeout, description=description, chat_id=chat_id
        )

    def wait_for_chat_message(
        self,
        chat_id: int,
        *,
        containing: str | None = None,
        matching: str | re.Pattern[str] | None = None,
        where: Callable[[BotMessage], bool] | None = None,
        timeout: float = 10.0,
    ) -> BotMessage:
        """Next unconsumed bot message in a chat that matches; see FakeUser.wait_for_message."""
        pattern = re.compile(matching) if isinstance(matching, str) else matching

        def accept(m: BotMessage) -> bool:
            if containing is not None and containing not in m.text:
                return False
            if pattern is not None and not pattern.search(m.text):
                return False
            return where is None or where(m)

        def find() -> BotMessage | None:
            chat = self._chat_or_fail(chat_id)
            for idx in range(chat.read_cursor, len(chat.bot_messages)):
                if accept(chat.bot_messages[idx]):
                    chat.read_cursor = idx + 1
                    return chat.bot_messages[idx]
            return None

        filters = [f"containing {containing!r}" if containing is not None else ""]
        filters.append(f"matching {pattern.pattern!r}" if pattern is not None else "")
        filters.append("satisfying `where`" if where is not None else "")
        what = " ".join(f for f in filters if f) or "any new message"
        return self.wait_for(
            find, timeout, description=f"a bot message {what} in chat {chat_id}", chat_id=chat_id
        )

    def wait_for_chat_messages(
        self, chat_id: int, n: int, *, timeout: float = 10.0
    ) -> list[BotMessage]:
        """Wait for ``n`` unconsumed bot messages in a chat; consume and return them."""

        def take() -> list[BotMessage] | None:
            chat = self._chat_or_fail(chat_id)
            if len(chat.bot_messages) - chat.read_cursor < n:
                return None
            batch = chat.bot_messages[chat.read_cursor : chat.read_cursor + n]
            chat.read_cursor += n
            return batch

        return self.wait_for(
            take, timeout, description=f"{n} new bot message(s) in chat {chat_id}", chat_id=chat_id
        )

    def wait_for_chat_edit(
        self,
        chat_id: int,
        *,
        containing: str | None = None,
        message_id: int | None = None,
        timeout: float = 10.0,
    ) -> SentRecord:
        """Next unconsumed edit of a bot message in a chat that matches."""

        def find() -> SentRecord | None:
            chat = self._chat_or_fail(chat_id)
            for idx in range(chat.edit_cursor, len(chat.edits)):
                rec = chat.edits[idx]
                if message_id is not None and (
                    rec.message is None or rec.message.message_id != message_id
                ):
                    continue
                text = (
                    str(rec.result.get("text", rec.result.get("caption", "")))
                    if isinstance(rec.result, dict)
                    else ""
                )
                if containing is not None and containing not in text:
                    continue
                chat.edit_cursor = idx + 1
                return rec
            return None

        return self.wait_for(
            find,
            timeout,
            description=f"an edit in chat {chat_id}"
            + (f" of #{message_id}" if message_id else "")
            + (f" containing {containing!r}" if containing else ""),
            chat_id=chat_id,
        )

    def wait_for_callback_answer(self, click: ClickRef, *, timeout: float = 10.0) -> JSONDict:
        """Wait until the bot answered the callback query of ``click``; return the answer."""
        if click.query_id is None:
            raise ValueError("that click pressed a reply-keyboard button; there is no query")
        query_id = click.query_id
        return self.wait_for(
            lambda: self.callback_answer(query_id),
            timeout,
            description=f"answerCallbackQuery for query {query_id}",
            chat_id=click.chat_id,
        )

    def wait_for_updates_consumed(self, timeout: float = 10.0) -> None:
        """Wait until the bot confirmed (offset moved past) every enqueued update."""
        self.wait_for(
            lambda: not self._updates and not self._redeliver,
            timeout,
            description="all updates to be confirmed by a getUpdates offset",
        )

    def wait_until_idle(self, quiet: float = 0.25, timeout: float = 10.0) -> None:
        """Wait until all updates are confirmed and no non-getUpdates request has been in
        flight for ``quiet`` seconds (for "nothing more happens" assertions)."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                now = time.monotonic()
                busy = bool(self._updates or self._redeliver or self._inflight)
                idle_for = now - self._last_activity
                if not busy and idle_for >= quiet:
                    return
                remaining = deadline - now
                if remaining <= 0:
                    raise AssertionError(
                        f"fake Telegram not idle after {timeout}s (inflight={self._inflight}, "
                        f"pending updates={len(self._updates)})\n{self.dump()}"
                    )
                self._cond.wait(min(remaining, quiet if busy else quiet - idle_for))

    # ==========================================================================================
    # HTTP
    # ==========================================================================================
    async def _asgi(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        path: str = scope["path"]
        status, body, ctype = (
            404,
            _dumps({"ok": False, "error_code": 404, "description": "Not Found"}),
            b"application/json",
        )
        if path.startswith("/bot"):
            token, sep, method = path[4:].partition("/")
            if sep and method and "/" not in method:
                params = await self._read_params(scope, receive)
                status, body, ctype = await self.handle(token, method, params)
        elif path.startswith("/file/bot"):
            token, _, file_path = path[9:].partition("/")
            status, body, ctype = self._serve_file(token, file_path)
        elif path.startswith("/_fake/"):
            status, body = await self._control(path[7:], scope, receive)
        elif path == "/":
            status, body = 200, _dumps({"ok": True, "fake": "telegram", "base_url": self.base_url})
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [(b"content-type", ctype), (b"content-length", str(len(body)).encode())],
            }
        )
        await send({"type": "http.response.body", "body": body})

    @staticmethod
    async def _read_body(receive: Receive) -> bytes:
        chunks: list[bytes] = []
        while True:
            message = await receive()
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                return b"".join(chunks)

    async def _read_params(self, scope: Scope, receive: Receive) -> JSONDict | ApiError:
        """Parameters from query string and body: form, multipart or JSON, like Telegram."""
        raw: dict[str, Any] = {}
        query = scope.get("query_string", b"")
        if query:
            raw.update(parse_qsl(query.decode("utf-8", "replace"), keep_blank_values=True))
        ctype = ""
        for key, value in scope["headers"]:
            if key == b"content-type":
                ctype = value.decode("latin-1").lower()
                break
        try:
            if ctype.startswith("multipart/form-data"):
                raw.update(await self._read_multipart(scope, receive))
            else:
                body = await self._read_body(receive)
                if body:
                    if ctype.startswith("application/json"):
                        data = json.loads(body)
                        if not isinstance(data, dict):
                            return ApiError(400, "Bad Request: JSON object expected")
                        raw.update(data)
                    else:
                        raw.update(
                            parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
                        )
        except Exception as exc:  # malformed JSON, form or multipart body
            return ApiError(400, f"Bad Request: can't parse request body: {exc}")
        return _decode_params(raw)

    async def _read_multipart(self, scope: Scope, receive: Receive) -> JSONDict:
        from starlette.datastructures import UploadFile
        from starlette.requests import Request

        request = Request(scope, receive)
        form = await request.form(max_files=1000, max_fields=1000, max_part_size=50 * 1024 * 1024)
        result: JSONDict = {}
        for key, value in form.multi_items():
            if isinstance(value, UploadFile):
                content = await value.read()
                result[key] = UploadedFile(
                    field=key,
                    filename=value.filename or key,
                    content=content,
                    content_type=value.content_type or "application/octet-stream",
                )
            else:
                result[key] = value
        await form.close()
        return result

    def _serve_file(self, token: str, file_path: str) -> tuple[int, bytes, bytes]:
        if self.token_required and token != self.token:
            return (
                401,
                _dumps({"ok": False, "error_code": 401, "description": "Unauthorized"}),
                b"application/json",
            )
        with self._lock:
            for stored in self._files.values():
                if stored.file_path == file_path:
                    return 200, stored.content, b"application/octet-stream"
        return (
            404,
            _dumps({"ok": False, "error_code": 404, "description": "Not Found"}),
            b"application/json",
        )

    async def handle(
        self, token: str, method_name: str, params: JSONDict | ApiError
    ) -> tuple[int, bytes, bytes]:
        """Answer one Bot API call: (HTTP status, body, content type). Records the request."""
        started = time.monotonic()
        body_error = params if isinstance(params, ApiError) else None
        params = {} if isinstance(params, ApiError) else params
        entry = self._methods.get(method_name.lower())
        method = entry[0] if entry else method_name
        status, body, ctype = 200, b"", b"application/json"
        description: str | None = None
        fault_kind: str | None = None
        counted = method != "getUpdates"
        if counted:
            with self._lock:
                self._inflight += 1
        try:
            if self.token_required and token != self.token:
                # Telegram: 401 for a well-formed wrong token, 404 for a malformed one.
                code = 401 if _TOKEN_RE.match(token) else 404
                raise ApiError(code, "Unauthorized" if code == 401 else "Not Found")
            if entry is None:
                raise ApiError(404, "Not Found")
            if body_error is not None:
                raise body_error
            if self.latency > 0:
                await self._sleep(self.latency)
            chat_id = _peek_chat_id(params)
            delay = self._take_fault(self._delays, method, chat_id)
            if delay is not None:
                fault_kind = "delayed"
                await self._sleep(delay.delay)
                if delay.drop:
                    status, body, ctype = 504, _gateway_html(504), b"text/html"
                    description = "dropped after delay"
                    return status, body, ctype
            fault = self._take_fault(self._faults, method, chat_id)
            if fault is not None:
                fault_kind = "injected"
                with self._lock:
                    self._injected += 1
                if fault.status in _GATEWAY_PHRASES:
                    status, body, ctype = fault.status, _gateway_html(fault.status), b"text/html"
                    description = f"{fault.status} {_GATEWAY_PHRASES[fault.status]} (HTML)"
                    return status, body, ctype
                if fault.status == 429:
                    ra = fault.retry_after or 1
                    raise ApiError(
                        429,
                        fault.description or f"Too Many Requests: retry after {ra}",
                        {"retry_after": ra},
                    )
                raise ApiError(
                    fault.status,
                    fault.description or _DEFAULT_DESCRIPTIONS.get(fault.status, "Error"),
                )
            if method == "getUpdates":
                result: Any = await self._get_updates(params)
            else:
                handler = entry[1]
                with self._lock:
                    result = handler(params)
                    body = _ok_body(result)
            if not body:
                body = _ok_body(result)
        except ApiError as exc:
            status, body, ctype = exc.status, exc.body(), b"application/json"
            description = exc.description
            if exc.status == 429 and fault_kind is None:
                fault_kind = "rate_limited"
        except Exception as exc:  # a bug in the fake: answer 500 and keep the server alive
            _LOGGER.exception("fake Telegram failed on %s %s", method, params)
            status, body = (
                500,
                _dumps(
                    {
                        "ok": False,
                        "error_code": 500,
                        "description": f"Internal Server Error: {exc!r}",
                    }
                ),
            )
            description = f"fake crashed: {exc!r}"
        finally:
            self._record(method, params, status, started, description, fault_kind, counted)
        return status, body, ctype

    def _record(
        self,
        method: str,
        params: JSONDict,
        status: int,
        started: float,
        description: str | None,
        fault_kind: str | None,
        counted: bool,
    ) -> None:
        now = time.monotonic()
        with self._cond:
            self._request_seq += 1
            self._requests.append(
                RecordedRequest(
                    seq=self._request_seq,
                    time=now,
                    duration=now - started,
                    method=method,
                    params=params,
                    status=status,
                    description=description,
                    fault=fault_kind,
                )
            )
            self._status_counts[status] += 1
            self._method_counts[method] += 1
            if fault_kind == "rate_limited":
                self._rate_limited += 1
            if counted:
                self._inflight -= 1
                self._last_activity = now
            self._cond.notify_all()

    def _take_fault(self, faults: list[_Fault], method: str, chat_id: int | None) -> _Fault | None:
        if not faults:
            return None
        with self._lock:
            for fault in faults:
                if fault.matches(method, chat_id):
                    fault.times -= 1
                    if fault.times <= 0:
                        faults.remove(fault)
                    return fault
        return None

    async def _sleep(self, seconds: float) -> None:
        # Interrupted by stop() so that a delayed request never holds up shutdown.
        if self._closing is None:
            await asyncio.sleep(seconds)
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._closing.wait(), seconds)

    # -- webhook delivery -----------------------------------------------------------------------
    def _start_delivering(self) -> None:
        """Start the delivery task (in the server loop) if a webhook is set and none runs."""
        if self._deliverer is None or self._deliverer.done():
            self._webhook_wake = asyncio.Event()
            self._deliverer = asyncio.get_running_loop().create_task(self._deliver_webhooks())

    def _webhook_target(self) -> str:
        url = str(self._webhook.get("url") or "")
        if not self._webhook_backends:
            return url
        backend = self._webhook_backends[self._backend_turn % len(self._webhook_backends)]
        self._backend_turn += 1
        rest = url.split("://", 1)[-1]
        path = "/" + rest.split("/", 1)[1] if "/" in rest else "/"
        return backend + path

    def _next_deliveries(self, busy: set[int], room: int, now: float) -> list[_Update]:
        """Updates to deliver now: the oldest undelivered of each chat, as Telegram does."""
        allowed = self._allowed_updates or _DEFAULT_ALLOWED
        if self._disallowed_pending > 0:
            kept = deque(u for u in self._updates if u.kind in allowed)
            self._dropped_by_filter += len(self._updates) - len(kept)
            self._updates = kept
            self._disallowed_pending = 0
        picks: list[_Update] = []
        chats: set[object] = set()
        for upd in self._updates:
            if len(picks) >= room:
                break
            key: object = upd.chat_id if upd.chat_id is not None else ("update", upd.update_id)
            if key in chats:
                continue  # a chat's later update waits until the earlier one got its 2xx
            chats.add(key)
            if upd.update_id in busy or self._webhook_retry_at.get(upd.update_id, 0.0) > now:
                continue
            picks.append(upd)
        return picks

    async def _deliver_webhooks(self) -> None:
        loop = asyncio.get_running_loop()
        wake = self._webhook_wake
        assert wake is not None
        in_flight: dict[int, asyncio.Task[None]] = {}
        client = _HookClient(self.webhook_timeout)
        try:
            while not (self._closing is not None and self._closing.is_set()):
                wake.clear()
                with self._lock:
                    if not self._webhook.get("url"):
                        return
                    room = int(self._webhook.get("max_connections") or 40) - len(in_flight)
                    picks = self._next_deliveries(set(in_flight), room, loop.time())
                    retries = [t for t in self._webhook_retry_at.values() if t > loop.time()]
                for upd in picks:
                    task = loop.create_task(self._deliver_one(client, upd))
                    in_flight[upd.update_id] = task

                    def finished(_task: asyncio.Task[None], uid: int = upd.update_id) -> None:
                        in_flight.pop(uid, None)
                        wake.set()

                    task.add_done_callback(finished)
                wait = min(retries, default=loop.time() + 1.0) - loop.time()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(wake.wait(), max(0.001, min(wait, 1.0)))
        finally:
            for task in list(in_flight.values()):
                task.cancel()
            await asyncio.gather(*in_flight.values(), return_exceptions=True)
            client.close()

    async def _deliver_one(self, client: _HookClient, upd: _Update) -> None:
        with self._lock:
            target = self._webhook_target()
            secret = self._webhook.get("secret_token")
        headers = {"Content-Type": "application/json"}
        if secret:
            headers[WEBHOOK_SECRET_HEADER] = str(secret)
        status, error = 0, None
        try:
            status = await client.post(target, upd.raw.encode(), headers)
        except (OSError, TimeoutError, EOFError, ValueError) as exc:
            error = f"{type(exc).__name__}: {exc}"[:200]
        now = asyncio.get_running_loop().time()
        with self._cond:
            self._webhook_log.append(WebhookDelivery(upd.update_id, target, status, error, now))
            if 200 <= status < 300:
                self._webhook_retry_at.pop(upd.update_id, None)
                self._webhook_failures.pop(upd.update_id, None)
                if self._duplicate_mode and upd.update_id not in self._duplicated:
                    # Delivered again before the chat's next update, as when Telegram's
                    # connection broke after the bot had answered.
                    self._duplicated.add(upd.update_id)
                else:
                    with contextlib.suppress(ValueError):
                        self._updates.remove(upd)
                    self._delivered_ids.add(upd.update_id)
            else:
                failures = self._webhook_failures.get(upd.update_id, 0) + 1
                self._webhook_failures[upd.update_id] = failures
                pause = min(2.0, self.webhook_retry_seconds * 2 ** (failures - 1))
                self._webhook_retry_at[upd.update_id] = now + pause
                self._webhook_last_error = (
                    int(self._clock()),
                    error or f"Wrong response from the webhook: {status}",
                )
            self._last_activity = time.monotonic()
            self._cond.notify_all()

    # -- long polling ---------------------------------------------------------------------------
    def _signal_pollers(self) -> None:
        loop = self._loop
        if loop is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(self._wake_pollers, "wake")

    def _wake_pollers(self, reason: str) -> None:
        if self._webhook_wake is not None:
            self._webhook_wake.set()
        for fut in list(self._pollers):
            if not fut.done():
                fut.set_result(reason)

    def _set_polls_pending(self, delta: int) -> None:
        with self._cond:
            self._polls_pending += delta
            self._cond.notify_all()

    @property
    def pending_polls(self) -> int:
        """Long-poll getUpdates calls currently waiting for updates (0 or 1 for a sane bot)."""
        with self._lock:
            return self._polls_pending

    def _confirm(self, offset: int | None) -> None:
        if offset is None:
            return
        queue = self._updates
        dropped: list[_Update] = []
        if offset < 0:
            while len(queue) > -offset:
                dropped.append(queue.popleft())
        else:
            while queue and queue[0].update_id < offset:
                dropped.append(queue.popleft())
        if not dropped:
            return
        allowed = self._allowed_updates or _DEFAULT_ALLOWED
        self._disallowed_pending -= sum(1 for u in dropped if u.kind not in allowed)
        if self._duplicate_mode:
            for upd in dropped:
                if upd.update_id not in self._duplicated:
                    self._duplicated.add(upd.update_id)
                    self._redeliver.append(upd)
        # The bot now handles what it confirmed: replies follow; wait_until_idle waits for them.
        self._last_activity = time.monotonic()
        self._cond.notify_all()

    def _take_updates(self, limit: int) -> list[_Update]:
        if self._disallowed_pending > 0:
            # Telegram does not create updates of kinds the bot did not ask for.
            allowed = self._allowed_updates or _DEFAULT_ALLOWED
            kept = deque(u for u in self._updates if u.kind in allowed)
            self._dropped_by_filter += len(self._updates) - len(kept)
            self._updates = kept
            self._disallowed_pending = 0
            self._cond.notify_all()
        extra: list[_Update] = []
        if self._redeliver_batch_once and self._last_batch:
            extra.extend(self._last_batch)
            self._redeliver_batch_once = False
        if self._redeliver:
            extra.extend(self._redeliver)
            self._redeliver = []
            self._cond.notify_all()
        batch = extra + list(itertools.islice(self._updates, max(0, limit - len(extra))))
        seen: set[int] = set()
        unique = []
        for upd in sorted(batch, key=lambda u: u.update_id):
            if upd.update_id not in seen:
                seen.add(upd.update_id)
                unique.append(upd)
        if unique:
            self._last_batch = unique
            self._delivered_ids.update(seen)
        return unique

    async def _get_updates(self, params: JSONDict) -> _RawJSON:
        offset = _opt_int(params.get("offset"), "offset")
        limit = min(100, max(1, _opt_int(params.get("limit"), "limit") or 100))
        timeout = max(0.0, _opt_float(params.get("timeout")) or 0.0)
        allowed = params.get("allowed_updates")
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        with self._cond:
            if self._webhook.get("url"):
                raise ApiError(
                    409,
                    "Conflict: can't use getUpdates method while webhook is active; use "
                    "deleteWebhook to delete the webhook first",
                )
            self._get_updates_calls += 1
            self._last_poll = {"at": time.monotonic(), "offset": offset, "timeout": timeout}
            if isinstance(allowed, list):
                self._last_allowed_updates = [str(a) for a in allowed]
                self._allowed_updates = frozenset(self._last_allowed_updates) or None
                allowed_now = self._allowed_updates or _DEFAULT_ALLOWED
                self._disallowed_pending = sum(
                    1 for u in self._updates if u.kind not in allowed_now
                )
            self._confirm(offset)
            batch = self._take_updates(limit)
        # A newer getUpdates terminates an older pending one, as on Telegram.
        self._wake_pollers("conflict")
        while not batch:
            remaining = deadline - loop.time()
            if remaining <= 0 or (self._closing is not None and self._closing.is_set()):
                break
            fut: asyncio.Future[str] = loop.create_future()
            self._pollers.add(fut)
            self._set_polls_pending(+1)
            try:
                reason = await asyncio.wait_for(fut, remaining)
            except TimeoutError:
                reason = "timeout"
            finally:
                self._pollers.discard(fut)
                self._set_polls_pending(-1)
            if reason == "conflict":
                raise ApiError(409, _DEFAULT_DESCRIPTIONS[409])
            with self._lock:
                batch = self._take_updates(limit)
            if reason != "wake":
                break
        return _RawJSON("[" + ",".join(u.raw for u in batch) + "]")

    # ==========================================================================================
    # Bot API methods (called with the lock held)
    # ==========================================================================================
    def _register_methods(self) -> None:
        table: dict[str, Callable[[JSONDict], Any]] = {
            "getMe": lambda p: self._bot_me,
            "getUpdates": lambda p: None,  # served by _get_updates (async long poll)
            "logOut": lambda p: True,
            "close": lambda p: True,
            "setWebhook": self._api_set_webhook,
            "deleteWebhook": self._api_delete_webhook,
            "getWebhookInfo": self._api_get_webhook_info,
            "sendMessage": self._api_send_message,
            "forwardMessage": self._api_forward_message,
            "copyMessage": self._api_copy_message,
            "sendChatAction": self._api_send_chat_action,
            "editMessageText": self._api_edit_message_text,
            "editMessageCaption": self._api_edit_message_caption,
            "editMessageReplyMarkup": self._api_edit_message_reply_markup,
            "deleteMessage": self._api_delete_message,
            "answerCallbackQuery": self._api_answer_callback_query,
            "getChat": self._api_get_chat,
            "getFile": self._api_get_file,
            "setMyCommands": self._api_set_my_commands,
            "deleteMyCommands": self._api_delete_my_commands,
            "getMyCommands": self._api_get_my_commands,
            "setChatMenuButton": self._api_set_chat_menu_button,
            "getChatMenuButton": self._api_get_chat_menu_button,
            "pinChatMessage": self._api_chat_true,
            "unpinChatMessage": self._api_chat_true,
            "unpinAllChatMessages": self._api_chat_true,
            "leaveChat": self._api_chat_true,
        }
        for kind in ("Description", "ShortDescription", "Name"):
            field_name = {
                "Description": "description",
                "ShortDescription": "short_description",
            }.get(kind, "name")
            table[f"setMy{kind}"] = self._make_set_text(field_name)
            table[f"getMy{kind}"] = self._make_get_text(field_name)
        for method in _MEDIA_METHODS:
            table[method] = self._make_media_sender(method)
        self._methods = {name.lower(): (name, fn) for name, fn in table.items()}

    # -- helpers ------------------------------------------------------------------------------
    def _resolve_chat(
        self, params: JSONDict, key: str = "chat_id", *, for_send: bool = True
    ) -> _Chat:
        raw = params.get(key)
        if raw is None or raw == "":
            raise ApiError(400, f"Bad Request: {key} is empty")
        chat_id: int | None
        if isinstance(raw, str) and raw.startswith("@"):
            chat_id = self._usernames.get(raw[1:].lower())
        elif isinstance(raw, bool):
            chat_id = None
        else:
            try:
                chat_id = int(raw)
            except (TypeError, ValueError):
                chat_id = None
        chat = self._chats.get(chat_id) if chat_id is not None else None
        if chat is None:
            raise ApiError(400, "Bad Request: chat not found")
        if for_send and chat.blocked:
            raise ApiError(403, chat.blocked)
        return chat

    def _parse(
        self, text: Any, parse_mode: Any, entities: Any, *, caption: bool = False
    ) -> ParsedText:
        if text is None:
            text = ""
        text = str(text)
        if parse_mode:
            try:
                parsed = parse_text(text, str(parse_mode), strict=self.strict_html)
            except EntityParseError as exc:
                raise ApiError(400, f"Bad Request: can't parse entities: {exc}") from None
        else:
            given = entities if isinstance(entities, list) else []
            parsed = ParsedText(text, given)
        if caption:
            if len(parsed.text) > MAX_CAPTION_LENGTH:
                raise ApiError(400, "Bad Request: message caption is too long")
        else:
            if not parsed.text.strip():
                raise ApiError(400, "Bad Request: message text is empty")
            # Telegram counts characters (code points) here, although entity offsets are UTF-16.
            if len(parsed.text) > MAX_TEXT_LENGTH:
                raise ApiError(400, "Bad Request: message is too long")
        return parsed

    def _check_markup(self, markup: Any, *, inline_only: bool = False) -> JSONDict | None:
        if markup is None:
            return None
        if not isinstance(markup, dict):
            raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
        if "inline_keyboard" in markup:
            rows = markup["inline_keyboard"]
            if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
                raise ApiError(
                    400,
                    "Bad Request: can't parse inline keyboard button: "
                    'field "inline_keyboard" must be an Array of Arrays',
                )
            for row in rows:
                for btn in row:
                    self._check_inline_button(btn)
            return markup
        if inline_only:
            raise ApiError(400, "Bad Request: inline keyboard expected")
        if "keyboard" in markup:
            rows = markup["keyboard"]
            if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
                raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
            for row in rows:
                for btn in row:
                    label = (
                        btn
                        if isinstance(btn, str)
                        else btn.get("text")
                        if isinstance(btn, dict)
                        else None
                    )
                    if not label:
                        raise ApiError(
                            400, "Bad Request: can't parse keyboard button: Text must be non-empty"
                        )
            return markup
        if markup.get("remove_keyboard") is True or markup.get("force_reply") is True:
            return markup
        raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")

    @staticmethod
    def _check_inline_button(btn: Any) -> None:
        if not isinstance(btn, dict):
            raise ApiError(
                400,
                "Bad Request: can't parse inline keyboard button: "
                "InlineKeyboardButton must be an Object",
            )
        if not isinstance(btn.get("text"), str) or not btn["text"]:
            raise ApiError(
                400, "Bad Request: can't parse inline keyboard button: Text must be non-empty"
            )
        kinds = [
            k
            for k in (
                "callback_data",
                "url",
                "web_app",
                "login_url",
                "switch_inline_query",
                "switch_inline_query_current_chat",
                "switch_inline_query_chosen_chat",
                "copy_text",
                "callback_game",
                "pay",
            )
            if k in btn
        ]
        if not kinds:
            raise ApiError(
                400,
                "Bad Request: can't parse inline keyboard button: "
                "Text buttons are unallowed in the inline keyboard",
            )
        if "callback_data" in btn:
            data = btn["callback_data"]
            if not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= 64:
                raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
        if "url" in btn:
            url = btn["url"]
            if not isinstance(url, str) or not re.match(r"^(https?|tg)://\S+$", url):
                raise ApiError(400, "Bad Request: BUTTON_URL_INVALID")

    def _reply_target(self, chat: _Chat, params: JSONDict) -> JSONDict | None:
        rp = params.get("reply_parameters")
        mid: Any = None
        allow = False
        if isinstance(rp, dict):
            if rp.get("chat_id") not in (None, chat.id):
                return None  # replies across chats are not tracked by the fake
            mid = rp.get("message_id")
            allow = bool(rp.get("allow_sending_without_reply"))
        elif params.get("reply_to_message_id") is not None:
            mid = params.get("reply_to_message_id")
            allow = bool(params.get("allow_sending_without_reply"))
        if mid is None:
            return None
        target = chat.messages.get(_req_int(mid, "message_id"))
        if target is None:
            if allow:
                return None
            raise ApiError(400, "Bad Request: message to be replied not found")
        return {k: v for k, v in target.items() if k != "reply_to_message"}

    def _flood_check(self, chat: _Chat) -> None:
        if self._flood is None:
            return
        wait = self._flood.acquire(chat.id, chat.type == "private", time.monotonic())
        if wait:
            raise ApiError(429, f"Too Many Requests: retry after {wait}", {"retry_after": wait})

    def _new_message(
        self,
        chat: _Chat,
        method: str,
        params: JSONDict,
        content: JSONDict,
        *,
        document: UploadedFile | None = None,
    ) -> JSONDict:
        """Create a bot message after validation; enforces flood limits. Returns its JSON."""
        reply = self._reply_target(chat, params)
        self._flood_check(chat)
        mid = chat.take_message_id()
        payload: JSONDict = {"message_id": mid}
        if chat.type == "channel":
            payload["sender_chat"] = chat.info
        else:
            payload["from"] = self.bot_user
        payload["chat"] = chat.info
        payload["date"] = int(self._clock())
        if reply is not None:
            payload["reply_to_message"] = reply
        payload.update(content)
        chat.messages[mid] = payload
        self._sent_seq += 1
        msg = BotMessage(
            chat_id=chat.id,
            message_id=mid,
            method=method,
            params=params,
            payload=payload,
            seq=self._sent_seq,
            document=document,
        )
        chat.bot_messages.append(msg)
        chat.bot_by_id[mid] = msg
        now = time.monotonic()
        self._send_times.append(now)
        chat.send_times.append(now)
        self._add_event(chat, method, params, payload, msg, seq=self._sent_seq)
        chat.transcript.append(f"< {msg.summary()}")
        return payload

    def _add_event(
        self,
        chat: _Chat,
        method: str,
        params: JSONDict,
        result: Any,
        message: BotMessage | None,
        *,
        seq: int | None = None,
    ) -> SentRecord:
        if seq is None:
            self._sent_seq += 1
            seq = self._sent_seq
        rec = SentRecord(seq, time.monotonic(), method, chat.id, params, result, message)
        chat.events.append(rec)
        self._sent.append(rec)
        return rec

    @staticmethod
    def _apply_text(
        payload: JSONDict, parsed: ParsedText, text_key: str, entities_key: str
    ) -> None:
        payload[text_key] = parsed.text
        if parsed.entities:
            payload[entities_key] = parsed.entities
        else:
            payload.pop(entities_key, None)

    # -- sending --------------------------------------------------------------------------------
    def _api_send_message(self, p: JSONDict) -> JSONDict:
        chat = self._resolve_chat(p)
        parsed = self._parse(p.get("text"), p.get("parse_mode"), p.get("entities"))
        markup = self._check_markup(p.get("reply_markup"))
        content: JSONDict = {}
        self._apply_text(content, parsed, "text", "entities")
        preview = p.get("link_preview_options")
        if isinstance(preview, dict):
            content["link_preview_options"] = preview
        elif p.get("disable_web_page_preview") in (True, "true"):
            content["link_preview_options"] = {"is_disabled": True}
        if markup is not None and "inline_keyboard" in markup:
            # Only inline keyboards are part of the Message object Telegram returns.
            content["reply_markup"] = markup
        return self._new_message(chat, "sendMessage", p, content)

    def _make_media_sender(self, method: str) -> Callable[[JSONDict], JSONDict]:
        kind = _MEDIA_METHODS[method]

        def send_media(p: JSONDict) -> JSONDict:
            chat = self._resolve_chat(p)
            value = p.get(kind)
            upload: UploadedFile | None = None
            if isinstance(value, UploadedFile):
                upload = value
            elif isinstance(value, str) and value.startswith("attach://"):
                attached = p.get(value[len("attach://") :])
                if not isinstance(attached, UploadedFile):
                    raise ApiError(400, f"Bad Request: file {value} not found in the request")
                upload = attached
            elif value is None or value == "":
                raise ApiError(400, f"Bad Request: there is no {kind} in the request")
            parsed = self._parse(
                p.get("caption"), p.get("parse_mode"), p.get("caption_entities"), caption=True
            )
            markup = self._check_markup(p.get("reply_markup"))
            if upload is not None:
                stored = self._store_file(kind, upload.content, upload)
                file_name: str | None = upload.filename
                mime: str | None = upload.content_type
            else:
                known = self._files.get(str(value))
                if known is None and not str(value).startswith(("http://", "https://")):
                    raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")
                if known is not None:
                    stored = known
                    upload = known.upload
                else:
                    stored = self._store_file(kind, b"")
                file_name = upload.filename if upload else None
                mime = upload.content_type if upload else None
            content: JSONDict = {
                kind: self._media_json(kind, stored, file_name=file_name, mime_type=mime)
            }
            if parsed.text:
                self._apply_text(content, parsed, "caption", "caption_entities")
            if markup is not None and "inline_keyboard" in markup:
                content["reply_markup"] = markup
            return self._new_message(chat, method, p, content, document=upload)

        return send_media

    def _api_forward_message(self, p: JSONDict) -> JSONDict:
        chat = self._resolve_chat(p)
        source = self._resolve_chat(p, "from_chat_id", for_send=False)
        original = source.messages.get(_req_int(p.get("message_id"), "message_id"))
        if original is None:
            raise ApiError(400, "Bad Request: message to forward not found")
        content = {
            k: v
            for k, v in original.items()
            if k not in ("message_id", "from", "chat", "date", "sender_chat", "reply_to_message")
        }
        origin: JSONDict = {
            "type": "user",
            "date": original["date"],
            "sender_user": original.get("from", self.bot_user),
        }
        if source.type == "channel":
            origin = {
                "type": "channel",
                "date": original["date"],
                "chat": source.info,
                "message_id": original["message_id"],
            }
        content["forward_origin"] = origin
        return self._new_message(chat, "forwardMessage", p, content)

    def _api_copy_message(self, p: JSONDict) -> JSONDict:
        chat = self._resolve_chat(p)
        source = self._resolve_chat(p, "from_chat_id", for_send=False)
        original = source.messages.get(_req_int(p.get("message_id"), "message_id"))
        if original is None:
            raise ApiError(400, "Bad Request: message to copy not found")
        content = {
            k: v
            for k, v in original.items()
            if k
            not in (
                "message_id",
                "from",
                "chat",
                "date",
                "sender_chat",
                "reply_to_message",
                "reply_markup",
            )
        }
        if "caption" in p:
            parsed = self._parse(
                p.get("caption"), p.get("parse_mode"), p.get("caption_entities"), caption=True
            )
            self._apply_text(content, parsed, "caption", "caption_entities")
        markup = self._check_markup(p.get("reply_markup"))
        if markup is not None and "inline_keyboard" in markup:
            content["reply_markup"] = markup
        payload = self._new_message(chat, "copyMessage", p, content)
        return {"message_id": payload["message_id"]}

    def _api_send_chat_action(self, p: JSONDict) -> bool:
        chat = self._resolve_chat(p)
        action = p.get("action")
        if action not in _CHAT_ACTIONS:
            raise ApiError(400, "Bad Request: wrong parameter action in request")
        self._add_event(chat, "sendChatAction", p, True, None)
        chat.transcript.append(f"< [{action}]")
        return True

    # -- editing --------------------------------------------------------------------------------
    def _editable(self, chat: _Chat, p: JSONDict) -> BotMessage:
        if p.get("message_id") is None:
            raise ApiError(400, "Bad Request: message identifier is not specified")
        mid = _req_int(p.get("message_id"), "message_id")
        msg = chat.bot_by_id.get(mid)
        if msg is None or msg.deleted:
            if mid in chat.messages:
                raise ApiError(400, "Bad Request: message can't be edited")
            raise ApiError(400, "Bad Request: message to edit not found")
        return msg

    def _commit_edit(
        self, chat: _Chat, msg: BotMessage, method: str, p: JSONDict, new: JSONDict
    ) -> JSONDict:
        keys = ("text", "entities", "caption", "caption_entities", "reply_markup")
        if all(new.get(k) == msg.payload.get(k) for k in keys):
            raise ApiError(400, _NOT_MODIFIED)
        new["edit_date"] = int(self._clock())
        msg.payload = new
        msg.edits.append(p)
        chat.messages[msg.message_id] = new
        rec = self._add_event(chat, method, p, new, msg)
        chat.edits.append(rec)
        chat.transcript.append(f"< [edit #{msg.message_id}] {msg.summary()}")
        return new

    def _api_edit_message_text(self, p: JSONDict) -> JSONDict | bool:
        if p.get("inline_message_id"):
            self._parse(p.get("text"), p.get("parse_mode"), p.get("entities"))
            return True
        chat = self._resolve_chat(p)
        msg = self._editable(chat, p)
        parsed = self._parse(p.get("text"), p.get("parse_mode"), p.get("entities"))
        markup = self._check_markup(p.get("reply_markup"), inline_only=True)
        if "text" not in msg.payload:
            raise ApiError(400, "Bad Request: there is no text in the message to edit")
        new = dict(msg.payload)
        self._apply_text(new, parsed, "text", "entities")
        # Like Telegram: an edit without reply_markup removes the inline keyboard.
        if markup is None:
            new.pop("reply_markup", None)
        else:
            new["reply_markup"] = markup
        return self._commit_edit(chat, msg, "editMessageText", p, new)

    def _api_edit_message_caption(self, p: JSONDict) -> JSONDict | bool:
        if p.get("inline_message_id"):
            return True
        chat = self._resolve_chat(p)
        msg = self._editable(chat, p)
        parsed = self._parse(
            p.get("caption"), p.get("parse_mode"), p.get("caption_entities"), caption=True
        )
        markup = self._check_markup(p.get("reply_markup"), inline_only=True)
        if "text" in msg.payload:
            raise ApiError(400, "Bad Request: there is no caption in the message to edit")
        new = dict(msg.payload)
        new.pop("caption", None)
        new.pop("caption_entities", None)
        if parsed.text:
            self._apply_text(new, parsed, "caption", "caption_entities")
        if markup is None:
            new.pop("reply_markup", None)
        else:
            new["reply_markup"] = markup
        return self._commit_edit(chat, msg, "editMessageCaption", p, new)

    def _api_edit_message_reply_markup(self, p: JSONDict) -> JSONDict | bool:
        if p.get("inline_message_id"):
            return True
        chat = self._resolve_chat(p)
        msg = self._editable(chat, p)
        markup = self._check_markup(p.get("reply_markup"), inline_only=True)
        new = dict(msg.payload)
        if markup is None or not markup.get("inline_keyboard"):
            new.pop("reply_markup", None)
        else:
            new["reply_markup"] = markup
        return self._commit_edit(chat, msg, "editMessageReplyMarkup", p, new)

    def _api_delete_message(self, p: JSONDict) -> bool:
        chat = self._resolve_chat(p, for_send=False)
        mid = _req_int(p.get("message_id"), "message_id")
        if mid not in chat.messages:
            raise ApiError(400, "Bad Request: message to delete not found")
        del chat.messages[mid]
        msg = chat.bot_by_id.get(mid)
        if msg is not None:
            msg.deleted = True
        self._add_event(chat, "deleteMessage", p, True, msg)
        chat.transcript.append(f"< [deleted #{mid}]")
        return True

    def _api_answer_callback_query(self, p: JSONDict) -> bool:
        query_id = str(p.get("callback_query_id") or "")
        cb = self._callbacks.get(query_id)
        if cb is None or cb.answer is not None:
            raise ApiError(400, _QUERY_TOO_OLD)
        text = p.get("text")
        if text is not None and len(str(text)) > 200:
            raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        cb.answer = dict(p)
        chat = self._chats[cb.chat_id]
        self._add_event(chat, "answerCallbackQuery", p, True, None)
        shown = f": {text!r}" if text else ""
        chat.transcript.append(f"< [answer callback{shown}]")
        return True

    # -- chats, files, settings -------------------------------------------------------------------
    def _api_get_chat(self, p: JSONDict) -> JSONDict:
        chat = self._resolve_chat(p, for_send=False)
        full = dict(chat.info)
        full.update(
            accent_color_id=abs(chat.id) % 7,
            max_reaction_count=11,
            accepted_gift_types={
                "unlimited_gifts": True,
                "limited_gifts": True,
                "unique_gifts": True,
                "premium_subscription": True,
                "gifts_from_channels": True,
            },
        )
        return full

    def _api_chat_true(self, p: JSONDict) -> bool:
        self._resolve_chat(p, for_send=False)
        return True

    def _api_get_file(self, p: JSONDict) -> JSONDict:
        stored = self._files.get(str(p.get("file_id") or ""))
        if stored is None:
            raise ApiError(400, "Bad Request: invalid file_id")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.content),
            "file_path": stored.file_path,
        }

    def _api_set_webhook(self, p: JSONDict) -> bool:
        url = str(p.get("url") or "")
        if url and not url.startswith("https://"):
            raise ApiError(
                400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook"
            )
        secret = p.get("secret_token")
        if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", str(secret)):
            raise ApiError(400, "Bad Request: secret token contains unallowed characters")
        self._webhook = {"url": url, **{k: v for k, v in p.items() if k != "url"}}
        allowed = p.get("allowed_updates")
        if isinstance(allowed, list):
            self._allowed_updates = frozenset(str(a) for a in allowed) or None
            allowed_now = self._allowed_updates or _DEFAULT_ALLOWED
            self._disallowed_pending = sum(1 for u in self._updates if u.kind not in allowed_now)
        if p.get("drop_pending_updates") in (True, "true"):
            self._updates.clear()
            self._disallowed_pending = 0
        self._cond.notify_all()
        if url:
            self._start_delivering()
        # A set webhook ends long polls in progress (they answer 409 from now on).
        self._wake_pollers("conflict")
        return True

    def _api_delete_webhook(self, p: JSONDict) -> bool:
        self._webhook = {"url": ""}
        if p.get("drop_pending_updates") in (True, "true"):
            self._updates.clear()
            self._disallowed_pending = 0
            self._cond.notify_all()
        return True

    def _api_get_webhook_info(self, p: JSONDict) -> JSONDict:
        info: JSONDict = {
            "url": self._webhook.get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }
        if self._webhook.get("allowed_updates"):
            info["allowed_updates"] = self._webhook["allowed_updates"]
        if self._webhook.get("url"):
            info["max_connections"] = int(self._webhook.get("max_connections") or 40)
            if self._webhook_last_error is not None:
                info["last_error_date"], info["last_error_message"] = self._webhook_last_error
        return info

    def _scope_key_checked(self, p: JSONDict) -> str:
        scope = p.get("scope") or {"type": "default"}
        if not isinstance(scope, dict) or scope.get("type") not in (
            "default",
            "all_private_chats",
            "all_group_chats",
            "all_chat_administrators",
            "chat",
            "chat_administrators",
            "chat_member",
        ):
            raise ApiError(400, "Bad Request: can't parse BotCommandScope JSON object")
        if "chat_id" in scope:
            chat = self._resolve_chat(scope, for_send=False)
            scope = {**scope, "chat_id": chat.id}
        return _scope_key(scope)

    def _language(self, p: JSONDict) -> str:
        lang = str(p.get("language_code") or "")
        if lang and not _LANGUAGE_RE.match(lang):
            raise ApiError(400, "Bad Request: invalid language code specified")
        return lang

    def _api_set_my_commands(self, p: JSONDict) -> bool:
        commands = p.get("commands")
        if not isinstance(commands, list):
            raise ApiError(400, "Bad Request: can't parse commands JSON object")
        if len(commands) > 100:
            raise ApiError(400, "Bad Request: too many commands specified")
        clean: list[JSONDict] = []
        for cmd in commands:
            if not isinstance(cmd, dict) or not _COMMAND_NAME_RE.match(str(cmd.get("command", ""))):
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            desc = str(cmd.get("description", ""))
            if not 1 <= len(desc) <= 256:
                raise ApiError(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
            clean.append({"command": cmd["command"], "description": desc})
        key = (self._scope_key_checked(p), self._language(p))
        if clean:
            self._commands[key] = clean
        else:
            self._commands.pop(key, None)
        return True

    def _api_delete_my_commands(self, p: JSONDict) -> bool:
        self._commands.pop((self._scope_key_checked(p), self._language(p)), None)
        return True

    def _api_get_my_commands(self, p: JSONDict) -> list[JSONDict]:
        return list(self._commands.get((self._scope_key_checked(p), self._language(p)), []))

    def _make_set_text(self, field_name: str) -> Callable[[JSONDict], bool]:
        def set_text(p: JSONDict) -> bool:
            self._bot_texts[(field_name, self._language(p))] = str(p.get(field_name) or "")
            return True

        return set_text

    def _make_get_text(self, field_name: str) -> Callable[[JSONDict], JSONDict]:
        def get_text(p: JSONDict) -> JSONDict:
            lang = self._language(p)
            value = self._bot_texts.get(
                (field_name, lang), self._bot_texts.get((field_name, ""), "")
            )
            if field_name == "name" and not value:
                value = str(self.bot_user["first_name"])
            return {field_name: value}

        return get_text

    def _api_set_chat_menu_button(self, p: JSONDict) -> bool:
        chat_id = self._resolve_chat(p, for_send=False).id if p.get("chat_id") else None
        button = p.get("menu_button") or {"type": "default"}
        self._menu_buttons[chat_id] = button if isinstance(button, dict) else {"type": "default"}
        return True

    def _api_get_chat_menu_button(self, p: JSONDict) -> JSONDict:
        chat_id = self._resolve_chat(p, for_send=False).id if p.get("chat_id") else None
        return self._menu_buttons.get(chat_id, self._menu_buttons.get(None, {"type": "commands"}))

    # ==========================================================================================
    # control API for standalone runs
    # ==========================================================================================
    async def _control(self, action: str, scope: Scope, receive: Receive) -> tuple[int, bytes]:
        query = dict(parse_qsl(scope.get("query_string", b"").decode()))
        body = await self._read_body(receive)
        try:
            args: JSONDict = {**query, **(json.loads(body) if body else {})}
            result = await self._control_action(action, args)
        except (KeyError, ValueError, TypeError, AssertionError) as exc:
            return 400, _dumps(
                {"ok": False, "description": f"{type(exc).__name__}: {exc}", "help": _CONTROL_HELP}
            )
        return 200, _dumps({"ok": True, "result": result})

    async def _control_action(self, action: str, a: JSONDict) -> Any:
        def customer() -> FakeUser:
            return self.user(
                int(a["user_id"]),
                first_name=str(a.get("first_name", "Anna")),
                last_name=a.get("last_name"),
                username=a.get("username"),
                language_code=a.get("language_code", "de"),
            )

        if action == "stats":
            return self.stats().as_dict()
        if action == "send":
            return customer().send(str(a["text"])).__dict__
        if action == "send_many":
            out = []
            for item in a["messages"]:
                out.append(await self._control_action("send", item))
            return out
        if action == "click":
            mid = a.get("message_id")
            return (
                customer()
                .click(str(a["button"]), message_id=None if mid is None else int(mid))
                .__dict__
            )
        if action == "messages":
            chat_id = int(a["chat_id"]) if "chat_id" in a else None
            since = int(a.get("since_seq", 0))
            return [
                {
                    "chat_id": m.chat_id,
                    "message_id": m.message_id,
                    "seq": m.seq,
                    "method": m.method,
                    "text": m.text,
                    "raw_text": m.raw_text,
                    "buttons": m.buttons,
                }
                for m in self.messages(chat_id)
                if m.seq > since
            ]
        if action == "requests":
            limit = int(a.get("limit", 100))
            return [
                {"seq": r.seq, "method": r.method, "status": r.status, "description": r.description}
                for r in self.requests(a.get("method"))[-limit:]
            ]
        if action == "transcript":
            return self.transcript(int(a["chat_id"]))
        if action == "fail_next":
            self.fail_next(
                str(a["method"]),
                int(a.get("status", 429)),
                retry_after=a.get("retry_after"),
                times=int(a.get("times", 1)),
                description=a.get("description"),
                chat_id=None if a.get("chat_id") is None else int(a["chat_id"]),
            )
            return True
        if action == "delay_next":
            self.delay_next(
                str(a["method"]),
                float(a["seconds"]),
                times=int(a.get("times", 1)),
                drop=bool(a.get("drop", False)),
            )
            return True
        if action in ("block", "unblock"):
            chat_id = int(a["chat_id"])
            if chat_id not in self._chats:
                self.user(chat_id)
            (self.block if action == "block" else self.unblock)(chat_id)
            return True
        if action == "rate_limits":
            if a.get("enabled", True) in (False, "false", "0"):
                self.set_rate_limits(False)
            else:
                fields = {
                    k: type(getattr(RateLimits(), k))(v)
                    for k, v in a.items()
                    if hasattr(RateLimits, k)
                }
                self.set_rate_limits(RateLimits(**fields))
            return True
        if action == "commands":
            return self.commands(a.get("scope"), str(a.get("language_code", "")))
        if action == "reset":
            self.reset()
            return True
        if action == "route_webhook":
            self.route_webhook(*[str(b) for b in a.get("backends", [])])
            return True
        if action == "webhook":
            with self._lock:
                info = self._api_get_webhook_info({})
                info["set_calls"] = sum(
                    1 for r in self._requests if r.method == "setWebhook" and r.status == 200
                )
            return info
        if action == "wait":
            # Benchmark helper: wait until the bot sent at least N messages in total.
            target = int(a.get("messages_sent", 1))
            timeout = float(a.get("timeout", 30))
            await asyncio.to_thread(
                self.wait_for,
                lambda: len(self._send_times) >= target,
                timeout,
                description=f"{target} messages sent",
            )
            return self.stats().as_dict()
        raise KeyError(f"unknown control action {action!r}")


_CONTROL_HELP = (
    "GET|POST /_fake/<action> with JSON body or query args. Actions: stats; "
    "send {user_id,text[,first_name,language_code]}; send_many {messages:[...]}; "
    "click {user_id,button[,message_id]}; messages [chat_id, since_seq]; requests [method,limit]; "
    "transcript {chat_id}; fail_next {method,status,retry_after,times}; "
    "delay_next {method,seconds,times,drop}; block/unblock {chat_id}; "
    "rate_limits {enabled,global_per_second,private_per_second,private_burst,group_per_minute}; "
    "commands [scope,language_code]; reset; wait {messages_sent,timeout}; "
    "route_webhook {backends:[http://host:port,...]}; webhook (getWebhookInfo + set_calls)"
)


# ==============================================================================================
# small helpers
# ==============================================================================================
def _ok_body(result: Any) -> bytes:
    if isinstance(result, _RawJSON):
        return ('{"ok":true,"result":' + result + "}").encode("utf-8")
    return _dumps({"ok": True, "result": result})


def _decode_value(name: str, value: Any) -> Any:
    if not isinstance(value, str):
        return value
    if name in _STRING_FIELDS:
        return value
    if name in _JSON_FIELDS:
        try:
            return json.loads(value)
        except ValueError:
            what = "reply keyboard markup" if name == "reply_markup" else name
            raise ApiError(400, f"Bad Request: can't parse {what} JSON object") from None
    # PTB JSON-encodes every non-string value (numbers, booleans); plain strings stay as sent.
    first = value[:1]
    if first.isdigit() or first in "-[{" or value in ("true", "false", "null"):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _decode_params(raw: Mapping[str, Any]) -> JSONDict | ApiError:
    try:
        return {name: _decode_value(name, value) for name, value in raw.items()}
    except ApiError as exc:
        return exc


def _peek_chat_id(params: JSONDict) -> int | None:
    value = params.get("chat_id")
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return None


def _opt_int(value: Any, name: str) -> int | None:
    if value is None or value == "":
        return None
    return _req_int(value, name)


def _req_int(value: Any, name: str) -> int:
    if isinstance(value, bool):
        raise ApiError(400, f"Bad Request: invalid {name} specified")
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ApiError(400, f"Bad Request: invalid {name} specified") from None


def _opt_float(value: Any) -> float | None:
    if value is None or value == "":
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        raise ApiError(400, "Bad Request: invalid timeout specified") from None


def _scope_key(scope: JSONDict) -> str:
    return json.dumps(scope, sort_keys=True, separators=(",", ":"))


def _peak(times: list[float], window: float) -> int:
    """Most events in any window of ``window`` seconds (times sorted ascending)."""
    best = 0
    start = 0
    for end, t in enumerate(times):
        while t - times[start] >= window:
            start += 1
        best = max(best, end - start + 1)
    return best


def _describe_incoming(msg: JSONDict) -> str:
    if "text" in msg:
        return repr(msg["text"])
    for kind in ("sticker", "voice", "video_note", "photo", "document", "location", "contact"):
        if kind in msg:
            caption = f" {msg['caption']!r}" if msg.get("caption") else ""
            return f"[{kind}]{caption}"
    return "[message]"


# ==============================================================================================
# standalone
# ==============================================================================================
def main(argv: list[str] | None = None) -> int:
    """Run the fake as a process: ``python -m tests.fakes.telegram_api --port 8081``."""
    parser = argparse.ArgumentParser(description="Fake Telegram Bot API server (tests, benchmarks)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081, help="0 picks a free port")
    parser.add_argument("--token", default=DEFAULT_TOKEN, help="the only token accepted")
    parser.add_argument("--any-token", action="store_true", help="accept every token")
    parser.add_argument("--rate-limits", action="store_true", help="enforce Telegram flood limits")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added to every call")
    parser.add_argument("--lenient-html", action="store_true", help="accept lone > and &")
    parser.add_argument(
        "--max-recorded-requests", type=int, default=100_000, help="request log size (memory)"
    )
    parser.add_argument("--loop", choices=["auto", "asyncio", "uvloop"], default="auto")
    parser.add_argument("--http", choices=["auto", "h11", "httptools"], default="auto")
    parser.add_argument(
        "--no-freeze-gc", action="store_true", help="keep full GC pauses (see freeze_gc)"
    )
    args = parser.parse_args(argv)

    tg = FakeTelegram(
        token=None if args.any_token else args.token,
        host=args.host,
        port=args.port,
        rate_limits=args.rate_limits,
        latency=args.latency,
        strict_html=not args.lenient_html,
        max_recorded_requests=args.max_recorded_requests,
        loop=args.loop,
        http=args.http,
        freeze_gc=not args.no_freeze_gc,
    )
    stop = threading.Event()

    def _on_signal(signum: int, frame: object) -> None:
        stop.set()

    signal.signal(signal.SIGINT, _on_signal)
    signal.signal(signal.SIGTERM, _on_signal)
    tg.start()
    print(tg.base_url, flush=True)
    print(
        f"token {tg.token}{' (any accepted)' if args.any_token else ''}; control API: "
        f"{tg.url}/_fake/stats ; {_CONTROL_HELP}",
        file=sys.stderr,
        flush=True,
    )
    try:
        while not stop.wait(3600):
            pass
    finally:
        tg.stop()
        stats = tg.stats().as_dict()
        print(json.dumps(stats, indent=2), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The Bot API client: python-telegram-bot's ``Bot`` with raw calls for queued payloads."""

from __future__ import annotations

import base64
import warnings
from dataclasses import dataclass
from typing import Any

from telegram import Bot, InputFile
from telegram.request import HTTPXRequest
from telegram.warnings import PTBDeprecationWarning, PTBUserWarning

# The outbox stores raw Bot API payloads, so calls go through the generic do_api_request, which
# suggests the typed methods every time; that advice does not fit a durable queue.
warnings.filterwarnings("ignore", message=r"Please use 'Bot\.", category=PTBUserWarning)
# retry_after becomes a timedelta in a later PTB; bot.sender.retry_seconds reads both forms.
warnings.filterwarnings("ignore", message=r".*retry_after.*", category=PTBDeprecationWarning)

#: Long polling waits this long for updates; the HTTP read timeout must be longer.
DEFAULT_POLL_TIMEOUT = 30


@dataclass(frozen=True)
class BotIdentity:
    """The bot's own Telegram user."""

    id: int
    username: str | None


class BotApi:
    """Calls the Bot API with the JSON payloads stored in the outbox."""

    def __init__(
        self, token: str, base_url: str, *, poll_timeout: int = DEFAULT_POLL_TIMEOUT
    ) -> None:
        self.poll_timeout = poll_timeout
        self.bot = Bot(
            token,
            base_url=base_url,
            request=HTTPXRequest(
                connection_pool_size=128,
                read_timeout=15,
                write_timeout=15,
                connect_timeout=10,
                pool_timeout=5,
            ),
            get_updates_request=HTTPXRequest(
                connection_pool_size=1,
                read_timeout=poll_timeout + 15,
                connect_timeout=10,
            ),
        )

    async def start(self) -> BotIdentity:
        """Connect and return the bot's own user (``getMe``); raises InvalidToken."""
        await self.bot.initialize()
        me = self.bot.bot
        return BotIdentity(me.id, me.username)

    async def stop(self) -> None:
        """Close the HTTP connections."""
        await self.bot.shutdown()

    async def get_updates(
        self, offset: int | None, allowed: tuple[str, ...]
    ) -> list[dict[str, Any]]:
        """Long-poll for raw updates (dicts, exactly as Telegram sent them)."""
        params: dict[str, Any] = {
            "timeout": self.poll_timeout,
            "allowed_updates": list(allowed),
            "limit": 100,
        }
        if offset is not None:
            params["offset"] = offset
        result = await self.bot.do_api_request(
            "getUpdates", api_kwargs=params, read_timeout=self.poll_timeout + 15
        )
        assert isinstance(result, list)
        return result

    async def call(self, method: str, params: dict[str, Any]) -> Any:
        """Make one Bot API call with a stored payload; return Telegram's raw result."""
        if method == "sendDocument":
            document = params["document"]
            content = base64.b64decode(document["content_b64"])
            params = {**params, "document": InputFile(content, filename=document["filename"])}
        return await self.bot.do_api_request(method, api_kwargs=params)

"""Test doubles for Needfinder's outside world; ``FakeTelegram`` is a real HTTP Bot API fake."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tests.fakes.actors import FakeChat, FakeUser
from tests.fakes.formatting import EntityParseError, parse_text
from tests.fakes.ratelimit import RateLimits
from tests.fakes.records import (
    BotMessage,
    ClickRef,
    RecordedRequest,
    SentRecord,
    Stats,
    UpdateRef,
    UploadedFile,
)

if TYPE_CHECKING:
    from tests.fakes.telegram_api import DEFAULT_TOKEN, ApiError, FakeTelegram

__all__ = [
    "DEFAULT_TOKEN",
    "ApiError",
    "BotMessage",
    "ClickRef",
    "EntityParseError",
    "FakeChat",
    "FakeTelegram",
    "FakeUser",
    "RateLimits",
    "RecordedRequest",
    "SentRecord",
    "Stats",
    "UpdateRef",
    "UploadedFile",
    "parse_text",
]

_LAZY = frozenset({"DEFAULT_TOKEN", "ApiError", "FakeTelegram"})


def __getattr__(name: str) -> Any:
    # Imported lazily so that ``python -m tests.fakes.telegram_api`` does not find the module
    # already imported by its package (runpy would warn and run a second copy).
    if name in _LAZY:
        from tests.fakes import telegram_api

        return getattr(telegram_api, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

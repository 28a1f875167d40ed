"""Plain records the fake Bot API keeps about what the bot did, for assertions in tests."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "BotMessage",
    "ClickRef",
    "RecordedRequest",
    "SentRecord",
    "Stats",
    "UpdateRef",
    "UploadedFile",
]

JSONDict = dict[str, Any]


@dataclass(frozen=True)
class UploadedFile:
    """A file the bot uploaded (multipart part) or that a fake customer sent."""

    field: str
    filename: str
    content: bytes
    content_type: str = "application/octet-stream"

    def text(self, encoding: str = "utf-8") -> str:
        """The content decoded as text."""
        return self.content.decode(encoding)

    def json(self) -> Any:
        """The content parsed as JSON (e.g. a data export)."""
        return json.loads(self.content)


@dataclass
class BotMessage:
    """A message the bot created in a chat; ``payload`` follows later edits of it."""

    chat_id: int
    message_id: int
    method: str
    params: JSONDict
    payload: JSONDict
    seq: int
    document: UploadedFile | None = None
    edits: list[JSONDict] = field(default_factory=list)
    deleted: bool = False

    @property
    def text(self) -> str:
        """What the customer sees: text (or caption) with markup resolved."""
        return str(self.payload.get("text", self.payload.get("caption", "")))

    @property
    def raw_text(self) -> str:
        """The text or caption exactly as the bot sent it (with HTML tags, escapes, ...)."""
        params = self.edits[-1] if self.edits and "text" in self.edits[-1] else self.params
        return str(params.get("text", params.get("caption", "")))

    @property
    def parse_mode(self) -> str | None:
        """The parse_mode the current text was sent with."""
        params = self.edits[-1] if self.edits and "text" in self.edits[-1] else self.params
        value = params.get("parse_mode")
        return None if value is None else str(value)

    @property
    def entities(self) -> list[JSONDict]:
        """Telegram's entities of the visible text."""
        entities = self.payload.get("entities", self.payload.get("caption_entities"))
        return list(entities or [])

    @property
    def reply_markup(self) -> JSONDict | None:
        """The current inline keyboard, or the reply keyboard sent with the message."""
        markup = self.payload.get("reply_markup")
        if markup is None and not self.edits:
            markup = self.params.get("reply_markup")
        return markup if isinstance(markup, dict) else None

    @property
    def buttons(self) -> list[list[str]]:
        """Button labels by row (inline or reply keyboard)."""
        markup = self.reply_markup or {}
        rows = markup.get("inline_keyboard") or markup.get("keyboard") or []
        return [
            [btn if isinstance(btn, str) else str(btn.get("text", "")) for btn in row]
            for row in rows
        ]

    @property
    def button_labels(self) -> list[str]:
        """All button labels, flattened."""
        return [label for row in self.buttons for label in row]

    def callback_data(self, label: str) -> str | None:
        """The callback_data of the inline button with this label (None if absent)."""
        markup = self.reply_markup or {}
        for row in markup.get("inline_keyboard", []):
            for btn in row:
                if btn.get("text") == label:
                    data = btn.get("callback_data")
                    return None if data is None else str(data)
        return None

    def summary(self) -> str:
        """One line for failure dumps."""
        text = self.text.replace("\n", "⏎")
        if len(text) > 90:
            text = text[:87] + "..."
        extra = ""
        if self.button_labels:
            extra = " [" + " | ".join(self.button_labels) + "]"
        if self.document is not None:
            extra += f" (file {self.document.filename}, {len(self.document.content)} bytes)"
        if self.edits:
            extra += f" (edited {len(self.edits)}x)"
        if self.deleted:
            extra += " (deleted)"
        return f"#{self.message_id} {self.method}: {text!r}{extra}"


@dataclass(frozen=True)
class SentRecord:
    """One successful bot action aimed at a chat (send, edit, delete, chat action, answer)."""

    seq: int
    time: float
    method: str
    chat_id: int
    params: JSONDict
    result: Any
    message: BotMessage | None = None


@dataclass(frozen=True)
class RecordedRequest:
    """One HTTP request to the Bot API as the fake saw it."""

    seq: int
    time: float
    duration: float
    method: str
    params: JSONDict
    status: int
    description: str | None = None
    fault: str | None = None  # "injected", "delayed", "rate_limited" or None

    @property
    def ok(self) -> bool:
        """Whether the fake answered with 200."""
        return self.status == 200

    def summary(self) -> str:
        """One line for failure dumps."""
        shown = {k: v for k, v in self.params.items() if k not in ("reply_markup",)}
        text = json.dumps(shown, ensure_ascii=False, default=repr)
        if len(text) > 110:
            text = text[:107] + "..."
        tail = f" -> {self.description}" if self.description else ""
        return f"#{self.seq} {self.method} {self.status} {text}{tail}"


@dataclass(frozen=True)
class UpdateRef:
    """What a fake customer action enqueued."""

    update_id: int
    chat_id: int
    message_id: int | None = None


@dataclass(frozen=True)
class ClickRef:
    """A button press: the callback_query update, or a text message for reply keyboards."""

    update_id: int
    chat_id: int
    message_id: int
    data: str | None
    query_id: str | None


@dataclass(frozen=True)
class Stats:
    """Counters of one fake server's life (or since ``reset``)."""

    uptime: float
    requests: int
    by_method: dict[str, int]
    by_status: dict[int, int]
    messages_sent: int
    rate_limited: int
    injected_faults: int
    send_rate: float
    peak_sends_per_second: int
    peak_sends_per_chat_second: int
    peak_sends_per_group_minute: int
    updates_enqueued: int
    updates_delivered: int
    updates_pending: int
    get_updates_calls: int

    def as_dict(self) -> JSONDict:
        """JSON-friendly view (for the control API and benchmark reports)."""
        data = dict(self.__dict__)
        data["by_status"] = {str(k): v for k, v in self.by_status.items()}
        return data

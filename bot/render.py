"""Turn engine outputs into Bot API calls (pure): escaping, splitting, keyboards, documents."""

from __future__ import annotations

import base64
import html
import json
from dataclasses import dataclass
from typing import Any

from bot.mapping import PressedButton
from conversations.events import Action, Button, ButtonsChanged, Notice, Reply
from needfinder.app.dialogues import Handled

#: Telegram's limit is 4,096 characters (UTF-16 code units) after entity parsing; stay below.
MAX_MESSAGE = 4000
MAX_CALLBACK_ANSWER = 200
PARSE_MODE = "HTML"


@dataclass(frozen=True)
class Call:
    """One Bot API call to make; ``output_index`` links a reply's first message to its entry."""

    method: str
    params: dict[str, Any]
    output_index: int | None = None


def render(handled: Handled, pressed: PressedButton | None = None) -> list[Call]:
    """Return the calls that deliver ``handled`` to the customer's chat, in order."""
    chat_id = handled.identity.chat_id
    calls: list[Call] = []
    notices = [o.text for o in handled.outputs if isinstance(o, Notice)]
    if pressed is not None:
        # Every button press is answered exactly once, or the client keeps spinning.
        answer: dict[str, Any] = {"callback_query_id": pressed.callback_query_id}
        if notices:
            answer["text"] = notices[0][:MAX_CALLBACK_ANSWER]
        calls.append(Call("answerCallbackQuery", answer))
    for index, output in enumerate(handled.outputs):
        if isinstance(output, ButtonsChanged) and pressed and pressed.message_id is not None:
            calls.append(_buttons_changed(chat_id, pressed, output))
        elif isinstance(output, Reply):
            calls.extend(reply_calls(chat_id, output, index))
        elif isinstance(output, Action) and output.kind == "export_data":
            calls.extend(_export_calls(chat_id, handled))
    if handled.awaiting_more and not any(c.method == "sendMessage" for c in calls):
        # The answer is settling (the customer may still be typing); show we are listening.
        calls.append(Call("sendChatAction", {"chat_id": chat_id, "action": "typing"}))
    return calls


def reply_calls(chat_id: str, reply: Reply, output_index: int | None = None) -> list[Call]:
    """Return sendMessage calls for a reply, split under Telegram's length limit."""
    chunks = split_text(reply.text)
    calls = []
    for number, chunk in enumerate(chunks):
        params: dict[str, Any] = {
            "chat_id": chat_id,
            "text": escape(chunk),
            "parse_mode": PARSE_MODE,
            "link_preview_options": {"is_disabled": True},
        }
        if number == len(chunks) - 1 and reply.buttons:
            params["reply_markup"] = keyboard(reply.buttons)
        calls.append(Call("sendMessage", params, output_index if number == 0 else None))
    return calls


def text_calls(chat_id: str, text: str) -> list[Call]:
    """Return sendMessage calls for a plain text."""
    return reply_calls(chat_id, Reply(text))


def escape(text: str) -> str:
    """Escape text for Telegram's HTML parse mode (only <, > and & are special)."""
    return html.escape(text, quote=False)


def keyboard(rows: tuple[tuple[Button, ...], ...]) -> dict[str, Any]:
    """Return an inline keyboard for rows of buttons."""
    return {
        "inline_keyboard": [
            [{"text": button.label, "callback_data": button.data} for button in row] for row in rows
        ]
    }


def utf16_length(text: str) -> int:
    """Return the length Telegram counts (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


def split_text(text: str, limit: int = MAX_MESSAGE) -> list[str]:
    """Split ``text`` into pieces Telegram accepts, at paragraph, line or word boundaries."""
    if not text:
        return ["…"]
    pieces: list[str] = []
    rest = text
    while utf16_length(rest) > limit:
        cut = _fit(rest, limit)
        window = rest[:cut]
        for separator in ("\n\n", "\n", " "):
            position = window.rfind(separator)
            if position > cut // 2:
                cut = position + len(separator)
                break
        pieces.append(rest[:cut].rstrip() or rest[:cut])
        rest = rest[cut:].lstrip("\n") or rest[cut:]
    pieces.append(rest)
    return [piece for piece in pieces if piece] or ["…"]


def _fit(text: str, limit: int) -> int:
    """Return how many characters of ``text`` fit into ``limit`` UTF-16 units."""
    units = 0
    for index, char in enumerate(text):
        units += 2 if ord(char) > 0xFFFF else 1
        if units > limit:
            return index
    return len(text)


def _buttons_changed(chat_id: str, pressed: PressedButton, change: ButtonsChanged) -> Call:
    target = {"chat_id": chat_id, "message_id": pressed.message_id}
    if change.buttons:
        return Call("editMessageReplyMarkup", {**target, "reply_markup": keyboard(change.buttons)})
    original = pressed.message_text
    if change.chosen and original is not None:
        text = f"{escape(original)}\n\n✓ <b>{escape(change.chosen)}</b>"
        if utf16_length(original) + utf16_length(change.chosen) + 3 <= MAX_MESSAGE:
            return Call(
                "editMessageText",
                {
                    **target,
                    "text": text,
                    "parse_mode": PARSE_MODE,
                    "link_preview_options": {"is_disabled": True},
                },
            )
    return Call("editMessageReplyMarkup", {**target, "reply_markup": {"inline_keyboard": []}})


def _export_calls(chat_id: str, handled: Handled) -> list[Call]:
    export = handled.export
    if export is None:
        return []
    content = json.dumps(export.data, indent=2, ensure_ascii=False).encode("utf-8")
    document = {
        "chat_id": chat_id,
        "document": {
            "filename": f"needfinder-my-data-{export.data['participant']['id']}.json",
            "content_b64": base64.b64encode(content).decode("ascii"),
        },
        "caption": "needfinder /mydata (JSON)",
    }
    return [Call("sendDocument", document), *text_calls(chat_id, export.text)]

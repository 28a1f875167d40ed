"""Map Telegram updates to engine events (pure: a raw update in, a routing decision out)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from telegram import Message, Update, User

from conversations.events import Command, Edited, Event, NonText, NonTextKind, Press, Text
from conversations.model import Language
from conversations.transcript import Identity

CHANNEL = "telegram"

#: The update types the bot asks Telegram for.
ALLOWED_UPDATES = ("message", "edited_message", "callback_query", "channel_post", "my_chat_member")


@dataclass(frozen=True)
class PressedButton:
    """Where a pressed button sat: the callback to answer and the message to update."""

    callback_query_id: str
    message_id: int | None
    message_text: str | None


@dataclass(frozen=True)
class CustomerMessage:
    """Something a customer did in the private chat with the bot."""

    identity: Identity
    event: Event
    language_hint: Language | None
    pressed: PressedButton | None = None


@dataclass(frozen=True)
class GroupActivity:
    """Activity in a group, supergroup or channel: no interviews there (the staff group is
    where staff commands may come from)."""

    chat_id: str
    chat_type: str
    user_id: str | None = None
    user_name: str | None = None
    command: Command | None = None


@dataclass(frozen=True)
class Ignored:
    """An update the bot does not act on (from a bot, a service message, …)."""

    reason: str


Routed = CustomerMessage | GroupActivity | Ignored


def chat_key(payload: dict[str, Any]) -> str | None:
    """Return the chat an update belongs to (updates of one chat are handled in order)."""
    for key in (
        "message",
        "edited_message",
        "channel_post",
        "edited_channel_post",
        "my_chat_member",
    ):
        chat = (payload.get(key) or {}).get("chat")
        if chat and "id" in chat:
            return str(chat["id"])
    callback = payload.get("callback_query") or {}
    message = callback.get("message") or {}
    if message.get("chat", {}).get("id") is not None:
        return str(message["chat"]["id"])
    user = callback.get("from") or {}
    return str(user["id"]) if "id" in user else None


class UnreadableUpdate(Exception):
    """Telegram sent something python-telegram-bot cannot parse (kept aside, never dropped)."""


def route(payload: dict[str, Any]) -> Routed:
    """Decide what an update means for the dialogue engine."""
    try:
        update = Update.de_json(payload, None)
    except (TypeError, ValueError, KeyError) as error:
        raise UnreadableUpdate(f"{type(error).__name__}: {error}") from None
    if update.callback_query is not None:
        return _route_callback(update)
    if update.channel_post is not None or update.edited_channel_post is not None:
        post = update.channel_post or update.edited_channel_post
        assert post is not None
        return GroupActivity(str(post.chat.id), post.chat.type)
    if update.my_chat_member is not None:
        chat = update.my_chat_member.chat
        if chat.type != "private" and update.my_chat_member.new_chat_member.status == "member":
            return GroupActivity(str(chat.id), chat.type)
        return Ignored("membership change")
    message = update.message or update.edited_message
    if message is None:
        return Ignored("unsupported update type")
    sender = message.from_user
    if sender is None or sender.is_bot:
        return Ignored("from a bot or anonymous")
    if message.chat.type != "private":
        if update.edited_message is not None:
            return Ignored("edit in a group")
        command = _command(message) if message.text is not None else None
        return GroupActivity(
            str(message.chat.id), message.chat.type, str(sender.id), sender.full_name, command
        )
    identity = identity_of(sender, message.chat.id)
    hint = language_of(sender)
    if update.edited_message is not None:
        text = message.text if message.text is not None else message.caption
        if text is None:
            return Ignored("edit without text")
        return CustomerMessage(identity, Edited(str(message.message_id), text), hint)
    event = _message_event(message)
    if event is None:
        return Ignored("service message")
    return CustomerMessage(identity, event, hint)


def identity_of(user: User, chat_id: int) -> Identity:
    """Return the channel identity of a Telegram user."""
    return Identity(
        channel=CHANNEL,
        external_id=str(user.id),
        chat_id=str(chat_id),
        first_name=user.first_name or None,
        last_name=user.last_name or None,
        username=user.username or None,
    )


def language_of(user: User) -> Language | None:
    """Return the product language closest to the user's Telegram language."""
    code = (user.language_code or "").lower()
    if not code:
        return None
    return "de" if code.split("-")[0] == "de" else "en"


def _route_callback(update: Update) -> Routed:
    query = update.callback_query
    assert query is not None
    if query.from_user.is_bot:
        return Ignored("callback from a bot")
    message = query.message
    chat_id = message.chat.id if message is not None else query.from_user.id
    if message is not None and message.chat.type != "private":
        return Ignored("callback in a group")
    text = message.text if isinstance(message, Message) else None
    return CustomerMessage(
        identity_of(query.from_user, chat_id),
        Press(query.data or ""),
        language_of(query.from_user),
        PressedButton(query.id, message.message_id if message is not None else None, text),
    )


_COMMAND_ALIASES = {"weiter": "resume", "sprache": "language", "hilfe": "help"}


def _message_event(message: Message) -> Event | None:
    ref = str(message.message_id)
    if message.text is not None:
        command = _command(message)
        if command is not None:
            return command
        return Text(message.text, ref)
    kind = _non_text_kind(message)
    if kind is None:
        return None
    return NonText(kind, ref, caption=message.caption, attachment=_attachment(message))


def _command(message: Message) -> Command | None:
    entities = message.entities or ()
    text = message.text or ""
    if not entities or entities[0].type != "bot_command" or entities[0].offset != 0:
        return None
    head = text[: entities[0].length]
    name = head[1:].split("@", 1)[0].lower()
    argument = text[entities[0].length :].strip()
    return Command(_COMMAND_ALIASES.get(name, name), argument)


def _non_text_kind(message: Message) -> NonTextKind | None:
    kinds: list[tuple[object, NonTextKind]] = [
        (message.voice, "voice"),
        (message.video_note, "video_note"),
        (message.video, "video"),
        (message.animation, "video"),
        (message.audio, "audio"),
        (message.sticker, "sticker"),
        (message.photo, "photo"),
        (message.document, "document"),
        (message.location, "location"),
        (message.venue, "location"),
        (message.contact, "contact"),
    ]
    for value, kind in kinds:
        if value:
            return kind
    if message.poll or message.dice or message.game or message.story:
        return "other"
    return None


def _attachment(message: Message) -> dict[str, str]:
    """Keep Telegram's file ids (nothing is downloaded); never coordinates or phone numbers."""
    media = (
        message.voice
        or message.video_note
        or message.video
        or message.animation
        or message.audio
        or message.sticker
        or message.document
        or (message.photo[-1] if message.photo else None)
    )
    if media is None:
        return {}
    return {"file_id": media.file_id, "file_unique_id": media.file_unique_id}

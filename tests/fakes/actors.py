"""Fake customers and chats: they enqueue realistic updates and wait for the bot's answers."""

from __future__ import annotations

import asyncio
import re
from typing import TYPE_CHECKING, Any

from tests.fakes.records import BotMessage, ClickRef, SentRecord, UpdateRef

if TYPE_CHECKING:
    from collections.abc import Callable

    from tests.fakes.telegram_api import FakeTelegram

__all__ = ["FakeChat", "FakeUser"]

JSONDict = dict[str, Any]


class _ChatView:
    """Reading side shared by users (their private chat) and group chats."""

    def __init__(self, tg: FakeTelegram, chat_id: int) -> None:
        self.tg = tg
        self.chat_id = chat_id

    # -- what the bot sent --------------------------------------------------------------------
    @property
    def messages(self) -> list[BotMessage]:
        """Every message the bot created in this chat, oldest first (edits applied)."""
        return self.tg.messages(self.chat_id)

    @property
    def last_message(self) -> BotMessage:
        """The newest bot message in this chat (AssertionError if there is none)."""
        messages = self.messages
        if not messages:
            raise AssertionError(f"the bot sent nothing to chat {self.chat_id}")
        return messages[-1]

    @property
    def texts(self) -> list[str]:
        """Visible texts of all bot messages in this chat."""
        return [m.text for m in self.messages]

    def sent(self, method: str | None = None) -> list[SentRecord]:
        """Successful bot actions in this chat (sends, edits, chat actions, answers)."""
        return self.tg.sent(self.chat_id, method=method)

    def transcript(self) -> str:
        """The dialogue so far, one line per message ('>' customer, '<' bot)."""
        return self.tg.transcript(self.chat_id)

    @property
    def is_blocked(self) -> bool:
        """Whether sends to this chat currently get 403."""
        return self.tg.is_blocked(self.chat_id)

    # -- waiting ------------------------------------------------------------------------------
    def wait_for_message(
        self,
        containing: str | None = None,
        *,
        matching: str | re.Pattern[str] | None = None,
        where: Callable[[BotMessage], bool] | None = None,
        timeout: float = 10.0,
    ) -> BotMessage:
        """Wait for the next not yet consumed bot message here that matches; consume up to it.

        ``containing`` is a substring of the visible text, ``matching`` a regex searched in it,
        ``where`` any predicate. Without filters the next new message is returned.
        """
        return self.tg.wait_for_chat_message(
            self.chat_id, containing=containing, matching=matching, where=where, timeout=timeout
        )

    def wait_for_messages(self, n: int, *, timeout: float = 10.0) -> list[BotMessage]:
        """Wait until ``n`` unconsumed bot messages are here; consume and return exactly those."""
        return self.tg.wait_for_chat_messages(self.chat_id, n, timeout=timeout)

    def wait_for_edit(
        self,
        containing: str | None = None,
        *,
        message_id: int | None = None,
        timeout: float = 10.0,
    ) -> SentRecord:
        """Wait for the next not yet consumed edit (text or keyboard) of a bot message here."""
        return self.tg.wait_for_chat_edit(
            self.chat_id, containing=containing, message_id=message_id, timeout=timeout
        )

    def wait_for_callback_answer(self, click: ClickRef, *, timeout: float = 10.0) -> JSONDict:
        """Wait until the bot answered the callback query of ``click``; return the answer."""
        return self.tg.wait_for_callback_answer(click, timeout=timeout)

    def new_messages(self) -> list[BotMessage]:
        """Consume and return the bot messages not consumed yet, without waiting."""
        return self.tg.take_new_messages(self.chat_id)

    async def async_wait_for_message(
        self,
        containing: str | None = None,
        *,
        matching: str | re.Pattern[str] | None = None,
        where: Callable[[BotMessage], bool] | None = None,
        timeout: float = 10.0,  # noqa: ASYNC109 - mirrors the blocking wait
    ) -> BotMessage:
        """``wait_for_message`` that does not block the event loop (bot in the same loop)."""
        return await asyncio.to_thread(
            self.wait_for_message, containing, matching=matching, where=where, timeout=timeout
        )

    async def async_wait_for_messages(
        self,
        n: int,
        *,
        timeout: float = 10.0,  # noqa: ASYNC109 - mirrors the blocking wait
    ) -> list[BotMessage]:
        """``wait_for_messages`` that does not block the event loop."""
        return await asyncio.to_thread(self.wait_for_messages, n, timeout=timeout)


class FakeUser(_ChatView):
    """A Telegram user; its private chat with the bot has ``chat_id == id``."""

    def __init__(self, tg: FakeTelegram, info: JSONDict) -> None:
        super().__init__(tg, int(info["id"]))
        self.info = info

    def __repr__(self) -> str:
        return f"FakeUser(id={self.id}, first_name={self.first_name!r})"

    @property
    def id(self) -> int:
        """Telegram user id (== private chat id)."""
        return int(self.info["id"])

    @property
    def first_name(self) -> str:
        """First name as Telegram sends it."""
        return str(self.info["first_name"])

    @property
    def username(self) -> str | None:
        """@username without the @, if any."""
        value = self.info.get("username")
        return None if value is None else str(value)

    @property
    def language_code(self) -> str | None:
        """IETF language tag of the user's Telegram client."""
        value = self.info.get("language_code")
        return None if value is None else str(value)

    def to_dict(self) -> JSONDict:
        """The User object as it appears in updates."""
        return dict(self.info)

    def _chat(self, chat: FakeChat | int | None) -> int:
        if chat is None:
            return self.id
        return chat if isinstance(chat, int) else chat.chat_id

    # -- acting -------------------------------------------------------------------------------
    def send(
        self,
        text: str,
        *,
        chat: FakeChat | int | None = None,
        reply_to: int | None = None,
    ) -> UpdateRef:
        """Send a text message (commands get a bot_command entity), private chat by default."""
        return self.tg.post_message(
            self._chat(chat), self.to_dict(), self.tg.text_content(text), reply_to=reply_to
        )

    def click(
        self,
        label_or_data: str,
        *,
        message_id: int | None = None,
        chat: FakeChat | int | None = None,
    ) -> ClickRef:
        """Press a button: the newest bot message with an inline button of that label or
        callback_data gets a callback_query; a reply-keyboard button sends its text."""
        return self.tg.post_click(self._chat(chat), self.to_dict(), label_or_data, message_id)

    def edit(
        self, message_id: int, new_text: str, *, chat: FakeChat | int | None = None
    ) -> UpdateRef:
        """Edit one of this user's earlier messages (edited_message update)."""
        return self.tg.post_edit(self._chat(chat), self.to_dict(), message_id, new_text)

    def send_sticker(self, emoji: str = "👍", *, chat: FakeChat | int | None = None) -> UpdateRef:
        """Send a sticker."""
        return self._send_content(self.tg.media_content("sticker", emoji=emoji), chat)

    def send_voice(
        self, duration: int = 4, content: bytes | None = None, *, chat: FakeChat | int | None = None
    ) -> UpdateRef:
        """Send a voice message."""
        return self._send_content(
            self.tg.media_content("voice", duration=duration, content=content), chat
        )

    def send_video_note(
        self, duration: int = 6, *, chat: FakeChat | int | None = None
    ) -> UpdateRef:
        """Send a round video note."""
        return self._send_content(self.tg.media_content("video_note", duration=duration), chat)

    def send_photo(
        self, caption: str | None = None, *, chat: FakeChat | int | None = None
    ) -> UpdateRef:
        """Send a photo (three sizes, like Telegram), optionally with a caption."""
        return self._send_content(self.tg.media_content("photo", caption=caption), chat)

    def send_document(
        self,
        caption: str | None = None,
        *,
        file_name: str = "notes.txt",
        content: bytes = b"some notes\n",
        mime_type: str = "text/plain",
        chat: FakeChat | int | None = None,
    ) -> UpdateRef:
        """Send a document (its bytes can be fetched through getFile)."""
        media = self.tg.media_content(
            "document", caption=caption, file_name=file_name, content=content, mime_type=mime_type
        )
        return self._send_content(media, chat)

    def send_location(
        self,
        latitude: float = 52.520008,
        longitude: float = 13.404954,
        *,
        chat: FakeChat | int | None = None,
    ) -> UpdateRef:
        """Send a location (Berlin by default)."""
        return self._send_content(
            {"location": {"latitude": latitude, "longitude": longitude}}, chat
        )

    def send_contact(
        self,
        phone_number: str = "+4915112345678",
        first_name: str | None = None,
        *,
        own: bool = True,
        chat: FakeChat | int | None = None,
    ) -> UpdateRef:
        """Send a contact card (by default the user's own, as the share-phone button does)."""
        contact: JSONDict = {
            "phone_number": phone_number,
            "first_name": first_name or self.first_name,
        }
        if own:
            contact["user_id"] = self.id
            if self.info.get("last_name"):
                contact["last_name"] = self.info["last_name"]
        return self._send_content({"contact": contact}, chat)

    def _send_content(self, content: JSONDict, chat: FakeChat | int | None) -> UpdateRef:
        return self.tg.post_message(self._chat(chat), self.to_dict(), content)

    def block_bot(self) -> UpdateRef:
        """Block the bot: sends get 403 and a my_chat_member update (status kicked) is queued."""
        return self.tg.set_blocked_by_user(self.id, blocked=True)

    def unblock_bot(self) -> UpdateRef:
        """Unblock the bot (my_chat_member update with status member)."""
        return self.tg.set_blocked_by_user(self.id, blocked=False)

    def command_menu(self) -> list[JSONDict]:
        """The commands this user's client shows in the private chat (Telegram's scope rules)."""
        return self.tg.command_menu(self.id, self.language_code or "")


class FakeChat(_ChatView):
    """A group, supergroup or channel the bot is in."""

    def __init__(self, tg: FakeTelegram, info: JSONDict) -> None:
        super().__init__(tg, int(info["id"]))
        self.info = info

    def __repr__(self) -> str:
        return f"FakeChat(id={self.chat_id}, type={self.type!r}, title={self.info.get('title')!r})"

    @property
    def type(self) -> str:
        """ "group", "supergroup", "channel" or "private"."""
        return str(self.info["type"])

    def to_dict(self) -> JSONDict:
        """The Chat object as it appears in updates."""
        return dict(self.info)

    def send(self, text: str, *, from_user: FakeUser, reply_to: int | None = None) -> UpdateRef:
        """A member writes in this group (``from_user`` may be a bot: ``is_bot`` true)."""
        return self.tg.post_message(
            self.chat_id, from_user.to_dict(), self.tg.text_content(text), reply_to=reply_to
        )

    def post(self, text: str) -> UpdateRef:
        """A channel post (channel_post update, no ``from``)."""
        return self.tg.post_message(self.chat_id, None, self.tg.text_content(text))

    def add_bot(self, by: FakeUser) -> UpdateRef:
        """``by`` adds the bot to this chat (my_chat_member update)."""
        return self.tg.post_my_chat_member(self.chat_id, by.to_dict(), "left", "member")

    def remove_bot(self, by: FakeUser) -> UpdateRef:
        """``by`` removes the bot: sends get 403 from now on (my_chat_member update)."""
        return self.tg.post_my_chat_member(self.chat_id, by.to_dict(), "member", "kicked")

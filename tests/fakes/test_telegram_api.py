"""Tests of the fake Telegram Bot API, driven through python-telegram-bot's real ``Bot``."""

from __future__ import annotations

import asyncio
import datetime as dtm
import io
import json
import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from telegram import Bot as PTBBot
from telegram import (
    BotCommand,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    LinkPreviewOptions,
    ReplyKeyboardMarkup,
    ReplyParameters,
)
from telegram.error import (
    BadRequest,
    Conflict,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TimedOut,
)
from telegram.request import HTTPXRequest

from tests.fakes import FakeTelegram, RateLimits, parse_text
from tests.fakes.formatting import EntityParseError

# RetryAfter.retry_after and Voice.duration warn about their future timedelta type.
pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")

REPO_ROOT = Path(__file__).resolve().parents[2]
KEYBOARD = InlineKeyboardMarkup(
    [
        [InlineKeyboardButton("Ja", callback_data="consent:yes")],
        [InlineKeyboardButton("Nein", callback_data="consent:no")],
    ]
)


@pytest.fixture
def tg() -> Iterator[FakeTelegram]:
    with FakeTelegram() as fake:
        yield fake


@pytest.fixture
async def bot(tg: FakeTelegram) -> AsyncIterator[PTBBot]:
    request = HTTPXRequest(connection_pool_size=8, read_timeout=5)
    async with PTBBot(
        tg.token,
        base_url=tg.base_url,
        base_file_url=tg.base_file_url,
        request=request,
        get_updates_request=HTTPXRequest(read_timeout=5),
    ) as b:
        yield b


def seconds(value: int | dtm.timedelta) -> int:
    """RetryAfter.retry_after is an int or a timedelta depending on PTB settings."""
    return int(value.total_seconds()) if isinstance(value, dtm.timedelta) else int(value)


# ---------------------------------------------------------------------------------------------
# basics
# ---------------------------------------------------------------------------------------------
async def test_get_me_and_wrong_token(tg: FakeTelegram, bot: PTBBot) -> None:
    assert bot.username == "needfinder_test_bot"
    assert bot.id == 123456
    with pytest.raises(InvalidToken, match="rejected by the server"):
        async with PTBBot("123456:WRONG", base_url=tg.base_url):
            pass
    assert tg.requests("getMe")[-1].status == 401


async def test_send_message_with_inline_keyboard(tg: FakeTelegram, bot: PTBBot) -> None:
    anna = tg.user(first_name="Anna", language_code="de")
    sent = await bot.send_message(
        anna.id,
        "<b>Hallo Anna</b> &amp; willkommen &lt;3",
        parse_mode="HTML",
        reply_markup=KEYBOARD,
        link_preview_options=LinkPreviewOptions(is_disabled=True),
    )
    assert sent.text == "Hallo Anna & willkommen <3"
    assert sent.entities[0].type == "bold" and sent.entities[0].length == len("Hallo Anna")
    assert sent.from_user is not None and sent.from_user.is_bot
    assert sent.reply_markup == KEYBOARD
    assert sent.message_id == 1

    msg = anna.wait_for_message(containing="willkommen")
    assert msg.message_id == sent.message_id
    assert msg.raw_text == "<b>Hallo Anna</b> &amp; willkommen &lt;3"
    assert msg.parse_mode == "HTML"
    assert msg.buttons == [["Ja"], ["Nein"]]
    assert msg.callback_data("Nein") == "consent:no"
    assert msg.params["link_preview_options"] == {"is_disabled": True}
    # Per-chat message ids, shared by customer and bot messages like on Telegram.
    ref = anna.send("hi")
    assert ref.message_id == 2
    second = await bot.send_message(
        anna.id, "reply", reply_parameters=ReplyParameters(ref.message_id)
    )
    assert second.message_id == 3
    assert second.reply_to_message is not None and second.reply_to_message.text == "hi"
    with pytest.raises(BadRequest, match=r"(?i)message to be replied not found"):
        await bot.send_message(anna.id, "x", reply_parameters=ReplyParameters(999))
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.send_message(42, "nobody here")


async def test_text_is_validated(tg: FakeTelegram, bot: PTBBot) -> None:
    anna = tg.user()
    with pytest.raises(BadRequest, match=r"(?i)message text is empty"):
        await bot.send_message(anna.id, "   ")
    with pytest.raises(BadRequest, match=r"(?i)message is too long"):
        await bot.send_message(anna.id, "x" * 4097)
    await bot.send_message(anna.id, "x" * 4096)
    # The limit applies to the visible text, after HTML parsing.
    await bot.send_message(anna.id, "<b>" + "x" * 4096 + "</b>", parse_mode="HTML")
    with pytest.raises(BadRequest, match=r"(?i)BUTTON_DATA_INVALID"):
        markup = InlineKeyboardMarkup([[InlineKeyboardButton("long", callback_data="x" * 65)]])
        await bot.send_message(anna.id, "hi", reply_markup=markup)
    assert len(anna.messages) == 2


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("a < b", 'Unsupported start tag ""'),
        ("1 <br> 2", 'Unsupported start tag "br"'),
        ("<b>bold", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b><i>x</b></i>", 'Unmatched end tag at byte offset 7, expected "</i>", found "</b>"'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("Tom & Jerry", 'Character "&" at byte offset 4'),
        ("a > b", 'Character ">" at byte offset 2'),
        ('<span class="x">s</span>', 'Tag "span" must have class "tg-spoiler"'),
    ],
)
async def test_html_validation_rejects_unescaped_markup(
    tg: FakeTelegram, bot: PTBBot, text: str, error: str
) -> None:
    anna = tg.user()
    with pytest.raises(BadRequest, match=r"(?i)can't parse entities") as info:
        await bot.send_message(anna.id, text, parse_mode="HTML")
    assert error.lower() in str(info.value).lower()
    assert anna.messages == []
    assert tg.requests("sendMessage")[-1].status == 400


def test_html_parsing_produces_telegram_entities() -> None:
    parsed = parse_text(
        '😀 <b>fett <i>kursiv</i></b> <a href="https://x.org/?a=1&amp;b=2">Link</a> '
        '<pre><code class="language-python">x &lt; 1</code></pre> &#128512;&quot;',
        "HTML",
    )
    assert parsed.text == '😀 fett kursiv Link x < 1 😀"'
    # Offsets are UTF-16 code units: the emoji counts 2.
    assert parsed.entities == [
        {"offset": 3, "length": 11, "type": "bold"},
        {"offset": 8, "length": 6, "type": "italic"},
        {"offset": 15, "length": 4, "type": "text_link", "url": "https://x.org/?a=1&b=2"},
        {"offset": 20, "length": 5, "type": "pre", "language": "python"},
    ]
    assert parse_text("Tom & Jerry > 3", "HTML", strict=False).text == "Tom & Jerry > 3"
    assert parse_text(r"*fett* und \. \(ok\)", "MarkdownV2").text == "fett und . (ok)"
    with pytest.raises(EntityParseError, match=r"Character '\.' is reserved"):
        parse_text("Ende.", "MarkdownV2")
    with pytest.raises(EntityParseError, match="Can't find end of bold entity"):
        parse_text("*offen", "MarkdownV2")


async def test_markdown_v2_validation(tg: FakeTelegram, bot: PTBBot) -> None:
    anna = tg.user()
    with pytest.raises(BadRequest, match=r"(?i)reserved and must be escaped"):
        await bot.send_message(anna.id, "Danke!", parse_mode="MarkdownV2")
    sent = await bot.send_message(anna.id, r"*Danke\!*", parse_mode="MarkdownV2")
    assert sent.text == "Danke!"


# ---------------------------------------------------------------------------------------------
# getUpdates
# ---------------------------------------------------------------------------------------------
async def test_get_updates_offset_and_limit(tg: FakeTelegram, bot: PTBBot) -> None:
    anna = tg.user()
    refs = [anna.send(f"msg {i}") for i in range(5)]
    assert [r.update_id for r in refs] == sorted({r.update_id for r in refs})

    first = await bot.get_updates(limit=2)
    assert [u.update_id for u in first] == [refs[0].update_id, refs[1].update_id]
    # Without a new offset nothing is confirmed: the same updates come again.
    again = await bot.get_updates(limit=2)
    assert [u.update_id for u in again] == [u.update_id for u in first]
    # An offset confirms (and drops) everything below it.
    rest = await bot.get_updates(offset=first[-1].update_id + 1)
    assert [u.message.text for u in rest if u.message] == ["msg 2", "msg 3", "msg 4"]
    assert len(tg.pending_updates()) == 3
    # A negative offset keeps only the last -offset updates.
    last = await bot.get_updates(offset=-1)
    assert [u.update_id for u in last] == [refs[-1].update_id]
    assert await bot.get_updates(offset=refs[-1].update_id + 1) == ()
    tg.wait_for_updates_consumed(timeout=1)
    assert tg.stats().updates_delivered == 5


async def test_long_poll_returns_when_an_update_arrives(tg: FakeTelegram, bot: PTBBot) -> None:
    anna = tg.user()
    started = time.monotonic()
    poll = asyncio.create_task(bot.get_updates(timeout=8, allowed_updates=["message"]))
    await tg.async_wait_for(lambda: tg.pending_polls == 1, timeout=5)
    ref = anna.send("jetzt")
    updates = await poll
    assert time.monotonic() - started < 4
    assert [u.update_id for u in updates] == [ref.update_id]
    assert tg.allowed_updates == ["message"]
    # With nothing to deliver the long poll runs to its timeout and answers [].
    started = time.monotonic()
    assert await bot.get_updates(offset=ref.update_id + 1, timeout=dtm.timedelta(seconds=0.3)) == ()
    assert time.monotonic() - started >= 0.25


async def test_allowed_updates_filter_drops_other_kinds(tg: FakeTelegram, bot: PTBBot) -> None:
    anna = tg.user()
    await bot.send_message(anna.id, "Frage?", reply_markup=KEYBOARD)
    anna.click("Ja")
    ref = anna.send("text")
    updates = await bot.get_updates(allowed_updates=["message"])
    assert [u.update_id for u in updates] == [ref.update_id]


async def test_second_poller_terminates_the_first_with_conflict(
    tg: FakeTelegram, bot: PTBBot
) -> None:
    first = asyncio.create_task(bot.get_updates(timeout=8))
    await tg.async_wait_for(lambda: tg.pending_polls == 1, timeout=5)
    second = asyncio.create_task(bot.get_updates(timeout=dtm.timedelta(seconds=0.2)))
    with pytest.raises(Conflict, match=r"(?i)terminated by other getUpdates request"):
        await first
    assert await second == ()


async def test_webhook_blocks_get_updates_until_deleted(tg: FakeTelegram, bot: PTBBot) -> None:
    await bot.set_webhook("https://example.org/hook", secret_token="s3cret")
    assert tg.webhook["url"] == "https://example.org/hook"
    with pytest.raises(Conflict, match=r"(?i)webhook is active"):
        await bot.get_updates()
    tg.user().send("pending")
    assert await bot.delete_webhook(drop_pending_updates=True)
    assert await bot.get_updates() == ()


async def test_redelivery_and_duplicate_updates(tg: FakeTelegram, bot: PTBBot) -> None:
    anna = tg.user()
    a = anna.send("eins")
    batch = await bot.get_updates()
    tg.redeliver_next_batch()
    b = anna.send("zwei")
    batch = await bot.get_updates(offset=batch[-1].update_id + 1)
    # The confirmed update comes again, like after a Telegram glitch.
    assert [u.update_id for u in batch] == [a.update_id, b.update_id]

    assert await bot.get_updates(offset=b.update_id + 1) == ()
    tg.duplicate_updates(True)
    c = anna.send("drei")
    seen = [u.update_id for u in await bot.get_updates(offset=b.update_id + 1)]
    seen += [u.update_id for u in await bot.get_updates(offset=c.update_id + 1)]
    assert seen == [c.update_id, c.update_id]
    assert await bot.get_updates(offset=c.update_id + 1) == ()


# ---------------------------------------------------------------------------------------------
# customers
# ---------------------------------------------------------------------------------------------
async def test_click_round_trip(tg: FakeTelegram, bot: PTBBot) -> None:
    anna = tg.user(first_name="Anna")
    sent = await bot.send_message(anna.id, "Einverstanden?", reply_markup=KEYBOARD)
    click = anna.click("Ja")
    assert click.data == "consent:yes" and click.message_id == sent.message_id
    (update,) = await bot.get_updates()
    query = update.callback_query
    assert query is not None and query.data == "consent:yes"
    assert query.from_user.id == anna.id
    assert query.message is not None and query.message.message_id == sent.message_id
    assert query.id == click.query_id

    await query.answer("Danke!")
    assert anna.wait_for_callback_answer(click, timeout=2)["text"] == "Danke!"
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await query.answer()

    # Editing without reply_markup removes the keyboard, as on Telegram.
    await bot.edit_message_text("Danke für dein Ja.", chat_id=anna.id, message_id=sent.message_id)
    edit = anna.wait_for_edit(containing="Danke", timeout=2)
    assert edit.method == "editMessageText"
    assert anna.messages[0].text == "Danke für dein Ja." and anna.messages[0].buttons == []
    with pytest.raises(AssertionError, match="no button 'Ja'"):
        anna.click("Ja")
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_text(
            "Danke für dein Ja.", chat_id=anna.id, message_id=sent.message_id
        )
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await bot.edit_message_text("x", chat_id=anna.id, message_id=99)

    await bot.edit_message_reply_markup(anna.id, sent.message_id, reply_markup=KEYBOARD)
    assert anna.click("consent:no").data == "consent:no"


async def test_reply_keyboard_click_sends_text(tg: FakeTelegram, bot: PTBBot) -> None:
    anna = tg.user()
    markup = ReplyKeyboardMarkup([[KeyboardButton("Täglich"), KeyboardButton("Wöchentlich")]])
    await bot.send_message(anna.id, "Wie oft?", reply_markup=markup)
    assert anna.last_message.buttons == [["Täglich", "Wöchentlich"]]
    click = anna.click("Wöchentlich")
    assert click.query_id is None
    (update,) = await bot.get_updates()
    assert update.message is not None and update.message.text == "Wöchentlich"


async def test_customer_updates_parse_as_ptb_objects(tg: FakeTelegram, bot: PTBBot) -> None:
    anna = tg.user(first_name="Anna", last_name="Muster", username="anna_m", language_code="de")
    helper_bot = tg.user(first_name="OtherBot", username="other_bot", is_bot=True)
    group = tg.group("Kundenrat", supergroup=True)
    channel = tg.channel("News", username="needfinder_news")

    start = anna.send("/start kampagne-7")
    anna.send_sticker()
    anna.send_voice(duration=7)
    anna.send_video_note()
    anna.send_photo(caption="Mein Laden")
    anna.send_document(caption="Notizen", file_name="notes.txt", content=b"hello")
    anna.send_location()
    anna.send_contact()
    anna.edit(start.message_id or 0, "/start kampagne-8")
    anna.send("/help@needfinder_test_bot", chat=group)
    group.send("beep", from_user=helper_bot)
    channel.post("Neuigkeiten")

    updates = await bot.get_updates()
    assert len(updates) == 12
    msgs = [u.effective_message for u in updates]
    assert all(m is not None for m in msgs)
    first = updates[0].message
    assert first is not None and first.text == "/start kampagne-7"
    assert first.entities[0].type == "bot_command" and first.entities[0].length == len("/start")
    assert first.from_user is not None and first.from_user.language_code == "de"
    assert first.chat.type == "private" and first.chat.username == "anna_m"
    assert updates[1].message and updates[1].message.sticker and updates[1].message.sticker.emoji
    assert updates[2].message and updates[2].message.voice and updates[2].message.voice.duration
    assert updates[3].message and updates[3].message.video_note
    photo_msg = updates[4].message
    assert photo_msg and len(photo_msg.photo) == 3 and photo_msg.caption == "Mein Laden"
    doc = updates[5].message and updates[5].message.document
    assert doc and doc.file_name == "notes.txt" and doc.file_id.startswith("BQAC")
    assert updates[6].message and updates[6].message.location
    contact_msg = updates[7].message
    assert contact_msg and contact_msg.contact and contact_msg.contact.user_id == anna.id
    edited = updates[8].edited_message
    assert edited and edited.text == "/start kampagne-8" and edited.message_id == start.message_id
    group_msg = updates[9].message
    assert group_msg and group_msg.chat.type == "supergroup"
    assert group_msg.entities[0].length == len("/help@needfinder_test_bot")
    bot_msg = updates[10].message
    assert bot_msg and bot_msg.from_user and bot_msg.from_user.is_bot
    post = updates[11].channel_post
    assert post and post.sender_chat and post.sender_chat.id == channel.chat_id

    # Files customers sent can be downloaded like on Telegram.
    file = await bot.get_file(doc.file_id)
    assert bytes(await file.download_as_bytearray()) == b"hello"


async def test_groups_channels_and_get_chat(tg: FakeTelegram, bot: PTBBot) -> None:
    channel = tg.channel("News", username="needfinder_news")
    group = tg.group("Team")
    posted = await bot.send_message("@needfinder_news", "Digest Oktober")
    assert posted.chat.id == channel.chat_id and posted.sender_chat is not None
    assert channel.wait_for_message(containing="Digest").message_id == posted.message_id
    await bot.send_message(group.chat_id, "Neuer Dialog fertig")
    full = await bot.get_chat(group.chat_id)
    assert full.title == "Team" and full.type == "group"
    anna = tg.user(first_name="Anna")
    assert (await bot.get_chat(anna.id)).first_name == "Anna"


async def test_send_document_upload_is_readable(tg: FakeTelegram, bot: PTBBot) -> None:
    anna = tg.user()
    export = {"dialogues": [{"id": 1, "answers": ["Öffnungszeiten"]}]}
    data = json.dumps(export, ensure_ascii=False).encode()
    sent = await bot.send_document(
        anna.id,
        document=io.BytesIO(data),
        filename="export.json",
        caption="Deine Daten (<i>JSON</i>)",
        parse_mode="HTML",
    )
    assert sent.document is not None and sent.document.file_name == "export.json"
    assert sent.caption == "Deine Daten (JSON)"
    msg = anna.wait_for_message(containing="Deine Daten")
    assert msg.document is not None
    assert msg.document.filename == "export.json"
    assert msg.document.json() == export
    assert tg.uploaded_files(anna.id)[0].content == data
    # Re-sending by file_id works without a new upload.
    again = await bot.send_document(anna.id, sent.document.file_id)
    assert (
        again.document is not None and again.document.file_unique_id == sent.document.file_unique_id
    )


async def test_commands_are_stored_per_scope_and_language(tg: FakeTelegram, bot: PTBBot) -> None:
    anna = tg.user(language_code="de")
    bob = tg.user(first_name="Bob", language_code="en")
    await bot.set_my_commands([BotCommand("start", "Start"), BotCommand("help", "Help")])
    await bot.set_my_commands(
        [BotCommand("start", "Los geht's"), BotCommand("hilfe", "Hilfe")],
        scope=BotCommandScopeAllPrivateChats(),
        language_code="de",
    )
    await bot.set_my_commands([BotCommand("stop", "Stopp")], scope=BotCommandScopeChat(anna.id))
    assert [c.command for c in await bot.get_my_commands()] == ["start", "help"]
    assert [c["command"] for c in tg.commands("all_private_chats", "de")] == ["start", "hilfe"]
    assert tg.commands("all_private_chats", "en") == []
    assert [c["command"] for c in anna.command_menu()] == ["stop"]
    assert [c["command"] for c in bob.command_menu()] == ["start", "help"]
    await bot.delete_my_commands(scope=BotCommandScopeChat(anna.id))
    assert [c["command"] for c in anna.command_menu()] == ["start", "hilfe"]
    with pytest.raises(BadRequest, match=r"(?i)BOT_COMMAND_INVALID"):
        await bot.set_my_commands([BotCommand("Start", "upper case is invalid")])


# ---------------------------------------------------------------------------------------------
# faults
# ---------------------------------------------------------------------------------------------
async def test_429_surfaces_as_retry_after(tg: FakeTelegram, bot: PTBBot) -> None:
    anna = tg.user()
    tg.fail_next("sendMessage", status=429, retry_after=3, times=2)
    for _ in range(2):
        with pytest.raises(RetryAfter) as info:
            await bot.send_message(anna.id, "hallo")
        assert seconds(info.value.retry_after) == 3
    await bot.send_message(anna.id, "hallo")
    assert anna.texts == ["hallo"]  # failed calls had no effect
    assert [r.status for r in tg.requests("sendMessage")] == [429, 429, 200]
    assert tg.stats().injected_faults == 2


async def test_403_when_blocked(tg: FakeTelegram, bot: PTBBot) -> None:
    anna = tg.user()
    tg.block(anna.id)
    with pytest.raises(Forbidden, match=r"(?i)bot was blocked by the user"):
        await bot.send_message(anna.id, "hallo")
    with pytest.raises(Forbidden):
        await bot.send_chat_action(anna.id, "typing")
    tg.unblock(anna.id)
    await bot.send_message(anna.id, "hallo")

    # Blocking from the customer's side also produces the my_chat_member update.
    ref = anna.block_bot()
    (update,) = await bot.get_updates()
    assert update.update_id == ref.update_id
    assert update.my_chat_member is not None
    assert update.my_chat_member.new_chat_member.status == "kicked"
    with pytest.raises(Forbidden):
        await bot.send_message(anna.id, "noch da?")
    assert anna.is_blocked


async def test_502_is_network_error_with_html_body(tg: FakeTelegram, bot: PTBBot) -> None:
    anna = tg.user()
    tg.fail_next("sendMessage", status=502, times=2)
    for _ in range(2):
        with pytest.raises(NetworkError, match=r"(?i)Bad Gateway") as info:
            await bot.send_message(anna.id, "hallo")
        assert not isinstance(info.value, BadRequest | Forbidden)
    await bot.send_message(anna.id, "hallo")
    async with httpx.AsyncClient() as client:
        tg.fail_next("getMe", status=502)
        response = await client.post(f"{tg.base_url}{tg.token}/getMe")
    assert response.status_code == 502
    assert response.headers["content-type"].startswith("text/html")
    assert "<h1>502 Bad Gateway</h1>" in response.text


async def test_delay_makes_client_time_out_and_retry_duplicates(
    tg: FakeTelegram, bot: PTBBot
) -> None:
    anna = tg.user()
    tg.delay_next("sendMessage", seconds=0.4)
    with pytest.raises(TimedOut):
        await bot.send_message(anna.id, "einmal", read_timeout=0.1)
    await bot.send_message(anna.id, "einmal")  # the naive retry
    # The delayed call still lands on "Telegram": the customer sees the text twice.
    anna.wait_for_messages(2, timeout=5)
    (dupes,) = tg.duplicate_sends()
    assert [r.params["text"] for r in dupes] == ["einmal", "einmal"]

    tg.delay_next("sendMessage", seconds=0.3, drop=True)
    with pytest.raises(TimedOut):
        await bot.send_message(anna.id, "verloren", read_timeout=0.1)
    tg.wait_until_idle(quiet=0.05, timeout=5)
    assert "verloren" not in anna.texts


async def test_rate_limits_like_telegram(tg: FakeTelegram, bot: PTBBot) -> None:
    tg.set_rate_limits(RateLimits(global_per_second=30, private_burst=3, group_per_minute=20))
    # 30 messages per second overall: 40 sends at once to 40 customers, 10 get 429.
    users = [tg.user() for _ in range(40)]

    async def send(user_id: int) -> str:
        try:
            await bot.send_message(user_id, "hi")
        except RetryAfter as exc:
            return f"429:{seconds(exc.retry_after)}"
        return "ok"

    results = await asyncio.gather(*(send(u.id) for u in users))
    assert results.count("ok") == 30
    assert results.count("429:1") == 10

    tg.set_rate_limits(RateLimits(private_burst=3, group_per_minute=20))  # fresh counters
    anna = users[0]
    for i in range(3):  # the first send above used no token of the fresh bucket
        await bot.send_message(anna.id, f"burst {i}")
    with pytest.raises(RetryAfter) as info:
        await bot.send_message(anna.id, "one too many")
    assert seconds(info.value.retry_after) == 1

    group = tg.group("Team")
    for i in range(20):
        await bot.send_message(group.chat_id, f"g{i}")
    with pytest.raises(RetryAfter) as info:
        await bot.send_message(group.chat_id, "g20")
    assert 50 <= seconds(info.value.retry_after) <= 60

    stats = tg.stats()
    assert stats.rate_limited == 12
    assert stats.peak_sends_per_group_minute == 20
    assert len(group.messages) == 20


# ---------------------------------------------------------------------------------------------
# waiting, recording, plumbing
# ---------------------------------------------------------------------------------------------
def test_wait_timeout_explains_the_state(tg: FakeTelegram) -> None:
    anna = tg.user(first_name="Anna")
    anna.send("/start")
    with pytest.raises(AssertionError) as info:
        anna.wait_for_message(containing="Willkommen", timeout=0.1)
    text = str(info.value)
    assert "containing 'Willkommen'" in text
    assert "'/start'" in text
    assert "getUpdates: never called" in text
    assert "updates pending (not confirmed by an offset): 1" in text


async def test_in_process_bot_with_async_waits(tg: FakeTelegram, bot: PTBBot) -> None:
    """A bot loop in the test's own event loop: the async waits keep that loop running."""
    anna = tg.user()

    async def echo_bot() -> None:
        offset = None
        while True:
            for update in await bot.get_updates(offset=offset, timeout=5):
                offset = update.update_id + 1
                if update.message and update.message.text:
                    await bot.send_chat_action(update.message.chat_id, "typing")
                    await update.message.reply_text(f"Echo: {update.message.text}")

    task = asyncio.create_task(echo_bot())
    try:
        anna.send("eins")
        anna.send("zwei")
        first = await anna.async_wait_for_message(containing="eins", timeout=5)
        (second,) = await anna.async_wait_for_messages(1, timeout=5)
        assert (first.text, second.text) == ("Echo: eins", "Echo: zwei")
        assert [r.method for r in anna.sent()] == ["sendChatAction", "sendMessage"] * 2
        assert "Echo: zwei" in anna.transcript()
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task


async def test_plain_json_and_form_bodies(tg: FakeTelegram) -> None:
    anna = tg.user()
    url = f"{tg.base_url}{tg.token}"
    markup = {"inline_keyboard": [[{"text": "OK", "callback_data": "ok"}]]}
    async with httpx.AsyncClient() as client:
        r1 = await client.post(
            f"{url}/sendMessage", json={"chat_id": anna.id, "text": "123", "reply_markup": markup}
        )
        r2 = await client.post(
            f"{url}/sendmessage",
            data={"chat_id": str(anna.id), "text": "456", "reply_markup": json.dumps(markup)},
        )
        r3 = await client.get(f"{url}/sendMessage", params={"chat_id": anna.id, "text": "true"})
        r4 = await client.post(f"{url}/noSuchMethod")
    assert r1.json()["result"]["text"] == "123"  # a numeric-looking text stays a string
    assert r2.json()["result"]["reply_markup"] == markup
    assert r3.json()["result"]["text"] == "true"
    assert r4.status_code == 404 and r4.json() == {
        "ok": False,
        "error_code": 404,
        "description": "Not Found",
    }
    assert [m.text for m in anna.messages] == ["123", "456", "true"]


def test_custom_method_handler_and_reset(tg: FakeTelegram) -> None:
    tg.on("getStarTransactions", lambda params: {"transactions": []})
    response = httpx.post(f"{tg.base_url}{tg.token}/getStarTransactions")
    assert response.json() == {"ok": True, "result": {"transactions": []}}
    anna = tg.user()
    anna.send("hi")
    tg.reset()
    assert tg.requests() == [] and tg.pending_updates() == []
    assert tg.stats().requests == 0


def test_fixture_from_plugin(fake_telegram: FakeTelegram) -> None:
    response = httpx.post(f"{fake_telegram.base_url}{fake_telegram.token}/getMe")
    assert response.json()["result"]["username"] == "needfinder_test_bot"
    assert fake_telegram.env() == {
        "NEEDFINDER_TELEGRAM_API_URL": fake_telegram.base_url,
        "TELEGRAM_BOT_TOKEN": "123456:TEST",
    }


def test_standalone_process_with_control_api() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.fakes.telegram_api", "--port", "0"],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
    )
    try:
        assert proc.stdout is not None
        base_url = proc.stdout.readline().strip()
        assert base_url.startswith("http://127.0.0.1:") and base_url.endswith("/bot")
        root = base_url.removesuffix("/bot")
        with httpx.Client(timeout=5) as client:
            assert client.post(f"{base_url}123456:TEST/getMe").json()["ok"] is True
            sent = client.post(f"{root}/_fake/send", json={"user_id": 77, "text": "/start"}).json()
            updates = client.post(f"{base_url}123456:TEST/getUpdates").json()["result"]
            assert updates[0]["update_id"] == sent["result"]["update_id"]
            client.post(
                f"{base_url}123456:TEST/sendMessage", data={"chat_id": "77", "text": "Hallo"}
            )
            stats = client.get(
                f"{root}/_fake/wait", params={"messages_sent": 1, "timeout": 5}
            ).json()
            assert stats["result"]["messages_sent"] == 1
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    assert proc.returncode == 0

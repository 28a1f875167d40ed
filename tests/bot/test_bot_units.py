"""The pure parts of the Telegram adapter: update mapping, rendering, sending limits."""

from __future__ import annotations

from typing import Any

import pytest

from bot.limits import SendLimits, Spacing, TokenBucket
from bot.mapping import (
    CustomerMessage,
    GroupActivity,
    Ignored,
    PressedButton,
    UnreadableUpdate,
    chat_key,
    route,
)
from bot.render import MAX_MESSAGE, escape, render, split_text, utf16_length
from conversations.events import (
    Action,
    Button,
    ButtonsChanged,
    Command,
    Edited,
    NonText,
    Notice,
    Press,
    Reply,
    Text,
)
from conversations.transcript import Identity
from needfinder.app.dialogues import Handled

USER = {
    "id": 42,
    "is_bot": False,
    "first_name": "Anna",
    "last_name": "B",
    "username": "ab",
    "language_code": "de-DE",
}
PRIVATE = {"id": 42, "type": "private", "first_name": "Anna"}


def message(**fields: Any) -> dict[str, Any]:
    return {
        "update_id": 1,
        "message": {"message_id": 7, "date": 1, "chat": PRIVATE, "from": USER, **fields},
    }


def test_text_and_commands() -> None:
    routed = route(message(text="Hallo"))
    assert isinstance(routed, CustomerMessage)
    assert routed.event == Text("Hallo", "7") and routed.language_hint == "de"
    assert routed.identity == Identity("telegram", "42", "42", "Anna", "B", "ab")
    start = route(
        message(
            text="/start contact--fair",
            entities=[{"type": "bot_command", "offset": 0, "length": 6}],
        )
    )
    assert isinstance(start, CustomerMessage) and start.event == Command("start", "contact--fair")
    addressed = route(
        message(
            text="/Pause@needfinder_bot",
            entities=[{"type": "bot_command", "offset": 0, "length": 21}],
        )
    )
    assert isinstance(addressed, CustomerMessage) and addressed.event == Command("pause", "")
    # A slash inside text is just text.
    assert isinstance(route(message(text="and/or")), CustomerMessage)


def test_media_becomes_typed_non_text_with_file_ids_only() -> None:
    voice = route(message(voice={"file_id": "V1", "file_unique_id": "U1", "duration": 3}))
    assert isinstance(voice, CustomerMessage)
    assert voice.event == NonText("voice", "7", None, {"file_id": "V1", "file_unique_id": "U1"})
    photo = route(
        message(
            photo=[
                {"file_id": "small", "file_unique_id": "s", "width": 1, "height": 1},
                {"file_id": "big", "file_unique_id": "b", "width": 9, "height": 9},
            ],
            caption="our shop",
        )
    )
    assert isinstance(photo, CustomerMessage)
    assert photo.event == NonText(
        "photo", "7", "our shop", {"file_id": "big", "file_unique_id": "b"}
    )
    place = route(message(location={"latitude": 51.3, "longitude": 9.5}))
    assert isinstance(place, CustomerMessage) and place.event == NonText("location", "7", None, {})
    card = route(message(contact={"phone_number": "+49 170 1234567", "first_name": "X"}))
    assert isinstance(card, CustomerMessage) and card.event == NonText("contact", "7", None, {})


def test_edits_callbacks_groups_bots() -> None:
    edit = {
        "update_id": 2,
        "edited_message": {
            "message_id": 7,
            "date": 1,
            "edit_date": 2,
            "chat": PRIVATE,
            "from": USER,
            "text": "fixed",
        },
    }
    routed = route(edit)
    assert isinstance(routed, CustomerMessage) and routed.event == Edited("7", "fixed")
    callback = {
        "update_id": 3,
        "callback_query": {
            "id": "cb1",
            "from": USER,
            "chat_instance": "x",
            "data": "t1|consent|yes",
            "message": {"message_id": 9, "date": 1, "chat": PRIVATE, "text": "May I?"},
        },
    }
    pressed = route(callback)
    assert isinstance(pressed, CustomerMessage) and pressed.event == Press("t1|consent|yes")
    assert pressed.pressed == PressedButton("cb1", 9, "May I?")
    assert chat_key(callback) == "42"
    group = {
        "update_id": 4,
        "message": {
            "message_id": 1,
            "date": 1,
            "text": "hi",
            "from": USER,
            "chat": {"id": -100, "type": "supergroup", "title": "G"},
        },
    }
    assert route(group) == GroupActivity("-100", "supergroup", "42", "Anna B", None)
    assert chat_key(group) == "-100"
    robot = message(text="hi")
    robot["message"]["from"] = {**USER, "is_bot": True}
    assert isinstance(route(robot), Ignored)
    channel = {
        "update_id": 5,
        "channel_post": {
            "message_id": 1,
            "date": 1,
            "text": "news",
            "chat": {"id": -200, "type": "channel", "title": "C"},
        },
    }
    assert route(channel) == GroupActivity("-200", "channel")
    with pytest.raises(UnreadableUpdate):
        route({"update_id": 6, "poll": {"id": "p"}})


def handled(*outputs: Any, awaiting_more: bool = False) -> Handled:
    return Handled(
        Identity("telegram", "42", "42"),
        "p_1",
        "d_1",
        "en",
        tuple(outputs),
        {0: 5},
        awaiting_more=awaiting_more,
    )


def test_render_escapes_and_attaches_buttons() -> None:
    buttons = ((Button("Yes <b>", "t|c|yes"), Button("No", "t|c|no")),)
    calls = render(handled(Reply("1 < 2 & <script>", buttons)))
    assert len(calls) == 1 and calls[0].method == "sendMessage" and calls[0].output_index == 0
    params = calls[0].params
    assert params["text"] == "1 &lt; 2 &amp; &lt;script&gt;" and params["parse_mode"] == "HTML"
    assert params["reply_markup"] == {
        "inline_keyboard": [
            [
                {"text": "Yes <b>", "callback_data": "t|c|yes"},
                {"text": "No", "callback_data": "t|c|no"},
            ]
        ]
    }


def test_render_answers_presses_once_and_updates_the_pressed_message() -> None:
    pressed = PressedButton("cb", 9, "May I <store>?")
    calls = render(handled(Notice("already answered"), ButtonsChanged(chosen="Yes")), pressed)
    assert [c.method for c in calls] == ["answerCallbackQuery", "editMessageText"]
    assert calls[0].params == {"callback_query_id": "cb", "text": "already answered"}
    assert calls[1].params["text"] == "May I &lt;store&gt;?\n\n✓ <b>Yes</b>"
    toggled = render(handled(ButtonsChanged(buttons=((Button("✓ A", "t|s|a"),),))), pressed)
    assert toggled[1].method == "editMessageReplyMarkup"
    stale = render(handled(ButtonsChanged()), PressedButton("cb", 9, None))
    assert stale[1].params["reply_markup"] == {"inline_keyboard": []}


def test_render_typing_while_an_answer_settles_and_export_as_document() -> None:
    assert [c.method for c in render(handled(awaiting_more=True))] == ["sendChatAction"]
    assert render(handled(Reply("x"), awaiting_more=True))[-1].method == "sendMessage"
    from needfinder.app.mydata import ParticipantExport

    export = ParticipantExport({"participant": {"id": "p_1"}, "dialogues": []}, "readable")
    with_export = Handled(
        Identity("telegram", "42", "42"), "p_1", None, "en", (Action("export_data"),), export=export
    )
    calls = render(with_export)
    assert [c.method for c in calls] == ["sendDocument", "sendMessage"]
    assert calls[0].params["document"]["filename"] == "needfinder-my-data-p_1.json"


@pytest.mark.parametrize(
    "text",
    ["word " * 2000, "x" * 9000, ("para\n\n" + "line\n" * 300) * 5, "😀" * 5000, "ä" * 4001],
)
def test_split_keeps_every_character_and_stays_under_the_limit(text: str) -> None:
    pieces = split_text(text)
    assert all(0 < utf16_length(piece) <= MAX_MESSAGE for piece in pieces)
    assert "".join(pieces).replace("\n", "").replace(" ", "") == text.replace("\n", "").replace(
        " ", ""
    )


def test_escape_only_touches_html_specials() -> None:
    assert (
        escape('<a href="x">&amp;</a> "quotes"') == '&lt;a href="x"&gt;&amp;amp;&lt;/a&gt; "quotes"'
    )


def test_spacing_keeps_every_second_under_the_rate() -> None:
    spacing = Spacing(29)
    slots = [spacing.reserve(0.0) for _ in range(100)]
    for start in slots:
        assert sum(start <= s < start + 1.0 for s in slots) <= 30  # Telegram's limit


def test_token_bucket_allows_a_burst_then_one_per_second_and_holds_on_429() -> None:
    bucket = TokenBucket(rate=1.0, burst=3)
    for _ in range(3):
        assert bucket.ready_at(0.0) == 0.0
        bucket.take(0.0)
    assert bucket.ready_at(0.0) == pytest.approx(1.0)
    bucket.hold(10.0)
    assert bucket.ready_at(2.0) == 10.0
    bucket.take(10.0)
    assert bucket.ready_at(10.0) == pytest.approx(11.0)


def test_groups_get_the_slower_bucket() -> None:
    limits = SendLimits()
    assert limits.chat("-100123").rate < 20 / 60 < limits.chat("42").rate
    limits.forget_idle(1000.0)
    assert limits.chats == {}

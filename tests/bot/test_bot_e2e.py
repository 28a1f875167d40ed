"""The real bot process against a real HTTP fake of the Bot API: customers, crashes, faults."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.bot.harness import BotProcess, running_bot
from tests.fakes import FakeTelegram
from tests.fakes.actors import FakeUser

WHO_EN = "I run a bakery with <twelve> employees & two shops in Kassel."
CHALLENGES_EN = "We cannot find bakers and the early shifts scare young people away."
NEEDS_EN = "Better planning tools and more flexible shift models for everyone."


@pytest.fixture
def bot(fake_telegram: FakeTelegram, tmp_path: Path) -> Iterator[BotProcess]:
    yield from running_bot(fake_telegram, tmp_path)


def discovery_in_english(user: FakeUser) -> None:
    user.send("/start")
    user.wait_for_message(containing="Hello! This is Beispiel GmbH.")
    consent = user.wait_for_message(containing="May I store your answers")
    assert consent.button_labels == ["Yes, I agree", "No, thanks"]
    user.click("Yes, I agree")
    user.wait_for_message(containing="who are you and what do you do?")
    user.send(WHO_EN)
    user.wait_for_message(containing="what challenges are you facing")
    user.send(CHALLENGES_EN)
    user.wait_for_message(containing="What would you need")
    user.send(NEEDS_EN)
    mirror = user.wait_for_message(containing="understood you correctly")
    assert WHO_EN in mirror.text  # escaped for HTML on the way, shown verbatim
    user.click("Yes, that's right")
    user.wait_for_message(containing="anonymous quotes")
    user.click("Yes, fine")
    user.wait_for_message(containing="receive the summary")
    user.click("Yes, please")
    user.wait_for_message(containing="Thank you for being so open!")


def test_full_discovery_in_english(fake_telegram: FakeTelegram, bot: BotProcess) -> None:
    anna = fake_telegram.user(
        first_name="Anna", last_name="Berger", username="anna_b", language_code="en"
    )
    discovery_in_english(anna)
    assert bot.answers(anna.id) == [
        ("who", WHO_EN),
        ("challenges", CHALLENGES_EN),
        ("needs", NEEDS_EN),
    ]
    # Pressed buttons are answered and replaced by the choice.
    consent = next(m for m in anna.messages if "May I store" in m.text)
    assert consent.text.endswith("✓ Yes, I agree") and consent.buttons == []
    assert fake_telegram.duplicate_sends() == []
    consents = bot.query("SELECT topic, granted FROM consent_events ORDER BY id")
    assert [(r["topic"], r["granted"]) for r in consents] == [
        ("storage", 1),
        ("quotes", 1),
        ("updates", 1),
    ]
    names = bot.query("SELECT first_name, username FROM channel_identities")
    assert [(r["first_name"], r["username"]) for r in names] == [("Anna", "anna_b")]
    # Every bot message in the transcript carries Telegram's message id.
    bot.eventually(
        lambda: (
            not bot.query("SELECT 1 FROM transcript_entries WHERE speaker='bot' AND ref IS NULL")
        ),
        what="bot entries to get their message ids",
    )


def test_full_discovery_in_german(fake_telegram: FakeTelegram, bot: BotProcess) -> None:
    jonas = fake_telegram.user(first_name="Jonas", language_code="de-AT")
    jonas.send("/start")
    jonas.wait_for_message(containing="Darf ich Ihre Antworten speichern")
    jonas.click("Ja, einverstanden")
    jonas.wait_for_message(containing="wer sind Sie und was tun Sie?")
    jonas.send("Ich führe eine Tischlerei mit acht Leuten in Graz.")
    jonas.wait_for_message(containing="Herausforderungen")
    jonas.send("Die Materialpreise steigen und Termine mit Kunden platzen ständig kurzfristig.")
    jonas.wait_for_message(containing="Was bräuchten Sie")
    jonas.send("Verlässliche Lieferzeiten und eine einfache Online-Terminbuchung für Kunden.")
    jonas.wait_for_message(containing="richtig verstanden")
    jonas.click("Etwas korrigieren")
    jonas.wait_for_message(containing="Was möchten Sie korrigieren?")
    jonas.click("Ihre Herausforderungen")
    jonas.wait_for_message(containing="Wie ist es richtig?")
    jonas.send("Vor allem die Materialpreise.")
    mirror = jonas.wait_for_message(containing="richtig verstanden")
    assert "Vor allem die Materialpreise." in mirror.text
    jonas.click("Ja, das stimmt so")
    jonas.wait_for_message(containing="anonymes Zitat")
    jonas.click("Lieber nicht")
    jonas.wait_for_message(containing="Zusammenfassung hier bekommen")
    jonas.click("Nein, danke")
    jonas.wait_for_message(containing="Vielen Dank für Ihre Offenheit")
    kinds = bot.query(
        "SELECT kind, corrects, text FROM transcript_entries WHERE speaker='customer'"
    )
    assert ("correction", "challenges", "Vor allem die Materialpreise.") in [
        tuple(r) for r in kinds
    ]
    assert bot.query("SELECT status, language FROM dialogues")[0][:] == ("finished", "de")


def test_refused_consent_keeps_no_content(fake_telegram: FakeTelegram, bot: BotProcess) -> None:
    kim = fake_telegram.user(first_name="Kim", username="kim_k", language_code="en")
    kim.send("/start")
    kim.wait_for_message(containing="May I store")
    kim.send("Hi, I am Kim Keller from kim@example.org, what is this about?")
    kim.wait_for_message(containing="please tap one of the buttons")
    kim.click("No, thanks")
    kim.wait_for_message(containing="I will not keep anything you write")
    bot.eventually(lambda: bot.query("SELECT 1 FROM inbox WHERE status='done'"))
    assert bot.query("SELECT COUNT(*) FROM transcript_entries")[0][0] == 0
    everything = json.dumps(
        [
            [tuple(r) for r in bot.query(f"SELECT * FROM {t}")]
            for t in (
                "participants",
                "channel_identities",
                "dialogues",
                "consent_events",
                "inbox",
                "outbox",
            )
        ]
    )
    for personal in ("Kim", "kim_k", "kim@example.org", "Keller"):
        assert personal not in everything
    consents = bot.query("SELECT topic, granted FROM consent_events")
    assert [tuple(r) for r in consents] == [("storage", 0)]


def test_crash_between_receiving_and_replying(fake_telegram: FakeTelegram, tmp_path: Path) -> None:
    bot = BotProcess(fake_telegram, tmp_path).start()
    anna = fake_telegram.user(language_code="en")
    anna.send("/start")
    anna.wait_for_message(containing="May I store")
    anna.click("Yes, I agree")
    anna.wait_for_message(containing="who are you")
    # Replies cannot get out (gateway errors), so the bot has the message but has not replied.
    fake_telegram.fail_next("sendMessage", 502, times=1000, chat_id=anna.id)
    anna.send(WHO_EN)
    fake_telegram.wait_for(
        lambda: any(r.status == 502 for r in fake_telegram.requests("sendMessage")),
        description="a failed reply attempt",
    )
    bot.kill()
    fake_telegram.clear_faults()
    bot.start()
    anna.wait_for_message(containing="what challenges are you facing")
    assert bot.answers(anna.id) == [("who", WHO_EN)]
    anna.send(CHALLENGES_EN)
    anna.wait_for_message(
        containing="What would you need"
    )  # the dialogue goes on at the right step
    assert fake_telegram.duplicate_sends() == []
    assert bot.stop() == 0


def test_updates_committed_but_not_handled_are_handled_on_start(
    fake_telegram: FakeTelegram, tmp_path: Path
) -> None:
    bot = BotProcess(fake_telegram, tmp_path).start()
    anna = fake_telegram.user(language_code="en")
    anna.send("/start")
    anna.wait_for_message(containing="May I store")
    assert bot.stop() == 0
    # As if the bot died right after committing an update to the inbox.
    update = {
        "update_id": 999_000_001,
        "message": {
            "message_id": 77,
            "date": 1_790_000_000,
            "text": "/help",
            "chat": {"id": anna.id, "type": "private", "first_name": "Anna"},
            "from": {"id": anna.id, "is_bot": False, "first_name": "Anna", "language_code": "en"},
            "entities": [{"type": "bot_command", "offset": 0, "length": 5}],
        },
    }
    with bot.db() as connection:
        connection.execute(
            "INSERT INTO inbox (channel, update_id, chat_key, received_at, payload, status,"
            " attempts) VALUES ('telegram', ?, ?, '2026-11-23 10:00:00', ?, 'pending', 0)",
            (update["update_id"], str(anna.id), json.dumps(update)),
        )
    bot.start()
    anna.wait_for_message(containing="/pause")  # the help text
    assert bot.stop() == 0


def test_duplicate_delivery_is_handled_once(fake_telegram: FakeTelegram, bot: BotProcess) -> None:
    anna = fake_telegram.user(language_code="en")
    anna.send("/start")
    anna.wait_for_message(containing="May I store")
    anna.click("Yes, I agree")
    anna.wait_for_message(containing="who are you")
    fake_telegram.duplicate_updates(True)
    anna.send(WHO_EN)
    anna.wait_for_message(containing="what challenges")
    anna.send(CHALLENGES_EN)
    anna.wait_for_message(containing="What would you need")
    fake_telegram.duplicate_updates(False)
    assert bot.answers(anna.id) == [("who", WHO_EN), ("challenges", CHALLENGES_EN)]
    assert fake_telegram.duplicate_sends() == []
    assert len([m for m in anna.messages if "what challenges" in m.text]) == 1


def test_429_and_502_still_deliver_every_reply_once(
    fake_telegram: FakeTelegram, bot: BotProcess
) -> None:
    anna = fake_telegram.user(language_code="en")
    fake_telegram.fail_next("sendMessage", 429, retry_after=1, times=2)
    fake_telegram.fail_next("sendMessage", 502, times=2)
    anna.send("/start")
    anna.wait_for_message(containing="Hello!")
    anna.wait_for_message(containing="May I store")
    fake_telegram.fail_next("answerCallbackQuery", 502, times=1)
    fake_telegram.fail_next("sendMessage", 429, retry_after=1, times=1)
    anna.click("Yes, I agree")
    anna.wait_for_message(containing="who are you")
    statuses = [r.status for r in fake_telegram.requests("sendMessage")]
    assert statuses.count(429) == 3 and statuses.count(502) == 2
    assert [m.text[:12] for m in anna.messages] == ["Hello! This ", "May I store ", "Tell me abou"]
    assert fake_telegram.duplicate_sends() == []


def test_blocked_bot_marks_participant_unreachable(
    fake_telegram: FakeTelegram, bot: BotProcess
) -> None:
    anna = fake_telegram.user(language_code="en")
    anna.send("/start")
    anna.wait_for_message(containing="May I store")
    fake_telegram.block(anna.id)
    anna.send("/help")
    bot.eventually(
        lambda: bot.query("SELECT unreachable_at FROM participants")[0][0],
        what="participant marked unreachable",
    )
    assert bot.query("SELECT COUNT(*) FROM outbox WHERE status='pending'")[0][0] == 0
    assert [r["status"] for r in bot.query("SELECT status FROM outbox WHERE status='blocked'")] == [
        "blocked"
    ]
    # Writing again shows the customer is back.
    fake_telegram.unblock(anna.id)
    anna.send("/help")
    anna.wait_for_message(containing="/pause")
    assert bot.query("SELECT unreachable_at FROM participants")[0][0] is None


def test_fifty_customers_at_once(fake_telegram: FakeTelegram, bot: BotProcess) -> None:
    users = [fake_telegram.user(language_code="en" if i % 2 else "de") for i in range(50)]
    failures: list[BaseException] = []

    def talk(user: FakeUser) -> None:
        try:
            yes = "Yes, I agree" if user.language_code == "en" else "Ja, einverstanden"
            user.send("/start")
            user.wait_for_message(where=lambda m: bool(m.buttons), timeout=60)
            user.click(yes)
            for number in range(3):
                user.wait_for_message(where=lambda m: m.text.rstrip().endswith("?"), timeout=60)
                user.send(f"Answer {number} of customer {user.id} with enough words to pass.")
            user.wait_for_message(where=lambda m: bool(m.buttons), timeout=60)
        except BaseException as error:
            failures.append(error)

    threads = [threading.Thread(target=talk, args=(u,)) for u in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    for user in users:
        answers = bot.answers(user.id)
        assert [text for _step, text in answers] == [
            f"Answer {n} of customer {user.id} with enough words to pass." for n in range(3)
        ]
        assert [step for step, _text in answers] == ["who", "challenges", "needs"]
    assert fake_telegram.duplicate_sends() == []


def test_other_kinds_of_messages(fake_telegram: FakeTelegram, bot: BotProcess) -> None:
    anna = fake_telegram.user(language_code="en")
    anna.send("/start")
    anna.wait_for_message(containing="May I store")
    anna.click("Yes, I agree")
    anna.wait_for_message(containing="who are you")
    for send, what in (
        (anna.send_voice, "voice messages"),
        (anna.send_video_note, "video messages"),
        (anna.send_sticker, "stickers"),
        (anna.send_document, "files"),
        (anna.send_location, "locations"),
        (anna.send_contact, "contacts"),
    ):
        send()
        anna.wait_for_message(containing=f"I can't take {what}")
    anna.send_photo(caption=WHO_EN)
    anna.wait_for_message(containing="what challenges")
    rows = bot.query(
        "SELECT kind, text, attachment FROM transcript_entries WHERE speaker='customer' ORDER BY id"
    )
    kinds = [json.loads(r["attachment"])["kind"] if r["attachment"] else r["kind"] for r in rows]
    assert kinds == [
        "voice",
        "video_note",
        "sticker",
        "document",
        "location",
        "contact",
        "photo",
        "answer",
    ]
    voice = json.loads(rows[0]["attachment"])
    assert voice["file_id"] and voice["file_unique_id"]
    location, contact = json.loads(rows[4]["attachment"]), json.loads(rows[5]["attachment"])
    assert location == {"kind": "location"} and contact == {
        "kind": "contact"
    }  # no coordinates, no number
    assert rows[7]["text"] == WHO_EN  # the caption counts as the answer


def test_edited_message_updates_the_answer(fake_telegram: FakeTelegram, bot: BotProcess) -> None:
    anna = fake_telegram.user(language_code="en")
    anna.send("/start")
    anna.wait_for_message(containing="May I store")
    anna.click("Yes, I agree")
    anna.wait_for_message(containing="who are you")
    sent = anna.send("I run a bakry in Kassel with twelve people.")
    anna.wait_for_message(containing="what challenges")
    anna.edit(sent.message_id, "I run a bakery in Kassel with twelve people.")
    bot.eventually(lambda: bot.query("SELECT 1 FROM entry_edits"), what="the edit")
    assert bot.answers(anna.id) == [("who", "I run a bakery in Kassel with twelve people.")]
    edits = bot.query("SELECT previous_text FROM entry_edits")
    assert [r[0] for r in edits] == ["I run a bakry in Kassel with twelve people."]


def test_groups_get_one_pointer_and_bots_are_ignored(
    fake_telegram: FakeTelegram, bot: BotProcess
) -> None:
    anna = fake_telegram.user(language_code="en")
    group = fake_telegram.group("Bakers")
    group.send("/start", from_user=anna)
    pointer = group.wait_for_message(containing="only hold conversations in a private chat")
    assert f"t.me/{fake_telegram.bot_username}" in pointer.text
    group.send("/start@" + fake_telegram.bot_username, from_user=anna)
    group.send("hello?", from_user=anna)
    robot = fake_telegram.user(first_name="Robo", is_bot=True)
    robot.send("/start")
    anna.send("/help")  # a later private message proves the group messages were handled
    anna.wait_for_message(containing="/pause")
    assert len(group.messages) == 1 and robot.messages == []
    assert bot.query("SELECT COUNT(*) FROM dialogues")[0][0] == 0


def test_stale_buttons_are_answered_harmlessly(
    fake_telegram: FakeTelegram, bot: BotProcess
) -> None:
    anna = fake_telegram.user(language_code="en")
    anna.send("/start")
    first = anna.wait_for_message(containing="May I store")
    anna.send("what is this?")  # the question is asked again, the first copy keeps its buttons
    anna.wait_for_message(containing="please tap one of the buttons")
    anna.wait_for_message(containing="May I store")
    anna.click("Yes, I agree")
    anna.wait_for_message(containing="who are you")
    click = anna.click("No, thanks", message_id=first.message_id)
    answer = anna.wait_for_callback_answer(click)
    assert "already been answered" in answer.get("text", "")
    anna.wait_for_edit(message_id=first.message_id)  # the stale keyboard is taken away
    anna.send("/help")
    anna.wait_for_message(containing="/pause")
    assert bot.query("SELECT status FROM dialogues")[0][0] == "active"
    assert not [m for m in anna.messages if "will not keep" in m.text]


def test_deep_link_campaign_and_bad_payloads(fake_telegram: FakeTelegram, bot: BotProcess) -> None:
    anna = fake_telegram.user(language_code="en")
    anna.send("/start contact--spring-fair")
    anna.wait_for_message(containing="when, how often")
    bob = fake_telegram.user(language_code="en")
    bob.send("/start ../../etc/passwd<script>")
    bob.wait_for_message(containing="May I store")
    rows = bot.query("SELECT script_id, campaign FROM dialogues ORDER BY started_at")
    assert sorted(tuple(r) for r in rows) == [("contact", "spring-fair"), ("discovery", None)]


def test_mydata_and_forget(fake_telegram: FakeTelegram, bot: BotProcess) -> None:
    anna = fake_telegram.user(
        first_name="Anna", last_name="Berger", username="anna_b", language_code="en"
    )
    discovery_in_english(anna)
    anna.send("/mydata")
    document = anna.wait_for_message(where=lambda m: m.document is not None)
    data = document.document.json()  # type: ignore[union-attr]
    assert data["identities"][0]["first_name"] == "Anna"
    assert WHO_EN in [e["text"] for e in data["dialogues"][0]["entries"]]
    anna.wait_for_message(containing=WHO_EN)  # the readable version
    anna.send("/forget")
    anna.wait_for_message(containing="really erase everything")
    anna.click("Yes, erase everything")
    anna.wait_for_message(containing="everything I had stored about you is erased")
    fake_telegram.wait_until_idle()
    bot.eventually(lambda: not bot.query("SELECT 1 FROM outbox"), what="the outbox to drain")
    tables = [r[0] for r in bot.query("SELECT name FROM sqlite_master WHERE type='table'")]
    dump = json.dumps(
        {t: [tuple(r) for r in bot.query(f"SELECT * FROM {t}")] for t in tables}, default=str
    )
    for personal in (str(anna.id), "Anna", "Berger", "anna_b", "bakery", "Kassel"):
        assert personal not in dump, f"{personal!r} is still stored"


def test_long_texts_are_split_under_the_limit(fake_telegram: FakeTelegram, bot: BotProcess) -> None:
    anna = fake_telegram.user(language_code="en")
    anna.send("/start")
    anna.wait_for_message(containing="May I store")
    anna.click("Yes, I agree")
    anna.wait_for_message(containing="who are you")
    long_answer = ("Our bakery has many branches & <special> needs. " * 90)[:4096].strip()
    anna.send(long_answer)
    anna.wait_for_message(containing="what challenges")
    anna.send("/mydata")
    anna.wait_for_message(where=lambda m: m.document is not None)
    parts = [anna.wait_for_message(), anna.wait_for_message()]
    assert all(0 < len(p.text) <= 4096 for p in parts)
    readable = "".join(p.text for p in parts)
    assert long_answer[:200] in readable and long_answer[-200:] in readable
    assert "<special>" in readable  # escaped on the way, shown verbatim


def test_command_menu_per_language(fake_telegram: FakeTelegram, bot: BotProcess) -> None:
    german = fake_telegram.user(language_code="de")
    english = fake_telegram.user(language_code="en")
    de_menu = {c["command"]: c["description"] for c in german.command_menu()}
    en_menu = {c["command"]: c["description"] for c in english.command_menu()}
    assert de_menu["forget"] == "Alle meine Daten löschen"
    assert en_menu["forget"] == "Erase all my data"
    assert set(de_menu) == set(en_menu) >= {"start", "pause", "skip", "stop", "mydata", "privacy"}


def test_reminder_after_silence(fake_telegram: FakeTelegram, tmp_path: Path) -> None:
    settings = {"NEEDFINDER_REMINDER_AFTER_HOURS": "0.0003"}  # about one second
    for bot in running_bot(fake_telegram, tmp_path, **settings):
        anna = fake_telegram.user(language_code="en")
        anna.send("/start")
        anna.wait_for_message(containing="May I store")
        anna.click("Yes, I agree")
        anna.wait_for_message(containing="who are you")
        anna.wait_for_message(containing="gentle reminder", timeout=15)
        anna.wait_for_message(containing="who are you")
        assert (
            bot.query("SELECT COUNT(*) FROM transcript_entries WHERE text='reminder sent'")[0][0]
            == 1
        )


def test_several_messages_make_one_answer_and_show_typing(
    fake_telegram: FakeTelegram, tmp_path: Path
) -> None:
    for bot in running_bot(fake_telegram, tmp_path, NEEDFINDER_ANSWER_SETTLE_SECONDS="1"):
        anna = fake_telegram.user(language_code="en")
        anna.send("/start")
        anna.wait_for_message(containing="May I store")
        anna.click("Yes, I agree")
        anna.wait_for_message(containing="who are you")
        anna.send("I run a bakery.")
        anna.send("Twelve people, two shops.")
        anna.wait_for_message(containing="what challenges")
        assert bot.answers(anna.id) == [
            ("who", "I run a bakery."),
            ("who", "Twelve people, two shops."),
        ]
        probes = bot.query("SELECT COUNT(*) FROM transcript_entries WHERE kind='probe'")
        assert probes[0][0] == 0  # seven words together: no follow-up needed
        assert fake_telegram.requests("sendChatAction")


def test_rejected_token_is_one_clear_line(fake_telegram: FakeTelegram, tmp_path: Path) -> None:
    import subprocess
    import sys

    bot = BotProcess(fake_telegram, tmp_path)
    env = {**bot.env(), "TELEGRAM_BOT_TOKEN": "999:WRONG"}
    result = subprocess.run(
        [sys.executable, "-m", "needfinder.cli", "run"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines()[-1] == (
        "needfinder: error: Telegram rejected TELEGRAM_BOT_TOKEN; check the token from @BotFather"
    )


def test_a_second_bot_on_the_same_database_is_refused(
    fake_telegram: FakeTelegram, tmp_path: Path
) -> None:
    first = BotProcess(fake_telegram, tmp_path).start()
    second = first.command("run")
    assert second.returncode == 2
    last_line = second.stderr.strip().splitlines()[-1]
    assert last_line.startswith("needfinder: error: another needfinder run (process ")
    assert "is using this database" in last_line

    def status() -> str:
        return first.command("status").stdout

    assert first.process is not None
    assert f"bot:    running (process {first.process.pid} on " in status()
    # The first bot goes on serving; once it stops, a new one starts at once.
    anna = fake_telegram.user(language_code="en")
    anna.send("/start")
    anna.wait_for_message(containing="May I store")
    assert first.stop() == 0
    assert "bot:    not running" in status()
    again = BotProcess(fake_telegram, tmp_path).start()
    anna.click("Yes, I agree")
    anna.wait_for_message(containing="who are you")  # the new bot carries the dialogue on
    assert again.stop() == 0
    assert fake_telegram.duplicate_sends() == []

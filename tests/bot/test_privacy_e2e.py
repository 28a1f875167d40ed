"""Privacy in the running bot: logs without personal data, the scheduled retention purge."""

from __future__ import annotations

import re
from pathlib import Path

from tests.bot.harness import BotProcess, running_bot
from tests.fakes import FakeTelegram

PERSONAL = {
    "first name": "Annegret",
    "last name": "Quasthoff",
    "username": "annegret_q",
    "email": "annegret.quasthoff@example.org",
    "phone": "+49 171 9876543",
    "iban": "DE89370400440532013000",
    "answer": "Wir backen Dinkelbrot in Kassel",
}


def test_logs_carry_ids_never_personal_data(fake_telegram: FakeTelegram, tmp_path: Path) -> None:
    settings = {"NEEDFINDER_LOG_LEVEL": "DEBUG", "NEEDFINDER_ANSWER_SETTLE_SECONDS": "0.3"}
    for bot in running_bot(fake_telegram, tmp_path, **settings):
        user = fake_telegram.user(
            first_name=PERSONAL["first name"],
            last_name=PERSONAL["last name"],
            username=PERSONAL["username"],
            language_code="de",
        )
        user.send("/start")
        user.wait_for_message(containing="Darf ich")
        user.click("Ja, einverstanden")
        user.wait_for_message(containing="wer sind Sie")
        user.send(
            f"Ich bin {PERSONAL['first name']} {PERSONAL['last name']}. {PERSONAL['answer']}."
        )
        user.send(f"Mail: {PERSONAL['email']}, Telefon {PERSONAL['phone']}")
        user.wait_for_message(containing="Herausforderungen")
        user.send(f"Zahlungen an {PERSONAL['iban']} kommen oft zu spät, das kostet uns Nerven.")
        user.wait_for_message(containing="Was bräuchten Sie")
        user.send_voice()
        user.wait_for_message(containing="Sprachnachrichten")
        user.send("/mydata")
        user.wait_for_message(where=lambda m: m.document is not None)
        user.send("/forget")
        user.wait_for_message(containing="wirklich alles löschen")
        user.click("Ja, alles löschen")
        user.wait_for_message(containing="ist gelöscht")
        fake_telegram.wait_until_idle()
        assert bot.stop() == 0
        log = bot.logs()
        assert '"event": "update handled"' in log  # the log is there and structured
        for what, value in PERSONAL.items():
            assert value not in log, f"the {what} reached the log"
        assert str(user.id) not in log, "the Telegram user id reached the log"
        assert not re.search(r"\b123456:TEST\b", log), "the bot token reached the log"


def test_running_bot_applies_the_retention_period(
    fake_telegram: FakeTelegram, tmp_path: Path
) -> None:
    bot = BotProcess(fake_telegram, tmp_path, NEEDFINDER_RETENTION_DAYS="30")
    bot.start()
    assert bot.stop() == 0  # the schema is in place now
    long_ago = "2026-01-02 10:00:00"
    with bot.db() as connection:
        connection.execute(
            "INSERT INTO participants (id, created_at) VALUES ('p_old', ?)", (long_ago,)
        )
        connection.execute(
            "INSERT INTO channel_identities (participant_id, channel, external_id, chat_id,"
            " first_name, created_at, updated_at) VALUES ('p_old', 'telegram', '555', '555',"
            " 'Hildegard', ?, ?)",
            (long_ago, long_ago),
        )
        connection.execute(
            "INSERT INTO script_versions (checksum, script_id, version, source, first_used_at)"
            " VALUES ('old', 'discovery', 1, 'x', ?)",
            (long_ago,),
        )
        connection.execute(
            "INSERT INTO dialogues (id, participant_id, script_id, script_version,"
            " script_checksum, status, language, state, started_at, updated_at, finished_at)"
            " VALUES ('d_old', 'p_old', 'discovery', 1, 'old', 'finished', 'de', '{}', ?, ?, ?)",
            (long_ago, long_ago, long_ago),
        )
        connection.execute(
            "INSERT INTO transcript_entries (dialogue_id, at, speaker, kind, step_id, text)"
            " VALUES ('d_old', ?, 'customer', 'answer', 'who', 'Ich bin Hildegard, hilde@web.de')",
            (long_ago,),
        )
    bot.start()
    anonymised = bot.eventually(
        lambda: bot.query("SELECT anonymised_at FROM dialogues WHERE id='d_old'")[0][0],
        what="the retention purge",
    )
    assert anonymised
    text = bot.query("SELECT text FROM transcript_entries WHERE dialogue_id='d_old'")[0][0]
    assert "Hildegard" not in text and "hilde@web.de" not in text and "[EMAIL_1]" in text
    assert bot.query("SELECT first_name FROM channel_identities")[0][0] is None
    assert bot.stop() == 0

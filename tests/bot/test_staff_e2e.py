"""Staff in Telegram against the real bot: commands, the staff group, notifications, access."""

from __future__ import annotations

from pathlib import Path

from tests.bot.harness import BotProcess, running_bot
from tests.bot.test_bot_e2e import discovery_in_english
from tests.fakes import FakeTelegram

STAFF_ID = 4242


def test_staff_commands_in_a_private_chat(fake_telegram: FakeTelegram, tmp_path: Path) -> None:
    settings = {
        "NEEDFINDER_STAFF_USER_IDS": str(STAFF_ID),
        "NEEDFINDER_WEB_BASE_URL": "https://needs.example.org",
    }
    for bot in running_bot(fake_telegram, tmp_path, **settings):
        anna = fake_telegram.user(first_name="Anna", last_name="Berger", language_code="en")
        discovery_in_english(anna)
        dialogue_id = bot.query("SELECT id FROM dialogues")[0][0]

        staff = fake_telegram.user(user_id=STAFF_ID, first_name="Sam", language_code="en")
        staff.send("/dialogues")
        listing = staff.wait_for_message(containing="Latest dialogues (1 in all)")
        assert dialogue_id in listing.text and "finished" in listing.text
        staff.send(f"/transcript {dialogue_id[:6]}")
        transcript = staff.wait_for_message(containing=f"Dialogue {dialogue_id}")
        assert "Customer: I run a bakery with <twelve> employees" in transcript.text
        staff.send("/find bakers")
        found = staff.wait_for_message(containing="answers found")
        assert dialogue_id in found.text and "bakers" in found.text
        staff.send("/stats")
        stats = staff.wait_for_message(containing="Started → consented → finished: 1 → 1 → 1")
        assert "Answers: 3" in stats.text
        staff.send("/dashboard")
        link = staff.wait_for_message(containing="login link")
        assert "https://needs.example.org/login/" in link.text

        audit = bot.query("SELECT staff_user_id, action, dialogue_id FROM audit_log ORDER BY id")
        assert [tuple(r) for r in audit][:2] == [
            (str(STAFF_ID), "view_transcript", dialogue_id),
            (str(STAFF_ID), "search", None),
        ]
        assert bot.query("SELECT COUNT(*) FROM login_tokens")[0][0] == 1


def test_customers_cannot_use_staff_commands(fake_telegram: FakeTelegram, tmp_path: Path) -> None:
    for bot in running_bot(fake_telegram, tmp_path, NEEDFINDER_STAFF_USER_IDS=str(STAFF_ID)):
        kim = fake_telegram.user(language_code="en")
        for command in ("/stats", "/dialogues", "/transcript d_", "/find x", "/dashboard"):
            kim.send(command)
            reply = kim.wait_for_message()
            assert reply.text.startswith("I don't know that command"), reply.text
        assert bot.query("SELECT COUNT(*) FROM login_tokens")[0][0] == 0
        assert bot.query("SELECT COUNT(*) FROM audit_log")[0][0] == 0


def test_staff_group_membership_and_notifications(
    fake_telegram: FakeTelegram, tmp_path: Path
) -> None:
    group = fake_telegram.group("Needfinder team")
    bot = BotProcess(fake_telegram, tmp_path, NEEDFINDER_STAFF_CHAT_ID=str(group.chat_id))
    bot.start()
    try:
        member = fake_telegram.user(user_id=5151, first_name="Mira", language_code="de")
        member.send("/dashboard")  # not yet seen in the staff group: an unknown command
        assert member.wait_for_message().text.startswith("Diesen Befehl kenne ich nicht")
        group.send("/stats", from_user=member)
        group.wait_for_message(containing="Started → consented → finished: 0 → 0 → 0")
        assert bot.query("SELECT telegram_user_id FROM staff_members")[0][0] == "5151"
        group.send("/dashboard", from_user=member)
        group.wait_for_message(containing="I sent you the link privately")
        member.wait_for_message(containing="dashboard login link")

        anna = fake_telegram.user(first_name="Annegret", last_name="Quasthoff", language_code="en")
        discovery_in_english(anna)
        note = group.wait_for_message(containing="Dialogue finished")
        assert "discovery · en" in note.text and "/dialogues/d_" in note.text
        assert "Annegret" not in note.text and "Quasthoff" not in note.text
        assert "„" in note.text  # a gist of what the customer said
        assert not [m for m in group.messages if "private chat" in m.text]  # no pointer here
    finally:
        assert bot.stop() == 0

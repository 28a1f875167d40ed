"""The whole loop against the real bot: dialogues in, digest built and approved, published to
the community channel and to subscribers, and a theme's link starts a follow-up dialogue."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import threading
from pathlib import Path

from tests.bot.harness import REPO, BotProcess
from tests.fakes import FakeTelegram
from tests.fakes.actors import FakeUser

CUSTOMERS = [
    ("de", "Wir finden keine Fachkräfte, auf unsere Stellen bewirbt sich niemand."),
    ("en", "We cannot find skilled staff, nobody applies for our open positions."),
    ("de", "Personalmangel: uns fehlen Mitarbeiter und Bewerber bleiben aus."),
    ("en", "Energy prices and material costs keep rising every month."),
    ("de", "Die Energiepreise und Materialkosten steigen jeden Monat weiter."),
]


def discovery(user: FakeUser, challenge: str, german: bool) -> None:
    user.send("/start")
    user.wait_for_message(where=lambda m: bool(m.buttons), timeout=60)
    user.click("Ja, einverstanden" if german else "Yes, I agree")
    user.wait_for_message(where=lambda m: m.text.rstrip().endswith("?"), timeout=60)
    user.send("I run a small workshop with eight people in the city centre.")
    user.wait_for_message(where=lambda m: m.text.rstrip().endswith("?"), timeout=60)
    user.send(challenge)
    user.wait_for_message(where=lambda m: m.text.rstrip().endswith("?"), timeout=60)
    user.send("Simple online ordering and faster answers would help us a lot.")
    user.wait_for_message(where=lambda m: bool(m.buttons), timeout=60)
    user.click("Ja, das stimmt so" if german else "Yes, that's right")
    user.wait_for_message(where=lambda m: bool(m.buttons), timeout=60)
    user.click("Ja, gern" if german else "Yes, fine")
    user.wait_for_message(where=lambda m: bool(m.buttons), timeout=60)
    user.click("Ja, bitte" if german else "Yes, please")
    user.wait_for_message(containing="!", timeout=60)


def cli(bot: BotProcess, *args: str) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "needfinder.cli", *args],
        cwd=REPO,
        env=bot.env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result


def test_digest_built_approved_published_and_answered(
    fake_telegram: FakeTelegram, tmp_path: Path
) -> None:
    channel = fake_telegram.channel("Community")
    bot = BotProcess(
        fake_telegram,
        tmp_path,
        NEEDFINDER_COMMUNITY_CHAT_ID=str(channel.chat_id),
        NEEDFINDER_STAFF_USER_IDS="4242",
    )
    bot.start()
    try:
        users = [fake_telegram.user(language_code=lang) for lang, _ in CUSTOMERS]
        threads = [
            threading.Thread(target=discovery, args=(u, text, lang == "de"))
            for u, (lang, text) in zip(users, CUSTOMERS, strict=True)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

        built = cli(bot, "digest", "build", "--format", "json")
        digest_id = re.search(r'"id": "(g_[0-9a-f]+)"', built.stdout).group(1)  # type: ignore[union-attr]
        assert '"themes"' in built.stdout and '"dialogue_ids"' in built.stdout
        cli(
            bot,
            "digest",
            "edit",
            digest_id,
            "--note-de",
            "Wir bauen eine Online-Bestellung.",
            "--note-en",
            "We are building online ordering.",
        )
        unapproved = subprocess.run(
            [sys.executable, "-m", "needfinder.cli", "digest", "publish", digest_id],
            cwd=REPO,
            env=bot.env(),
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert unapproved.returncode == 2 and "only an approved digest" in unapproved.stderr
        # Staff approve and publish from Telegram.
        staff = fake_telegram.user(user_id=4242, first_name="Sam", language_code="en")
        staff.send("/digests")
        staff.wait_for_message(containing=f"{digest_id} · ")
        staff.send(f"/digest {digest_id} en")
        preview = staff.wait_for_message(containing="What we heard")
        assert "quotes)" in preview.text  # each theme with its id, label and quotes
        # What they struggle with (staff, energy) is listed apart from what they need.
        assert "Struggles: struggle-" in preview.text
        assert "What customers are struggling with" in preview.text
        # A theme dropped by mistake is taken back in.
        theme_id = json.loads(built.stdout)["themes"][0]["id"]
        staff.send(f"/droptheme {digest_id} {theme_id}")
        staff.wait_for_message(containing=f"theme {theme_id} dropped; draft.")
        staff.send(f"/digest {digest_id} en")
        staff.wait_for_message(containing=f"Dropped (/restoretheme): {theme_id}")
        staff.send(f"/restoretheme {digest_id} {theme_id}")
        staff.wait_for_message(containing=f"theme {theme_id} taken back in; draft.")
        staff.send(f"/digest {digest_id} de")
        restored = staff.wait_for_message(containing="Was wir gehört haben")
        assert f"{theme_id}: " in restored.text and "Dropped" not in restored.text
        staff.send(f"/publish {digest_id}")
        staff.wait_for_message(containing="only an approved digest can be published")
        staff.send(f"/approve {digest_id}")
        staff.wait_for_message(containing=f"Digest {digest_id}: approved.")
        fake_telegram.block(users[4].id)  # one subscriber blocked the bot meanwhile
        staff.send(f"/publish {digest_id}")
        staff.wait_for_message(containing=f"Digest {digest_id}: publishing.")

        post = channel.wait_for_message(containing="Was wir gehört haben", timeout=30)
        assert "Wir bauen eine Online-Bestellung." in post.text
        assert post.text.index("Was Kundinnen und Kunden brauchen") < post.text.index(
            "Womit Kundinnen und Kunden kämpfen"
        )
        assert "/unsubscribe" not in post.text  # the channel is not a subscription
        english = users[1].wait_for_message(containing="What we heard", timeout=30)
        german = users[0].wait_for_message(containing="Was wir gehört haben", timeout=30)
        assert "/unsubscribe" in english.text and "/unsubscribe" in german.text
        assert "We are building online ordering." in english.text
        assert english.entities and german.entities  # HTML was accepted by the (strict) fake
        bot.eventually(
            lambda: bot.query(
                "SELECT unreachable_at FROM participants p JOIN channel_identities i"
                " ON i.participant_id = p.id WHERE i.external_id = ?",
                str(users[4].id),
            )[0][0],
            what="the blocked subscriber to be marked unreachable",
        )
        assert bot.query("SELECT status FROM digests")[0][0] == "published"
        assert bot.query("SELECT COUNT(*) FROM digest_deliveries")[0][0] == 5

        link = re.search(
            r"start=(t-g_[0-9a-f]+-1)",
            german.payload.get("text", "") + str([e.get("url") for e in german.entities]),
        )
        assert link is not None, german.payload
        users[0].send(f"/start {link.group(1)}")
        intro = users[0].wait_for_message(containing="Es geht um:", timeout=30)
        assert intro.text.split("Es geht um:")[1].strip()
        rows = bot.query(
            "SELECT script_id, campaign FROM dialogues ORDER BY started_at DESC LIMIT 1"
        )
        assert tuple(rows[0]) == ("followup", link.group(1))
        assert fake_telegram.duplicate_sends() == []
    finally:
        assert bot.stop() == 0

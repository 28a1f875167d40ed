"""Digests over real databases: the workflow and its guarantees, each a test."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

import pytest

from conversations.events import Command, Start, Text
from conversations.transcript import ConsentEvent, Identity
from needfinder.app import digests as workflow
from needfinder.app.dialogues import DialogueService
from needfinder.insights.publication import render, visible_themes
from storage.database import Database
from tests.storage.test_dialogue_service import Customer, make_service

STAFFING = [
    ("en", "We cannot find skilled staff, nobody applies for our open positions."),
    ("de", "Wir finden keine Fachkräfte, auf unsere Stellen bewirbt sich niemand."),
    ("en", "Hiring is impossible, applicants never show up and our staff leave."),
    ("de", "Personalmangel: uns fehlen Mitarbeiter und Bewerber bleiben aus."),
]
PRICES = [
    ("en", "Energy prices and material costs keep rising every month."),
    ("de", "Die Energiepreise und Materialkosten steigen jeden Monat weiter."),
    ("en", "Our costs for energy went up again, prices are crushing us."),
]
NEEDS = [
    {
        "de": "Wir bräuchten schnellere Lieferungen und Ware, die wirklich vorrätig ist.",
        "en": "We need faster deliveries and goods that are actually in stock.",
    },
    {
        "de": "Einen festen Ansprechpartner, der unseren Betrieb kennt.",
        "en": "One fixed contact person who knows our business.",
    },
]
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


async def talk(
    database: Database,
    service: DialogueService,
    user: int,
    language: str,
    challenge: str,
    *,
    quotes: bool = True,
    updates: bool = True,
) -> Customer:
    """One customer through a whole discovery dialogue."""
    identity = Identity("telegram", str(user), str(user), f"Kunde{user}", "Muster", f"k{user}")
    customer = Customer(database, service, identity, language)  # type: ignore[arg-type]
    german = language == "de"
    await customer.send(Start())
    await customer.press("Ja, einverstanden" if german else "Yes, I agree")
    await customer.send(Text(f"I run a small workshop with {user % 9 + 3} people in town."))
    await customer.send(Text(challenge))
    # What they need (two topics: delivery, a contact person) is what the need themes show;
    # the challenges (staff, energy) become struggles.
    await customer.send(Text(NEEDS[user // 2 % 2][language]))
    await customer.press("Ja, das stimmt so" if german else "Yes, that's right")
    if german:
        await customer.press("Ja, gern" if quotes else "Lieber nicht")
        await customer.press("Ja, bitte" if updates else "Nein, danke")
    else:
        await customer.press("Yes, fine" if quotes else "Rather not")
        await customer.press("Yes, please" if updates else "No, thanks")
    return customer


async def seed(database: Database) -> tuple[DialogueService, list[Customer]]:
    service = make_service()
    customers = []
    for user, (language, text) in enumerate(STAFFING + PRICES, start=100):
        customers.append(await talk(database, service, user, language, text, quotes=user != 101))
    return service, customers


async def build(database: Database) -> workflow.StoredDigest:
    async with database.write() as uow:
        return await workflow.build(uow, workflow.DigestFilter(), now=NOW, created_by="test")


def all_quotes(content: dict) -> list[dict]:  # type: ignore[type-arg]
    return [q for t in content["themes"] for q in t["quotes"]]


async def test_draft_has_bilingual_themes_with_traceable_verbatim_quotes(
    database: Database,
) -> None:
    await seed(database)
    digest = await build(database)
    content = digest.content
    assert digest.status == "draft" and len(content["themes"]) >= 2
    languages = [t["languages"] for t in content["themes"]]
    assert any(set(lang) == {"de", "en"} for lang in languages)  # German and English together
    async with database.read() as uow:
        for theme in content["themes"]:
            assert theme["dialogue_ids"], "every theme lists the dialogues it draws on"
            for quote in theme["quotes"]:
                assert quote["dialogue_id"] in theme["dialogue_ids"]
                entries = await uow.transcripts.for_dialogue(quote["dialogue_id"])
                answers = [e.text for e in entries if e.speaker == "customer"]
                # Verbatim from the (anonymised, here unchanged) transcript.
                assert any(quote["text"] in answer for answer in answers)


async def test_no_quote_from_someone_who_declined(database: Database) -> None:
    _, customers = await seed(database)
    declined = customers[1]  # user 101 said "Lieber nicht"
    async with database.read() as uow:
        (dialogue,) = await uow.dialogues.recent(
            participant_id=await uow.participants.find_by_chat(
                "telegram", declined.identity.chat_id
            )
        )
    digest = await build(database)
    assert dialogue.id not in {q["dialogue_id"] for q in all_quotes(digest.content)}
    assert any(dialogue.id in t["dialogue_ids"] for t in digest.content["themes"])  # still counted


async def test_forget_removes_quotes_and_a_later_publish_excludes_them(database: Database) -> None:
    await seed(database)
    digest = await build(database)
    quoted = all_quotes(digest.content)[0]
    async with database.read() as uow:
        loaded = await uow.dialogues.get(quoted["dialogue_id"])
    assert loaded is not None
    async with database.write() as uow:
        await uow.participants.erase(loaded.info.participant_id)
    async with database.read() as uow:
        stored = await uow.digests.get(digest.id)
    assert stored is not None
    dumped = json.dumps(stored.content)
    assert quoted["dialogue_id"] not in dumped and quoted["text"] not in dumped


async def test_changed_mind_on_quotes_is_honoured_at_publication(database: Database) -> None:
    await seed(database)
    digest = await build(database)
    quoted = all_quotes(digest.content)[0]
    async with database.read() as uow:
        loaded = await uow.dialogues.get(quoted["dialogue_id"])
    assert loaded is not None
    # The same person later says "no" to quotes (in another dialogue).
    async with database.write() as uow:
        await uow.participants.add_consent(
            loaded.info.participant_id,
            None,
            ConsentEvent("quotes", False, NOW, "discovery", 1),
        )
        current = await workflow.current_content(uow, digest)
    assert quoted["dialogue_id"] not in {q["dialogue_id"] for q in all_quotes(current)}


async def test_nothing_is_published_without_approval_and_checks(database: Database) -> None:
    await seed(database)
    digest = await build(database)
    async with database.write() as uow:
        with pytest.raises(workflow.DigestProblem, match="only an approved digest"):
            await workflow.request_publication(uow, digest.id, "staff", NOW)
    note = workflow.Edit(note={"de": "Schreiben Sie an chef@beispiel.de", "en": "We listen."})
    async with database.write() as uow:
        await workflow.edit(uow, digest.id, note, NOW)
    async with database.write() as uow:
        with pytest.raises(workflow.DigestProblem, match=r"note \(de\) may contain personal data"):
            await workflow.approve(uow, digest.id, "staff", NOW)
    fixed = workflow.Edit(
        note={"de": "Wir stellen zwei Leute für den Support ein.", "en": "We hire."}
    )
    async with database.write() as uow:
        await workflow.edit(uow, digest.id, fixed, NOW)
        approved = await workflow.approve(uow, digest.id, "staff", NOW)
        assert approved.status == "approved"
        # Editing an approved digest makes it a draft again; a dropped theme is not published.
        first = visible_themes(approved.content)[0][1]
        edited = await workflow.edit(
            uow, digest.id, workflow.Edit(drop_themes=frozenset({first["id"]})), NOW
        )
        assert edited.status == "draft" and edited.approved_at is None
        assert first["id"] not in [t["id"] for _n, t in visible_themes(edited.content)]
        assert first["label"]["en"] not in render(edited.content, language="en", fmt="text")[0]
        await workflow.approve(uow, digest.id, "staff", NOW)
        publishing = await workflow.request_publication(uow, digest.id, "staff", NOW)
    assert publishing.status == "publishing"


async def test_published_text_never_names_a_participant(database: Database) -> None:
    await seed(database)
    digest = await build(database)
    texts = []
    for language in ("de", "en"):
        for fmt in ("telegram", "md", "html", "text"):
            texts.extend(
                render(digest.content, language=language, fmt=fmt, link_for=lambda n: f"L{n}")  # type: ignore[arg-type]
            )
    joined = "\n".join(texts)
    assert not re.search(r"\bp_[0-9a-f]{6}", joined) and not re.search(r"\bd_[0-9a-f]{6}", joined)
    assert "Kunde1" not in joined and "Muster" not in joined
    assert workflow.check(digest.content) == []


async def test_subscribers_and_deliveries_once(database: Database) -> None:
    service = make_service()
    for user, (language, text) in enumerate(STAFFING, start=300):
        await talk(database, service, user, language, text, updates=user != 301)
    quitter = Customer(database, service, Identity("telegram", "302", "302"), "de")
    await quitter.send(Command("unsubscribe"))
    digest = await build(database)
    async with database.write() as uow:
        subscribers = await uow.digests.subscribers()
        assert {s.chat_id for s in subscribers} == {"300", "303"}
        ids = [s.participant_id for s in subscribers]
        assert await uow.digests.claim_deliveries(digest.id, ids, NOW) == set(ids)
        assert await uow.digests.claim_deliveries(digest.id, ids, NOW) == set()  # once only


async def test_a_dropped_theme_can_be_taken_back_in(database: Database) -> None:
    await seed(database)
    digest = await build(database)
    first = visible_themes(digest.content)[0][1]
    async with database.write() as uow:
        dropped = await workflow.edit(
            uow, digest.id, workflow.Edit(drop_themes=frozenset({first["id"]})), NOW
        )
        assert first["id"] not in [t["id"] for _n, t in visible_themes(dropped.content)]
        restored = await workflow.edit(
            uow, digest.id, workflow.Edit(restore_themes=frozenset({first["id"]})), NOW
        )
    assert restored.status == "draft"
    assert visible_themes(restored.content) == visible_themes(digest.content)
    assert first["label"]["en"] in render(restored.content, language="en", fmt="text")[0]


async def test_a_digest_failing_its_last_check_goes_back_to_draft_with_reasons(
    database: Database,
) -> None:
    from bot.publish import Publisher
    from bot.worker import Replies
    from needfinder.app.settings import Settings

    await seed(database)
    digest = await build(database)
    async with database.write() as uow:
        await workflow.approve(uow, digest.id, "staff", NOW)
        publishing = await workflow.request_publication(uow, digest.id, "staff", NOW)
        # Between approval and the bot's turn, a label came to name someone's e-mail address.
        content = publishing.content
        content["themes"][0]["label"]["en"] = "Write to chef@beispiel.de"
        await uow.digests.save(digest.id, content, "publishing", NOW)
    settings = Settings(_env_file=None, staff_chat_id=-100777)  # type: ignore[call-arg]
    replies = Replies()
    async with database.write() as uow:
        published = await Publisher(settings, "needfinder_bot").publish_requested(uow, replies, NOW)
        returned = await workflow.get(uow, digest.id)
    assert published == 0
    assert returned.status == "draft"
    reasons = workflow.returned_problems(returned)
    assert reasons == ["theme 1 label may contain personal data (EMAIL)"]
    # Nobody but the staff group hears of it, and the note names places, not the text.
    assert [row["chat_id"] for row in replies.rows] == ["-100777"]
    note = str(replies.rows[0]["payload"]["text"])  # type: ignore[index]
    assert digest.id in note and reasons[0] in note and "chef@" not in note
    fixed = workflow.Edit(
        labels={content["themes"][0]["id"]: ("Lieferzeit", "Delivery speed and availability")}
    )
    async with database.write() as uow:
        await workflow.edit(uow, digest.id, fixed, NOW)
        approved = await workflow.approve(uow, digest.id, "staff", NOW)
    assert "returned" not in approved.content and workflow.returned_problems(approved) == []

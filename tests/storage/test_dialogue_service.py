"""The dialogue service over real databases: what is stored, when, and what is erased."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from conversations.events import Command, Edited, Event, Press, Reply, Start, Text
from conversations.loader import default_organisation
from conversations.model import Language
from conversations.transcript import Identity
from needfinder.app.dialogues import DialogueService, EngineSettings, Handled, Inbound
from needfinder.app.ids import CountingIds
from needfinder.app.scripts import ScriptLibrary
from storage import schema
from storage.database import Database
from storage.queues import NewUpdate

ANNA = Identity("telegram", "1001", "1001", "Anna", "Berger", "anna_b")
WHO = "I run a bakery with twelve employees in Kassel."


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


class Customer:
    """Talks to the service as one identity, one transaction per event."""

    def __init__(
        self,
        database: Database,
        service: DialogueService,
        identity: Identity,
        language: Language = "en",
    ) -> None:
        self.database = database
        self.service = service
        self.identity = identity
        self.language: Language = language
        self.last: Handled | None = None

    async def send(self, event: Event, script_id: str | None = None) -> list[str]:
        async with self.database.write() as uow:
            self.last = await self.service.handle(
                uow, Inbound(self.identity, event, self.language, script_id)
            )
        return [o.text for o in self.last.outputs if isinstance(o, Reply)]

    async def press(self, label: str) -> list[str]:
        assert self.last is not None
        for output in self.last.outputs:
            if isinstance(output, Reply):
                for row in output.buttons:
                    for button in row:
                        if button.label == label:
                            return await self.send(Press(button.data))
        raise AssertionError(f"no button {label!r}")


def make_service(
    library: ScriptLibrary | None = None,
    clock: Clock | None = None,
    ids: CountingIds | None = None,
) -> DialogueService:
    return DialogueService(
        library or ScriptLibrary.load(),
        default_organisation(),
        EngineSettings(),
        clock=clock or Clock(),
        ids=ids or CountingIds(),
    )


async def count(database: Database, table: schema.Table) -> int:
    async with database.read() as uow:
        return int(await uow.connection.scalar(select(func.count()).select_from(table)) or 0)


async def test_full_dialogue_is_stored_with_consents_and_names_after_consent(
    database: Database,
) -> None:
    anna = Customer(database, make_service(), ANNA)
    await anna.send(Start("spring"))
    async with database.read() as uow:
        identities = await uow.participants.identities("p_000001")
    assert identities[0].first_name is None  # nothing personal before consent
    await anna.press("Yes, I agree")
    await anna.send(Text(WHO, ref="10"))
    await anna.send(
        Text("We cannot find bakers and the early shifts scare young people away.", ref="11")
    )
    await anna.send(Text("Better planning tools and more flexible shift models please.", ref="12"))
    await anna.press("Yes, that's right")
    await anna.press("Yes, fine")
    replies = await anna.press("No, thanks")
    assert "Thank you for being so open" in replies[0]

    async with database.read() as uow:
        identities = await uow.participants.identities("p_000001")
        dialogues = await uow.dialogues.recent()
        entries = await uow.transcripts.for_dialogue(dialogues[0].id)
        consents = await uow.participants.consents("p_000001")
    assert (identities[0].first_name, identities[0].username) == ("Anna", "anna_b")
    info = dialogues[0]
    assert (info.status, info.campaign, info.script_id, info.language) == (
        "finished",
        "spring",
        "discovery",
        "en",
    )
    assert info.consented_at is not None and info.finished_at is not None
    answers = [(e.step_id, e.text, e.ref) for e in entries if e.kind == "answer"]
    assert answers[0] == ("who", WHO, "10") and len(answers) == 3
    assert [(c.topic, c.granted, c.script_version) for c in consents] == [
        ("storage", True, 1),
        ("quotes", True, 1),
        ("updates", False, 1),
    ]


async def test_refusal_keeps_only_the_refusal_event(database: Database) -> None:
    anna = Customer(database, make_service(), ANNA)
    await anna.send(Start())
    await anna.send(Text("Hi, I'm Anna from Kassel, what is this?", ref="5"))
    await anna.press("No, thanks")
    assert await count(database, schema.transcript_entries) == 0
    async with database.read() as uow:
        consents = await uow.participants.consents("p_000001")
        identities = await uow.participants.identities("p_000001")
        dialogue = (await uow.dialogues.recent())[0]
        loaded = await uow.dialogues.get(dialogue.id)
    assert [(c.topic, c.granted) for c in consents] == [("storage", False)]
    assert identities[0].first_name is None and dialogue.status == "declined"
    assert loaded is not None and "Anna" not in loaded.state.model_dump_json()


async def test_running_dialogue_keeps_its_pinned_script_version(
    database: Database, tmp_path: Path
) -> None:
    clock, ids = Clock(), CountingIds()
    anna = Customer(database, make_service(clock=clock, ids=ids), ANNA)
    await anna.send(Start())
    await anna.press("Yes, I agree")

    # The operator changes the discovery script while Anna is mid-dialogue.
    changed = tmp_path / "scripts"
    changed.mkdir()
    original = next(p for p in ScriptLibrary.load().ids() if p == "discovery")
    text = ScriptLibrary.load().current(original).source_text
    changed_text = text.replace("version: 1", "version: 2").replace(
        "And you – what challenges are you facing right now?", "NEW - what keeps you awake?"
    )
    (changed / "discovery.yaml").write_text(changed_text)
    new_service = make_service(ScriptLibrary.load(changed), clock, ids)
    anna.service = new_service
    replies = await anna.send(Text(WHO))
    assert "And you – what challenges are you facing right now?" in replies[-1]

    bob = Customer(database, new_service, Identity("telegram", "2002", "2002", "Bob"))
    await bob.send(Start())
    await bob.press("Yes, I agree")
    replies = await bob.send(Text(WHO))
    assert replies[-1] == "NEW - what keeps you awake?"
    async with database.read() as uow:
        versions = sorted(d.script_version for d in await uow.dialogues.recent())
    assert versions == [1, 2]

    # The old file is gone (same id replaced), yet the stored text carries her dialogue on.
    replies = await anna.send(
        Text("We cannot find bakers and the early shifts scare young people away.")
    )
    assert "What would you need" in replies[0]


async def test_edit_keeps_the_original(database: Database) -> None:
    anna = Customer(database, make_service(), ANNA)
    await anna.send(Start())
    await anna.press("Yes, I agree")
    await anna.send(Text("I run a bakry with twelve people in Kassel.", ref="77"))
    await anna.send(Edited("77", "I run a bakery with twelve people in Kassel."))
    async with database.read() as uow:
        dialogue = (await uow.dialogues.recent())[0]
        entries = await uow.transcripts.for_dialogue(dialogue.id)
    edited = next(e for e in entries if e.ref == "77")
    assert edited.text == "I run a bakery with twelve people in Kassel."
    assert [e.previous_text for e in edited.edits] == [
        "I run a bakry with twelve people in Kassel."
    ]
    assert edited.edited_at is not None


@pytest.mark.parametrize(
    "text",
    [
        "x" * 20_000,
        "nul\x00and\ue000escape\ue001chars\x1b[31m",
        "😀 emoji 👩‍👩‍👧",
        "שלום, אני אופה",
    ],
)
async def test_unusual_text_round_trips_exactly(database: Database, text: str) -> None:
    anna = Customer(database, make_service(), ANNA)
    await anna.send(Start())
    await anna.press("Yes, I agree")
    await anna.send(Text(text, ref="1"))
    async with database.read() as uow:
        dialogue = (await uow.dialogues.recent())[0]
        entries = await uow.transcripts.for_dialogue(dialogue.id)
        loaded = await uow.dialogues.get(dialogue.id)
    assert [e.text for e in entries if e.kind == "answer"] == [text]
    assert loaded is not None
    # A 20,000-character or otherwise unusual answer is still one answer in the state.
    assert loaded.state.answer("who") in ("", text)


async def test_forget_erases_everything_about_the_person(database: Database) -> None:
    service = make_service()
    anna = Customer(database, service, ANNA)
    bob = Customer(database, service, Identity("telegram", "2002", "2002", "Bob"))
    for customer in (anna, bob):
        await customer.send(Start())
        await customer.press("Yes, I agree")
        await customer.send(Text(WHO, ref="3"))
        await customer.send(Edited("3", WHO + " Really."))
    async with database.write() as uow:
        await uow.inbox.add_many(
            "telegram", [NewUpdate(1, "1001", {"x": 1}), NewUpdate(2, "2002", {"x": 2})], Clock()()
        )
        await uow.outbox.enqueue(
            channel="telegram",
            chat_id="1001",
            method="sendMessage",
            payload={"text": "hi"},
            now=Clock()(),
            participant_id="p_000001",
        )
    await anna.send(Command("forget"))
    replies = await anna.press("Yes, erase everything")
    assert "everything I had stored about you is erased" in replies[0]
    assert anna.last is not None and anna.last.erased

    async with database.read() as uow:
        remaining = {
            table.name: [tuple(r) for r in await uow.connection.execute(select(table))]
            for table in schema.metadata.sorted_tables
        }
    flat = repr(remaining)
    for personal in ("1001", "Anna", "anna_b", "p_000001"):
        assert personal not in flat, f"{personal!r} left behind"
    # Bob is untouched.
    assert len(remaining["participants"]) == 1 and "2002" in flat
    assert len(remaining["entry_edits"]) == 1


async def test_mydata_exports_everything_stored(database: Database) -> None:
    anna = Customer(database, make_service(), ANNA)
    await anna.send(Start())
    await anna.press("Yes, I agree")
    await anna.send(Text(WHO, ref="3"))
    await anna.send(Command("mydata"))
    assert anna.last is not None and anna.last.export is not None
    data = anna.last.export.data
    assert data["identities"][0]["first_name"] == "Anna"
    assert data["consents"][0]["topic"] == "storage"
    texts = [e["text"] for e in data["dialogues"][0]["entries"]]
    assert WHO in texts
    assert WHO in anna.last.export.text


async def test_timers_fire_from_the_database(database: Database) -> None:
    clock = Clock()
    service = DialogueService(
        ScriptLibrary.load(),
        default_organisation(),
        EngineSettings(settle_after=timedelta(seconds=3), nudge_after=timedelta(hours=24)),
        clock=clock,
        ids=CountingIds(),
    )
    anna = Customer(database, service, ANNA)
    await anna.send(Start())
    await anna.press("Yes, I agree")
    assert await anna.send(Text("I am Jo and I run a bakery")) == []
    async with database.read() as uow:
        assert await uow.dialogues.due(clock.now) == []
        assert await uow.dialogues.next_due_at() == clock.now + timedelta(seconds=3)
    clock.now += timedelta(seconds=3)
    async with database.write() as uow:
        due = await uow.dialogues.due(clock.now)
        assert len(due) == 1
        handled = await service.tick(uow, due[0][0])
    assert handled is not None
    assert "challenges" in [o.text for o in handled.outputs if isinstance(o, Reply)][-1]
    clock.now += timedelta(hours=24)
    async with database.write() as uow:
        ((dialogue_id, _),) = await uow.dialogues.due(clock.now)
        handled = await service.tick(uow, dialogue_id)
    assert handled is not None and "gentle reminder" in handled.outputs[0].text  # type: ignore[union-attr]
    async with database.read() as uow:
        assert await uow.dialogues.next_due_at() is None  # one reminder, never another


async def test_concurrent_writers_do_not_fail_on_sqlite(tmp_path: Path) -> None:
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'c.db'}")
    await database.upgrade()
    service = make_service()
    customers = [
        Customer(database, service, Identity("telegram", str(3000 + i), str(3000 + i)))
        for i in range(20)
    ]

    async def talk(customer: Customer) -> None:
        await customer.send(Start())
        await customer.press("Yes, I agree")
        for n in range(3):
            await customer.send(Text(f"answer {n} with enough words to pass the probe check"))

    await asyncio.gather(*(talk(c) for c in customers))
    assert await count(database, schema.dialogues) == 20
    assert await count(database, schema.consent_events) == 20
    await database.dispose()


async def test_inbox_ignores_duplicates_and_forgets_payloads(database: Database) -> None:
    now = Clock()()
    async with database.write() as uow:
        assert (
            await uow.inbox.add_many(
                "telegram", [NewUpdate(5, "1", {"t": "a"}), NewUpdate(6, "1", {"t": "b"})], now
            )
            == 2
        )
    async with database.write() as uow:
        assert (
            await uow.inbox.add_many(
                "telegram", [NewUpdate(6, "1", {"t": "b"}), NewUpdate(7, "2", {"t": "c"})], now
            )
            == 1
        )
        pending = await uow.inbox.pending()
        assert [p.update_id for p in pending] == [5, 6, 7]
        await uow.inbox.mark_all_done([pending[0].id], now)
        assert await uow.inbox.max_update_id("telegram") == 7
    async with database.read() as uow:
        assert [p.update_id for p in await uow.inbox.pending()] == [6, 7]
        assert await uow.inbox.counts() == {"done": 1, "pending": 2}
        payload = await uow.connection.scalar(
            select(schema.inbox.c.payload).where(schema.inbox.c.update_id == 5)
        )
        assert payload is None
        assert await uow.inbox.last_handled() == (5, now)


async def test_outbox_lifecycle(database: Database) -> None:
    now = Clock()()
    async with database.write() as uow:
        first = await uow.outbox.enqueue(
            channel="telegram", chat_id="9", method="sendMessage", payload={"text": "a"}, now=now
        )
        second = await uow.outbox.enqueue(
            channel="telegram", chat_id="9", method="sendMessage", payload={"text": "b"}, now=now
        )
    async with database.write() as uow:
        assert await uow.outbox.due_chats(now) == ["9"]
        due = (await uow.outbox.due_for_chats(["9"], now))["9"]
        assert [d.id for d in due] == [first, second] and due[0].payload == {"text": "a"}
        await uow.outbox.mark_sent(first, 321, now)
        await uow.outbox.retry_later(second, now + timedelta(seconds=5), "429")
        assert await uow.outbox.due_chats(now) == []
        assert await uow.outbox.due_for_chats(["9"], now) == {"9": []}
        assert await uow.outbox.next_due_at() == now + timedelta(seconds=5)
        assert await uow.outbox.give_up_chat("9", "blocked", "403") == 1
    async with database.read() as uow:
        assert await uow.outbox.counts() == {"sent": 1, "blocked": 1}

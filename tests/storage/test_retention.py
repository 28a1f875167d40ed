"""Retention: ended dialogues are anonymised in place or deleted after N days, nothing else."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from conversations.events import Command, Edited, Start, Text
from conversations.transcript import Identity
from needfinder.app.retention import purge
from storage import schema
from storage.database import Database
from tests.storage.test_dialogue_service import ANNA, Clock, Customer, count, make_service

ANSWER = "I'm Anna Berger from Kassel, write to anna@berger.de please."


async def seed(database: Database, clock: Clock) -> None:
    service = make_service(clock=clock)
    anna = Customer(database, service, ANNA)
    await anna.send(Start())
    await anna.press("Yes, I agree")
    await anna.send(Text(ANSWER.replace("please", "pls"), ref="5"))
    await anna.send(Edited("5", ANSWER))
    await anna.send(Command("stop"))  # ended at T0
    clock.now += timedelta(days=20)
    bob = Customer(database, service, Identity("telegram", "2002", "2002", "Bob", "Baker"))
    await bob.send(Start())
    await bob.press("Yes, I agree")
    await bob.send(Text("Bob here, we bake bread in Hamburg for forty years now."))
    await bob.send(Command("stop"))  # ended at T0 + 20 days
    carl = Customer(database, service, Identity("telegram", "3003", "3003", "Carl"))
    await carl.send(Start())
    await carl.press("Yes, I agree")
    await carl.send(Text("Carl, still talking, from a cheese shop."))  # live: never purged


async def texts(database: Database) -> list[str]:
    async with database.read() as uow:
        rows = await uow.connection.execute(select(schema.transcript_entries.c.text))
        return [r.text for r in rows]


async def note_on_annas_answer(database: Database, text: str) -> None:
    async with database.write() as uow:
        entry_id = await uow.connection.scalar(
            select(schema.transcript_entries.c.id).where(schema.transcript_entries.c.text == ANSWER)
        )
        assert entry_id is not None
        await uow.staff.add_note(entry_id, text, "4242", Clock().now)


async def notes(database: Database) -> list[str]:
    async with database.read() as uow:
        return [r.text for r in await uow.connection.execute(select(schema.entry_notes.c.text))]


async def test_anonymise_in_place_after_the_retention_period(database: Database) -> None:
    clock = Clock()
    start = clock.now
    await seed(database, clock)
    await note_on_annas_answer(database, "Called Anna Berger back on +49 561 123456.")
    result = await purge(database, days=30, action="anonymise", now=start + timedelta(days=31))
    assert (result.anonymised, result.deleted) == (1, 0)
    everything = "\n".join(await texts(database))
    assert "Anna" not in everything and "anna@berger.de" not in everything
    # Staff notes on her answers lose the same personal data, with the same placeholders.
    (note,) = await notes(database)
    assert "Anna" not in note and "123456" not in note and note.startswith("Called [PERSON_1]")
    assert "[PERSON_1]" in everything
    assert "Bob here" in everything and "Carl, still talking" in everything
    assert await count(database, schema.entry_edits) == 0  # the raw original is gone too
    async with database.read() as uow:
        anna_id = await uow.participants.find_by_chat("telegram", "1001")
        bob_id = await uow.participants.find_by_chat("telegram", "2002")
        assert anna_id and bob_id
        anna = (await uow.participants.identities(anna_id))[0]
        bob = (await uow.participants.identities(bob_id))[0]
    assert (anna.first_name, anna.last_name, anna.username) == (None, None, None)
    assert bob.first_name == "Bob"  # his dialogue is still within the period
    again = await purge(database, days=30, action="anonymise", now=start + timedelta(days=31))
    assert again.total == 0


async def test_delete_after_the_retention_period(database: Database) -> None:
    clock = Clock()
    start = clock.now
    await seed(database, clock)
    await note_on_annas_answer(database, "Called Anna Berger back.")
    preview = await purge(
        database, days=10, action="delete", now=start + timedelta(days=40), dry_run=True
    )
    assert preview.deleted == 2 and await count(database, schema.dialogues) == 3
    result = await purge(database, days=10, action="delete", now=start + timedelta(days=40))
    assert result.deleted == 2
    everything = "\n".join(await texts(database))
    assert "Anna" not in everything and "Bob here" not in everything and "Carl" in everything
    assert await count(database, schema.dialogues) == 1
    assert await notes(database) == []
    assert await count(database, schema.participants) == 3  # pseudonymous rows stay

"""Exports and imports over real databases: formats, anonymisation, idempotency, round trip."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime

import pytest

from conversations.events import Command, Edited, Start, Text
from conversations.transcript import Identity
from needfinder.app.exports import ExportOptions, export_dialogues
from needfinder.app.imports import ImportFileError, import_dialogues, parse_lines
from needfinder.app.scripts import ScriptLibrary
from storage.database import Database
from tests.storage.test_dialogue_service import Customer, make_service

ANNA = Identity("telegram", "1001", "1001", "Anna", "Berger", "anna_b")


async def seed(database: Database) -> None:
    service = make_service()
    anna = Customer(database, service, ANNA)
    await anna.send(Start("spring"))
    await anna.press("Yes, I agree")
    await anna.send(Text("I'm Anna Berger, I run a bakery in Kassel, mail anna@berger.de", ref="5"))
    await anna.send(Edited("5", "I'm Anna Berger, I run a bakery in Kassel; anna@berger.de"))
    await anna.send(Text("We cannot find bakers for the early shifts, it is exhausting.", ref="6"))
    bob = Customer(database, service, Identity("telegram", "2002", "2002", "Bob"))
    await bob.send(Start("contact"))
    await bob.press("Yes, I agree")
    await bob.send(Text("Orders, invoices and sometimes complaints about deliveries.", ref="1"))
    await bob.send(Command("stop"))


async def export_text(database: Database, **options: object) -> str:
    async with database.read() as uow:
        return "".join(
            [piece async for piece in export_dialogues(uow, ExportOptions(**options))]  # type: ignore[arg-type]
        )


async def test_jsonl_has_one_dialogue_per_line_with_all_entries(database: Database) -> None:
    await seed(database)
    lines = (await export_text(database)).splitlines()
    records = [json.loads(line) for line in lines]
    assert [r["script"] for r in records] == ["discovery", "contact"]
    anna = records[0]
    assert anna["campaign"] == "spring" and anna["consents"] == {"storage": True}
    answers = [e for e in anna["entries"] if e["speaker"] == "customer"]
    assert answers[0]["text"].endswith("; anna@berger.de")
    assert answers[0]["edits"][0]["previous_text"].endswith(", mail anna@berger.de")
    assert records[1]["status"] == "stopped"


async def test_csv_and_markdown(database: Database) -> None:
    await seed(database)
    rows = list(csv.DictReader(io.StringIO(await export_text(database, fmt="csv"))))
    assert {r["dialogue_id"] for r in rows} and all(r["text"] is not None for r in rows)
    assert any(
        r["text"] == "We cannot find bakers for the early shifts, it is exhausting." for r in rows
    )
    markdown = await export_text(database, fmt="md")
    assert markdown.count("## Dialogue ") == 2 and "**Customer**: Orders, invoices" in markdown


async def test_anonymised_export_removes_names_and_contacts(database: Database) -> None:
    await seed(database)
    text = await export_text(database, anonymised=True)
    for personal in ("Anna", "Berger", "anna@berger.de"):
        assert personal not in text
    record = json.loads(text.splitlines()[0])
    first = next(e for e in record["entries"] if e["speaker"] == "customer")
    assert "[PERSON_1]" in first["text"] and "[EMAIL_1]" in first["text"]
    assert record["anonymised"] is True and "edits" not in first  # raw earlier versions stay home


async def test_round_trip_export_import_export(
    database: Database, second_database: Database
) -> None:
    await seed(database)
    first = await export_text(database)
    target = second_database
    async with target.write() as uow:
        result = await import_dialogues(
            uow, parse_lines(first.splitlines(), "x.jsonl"), ScriptLibrary.load(), "x.jsonl"
        )
    assert (result.imported, result.skipped) == (2, 0)
    assert await export_text(target) == first
    async with target.write() as uow:  # idempotent by source id
        again = await import_dialogues(
            uow, parse_lines(first.splitlines(), "x.jsonl"), ScriptLibrary.load(), "x.jsonl"
        )
    assert (again.imported, again.skipped) == (0, 2)


async def test_import_answers_by_step(database: Database) -> None:
    line = json.dumps(
        {
            "id": "call-17",
            "language": "de",
            "script": "discovery",
            "started_at": "2026-03-01T10:00:00",
            "campaign": "phone",
            "consents": {"quotes": True},
            "answers": {"who": "Ich leite eine Praxis.", "needs": "Online-Termine."},
        }
    )
    async with database.write() as uow:
        await import_dialogues(
            uow, parse_lines([line], "calls.jsonl"), ScriptLibrary.load(), "calls.jsonl"
        )
    record = json.loads(await export_text(database))
    assert record["started_at"] == datetime(2026, 3, 1, 10, tzinfo=UTC).isoformat()
    assert [(e["step"], e["text"]) for e in record["entries"]] == [
        ("who", "Ich leite eine Praxis."),
        ("needs", "Online-Termine."),
    ]
    assert (
        record["consents"] == {"storage": True, "quotes": True} and record["status"] == "finished"
    )


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", "x.jsonl:2: not JSON"),
        ('["a"]', "x.jsonl:2: expected a JSON object"),
        (
            '{"id": "a", "language": "fr", "script": "discovery", "answers": {}}',
            "x.jsonl:2 (field 'language')",
        ),
        ('{"id": "a", "language": "de", "script": "discovery"}', "give either 'answers'"),
        (
            '{"id": "a", "language": "de", "script": "discovery",'
            ' "entries": [{"speaker": "x", "text": "t"}]}',
            "x.jsonl:2 (field 'entries.0.speaker')",
        ),
    ],
)
def test_import_errors_name_line_and_field(line: str, message: str) -> None:
    good = '{"id": "ok", "language": "de", "script": "discovery", "answers": {"who": "x"}}'
    with pytest.raises(ImportFileError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_lines([good, line], "x.jsonl")


async def test_import_rejects_unknown_script_and_step(database: Database) -> None:
    unknown = '{"id": "a", "language": "de", "script": "nope", "answers": {"who": "x"}}'
    wrong_step = '{"id": "b", "language": "de", "script": "discovery", "answers": {"colour": "x"}}'
    for line, message in (
        (unknown, "unknown script 'nope'"),
        (wrong_step, "field 'answers.colour'"),
    ):
        with pytest.raises(ImportFileError, match=message):
            async with database.write() as uow:
                await import_dialogues(
                    uow, parse_lines([line], "x.jsonl"), ScriptLibrary.load(), "x.jsonl"
                )

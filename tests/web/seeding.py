"""Dialogues for the dashboard tests, written through the real repositories."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from conversations.events import Entry
from conversations.model import Language
from conversations.state import DialogueState, Status
from conversations.transcript import ConsentEvent, Identity
from needfinder.app.scripts import ScriptLibrary
from storage.database import Database

BASE_TIME = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)

XSS_SCRIPT = "<script>alert(1)</script>"
XSS_IMG = '"><img src=x onerror=alert(1)>'
TELEGRAM_HTML = "<b>bold</b>"


@dataclass(frozen=True)
class Seed:
    """One dialogue to store: who, which script, how far it got, and what was said."""

    id: str
    participant: str
    status: Status = "finished"
    script: str = "discovery"
    language: Language = "en"
    campaign: str | None = None
    step_id: str = "end"
    consented: bool = True
    started_at: datetime = BASE_TIME
    answers: tuple[tuple[str, str], ...] = ()
    identity: Identity | None = None
    consents: dict[str, bool] = field(default_factory=dict)


async def seed(database: Database, seeds: list[Seed]) -> dict[str, list[int]]:
    """Store the dialogues; return the ids of each dialogue's customer entries."""
    loaded = ScriptLibrary.load()
    entry_ids: dict[str, list[int]] = {}
    async with database.write() as uow:
        for s in seeds:
            script = loaded.current(s.script)
            identity = s.identity or Identity("telegram", s.participant[2:], s.participant[2:])
            if await uow.participants.get(s.participant) is None:
                await uow.participants.create(s.participant, identity, s.started_at, "en")
                await uow.participants.store_names(s.participant, identity, s.started_at)
            await uow.dialogues.pin_script(
                script.checksum,
                script.script.id,
                script.script.version,
                script.source_text,
                s.started_at,
            )
            state = DialogueState(
                tag="t" + s.id[-5:],
                script_id=s.script,
                script_version=script.script.version,
                language=s.language,
                campaign=s.campaign,
                status=s.status,
                step_id=s.step_id,
                consented=s.consented,
            )
            await uow.dialogues.create(s.id, s.participant, script.checksum, state, s.started_at)
            ended = (
                s.started_at + timedelta(minutes=30)
                if s.status not in {"active", "paused"}
                else None
            )
            await uow.dialogues.set_times(
                s.id,
                started=s.started_at,
                consented=s.started_at + timedelta(minutes=1) if s.consented else None,
                finished=ended,
            )
            for topic, granted in ({"storage": True, **s.consents} if s.consented else {}).items():
                await uow.participants.add_consent(
                    s.participant,
                    s.id,
                    ConsentEvent(topic, granted, s.started_at, s.script, script.script.version),
                )
            entries: list[Entry] = []
            for index, (step_id, text) in enumerate(s.answers):
                at = s.started_at + timedelta(minutes=2 + index)
                entries.append(Entry("bot", "question", step_id, f"Question {step_id}?", at))
                entries.append(Entry("customer", "answer", step_id, text, at, ref=str(index)))
            ids = await uow.transcripts.append(s.id, entries)
            entry_ids[s.id] = ids[1::2]
    return entry_ids


ANNA = Identity("telegram", "1001", "1001", "Anna", "Berger", "anna_b")


def standard_seeds() -> list[Seed]:
    """A small, varied set: statuses, scripts, languages, campaigns, hostile text."""
    return [
        Seed(
            "d_000000000001",
            "p_000000000001",
            campaign="spring",
            answers=(
                ("who", "I run a bakery with twelve employees in Kassel, Anna Berger here."),
                ("challenges", "We cannot find bakers; the early shifts scare young people."),
                ("needs", "Better planning tools and flexible shift models."),
            ),
            identity=ANNA,
            consents={"quotes": True},
        ),
        Seed(
            "d_000000000002",
            "p_000000000002",
            campaign="spring",
            started_at=BASE_TIME + timedelta(hours=1),
            answers=(
                ("who", f"Hacker {XSS_SCRIPT} and {XSS_IMG} and {TELEGRAM_HTML}"),
                ("challenges", "Invoices pile up and the bakery software is slow."),
            ),
            status="stopped",
            step_id="needs",
        ),
        Seed(
            "d_000000000003",
            "p_000000000003",
            script="contact",
            language="de",
            status="active",
            step_id="frequency",
            started_at=BASE_TIME + timedelta(days=1),
            answers=(("occasions", "Wir sprechen über Rechnungen und Lieferungen."),),
        ),
        Seed(
            "d_000000000004",
            "p_000000000004",
            status="declined",
            step_id="consent",
            consented=False,
            started_at=BASE_TIME + timedelta(days=2),
        ),
        Seed(
            "d_000000000005",
            "p_000000000005",
            campaign="fair",
            status="paused",
            step_id="challenges",
            started_at=BASE_TIME + timedelta(days=2, hours=1),
            answers=(("who", "Florist shop, two people, lots of weddings."),),
        ),
    ]

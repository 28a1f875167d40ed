"""The retention period: after N days an ended dialogue is anonymised in place or deleted."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from needfinder.app.anonymising import anonymise_dialogue
from storage.database import Database

#: Dialogues per transaction: in the running bot the transaction holds the write lock and the
#: anonymiser runs on the event loop, so batches stay small enough not to delay live replies.
BATCH = 20


@dataclass(frozen=True)
class RetentionPolicy:
    """How long ended dialogues keep their raw text, and what happens then."""

    days: int
    action: Literal["anonymise", "delete"] = "anonymise"
    staff_names: tuple[str, ...] = ()


@dataclass(frozen=True)
class PurgeResult:
    """How many dialogues the purge anonymised or deleted."""

    anonymised: int = 0
    deleted: int = 0

    @property
    def total(self) -> int:
        """Return the number of dialogues handled."""
        return self.anonymised + self.deleted


async def purge(
    database: Database,
    *,
    days: int,
    action: Literal["anonymise", "delete"],
    now: datetime,
    staff_names: Sequence[str] = (),
    dry_run: bool = False,
) -> PurgeResult:
    """Apply the retention period to every dialogue that ended more than ``days`` ago."""
    cutoff = now - timedelta(days=days)
    done = 0
    while True:
        async with database.write() as uow:
            due = await uow.dialogues.ended_before(cutoff, limit=BATCH)
            if dry_run:
                counted = len(await uow.dialogues.ended_before(cutoff, limit=10_000_000))
                return _result(action, counted)
            for info in due:
                if action == "delete":
                    await uow.dialogues.delete(info.id)
                else:
                    entries = await uow.transcripts.for_dialogue(info.id)
                    identities = await uow.participants.identities(info.participant_id)
                    coding = await uow.staff.coding_for_dialogue(info.id)
                    notes = {n.id: n.text for c in coding.values() for n in c.notes}
                    anonymised, anonymised_notes = anonymise_dialogue(
                        entries, notes, identities, staff_names, info.language
                    )
                    await uow.transcripts.rewrite(
                        info.id,
                        {
                            new.id: new.text
                            for old, new in zip(entries, anonymised, strict=True)
                            if new.text != old.text
                        },
                    )
                    # Staff notes often repeat what the customer said: they go the same way.
                    await uow.staff.rewrite_notes(
                        {i: t for i, t in anonymised_notes.items() if t != notes[i]}
                    )
                    await uow.dialogues.mark_anonymised(info.id, now)
                await uow.participants.forget_names_if_done(info.participant_id)
            done += len(due)
        if len(due) < BATCH:
            return _result(action, done)


def _result(action: str, count: int) -> PurgeResult:
    return PurgeResult(anonymised=count) if action == "anonymise" else PurgeResult(deleted=count)

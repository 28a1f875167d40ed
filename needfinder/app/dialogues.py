"""The dialogue service: one customer event in, state/transcript/consents persisted, outputs out.

It runs inside a unit of work the caller opens, so that a channel can add its own writes (the
Telegram outbox, the inbox mark) to the same transaction: design.md §2, one transaction per
handled event.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Literal

from conversations.engine import Context, Result, handle
from conversations.events import (
    Action,
    Command,
    ConsentGiven,
    Entry,
    EntryEdited,
    Event,
    Output,
    Reply,
    Start,
    Tick,
)
from conversations.loader import LoadedScript
from conversations.model import Language, Organisation, Script
from conversations.transcript import ConsentEvent, Identity, LoadedDialogue, Participant
from needfinder.app.digests import FOLLOW_UP_PAYLOAD, theme_label
from needfinder.app.ids import IdFactory
from needfinder.app.mydata import ParticipantExport, build_export
from needfinder.app.scripts import ScriptLibrary, parse_pinned
from needfinder.insights.summary import summarise_answer
from storage.unit_of_work import UnitOfWork

#: The script a theme's "talk about this" link starts.
FOLLOW_UP_SCRIPT = "followup"


@dataclass(frozen=True)
class EngineSettings:
    """The engine's tunables, taken from the settings object."""

    settle_after: timedelta = timedelta(0)
    nudge_after: timedelta | None = timedelta(hours=24)
    retention_days: int | None = None
    retention_action: Literal["anonymise", "delete"] = "anonymise"


@dataclass(frozen=True)
class Inbound:
    """A customer event from a channel, with who sent it."""

    identity: Identity
    event: Event
    language_hint: Language | None = None
    script_id: str | None = None


@dataclass(frozen=True)
class Handled:
    """What came of one event: the outputs to deliver and where they go."""

    identity: Identity
    participant_id: str | None
    dialogue_id: str | None
    language: Language
    outputs: tuple[Output, ...]
    reply_entries: dict[int, int] = field(default_factory=dict)
    export: ParticipantExport | None = None
    erased: bool = False
    #: The customer may still be adding to their answer (it settles after a short wait).
    awaiting_more: bool = False
    #: This event finished the dialogue (staff are told).
    finished_now: bool = False


class DialogueService:
    """Loads a dialogue, runs the engine, persists what it says; no channel specifics."""

    def __init__(
        self,
        library: ScriptLibrary,
        organisation: Organisation,
        engine_settings: EngineSettings,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        ids: IdFactory | None = None,
        summarise: Callable[[str, Language], str] | None = None,
    ) -> None:
        self.library = library
        self.organisation = organisation
        self.engine_settings = engine_settings
        self.clock = clock
        self.ids = ids or IdFactory()
        # The mirror step reflects each answer through the extractive summariser: key
        # sentences in the customer's own words, filler left out.
        self.summarise = summarise or summarise_answer

    async def handle(self, uow: UnitOfWork, inbound: Inbound) -> Handled:
        """Handle one customer event inside ``uow``."""
        now = self.clock()
        found = await uow.dialogues.latest_by_identity(
            inbound.identity.channel, inbound.identity.external_id
        )
        loaded: LoadedDialogue | None = None
        if found is None:
            participant = await uow.participants.create(
                self.ids.participant(), inbound.identity, now, inbound.language_hint
            )
        else:
            participant, loaded = found
            if participant.unreachable_at is not None:
                await uow.participants.mark_reachable(participant.id)
        event = inbound.event
        if isinstance(event, Command) and event.name == "start":
            event = Start(event.argument or None)
        state = loaded.state if loaded else None
        fresh: LoadedScript | None = None
        topic: dict[str, str] | None = None
        if isinstance(event, Start) and (loaded is None or not loaded.state.live):
            fresh, campaign, topic = await self._resolve_start(
                uow, event.campaign, inbound.script_id
            )
            script = fresh.script
            event = Start(campaign)
            state = None
        elif loaded is not None:
            script = await self._pinned(uow, loaded)
        else:
            fresh = self.library.current(self.library.default_id)
            script = fresh.script
        language = participant.language or inbound.language_hint or "en"
        result = handle(state, event, self._context(script, language, now, topic))
        return await self._persist(
            uow, participant, inbound.identity, loaded, script, fresh, result, now
        )

    async def tick(self, uow: UnitOfWork, dialogue_id: str) -> Handled | None:
        """Fire due timers of one dialogue (answer settled, reminder); None if nothing to do."""
        loaded = await uow.dialogues.get(dialogue_id)
        if loaded is None or not loaded.state.live:
            return None
        participant = await uow.participants.get(loaded.info.participant_id)
        identities = await uow.participants.identities(loaded.info.participant_id)
        if participant is None or not identities:
            return None
        now = self.clock()
        script = await self._pinned(uow, loaded)
        result = handle(loaded.state, Tick(), self._context(script, loaded.state.language, now))
        return await self._persist(
            uow, participant, identities[0], loaded, script, None, result, now
        )

    # --- internals -------------------------------------------------------------------------

    async def _resolve_start(
        self, uow: UnitOfWork, payload: str | None, script_id: str | None
    ) -> tuple[LoadedScript, str | None, dict[str, str] | None]:
        if script_id is not None:
            return self.library.current(script_id), payload, None
        follow_up = FOLLOW_UP_PAYLOAD.match(payload or "")
        script = self.library.get(FOLLOW_UP_SCRIPT)
        if follow_up and script is not None:
            # A link under a published digest's theme: a short dialogue about that theme.
            digest = await uow.digests.get(follow_up.group(1))
            if digest is not None and digest.status == "published":
                label = theme_label(digest, int(follow_up.group(2)))
                if label is not None:
                    return script, payload, label
        chosen, campaign = self.library.resolve_start(payload)
        return chosen, campaign, None

    async def _pinned(self, uow: UnitOfWork, loaded: LoadedDialogue) -> Script:
        checksum = loaded.info.script_checksum
        current = self.library.by_checksum(checksum)
        if current is not None:
            return current.script
        source = await uow.dialogues.pinned_source(checksum)
        if source is None:
            raise LookupError(f"pinned script {checksum} of dialogue {loaded.info.id} is missing")
        return parse_pinned(source, checksum)

    def _context(
        self,
        script: Script,
        language: Language,
        now: datetime,
        topic: dict[str, str] | None = None,
    ) -> Context:
        config = self.engine_settings
        return Context(
            topic=topic,
            script=script,
            organisation=self.organisation,
            now=now,
            new_tag=self.ids.tag,
            language=language,
            settle_after=config.settle_after,
            nudge_after=config.nudge_after,
            retention_days=config.retention_days,
            retention_action=config.retention_action,
            summarise=self.summarise,
        )

    async def _persist(
        self,
        uow: UnitOfWork,
        participant: Participant,
        identity: Identity,
        loaded: LoadedDialogue | None,
        script: Script,
        fresh: LoadedScript | None,
        result: Result,
        now: datetime,
    ) -> Handled:
        dialogue_id = loaded.info.id if loaded else None
        new_state = result.state
        if new_state is not None:
            if loaded is None or new_state.tag != loaded.state.tag:
                assert fresh is not None, "a new dialogue needs its script text to pin"
                dialogue_id = self.ids.dialogue()
                await uow.dialogues.pin_script(
                    fresh.checksum, script.id, script.version, fresh.source_text, now
                )
                await uow.dialogues.create(
                    dialogue_id, participant.id, fresh.checksum, new_state, now
                )
            else:
                assert dialogue_id is not None
                await uow.dialogues.save(dialogue_id, new_state, now)

        entries = [r for r in result.records if isinstance(r, Entry)]
        entry_ids: list[int] = []
        if entries and dialogue_id is not None:
            entry_ids = await uow.transcripts.append(dialogue_id, entries)
        for record in result.records:
            if isinstance(record, EntryEdited):
                await uow.transcripts.apply_edit(participant.id, record.ref, record.text, record.at)
            elif isinstance(record, ConsentGiven):
                await uow.participants.add_consent(
                    participant.id,
                    dialogue_id,
                    ConsentEvent(
                        record.topic, record.granted, record.at, script.id, script.version
                    ),
                )
                if record.topic == "storage" and record.granted:
                    await uow.participants.store_names(participant.id, identity, now)

        language = new_state.language if new_state else (participant.language or "en")
        export: ParticipantExport | None = None
        erased = False
        participant_id: str | None = participant.id
        for output in result.outputs:
            if not isinstance(output, Action):
                continue
            if output.kind == "set_language" and output.value in ("de", "en"):
                language = output.value  # type: ignore[assignment]
                await uow.participants.set_language(participant.id, language)
            elif output.kind == "export_data":
                export = await build_export(uow, participant.id)
            elif output.kind == "erase_participant":
                await uow.participants.erase(participant.id)
                erased, participant_id, dialogue_id = True, None, None
                entry_ids = []

        return Handled(
            identity=identity,
            participant_id=participant_id,
            dialogue_id=dialogue_id,
            language=language,
            outputs=result.outputs,
            reply_entries=_pair_replies(result, entries, entry_ids),
            export=export,
            erased=erased,
            awaiting_more=new_state is not None and new_state.settle_at is not None,
            finished_now=new_state is not None
            and new_state.status == "finished"
            and (loaded is None or loaded.state.status != "finished"),
        )


def _pair_replies(result: Result, entries: list[Entry], entry_ids: list[int]) -> dict[int, int]:
    """Map output index → transcript entry id for replies that were recorded as bot entries."""
    bot = [(e, i) for e, i in zip(entries, entry_ids, strict=True) if e.speaker == "bot"]
    pairs: dict[int, int] = {}
    cursor = 0
    for index, output in enumerate(result.outputs):
        if not isinstance(output, Reply):
            continue
        for position in range(cursor, len(bot)):
            if bot[position][0].text == output.text:
                pairs[index] = bot[position][1]
                cursor = position + 1
                break
    return pairs

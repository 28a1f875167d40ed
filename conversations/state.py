"""The state of one dialogue, as the engine sees it; serialisable to JSON for storage."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from conversations.model import Language

Status = Literal["active", "paused", "finished", "stopped", "declined"]
LIVE_STATUSES: frozenset[str] = frozenset({"active", "paused"})

#: ``waiting``: the current step waits for its answer; the ``mirror*`` phases belong to the
#: mirror step (shown / which point to correct / collecting the correction).
Phase = Literal["waiting", "mirror", "mirror_pick", "mirror_fix"]

#: The key under which a correction that belongs to no single point is kept.
GENERAL_NOTE = "_note"


class AnswerPart(BaseModel):
    """One customer message that belongs to an answer (``ref`` matches later edits)."""

    model_config = ConfigDict(frozen=True)

    text: str
    ref: str | None = None


class DialogueState(BaseModel):
    """Everything the engine needs to go on with a dialogue; no I/O objects inside."""

    model_config = ConfigDict(frozen=True)

    tag: str
    script_id: str
    script_version: int
    language: Language
    campaign: str | None = None
    #: The topic (by language) a follow-up dialogue is about, if it is one.
    topic: dict[str, str] | None = None
    status: Status = "active"
    step_id: str
    phase: Phase = "waiting"
    fixing: str | None = None
    consented: bool = False
    consents: dict[str, bool] = Field(default_factory=dict)
    parts: dict[str, tuple[AnswerPart, ...]] = Field(default_factory=dict)
    choices: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    corrections: dict[str, str] = Field(default_factory=dict)
    fix_parts: tuple[AnswerPart, ...] = ()
    skipped: tuple[str, ...] = ()
    probes_used: dict[str, int] = Field(default_factory=dict)
    #: How many parts each step's answer had when its last probe was asked.
    probed_at: dict[str, int] = Field(default_factory=dict)
    settle_at: datetime | None = None
    nudge_at: datetime | None = None
    nudged: bool = False

    @property
    def live(self) -> bool:
        """Return whether the dialogue is still going on (active or paused)."""
        return self.status in LIVE_STATUSES

    @property
    def due_at(self) -> datetime | None:
        """Return when the engine next wants a :class:`~conversations.events.Tick`, if ever."""
        times = [t for t in (self.settle_at, self.nudge_at) if t is not None]
        return min(times) if times else None

    def answer(self, step_id: str) -> str:
        """Return the customer's whole answer to ``step_id`` (several messages joined)."""
        return "\n".join(part.text for part in self.parts.get(step_id, ()))

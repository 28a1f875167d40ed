"""The transcript page's summary panel: per question its label and the customer's key sentences.

The panel summarises exactly the entries the page shows, so in the anonymised view it is built
from anonymised text and cannot bring back a name the chat below hides.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from conversations.model import AskStep, ChoiceStep, Language, Script
from conversations.state import GENERAL_NOTE
from conversations.transcript import DialogueInfo, StoredEntry
from needfinder.app.scripts import parse_pinned
from needfinder.insights.summary import DialogueSummary, SummaryPoint, summarise_dialogue
from storage.unit_of_work import UnitOfWork

#: Entry kinds that carry a customer's answer to a question (typed text or pressed buttons).
_ANSWER_KINDS = frozenset({"answer", "choice"})


@dataclass(frozen=True)
class SummaryPanel:
    """A dialogue's summary, and the entry each point comes from (for a link to it)."""

    summary: DialogueSummary
    anchors: dict[str, int]

    @property
    def points(self) -> tuple[SummaryPoint, ...]:
        """The summary's points, in the script's order."""
        return self.summary.points


async def pinned_script(uow: UnitOfWork, info: DialogueInfo) -> Script | None:
    """Return the exact script text the dialogue ran with (None if it was never stored)."""
    source = await uow.dialogues.pinned_source(info.script_checksum)
    return parse_pinned(source, info.script_checksum) if source is not None else None


def summary_panel(
    entries: Sequence[StoredEntry], script: Script | None, language: Language
) -> SummaryPanel:
    """Summarise the customer's answers and mirror-step corrections among ``entries``.

    Labels and order come from the script's ask and choice steps; without a script the step
    ids stand in for labels and the answers keep the order they were given in.
    """
    questions = [s for s in script.steps if isinstance(s, AskStep | ChoiceStep)] if script else []
    question_ids = {step.id for step in questions}
    labels = {step.id: step.label.get(language) for step in questions if step.label is not None}
    answers: dict[str, list[str]] = {}
    corrections: dict[str, str] = {}
    anchors: dict[str, int] = {}
    # A correction may come in several messages in a row (the engine joins them); a later
    # correction of the same point, after the bot has replied, replaces the earlier one.
    collecting: str | None = None
    for entry in entries:
        if entry.speaker != "customer" or not entry.text.strip():
            collecting = None
            continue
        if entry.kind == "correction":
            key = entry.corrects or GENERAL_NOTE
            if key == collecting:
                corrections[key] += "\n" + entry.text
            else:
                corrections[key] = entry.text
                anchors[key] = entry.id
            collecting = key
            continue
        collecting = None
        step_id = entry.step_id
        if entry.kind not in _ANSWER_KINDS or step_id is None:
            continue
        # Late additions after the end and free text at consent steps answer no question.
        if script is not None and step_id not in question_ids:
            continue
        answers.setdefault(step_id, []).append(entry.text)
        anchors.setdefault(step_id, entry.id)
    summary = summarise_dialogue(
        {step_id: "\n".join(parts) for step_id, parts in answers.items()},
        labels,
        corrections,
        language=language,
        order=[step.id for step in questions] if script else None,
    )
    return SummaryPanel(summary, anchors)

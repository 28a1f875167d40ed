"""Drive the engine like a customer: ``(customer says, bot says)`` turns, no channel, no I/O."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from conversations.engine import Context, Result, handle
from conversations.events import (
    Button,
    Command,
    Edited,
    Event,
    NonText,
    Press,
    Record,
    Reply,
    Start,
    Text,
    Tick,
)
from conversations.loader import (
    builtin_script_paths,
    default_organisation,
    load_script,
    parse_script,
)
from conversations.model import Language, Script
from conversations.state import DialogueState

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def builtin(script_id: str) -> Script:
    for path in builtin_script_paths():
        if path.stem == script_id:
            return load_script(path).script
    raise KeyError(script_id)


def script_from_yaml(text: str) -> Script:
    return parse_script(text, "<test>").script


@dataclass
class Dialogue:
    """A customer talking to the engine; keeps every reply and record for assertions."""

    script: Script
    language: Language = "en"
    settle_after: timedelta = timedelta(0)
    nudge_after: timedelta | None = timedelta(hours=24)
    now: datetime = T0
    state: DialogueState | None = None
    replies: list[Reply] = field(default_factory=list)
    records: list[Record] = field(default_factory=list)
    last: Result | None = None
    _tags: itertools.count[int] = field(default_factory=itertools.count)

    def context(self) -> Context:
        return Context(
            script=self.script,
            organisation=default_organisation(),
            now=self.now,
            new_tag=lambda: f"t{next(self._tags)}",
            language=self.language,
            settle_after=self.settle_after,
            nudge_after=self.nudge_after,
        )

    def event(self, event: Event) -> Result:
        result = handle(self.state, event, self.context())
        self.state = result.state
        self.replies.extend(result.replies())
        self.records.extend(result.records)
        self.last = result
        return result

    def says(self, message: str) -> list[str]:
        """Send what a customer types: ``/cmd arg``, ``[Button label]``, ``~tick`` or text."""
        if message == "~tick":
            result = self.event(Tick())
        elif message.startswith("[") and message.endswith("]"):
            result = self.event(Press(self.button(message[1:-1]).data))
        elif message.startswith("/"):
            name, _, argument = message[1:].partition(" ")
            result = self.event(
                Start(argument or None) if name == "start" else Command(name, argument)
            )
        else:
            result = self.event(Text(message, ref=f"m{len(self.replies)}-{len(message)}"))
        return [reply.text for reply in result.replies()]

    def button(self, label: str) -> Button:
        for reply in reversed(self.replies):
            for row in reply.buttons:
                for button in row:
                    if button.label == label:
                        return button
        raise AssertionError(f"no button {label!r} in {[r.buttons for r in self.replies]}")

    def later(self, delta: timedelta) -> None:
        self.now += delta

    def run(self, turns: Sequence[tuple[str, Sequence[str]]]) -> None:
        """Play ``turns``: each customer message and fragments of each expected bot reply."""
        for number, (message, expected) in enumerate(turns, start=1):
            got = self.says(message)
            assert len(got) == len(expected), (
                f"turn {number} {message!r}: expected {len(expected)} replies, got {got!r}"
            )
            for fragment, reply in zip(expected, got, strict=True):
                assert fragment in reply, (
                    f"turn {number} {message!r}: {fragment!r} not in {reply!r}"
                )

    def transcript(self) -> list[tuple[str, str, str | None, str]]:
        from conversations.events import Entry

        return [
            (r.speaker, r.kind, r.step_id, r.text) for r in self.records if isinstance(r, Entry)
        ]


def nontext(kind: str, caption: str | None = None) -> NonText:
    return NonText(kind=kind, ref="n1", caption=caption, attachment={"file_id": "F1"})  # type: ignore[arg-type]


def edited(ref: str, text: str) -> Edited:
    return Edited(ref=ref, text=text)

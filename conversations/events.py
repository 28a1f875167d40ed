"""What reaches the engine (events) and what it produces (outputs and records).

Channels (Telegram, terminal, tests) translate their input into these plain objects and render
the outputs; storage persists the records. Nothing here knows about either.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from conversations.model import ConsentTopic, Language

# --- events -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Start:
    """The customer opens the dialogue (``/start``), possibly from a campaign link."""

    campaign: str | None = None


@dataclass(frozen=True)
class Text:
    """A text message; ``ref`` is the channel's message id (to match later edits)."""

    text: str
    ref: str | None = None


@dataclass(frozen=True)
class Press:
    """A button press; ``data`` is what the engine put into the button."""

    data: str


@dataclass(frozen=True)
class Command:
    """A customer command such as ``/pause`` (name without slash, lower case) and its argument."""

    name: str
    argument: str = ""


NonTextKind = Literal[
    "voice",
    "video_note",
    "video",
    "audio",
    "sticker",
    "photo",
    "document",
    "location",
    "contact",
    "other",
]


@dataclass(frozen=True)
class NonText:
    """A message the engine cannot read (voice, sticker, ...); ``caption`` counts as text."""

    kind: NonTextKind
    ref: str | None = None
    caption: str | None = None
    attachment: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Edited:
    """The customer edited an earlier message."""

    ref: str
    text: str


@dataclass(frozen=True)
class Tick:
    """Time has passed: due timers (answer settled, reminder) fire."""


Event = Start | Text | Press | Command | NonText | Edited | Tick

# --- outputs ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Button:
    """An answer button: ``label`` is shown, ``data`` comes back in a :class:`Press`."""

    label: str
    data: str


ReplyKind = Literal["say", "question", "probe", "mirror", "system", "end"]


@dataclass(frozen=True)
class Reply:
    """A message to the customer, with rows of buttons."""

    text: str
    buttons: tuple[tuple[Button, ...], ...] = ()
    kind: ReplyKind = "system"


@dataclass(frozen=True)
class Notice:
    """A short acknowledgement of a button press (a toast in Telegram)."""

    text: str


@dataclass(frozen=True)
class ButtonsChanged:
    """The message whose button was pressed should now show ``buttons`` (empty: none).

    ``chosen`` names what the customer picked, so a channel can show it in place of the buttons.
    """

    buttons: tuple[tuple[Button, ...], ...] = ()
    chosen: str | None = None


ActionKind = Literal["erase_participant", "export_data", "set_language"]


@dataclass(frozen=True)
class Action:
    """Something the engine cannot do itself (it has no I/O): the service carries it out."""

    kind: ActionKind
    value: str | None = None


Output = Reply | Notice | ButtonsChanged | Action

# --- records (what storage keeps) ---------------------------------------------------------

Speaker = Literal["customer", "bot", "system"]
EntryKind = Literal[
    "answer",
    "choice",
    "question",
    "probe",
    "say",
    "mirror",
    "correction",
    "system",
    "non_text",
]


@dataclass(frozen=True)
class Entry:
    """One transcript line. Only produced after the customer consented to storage."""

    speaker: Speaker
    kind: EntryKind
    step_id: str | None
    text: str
    at: datetime
    ref: str | None = None
    attachment: dict[str, str] | None = None
    corrects: str | None = None


@dataclass(frozen=True)
class EntryEdited:
    """The customer edited message ``ref``; storage keeps the original text as well."""

    ref: str
    text: str
    at: datetime


@dataclass(frozen=True)
class ConsentGiven:
    """A consent decision (granted or refused) on ``topic``."""

    topic: ConsentTopic
    granted: bool
    at: datetime


Record = Entry | EntryEdited | ConsentGiven

__all__ = [
    "Action",
    "Button",
    "ButtonsChanged",
    "Command",
    "ConsentGiven",
    "Edited",
    "Entry",
    "EntryEdited",
    "EntryKind",
    "Event",
    "Language",
    "NonText",
    "Notice",
    "Output",
    "Press",
    "Record",
    "Reply",
    "Speaker",
    "Start",
    "Text",
    "Tick",
]

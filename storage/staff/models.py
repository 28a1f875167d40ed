"""The staff queries' results: frozen dataclasses, never rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

# --- listing and search ----------------------------------------------------------------------


@dataclass(frozen=True)
class DialogueFilter:
    """What the dialogue list is narrowed to; ``None`` means "any"."""

    status: str | None = None
    script_id: str | None = None
    language: str | None = None
    campaign: str | None = None
    started_from: date | None = None
    #: Inclusive: dialogues started on this day (UTC) are listed.
    started_to: date | None = None
    tag: str | None = None
    #: Full-text search over customer answers (every word must occur, as a prefix).
    text: str | None = None


@dataclass(frozen=True)
class DialogueSummary:
    """One row of the dialogue list."""

    id: str
    participant_id: str
    script_id: str
    script_version: int
    status: str
    language: str
    campaign: str | None
    step_id: str | None
    started_at: datetime
    updated_at: datetime
    consented_at: datetime | None
    finished_at: datetime | None
    entry_count: int = 0
    answer_count: int = 0
    #: When the retention rule anonymised the transcript in place (the raw text is gone).
    anonymised_at: datetime | None = None


@dataclass(frozen=True)
class DialoguePage:
    """One page of the dialogue list and how many dialogues match in all."""

    dialogues: tuple[DialogueSummary, ...]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        """Return the number of pages (at least one)."""
        return max(1, -(-self.total // self.per_page))

    @property
    def has_previous(self) -> bool:
        """Return whether there is a page before this one."""
        return self.page > 1

    @property
    def has_next(self) -> bool:
        """Return whether there is a page after this one."""
        return self.page < self.pages


@dataclass(frozen=True)
class SnippetPart:
    """A piece of a snippet; ``matched`` pieces are what the search found."""

    text: str
    matched: bool = False


@dataclass(frozen=True)
class SearchHit:
    """A customer entry that matches a search, with a snippet around the match."""

    entry_id: int
    dialogue_id: str
    at: datetime
    step_id: str | None
    snippet: tuple[SnippetPart, ...]

    @property
    def snippet_text(self) -> str:
        """Return the snippet as plain text (for channels without highlighting)."""
        return "".join(part.text for part in self.snippet)


@dataclass(frozen=True)
class FilterChoices:
    """The values the dialogue filters offer (what occurs in the database)."""

    scripts: tuple[str, ...]
    languages: tuple[str, ...]
    campaigns: tuple[str, ...]
    tags: tuple[str, ...]


# --- funnel and stats ------------------------------------------------------------------------


@dataclass(frozen=True)
class DropOff:
    """Dialogues that did not finish, by the step they stopped at (or are waiting at)."""

    step_id: str | None
    ended: int
    live: int

    @property
    def total(self) -> int:
        """Return ended and live dialogues together."""
        return self.ended + self.live


@dataclass(frozen=True)
class Funnel:
    """Started → consented → finished for one group of dialogues, and where the rest are."""

    key: str | None
    started: int
    consented: int
    finished: int
    drop_offs: tuple[DropOff, ...] = ()


@dataclass(frozen=True)
class FunnelReport:
    """The funnel over all dialogues, per script and per campaign."""

    overall: Funnel
    by_script: tuple[Funnel, ...]
    by_campaign: tuple[Funnel, ...]


@dataclass(frozen=True)
class Stats:
    """Headline figures (for the dashboard and the bot's ``/stats``)."""

    dialogues: int
    by_status: dict[str, int]
    consented: int
    finished: int
    answers: int
    started_last_7_days: int
    last_started_at: datetime | None


# --- coding ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tag:
    """A tag staff put on answers."""

    id: int
    name: str


@dataclass(frozen=True)
class TagCount:
    """A tag with how many answers and dialogues carry it."""

    id: int
    name: str
    entries: int
    dialogues: int


@dataclass(frozen=True)
class Note:
    """A staff note on an answer."""

    id: int
    entry_id: int
    text: str
    created_by: str
    created_at: datetime


@dataclass(frozen=True)
class EntryCoding:
    """The tags and notes on one entry."""

    tags: tuple[Tag, ...] = ()
    notes: tuple[Note, ...] = ()


@dataclass(frozen=True)
class EntryRef:
    """Which dialogue an entry belongs to and who said it."""

    id: int
    dialogue_id: str
    speaker: str


@dataclass(frozen=True)
class Excerpt:
    """A tagged answer, with where it comes from."""

    entry_id: int
    dialogue_id: str
    script_id: str
    step_id: str | None
    at: datetime
    text: str
    tagged_by: str
    tagged_at: datetime


@dataclass(frozen=True)
class ExcerptPage:
    """The excerpts of one tag, a page at a time."""

    tag: Tag
    excerpts: tuple[Excerpt, ...]
    total: int


# --- audit and access ------------------------------------------------------------------------


@dataclass(frozen=True)
class AuditEntry:
    """Who did what, when, to which dialogue."""

    id: int
    at: datetime
    staff_user_id: str
    action: str
    dialogue_id: str | None
    detail: str | None


@dataclass(frozen=True)
class AuditPage:
    """A page of the audit log, newest first."""

    entries: tuple[AuditEntry, ...]
    total: int


@dataclass(frozen=True)
class StaffMember:
    """Someone the bot saw in the staff group, and when."""

    telegram_user_id: str
    display_name: str | None
    confirmed_at: datetime


@dataclass(frozen=True)
class StaffSession:
    """A dashboard session (``id`` is the hash of the cookie's token, never the token)."""

    id: str
    telegram_user_id: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None


LoginOutcome = Literal["ok", "unknown", "used", "expired"]


@dataclass(frozen=True)
class LoginRedemption:
    """What came of using a login link's nonce."""

    outcome: LoginOutcome
    telegram_user_id: str | None = None

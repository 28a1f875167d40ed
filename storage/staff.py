"""Staff queries: dialogue listing and search, funnel, coding (tags, notes), audit, access.

Everything returns plain dataclasses (never rows) and runs on SQLite and PostgreSQL. Full-text
search uses the objects migration 0002 made: FTS5 ``entries_fts`` on SQLite, a GIN index on
``to_tsvector('simple', text)`` on PostgreSQL. Only customer entries are searched: the bot's
questions are the same in every dialogue and would drown the answers.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Literal

from sqlalchemy import (
    ColumnElement,
    Integer,
    String,
    case,
    column,
    delete,
    distinct,
    func,
    insert,
    literal,
    literal_column,
    select,
    table,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.schema import (
    audit_log,
    dialogues,
    entry_notes,
    entry_tags,
    login_tokens,
    staff_members,
    staff_sessions,
    tags,
    transcript_entries,
)
from storage.search import fts5_query, tsquery_words

TAG_NAME_LENGTH = 64
NOTE_LENGTH = 4000
AUDIT_DETAIL_LENGTH = 500

_ENDED = ("stopped", "declined")
_LIVE = ("active", "paused")
_FTS = table("entries_fts", column("rowid", Integer))
_WORD = re.compile(r"\w+")
_SNIPPET_WORDS = 16


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


class StaffRepository:
    """Everything the staff dashboard and the bot's staff commands read and write."""

    def __init__(self, connection: AsyncConnection) -> None:
        self.connection = connection

    @property
    def _dialect(self) -> str:
        return self.connection.dialect.name

    # --- dialogues ---------------------------------------------------------------------------

    async def list_dialogues(
        self, dialogue_filter: DialogueFilter, *, page: int = 1, per_page: int = 50
    ) -> DialoguePage:
        """Return one page of dialogues (newest first) matching the filter, and the total."""
        page = max(1, page)
        conditions = self._dialogue_conditions(dialogue_filter)
        total = int(
            await self.connection.scalar(
                select(func.count()).select_from(dialogues).where(*conditions)
            )
            or 0
        )
        rows = (
            await self.connection.execute(
                select(*_SUMMARY_COLUMNS)
                .where(*conditions)
                .order_by(dialogues.c.started_at.desc(), dialogues.c.id.desc())
                .limit(per_page)
                .offset((page - 1) * per_page)
            )
        ).all()
        counts = await self._entry_counts([r.id for r in rows])
        summaries = tuple(_summary(r, counts.get(r.id, (0, 0))) for r in rows)
        return DialoguePage(summaries, total, page, per_page)

    async def dialogue(self, dialogue_id: str) -> DialogueSummary | None:
        """Return one dialogue's summary (None if there is no such dialogue)."""
        row = (
            await self.connection.execute(
                select(*_SUMMARY_COLUMNS).where(dialogues.c.id == dialogue_id)
            )
        ).first()
        if row is None:
            return None
        counts = await self._entry_counts([row.id])
        return _summary(row, counts.get(row.id, (0, 0)))

    async def filter_choices(self) -> FilterChoices:
        """Return the scripts, languages, campaigns and tags that occur."""

        async def distinct_values(column_: ColumnElement[Any]) -> tuple[str, ...]:
            values = await self.connection.scalars(
                select(column_).where(column_.is_not(None)).distinct().order_by(column_)
            )
            return tuple(str(v) for v in values)

        return FilterChoices(
            scripts=await distinct_values(dialogues.c.script_id),
            languages=await distinct_values(dialogues.c.language),
            campaigns=await distinct_values(dialogues.c.campaign),
            tags=tuple(await self.tag_names()),
        )

    async def search(self, text: str, limit: int = 20) -> list[SearchHit]:
        """Return the newest customer entries matching ``text``, with snippets."""
        match = self._match(text)
        if match is None:
            return []
        query = (
            select(
                transcript_entries.c.id,
                transcript_entries.c.dialogue_id,
                transcript_entries.c.at,
                transcript_entries.c.step_id,
            )
            .where(match, transcript_entries.c.speaker == "customer")
            .order_by(transcript_entries.c.at.desc(), transcript_entries.c.id.desc())
            .limit(limit)
        )
        rows = (await self.connection.execute(query)).all()
        snippets = await self._snippets(text, [r.id for r in rows])
        return [
            SearchHit(r.id, r.dialogue_id, r.at, r.step_id, snippets.get(r.id, ())) for r in rows
        ]

    async def search_in_dialogues(
        self, text: str, dialogue_ids: Sequence[str], per_dialogue: int = 2
    ) -> dict[str, list[SearchHit]]:
        """Return up to ``per_dialogue`` matching answers of each dialogue, in dialogue order."""
        found: dict[str, list[SearchHit]] = {d: [] for d in dialogue_ids}
        match = self._match(text)
        if match is None or not dialogue_ids:
            return found
        numbered = (
            select(
                transcript_entries.c.id,
                transcript_entries.c.dialogue_id,
                transcript_entries.c.at,
                transcript_entries.c.step_id,
                func.row_number()
                .over(
                    partition_by=transcript_entries.c.dialogue_id,
                    order_by=transcript_entries.c.id,
                )
                .label("position"),
            )
            .where(
                match,
                transcript_entries.c.speaker == "customer",
                transcript_entries.c.dialogue_id.in_(list(dialogue_ids)),
            )
            .subquery()
        )
        rows = (
            await self.connection.execute(
                select(numbered)
                .where(numbered.c.position <= per_dialogue)
                .order_by(numbered.c.dialogue_id, numbered.c.id)
            )
        ).all()
        snippets = await self._snippets(text, [r.id for r in rows])
        for r in rows:
            found[r.dialogue_id].append(
                SearchHit(r.id, r.dialogue_id, r.at, r.step_id, snippets.get(r.id, ()))
            )
        return found

    # --- funnel and stats --------------------------------------------------------------------

    async def funnel(
        self, *, started_from: date | None = None, started_to: date | None = None
    ) -> FunnelReport:
        """Return started → consented → finished and the drop-off steps, overall and by group."""
        consented = case((dialogues.c.consented_at.is_(None), 0), else_=1)
        rows = (
            await self.connection.execute(
                select(
                    dialogues.c.script_id,
                    dialogues.c.campaign,
                    dialogues.c.status,
                    dialogues.c.step_id,
                    consented.label("consented"),
                    func.count().label("n"),
                )
                .where(*_date_conditions(started_from, started_to))
                .group_by(
                    dialogues.c.script_id,
                    dialogues.c.campaign,
                    dialogues.c.status,
                    dialogues.c.step_id,
                    consented,
                )
            )
        ).all()
        overall: dict[str | None, _Tally] = defaultdict(_Tally)
        by_script: dict[str | None, _Tally] = defaultdict(_Tally)
        by_campaign: dict[str | None, _Tally] = defaultdict(_Tally)
        for r in rows:
            for tallies, key in (
                (overall, None),
                (by_script, r.script_id),
                (by_campaign, r.campaign),
            ):
                tallies[key].add(r.status, r.step_id, bool(r.consented), int(r.n))
        return FunnelReport(
            overall=overall[None].funnel(None),
            by_script=tuple(t.funnel(k) for k, t in sorted(by_script.items(), key=_key_order)),
            by_campaign=tuple(t.funnel(k) for k, t in sorted(by_campaign.items(), key=_key_order)),
        )

    async def stats(self, now: datetime) -> Stats:
        """Return headline figures: dialogues by status, consents, finishes, answers."""
        by_status = {
            str(r.status): int(r.n)
            for r in await self.connection.execute(
                select(dialogues.c.status, func.count().label("n")).group_by(dialogues.c.status)
            )
        }
        row = (
            await self.connection.execute(
                select(
                    func.count(dialogues.c.consented_at).label("consented"),
                    func.max(dialogues.c.started_at).label("last_started"),
                    func.count(case((dialogues.c.started_at >= now - timedelta(days=7), 1))).label(
                        "recent"
                    ),
                )
            )
        ).one()
        answers = await self.connection.scalar(
            select(func.count())
            .select_from(transcript_entries)
            .where(transcript_entries.c.speaker == "customer")
        )
        return Stats(
            dialogues=sum(by_status.values()),
            by_status=by_status,
            consented=int(row.consented or 0),
            finished=by_status.get("finished", 0),
            answers=int(answers or 0),
            started_last_7_days=int(row.recent or 0),
            last_started_at=row.last_started,
        )

    # --- coding ------------------------------------------------------------------------------

    async def entry(self, entry_id: int) -> EntryRef | None:
        """Return which dialogue an entry belongs to and who said it."""
        row = (
            await self.connection.execute(
                select(
                    transcript_entries.c.id,
                    transcript_entries.c.dialogue_id,
                    transcript_entries.c.speaker,
                ).where(transcript_entries.c.id == entry_id)
            )
        ).first()
        return EntryRef(row.id, row.dialogue_id, row.speaker) if row else None

    async def tag_entry(self, entry_id: int, name: str, by: str, now: datetime) -> Tag | None:
        """Put a tag (created if new) on a customer entry; None if there is no such answer.

        Tag names are normalised (trimmed, single spaces, lower case) so "Pricing" and
        "pricing " are one tag.
        """
        name = normalise_tag_name(name)
        entry = await self.entry(entry_id)
        if not name or entry is None or entry.speaker != "customer":
            return None
        await self._insert_ignoring_duplicates(tags, {"name": name, "created_at": now})
        tag_id = await self.connection.scalar(select(tags.c.id).where(tags.c.name == name))
        assert tag_id is not None  # inserted just now or before
        await self._insert_ignoring_duplicates(
            entry_tags,
            {"entry_id": entry_id, "tag_id": tag_id, "created_by": by, "created_at": now},
        )
        return Tag(int(tag_id), name)

    async def untag_entry(self, entry_id: int, tag_id: int) -> bool:
        """Take a tag off an entry; return whether it was there."""
        result = await self.connection.execute(
            delete(entry_tags).where(
                entry_tags.c.entry_id == entry_id, entry_tags.c.tag_id == tag_id
            )
        )
        return bool(result.rowcount)

    async def add_note(self, entry_id: int, text: str, by: str, now: datetime) -> Note | None:
        """Add a note to a customer entry; None if there is no such answer or the note is empty."""
        text = text.strip()[:NOTE_LENGTH]
        entry = await self.entry(entry_id)
        if not text or entry is None or entry.speaker != "customer":
            return None
        result = await self.connection.execute(
            insert(entry_notes)
            .values(entry_id=entry_id, text=text, created_by=by, created_at=now)
            .returning(entry_notes.c.id)
        )
        return Note(int(result.scalar_one()), entry_id, text, by, now)

    async def delete_note(self, note_id: int, entry_id: int) -> bool:
        """Delete a note of an entry; return whether it existed."""
        result = await self.connection.execute(
            delete(entry_notes).where(
                entry_notes.c.id == note_id, entry_notes.c.entry_id == entry_id
            )
        )
        return bool(result.rowcount)

    async def coding_for_dialogue(self, dialogue_id: str) -> dict[int, EntryCoding]:
        """Return the tags and notes on a dialogue's entries, by entry id."""
        tagged: dict[int, list[Tag]] = defaultdict(list)
        for r in await self.connection.execute(
            select(entry_tags.c.entry_id, tags.c.id, tags.c.name)
            .join(tags, tags.c.id == entry_tags.c.tag_id)
            .join(transcript_entries, transcript_entries.c.id == entry_tags.c.entry_id)
            .where(transcript_entries.c.dialogue_id == dialogue_id)
            .order_by(tags.c.name)
        ):
            tagged[r.entry_id].append(Tag(r.id, r.name))
        noted: dict[int, list[Note]] = defaultdict(list)
        for r in await self.connection.execute(
            select(entry_notes)
            .join(transcript_entries, transcript_entries.c.id == entry_notes.c.entry_id)
            .where(transcript_entries.c.dialogue_id == dialogue_id)
            .order_by(entry_notes.c.id)
        ):
            noted[r.entry_id].append(Note(r.id, r.entry_id, r.text, r.created_by, r.created_at))
        return {
            entry_id: EntryCoding(tuple(tagged.get(entry_id, ())), tuple(noted.get(entry_id, ())))
            for entry_id in {*tagged, *noted}
        }

    async def tag_overview(self) -> list[TagCount]:
        """Return every tag with how many answers and dialogues carry it, most used first."""
        entries = func.count(entry_tags.c.entry_id)
        rows = await self.connection.execute(
            select(
                tags.c.id,
                tags.c.name,
                entries.label("entries"),
                func.count(distinct(transcript_entries.c.dialogue_id)).label("dialogues"),
            )
            .select_from(tags)
            .outerjoin(entry_tags, entry_tags.c.tag_id == tags.c.id)
            .outerjoin(transcript_entries, transcript_entries.c.id == entry_tags.c.entry_id)
            .group_by(tags.c.id, tags.c.name)
            .order_by(entries.desc(), tags.c.name)
        )
        return [TagCount(r.id, r.name, int(r.entries), int(r.dialogues)) for r in rows]

    async def tag_names(self) -> list[str]:
        """Return the names of all tags, alphabetically."""
        return [
            str(n) for n in await self.connection.scalars(select(tags.c.name).order_by(tags.c.name))
        ]

    async def tag(self, tag_id: int) -> Tag | None:
        """Return a tag by id."""
        row = (await self.connection.execute(select(tags).where(tags.c.id == tag_id))).first()
        return Tag(row.id, row.name) if row else None

    async def excerpts(
        self, tag_id: int, *, limit: int = 50, offset: int = 0
    ) -> ExcerptPage | None:
        """Return the answers carrying a tag, most recently tagged first."""
        found = await self.tag(tag_id)
        if found is None:
            return None
        total = await self.connection.scalar(
            select(func.count()).select_from(entry_tags).where(entry_tags.c.tag_id == tag_id)
        )
        rows = await self.connection.execute(
            select(*_EXCERPT_COLUMNS)
            .select_from(entry_tags)
            .join(transcript_entries, transcript_entries.c.id == entry_tags.c.entry_id)
            .join(dialogues, dialogues.c.id == transcript_entries.c.dialogue_id)
            .where(entry_tags.c.tag_id == tag_id)
            .order_by(entry_tags.c.created_at.desc(), transcript_entries.c.id.desc())
            .limit(limit)
            .offset(offset)
        )
        excerpts = tuple(_excerpt(r) for r in rows)
        return ExcerptPage(found, excerpts, int(total or 0))

    async def recent_excerpts(self, per_tag: int = 3) -> dict[int, list[Excerpt]]:
        """Return each tag's most recently tagged answers (up to ``per_tag``), by tag id."""
        numbered = (
            select(*_EXCERPT_COLUMNS, entry_tags.c.tag_id)
            .add_columns(
                func.row_number()
                .over(
                    partition_by=entry_tags.c.tag_id,
                    order_by=(entry_tags.c.created_at.desc(), transcript_entries.c.id.desc()),
                )
                .label("position")
            )
            .select_from(entry_tags)
            .join(transcript_entries, transcript_entries.c.id == entry_tags.c.entry_id)
            .join(dialogues, dialogues.c.id == transcript_entries.c.dialogue_id)
            .subquery()
        )
        rows = await self.connection.execute(
            select(numbered)
            .where(numbered.c.position <= per_tag)
            .order_by(numbered.c.tag_id, numbered.c.position)
        )
        found: dict[int, list[Excerpt]] = defaultdict(list)
        for r in rows:
            found[r.tag_id].append(_excerpt(r))
        return dict(found)

    # --- audit -------------------------------------------------------------------------------

    async def record_audit(
        self,
        staff_user_id: str,
        action: str,
        now: datetime,
        *,
        dialogue_id: str | None = None,
        detail: str | None = None,
    ) -> None:
        """Record that a staff member did something (to a dialogue)."""
        await self.connection.execute(
            insert(audit_log).values(
                at=now,
                staff_user_id=staff_user_id,
                action=action,
                dialogue_id=dialogue_id,
                detail=detail[:AUDIT_DETAIL_LENGTH] if detail else None,
            )
        )

    async def audit(
        self, *, dialogue_id: str | None = None, limit: int = 100, offset: int = 0
    ) -> AuditPage:
        """Return the audit log, newest first (optionally for one dialogue)."""
        conditions = [audit_log.c.dialogue_id == dialogue_id] if dialogue_id else []
        total = await self.connection.scalar(
            select(func.count()).select_from(audit_log).where(*conditions)
        )
        rows = await self.connection.execute(
            select(audit_log)
            .where(*conditions)
            .order_by(audit_log.c.id.desc())
            .limit(limit)
            .offset(offset)
        )
        entries = tuple(
            AuditEntry(r.id, r.at, r.staff_user_id, r.action, r.dialogue_id, r.detail) for r in rows
        )
        return AuditPage(entries, int(total or 0))

    # --- staff members -----------------------------------------------------------------------

    async def confirm_member(
        self, telegram_user_id: str, display_name: str | None, now: datetime
    ) -> None:
        """Record (or refresh) that someone is a member of the staff group."""
        values = {
            "telegram_user_id": telegram_user_id,
            "display_name": display_name[:256] if display_name else None,
            "confirmed_at": now,
        }
        changes = {"display_name": values["display_name"], "confirmed_at": now}
        if self._dialect == "postgresql":
            pg = postgresql.insert(staff_members).values(values)
            await self.connection.execute(
                pg.on_conflict_do_update(index_elements=["telegram_user_id"], set_=changes)
            )
        else:
            lite = sqlite.insert(staff_members).values(values)
            await self.connection.execute(
                lite.on_conflict_do_update(index_elements=["telegram_user_id"], set_=changes)
            )

    async def member(self, telegram_user_id: str) -> StaffMember | None:
        """Return the confirmed membership of a user, if any."""
        row = (
            await self.connection.execute(
                select(staff_members).where(staff_members.c.telegram_user_id == telegram_user_id)
            )
        ).first()
        return (
            StaffMember(row.telegram_user_id, row.display_name, row.confirmed_at) if row else None
        )

    async def members(self) -> list[StaffMember]:
        """Return every confirmed membership, most recently confirmed first."""
        rows = await self.connection.execute(
            select(staff_members).order_by(staff_members.c.confirmed_at.desc())
        )
        return [StaffMember(r.telegram_user_id, r.display_name, r.confirmed_at) for r in rows]

    async def remove_member(self, telegram_user_id: str) -> None:
        """Forget a membership (the person left the staff group)."""
        await self.connection.execute(
            delete(staff_members).where(staff_members.c.telegram_user_id == telegram_user_id)
        )

    async def display_names(self, telegram_user_ids: Iterable[str]) -> dict[str, str]:
        """Return the known display names of staff members."""
        ids = sorted(set(telegram_user_ids))
        if not ids:
            return {}
        rows = await self.connection.execute(
            select(staff_members.c.telegram_user_id, staff_members.c.display_name).where(
                staff_members.c.telegram_user_id.in_(ids),
                staff_members.c.display_name.is_not(None),
            )
        )
        return {r.telegram_user_id: r.display_name for r in rows}

    # --- login links and sessions ------------------------------------------------------------

    async def add_login_token(
        self, nonce: str, telegram_user_id: str, now: datetime, expires_at: datetime
    ) -> None:
        """Remember a login link's nonce until it is used or expires."""
        await self.connection.execute(
            insert(login_tokens).values(
                nonce=nonce,
                telegram_user_id=telegram_user_id,
                created_at=now,
                expires_at=expires_at,
            )
        )

    async def redeem_login_token(self, nonce: str, now: datetime) -> LoginRedemption:
        """Use a login link's nonce: it works once, before it expires."""
        # One conditional UPDATE: of two simultaneous uses exactly one changes the row.
        result = await self.connection.execute(
            update(login_tokens)
            .where(
                login_tokens.c.nonce == nonce,
                login_tokens.c.used_at.is_(None),
                login_tokens.c.expires_at > now,
            )
            .values(used_at=now)
        )
        row = (
            await self.connection.execute(
                select(login_tokens.c.telegram_user_id, login_tokens.c.used_at).where(
                    login_tokens.c.nonce == nonce
                )
            )
        ).first()
        if row is None:
            return LoginRedemption("unknown")
        if result.rowcount == 1:
            return LoginRedemption("ok", row.telegram_user_id)
        outcome: LoginOutcome = "used" if row.used_at is not None else "expired"
        return LoginRedemption(outcome, row.telegram_user_id)

    async def create_session(
        self, session_id: str, telegram_user_id: str, now: datetime, expires_at: datetime
    ) -> None:
        """Store a new dashboard session."""
        await self.connection.execute(
            insert(staff_sessions).values(
                id=session_id,
                telegram_user_id=telegram_user_id,
                created_at=now,
                expires_at=expires_at,
            )
        )

    async def session(self, session_id: str) -> StaffSession | None:
        """Return a session by id, whatever its state."""
        row = (
            await self.connection.execute(
                select(staff_sessions).where(staff_sessions.c.id == session_id)
            )
        ).first()
        if row is None:
            return None
        return StaffSession(
            row.id, row.telegram_user_id, row.created_at, row.expires_at, row.revoked_at
        )

    async def revoke_session(self, session_id: str, now: datetime) -> None:
        """End a session (logout)."""
        await self.connection.execute(
            update(staff_sessions)
            .where(staff_sessions.c.id == session_id, staff_sessions.c.revoked_at.is_(None))
            .values(revoked_at=now)
        )

    async def revoke_sessions_of(self, telegram_user_id: str, now: datetime) -> int:
        """End every open session of a user; return how many there were."""
        result = await self.connection.execute(
            update(staff_sessions)
            .where(
                staff_sessions.c.telegram_user_id == telegram_user_id,
                staff_sessions.c.revoked_at.is_(None),
                staff_sessions.c.expires_at > now,
            )
            .values(revoked_at=now)
        )
        return int(result.rowcount or 0)

    async def purge_expired_access(
        self, now: datetime, keep: timedelta = timedelta(days=7)
    ) -> None:
        """Delete login links and sessions that ended more than ``keep`` ago."""
        cutoff = now - keep
        await self.connection.execute(
            delete(login_tokens).where(login_tokens.c.expires_at < cutoff)
        )
        await self.connection.execute(
            delete(staff_sessions).where(staff_sessions.c.expires_at < cutoff)
        )

    # --- helpers -----------------------------------------------------------------------------

    def _dialogue_conditions(self, f: DialogueFilter) -> list[ColumnElement[bool]]:
        conditions: list[ColumnElement[bool]] = []
        for value, column_ in (
            (f.status, dialogues.c.status),
            (f.script_id, dialogues.c.script_id),
            (f.language, dialogues.c.language),
            (f.campaign, dialogues.c.campaign),
        ):
            if value:
                conditions.append(column_ == value)
        conditions.extend(_date_conditions(f.started_from, f.started_to))
        if f.tag:
            conditions.append(
                dialogues.c.id.in_(
                    select(transcript_entries.c.dialogue_id)
                    .join(entry_tags, entry_tags.c.entry_id == transcript_entries.c.id)
                    .join(tags, tags.c.id == entry_tags.c.tag_id)
                    .where(tags.c.name == normalise_tag_name(f.tag))
                )
            )
        match = self._match(f.text or "")
        if match is not None:
            conditions.append(
                dialogues.c.id.in_(
                    select(transcript_entries.c.dialogue_id).where(
                        match, transcript_entries.c.speaker == "customer"
                    )
                )
            )
        return conditions

    def _match(self, text: str) -> ColumnElement[bool] | None:
        """Return "this entry matches ``text``", or None when ``text`` has no words."""
        if self._dialect == "sqlite":
            query = fts5_query(text)
            if query is None:
                return None
            return transcript_entries.c.id.in_(
                select(_FTS.c.rowid).where(
                    literal_column("entries_fts").op("MATCH")(literal(query, String))
                )
            )
        tsquery = _tsquery(text)
        if tsquery is None:
            return None
        return _tsvector().op("@@")(tsquery)

    async def _snippets(
        self, text: str, entry_ids: Sequence[int]
    ) -> dict[int, tuple[SnippetPart, ...]]:
        # Cut from the exact stored text on both databases: PostgreSQL's ts_headline drops
        # whatever looks like an HTML tag (misquoting the customer), and FTS5's snippet()
        # evaluates the whole match again (40 ms on 100,000 entries).
        if not entry_ids:
            return {}
        rows = await self.connection.execute(
            select(transcript_entries.c.id, transcript_entries.c.text).where(
                transcript_entries.c.id.in_(list(entry_ids))
            )
        )
        words = tsquery_words(text)
        return {int(r.id): make_snippet(str(r.text), words) for r in rows}

    async def _entry_counts(self, dialogue_ids: Sequence[str]) -> dict[str, tuple[int, int]]:
        if not dialogue_ids:
            return {}
        answers = func.sum(case((transcript_entries.c.speaker == "customer", 1), else_=0))
        rows = await self.connection.execute(
            select(
                transcript_entries.c.dialogue_id,
                func.count().label("entries"),
                answers.label("answers"),
            )
            .where(transcript_entries.c.dialogue_id.in_(list(dialogue_ids)))
            .group_by(transcript_entries.c.dialogue_id)
        )
        return {r.dialogue_id: (int(r.entries), int(r.answers or 0)) for r in rows}

    async def _insert_ignoring_duplicates(self, target: Any, values: dict[str, Any]) -> None:
        if self._dialect == "postgresql":
            await self.connection.execute(
                postgresql.insert(target).values(values).on_conflict_do_nothing()
            )
        else:
            await self.connection.execute(
                sqlite.insert(target).values(values).on_conflict_do_nothing()
            )


class _Tally:
    """Counts for one funnel group while the rows are read."""

    def __init__(self) -> None:
        self.started = 0
        self.consented = 0
        self.finished = 0
        self.ended: dict[str | None, int] = defaultdict(int)
        self.live: dict[str | None, int] = defaultdict(int)

    def add(self, status: str, step_id: str | None, consented: bool, count: int) -> None:
        self.started += count
        self.consented += count if consented else 0
        if status == "finished":
            self.finished += count
        elif status in _ENDED:
            self.ended[step_id] += count
        elif status in _LIVE:
            self.live[step_id] += count

    def funnel(self, key: str | None) -> Funnel:
        steps = {*self.ended, *self.live}
        drop_offs = sorted(
            (DropOff(s, self.ended.get(s, 0), self.live.get(s, 0)) for s in steps),
            key=lambda d: (-d.total, d.step_id or ""),
        )
        return Funnel(key, self.started, self.consented, self.finished, tuple(drop_offs))


_SUMMARY_COLUMNS = (
    dialogues.c.id,
    dialogues.c.participant_id,
    dialogues.c.script_id,
    dialogues.c.script_version,
    dialogues.c.status,
    dialogues.c.language,
    dialogues.c.campaign,
    dialogues.c.step_id,
    dialogues.c.started_at,
    dialogues.c.updated_at,
    dialogues.c.consented_at,
    dialogues.c.finished_at,
    dialogues.c.anonymised_at,
)


_EXCERPT_COLUMNS = (
    transcript_entries.c.id.label("entry_id"),
    transcript_entries.c.dialogue_id,
    dialogues.c.script_id,
    transcript_entries.c.step_id,
    transcript_entries.c.at,
    transcript_entries.c.text,
    entry_tags.c.created_by.label("tagged_by"),
    entry_tags.c.created_at.label("tagged_at"),
)


def _excerpt(row: Any) -> Excerpt:
    return Excerpt(
        entry_id=row.entry_id,
        dialogue_id=row.dialogue_id,
        script_id=row.script_id,
        step_id=row.step_id,
        at=row.at,
        text=row.text,
        tagged_by=row.tagged_by,
        tagged_at=row.tagged_at,
    )


def normalise_tag_name(name: str) -> str:
    """Return a tag name trimmed, with single spaces, in lower case, at most 64 characters."""
    return " ".join(name.split()).lower()[:TAG_NAME_LENGTH]


def make_snippet(
    text: str, words: Sequence[str], size: int = _SNIPPET_WORDS
) -> tuple[SnippetPart, ...]:
    """Return about ``size`` words of ``text`` around the first word that starts with one of
    ``words``, every such word marked; "…" where the text was cut.

    Matching ignores case and accents, as the SQLite index does ("uber" marks "über").
    """
    prefixes = tuple(_fold(w) for w in words)
    tokens = list(_WORD.finditer(text))
    hits = [bool(prefixes) and _fold(t.group()).startswith(prefixes) for t in tokens]
    first = hits.index(True) if True in hits else 0
    begin = max(0, min(first - size // 4, len(tokens) - size))
    end = min(len(tokens), begin + size)
    start_at = tokens[begin].start() if begin > 0 else 0
    stop_at = tokens[end - 1].end() if end < len(tokens) else len(text)
    parts: list[SnippetPart] = []
    plain = "…" if start_at > 0 else ""
    position = start_at
    for token, hit in zip(tokens[begin:end], hits[begin:end], strict=True):
        if hit:
            plain += text[position : token.start()]
            if plain:
                parts.append(SnippetPart(plain))
            parts.append(SnippetPart(token.group(), matched=True))
            plain, position = "", token.end()
    plain += text[position:stop_at] + ("…" if stop_at < len(text) else "")
    if plain:
        parts.append(SnippetPart(plain))
    return tuple(parts)


def _fold(word: str) -> str:
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _date_conditions(
    started_from: date | None, started_to: date | None
) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if started_from is not None:
        conditions.append(dialogues.c.started_at >= datetime.combine(started_from, time(), UTC))
    if started_to is not None:
        end = datetime.combine(started_to + timedelta(days=1), time(), UTC)
        conditions.append(dialogues.c.started_at < end)
    return conditions


def _tsvector() -> ColumnElement[Any]:
    # The configuration must be a literal, or the planner cannot use the expression index.
    return func.to_tsvector(literal_column("'simple'"), transcript_entries.c.text)


def _tsquery(text: str) -> ColumnElement[Any] | None:
    words = tsquery_words(text)
    if not words:
        return None
    # \w words hold no tsquery operators; each is a prefix and all must occur.
    return func.to_tsquery(
        literal_column("'simple'"), literal(" & ".join(f"{w}:*" for w in words), String)
    )


def _summary(row: Any, counts: tuple[int, int]) -> DialogueSummary:
    return DialogueSummary(
        id=row.id,
        participant_id=row.participant_id,
        script_id=row.script_id,
        script_version=row.script_version,
        status=row.status,
        language=row.language,
        campaign=row.campaign,
        step_id=row.step_id,
        started_at=row.started_at,
        updated_at=row.updated_at,
        consented_at=row.consented_at,
        finished_at=row.finished_at,
        entry_count=counts[0],
        answer_count=counts[1],
        anonymised_at=row.anonymised_at,
    )


def _key_order(item: tuple[str | None, Any]) -> tuple[int, str]:
    # Groups without a key (no campaign) go last.
    return (item[0] is None, item[0] or "")


__all__ = [
    "AuditEntry",
    "AuditPage",
    "DialogueFilter",
    "DialoguePage",
    "DialogueSummary",
    "DropOff",
    "EntryCoding",
    "EntryRef",
    "Excerpt",
    "ExcerptPage",
    "FilterChoices",
    "Funnel",
    "FunnelReport",
    "LoginRedemption",
    "Note",
    "SearchHit",
    "SnippetPart",
    "StaffMember",
    "StaffRepository",
    "StaffSession",
    "Stats",
    "Tag",
    "TagCount",
]

"""Full-text search over customer answers, with snippets around the matches.

Search uses FTS5 ``entries_fts`` on SQLite (migration 0002) and a GIN index on
``to_tsvector('simple', translate(text, …))`` on PostgreSQL (migration 0006), both folding
accents ("uber" finds "über"). Only customer entries are searched: the bot's questions are the
same in every dialogue and would drown the answers.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    String,
    column,
    func,
    literal,
    literal_column,
    select,
    table,
)

from storage.schema import transcript_entries
from storage.search import accent_map, fts5_query, tsquery_words
from storage.staff._common import StaffQueriesBase
from storage.staff.models import SearchHit, SnippetPart

_FTS = table("entries_fts", column("rowid", Integer))
_WORD = re.compile(r"\w+")
_SNIPPET_WORDS = 16


class SearchQueries(StaffQueriesBase):
    """Full-text search over customer answers."""

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


def _tsvector() -> ColumnElement[Any]:
    # The expression must be the index's (migration 0006) literally, or the planner cannot use
    # the index: configuration and accent map are SQL literals, not parameters.
    accented, plain = accent_map()
    folded = func.translate(
        transcript_entries.c.text,
        literal_column(f"'{accented}'"),
        literal_column(f"'{plain}'"),
    )
    return func.to_tsvector(literal_column("'simple'"), folded)


def _tsquery(text: str) -> ColumnElement[Any] | None:
    words = tsquery_words(text)
    if not words:
        return None
    # \w words hold no tsquery operators; each is a prefix and all must occur.
    return func.to_tsquery(
        literal_column("'simple'"), literal(" & ".join(f"{w}:*" for w in words), String)
    )

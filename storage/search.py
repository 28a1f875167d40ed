"""Full-text search over transcript entries (FTS5 on SQLite, tsvector on PostgreSQL)."""

from __future__ import annotations

import re

#: Database objects made by migration 0002 for search, which SQLAlchemy's schema does not know.
SEARCH_OBJECTS = ("entries_fts", "ix_transcript_entries_fts")

_WORD = re.compile(r"\w+", re.UNICODE)


def is_search_object(name: str | None) -> bool:
    """Return whether ``name`` is a search table, trigger or index (not in the metadata)."""
    return bool(name) and any(str(name).startswith(prefix) for prefix in SEARCH_OBJECTS)


def fts5_query(text: str) -> str | None:
    """Turn what staff type into a safe FTS5 query: every word must occur (prefix match)."""
    words = _WORD.findall(text)
    if not words:
        return None
    return " ".join(f'"{word}"*' for word in words[:12])


def tsquery_words(text: str) -> list[str]:
    """Return the words of a search for PostgreSQL's ``plainto_tsquery``-style matching."""
    return _WORD.findall(text)[:12]

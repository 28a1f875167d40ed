"""Full-text search over transcript entries (FTS5 on SQLite, tsvector on PostgreSQL)."""

from __future__ import annotations

import re
import unicodedata
from functools import cache

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
    """Return the words of a search for PostgreSQL's tsquery, without diacritics."""
    fold = str.maketrans(*accent_map())
    return [word.translate(fold) for word in _WORD.findall(text)[:12]]


@cache
def accent_map() -> tuple[str, str]:
    """Latin letters with diacritics (U+00C0–U+024F) and their base letters, as PostgreSQL's
    ``translate()`` takes them; the same folding FTS5's ``remove_diacritics`` does on SQLite."""
    accented: list[str] = []
    plain: list[str] = []
    for code in range(0xC0, 0x250):
        letter = chr(code)
        parts = unicodedata.normalize("NFKD", letter)
        base = [c for c in parts if not unicodedata.combining(c)]
        if len(parts) > 1 and len(base) == 1 and base[0].isascii() and base[0].isalpha():
            accented.append(letter)
            plain.append(base[0])
    return "".join(accented), "".join(plain)

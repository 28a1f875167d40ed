"""Staff queries: dialogue listing and search, funnel, coding (tags, notes), audit, access.

Everything returns plain dataclasses (never rows) and runs on SQLite and PostgreSQL. Callers use
one ``StaffRepository`` (``uow.staff``); it is put together from one mixin per job:

- ``listing``: the dialogue list, its filters and filter choices;
- ``search``: full-text search over customer answers, and snippets;
- ``funnel``: started → consented → finished, drop-offs, headline stats;
- ``coding``: tags and notes on answers, excerpts by tag;
- ``audit``: the audit log;
- ``access``: staff members, login links, dashboard sessions.

The dataclasses live in ``models``.
"""

from __future__ import annotations

from storage.staff.audit import AUDIT_DETAIL_LENGTH
from storage.staff.coding import NOTE_LENGTH, TAG_NAME_LENGTH, normalise_tag_name
from storage.staff.models import (
    AuditEntry,
    AuditPage,
    DialogueFilter,
    DialoguePage,
    DialogueSummary,
    DropOff,
    EntryCoding,
    EntryRef,
    Excerpt,
    ExcerptPage,
    FilterChoices,
    Funnel,
    FunnelReport,
    LoginOutcome,
    LoginRedemption,
    Note,
    SearchHit,
    SnippetPart,
    StaffMember,
    StaffSession,
    Stats,
    Tag,
    TagCount,
)
from storage.staff.repository import StaffRepository
from storage.staff.search import make_snippet

__all__ = [
    "AUDIT_DETAIL_LENGTH",
    "NOTE_LENGTH",
    "TAG_NAME_LENGTH",
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
    "LoginOutcome",
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
    "make_snippet",
    "normalise_tag_name",
]

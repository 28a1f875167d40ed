"""Database tables (SQLAlchemy Core). Alembic migrations in ``storage/migrations`` follow this."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.types import TypeDecorator

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite keeps no zone of its own)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Store as UTC; naive values are refused so that no local time sneaks in."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use timezone-aware UTC datetimes")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        """Return an aware UTC datetime."""
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# Plain JSON on PostgreSQL too: JSONB cannot hold "\u0000", and customers' texts (kept in the
# dialogue state) must round-trip exactly. Nothing queries inside these documents.
JSONType = JSON(none_as_null=True)

_ESCAPE = "\ue000"
_ESCAPED = re.compile("\ue000(.)", re.S)
_UNESCAPE = {"\ue001": _ESCAPE, "\ue002": "\x00"}


class SafeText(TypeDecorator[str]):
    """Text that round-trips exactly, NUL characters included.

    PostgreSQL text cannot contain NUL; there NUL (and the private-use escape character
    itself) are escaped reversibly. SQLite stores the text as it is.
    """

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        """Escape NUL for PostgreSQL."""
        if value is None or dialect.name != "postgresql":
            return value
        return value.replace(_ESCAPE, _ESCAPE + "\ue001").replace("\x00", _ESCAPE + "\ue002")

    def process_result_value(self, value: Any, dialect: Dialect) -> str | None:
        """Undo :meth:`process_bind_param`."""
        if value is None or dialect.name != "postgresql" or _ESCAPE not in value:
            return value if value is None else str(value)
        return _ESCAPED.sub(lambda m: _UNESCAPE.get(m.group(1), m.group(0)), value)


participants = Table(
    "participants",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("language", String(2)),
    Column("unreachable_at", UTCDateTime),
)

# Channel identity lives apart from the pseudonymous participant so it can be erased alone.
channel_identities = Table(
    "channel_identities",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column(
        "participant_id",
        String(32),
        ForeignKey("participants.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("channel", String(16), nullable=False),
    Column("external_id", String(64), nullable=False),
    Column("chat_id", String(64), nullable=False),
    Column("first_name", String(256)),
    Column("last_name", String(256)),
    Column("username", String(64)),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    UniqueConstraint("channel", "external_id", name="uq_channel_identities_channel_external"),
)

script_versions = Table(
    "script_versions",
    metadata,
    Column("checksum", String(16), primary_key=True),
    Column("script_id", String(32), nullable=False),
    Column("version", Integer, nullable=False),
    Column("source", Text, nullable=False),
    Column("first_used_at", UTCDateTime, nullable=False),
)

dialogues = Table(
    "dialogues",
    metadata,
    Column("id", String(32), primary_key=True),
    Column(
        "participant_id",
        String(32),
        ForeignKey("participants.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("script_id", String(32), nullable=False),
    Column("script_version", Integer, nullable=False),
    Column("script_checksum", String(16), ForeignKey("script_versions.checksum"), nullable=False),
    Column("status", String(16), nullable=False),
    Column("language", String(2), nullable=False),
    Column("campaign", String(64)),
    Column("step_id", String(32)),
    Column("state", JSONType, nullable=False),
    Column("started_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("consented_at", UTCDateTime),
    Column("finished_at", UTCDateTime),
    Column("due_at", UTCDateTime),
    # Set when the retention period anonymised the transcript in place.
    Column("anonymised_at", UTCDateTime),
    Index("ix_dialogues_status_started", "status", "started_at"),
    Index("ix_dialogues_finished_at", "finished_at"),
    Index("ix_dialogues_due_at", "due_at"),
)

transcript_entries = Table(
    "transcript_entries",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column(
        "dialogue_id",
        String(32),
        ForeignKey("dialogues.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("at", UTCDateTime, nullable=False),
    Column("speaker", String(10), nullable=False),
    Column("kind", String(12), nullable=False),
    Column("step_id", String(32)),
    Column("text", SafeText, nullable=False),
    Column("ref", String(64)),
    Column("attachment", JSONType),
    Column("corrects", String(32)),
    Column("edited_at", UTCDateTime),
    Index("ix_transcript_entries_dialogue", "dialogue_id", "id"),
    Index("ix_transcript_entries_ref", "dialogue_id", "ref"),
)

# Edited messages: the entry shows the latest text, every earlier text is kept here.
entry_edits = Table(
    "entry_edits",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column(
        "entry_id",
        Integer,
        ForeignKey("transcript_entries.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("replaced_at", UTCDateTime, nullable=False),
    Column("previous_text", SafeText, nullable=False),
)

consent_events = Table(
    "consent_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column(
        "participant_id",
        String(32),
        ForeignKey("participants.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("dialogue_id", String(32), ForeignKey("dialogues.id", ondelete="CASCADE")),
    Column("topic", String(16), nullable=False),
    Column("granted", Boolean, nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("script_id", String(32), nullable=False),
    Column("script_version", Integer, nullable=False),
)

# Raw updates, committed before the channel is told we have them (design.md §2).
inbox = Table(
    "inbox",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("channel", String(16), nullable=False),
    Column("update_id", BigInteger, nullable=False),
    Column("chat_key", String(64)),
    Column("received_at", UTCDateTime, nullable=False),
    Column("payload", JSONType),
    Column("status", String(10), nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("handled_at", UTCDateTime),
    Column("error", String(500)),
    UniqueConstraint("channel", "update_id", name="uq_inbox_channel_update"),
    Index("ix_inbox_status_id", "status", "id"),
    Index("ix_inbox_chat_key", "chat_key"),
)

outbox = Table(
    "outbox",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("channel", String(16), nullable=False),
    Column("chat_id", String(64), nullable=False),
    Column("participant_id", String(32), ForeignKey("participants.id", ondelete="CASCADE")),
    Column("dialogue_id", String(32), ForeignKey("dialogues.id", ondelete="SET NULL")),
    Column("entry_id", Integer, ForeignKey("transcript_entries.id", ondelete="SET NULL")),
    Column("method", String(32), nullable=False),
    Column("payload", JSONType),
    Column("status", String(10), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("not_before", UTCDateTime, nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("sent_at", UTCDateTime),
    Column("message_id", BigInteger),
    Column("last_error", String(500)),
    Index("ix_outbox_status_due", "status", "not_before", "id"),
    Index("ix_outbox_status_id", "status", "id"),
    Index("ix_outbox_chat", "chat_id", "id"),
)

# Small operational facts (e.g. the highest update id seen), key → value.
meta = Table(
    "meta",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", String(256), nullable=False),
)

# --- staff: coding, access, audit ----------------------------------------------------------

tags = Table(
    "tags",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(64), nullable=False, unique=True),
    Column("created_at", UTCDateTime, nullable=False),
)

entry_tags = Table(
    "entry_tags",
    metadata,
    Column(
        "entry_id",
        Integer,
        ForeignKey("transcript_entries.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("tag_id", Integer, ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True),
    Column("created_by", String(64), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Index("ix_entry_tags_tag", "tag_id"),
)

entry_notes = Table(
    "entry_notes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column(
        "entry_id",
        Integer,
        ForeignKey("transcript_entries.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("text", SafeText, nullable=False),
    Column("created_by", String(64), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)

# Staff whose membership of the staff group was confirmed (configured ids need no row).
staff_members = Table(
    "staff_members",
    metadata,
    Column("telegram_user_id", String(64), primary_key=True),
    Column("display_name", String(256)),
    Column("confirmed_at", UTCDateTime, nullable=False),
)

# One-time login links: the signed token carries the nonce; using it marks the row.
login_tokens = Table(
    "login_tokens",
    metadata,
    Column("nonce", String(64), primary_key=True),
    Column("telegram_user_id", String(64), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("used_at", UTCDateTime),
)

staff_sessions = Table(
    "staff_sessions",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("telegram_user_id", String(64), nullable=False, index=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("revoked_at", UTCDateTime),
)

# Who looked at or took out what; dialogue ids are pseudonymous and outlive an erasure.
audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", UTCDateTime, nullable=False),
    Column("staff_user_id", String(64), nullable=False),
    Column("action", String(32), nullable=False),
    Column("dialogue_id", String(32)),
    Column("detail", String(500)),
    Index("ix_audit_log_at", "at"),
    Index("ix_audit_log_dialogue", "dialogue_id"),
)

# Dialogues imported from elsewhere (calls, workshops, e-mail): the source's id, once.
imported_dialogues = Table(
    "imported_dialogues",
    metadata,
    Column("source_id", String(128), primary_key=True),
    Column(
        "dialogue_id", String(32), ForeignKey("dialogues.id", ondelete="CASCADE"), nullable=False
    ),
    Column("imported_at", UTCDateTime, nullable=False),
)

# --- digests: what we heard, published back ------------------------------------------------

digests = Table(
    "digests",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("created_by", String(64), nullable=False),
    Column("status", String(16), nullable=False),
    Column("since", UTCDateTime),
    Column("until", UTCDateTime),
    Column("script_id", String(32)),
    Column("campaign", String(64)),
    # Themes, labels, quotes, dialogue ids, dropped items and the team's note (JSON).
    Column("content", JSONType, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("approved_at", UTCDateTime),
    Column("approved_by", String(64)),
    Column("published_at", UTCDateTime),
    Column("published_by", String(64)),
    Index("ix_digests_created", "created_at"),
)

# Who got a digest: each subscriber once per digest, whatever happens to the process.
digest_deliveries = Table(
    "digest_deliveries",
    metadata,
    Column("digest_id", String(32), ForeignKey("digests.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "participant_id",
        String(32),
        ForeignKey("participants.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("queued_at", UTCDateTime, nullable=False),
)

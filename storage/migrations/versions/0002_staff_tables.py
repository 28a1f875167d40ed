"""Staff: tags and notes on entries, staff members, login links, sessions, audit log, imports.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# Full-text search over transcript entries: FTS5 (external content, kept current by triggers)
# on SQLite, a GIN expression index on PostgreSQL. Both are invisible to SQLAlchemy's schema,
# see storage.search.SEARCH_OBJECTS.
SQLITE_FTS = [
    "CREATE VIRTUAL TABLE entries_fts USING fts5(text, content='transcript_entries',"
    " content_rowid='id', tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER entries_fts_insert AFTER INSERT ON transcript_entries BEGIN"
    " INSERT INTO entries_fts(rowid, text) VALUES (new.id, new.text); END",
    "CREATE TRIGGER entries_fts_delete AFTER DELETE ON transcript_entries BEGIN"
    " INSERT INTO entries_fts(entries_fts, rowid, text) VALUES ('delete', old.id, old.text); END",
    "CREATE TRIGGER entries_fts_update AFTER UPDATE OF text ON transcript_entries BEGIN"
    " INSERT INTO entries_fts(entries_fts, rowid, text) VALUES ('delete', old.id, old.text);"
    " INSERT INTO entries_fts(rowid, text) VALUES (new.id, new.text); END",
    "INSERT INTO entries_fts(entries_fts) VALUES ('rebuild')",
]
POSTGRES_FTS = [
    "CREATE INDEX ix_transcript_entries_fts ON transcript_entries"
    " USING gin (to_tsvector('simple', text))",
]


def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("staff_user_id", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("dialogue_id", sa.String(length=32), nullable=True),
        sa.Column("detail", sa.String(length=500), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index("ix_audit_log_at", ["at"], unique=False)
        batch_op.create_index("ix_audit_log_dialogue", ["dialogue_id"], unique=False)

    op.create_table(
        "login_tokens",
        sa.Column("nonce", sa.String(length=64), nullable=False),
        sa.Column("telegram_user_id", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("nonce", name=op.f("pk_login_tokens")),
    )
    op.create_table(
        "staff_members",
        sa.Column("telegram_user_id", sa.String(length=64), nullable=False),
        sa.Column("display_name", sa.String(length=256), nullable=True),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("telegram_user_id", name=op.f("pk_staff_members")),
    )
    op.create_table(
        "staff_sessions",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("telegram_user_id", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_sessions")),
    )
    with op.batch_alter_table("staff_sessions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_staff_sessions_telegram_user_id"), ["telegram_user_id"], unique=False
        )

    op.create_table(
        "tags",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tags")),
        sa.UniqueConstraint("name", name=op.f("uq_tags_name")),
    )
    op.create_table(
        "imported_dialogues",
        sa.Column("source_id", sa.String(length=128), nullable=False),
        sa.Column("dialogue_id", sa.String(length=32), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["dialogue_id"],
            ["dialogues.id"],
            name=op.f("fk_imported_dialogues_dialogue_id_dialogues"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("source_id", name=op.f("pk_imported_dialogues")),
    )
    op.create_table(
        "entry_notes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["transcript_entries.id"],
            name=op.f("fk_entry_notes_entry_id_transcript_entries"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_entry_notes")),
    )
    with op.batch_alter_table("entry_notes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_entry_notes_entry_id"), ["entry_id"], unique=False)

    op.create_table(
        "entry_tags",
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("tag_id", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["transcript_entries.id"],
            name=op.f("fk_entry_tags_entry_id_transcript_entries"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tag_id"], ["tags.id"], name=op.f("fk_entry_tags_tag_id_tags"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("entry_id", "tag_id", name=op.f("pk_entry_tags")),
    )
    with op.batch_alter_table("entry_tags", schema=None) as batch_op:
        batch_op.create_index("ix_entry_tags_tag", ["tag_id"], unique=False)

    bind = op.get_bind()
    for statement in SQLITE_FTS if bind.dialect.name == "sqlite" else POSTGRES_FTS:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for trigger in ("entries_fts_insert", "entries_fts_delete", "entries_fts_update"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS entries_fts")
    else:
        op.execute("DROP INDEX IF EXISTS ix_transcript_entries_fts")
    with op.batch_alter_table("entry_tags", schema=None) as batch_op:
        batch_op.drop_index("ix_entry_tags_tag")

    op.drop_table("entry_tags")
    with op.batch_alter_table("entry_notes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_entry_notes_entry_id"))

    op.drop_table("entry_notes")
    op.drop_table("imported_dialogues")
    op.drop_table("tags")
    with op.batch_alter_table("staff_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_staff_sessions_telegram_user_id"))

    op.drop_table("staff_sessions")
    op.drop_table("staff_members")
    op.drop_table("login_tokens")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_log_dialogue")
        batch_op.drop_index("ix_audit_log_at")

    op.drop_table("audit_log")

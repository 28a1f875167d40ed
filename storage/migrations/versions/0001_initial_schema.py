"""Initial schema: participants, identities, dialogues, transcripts, consents, inbox, outbox.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "inbox",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("update_id", sa.BigInteger(), nullable=False),
        sa.Column("chat_key", sa.String(length=64), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("handled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("error", sa.String(length=500), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbox")),
        sa.UniqueConstraint("channel", "update_id", name="uq_inbox_channel_update"),
    )
    with op.batch_alter_table("inbox", schema=None) as batch_op:
        batch_op.create_index("ix_inbox_chat_key", ["chat_key"], unique=False)
        batch_op.create_index("ix_inbox_status_id", ["status", "id"], unique=False)

    op.create_table(
        "meta",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.String(length=256), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_meta")),
    )
    op.create_table(
        "participants",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("language", sa.String(length=2), nullable=True),
        sa.Column("unreachable_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_participants")),
    )
    op.create_table(
        "script_versions",
        sa.Column("checksum", sa.String(length=16), nullable=False),
        sa.Column("script_id", sa.String(length=32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("first_used_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("checksum", name=op.f("pk_script_versions")),
    )
    op.create_table(
        "channel_identities",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("participant_id", sa.String(length=32), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("external_id", sa.String(length=64), nullable=False),
        sa.Column("chat_id", sa.String(length=64), nullable=False),
        sa.Column("first_name", sa.String(length=256), nullable=True),
        sa.Column("last_name", sa.String(length=256), nullable=True),
        sa.Column("username", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participants.id"],
            name=op.f("fk_channel_identities_participant_id_participants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_channel_identities")),
        sa.UniqueConstraint(
            "channel", "external_id", name="uq_channel_identities_channel_external"
        ),
    )
    with op.batch_alter_table("channel_identities", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_channel_identities_participant_id"), ["participant_id"], unique=False
        )

    op.create_table(
        "dialogues",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("participant_id", sa.String(length=32), nullable=False),
        sa.Column("script_id", sa.String(length=32), nullable=False),
        sa.Column("script_version", sa.Integer(), nullable=False),
        sa.Column("script_checksum", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("campaign", sa.String(length=64), nullable=True),
        sa.Column("step_id", sa.String(length=32), nullable=True),
        sa.Column("state", sa.JSON(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("consented_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participants.id"],
            name=op.f("fk_dialogues_participant_id_participants"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["script_checksum"],
            ["script_versions.checksum"],
            name=op.f("fk_dialogues_script_checksum_script_versions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dialogues")),
    )
    with op.batch_alter_table("dialogues", schema=None) as batch_op:
        batch_op.create_index("ix_dialogues_due_at", ["due_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_dialogues_participant_id"), ["participant_id"], unique=False
        )
        batch_op.create_index("ix_dialogues_status_started", ["status", "started_at"], unique=False)

    op.create_table(
        "consent_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("participant_id", sa.String(length=32), nullable=False),
        sa.Column("dialogue_id", sa.String(length=32), nullable=True),
        sa.Column("topic", sa.String(length=16), nullable=False),
        sa.Column("granted", sa.Boolean(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("script_id", sa.String(length=32), nullable=False),
        sa.Column("script_version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["dialogue_id"],
            ["dialogues.id"],
            name=op.f("fk_consent_events_dialogue_id_dialogues"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participants.id"],
            name=op.f("fk_consent_events_participant_id_participants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consent_events")),
    )
    with op.batch_alter_table("consent_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_consent_events_participant_id"), ["participant_id"], unique=False
        )

    op.create_table(
        "transcript_entries",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("dialogue_id", sa.String(length=32), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("speaker", sa.String(length=10), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("step_id", sa.String(length=32), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("ref", sa.String(length=64), nullable=True),
        sa.Column("attachment", sa.JSON(), nullable=True),
        sa.Column("corrects", sa.String(length=32), nullable=True),
        sa.Column("edited_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["dialogue_id"],
            ["dialogues.id"],
            name=op.f("fk_transcript_entries_dialogue_id_dialogues"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transcript_entries")),
    )
    with op.batch_alter_table("transcript_entries", schema=None) as batch_op:
        batch_op.create_index("ix_transcript_entries_dialogue", ["dialogue_id", "id"], unique=False)
        batch_op.create_index("ix_transcript_entries_ref", ["dialogue_id", "ref"], unique=False)

    op.create_table(
        "entry_edits",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("replaced_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("previous_text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["transcript_entries.id"],
            name=op.f("fk_entry_edits_entry_id_transcript_entries"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_entry_edits")),
    )
    with op.batch_alter_table("entry_edits", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_entry_edits_entry_id"), ["entry_id"], unique=False)

    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("chat_id", sa.String(length=64), nullable=False),
        sa.Column("participant_id", sa.String(length=32), nullable=True),
        sa.Column("dialogue_id", sa.String(length=32), nullable=True),
        sa.Column("entry_id", sa.Integer(), nullable=True),
        sa.Column("method", sa.String(length=32), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("not_before", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("message_id", sa.BigInteger(), nullable=True),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(
            ["dialogue_id"],
            ["dialogues.id"],
            name=op.f("fk_outbox_dialogue_id_dialogues"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["transcript_entries.id"],
            name=op.f("fk_outbox_entry_id_transcript_entries"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participants.id"],
            name=op.f("fk_outbox_participant_id_participants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index("ix_outbox_chat", ["chat_id", "id"], unique=False)
        batch_op.create_index("ix_outbox_status_due", ["status", "not_before", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_status_due")
        batch_op.drop_index("ix_outbox_chat")

    op.drop_table("outbox")
    with op.batch_alter_table("entry_edits", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_entry_edits_entry_id"))

    op.drop_table("entry_edits")
    with op.batch_alter_table("transcript_entries", schema=None) as batch_op:
        batch_op.drop_index("ix_transcript_entries_ref")
        batch_op.drop_index("ix_transcript_entries_dialogue")

    op.drop_table("transcript_entries")
    with op.batch_alter_table("consent_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consent_events_participant_id"))

    op.drop_table("consent_events")
    with op.batch_alter_table("dialogues", schema=None) as batch_op:
        batch_op.drop_index("ix_dialogues_status_started")
        batch_op.drop_index(batch_op.f("ix_dialogues_participant_id"))
        batch_op.drop_index("ix_dialogues_due_at")

    op.drop_table("dialogues")
    with op.batch_alter_table("channel_identities", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_channel_identities_participant_id"))

    op.drop_table("channel_identities")
    op.drop_table("script_versions")
    op.drop_table("participants")
    op.drop_table("meta")
    with op.batch_alter_table("inbox", schema=None) as batch_op:
        batch_op.drop_index("ix_inbox_status_id")
        batch_op.drop_index("ix_inbox_chat_key")

    op.drop_table("inbox")

"""Retention: when a transcript was anonymised in place; finished dialogues by end time.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("dialogues", schema=None) as batch_op:
        batch_op.add_column(sa.Column("anonymised_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index("ix_dialogues_finished_at", ["finished_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("dialogues", schema=None) as batch_op:
        batch_op.drop_index("ix_dialogues_finished_at")
        batch_op.drop_column("anonymised_at")

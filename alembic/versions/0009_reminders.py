"""reminders: each client's reminder preferences, and the reminders given

reminder_preference: opt-in reminders to check in, to write and on homework due days
(days as a bitmask, times as minutes after midnight in the person's time zone), and
quiet hours. reminder_sent: one row per person, kind and local day (unique), so a
reminder is given once; it is also the in-app banner until dismissed.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 16:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import betterjournal.models

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "reminder_preference",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("check_in_on", sa.Boolean(), nullable=False),
        sa.Column("check_in_days", sa.Integer(), nullable=False),
        sa.Column("check_in_at", sa.Integer(), nullable=False),
        sa.Column("journal_on", sa.Boolean(), nullable=False),
        sa.Column("journal_days", sa.Integer(), nullable=False),
        sa.Column("journal_at", sa.Integer(), nullable=False),
        sa.Column("homework_on", sa.Boolean(), nullable=False),
        sa.Column("homework_at", sa.Integer(), nullable=False),
        sa.Column("quiet_start", sa.Integer(), nullable=True),
        sa.Column("quiet_end", sa.Integer(), nullable=True),
        sa.Column("updated_at", betterjournal.models.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id"),
    )
    op.create_table(
        "reminder_sent",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.Enum("CHECK_IN", "JOURNAL", "HOMEWORK", name="reminderkind"), nullable=False),
        sa.Column("slot", sa.Date(), nullable=False),
        sa.Column("created_at", betterjournal.models.UTCDateTime(), nullable=False),
        sa.Column("dismissed_at", betterjournal.models.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("uq_reminder_sent_slot", "reminder_sent", ["user_id", "kind", "slot"], unique=True)


def downgrade() -> None:
    op.drop_index("uq_reminder_sent_slot", table_name="reminder_sent")
    op.drop_table("reminder_sent")
    op.drop_table("reminder_preference")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TYPE IF EXISTS reminderkind")

"""mood check-ins: a kind on the item platform, the client's tags and extra scales

check_in: one row per check-in item, every field sealed under the owner's data key.
check_in_tag: a client's own tags. check_in_scale: extra 0–10 scales of one client's
check-ins, suggested by a clinician or the client's own (private); names sealed under the
client's key.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 05:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import betterjournal.models

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPTIONAL = (
    "anxiety_ct",
    "energy_ct",
    "sleep_hours_ct",
    "sleep_quality_ct",
    "note_ct",
    "tags_ct",
    "scales_ct",
    "own_scales_ct",
)


def upgrade() -> None:
    op.create_table(
        "check_in",
        sa.Column("item_id", sa.Uuid(), nullable=False),
        sa.Column("felt_at_ct", sa.LargeBinary(), nullable=False),
        sa.Column("mood_ct", sa.LargeBinary(), nullable=False),
        *(sa.Column(name, sa.LargeBinary(), nullable=True) for name in OPTIONAL),
        sa.ForeignKeyConstraint(["item_id"], ["client_item.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("item_id"),
    )
    op.create_table(
        "check_in_tag",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("name_ct", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", betterjournal.models.UTCDateTime(), nullable=False),
        sa.Column("removed_at", betterjournal.models.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["owner_id"], ["user_account.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_check_in_tag_owner_id", "check_in_tag", ["owner_id"])
    op.create_table(
        "check_in_scale",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("client_id", sa.Uuid(), nullable=False),
        sa.Column("added_by", sa.Uuid(), nullable=False),
        sa.Column("private", sa.Boolean(), nullable=False),
        sa.Column("name_ct", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", betterjournal.models.UTCDateTime(), nullable=False),
        sa.Column("removed_at", betterjournal.models.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["client_id"], ["user_account.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["added_by"], ["user_account.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_check_in_scale_client_id", "check_in_scale", ["client_id"])


def downgrade() -> None:
    op.drop_index("ix_check_in_scale_client_id", table_name="check_in_scale")
    op.drop_table("check_in_scale")
    op.drop_index("ix_check_in_tag_owner_id", table_name="check_in_tag")
    op.drop_table("check_in_tag")
    op.execute("DELETE FROM client_item WHERE kind = 'check_in'")
    op.drop_table("check_in")

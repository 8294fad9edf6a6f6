"""mood check-ins: a kind on the item platform

check_in: one row per check-in item, every field sealed under the owner's data key.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 05:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPTIONAL = ("anxiety_ct", "energy_ct", "sleep_hours_ct", "sleep_quality_ct", "note_ct")


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


def downgrade() -> None:
    op.execute("DELETE FROM client_item WHERE kind = 'check_in'")
    op.drop_table("check_in")

"""reminder_preference.quiet_on: quiet hours turned off keep their times for turning on again

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 01:45:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_QUIET_START, _QUIET_END = 22 * 60, 7 * 60  # what the settings page offers at first


def upgrade() -> None:
    with op.batch_alter_table("reminder_preference", schema=None) as batch_op:
        batch_op.add_column(sa.Column("quiet_on", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.execute(
        "UPDATE reminder_preference SET quiet_on = (quiet_start IS NOT NULL AND quiet_end IS NOT NULL)"
    )
    op.execute(f"UPDATE reminder_preference SET quiet_start = {_QUIET_START} WHERE quiet_start IS NULL")
    op.execute(f"UPDATE reminder_preference SET quiet_end = {_QUIET_END} WHERE quiet_end IS NULL")
    with op.batch_alter_table("reminder_preference", schema=None) as batch_op:
        batch_op.alter_column("quiet_on", existing_type=sa.Boolean(), server_default=None)
        batch_op.alter_column("quiet_start", existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column("quiet_end", existing_type=sa.Integer(), nullable=False)


def downgrade() -> None:
    op.execute("UPDATE reminder_preference SET quiet_start = NULL, quiet_end = NULL WHERE NOT quiet_on")
    with op.batch_alter_table("reminder_preference", schema=None) as batch_op:
        batch_op.alter_column("quiet_start", existing_type=sa.Integer(), nullable=True)
        batch_op.alter_column("quiet_end", existing_type=sa.Integer(), nullable=True)
        batch_op.drop_column("quiet_on")

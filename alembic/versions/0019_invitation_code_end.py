"""invitation.code_end: a code's last group, so a clinician can tell their open codes apart

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-04 11:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("invitation", schema=None) as batch_op:
        batch_op.add_column(sa.Column("code_end", sqlmodel.sql.sqltypes.AutoString(length=4), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("invitation", schema=None) as batch_op:
        batch_op.drop_column("code_end")

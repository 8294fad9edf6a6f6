"""care_link: who ended a link

Both people are told afterwards that their connection ended, and by whom (a walk-through:
the client's Care team read "not connected with a clinician yet", as if never linked, and
the client simply vanished from the clinician's list). Links ended before this say only
when.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-06 13:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("care_link", schema=None) as batch_op:
        batch_op.add_column(sa.Column("ended_by_clinician", sa.Boolean(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("care_link", schema=None) as batch_op:
        batch_op.drop_column("ended_by_clinician")

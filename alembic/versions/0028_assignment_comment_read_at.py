"""assignment.comment_read_at: when the client last opened their clinician's comment

A clinician's comment on a returned response showed only under Homework, "Returned to your
clinician" (a walk-through: a client who lives on the journal page never saw it). The client's
home page now lists the comments they have not opened since they were written or changed:
`commented_at` later than `comment_read_at`. Comments written before this revision count as
not opened: a client sees each once more rather than missing one.

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-07 22:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

import betterjournal.models

revision: str = "0028"
down_revision: str | None = "0027"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("assignment") as batch:
        batch.add_column(sa.Column("comment_read_at", betterjournal.models.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("assignment") as batch:
        batch.drop_column("comment_read_at")

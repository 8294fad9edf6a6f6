"""item_draft.copy_of: a draft kept apart from another one's words

When the same item is written in two tabs or on two devices, the words written in the other
one are kept as a draft of their own under a new id; `copy_of` names the item they were
written for, so the journal can tell the copy from the original (a walk-through found two
drafts with one title and nothing to tell them apart).

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-07 08:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0024"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("item_draft") as batch:
        batch.add_column(sa.Column("copy_of", sa.Uuid(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("item_draft") as batch:
        batch.drop_column("copy_of")

"""item_share: an index of the shares seen, then made private

An item made private after its clinician saw it says when they saw it (sharing.shares_of).
Read from this partial index alone: one seek per item, whatever the number of its shares.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-04 21:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SEEN_ENDED = "revoked_at IS NOT NULL AND first_seen_at IS NOT NULL"


def upgrade() -> None:
    with op.batch_alter_table("item_share", schema=None) as batch_op:
        batch_op.create_index(
            "ix_item_share_seen_ended",
            ["item_id", "clinician_id", "link_id", "first_seen_at", "revoked_at"],
            unique=False,
            sqlite_where=sa.text(SEEN_ENDED),
            postgresql_where=sa.text(SEEN_ENDED),
        )


def downgrade() -> None:
    with op.batch_alter_table("item_share", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_item_share_seen_ended", sqlite_where=sa.text(SEEN_ENDED), postgresql_where=sa.text(SEEN_ENDED)
        )

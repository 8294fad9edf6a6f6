"""item_share.kind: the shared item's kind on the share row, for counts by kind

The caseload counts each client's shares the clinician hasn't opened, homework apart. With
the kind on the share, that count reads one partial index (ix_item_share_unseen) instead of
the shared item and its link for every share. An item's kind never changes; existing
shares take their item's.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 23:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UNSEEN = "revoked_at IS NULL AND first_seen_at IS NULL"


def upgrade() -> None:
    with op.batch_alter_table("item_share", schema=None) as batch_op:
        batch_op.add_column(sa.Column("kind", sa.String(length=40), nullable=True))
    op.execute("UPDATE item_share SET kind = (SELECT kind FROM client_item WHERE client_item.id = item_share.item_id)")
    with op.batch_alter_table("item_share", schema=None) as batch_op:
        batch_op.alter_column("kind", existing_type=sa.String(length=40), nullable=False)
        batch_op.create_index(
            "ix_item_share_unseen",
            ["clinician_id", "link_id", "kind"],
            unique=False,
            sqlite_where=sa.text(UNSEEN),
            postgresql_where=sa.text(UNSEEN),
        )


def downgrade() -> None:
    with op.batch_alter_table("item_share", schema=None) as batch_op:
        batch_op.drop_index("ix_item_share_unseen", sqlite_where=sa.text(UNSEEN), postgresql_where=sa.text(UNSEEN))
        batch_op.drop_column("kind")

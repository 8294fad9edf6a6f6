"""client_item.shared_changed_at: when what a clinician can see of an item last changed

"Seen on …, before your changes of …", the clinician's "edited …" line, an item's "Seen" on
the client's lists and a reviewed homework answer's "to review again" compared "seen" with
`updated_at`, which every save moves: a change to a field the clinician never sees (an
agenda's private note, a check-in's private tags and scales) or a save that changed nothing
said the clinician had not seen the item as it is, and told them it was edited (a review).
`shared_changed_at` moves only when a field shown when shared changes. Until now the two
were the same: filled from `updated_at`.

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-07 23:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

import betterjournal.models

revision: str = "0029"
down_revision: str | None = "0028"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("client_item") as batch:
        batch.add_column(sa.Column("shared_changed_at", betterjournal.models.UTCDateTime(), nullable=True))
    op.execute("UPDATE client_item SET shared_changed_at = updated_at")
    with op.batch_alter_table("client_item") as batch:
        batch.alter_column(
            "shared_changed_at", existing_type=betterjournal.models.UTCDateTime(), nullable=False
        )


def downgrade() -> None:
    with op.batch_alter_table("client_item") as batch:
        batch.drop_column("shared_changed_at")

"""outbox_message.user_id: whose account a waiting email is about, so deleting the account
drops it unsent (PRIV-3)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02 03:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.add_column(sa.Column("user_id", sa.Uuid(), nullable=True))
        batch_op.create_index(batch_op.f("ix_outbox_message_user_id"), ["user_id"], unique=False)
        batch_op.create_foreign_key(
            "fk_outbox_message_user_id_user_account", "user_account", ["user_id"], ["id"], ondelete="CASCADE"
        )


def downgrade() -> None:
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_constraint("fk_outbox_message_user_id_user_account", type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_outbox_message_user_id"))
        batch_op.drop_column("user_id")

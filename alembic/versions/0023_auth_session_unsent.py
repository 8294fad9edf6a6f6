"""auth_session.unsent_ct: editor words held through the MFA step

A client signed out mid-sentence signs in again with the words their editor had not
sent; with two-step sign-in on, the code comes on a page of its own, so the words wait,
sealed under the client's data key, on the session that is still waiting for its code.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-06 22:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("auth_session") as batch:
        batch.add_column(sa.Column("unsent_ct", sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("auth_session") as batch:
        batch.drop_column("unsent_ct")

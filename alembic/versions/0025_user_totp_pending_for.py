"""user_account.totp_pending_for: the session a two-step setup belongs to

The secret of a two-step setup not confirmed yet was shown to every session of the person
at the setup stage: someone who had the password, signed in at the same time, kept codes
that worked once the owner confirmed it. It now belongs to the session that began it (the
digest of its token): another session begins its own, with a new secret. A setup begun
before this revision belongs to no session: its page asks to be reloaded for a new key.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-07 17:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0025"
down_revision: str | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("user_account") as batch:
        batch.add_column(sa.Column("totp_pending_for", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("user_account") as batch:
        batch.drop_column("totp_pending_for")

"""registration offers the invitation at sign-in

Registration no longer signs in (AUTHN-2), so the invitation a client registered with
is kept on the invitation (offered_to_id) instead of on their first session, and a code
serves one registration (registered_at).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 16:19:59.993856
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import betterjournal.models

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OFFERED_TO_FK = "fk_invitation_offered_to_id_user_account"
PENDING_FK = "fk_auth_session_pending_invitation_id_invitation"


def upgrade() -> None:
    with op.batch_alter_table("invitation", schema=None) as batch_op:
        batch_op.add_column(sa.Column("registered_at", betterjournal.models.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("offered_to_id", sa.Uuid(), nullable=True))
        batch_op.create_index(batch_op.f("ix_invitation_offered_to_id"), ["offered_to_id"], unique=False)
        batch_op.create_foreign_key(OFFERED_TO_FK, "user_account", ["offered_to_id"], ["id"], ondelete="SET NULL")

    # Invitations still waiting on a session move to the invitation itself.
    op.execute(
        "UPDATE invitation SET offered_to_id = (SELECT s.user_id FROM auth_session s "
        "WHERE s.pending_invitation_id = invitation.id ORDER BY s.created_at DESC LIMIT 1), "
        "registered_at = created_at "
        "WHERE id IN (SELECT pending_invitation_id FROM auth_session)"
    )

    # Dropping the column drops its (unnamed) foreign key with it, in SQLite's batch
    # copy and in PostgreSQL alike.
    with op.batch_alter_table("auth_session", schema=None) as batch_op:
        batch_op.drop_column("pending_invitation_id")


def downgrade() -> None:
    with op.batch_alter_table("invitation", schema=None) as batch_op:
        batch_op.drop_constraint(OFFERED_TO_FK, type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_invitation_offered_to_id"))
        batch_op.drop_column("offered_to_id")
        batch_op.drop_column("registered_at")

    with op.batch_alter_table("auth_session", schema=None) as batch_op:
        batch_op.add_column(sa.Column("pending_invitation_id", sa.Uuid(), nullable=True))
        batch_op.create_foreign_key(
            PENDING_FK, "invitation", ["pending_invitation_id"], ["id"], ondelete="SET NULL"
        )

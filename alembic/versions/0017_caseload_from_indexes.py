"""The caseload from indexes: assignment.first_returned_at, and each pair's sessions covered

The caseload counts each client's returned homework to review and overdue homework. It
looked for a live return share for every open assignment (about 2,000 for a caseload of
60), most of them never returned. An assignment now keeps when its response was first
shared with its clinician: those never returned are counted from an index alone, and only
the few returned at least once are looked up. Existing assignments take their response's
first share with the clinician, revoked or not.

ix_appointment_pair also holds each session's id and time, so that finding a pair's last
held and next planned session reads the index alone, not a table row for each client.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-02 14:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import betterjournal.models

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN_NEVER_RETURNED = "withdrawn_at IS NULL AND reviewed_at IS NULL AND first_returned_at IS NULL"
OPEN_RETURNED_ONCE = "withdrawn_at IS NULL AND reviewed_at IS NULL AND first_returned_at IS NOT NULL"


def upgrade() -> None:
    with op.batch_alter_table("appointment", schema=None) as batch_op:
        batch_op.drop_index("ix_appointment_pair")
        batch_op.create_index(
            "ix_appointment_pair", ["clinician_id", "client_id", "held_at", "id", "starts_at"], unique=False
        )
    with op.batch_alter_table("assignment", schema=None) as batch_op:
        batch_op.add_column(sa.Column("first_returned_at", betterjournal.models.UTCDateTime(), nullable=True))
    op.execute(
        "UPDATE assignment SET first_returned_at = (SELECT min(item_share.shared_at) FROM item_share"
        " WHERE item_share.item_id = assignment.response_id AND item_share.clinician_id = assignment.clinician_id)"
        " WHERE response_id IS NOT NULL"
    )
    with op.batch_alter_table("assignment", schema=None) as batch_op:
        batch_op.create_index(
            "ix_assignment_open_never_returned",
            ["clinician_id", "client_id", "due_on"],
            unique=False,
            sqlite_where=sa.text(OPEN_NEVER_RETURNED),
            postgresql_where=sa.text(OPEN_NEVER_RETURNED),
        )
        batch_op.create_index(
            "ix_assignment_open_returned_once",
            ["clinician_id", "client_id", "due_on", "response_id"],
            unique=False,
            sqlite_where=sa.text(OPEN_RETURNED_ONCE),
            postgresql_where=sa.text(OPEN_RETURNED_ONCE),
        )


def downgrade() -> None:
    with op.batch_alter_table("assignment", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_assignment_open_returned_once",
            sqlite_where=sa.text(OPEN_RETURNED_ONCE),
            postgresql_where=sa.text(OPEN_RETURNED_ONCE),
        )
        batch_op.drop_index(
            "ix_assignment_open_never_returned",
            sqlite_where=sa.text(OPEN_NEVER_RETURNED),
            postgresql_where=sa.text(OPEN_NEVER_RETURNED),
        )
        batch_op.drop_column("first_returned_at")
    with op.batch_alter_table("appointment", schema=None) as batch_op:
        batch_op.drop_index("ix_appointment_pair")
        batch_op.create_index("ix_appointment_pair", ["clinician_id", "client_id", "held_at"], unique=False)

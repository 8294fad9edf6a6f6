"""The caseload's partial indexes hold the columns of their own condition

ix_item_share_unseen, ix_assignment_open_never_returned and ix_assignment_open_returned_once
were meant to be read alone, without the table's rows. SQLite reads a partial index alone
only when the index holds every column the query names, its own condition's too: the
caseload read an assignment row for every overdue assignment and a share row for every
unseen share (about 2,000 and 500 for a caseload of 60). Each index now ends with those
columns (always NULL, or a time, in the index's rows).

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-02 17:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UNSEEN = "revoked_at IS NULL AND first_seen_at IS NULL"
OPEN_NEVER_RETURNED = "withdrawn_at IS NULL AND reviewed_at IS NULL AND first_returned_at IS NULL"
OPEN_RETURNED_ONCE = "withdrawn_at IS NULL AND reviewed_at IS NULL AND first_returned_at IS NOT NULL"
STATE = ["withdrawn_at", "reviewed_at", "first_returned_at"]


def _indexes(*, read_alone: bool) -> None:
    share_extra = ["revoked_at", "first_seen_at"] if read_alone else []
    state = STATE if read_alone else []
    with op.batch_alter_table("item_share", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_item_share_unseen", sqlite_where=sa.text(UNSEEN), postgresql_where=sa.text(UNSEEN)
        )
        batch_op.create_index(
            "ix_item_share_unseen",
            ["clinician_id", "link_id", "kind", *share_extra],
            unique=False,
            sqlite_where=sa.text(UNSEEN),
            postgresql_where=sa.text(UNSEEN),
        )
    with op.batch_alter_table("assignment", schema=None) as batch_op:
        for name, columns, where in (
            (
                "ix_assignment_open_never_returned",
                ["clinician_id", "client_id", "due_on"],
                OPEN_NEVER_RETURNED,
            ),
            (
                "ix_assignment_open_returned_once",
                ["clinician_id", "client_id", "due_on", "response_id"],
                OPEN_RETURNED_ONCE,
            ),
        ):
            batch_op.drop_index(name, sqlite_where=sa.text(where), postgresql_where=sa.text(where))
            batch_op.create_index(
                name,
                [*columns, *state],
                unique=False,
                sqlite_where=sa.text(where),
                postgresql_where=sa.text(where),
            )


def upgrade() -> None:
    _indexes(read_alone=True)


def downgrade() -> None:
    _indexes(read_alone=False)

"""homework: worksheets a clinician builds, assignments, and the client's responses

homework_response: a kind on the item platform (the worksheet, answers, "couldn't do it"),
sealed under the owner's key. worksheet_template: a clinician's own worksheets, sealed under
their key. assignment: homework given to a linked client; what the clinician wrote is sealed
under the client's key. audit_event.action gains assign, comment and call (a signed-in
person calling a handler their role may not).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 08:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import betterjournal.models

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _ts(name: str, *, nullable: bool = False) -> sa.Column:
    return sa.Column(name, betterjournal.models.UTCDateTime(), nullable=nullable)


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TYPE auditaction ADD VALUE IF NOT EXISTS 'ASSIGN'")
        op.execute("ALTER TYPE auditaction ADD VALUE IF NOT EXISTS 'COMMENT'")
        op.execute("ALTER TYPE auditaction ADD VALUE IF NOT EXISTS 'CALL'")
    op.create_table(
        "homework_response",
        sa.Column("item_id", sa.Uuid(), nullable=False),
        sa.Column("worksheet_ct", sa.LargeBinary(), nullable=False),
        sa.Column("answers_ct", sa.LargeBinary(), nullable=True),
        sa.Column("not_done_ct", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(["item_id"], ["client_item.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("item_id"),
    )
    op.create_table(
        "worksheet_template",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("definition_ct", sa.LargeBinary(), nullable=True),
        _ts("created_at"),
        _ts("removed_at", nullable=True),
        sa.ForeignKeyConstraint(["owner_id"], ["user_account.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_worksheet_template_owner_id", "worksheet_template", ["owner_id"])
    op.create_table(
        "assignment",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("clinician_id", sa.Uuid(), nullable=False),
        sa.Column("client_id", sa.Uuid(), nullable=False),
        sa.Column("worksheet_ct", sa.LargeBinary(), nullable=False),
        sa.Column("instructions_ct", sa.LargeBinary(), nullable=True),
        sa.Column("note_ct", sa.LargeBinary(), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("series_id", sa.Uuid(), nullable=True),
        _ts("created_at"),
        _ts("updated_at"),
        _ts("withdrawn_at", nullable=True),
        sa.Column("response_id", sa.Uuid(), nullable=True),
        sa.Column("comment_ct", sa.LargeBinary(), nullable=True),
        _ts("commented_at", nullable=True),
        _ts("reviewed_at", nullable=True),
        sa.ForeignKeyConstraint(["clinician_id"], ["user_account.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["client_id"], ["user_account.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_assignment_clinician_id", "assignment", ["clinician_id"])
    op.create_index("ix_assignment_client_due", "assignment", ["client_id", "withdrawn_at", "due_on"])
    op.create_index("ix_assignment_client_response", "assignment", ["client_id", "response_id"])


def downgrade() -> None:
    op.drop_index("ix_assignment_client_response", table_name="assignment")
    op.drop_index("ix_assignment_client_due", table_name="assignment")
    op.drop_index("ix_assignment_clinician_id", table_name="assignment")
    op.drop_table("assignment")
    op.drop_index("ix_worksheet_template_owner_id", table_name="worksheet_template")
    op.drop_table("worksheet_template")
    op.execute("DELETE FROM client_item WHERE kind = 'homework_response'")
    op.drop_table("homework_response")

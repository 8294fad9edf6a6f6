"""session preparation: appointments, the client's session agenda, discussed ticks

appointment: a session planned and then held between a clinician and a linked client (its
time, in plaintext, like every timestamp). session_agenda: a kind on the item platform
(the agenda's lines and the client's after-session note, sealed under the client's key).
agenda_discussed: a clinician's tick on an agenda line (no content). audit_event.action
gains schedule, discuss and export. item_share's index of a clinician's live shares gains
first_seen_at (the caseload counts those not opened yet), and assignment an index of each
clinician's open assignments (the caseload's homework counts).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 11:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import betterjournal.models

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _ts(name: str, *, nullable: bool = False) -> sa.Column:
    return sa.Column(name, betterjournal.models.UTCDateTime(), nullable=nullable)


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for value in ("SCHEDULE", "DISCUSS", "EXPORT"):
            op.execute(f"ALTER TYPE auditaction ADD VALUE IF NOT EXISTS '{value}'")
    op.drop_index("ix_item_share_clinician", table_name="item_share")
    op.create_index("ix_item_share_clinician", "item_share", ["clinician_id", "revoked_at", "first_seen_at"])
    op.create_index(
        "ix_assignment_open",
        "assignment",
        ["clinician_id", "client_id", "due_on", "response_id"],
        sqlite_where=sa.text("withdrawn_at IS NULL AND reviewed_at IS NULL"),
        postgresql_where=sa.text("withdrawn_at IS NULL AND reviewed_at IS NULL"),
    )
    op.create_table(
        "appointment",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("clinician_id", sa.Uuid(), nullable=False),
        sa.Column("client_id", sa.Uuid(), nullable=False),
        _ts("starts_at", nullable=True),
        _ts("held_at", nullable=True),
        _ts("created_at"),
        sa.ForeignKeyConstraint(["clinician_id"], ["user_account.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["client_id"], ["user_account.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_appointment_client_id", "appointment", ["client_id"])
    op.create_index("ix_appointment_pair", "appointment", ["clinician_id", "client_id", "held_at"])
    op.create_index(
        "uq_appointment_planned",
        "appointment",
        ["clinician_id", "client_id"],
        unique=True,
        sqlite_where=sa.text("held_at IS NULL"),
        postgresql_where=sa.text("held_at IS NULL"),
    )
    op.create_table(
        "session_agenda",
        sa.Column("item_id", sa.Uuid(), nullable=False),
        sa.Column("client_id", sa.Uuid(), nullable=True),
        sa.Column("clinician_id", sa.Uuid(), nullable=True),
        sa.Column("window", sa.String(length=36), nullable=True),
        sa.Column("lines_ct", sa.LargeBinary(), nullable=True),
        sa.Column("remember_ct", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(["item_id"], ["client_item.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["client_id"], ["user_account.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["clinician_id"], ["user_account.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("item_id"),
    )
    op.create_index(
        "uq_session_agenda_window", "session_agenda", ["client_id", "clinician_id", "window"], unique=True
    )
    op.create_index("ix_session_agenda_clinician", "session_agenda", ["clinician_id"])
    op.create_table(
        "agenda_discussed",
        sa.Column("agenda_id", sa.Uuid(), nullable=False),
        sa.Column("line_id", sa.String(length=16), nullable=False),
        sa.Column("clinician_id", sa.Uuid(), nullable=False),
        _ts("discussed_at"),
        sa.ForeignKeyConstraint(["agenda_id"], ["client_item.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["clinician_id"], ["user_account.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("agenda_id", "line_id"),
    )


def downgrade() -> None:
    op.drop_table("agenda_discussed")
    op.drop_index("ix_session_agenda_clinician", table_name="session_agenda")
    op.drop_index("uq_session_agenda_window", table_name="session_agenda")
    op.execute("DELETE FROM client_item WHERE kind = 'session_agenda'")
    op.drop_table("session_agenda")
    op.drop_index("uq_appointment_planned", table_name="appointment")
    op.drop_index("ix_appointment_pair", table_name="appointment")
    op.drop_index("ix_appointment_client_id", table_name="appointment")
    op.drop_table("appointment")
    op.drop_index("ix_assignment_open", table_name="assignment")
    op.drop_index("ix_item_share_clinician", table_name="item_share")
    op.create_index("ix_item_share_clinician", "item_share", ["clinician_id", "revoked_at"])

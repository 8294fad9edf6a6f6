"""private beta: access requests, email outbox, account tokens, MFA, session stages

access_request: requests for early access from the public home page, and the admin's
decision (with who checked a clinician's registration, when). outbox_message: emails
waiting to be sent, each sealed whole under the outbox key. account_token: single-use
links by email (hashes only). recovery_code: MFA recovery codes (hashes only). used_form_token: form tokens already posted
to a public form (each works once; hashes only).
user_account gains email_confirmed_at (accounts that exist already count as confirmed)
and the TOTP columns; auth_session its stage (an MFA step still to do) and a device in
words. audit_event.action gains check_code and admit.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 13:23:47.854952
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
import sqlmodel

import betterjournal.models

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "used_form_token",
        sa.Column("nonce_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("used_at", betterjournal.models.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("nonce_hash"),
    )
    op.create_index("ix_used_form_token_used_at", "used_form_token", ["used_at"])
    postgres = op.get_bind().dialect.name == "postgresql"
    if postgres:
        for value in ("CHECK_CODE", "ADMIT"):
            op.execute(f"ALTER TYPE auditaction ADD VALUE IF NOT EXISTS '{value}'")
    op.create_table(
        "outbox_message",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", betterjournal.models.UTCDateTime(), nullable=False),
        sa.Column("message_ct", sa.LargeBinary(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", betterjournal.models.UTCDateTime(), nullable=False),
        sa.Column("claimed_until", betterjournal.models.UTCDateTime(), nullable=True),
        sa.Column("sent_at", betterjournal.models.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_outbox_message_next_attempt_at"), ["next_attempt_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_outbox_message_sent_at"), ["sent_at"], unique=False)

    op.create_table(
        "access_request",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", betterjournal.models.UTCDateTime(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column(
            "role", sa.Enum("CLIENT", "CLINICIAN", "ADMIN", name="role", create_type=False), nullable=False
        ),
        sa.Column("language", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("profession", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("province", sqlmodel.sql.sqltypes.AutoString(length=2), nullable=True),
        sa.Column("college", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("registration_number", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.Column("status", sa.Enum("PENDING", "APPROVED", "DECLINED", name="accessstatus"), nullable=False),
        sa.Column("register_checked_by", sa.Uuid(), nullable=True),
        sa.Column("register_checked_at", betterjournal.models.UTCDateTime(), nullable=True),
        sa.Column("decided_by", sa.Uuid(), nullable=True),
        sa.Column("decided_at", betterjournal.models.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["decided_by"], ["user_account.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["register_checked_by"], ["user_account.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("access_request", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_access_request_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_access_request_email"), ["email"], unique=False)

    op.create_table(
        "account_token",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("token_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column(
            "purpose",
            sa.Enum("CONFIRM_EMAIL", "SET_PASSWORD", "RESET_PASSWORD", name="tokenpurpose"),
            nullable=False,
        ),
        sa.Column("created_at", betterjournal.models.UTCDateTime(), nullable=False),
        sa.Column("expires_at", betterjournal.models.UTCDateTime(), nullable=False),
        sa.Column("used_at", betterjournal.models.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("account_token", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_account_token_token_hash"), ["token_hash"], unique=True)
        batch_op.create_index(batch_op.f("ix_account_token_user_id"), ["user_id"], unique=False)

    op.create_table(
        "recovery_code",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("code_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("used_at", betterjournal.models.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("recovery_code", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_recovery_code_code_hash"), ["code_hash"], unique=True)
        batch_op.create_index(batch_op.f("ix_recovery_code_user_id"), ["user_id"], unique=False)

    session_stage = sa.Enum("FULL", "MFA_CODE", "MFA_SETUP", name="sessionstage")
    # PostgreSQL: adding a column does not create its enum type (creating a table does).
    session_stage.create(op.get_bind(), checkfirst=True)
    with op.batch_alter_table("auth_session", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "stage",
                session_stage,
                nullable=False,
                server_default="FULL",
            )
        )
        batch_op.add_column(
            sa.Column(
                "device", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False, server_default=""
            )
        )

    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("email_confirmed_at", betterjournal.models.UTCDateTime(), nullable=True)
        )
        batch_op.add_column(sa.Column("totp_secret_ct", sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column("totp_pending_ct", sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column("totp_last_step", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("pending_email", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=True)
        )
    op.execute("UPDATE user_account SET email_confirmed_at = created_at")
    # The defaults were for the rows already there; the models give every new row its own.
    with op.batch_alter_table("auth_session", schema=None) as batch_op:
        batch_op.alter_column("stage", server_default=None)
        batch_op.alter_column("device", server_default=None)


def downgrade() -> None:
    op.drop_index("ix_used_form_token_used_at", table_name="used_form_token")
    op.drop_table("used_form_token")
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_column("totp_last_step")
        batch_op.drop_column("totp_pending_ct")
        batch_op.drop_column("totp_secret_ct")
        batch_op.drop_column("pending_email")
        batch_op.drop_column("email_confirmed_at")

    with op.batch_alter_table("auth_session", schema=None) as batch_op:
        batch_op.drop_column("device")
        batch_op.drop_column("stage")

    with op.batch_alter_table("recovery_code", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_recovery_code_user_id"))
        batch_op.drop_index(batch_op.f("ix_recovery_code_code_hash"))

    op.drop_table("recovery_code")
    with op.batch_alter_table("account_token", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_account_token_user_id"))
        batch_op.drop_index(batch_op.f("ix_account_token_token_hash"))

    op.drop_table("account_token")
    with op.batch_alter_table("access_request", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_access_request_email"))
        batch_op.drop_index(batch_op.f("ix_access_request_created_at"))

    op.drop_table("access_request")
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_message_sent_at"))
        batch_op.drop_index(batch_op.f("ix_outbox_message_next_attempt_at"))

    op.drop_table("outbox_message")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TYPE IF EXISTS sessionstage")
        op.execute("DROP TYPE IF EXISTS tokenpurpose")
        op.execute("DROP TYPE IF EXISTS accessstatus")

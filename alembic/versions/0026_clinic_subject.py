"""user_account.clinic_issuer/clinic_subject, auth_session.clinic_subject: clinic sign-in by subject

Clinic sign-in matched the account by the provider's verified email only: a provider that
lets people change their address would let someone take a clinician's address there and
sign in as them (still needing the app's two-step code). The provider's subject (its
digest) is now kept with the account once a clinic sign-in is finished with the two-step
code; later ones are matched by it, and the same address with another subject is refused.
The session waiting for its code holds the subject until then.

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-07 19:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0026"
down_revision: str | None = "0025"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("user_account") as batch:
        batch.add_column(sa.Column("clinic_issuer", sa.String(length=255), nullable=True))
        batch.add_column(sa.Column("clinic_subject", sa.String(length=64), nullable=True))
        batch.create_index(batch.f("ix_user_account_clinic_subject"), ["clinic_subject"], unique=True)
    with op.batch_alter_table("auth_session") as batch:
        batch.add_column(sa.Column("clinic_subject", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("auth_session") as batch:
        batch.drop_column("clinic_subject")
    with op.batch_alter_table("user_account") as batch:
        batch.drop_index(batch.f("ix_user_account_clinic_subject"))
        batch.drop_column("clinic_subject")
        batch.drop_column("clinic_issuer")

"""invitation.code_end_ct: an open code's last group, sealed under the clinician's data key

The last group of 4 of an invitation code was kept in clear, so the clinician can tell open
codes apart; a reader of the database then needed only the other 24 symbols (about 118 bits,
under the 128 of AUTHN-8). It is now sealed under the clinician's data key. Codes made before
this revision lose their ending (the list then shows them without one, as codes made before
the ending was kept); they still work.

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-07 19:50:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0027"
down_revision: str | None = "0026"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("invitation") as batch:
        batch.add_column(sa.Column("code_end_ct", sa.LargeBinary(), nullable=True))
        batch.drop_column("code_end")


def downgrade() -> None:
    with op.batch_alter_table("invitation") as batch:
        batch.add_column(sa.Column("code_end", sa.String(length=4), nullable=True))
        batch.drop_column("code_end_ct")

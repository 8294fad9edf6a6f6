"""audit_event.action gains 'erase': a client deleting their account (PRIV-3)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 02:10:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # SQLite stores the action as text (the longest value still fits); PostgreSQL's enum
    # type needs the value added.
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TYPE auditaction ADD VALUE IF NOT EXISTS 'ERASE'")


def downgrade() -> None:
    pass  # PostgreSQL can't drop a value from an enum type; an unused one is harmless

"""item_draft: found by its item alone

A new item's id is free only if no one else's unsaved draft holds it (attack review: a
beacon wrote a draft under another client's new entry's id, seen in their address bar,
and saved it first). The drafts are keyed by (owner, item); this finds them by item.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-06 16:30:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_item_draft_item_id", "item_draft", ["item_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_item_draft_item_id", table_name="item_draft")

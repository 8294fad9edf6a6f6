"""one item platform: kinds by name, shares bound to their link, generic drafts

- client_item.kind becomes a plain name ('journal_entry'), registered in core/items.py.
- item_share.link_id: the link a share was made under; a share is visible only while
  that link is active. Active shares get their owner's active link; an active share
  without one (a lost race) is revoked.
- item_draft replaces draft: one encrypted JSON payload of the kind's fields. Existing
  drafts are moved, decrypted with the old associated data and sealed with the new,
  which needs the key-encryption key (as `betterjournal init` has it).
- audit_event.action gains view_item and write_item (refused owner-side attempts).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 03:20:00
"""

import json
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import betterjournal.models

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LINK_FK = "fk_item_share_link_id_care_link"


def _move_drafts(connection: sa.Connection, *, forward: bool) -> None:
    """Re-seal every draft between the old table (title_ct, body_ct) and the new one."""
    from betterjournal.crypto import get_vault

    select_all = "SELECT * FROM draft" if forward else "SELECT * FROM item_draft"
    rows = connection.execute(sa.text(select_all)).mappings().all()
    if not rows:
        return
    vault = get_vault()
    keys = {}
    for row in rows:
        owner = row["owner_id"]
        owner_id = owner if isinstance(owner, uuid.UUID) else uuid.UUID(str(owner))
        if owner_id not in keys:
            wrapped, kek_version = connection.execute(
                sa.text("SELECT wrapped_data_key, kek_version FROM user_account WHERE id = :id"),
                {"id": owner if not isinstance(owner, uuid.UUID) else owner.hex},
            ).one()
            keys[owner_id] = vault.data_key(owner_id, wrapped, kek_version)
        key = keys[owner_id]
        if forward:
            item = uuid.UUID(str(row["entry_id"]))
            title = key.open("draft", "title_ct", item, row["title_ct"]) if row["title_ct"] else ""
            body = key.open("draft", "body_ct", item, row["body_ct"]) if row["body_ct"] else ""
            payload = json.dumps({"title": title, "body": body}, ensure_ascii=False)
            connection.execute(
                sa.text(
                    "INSERT INTO item_draft (owner_id, item_id, kind, payload_ct, updated_at) "
                    "VALUES (:owner, :item, 'journal_entry', :payload, :updated)"
                ),
                {
                    "owner": row["owner_id"],
                    "item": row["entry_id"],
                    "payload": key.seal("item_draft", "payload_ct", item, payload),
                    "updated": row["updated_at"],
                },
            )
        else:
            item = uuid.UUID(str(row["item_id"]))
            values = json.loads(key.open("item_draft", "payload_ct", item, row["payload_ct"]))
            connection.execute(
                sa.text(
                    "INSERT INTO draft (owner_id, entry_id, title_ct, body_ct, updated_at) "
                    "VALUES (:owner, :item, :title, :body, :updated)"
                ),
                {
                    "owner": row["owner_id"],
                    "item": row["item_id"],
                    "title": key.seal("draft", "title_ct", item, values.get("title", "")),
                    "body": key.seal("draft", "body_ct", item, values.get("body", "")),
                    "updated": row["updated_at"],
                },
            )


def upgrade() -> None:
    connection = op.get_bind()
    postgres = connection.dialect.name == "postgresql"

    with op.batch_alter_table("client_item", schema=None) as batch_op:
        batch_op.alter_column(
            "kind",
            existing_type=sa.Enum("JOURNAL_ENTRY", name="itemkind"),
            type_=sa.String(length=40),
            existing_nullable=False,
            postgresql_using="lower(kind::text)",
        )
    op.execute("UPDATE client_item SET kind = 'journal_entry' WHERE kind = 'JOURNAL_ENTRY'")
    if postgres:
        op.execute("DROP TYPE IF EXISTS itemkind")
        op.execute("ALTER TYPE auditaction ADD VALUE IF NOT EXISTS 'VIEW_ITEM'")
        op.execute("ALTER TYPE auditaction ADD VALUE IF NOT EXISTS 'WRITE_ITEM'")

    with op.batch_alter_table("item_share", schema=None) as batch_op:
        batch_op.add_column(sa.Column("link_id", sa.Uuid(), nullable=True))
        batch_op.create_index(batch_op.f("ix_item_share_link_id"), ["link_id"], unique=False)
        batch_op.create_foreign_key(LINK_FK, "care_link", ["link_id"], ["id"], ondelete="CASCADE")
    op.execute(
        "UPDATE item_share SET link_id = (SELECT l.id FROM care_link l JOIN client_item i "
        "ON i.owner_id = l.client_id WHERE i.id = item_share.item_id "
        "AND l.clinician_id = item_share.clinician_id AND l.ended_at IS NULL) "
        "WHERE revoked_at IS NULL"
    )
    connection.execute(
        sa.text("UPDATE item_share SET revoked_at = :now WHERE revoked_at IS NULL AND link_id IS NULL"),
        {"now": datetime.now(UTC).replace(tzinfo=None)},
    )

    op.create_table(
        "item_draft",
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("item_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("payload_ct", sa.LargeBinary(), nullable=False),
        sa.Column("updated_at", betterjournal.models.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["owner_id"], ["user_account.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("owner_id", "item_id"),
    )
    _move_drafts(connection, forward=True)
    op.drop_table("draft")


def downgrade() -> None:
    connection = op.get_bind()
    op.create_table(
        "draft",
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("entry_id", sa.Uuid(), nullable=False),
        sa.Column("title_ct", sa.LargeBinary(), nullable=True),
        sa.Column("body_ct", sa.LargeBinary(), nullable=True),
        sa.Column("updated_at", betterjournal.models.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["owner_id"], ["user_account.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("owner_id", "entry_id"),
    )
    op.execute("DELETE FROM item_draft WHERE kind != 'journal_entry'")
    _move_drafts(connection, forward=False)
    op.drop_table("item_draft")
    with op.batch_alter_table("item_share", schema=None) as batch_op:
        batch_op.drop_constraint(LINK_FK, type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_item_share_link_id"))
        batch_op.drop_column("link_id")
    op.execute("UPDATE client_item SET kind = 'JOURNAL_ENTRY' WHERE kind = 'journal_entry'")
    item_kind = sa.Enum("JOURNAL_ENTRY", name="itemkind")
    item_kind.create(connection, checkfirst=True)  # PostgreSQL: the upgrade dropped the type
    with op.batch_alter_table("client_item", schema=None) as batch_op:
        batch_op.alter_column(
            "kind",
            existing_type=sa.String(length=40),
            type_=item_kind,
            existing_nullable=False,
            postgresql_using="kind::itemkind",
        )

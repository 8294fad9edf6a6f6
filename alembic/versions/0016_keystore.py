"""Data keys move out of the database into the key store (CRYPTO-6): a backup of the
database then holds no key, and deleting an account destroys its key for good

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-02 05:00:00.000000

Each user's wrapped data key is copied into the key store (betterjournal/keystore.py) unless
the store holds one already, committed there, and only then dropped from user_account: an
interrupted upgrade runs again safely. The downgrade copies the keys back.
"""

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from betterjournal import keystore
from betterjournal.crypto import WrappedKey

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    rows = op.get_bind().execute(sa.text("SELECT id, wrapped_data_key, kek_version FROM user_account")).all()
    held = keystore.holds([_uuid(user_id) for user_id, _, _ in rows])
    for user_id, wrapped, kek_version in rows:
        # A key the store holds already stays (a re-run, or a restored backup of an account
        # whose key was re-wrapped since); a row without a key has nothing to move.
        if wrapped is not None and _uuid(user_id) not in held:
            keystore.put(_uuid(user_id), WrappedKey(bytes(wrapped), int(kek_version)))
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_column("wrapped_data_key")
        batch_op.drop_column("kek_version")


def downgrade() -> None:
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.add_column(sa.Column("wrapped_data_key", sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column("kek_version", sa.Integer(), nullable=False, server_default="1"))
    bind = op.get_bind()
    for key in keystore.every_key():
        bind.execute(
            sa.text("UPDATE user_account SET wrapped_data_key = :wrapped, kek_version = :version WHERE id = :id"),
            {"wrapped": key.wrapped, "version": key.kek_version, "id": _stored_id(key.user_id)},
        )


def _uuid(value: object) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


def _stored_id(user_id: uuid.UUID) -> object:
    """The id as user_account stores it: 32 hex digits in SQLite, a uuid in PostgreSQL."""
    return user_id.hex if op.get_bind().dialect.name == "sqlite" else user_id

"""audit_event.chain, and the audit log made append-only (AUD-4)

Each row gets a chain value (set once by the sealer, core/audit.py). Triggers refuse any
delete and any change but setting a row's chain the first time. A later migration that
rebuilds audit_event (batch_alter_table on SQLite) must create the triggers again.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02 02:35:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_KEPT = ("id", "at", "actor_id", "subject_id", "item_id", "action", "outcome")
_REFUSED = "the audit log is append-only"

SQLITE_TRIGGERS = (
    f"""CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event
    BEGIN SELECT RAISE(ABORT, '{_REFUSED}'); END""",
    f"""CREATE TRIGGER audit_event_no_change BEFORE UPDATE ON audit_event
    WHEN OLD.chain IS NOT NULL OR {" OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in _KEPT)}
    BEGIN SELECT RAISE(ABORT, '{_REFUSED}'); END""",
)
POSTGRES_TRIGGER = f"""
CREATE FUNCTION audit_event_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP IN ('DELETE', 'TRUNCATE') OR OLD.chain IS NOT NULL
        OR ({", ".join(f"NEW.{c}" for c in _KEPT)}) IS DISTINCT FROM ({", ".join(f"OLD.{c}" for c in _KEPT)})
    THEN
        RAISE EXCEPTION '{_REFUSED}';
    END IF;
    RETURN NEW;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event
    FOR EACH ROW EXECUTE FUNCTION audit_event_append_only();
CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event
    FOR EACH STATEMENT EXECUTE FUNCTION audit_event_append_only();
"""


def upgrade() -> None:
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.add_column(sa.Column("chain", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
    if op.get_bind().dialect.name == "postgresql":
        op.execute(POSTGRES_TRIGGER)
    else:
        for trigger in SQLITE_TRIGGERS:
            op.execute(trigger)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER audit_event_no_truncate ON audit_event")
        op.execute("DROP TRIGGER audit_event_append_only ON audit_event")
        op.execute("DROP FUNCTION audit_event_append_only()")
    else:
        op.execute("DROP TRIGGER audit_event_no_delete")
        op.execute("DROP TRIGGER audit_event_no_change")
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_column("chain")

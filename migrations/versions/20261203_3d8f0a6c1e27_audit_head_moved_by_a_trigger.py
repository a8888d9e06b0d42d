"""the audit head follows each inserted audit event by a trigger, not by a statement of the writer

Revision ID: 3d8f0a6c1e27
Revises: 7c3e91d2b5a8
Create Date: 2026-12-03 09:00:00

The trigger's SQL is written out here, as it stood, so that later changes to the models do not change
what this migration did.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "3d8f0a6c1e27"
down_revision: str | Sequence[str] | None = "7c3e91d2b5a8"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MOVE_HEAD = (
    "UPDATE audit_head SET last_event_id = NEW.id, last_hash = NEW.hash "
    "WHERE id = 1 AND (last_event_id IS NULL OR last_event_id < NEW.id)"
)
UPGRADE = {
    "sqlite": [f"CREATE TRIGGER audit_head_follows AFTER INSERT ON audit_event BEGIN {MOVE_HEAD}; END"],
    "postgresql": [
        "CREATE OR REPLACE FUNCTION audit_head_follows() RETURNS trigger LANGUAGE plpgsql AS "
        f"$$ BEGIN {MOVE_HEAD}; RETURN NULL; END $$",
        "CREATE TRIGGER audit_head_follows AFTER INSERT ON audit_event "
        "FOR EACH ROW EXECUTE FUNCTION audit_head_follows()",
    ],
}
DOWNGRADE = {
    "sqlite": ["DROP TRIGGER audit_head_follows"],
    "postgresql": ["DROP TRIGGER audit_head_follows ON audit_event", "DROP FUNCTION audit_head_follows()"],
}


def upgrade() -> None:
    """Create the trigger (and on PostgreSQL its function)."""
    for statement in UPGRADE[op.get_bind().dialect.name]:
        op.execute(statement)


def downgrade() -> None:
    """Drop the trigger; writers of the older code move the head themselves."""
    for statement in DOWNGRADE[op.get_bind().dialect.name]:
        op.execute(statement)

"""dated match keys stored as the stem's hash and the day number, so one stem's keys lie together

Revision ID: 7c3e91d2b5a8
Revises: 5b1e0c7d9a42
Create Date: 2026-12-02 19:00:00

No table changes: the numbers stored for keys that end in a date changed (licensing/screening/key_index.py),
so every record's keys are derived again. A database keeping the old numbers would find almost no candidates.
"""

from collections.abc import Sequence

from alembic import context, op
from sqlmodel import Session

revision: str = "7c3e91d2b5a8"
down_revision: str | Sequence[str] | None = "5b1e0c7d9a42"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Rebuild every record's match keys, key lists and name counts in this migration's transaction."""
    from app.migrate import KEYS_REBUILT
    from licensing.screening.key_index import reindex

    # The session joins the migration's transaction: its commit leaves the outcome to the migration.
    with Session(bind=op.get_bind()) as session:
        reindex(session)
        session.commit()
    # After the migration's transaction, `app.migrate.upgrade` vacuums the rewritten key tables.
    context.config.attributes[KEYS_REBUILT] = True


def downgrade() -> None:
    """Nothing to undo in the schema; run `flask register reindex` with the older code to restore its keys."""

"""deleted subscriptions stay deleted: webhook endpoints and e-mail recipients record when they were deleted

Revision ID: 444656017321
Revises: 88164ab2027b
Create Date: 2026-12-06 04:30:00

A deleted endpoint or recipient is kept (its id stays taken, so a delivery still queued for it can never
reach a newer subscription that reused the id), inactive, and marked deleted: the API no longer shows,
changes or re-activates it.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "444656017321"
down_revision: str | Sequence[str] | None = "88164ab2027b"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("webhook_endpoint", "email_recipient")


def upgrade() -> None:
    """Bring the schema forward to this revision."""
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("deleted_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    """Take the schema back to the previous revision (deleted subscriptions then look merely inactive)."""
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("deleted_at")

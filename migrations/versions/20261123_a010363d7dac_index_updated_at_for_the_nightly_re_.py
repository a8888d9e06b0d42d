"""index updated_at for the nightly re-screen

Revision ID: a010363d7dac
Revises: 497cce20729d
Create Date: 2026-11-23 16:19:21.812810
"""

from collections.abc import Sequence

import sqlmodel  # noqa: F401  (autogenerate renders SQLModel's string columns as sqlmodel.sql.sqltypes.AutoString)
from alembic import op

revision: str = "a010363d7dac"
down_revision: str | Sequence[str] | None = "497cce20729d"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Bring the schema forward to this revision."""
    with op.batch_alter_table("intelligence", schema=None) as batch_op:
        batch_op.create_index("ix_intelligence_updated_at", ["updated_at"], unique=False)

    with op.batch_alter_table("register_entry", schema=None) as batch_op:
        batch_op.create_index("ix_register_entry_updated_at", ["updated_at"], unique=False)


def downgrade() -> None:
    """Take the schema back to the previous revision."""
    with op.batch_alter_table("register_entry", schema=None) as batch_op:
        batch_op.drop_index("ix_register_entry_updated_at")

    with op.batch_alter_table("intelligence", schema=None) as batch_op:
        batch_op.drop_index("ix_intelligence_updated_at")

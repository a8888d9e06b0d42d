"""authority concern url: where the public check sends a resident to report a concern about a driver

Revision ID: c7a2d94e1f30
Revises: b7c3d9e1f2a4
Create Date: 2026-12-06 14:00:00

Each council's own taxi-licensing page (https only), shipped in licensing/reference/authorities.csv where
known and set by the council's administrator; empty means the public check links to GOV.UK's page for
finding a council.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "c7a2d94e1f30"
down_revision: str | Sequence[str] | None = "b7c3d9e1f2a4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Bring the schema forward to this revision."""
    with op.batch_alter_table("authority", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("concern_url", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True)
        )


def downgrade() -> None:
    """Take the schema back to the previous revision (residents then see the generic page)."""
    with op.batch_alter_table("authority", schema=None) as batch_op:
        batch_op.drop_column("concern_url")

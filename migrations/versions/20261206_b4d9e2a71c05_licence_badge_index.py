"""licence badge index: the enforcement quick check finds a badge at every council that issued it

Revision ID: b4d9e2a71c05
Revises: 444656017321
Create Date: 2026-12-06 13:50:00

Badges are numbered by each council, so the same number can be issued by several. The check by badge
alone reads them all through this index instead of every licence.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "b4d9e2a71c05"
down_revision: str | Sequence[str] | None = "444656017321"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Bring the schema forward to this revision."""
    op.create_index("ix_licence_badge_number", "licence", ["badge_number"], unique=False)


def downgrade() -> None:
    """Take the schema back to the previous revision."""
    op.drop_index("ix_licence_badge_number", table_name="licence")

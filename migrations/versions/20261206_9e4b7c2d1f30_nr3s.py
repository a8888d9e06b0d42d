"""nr3s: a register entry keeps its NR3S reference, and an entry from NR3S has the category 'not_recorded'

Revision ID: 9e4b7c2d1f30
Revises: c7a2d94e1f30
Create Date: 2026-12-06 14:00:00

Entries a council brings in from NR3S (docs/nr3s.md) carry NR3S's own reference, so the two registers
can be kept in step, and, since NR3S keeps no reasons, the category 'not_recorded' rather than one made
up.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "9e4b7c2d1f30"
down_revision: str | Sequence[str] | None = "c7a2d94e1f30"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CATEGORIES_BEFORE = "'sexual_offences', 'violence', 'dishonesty', 'driving', 'other'"
CATEGORIES_AFTER = f"{CATEGORIES_BEFORE}, 'not_recorded'"


def upgrade() -> None:
    """Bring the schema forward to this revision."""
    with op.batch_alter_table("register_entry", schema=None) as batch_op:
        batch_op.add_column(sa.Column("nr3s_ref", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
    _category_check(CATEGORIES_AFTER)


def downgrade() -> None:
    """Take the schema back to the previous revision (refused while an entry is 'not_recorded')."""
    _category_check(CATEGORIES_BEFORE)
    with op.batch_alter_table("register_entry", schema=None) as batch_op:
        batch_op.drop_column("nr3s_ref")


def _category_check(allowed: str) -> None:
    """Replace the CHECK constraint naming the categories an entry may have."""
    with op.batch_alter_table("register_entry", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_register_entry_category"), type_="check")
        batch_op.create_check_constraint(
            batch_op.f("ck_register_entry_category"), f"category IS NULL OR category IN ({allowed})"
        )

"""identifiers that are not valid are kept as given, with each record's identity warnings

Revision ID: 5cbba9ee517a
Revises: 1ba8cca5a978
Create Date: 2026-12-06 09:00:00

An NI number, driving licence number or postcode that fails validation used to be left out; it is now
kept as the council typed it (so the columns widen) and flagged in identity_warnings, a JSON list on
every record that carries an identity. Rows stored before this revision held only valid identifiers, so
their warnings start empty. Downgrading narrows the columns again: a kept value that no longer fits is
left out, as it was before this revision.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "5cbba9ee517a"
down_revision: str | Sequence[str] | None = "1ba8cca5a978"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("application", "licence", "register_entry", "intelligence", "screening")
# column: (width before, width after)
WIDTHS = {"postcode": (10, 16), "ni_number": (9, 20), "driving_licence_number": (20, 32)}


def upgrade() -> None:
    """Widen the identifier columns and add identity_warnings to every identity-bearing table."""
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column, (before, after) in WIDTHS.items():
                batch_op.alter_column(
                    column,
                    existing_type=sqlmodel.sql.sqltypes.AutoString(length=before),
                    type_=sqlmodel.sql.sqltypes.AutoString(length=after),
                    existing_nullable=True,
                )
            batch_op.add_column(
                sa.Column("identity_warnings", sa.JSON(), server_default="[]", nullable=False)
            )


def downgrade() -> None:
    """Drop identity_warnings and narrow the identifier columns, leaving out values that no longer fit."""
    for table in TABLES:
        for column, (before, _) in WIDTHS.items():
            op.execute(f"UPDATE {table} SET {column} = NULL WHERE length({column}) > {before}")
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("identity_warnings")
            for column, (before, after) in WIDTHS.items():
                batch_op.alter_column(
                    column,
                    existing_type=sqlmodel.sql.sqltypes.AutoString(length=after),
                    type_=sqlmodel.sql.sqltypes.AutoString(length=before),
                    existing_nullable=True,
                )

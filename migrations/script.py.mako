# ruff: noqa: E501
"""${message}

Revision ID: ${up_revision}
Revises: ${down_revision | comma,n}
Create Date: ${create_date}
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401  (autogenerate renders SQLModel's string columns as sqlmodel.sql.sqltypes.AutoString)
from alembic import op
${imports if imports else ""}

revision: str = ${repr(up_revision)}
down_revision: str | Sequence[str] | None = ${repr(down_revision)}
branch_labels: str | Sequence[str] | None = ${repr(branch_labels)}
depends_on: str | Sequence[str] | None = ${repr(depends_on)}


def upgrade() -> None:
    """Bring the schema forward to this revision."""
    ${upgrades if upgrades else "pass"}


def downgrade() -> None:
    """Take the schema back to the previous revision."""
    ${downgrades if downgrades else "pass"}

"""sessions end on the server: users.session_version replaces the sign-in lockout's columns

Revision ID: 88164ab2027b
Revises: f454966db0e1
Create Date: 2026-12-06 10:00:00

Sign-out, a password change and disabling raise an officer's session version, which every request's
session must match. Sign-in is throttled in the limiter's storage instead of locking the account, so
failed_logins and locked_until go.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "88164ab2027b"
down_revision: str | Sequence[str] | None = "f454966db0e1"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Bring the schema forward to this revision."""
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("session_version", sa.Integer(), nullable=False, server_default="0"))
        batch_op.drop_column("failed_logins")
        batch_op.drop_column("locked_until")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.alter_column("session_version", server_default=None)


def downgrade() -> None:
    """Take the schema back to the previous revision (every account starts unlocked, with no failures)."""
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("failed_logins", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("locked_until", sa.DateTime(), nullable=True))
        batch_op.drop_column("session_version")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.alter_column("failed_logins", server_default=None)

"""API workflows: routed matches, idempotent responses

Revision ID: f4e90f53ba2f
Revises: d15c777046cf
Create Date: 2026-11-23 12:34:24.616185
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "f4e90f53ba2f"
down_revision: str | Sequence[str] | None = "d15c777046cf"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Bring the schema forward to this revision."""
    op.create_table(
        "idempotent_response",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("fingerprint", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("headers", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"], ["api_client.id"], name=op.f("fk_idempotent_response_client_id_api_client")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_idempotent_response")),
        sa.UniqueConstraint("client_id", "key", name=op.f("uq_idempotent_response_client_id_key")),
    )
    with op.batch_alter_table("idempotent_response", schema=None) as batch_op:
        batch_op.create_index("ix_idempotent_response_created_at", ["created_at"], unique=False)

    with op.batch_alter_table("intelligence_route", schema=None) as batch_op:
        # Existing routes predate the list of matched records: they start with an empty one.
        batch_op.add_column(sa.Column("matches", sa.JSON(), nullable=False, server_default=sa.text("'[]'")))
    with op.batch_alter_table("intelligence_route", schema=None) as batch_op:
        batch_op.alter_column("matches", server_default=None)


def downgrade() -> None:
    """Take the schema back to the previous revision."""
    with op.batch_alter_table("intelligence_route", schema=None) as batch_op:
        batch_op.drop_column("matches")

    with op.batch_alter_table("idempotent_response", schema=None) as batch_op:
        batch_op.drop_index("ix_idempotent_response_created_at")

    op.drop_table("idempotent_response")

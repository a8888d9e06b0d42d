"""alert dedupe key, webhook endpoints and e-mail recipients

Revision ID: 497cce20729d
Revises: f4e90f53ba2f
Create Date: 2026-11-23 14:21:45.863627
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "497cce20729d"
down_revision: str | Sequence[str] | None = "f4e90f53ba2f"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Bring the schema forward to this revision."""
    op.create_table(
        "email_recipient",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("authority_id", sa.Integer(), nullable=False),
        sa.Column("email_address", sqlmodel.sql.sqltypes.AutoString(length=320), nullable=False),
        sa.Column("alert_types", sa.JSON(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["authority_id"], ["authority.id"], name=op.f("fk_email_recipient_authority_id_authority")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_email_recipient")),
    )
    with op.batch_alter_table("email_recipient", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_email_recipient_authority_id"), ["authority_id"], unique=False)

    op.create_table(
        "webhook_endpoint",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("authority_id", sa.Integer(), nullable=False),
        sa.Column("url", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("secret", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("previous_secret", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("previous_secret_expires_at", sa.DateTime(), nullable=True),
        sa.Column("alert_types", sa.JSON(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["authority_id"], ["authority.id"], name=op.f("fk_webhook_endpoint_authority_id_authority")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_endpoint")),
    )
    with op.batch_alter_table("webhook_endpoint", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_webhook_endpoint_authority_id"), ["authority_id"], unique=False)

    with op.batch_alter_table("alert", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("dedupe_key", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True)
        )
        batch_op.create_unique_constraint(batch_op.f("uq_alert_dedupe_key"), ["dedupe_key"])


def downgrade() -> None:
    """Take the schema back to the previous revision."""
    with op.batch_alter_table("alert", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_alert_dedupe_key"), type_="unique")
        batch_op.drop_column("dedupe_key")

    with op.batch_alter_table("webhook_endpoint", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_webhook_endpoint_authority_id"))

    op.drop_table("webhook_endpoint")
    with op.batch_alter_table("email_recipient", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_email_recipient_authority_id"))

    op.drop_table("email_recipient")

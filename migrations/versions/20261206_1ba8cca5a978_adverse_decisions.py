"""adverse decisions: a manager's decision that an adverse record found does not stop the grant

Revision ID: 1ba8cca5a978
Revises: 34bcbefacec5
Create Date: 2026-12-06 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "1ba8cca5a978"
down_revision: str | Sequence[str] | None = "34bcbefacec5"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ADVERSE_KINDS = "record_kind IN ('register_entry', 'intelligence')"
INFORMATION_STATES = "information IN ('answered', 'unanswered', 'not_requested', 'not_applicable')"


def upgrade() -> None:
    """Create the adverse_decision table and its lookup index."""
    text = sqlmodel.sql.sqltypes.AutoString
    op.create_table(
        "adverse_decision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("authority_id", sa.Integer(), nullable=False),
        sa.Column("screening_candidate_id", sa.Integer(), nullable=False),
        sa.Column("record_kind", text(length=16), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("record_updated_at", sa.DateTime(), nullable=False),
        sa.Column("information", text(length=16), nullable=False),
        sa.Column("information_request_id", sa.Integer(), nullable=True),
        sa.Column("reason", text(length=2000), nullable=False),
        sa.Column("decided_by", text(length=200), nullable=False),
        sa.Column("actor_kind", text(length=16), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(ADVERSE_KINDS, name=op.f("ck_adverse_decision_record_kind")),
        sa.CheckConstraint(INFORMATION_STATES, name=op.f("ck_adverse_decision_information")),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["application.id"],
            name=op.f("fk_adverse_decision_application_id_application"),
        ),
        sa.ForeignKeyConstraint(
            ["authority_id"], ["authority.id"], name=op.f("fk_adverse_decision_authority_id_authority")
        ),
        sa.ForeignKeyConstraint(
            ["information_request_id"],
            ["information_request.id"],
            name=op.f("fk_adverse_decision_information_request_id_information_request"),
        ),
        sa.ForeignKeyConstraint(
            ["screening_candidate_id"],
            ["screening_candidate.id"],
            name=op.f("fk_adverse_decision_screening_candidate_id_screening_candidate"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_adverse_decision")),
    )
    with op.batch_alter_table("adverse_decision", schema=None) as batch_op:
        batch_op.create_index(
            "ix_adverse_decision_application_record",
            ["application_id", "record_kind", "record_id"],
            unique=False,
        )


def downgrade() -> None:
    """Drop the adverse_decision table."""
    with op.batch_alter_table("adverse_decision", schema=None) as batch_op:
        batch_op.drop_index("ix_adverse_decision_application_record")
    op.drop_table("adverse_decision")

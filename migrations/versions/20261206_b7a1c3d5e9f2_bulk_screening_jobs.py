"""bulk screening jobs: an officer's upload worked by a scheduler, with its progress and results

Revision ID: b7a1c3d5e9f2
Revises: 9e4b7c2d1f30
Create Date: 2026-12-06 14:00:00

The upload, its progress (rows done of the total), the claim under a lease and the finished files live
in one row, purged some days after the job ends (BULK_RESULTS_DAYS).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "b7a1c3d5e9f2"
down_revision: str | Sequence[str] | None = "9e4b7c2d1f30"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Bring the schema forward to this revision."""
    op.create_table(
        "bulk_screening_job",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("authority_id", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor_label", sa.String(length=200), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("min_score", sa.Float(), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("total_rows", sa.Integer(), nullable=False),
        sa.Column("rows_done", sa.Integer(), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("lease_expires_at", sa.DateTime(), nullable=True),
        sa.Column("people", sa.Text(), nullable=False),
        sa.Column("results", sa.Text(), nullable=True),
        sa.Column("warnings", sa.Text(), nullable=True),
        sa.Column("candidates", sa.Integer(), nullable=False),
        sa.Column("error", sa.String(length=500), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=True),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint(
            "status IN ('queued', 'running', 'done', 'failed')", name=op.f("ck_bulk_screening_job_status")
        ),
        sa.ForeignKeyConstraint(
            ["authority_id"], ["authority.id"], name=op.f("fk_bulk_screening_job_authority_id_authority")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bulk_screening_job")),
    )
    op.create_index(
        "ix_bulk_screening_job_status_lease_expires_at",
        "bulk_screening_job",
        ["status", "lease_expires_at"],
        unique=False,
    )
    op.create_index(
        "ix_bulk_screening_job_authority_created_at",
        "bulk_screening_job",
        ["authority_id", "created_at"],
        unique=False,
    )


def downgrade() -> None:
    """Take the schema back to the previous revision (every bulk screening job and its files go)."""
    op.drop_index("ix_bulk_screening_job_authority_created_at", table_name="bulk_screening_job")
    op.drop_index("ix_bulk_screening_job_status_lease_expires_at", table_name="bulk_screening_job")
    op.drop_table("bulk_screening_job")

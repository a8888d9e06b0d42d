"""authority reorganisation: changes of licensing authorities from a date, and the licences a split placed

Revision ID: b7c3d9e1f2a4
Revises: b4d9e2a71c05
Create Date: 2026-12-06 14:00:00

Merges, splits and recodes of licensing authorities are held as data (`authority_change`), each with
the date it takes effect; a split's licences are placed one by one (`licence_assignment`). No existing
row changes: records keep the authority that made them.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "b7c3d9e1f2a4"
down_revision: str | Sequence[str] | None = "b4d9e2a71c05"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _one_of(column: str, values: tuple[str, ...]) -> sa.CheckConstraint:
    allowed = ", ".join(f"'{v}'" for v in values)
    return sa.CheckConstraint(f"{column} IN ({allowed})", name=column)


def upgrade() -> None:
    """Bring the schema forward to this revision."""
    op.create_table(
        "authority_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("effective_on", sa.Date(), nullable=False),
        sa.Column("predecessor_id", sa.Integer(), nullable=False),
        sa.Column("successor_id", sa.Integer(), nullable=False),
        sa.Column("lead", sa.Boolean(), nullable=False),
        sa.Column("officers", sa.String(length=8), nullable=False),
        sa.Column("api_keys", sa.String(length=8), nullable=False),
        sa.Column("subscriptions", sa.String(length=8), nullable=False),
        sa.Column("source", sa.String(length=300), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        _one_of("kind", ("merge", "split", "recode")),
        _one_of("officers", ("move", "disable")),
        _one_of("api_keys", ("move", "disable")),
        _one_of("subscriptions", ("move", "disable")),
        sa.ForeignKeyConstraint(
            ["predecessor_id"], ["authority.id"], name=op.f("fk_authority_change_predecessor_id_authority")
        ),
        sa.ForeignKeyConstraint(
            ["successor_id"], ["authority.id"], name=op.f("fk_authority_change_successor_id_authority")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_authority_change")),
        sa.UniqueConstraint(
            "predecessor_id", "successor_id", name=op.f("uq_authority_change_predecessor_id_successor_id")
        ),
    )
    op.create_index(op.f("ix_authority_change_predecessor_id"), "authority_change", ["predecessor_id"])
    op.create_index(op.f("ix_authority_change_successor_id"), "authority_change", ["successor_id"])
    op.create_table(
        "licence_assignment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("change_id", sa.Integer(), nullable=False),
        sa.Column("licence_id", sa.Integer(), nullable=False),
        sa.Column("successor_id", sa.Integer(), nullable=False),
        sa.Column("placed_by", sa.String(length=8), nullable=False),
        _one_of("placed_by", ("postcode", "mapping")),
        sa.ForeignKeyConstraint(
            ["change_id"],
            ["authority_change.id"],
            name=op.f("fk_licence_assignment_change_id_authority_change"),
        ),
        sa.ForeignKeyConstraint(
            ["licence_id"], ["licence.id"], name=op.f("fk_licence_assignment_licence_id_licence")
        ),
        sa.ForeignKeyConstraint(
            ["successor_id"], ["authority.id"], name=op.f("fk_licence_assignment_successor_id_authority")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_licence_assignment")),
        sa.UniqueConstraint("licence_id", name=op.f("uq_licence_assignment_licence_id")),
    )
    op.create_index(op.f("ix_licence_assignment_change_id"), "licence_assignment", ["change_id"])
    op.create_index(op.f("ix_licence_assignment_successor_id"), "licence_assignment", ["successor_id"])


def downgrade() -> None:
    """Take the schema back to the previous revision (every recorded reorganisation is forgotten)."""
    op.drop_table("licence_assignment")
    op.drop_table("authority_change")

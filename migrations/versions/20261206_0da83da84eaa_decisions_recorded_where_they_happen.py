"""decisions recorded where they happen: the DBS consent date, a status change's register entry, 'lifted'

Revision ID: 0da83da84eaa
Revises: 5cbba9ee517a
Create Date: 2026-12-06 09:00:00

A licence keeps the date of the driver's consent to Update Service status checks; a licence status
change names the s.2 register entry it recorded (emptied when retention purges the entry); and a
suspension's entry can record that the suspension was lifted.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0da83da84eaa"
down_revision: str | Sequence[str] | None = "5cbba9ee517a"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CHANGES_BEFORE = "'recorded', 'amended', 'overturned', 'reinstated', 'removed'"
CHANGES_AFTER = f"{CHANGES_BEFORE}, 'lifted'"


def upgrade() -> None:
    """Bring the schema forward to this revision."""
    with op.batch_alter_table("licence", schema=None) as batch_op:
        batch_op.add_column(sa.Column("dbs_consent_on", sa.Date(), nullable=True))

    with op.batch_alter_table("licence_status_change", schema=None) as batch_op:
        batch_op.add_column(sa.Column("register_entry_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_licence_status_change_register_entry_id_register_entry"),
            "register_entry",
            ["register_entry_id"],
            ["id"],
            ondelete="SET NULL",
        )

    _change_check(CHANGES_AFTER)


def downgrade() -> None:
    """Take the schema back to the previous revision (a 'lifted' history row cannot go back: refused)."""
    _change_check(CHANGES_BEFORE)

    with op.batch_alter_table("licence_status_change", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_licence_status_change_register_entry_id_register_entry"), type_="foreignkey"
        )
        batch_op.drop_column("register_entry_id")

    with op.batch_alter_table("licence", schema=None) as batch_op:
        batch_op.drop_column("dbs_consent_on")


def _change_check(allowed: str) -> None:
    """Replace the CHECK constraint naming the register entry changes allowed."""
    with op.batch_alter_table("register_entry_change", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_register_entry_change_change"), type_="check")
        batch_op.create_check_constraint(
            batch_op.f("ck_register_entry_change_change"), f"change IN ({allowed})"
        )

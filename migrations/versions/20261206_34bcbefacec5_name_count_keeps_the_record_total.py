"""name_count keeps how many records are counted, beside each name's count

Revision ID: 34bcbefacec5
Revises: 3d8f0a6c1e27
Create Date: 2026-12-06 09:00:00

The engine weighs a shared name by its count over the number of records counted; that number was a
count(*) of four tables, taken apart from the name counts. It is now kept in name_count itself, under
the hash of the key "records", in the same transactions as the names (licensing/screening/key_index.py). The
hash is written out here so that later changes to the code do not change what this migration did.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "34bcbefacec5"
down_revision: str | Sequence[str] | None = "3d8f0a6c1e27"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TOTAL_KEY = 8670698414768990992


def upgrade() -> None:
    """Count the records that have keys into the total row."""
    op.execute(f"DELETE FROM name_count WHERE key_hash = {TOTAL_KEY}")
    op.execute(f"INSERT INTO name_count (key_hash, count) SELECT {TOTAL_KEY}, count(*) FROM record_keys")


def downgrade() -> None:
    """Remove the total row."""
    op.execute(f"DELETE FROM name_count WHERE key_hash = {TOTAL_KEY}")

"""match keys stored as 63-bit hashes, each record's list in record_keys, name-frequency keys included

Revision ID: 5b1e0c7d9a42
Revises: a010363d7dac
Create Date: 2026-12-02 11:20:00

The old table held each key as text with a rowid and two indexes; at a million records its random
inserts made imports crawl. The new table is the lookup index itself (WITHOUT ROWID on SQLite), and
record_keys lists each record's hashes in one row instead of a second index as large as the table.
Keys cannot be converted in SQL (the hash is computed in Python), so the upgrade rebuilds them from the
records' identity columns as they stand at this revision; a database without the rebuilt keys would
find no candidates at all. The licence badge index is dropped: every badge lookup names the authority
and uses the unique (authority_id, badge_number) index.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import context, op

from app.migrate import KEYS_REBUILT

revision: str = "5b1e0c7d9a42"
down_revision: str | Sequence[str] | None = "a010363d7dac"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

IDENTITY = (
    "given_names",
    "family_name",
    "previous_names",
    "date_of_birth",
    "sex",
    "address",
    "postcode",
    "ni_number",
    "driving_licence_number",
)
KINDS = {"register_entry": 1, "licence": 2, "application": 3, "intelligence": 4}
BATCH = 5000


def upgrade() -> None:
    """Replace the text-keyed table with the hashed one and rebuild every record's keys."""
    op.drop_table("match_key")
    op.create_table(
        "match_key",
        sa.Column("key_hash", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("record_kind", sa.SmallInteger(), autoincrement=False, nullable=False),
        sa.Column("record_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.CheckConstraint("record_kind IN (1, 2, 3, 4)", name=op.f("ck_match_key_record_kind")),
        sa.PrimaryKeyConstraint("key_hash", "record_kind", "record_id", name=op.f("pk_match_key")),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "record_keys",
        sa.Column("record_kind", sa.SmallInteger(), autoincrement=False, nullable=False),
        sa.Column("record_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("key_hashes", sa.LargeBinary(), nullable=False),
        sa.Column("name_hashes", sa.LargeBinary(), nullable=False),
        sa.CheckConstraint("record_kind IN (1, 2, 3, 4)", name=op.f("ck_record_keys_record_kind")),
        sa.PrimaryKeyConstraint("record_kind", "record_id", name=op.f("pk_record_keys")),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "name_count",
        sa.Column("key_hash", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("key_hash", name=op.f("pk_name_count")),
        sqlite_with_rowid=False,
    )
    with op.batch_alter_table("licence", schema=None) as batch_op:
        batch_op.drop_index("ix_licence_badge_number")
    _rebuild_keys(op.get_bind())
    # After the migration's transaction, `app.migrate.upgrade` vacuums the rewritten key tables.
    context.config.attributes[KEYS_REBUILT] = True


def _rebuild_keys(connection) -> None:
    """Derive and insert the keys of every record, a batch at a time, and count their names."""
    from collections import Counter

    from licensing.matching import person_from
    from licensing.screening.key_index import keys_of, pack

    keys = sa.table("match_key", sa.column("key_hash"), sa.column("record_kind"), sa.column("record_id"))
    lists = sa.table(
        "record_keys",
        sa.column("record_kind"),
        sa.column("record_id"),
        sa.column("key_hashes"),
        sa.column("name_hashes"),
    )
    names: Counter = Counter()
    for name, code in KINDS.items():
        # Typed, so SQLite hands back dates as dates, as the engine expects.
        columns = (sa.column(c, sa.Date()) if c == "date_of_birth" else sa.column(c) for c in IDENTITY)
        table = sa.table(name, sa.column("id"), *columns)
        last_id = 0
        while rows := connection.execute(
            sa.select(table).where(table.c.id > last_id).order_by(table.c.id).limit(BATCH)
        ).all():
            keyed = [(row.id, keys_of(person_from(row))) for row in rows]
            connection.execute(
                sa.insert(keys),
                [
                    {"key_hash": h, "record_kind": code, "record_id": rid}
                    for rid, ks in keyed
                    for h in ks.keys
                ],
            )
            connection.execute(
                sa.insert(lists),
                [
                    {
                        "record_kind": code,
                        "record_id": rid,
                        "key_hashes": pack(ks.keys),
                        "name_hashes": pack(ks.names),
                    }
                    for rid, ks in keyed
                ],
            )
            names.update(h for _, ks in keyed for h in ks.names)
            last_id = rows[-1].id
    if names:
        counts = sa.table("name_count", sa.column("key_hash"), sa.column("count"))
        connection.execute(sa.insert(counts), [{"key_hash": h, "count": n} for h, n in names.items()])


def downgrade() -> None:
    """Go back to the text-keyed table (empty: run `flask register reindex` at the older revision)."""
    with op.batch_alter_table("licence", schema=None) as batch_op:
        batch_op.create_index("ix_licence_badge_number", ["badge_number"], unique=False)
    op.drop_table("name_count")
    op.drop_table("record_keys")
    op.drop_table("match_key")
    op.create_table(
        "match_key",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("record_kind", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "record_kind IN ('register_entry', 'licence', 'application', 'intelligence')",
            name=op.f("ck_match_key_record_kind"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_match_key")),
    )
    with op.batch_alter_table("match_key", schema=None) as batch_op:
        batch_op.create_index("ix_match_key_key", ["key", "record_kind", "record_id"], unique=False)
        batch_op.create_index("ix_match_key_record", ["record_kind", "record_id"], unique=False)

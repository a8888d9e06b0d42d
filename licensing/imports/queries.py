"""Every statement an import runs: looking up what a batch's rows are already stored as, writing the
batch's records (COPY on PostgreSQL, one executemany on SQLite), and the tuning and upkeep of the
tables it fills. An import writes a million records; each write here costs no more per row than the
database's own work needs. The match keys are written by licensing/screening/key_index.py.
"""

import json
from collections.abc import Iterable

from sqlalchemy import JSON, func, insert, select, text, update
from sqlalchemy.engine import Connection, Row
from sqlmodel import Session

from licensing.persistence.models import Authority

# Pairs (and ids) looked up per statement: SQLite binds at most 32,766 values.
PAIRS_PER_QUERY = 10_000


def authority_ids_by_code(session: Session) -> dict[str, int]:
    """Return every authority's id by its code."""
    return dict(session.execute(select(Authority.code, Authority.id)).all())


def authority_by_code(session: Session, code: str) -> Authority | None:
    """Return the authority with `code`, if any."""
    return session.scalars(select(Authority).where(Authority.code == code)).first()


def record_ids_at_refs(session: Session, table: str, pairs: Iterable[tuple[int, str]]) -> list[int]:
    """Return the ids of the records of `table` stored under one of the (authority id, ref) `pairs`."""
    return [found[0] for found in _at_pairs(session, "id", table, "ref", pairs)]


def licences_holding_badges(session: Session, pairs: Iterable[tuple[int, str]]) -> list[tuple]:
    """Return (authority id, badge number, ref) of licences holding one of the (authority, badge) pairs."""
    return _at_pairs(session, "authority_id, badge_number, ref", "licence", "badge_number", pairs)


def _at_pairs(session: Session, columns: str, table: str, second: str, pairs) -> list[tuple]:
    """Return `columns` of the rows of `table` whose (authority_id, `second`) is one of `pairs`.

    The pairs are joined as a list of values, so each is one probe of the unique (authority_id, ...)
    index; two IN lists, or a row-value IN, made both databases walk far more of the index or the table.
    """
    pairs = list(pairs)
    connection = session.connection()
    cursor = connection.connection.cursor()
    found: list[tuple] = []
    try:
        for start in range(0, len(pairs), PAIRS_PER_QUERY):
            chunk = pairs[start : start + PAIRS_PER_QUERY]
            joined = f"JOIN {table} t ON t.authority_id = w.a AND t.{second} = w.b"
            if connection.dialect.name == "postgresql":
                statement = (
                    f"SELECT {_qualified(columns)} FROM unnest(%s::integer[], %s::text[]) AS w(a, b) {joined}"
                )
                cursor.execute(statement, ([a for a, _ in chunk], [b for _, b in chunk]))
            else:
                rows = ", ".join(["(?, ?)"] * len(chunk))
                statement = f"WITH w(a, b) AS (VALUES {rows}) SELECT {_qualified(columns)} FROM w {joined}"
                cursor.execute(statement, [value for pair in chunk for value in pair])
            found.extend(cursor.fetchall())
    finally:
        cursor.close()
    return found


def _qualified(columns: str) -> str:
    """Return a comma-separated column list with each column taken from the table aliased t."""
    return ", ".join(f"t.{name.strip()}" for name in columns.split(","))


def rows_with_ids(session: Session, table, ids: list[int]) -> list[Row]:
    """Return the rows of `table` (every column) with these ids, PAIRS_PER_QUERY ids a statement."""
    found: list[Row] = []
    for start in range(0, len(ids), PAIRS_PER_QUERY):
        found.extend(
            session.execute(select(table).where(table.c.id.in_(ids[start : start + PAIRS_PER_QUERY])))
        )
    return found


def update_records(session: Session, model: type, rows: list[dict]) -> None:
    """Update records by primary key: each row is a dict of an `id` and the columns it changes."""
    session.execute(update(model), rows)


def insert_records(session: Session, table, rows: list[dict]) -> list[int]:
    """Insert many rows (COPY on PostgreSQL, else one executemany) and return their ids in order."""
    if not rows:
        return []
    plain = _plain_rows(table, rows)
    if plain is not None:
        dialect = session.get_bind().dialect.name
        writer = _copy_insert if dialect == "postgresql" else _sqlite_insert if dialect == "sqlite" else None
        if writer:
            return writer(session, table, *plain)
    statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
    return list(session.execute(statement, rows).scalars())


def _plain_rows(table, rows: list[dict]) -> tuple[list[str], list[tuple]] | None:
    """Return column names and value tuples for `rows`, defaults filled; None if only an INSERT can do it.

    A column left out gets its scalar Python default here, as SQLAlchemy's INSERT would give it; keys
    that are no column of this table are ignored, as SQLAlchemy's INSERT ignores them.
    """
    columns = [name for name in rows[0] if name in table.c]
    left_out = [c for c in table.c if c.name not in rows[0] and c.name != "id" and c.default is not None]
    if any(not c.default.is_scalar for c in left_out) or any(row.keys() != rows[0].keys() for row in rows):
        return None
    fill = tuple(c.default.arg for c in left_out)
    return [*columns, *(c.name for c in left_out)], [(*(row[n] for n in columns), *fill) for row in rows]


def _copy_insert(session: Session, table, names: list[str], rows: list[tuple]) -> list[int]:
    """COPY rows in, ids drawn from the table's sequence first (INSERT ... RETURNING cost far more)."""
    query = text("SELECT nextval(pg_get_serial_sequence(:name, 'id')) FROM generate_series(1, :n)")
    ids = list(session.execute(query, {"name": table.name, "n": len(rows)}).scalars())
    cursor = session.connection().connection.driver_connection.cursor()
    # COPY would write a Python list as an array: JSON columns (the identity warnings) go as JSON text.
    as_json = [i for i, name in enumerate(names, start=1) if isinstance(table.c[name].type, JSON)]
    with cursor, cursor.copy(f"COPY {table.name} (id, {', '.join(names)}) FROM STDIN") as copy:
        for record_id, row in zip(ids, rows, strict=True):
            values = [record_id, *row]
            for i in as_json:
                values[i] = json.dumps(values[i])
            copy.write_row(values)
    return ids


def _sqlite_insert(session: Session, table, names: list[str], rows: list[tuple]) -> list[int]:
    """Insert rows with one executemany of plain tuples, numbering them as SQLite itself would.

    The id is a rowid alias without AUTOINCREMENT, so SQLite gives a new row max(id) + 1; the batch's
    writing unit of work holds the write lock (BEGIN IMMEDIATE) from its first statement, so no other
    writer can take those ids. Values go through the columns' own bind processors, stored exactly as an INSERT
    would store them. INSERT ... RETURNING ran one statement per row.
    """
    connection = session.connection()
    first = connection.execute(select(func.coalesce(func.max(table.c.id), 0))).scalar_one() + 1
    # Only dates, times, booleans and JSON have processors; leave the strings alone.
    dialect = connection.dialect
    processors = [
        (i, p) for i, name in enumerate(names, start=1) if (p := _processor(table.c[name], dialect))
    ]
    converted = []
    for record_id, row in enumerate(rows, start=first):
        values = [record_id, *row]
        for i, process in processors:
            values[i] = process(values[i])
        converted.append(tuple(values))
    marks = ", ".join("?" * (len(names) + 1))
    connection.exec_driver_sql(
        f"INSERT INTO {table.name} (id, {', '.join(names)}) VALUES ({marks})", converted
    )
    return list(range(first, first + len(rows)))


def _processor(column, dialect):
    """Return the bind processor SQLAlchemy would apply to `column`'s values, or None."""
    return column.type._cached_bind_processor(dialect)


def use_sqlite_import_cache(session: Session, cache_kib: int) -> None:
    """Give SQLite a page cache of `cache_kib` KiB for this connection, and no memory map of the file.

    Pages are written through SQLite's own cache; mapping the file as well only slowed writing (and
    every page it touched counted as this process's memory).
    """
    session.execute(text(f"PRAGMA cache_size=-{cache_kib}"))
    session.execute(text("PRAGMA mmap_size=0"))


def analyse(session: Session, tables: str) -> None:
    """Refresh PostgreSQL's planner statistics of `tables` (a comma-separated list of names)."""
    session.execute(text(f"ANALYZE {tables}"))


def vacuum_analyse(connection: Connection, tables: str) -> None:
    """VACUUM (ANALYZE) `tables` (a comma-separated list of names) on PostgreSQL.

    On a connection in autocommit, not a session: VACUUM cannot run inside a transaction.
    """
    connection.execute(text(f"VACUUM (ANALYZE) {tables}"))

"""Writing one batch of an import in a unit of work of its own: upsert its records and keys, audit it.

A batch is a dict of parsed rows by (authority id, ref). Records already stored under that identity
are updated (and re-keyed when their identity changed), new ones inserted with ids the batch draws
itself, so their keys go in with the same pass. Everything a batch did comes back as a `Written`; the
caller owns the report and the rejects file, so a batch can be written on another thread.
"""

import json
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import JSON, func, insert, select, text, update
from sqlalchemy.engine import Engine
from sqlmodel import Session

from licensing.actors import Actor
from licensing.audit import log as audit
from licensing.identity.fields import IDENTITY_FIELDS
from licensing.imports.rows import ParsedRow
from licensing.persistence import unit_of_work
from licensing.screening.key_index import add_keys, drop_records

# Pairs looked up per statement: SQLite binds at most 32,766 values.
PAIRS_PER_QUERY = 10_000
IMPORT_CACHE_KIB = 256 * 1024


@dataclass(frozen=True)
class Target:
    """Where and as whom an import writes."""

    engine: Engine
    actor: Actor
    kind: str
    model: type
    now: datetime
    source: str


@dataclass
class Written:
    """What writing one batch did: counts, and the rows it refused with the reason."""

    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[tuple[ParsedRow, str]] = field(default_factory=list)


def write_batch(target: Target, batch: dict, first_line: int, number: int) -> Written:
    """Upsert batch number `number` with its keys and audit event in a writing unit of work of its own."""
    with unit_of_work.writing(target.engine) as session:
        written = _write_batch(session, target, batch, first_line)
    if number & (number - 1) == 0 and target.engine.dialect.name == "postgresql":
        # A table filled from empty in one run keeps "tiny table" statistics until autovacuum catches
        # up, and the planner then scans it for every batch's lookup; refresh them each time the
        # import has doubled what it wrote (batches 1, 2, 4, 8...).
        with unit_of_work.writing(target.engine) as session:
            session.execute(text(f"ANALYZE {target.model.__table__.name}, match_key, record_keys"))
    return written


def _write_batch(session: Session, target: Target, batch: dict, first_line: int) -> Written:
    """Upsert one batch with its keys and audit event in the caller's unit of work."""
    table = target.model.__table__
    if session.get_bind().dialect.name == "sqlite":
        # Every row adds a dozen match keys at random places in a large index; with SQLite's
        # default 2 MB page cache each of those inserts reads its index pages from disk again.
        session.execute(text(f"PRAGMA cache_size=-{IMPORT_CACHE_KIB}"))
        # Pages are written through SQLite's own cache; mapping the file as well only slowed writing
        # (and every page it touched counted as this process's memory).
        session.execute(text("PRAGMA mmap_size=0"))
    ids = [found[0] for found in _at_pairs(session, "id", table.name, "ref", batch)]
    existing = {}
    for start in range(0, len(ids), PAIRS_PER_QUERY):
        query = select(table).where(table.c.id.in_(ids[start : start + PAIRS_PER_QUERY]))
        existing |= {(row.authority_id, row.ref): row for row in session.execute(query)}
    written = Written()
    if target.kind == "licence":
        written.rejected = _taken_badges(session, batch)
        for row, _ in written.rejected:
            del batch[(row.values["authority_id"], row.values["ref"])]
    _write(session, target, batch, existing, written)
    detail = {"source": target.source, "first_line": first_line}
    detail |= {"inserted": written.inserted, "updated": written.updated, "unchanged": written.unchanged}
    audit.record(
        session, target.actor, f"{target.kind}.import", target.kind, None, now=target.now, detail=detail
    )
    return written


KEY_TABLES = ("match_key", "record_keys", "name_count")


def settle(engine: Engine, *tables: str) -> None:
    """On PostgreSQL, VACUUM (ANALYZE) `tables` and the key tables after an import or a reindex wrote them.

    Until a table is vacuumed its visibility map is empty, so every probe of the match-key index also
    reads the table's own pages (a page per hit: bench/README.md), and the planner estimates from
    statistics taken mid-import. Autovacuum gets there in its own time where it is on; the screenings
    that follow a large import should not wait for it. VACUUM cannot run inside a transaction, so it
    runs after the writing units have ended, on a connection of its own, in autocommit.
    """
    if engine.dialect.name != "postgresql":
        return
    names = ", ".join(dict.fromkeys((*tables, *KEY_TABLES)))
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text(f"VACUUM (ANALYZE) {names}"))


def badge(values: dict) -> tuple:
    """Return the (authority, badge) a licence row claims."""
    return values["authority_id"], values.get("badge_number")


def _taken_badges(session: Session, batch: dict) -> list[tuple[ParsedRow, str]]:
    """Return the rows whose badge number another licence of the same authority already holds."""
    claims = {badge(row.values): ident for ident, row in batch.items()}
    taken = []
    for authority_id, number, ref in _at_pairs(
        session, "authority_id, badge_number, ref", "licence", "badge_number", claims
    ):
        ident = claims.get((authority_id, number))
        if ident and ident[1] != ref and ident in batch:
            taken.append((batch[ident], f"badge_number {number} is already held by licence ref {ref}"))
    return sorted(taken, key=lambda rejected: rejected[0].line)


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


def _write(session: Session, target: Target, batch: dict, existing: dict, written: Written) -> None:
    """Insert new rows and update changed ones, with their keys; count them in `written`."""
    inserts, inserted_keys, updates, rekey = [], [], [], []
    for ident, parsed in batch.items():
        values, row = parsed.values, existing.get(ident)
        if row is None:
            inserts.append(
                values | {"created_at": target.now, "updated_at": target.now} | _first_stamp(target)
            )
            inserted_keys.append(parsed.keys)
            continue
        changed = {k: v for k, v in values.items() if getattr(row, k) != v and not _keeps_status(row, k)}
        if changed:
            updates.append({"id": row.id, **changed, "updated_at": target.now})
            if changed.keys() & set(IDENTITY_FIELDS):
                rekey.append((row.id, parsed.keys))
    new_ids = _insert(session, target.model.__table__, inserts)
    if updates:
        session.execute(update(target.model), updates)
    drop_records(session, target.kind, [rid for rid, _ in rekey])
    add_keys(session, target.kind, [*zip(new_ids, inserted_keys, strict=True), *rekey])
    written.inserted, written.updated = len(inserts), len(updates)
    written.unchanged = len(batch) - len(inserts) - len(updates)


def _keeps_status(row, column: str) -> bool:
    """Tell whether a stored status outranks the file's (a suspended or revoked licence stays so)."""
    return column == "status" and row.status not in ("active", "expired")


def _first_stamp(target: Target) -> dict:
    """Return the columns only a new record sets."""
    if target.kind == "register_entry":
        return {"status": "current", "first_recorded_at": target.now}
    return {}


def _insert(session: Session, table, rows: list[dict]) -> list[int]:
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

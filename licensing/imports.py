"""Bulk CSV import of register entries and licences: streamed, validated per row, upserted in batches.

The file is read row by row (never whole). A row that breaks a rule is not imported: it is written to
the rejects stream with its line number and reason. An invalid *optional* identifier (NI number,
driving licence number, postcode, date of birth, sex) does not reject the row: it is left out of the
record, so it can never become a false exact key, and counted as a warning. Accepted rows are
committed `batch_size` at a time with their match keys and one audit event per batch. `(authority_code,
ref)` identifies a record, so importing a file again updates records and never duplicates them.
"""

import csv
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TextIO

from sqlalchemy import func, insert, select, text, update
from sqlmodel import Session

from licensing import audit
from licensing.actors import Actor
from licensing.csvrows import (  # noqa: F401 (re-exported: callers import the row rules from here)
    LICENCE_COLUMNS,
    LICENCE_REQUIRED,
    PEOPLE_COLUMNS,
    PEOPLE_REQUIRED,
    REGISTER_COLUMNS,
    REGISTER_REQUIRED,
    RowRejected,
    data_rows,
    parse_date,
    parse_entry,
    parse_licence,
    parse_person,
    reader_for,
)
from licensing.frequencies import forget_totals
from licensing.importrows import ParsedRow, parsed_rows
from licensing.keys import add_keys, drop_records
from licensing.models import IDENTITY_FIELDS, Authority, Licence, RegisterEntry

DEFAULT_BATCH = 2000
IMPORT_CACHE_KIB = 256 * 1024


@dataclass
class ImportReport:
    """What an import did, row by row, in counts."""

    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    warnings: int = 0

    @property
    def accepted(self) -> int:
        """Return how many rows were stored or already up to date."""
        return self.inserted + self.updated + self.unchanged


@dataclass
class _Run:
    """The state of one import: what it writes, where rejects go, and the open batch."""

    session: Session
    actor: Actor
    kind: str
    model: type
    now: datetime
    source: str
    rejects: csv.writer
    fieldnames: list[str]
    report: ImportReport
    batch: dict
    first_line: int = 0
    batches: int = 0
    # (authority, badge) of every licence row in the open batch, so a repeat is found without a scan.
    badges: set = field(default_factory=set)


def import_register(
    session, actor, stream: TextIO, rejects: TextIO, *, now, source="", **options
) -> ImportReport:
    """Import register entries from a CSV stream; write rejected rows to `rejects`."""
    return _import(session, actor, stream, rejects, "register_entry", now=now, source=source, **options)


def import_licences(
    session, actor, stream: TextIO, rejects: TextIO, *, now, source="", **options
) -> ImportReport:
    """Import licences from a CSV stream; write rejected rows to `rejects`."""
    return _import(session, actor, stream, rejects, "licence", now=now, source=source, **options)


def _import(
    session: Session,
    actor: Actor,
    stream: TextIO,
    rejects: TextIO,
    kind: str,
    *,
    now: datetime,
    source: str,
    batch_size: int = DEFAULT_BATCH,
    workers: int = 0,
    on_batch: Callable[[ImportReport], None] | None = None,
) -> ImportReport:
    """Stream `stream` through validation into batched upserts of `kind`; parse in `workers` processes."""
    required = REGISTER_REQUIRED if kind == "register_entry" else LICENCE_REQUIRED
    reader = reader_for(stream, required)
    writer = csv.writer(rejects)
    writer.writerow(["line", "reason", *reader.fieldnames])
    model = RegisterEntry if kind == "register_entry" else Licence
    run = _Run(session, actor, kind, model, now, source, writer, reader.fieldnames, ImportReport(), {})
    authorities = dict(session.execute(select(Authority.code, Authority.id)).all())
    if session.get_bind().dialect.name == "sqlite":
        # Every row adds a dozen match keys at random places in a large index; with SQLite's
        # default 2 MB page cache each of those inserts reads its index pages from disk again.
        session.execute(text(f"PRAGMA cache_size=-{IMPORT_CACHE_KIB}"))
    for row in parsed_rows(data_rows(reader), kind, authorities, now.date(), workers, ahead=batch_size):
        if row.values is None:
            _reject(run, row.line, row.raw, row.reason)
            continue
        run.report.warnings += row.warnings
        _add(run, row, batch_size, on_batch)
    _flush(run, on_batch)
    forget_totals()
    return run.report


def _reject(run: _Run, line: int, raw: dict, reason: str) -> None:
    """Write one rejected row with its line number and reason, and count it."""
    run.rejects.writerow([line, reason, *((raw.get(f) or "") for f in run.fieldnames)])
    run.report.rejected += 1


def _add(run: _Run, row: ParsedRow, batch_size: int, on_batch) -> None:
    """Queue one valid row; a repeated ref or badge flushes first, so the later row wins."""
    ident = (row.values["authority_id"], row.values["ref"])
    badge = _badge(row.values)
    if ident in run.batch or (run.kind == "licence" and badge in run.badges):
        _flush(run, on_batch)
    run.first_line = run.first_line or row.line
    run.batch[ident] = row
    run.badges.add(badge)
    if len(run.batch) >= batch_size:
        _flush(run, on_batch)


def _badge(values: dict) -> tuple:
    """Return the (authority, badge) a licence row claims."""
    return values["authority_id"], values.get("badge_number")


def _flush(run: _Run, on_batch) -> None:
    """Upsert the open batch with its keys, change history and audit event, then commit."""
    if not run.batch:
        return
    table = run.model.__table__
    query = select(table).where(*_pairs_in(table.c.authority_id, table.c.ref, run.batch))
    existing = {(row.authority_id, row.ref): row for row in run.session.execute(query)}
    existing = {ident: row for ident, row in existing.items() if ident in run.batch}
    if run.kind == "licence":
        _reject_taken_badges(run, existing)
    counts = _write(run, existing)
    detail = {"source": run.source, "first_line": run.first_line, **counts}
    audit.record(run.session, run.actor, f"{run.kind}.import", run.kind, None, now=run.now, detail=detail)
    run.session.commit()
    run.batches += 1
    if run.batches in (1, 10, 100) and run.session.get_bind().dialect.name == "postgresql":
        # A table filled from empty in one run keeps "tiny table" statistics until autovacuum catches
        # up, and the planner then scans it for every batch's lookup; refresh them as it grows.
        run.session.execute(text(f"ANALYZE {run.model.__tablename__}, match_key"))
        run.session.commit()
    run.batch, run.first_line, run.badges = {}, 0, set()
    if on_batch:
        on_batch(run.report)


def _reject_taken_badges(run: _Run, existing: dict) -> None:
    """Reject rows whose badge number another licence of the same authority already holds."""
    table = Licence.__table__
    claims = {_badge(row.values): ident for ident, row in run.batch.items()}
    query = select(table.c.authority_id, table.c.badge_number, table.c.ref).where(
        *_pairs_in(table.c.authority_id, table.c.badge_number, claims)
    )
    for authority_id, badge, ref in run.session.execute(query):
        ident = claims.get((authority_id, badge))
        if ident and ident[1] != ref and ident in run.batch:
            row = run.batch.pop(ident)
            _reject(run, row.line, row.raw, f"badge_number {badge} is already held by licence ref {ref}")


def _pairs_in(first, second, pairs) -> tuple:
    """Return conditions matching a superset of `pairs` that stays a plain index probe on both databases.

    A row-value IN list of thousands of pairs plans as thousands of OR'ed index scans on PostgreSQL;
    two IN lists become one index scan with = ANY(...), and the caller drops the extra rows.
    """
    return first.in_({a for a, _ in pairs}), second.in_({b for _, b in pairs})


def _write(run: _Run, existing: dict) -> dict:
    """Insert new rows and update changed ones; return this batch's counts."""
    inserts, inserted_keys, updates, rekey = [], [], [], []
    for ident, parsed in run.batch.items():
        values, row = parsed.values, existing.get(ident)
        if row is None:
            inserts.append(values | {"created_at": run.now, "updated_at": run.now} | _first_stamp(run))
            inserted_keys.append(parsed.keys)
            continue
        changed = {k: v for k, v in values.items() if getattr(row, k) != v and not _keeps_status(run, row, k)}
        if changed:
            updates.append({"id": row.id, **changed, "updated_at": run.now})
            if changed.keys() & set(IDENTITY_FIELDS):
                rekey.append((row.id, parsed.keys))
    run.report.unchanged += len(run.batch) - len(inserts) - len(updates)
    new_ids = _insert(run, inserts)
    if updates:
        run.session.execute(update(run.model), updates)
    drop_records(run.session, run.kind, [rid for rid, _ in rekey])
    add_keys(run.session, run.kind, [*zip(new_ids, inserted_keys, strict=True), *rekey])
    run.report.inserted += len(inserts)
    run.report.updated += len(updates)
    return {
        "inserted": len(inserts),
        "updated": len(updates),
        "unchanged": len(run.batch) - len(inserts) - len(updates),
    }


def _keeps_status(run: _Run, row, column: str) -> bool:
    """Tell whether a stored status outranks the file's (a suspended or revoked licence stays so)."""
    return column == "status" and row.status not in ("active", "expired")


def _first_stamp(run: _Run) -> dict:
    """Return the columns only a new record sets."""
    if run.kind == "register_entry":
        return {"status": "current", "first_recorded_at": run.now}
    return {}


def _insert(run: _Run, rows: list[dict]) -> list[int]:
    """Insert many rows (COPY on PostgreSQL, else one executemany) and return their ids in order."""
    if not rows:
        return []
    table = run.model.__table__
    plain = _plain_rows(table, rows)
    if plain is not None:
        dialect = run.session.get_bind().dialect.name
        writer = _copy_insert if dialect == "postgresql" else _sqlite_insert if dialect == "sqlite" else None
        if writer:
            return writer(run.session, table, *plain)
    statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
    return list(run.session.execute(statement, rows).scalars())


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
    """COPY rows in, ids drawn from the table's sequence first (INSERT ... RETURNING was half the import)."""
    query = text("SELECT nextval(pg_get_serial_sequence(:name, 'id')) FROM generate_series(1, :n)")
    ids = list(session.execute(query, {"name": table.name, "n": len(rows)}).scalars())
    cursor = session.connection().connection.driver_connection.cursor()
    with cursor, cursor.copy(f"COPY {table.name} (id, {', '.join(names)}) FROM STDIN") as copy:
        for record_id, row in zip(ids, rows, strict=True):
            copy.write_row((record_id, *row))
    return ids


def _sqlite_insert(session: Session, table, names: list[str], rows: list[tuple]) -> list[int]:
    """Insert rows with one executemany of plain tuples, numbering them as SQLite itself would.

    The id is a rowid alias without AUTOINCREMENT, so SQLite gives a new row max(id) + 1; the import's
    transaction holds the write lock (BEGIN IMMEDIATE) from its first statement, so no other writer can
    take those ids. Values go through the columns' own bind processors, stored exactly as an INSERT
    would store them. INSERT ... RETURNING ran one statement per row.
    """
    connection = session.connection()
    first = connection.execute(select(func.coalesce(func.max(table.c.id), 0))).scalar_one() + 1
    # Only dates, times and booleans have processors; leave the strings alone.
    processors = [
        (i, p)
        for i, name in enumerate(names, start=1)
        if (p := _processor(table.c[name], connection.dialect))
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

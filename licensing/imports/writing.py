"""Writing one batch of an import in a unit of work of its own: upsert its records and keys, audit it.

A batch is a dict of parsed rows by (authority id, ref). Records already stored under that identity
are updated (and re-keyed when their identity changed), new ones inserted with ids the batch draws
itself, so their keys go in with the same pass. Everything a batch did comes back as a `Written`; the
caller owns the report and the rejects file, so a batch can be written on another thread.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session

from licensing.actors import Actor
from licensing.audit import log as audit
from licensing.identity.fields import IDENTITY_FIELDS
from licensing.imports import queries
from licensing.imports.rows import ParsedRow
from licensing.persistence import unit_of_work
from licensing.screening.key_index import add_keys, drop_records

IMPORT_CACHE_KIB = 256 * 1024


@dataclass(frozen=True)
class Target:
    """Where and as whom an import writes.

    `first_values` are columns only a new record takes from the import (a stored one keeps its own);
    `after_insert(session, target, new ids)`, when given, runs in the batch's unit of work once the new
    records and their keys are written, and returns facts for the batch's audit event. A `dry_run` does
    all of it and rolls each batch back.
    """

    engine: Engine
    actor: Actor
    kind: str
    model: type
    now: datetime
    source: str
    first_values: dict = field(default_factory=dict)
    after_insert: Callable[[Session, "Target", list[int]], dict] | None = None
    dry_run: bool = False


@dataclass
class Written:
    """What writing one batch did: counts, and the rows it refused with the reason."""

    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[tuple[ParsedRow, str]] = field(default_factory=list)


def write_batch(target: Target, batch: dict, first_line: int, number: int) -> Written:
    """Upsert batch number `number` with its keys and audit event in a writing unit of work of its own."""
    unit = unit_of_work.writing(target.engine)
    try:
        written = _write_batch(unit.session, target, batch, first_line)
    except BaseException:
        unit.end(succeeded=False)
        raise
    unit.end(succeeded=not target.dry_run)
    if target.dry_run:
        return written
    if number & (number - 1) == 0 and target.engine.dialect.name == "postgresql":
        # A table filled from empty in one run keeps "tiny table" statistics until autovacuum catches
        # up, and the planner then scans it for every batch's lookup; refresh them each time the
        # import has doubled what it wrote (batches 1, 2, 4, 8...).
        with unit_of_work.writing(target.engine) as session:
            queries.analyse(session, f"{target.model.__table__.name}, match_key, record_keys")
    return written


def _write_batch(session: Session, target: Target, batch: dict, first_line: int) -> Written:
    """Upsert one batch with its keys and audit event in the caller's unit of work."""
    table = target.model.__table__
    if session.get_bind().dialect.name == "sqlite":
        # Every row adds a dozen match keys at random places in a large index; with SQLite's
        # default 2 MB page cache each of those inserts reads its index pages from disk again.
        queries.use_sqlite_import_cache(session, IMPORT_CACHE_KIB)
    ids = queries.record_ids_at_refs(session, table.name, batch)
    existing = {(row.authority_id, row.ref): row for row in queries.rows_with_ids(session, table, ids)}
    written = Written()
    if target.kind == "licence":
        written.rejected = _taken_badges(session, batch)
        for row, _ in written.rejected:
            del batch[(row.values["authority_id"], row.values["ref"])]
    new_ids = _write(session, target, batch, existing, written)
    detail = {"source": target.source, "first_line": first_line}
    detail |= {"inserted": written.inserted, "updated": written.updated, "unchanged": written.unchanged}
    if target.after_insert is not None:
        detail |= target.after_insert(session, target, new_ids)
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
        queries.vacuum_analyse(connection, names)


def badge(values: dict) -> tuple:
    """Return the (authority, badge) a licence row claims."""
    return values["authority_id"], values.get("badge_number")


def _taken_badges(session: Session, batch: dict) -> list[tuple[ParsedRow, str]]:
    """Return the rows whose badge number another licence of the same authority already holds."""
    claims = {badge(row.values): ident for ident, row in batch.items()}
    taken = []
    for authority_id, number, ref in queries.licences_holding_badges(session, claims):
        ident = claims.get((authority_id, number))
        if ident and ident[1] != ref and ident in batch:
            taken.append((batch[ident], f"badge_number {number} is already held by licence ref {ref}"))
    return sorted(taken, key=lambda rejected: rejected[0].line)


def _write(session: Session, target: Target, batch: dict, existing: dict, written: Written) -> list[int]:
    """Insert new rows and update changed ones, with their keys; count them in `written`.

    Return the ids of the records inserted.
    """
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
    new_ids = queries.insert_records(session, target.model.__table__, inserts)
    if updates:
        queries.update_records(session, target.model, updates)
    drop_records(session, target.kind, [rid for rid, _ in rekey])
    add_keys(session, target.kind, [*zip(new_ids, inserted_keys, strict=True), *rekey])
    written.inserted, written.updated = len(inserts), len(updates)
    written.unchanged = len(batch) - len(inserts) - len(updates)
    return new_ids


def _keeps_status(row, column: str) -> bool:
    """Tell whether a stored status outranks the file's (a suspended or revoked licence stays so)."""
    return column == "status" and row.status not in ("active", "expired")


def _first_stamp(target: Target) -> dict:
    """Return the columns only a new record sets."""
    if target.kind == "register_entry":
        return {"status": "current", "first_recorded_at": target.now} | target.first_values
    return dict(target.first_values)

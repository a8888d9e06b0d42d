"""Every statement the screening area runs: the match-key index and the name counts, candidate probes
and loads, rulings, the rows a council's view of a found record is built from, and a screening's rows.

The hot statements (probing the index, loading candidates, writing keys) go through the driver's own
cursor or COPY and take and give plain values: a screening probes a hundred-odd hashes and loads a
dozen rows, an import writes a million records' keys, and SQLAlchemy's statement, parameter and row
objects for each cost more than the database's own work. The statements that are the same for every
call are built once, here.
"""

import json
from collections.abc import Iterable
from datetime import datetime
from functools import cache

from sqlalchemy import Select, and_, bindparam, delete, literal, or_, select, update
from sqlalchemy.engine import Row
from sqlmodel import Session

from licensing.identity.fields import IDENTITY_FIELDS
from licensing.persistence.db import driver_rows, insert_with_children
from licensing.persistence.models import (
    Authority,
    BulkScreeningJob,
    MatchKey,
    NameCount,
    PairDecision,
    PoliceForce,
    RecordKeys,
    Screening,
    ScreeningCandidate,
)

# How match_key and record_keys store a record's kind: a small number.
KIND_CODES = {"register_entry": 1, "licence": 2, "application": 3, "intelligence": 4}
KIND_NAMES = {code: kind for kind, code in KIND_CODES.items()}

_KEYS, _RECORDS, _NAMES = MatchKey.__table__, RecordKeys.__table__, NameCount.__table__
_PROBE = "SELECT key_hash, record_kind, record_id FROM match_key WHERE key_hash {}"
_IDENTITY = ", ".join(IDENTITY_FIELDS)
# Per kind: its table, and the columns giving its authority and the reference it came with.
_SOURCES = {
    "register_entry": ("register_entry", "authority_id", "ref"),
    "licence": ("licence", "authority_id", "ref"),
    "application": ("application", "authority_id", "ref"),
    "intelligence": ("intelligence", "CAST(NULL AS INTEGER)", "force_reference"),
}
_INSERT_KEY = "INSERT INTO match_key (key_hash, record_kind, record_id) VALUES (?, ?, ?)"
_INSERT_RECORD = (
    "INSERT INTO record_keys (record_kind, record_id, key_hashes, name_hashes) VALUES (?, ?, ?, ?)"
)
_DELETE_KEY = "DELETE FROM match_key WHERE key_hash = {0} AND record_kind = {0} AND record_id = {0}"
_COUNT_NAME = (
    "INSERT INTO name_count (key_hash, count) VALUES ({0}, {0}) "
    "ON CONFLICT (key_hash) DO UPDATE SET count = name_count.count + excluded.count"
)


def key_hits(session: Session, keys: list[int]) -> list[tuple]:
    """Return the (key hash, kind code, record id) of every index entry under one of `keys`."""
    return _select_in(session, _PROBE, keys)


def hits_and_records(session: Session, keys: list[int], kinds: tuple[str, ...], max_hits: int) -> list[tuple]:
    """Return the index entries under `keys` and the records of `kinds` they point at, in one statement.

    A hit row is (kind code, record id, key hash, NULL...); a record row is (kind code, id, NULL, status,
    authority id, reference, the identity columns in IDENTITY_FIELDS' order). The records of a key
    shared by more than `max_hits` records are not loaded. On a server each statement is a round trip
    (figures: bench/README.md).
    """
    return _select_in(session, _find_statement(kinds, max_hits), keys)


@cache
def _find_statement(kinds: tuple[str, ...], max_hits: int) -> str:
    """Return the statement of `hits_and_records` for these kinds: the hits, then the records they point at.

    Hit rows carry their key in the third column, record rows NULL there. The keys shared by more
    than `max_hits` records load nothing (the hits say which they are). Every record load is a
    primary-key lookup per id on both databases.
    """
    hits = (
        "WITH hit AS MATERIALIZED (SELECT key_hash, record_kind, record_id, "
        "count(*) OVER (PARTITION BY key_hash) AS shared FROM match_key WHERE key_hash {})"
    )
    unloaded = ", ".join(["NULL"] * (3 + len(IDENTITY_FIELDS)))  # a record's status, authority, ref, identity
    parts = [f"SELECT record_kind, record_id, key_hash, {unloaded} FROM hit"]
    for kind in kinds:
        table, authority, ref = _SOURCES[kind]
        code = KIND_CODES[kind]
        parts.append(
            f"SELECT {code}, id, NULL, status, {authority}, {ref}, {_IDENTITY} FROM {table} WHERE id IN "
            f"(SELECT record_id FROM hit WHERE record_kind = {code} AND shared <= {max_hits})"
        )
    return hits + " " + " UNION ALL ".join(parts)


def _select_in(session: Session, statement: str, values: list[int]) -> list[tuple]:
    """Run `statement` ("... WHERE column {} ...", one marker) for the list `values`; return every row.

    One statement for the lot: a bulk batch probes tens of thousands of hashes, and splitting them
    into statements of a thousand cost far more on both databases. PostgreSQL takes the list as one
    array, sent in binary (as text, parsing a batch's array cost the server a good part of what
    probing the index with it did; figures: bench/README.md); SQLite, which binds at most 32,766
    values, as one JSON array.
    """
    if not values:
        return []
    postgres = session.get_bind().dialect.name == "postgresql"
    marker = "= ANY(%b)" if postgres else "IN (SELECT value FROM json_each(?))"
    return driver_rows(session, statement.format(marker), (values if postgres else json.dumps(values),))


def stored_key_rows(session: Session, code: int, record_ids: Iterable[int]) -> list[Row]:
    """Return (record id, packed key hashes, packed name hashes) of each of `record_ids` of kind `code`."""
    table = _RECORDS
    query = select(table.c.record_id, table.c.key_hashes, table.c.name_hashes).where(
        table.c.record_kind == code, table.c.record_id.in_(list(record_ids))
    )
    return session.execute(query).all()


def delete_match_keys(session: Session, rows: list[tuple]) -> None:
    """Delete the match_key rows given as (key hash, kind code, record id), in one executemany."""
    session.connection().exec_driver_sql(_DELETE_KEY.format(_marker(session)), rows)


def delete_record_keys(session: Session, code: int, record_ids: list[int]) -> None:
    """Delete the record_keys rows of `record_ids` of kind `code`."""
    session.execute(
        delete(_RECORDS).where(_RECORDS.c.record_kind == code, _RECORDS.c.record_id.in_(record_ids))
    )


def insert_keys(session: Session, keys: list[tuple], records: list[tuple]) -> None:
    """Insert match_key rows (key hash, kind code, record id) and record_keys rows (kind code, record id,
    packed keys, packed names), each in the order given."""
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        # COPY in the session's own transaction: much faster than executemany (bench/README.md).
        cursor = connection.connection.driver_connection.cursor()
        with cursor:
            _copy(cursor, "match_key (key_hash, record_kind, record_id)", keys)
            _copy(cursor, "record_keys (record_kind, record_id, key_hashes, name_hashes)", records)
    else:
        # Plain tuples through the driver's executemany: building a dict and a bound parameter set
        # per key cost more than SQLite's own insert.
        if keys:
            connection.exec_driver_sql(_INSERT_KEY, keys)
        if records:
            connection.exec_driver_sql(_INSERT_RECORD, records)


def _copy(cursor, target: str, rows: list[tuple]) -> None:
    """COPY `rows` into `target` ("table (columns)") through a psycopg cursor."""
    if rows:
        with cursor.copy(f"COPY {target} FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)


def add_name_counts(session: Session, rows: list[tuple[int, int]]) -> None:
    """Add each (name key hash, amount) to its name_count row (a new hash gets a row), in the order given."""
    session.connection().exec_driver_sql(_COUNT_NAME.format(_marker(session)), rows)


def _marker(session: Session) -> str:
    """Return the driver's parameter marker."""
    return "%s" if session.get_bind().dialect.name == "postgresql" else "?"


def clear_index(session: Session) -> None:
    """Delete every match key, record key list and name count."""
    for table in (_KEYS, _RECORDS, _NAMES):
        session.execute(delete(table))


def identities_after(session: Session, model, last_id: int, limit: int) -> list[Row]:
    """Return the id and identity columns of up to `limit` records of `model` after `last_id`, by id.

    Only the identity: a migration reindexes a schema older than the models' other columns.
    """
    table = model.__table__
    columns = [table.c.id, *(table.c[name] for name in IDENTITY_FIELDS)]
    return session.execute(
        select(*columns).where(table.c.id > last_id).order_by(table.c.id).limit(limit)
    ).all()


def name_count_rows(session: Session) -> dict[int, int]:
    """Return every name key hash counted above zero with its count (TOTAL_KEY's row included)."""
    query = select(_NAMES.c.key_hash, _NAMES.c.count).where(_NAMES.c.count > 0)
    return dict(session.execute(query).all())


def rulings_naming(session: Session, kind: str, record_id: int) -> list[PairDecision]:
    """Return every ruling naming the record, as subject or as candidate (two indexed probes)."""
    as_subject = and_(PairDecision.subject_kind == kind, PairDecision.subject_id == record_id)
    as_candidate = and_(PairDecision.candidate_kind == kind, PairDecision.candidate_id == record_id)
    return list(session.scalars(select(PairDecision).where(or_(as_subject, as_candidate))))


def ruling_on_pair(
    session: Session, subject_kind: str, subject_id: int, candidate_kind: str, candidate_id: int
) -> PairDecision | None:
    """Return the stored ruling on exactly this pair, if any."""
    query = select(PairDecision).where(
        PairDecision.subject_kind == subject_kind,
        PairDecision.subject_id == subject_id,
        PairDecision.candidate_kind == candidate_kind,
        PairDecision.candidate_id == candidate_id,
    )
    return session.scalars(query).one_or_none()


def records_with_organisation(session: Session, model, ids: list[int]) -> list[Row]:
    """Return the records of `model` with these ids, each with its council's or force's code and name.

    Rows of the table's columns, then organisation_kind ("authority" or "police_force"), organisation_id,
    organisation_code and organisation_name; read without flushing the session.
    """
    return list(session.connection().execute(_records_with_organisation(model), {"ids": ids}))


@cache
def _records_with_organisation(model) -> Select:
    """Return the statement of `records_with_organisation` for one record model, built once."""
    table = model.__table__
    organisation_kind, organisation = (
        ("police_force", PoliceForce) if "police_force_id" in table.c else ("authority", Authority)
    )
    return (
        select(
            table,
            literal(organisation_kind).label("organisation_kind"),
            organisation.id.label("organisation_id"),
            organisation.code.label("organisation_code"),
            organisation.name.label("organisation_name"),
        )
        .outerjoin(organisation, organisation.id == table.c[f"{organisation_kind}_id"])
        .where(table.c.id.in_(bindparam("ids", expanding=True)))
    )


def insert_screening(session: Session, values: dict, candidates: list[dict]) -> tuple[int, list[int]]:
    """Insert one screening row and its candidate rows (without screening_id); return their ids in order."""
    return insert_with_children(
        session, Screening.__table__, values, ScreeningCandidate.__table__, "screening_id", candidates
    )


# Bulk screening jobs (licensing/screening/bulk.py). The status columns are read without the files, which
# may be megabytes: the status page asks every few seconds.
_BULK_STATUS = tuple(
    getattr(BulkScreeningJob, name)
    for name in (
        "id", "authority_id", "source", "status", "total_rows", "rows_done", "candidates", "error",
        "created_at", "started_at", "finished_at",
    )
)  # fmt: skip
_BULK_FILES = {"results": BulkScreeningJob.results, "warnings": BulkScreeningJob.warnings}


def authority_names(session: Session, ids: Iterable[int]) -> dict[int, str]:
    """Return the name of each of the councils `ids`, by id."""
    ids = sorted(set(ids))
    if not ids:
        return {}
    return dict(session.execute(select(Authority.id, Authority.name).where(Authority.id.in_(ids))).all())


def bulk_job_status(session: Session, job_id: int, authority_id: int) -> Row | None:
    """Return the status columns of council `authority_id`'s bulk screening job `job_id`, or None."""
    mine = and_(BulkScreeningJob.id == job_id, BulkScreeningJob.authority_id == authority_id)
    return session.execute(select(*_BULK_STATUS).where(mine)).first()


def recent_bulk_jobs(session: Session, authority_id: int, limit: int) -> list[Row]:
    """Return the status columns of council `authority_id`'s latest `limit` jobs, newest first."""
    mine = BulkScreeningJob.authority_id == authority_id
    newest = (BulkScreeningJob.created_at.desc(), BulkScreeningJob.id.desc())
    return list(session.execute(select(*_BULK_STATUS).where(mine).order_by(*newest).limit(limit)))


def bulk_job_file(session: Session, job_id: int, authority_id: int, part: str) -> str | None:
    """Return the results or warnings file of council `authority_id`'s finished job `job_id`, or None."""
    mine = and_(
        BulkScreeningJob.id == job_id,
        BulkScreeningJob.authority_id == authority_id,
        BulkScreeningJob.status == "done",
    )
    return session.scalar(select(_BULK_FILES[part]).where(mine))


def lock_claimable_bulk_job(session: Session, now: datetime) -> BulkScreeningJob | None:
    """Lock and return the oldest job waiting, or running under a lease that expired by `now`.

    On PostgreSQL a row another scheduler holds is skipped (SKIP LOCKED), so two claimers never wait for
    or take the same job; on SQLite the writing unit's BEGIN IMMEDIATE serialises claimers instead.
    """
    lapsed = and_(BulkScreeningJob.status == "running", BulkScreeningJob.lease_expires_at <= now)
    claimable = or_(BulkScreeningJob.status == "queued", lapsed)
    query = select(BulkScreeningJob).where(claimable).order_by(BulkScreeningJob.id).limit(1)
    return session.scalars(query.with_for_update(skip_locked=True)).first()


def update_claimed_bulk_job(session: Session, job_id: int, attempt: int, values: dict) -> bool:
    """Set `values` on job `job_id` if it is still running under claim `attempt`; tell whether it was."""
    fence = and_(
        BulkScreeningJob.id == job_id,
        BulkScreeningJob.attempt == attempt,
        BulkScreeningJob.status == "running",
    )
    return session.execute(update(BulkScreeningJob).where(fence).values(**values)).rowcount == 1


def delete_bulk_jobs_ended_before(session: Session, before: datetime) -> int:
    """Delete every finished or failed bulk screening job that ended before `before`; return how many."""
    ended = and_(BulkScreeningJob.status.in_(("done", "failed")), BulkScreeningJob.finished_at < before)
    return session.execute(delete(BulkScreeningJob).where(ended)).rowcount

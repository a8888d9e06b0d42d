"""Bulk CSV import of register entries and licences: streamed, validated per row, upserted in batches.

The file is read row by row (never whole). A row that breaks a rule is not imported: it is written to
the rejects stream with its line number and reason. An invalid *optional* identifier (NI number,
driving licence number, postcode, date of birth, sex) does not reject the row: it is left out of the
record, so it can never become a false exact key, and counted as a warning. Accepted rows are
committed `batch_size` at a time with their match keys and one audit event per batch. `(authority_code,
ref)` identifies a record, so importing a file again updates records and never duplicates them.
"""

import csv
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from types import SimpleNamespace
from typing import TextIO

from sqlalchemy import insert, select, text, update
from sqlmodel import Session

from licensing import audit
from licensing.actors import Actor
from licensing.errors import ValidationFailed
from licensing.frequencies import forget_totals
from licensing.keys import add_keys, drop_records, keys_of
from licensing.matching import person_from
from licensing.models import IDENTITY_FIELDS, Authority, Licence, RegisterEntry
from licensing.models.records import DECISIONS, LICENCE_TYPES

PEOPLE_COLUMNS = (
    *("ref", "given_names", "family_name", "previous_names", "date_of_birth", "sex", "address", "postcode"),
    *("ni_number", "driving_licence_number"),
)
PEOPLE_REQUIRED = ("ref", "given_names", "family_name")
REGISTER_COLUMNS = (*PEOPLE_COLUMNS, "authority_code", "decision", "decided_on", "effective_on")
LICENCE_COLUMNS = (
    *PEOPLE_COLUMNS,
    "authority_code",
    "badge_number",
    "licence_type",
    "granted_on",
    "expires_on",
)
REGISTER_REQUIRED = (
    "ref",
    "given_names",
    "family_name",
    "authority_code",
    "decision",
    "decided_on",
    "effective_on",
)
LICENCE_REQUIRED = (
    "ref",
    *(
        "given_names",
        "family_name",
        "authority_code",
        "badge_number",
        "licence_type",
        "granted_on",
        "expires_on",
    ),
)
DEFAULT_BATCH = 2000
SEX_WORDS = {"f": "F", "female": "F", "m": "M", "male": "M", "x": "X"}
NI_NUMBER = re.compile(r"^(?!BG|GB|KN|NK|NT|TN|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z][0-9]{6}[A-D]$")
GB_LICENCE = re.compile(
    r"^(?=.{16}$)[A-Z]{1,5}9{0,4}[0-9](?:[05][1-9]|[16][0-2])(?:0[1-9]|[12][0-9]|3[01])[0-9]"
    r"(?:99|[A-Z][A-Z9])(?![IOQYZ01_])\w[A-Z]{2}$"
)
NI_LICENCE = re.compile(r"^[0-9]{8}$")
POSTCODE = re.compile(r"^(?:[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}|GIR0AA)$")
WIDTHS = {"ref": 64, "given_names": 200, "family_name": 200, "previous_names": 2000, "address": 500}


class RowRejected(Exception):
    """One CSV row breaks a rule; the message is the reason written to the rejects file."""


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


def reader_for(stream: TextIO, required: Iterable[str]) -> csv.DictReader:
    """Return a DictReader over `stream` whose header holds every required column."""
    reader = csv.DictReader(stream)
    if not reader.fieldnames:
        raise ValidationFailed("The file is empty: it has no header row.")
    reader.fieldnames = [name.strip().lstrip("\ufeff").strip().lower() for name in reader.fieldnames]
    missing = [name for name in required if name not in reader.fieldnames]
    if missing:
        raise ValidationFailed(f"The header lacks required column(s): {', '.join(missing)}.")
    return reader


def parse_person(raw: dict) -> tuple[dict, list[str]]:
    """Validate the people columns of a row; return identity values and warnings, or raise RowRejected."""
    if raw.get(None):
        raise RowRejected("the row has more values than the header has columns")
    values = {name: (raw.get(name) or "").strip() for name in PEOPLE_COLUMNS}
    for name in PEOPLE_REQUIRED:
        if not values[name]:
            raise RowRejected(f"{name} is required")
    for name, width in WIDTHS.items():
        if len(values[name]) > width:
            raise RowRejected(f"{name} is longer than {width} characters")
    values["previous_names"] = ";".join(p.strip() for p in values["previous_names"].split(";") if p.strip())
    warnings: list[str] = []
    values["date_of_birth"] = _optional(warnings, "date_of_birth", values["date_of_birth"], _iso_date)
    values["sex"] = _optional(warnings, "sex", values["sex"], lambda v: SEX_WORDS.get(v.lower()))
    values["postcode"] = _optional(warnings, "postcode", values["postcode"], _postcode)
    values["ni_number"] = _optional(warnings, "ni_number", values["ni_number"], _ni_number)
    licence = values["driving_licence_number"]
    values["driving_licence_number"] = _optional(warnings, "driving_licence_number", licence, _licence_number)
    return values, warnings


def parse_date(raw: dict, name: str) -> date:
    """Return a required ISO date column, or raise RowRejected."""
    value = (raw.get(name) or "").strip()
    parsed = _iso_date(value) if value else None
    if parsed is None:
        raise RowRejected(
            f"{name} must be an ISO date (YYYY-MM-DD), not {value!r}" if value else f"{name} is required"
        )
    return parsed


def _optional(warnings: list[str], name: str, value: str, clean: Callable[[str], object]):
    """Return the cleaned optional value, or None with a warning when it is present but invalid."""
    if not value:
        return None
    cleaned = clean(value)
    if cleaned is None:
        warnings.append(f"{name} {value!r} is not valid and was left out")
    return cleaned


def _iso_date(value: str) -> date | None:
    """Return the date written as YYYY-MM-DD, or None."""
    try:
        return date.fromisoformat(value) if len(value) == 10 else None
    except ValueError:
        return None


def _postcode(value: str) -> str | None:
    """Return a UK postcode in its standard spacing, or None."""
    compact = re.sub(r"\s+", "", value).upper()
    return f"{compact[:-3]} {compact[-3:]}" if POSTCODE.match(compact) else None


def _ni_number(value: str) -> str | None:
    """Return a National Insurance number without spaces, or None when its letters are not allocatable."""
    compact = re.sub(r"\s+", "", value).upper()
    return compact if NI_NUMBER.match(compact) else None


def _licence_number(value: str) -> str | None:
    """Return a GB (16-character) or Northern Ireland (8-digit) driving licence number, or None."""
    compact = re.sub(r"\s+", "", value).upper()
    return compact if GB_LICENCE.match(compact) or NI_LICENCE.match(compact) else None


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
    on_batch: Callable[[ImportReport], None] | None = None,
) -> ImportReport:
    """Stream `stream` through validation into batched upserts of `kind`."""
    required = REGISTER_REQUIRED if kind == "register_entry" else LICENCE_REQUIRED
    reader = reader_for(stream, required)
    writer = csv.writer(rejects)
    writer.writerow(["line", "reason", *reader.fieldnames])
    model = RegisterEntry if kind == "register_entry" else Licence
    run = _Run(session, actor, kind, model, now, source, writer, reader.fieldnames, ImportReport(), {})
    authorities = dict(session.execute(select(Authority.code, Authority.id)).all())
    parse = _parse_entry if kind == "register_entry" else _parse_licence
    for line, raw in _rows(reader):
        try:
            values, warnings = parse(raw, authorities, now.date())
        except RowRejected as rejected:
            _reject(run, line, raw, str(rejected))
            continue
        run.report.warnings += len(warnings)
        _add(run, line, raw, values, batch_size, on_batch)
    _flush(run, on_batch)
    forget_totals()
    return run.report


def _rows(reader: csv.DictReader) -> Iterable[tuple[int, dict]]:
    """Yield (line number, row) for every row that holds any value; blank lines are skipped."""
    for raw in reader:
        if any((v or "").strip() for k, v in raw.items() if k is not None) or raw.get(None):
            yield reader.line_num, raw


def _parse_entry(raw: dict, authorities: dict, today: date) -> tuple[dict, list[str]]:
    """Validate one register row; return its column values and warnings, or raise RowRejected."""
    values, warnings = parse_person(raw)
    values["authority_id"] = _authority(raw, authorities)
    decision = (raw.get("decision") or "").strip().lower()
    if decision not in DECISIONS:
        raise RowRejected(f"decision must be one of {', '.join(DECISIONS)}, not {decision!r}")
    values["decision"] = decision
    values["decided_on"] = parse_date(raw, "decided_on")
    values["effective_on"] = parse_date(raw, "effective_on")
    return values, warnings


def _parse_licence(raw: dict, authorities: dict, today: date) -> tuple[dict, list[str]]:
    """Validate one licence row; return its column values and warnings, or raise RowRejected."""
    values, warnings = parse_person(raw)
    values["authority_id"] = _authority(raw, authorities)
    badge = (raw.get("badge_number") or "").strip()
    if not badge or len(badge) > 32:
        raise RowRejected("badge_number is required and must be at most 32 characters")
    licence_type = (raw.get("licence_type") or "").strip().lower()
    if licence_type not in LICENCE_TYPES:
        raise RowRejected(f"licence_type must be one of {', '.join(LICENCE_TYPES)}, not {licence_type!r}")
    granted_on, expires_on = parse_date(raw, "granted_on"), parse_date(raw, "expires_on")
    if expires_on < granted_on:
        raise RowRejected("expires_on is before granted_on")
    status = "expired" if expires_on < today else "active"
    values |= {"badge_number": badge, "licence_type": licence_type, "granted_on": granted_on}
    values |= {"expires_on": expires_on, "status": status}
    return values, warnings


def _authority(raw: dict, authorities: dict) -> int:
    """Return the id of the row's authority, or reject the row."""
    code = (raw.get("authority_code") or "").strip().upper()
    if code not in authorities:
        raise RowRejected(f"unknown authority_code {code!r}" if code else "authority_code is required")
    return authorities[code]


def _reject(run: _Run, line: int, raw: dict, reason: str) -> None:
    """Write one rejected row with its line number and reason, and count it."""
    run.rejects.writerow([line, reason, *((raw.get(f) or "") for f in run.fieldnames)])
    run.report.rejected += 1


def _add(run: _Run, line: int, raw: dict, values: dict, batch_size: int, on_batch) -> None:
    """Queue one valid row; a repeated ref or badge flushes first, so the later row wins."""
    ident = (values["authority_id"], values["ref"])
    badge = (values["authority_id"], values.get("badge_number"))
    if ident in run.batch or (
        run.kind == "licence" and badge in {_badge(v) for _, _, v in run.batch.values()}
    ):
        _flush(run, on_batch)
    run.first_line = run.first_line or line
    run.batch[ident] = (line, raw, values)
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
    run.batch, run.first_line = {}, 0
    if on_batch:
        on_batch(run.report)


def _reject_taken_badges(run: _Run, existing: dict) -> None:
    """Reject rows whose badge number another licence of the same authority already holds."""
    table = Licence.__table__
    claims = {_badge(values): ident for ident, (_, _, values) in run.batch.items()}
    query = select(table.c.authority_id, table.c.badge_number, table.c.ref).where(
        *_pairs_in(table.c.authority_id, table.c.badge_number, claims)
    )
    for authority_id, badge, ref in run.session.execute(query):
        ident = claims.get((authority_id, badge))
        if ident and ident[1] != ref and ident in run.batch:
            line, raw, _ = run.batch.pop(ident)
            _reject(run, line, raw, f"badge_number {badge} is already held by licence ref {ref}")


def _pairs_in(first, second, pairs) -> tuple:
    """Return conditions matching a superset of `pairs` that stays a plain index probe on both databases.

    A row-value IN list of thousands of pairs plans as thousands of OR'ed index scans on PostgreSQL;
    two IN lists become one index scan with = ANY(...), and the caller drops the extra rows.
    """
    return first.in_({a for a, _ in pairs}), second.in_({b for _, b in pairs})


def _write(run: _Run, existing: dict) -> dict:
    """Insert new rows and update changed ones; return this batch's counts."""
    inserts, updates, rekey = [], [], []
    for ident, (_, _, values) in run.batch.items():
        row = existing.get(ident)
        if row is None:
            inserts.append(values | {"created_at": run.now, "updated_at": run.now} | _first_stamp(run))
            continue
        changed = {k: v for k, v in values.items() if getattr(row, k) != v and not _keeps_status(run, row, k)}
        if changed:
            updates.append({"id": row.id, **changed, "updated_at": run.now})
            if changed.keys() & set(IDENTITY_FIELDS):
                rekey.append((row.id, values))
    run.report.unchanged += len(run.batch) - len(inserts) - len(updates)
    new_ids = _insert(run, inserts)
    if updates:
        run.session.execute(update(run.model), updates)
    drop_records(run.session, run.kind, [rid for rid, _ in rekey])
    keyed = [*zip(new_ids, inserts, strict=True), *rekey]
    add_keys(run.session, run.kind, [(rid, keys_of(person_from(SimpleNamespace(**v)))) for rid, v in keyed])
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
    """Insert many rows in one executemany and return their ids in order."""
    if not rows:
        return []
    table = run.model.__table__
    statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
    return list(run.session.execute(statement, rows).scalars())

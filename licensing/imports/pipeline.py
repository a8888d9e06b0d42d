"""Bulk CSV import of register entries and licences: streamed, validated per row, upserted in batches.

The file is read row by row (never whole). A row that breaks a rule is not imported: it is written to
the rejects stream with its line number and reason. An identifier that is not valid (NI number, driving
licence number, postcode) does not reject the row: it is kept as given and flagged on the record, never
an exact key (licensing/identity/validation.py), and each such warning of a stored row is written to the
warnings stream with the row's line number and ref, and counted by kind. Accepted rows are
written `batch_size` at a time, each batch with its match keys and one audit event in a writing unit of
work of its own (licensing/persistence/unit_of_work.py), so a long import commits as it goes.
`(authority_code, ref)` identifies a record, so importing a file again updates records and never
duplicates them.

Three things go on at once in a large import: worker processes validate and key the rows ahead
(licensing/imports/rows.py), this thread gathers the next batch, and a writer thread writes the last one
(licensing/imports/writing.py). Batches are written one after another, in file order, so a later row for
the same record always wins; the report, the rejects and the warnings are only touched by this thread.
"""

import csv
from collections import Counter
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import TextIO

from sqlalchemy.engine import Engine

from licensing import counts
from licensing.actors import Actor
from licensing.csvfiles import SafeWriter, csv_writer
from licensing.errors import NotFound
from licensing.imports import queries
from licensing.imports.formats import (  # noqa: F401 (re-exported: callers import the row rules from here)
    LICENCE_COLUMNS,
    LICENCE_REQUIRED,
    PEOPLE_COLUMNS,
    PEOPLE_REQUIRED,
    REGISTER_COLUMNS,
    REGISTER_REQUIRED,
    RowRejected,
    data_rows,
    list_warnings,
    parse_date,
    parse_entry,
    parse_licence,
    parse_person,
    reader_for,
    warnings_writer,
)
from licensing.imports.nr3s import nr3s_reader
from licensing.imports.rows import ParsedRow, parsed_rows
from licensing.imports.writing import Target, Written, badge, settle, write_batch
from licensing.persistence import unit_of_work
from licensing.persistence.models import Licence, RegisterEntry
from licensing.persistence.models.records import NOT_RECORDED
from licensing.register import queries as register_queries
from licensing.register.entries import alert_holders
from licensing.screening.name_counts import forget_totals

# Rows per batch, each its own unit of work. A batch's keys go into the index in one sorted pass that
# touches most of its pages however few rows there are, so fewer, larger batches write far less, while a
# batch's rows stay in memory until it is written (an import's peak memory: bench/README.md).
DEFAULT_BATCH = 40_000
# Rows parsed ahead by worker processes while a batch is written.
PARSE_AHEAD = 10_000
# New entries loaded at a time to screen and alert on.
ALERT_CHUNK = 1_000


@dataclass
class ImportReport:
    """What an import did, row by row, in counts."""

    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    warnings: int = 0
    warning_kinds: Counter = field(default_factory=Counter)

    @property
    def accepted(self) -> int:
        """Return how many rows were stored or already up to date."""
        return self.inserted + self.updated + self.unchanged


@dataclass
class _Run:
    """The state of one import: where rejects go, the report, the open batch and the one being written."""

    target: Target
    rejects: SafeWriter
    warnings: SafeWriter | None
    fieldnames: list[str]
    on_batch: Callable[[ImportReport], None] | None
    writer: ThreadPoolExecutor
    report: ImportReport = field(default_factory=ImportReport)
    batch: dict = field(default_factory=dict)
    first_line: int = 0
    batches: int = 0
    # (authority, badge) of every licence row in the open batch, so a repeat is found without a scan.
    badges: set = field(default_factory=set)
    writing: Future | None = None
    writing_rows: list[ParsedRow] = field(default_factory=list)


def import_register(
    engine, actor, stream: TextIO, rejects: TextIO, *, now, source="", **options
) -> ImportReport:
    """Import register entries from a CSV stream into the database; write rejected rows to `rejects`."""
    return _import(engine, actor, stream, rejects, "register_entry", now=now, source=source, **options)


def import_licences(
    engine, actor, stream: TextIO, rejects: TextIO, *, now, source="", **options
) -> ImportReport:
    """Import licences from a CSV stream into the database; write rejected rows to `rejects`."""
    return _import(engine, actor, stream, rejects, "licence", now=now, source=source, **options)


def import_nr3s(
    engine, actor, stream: TextIO, rejects: TextIO, *, authority_code: str, now, source="", **options
) -> ImportReport:
    """Import one council's NR3S records as its register entries; write rejected rows to `rejects`.

    Entries are kept under the council's reference, else NR3S's (licensing/imports/nr3s.py), so a file
    imported again changes nothing. Each new entry is screened against the licences and applications of
    the other councils, as an entry recorded by hand is, and each council holding the person is alerted
    in the same unit of work. `dry_run=True` counts what the import would do and keeps none of it.
    """
    with unit_of_work.reading(engine) as session:
        authority = queries.authority_by_code(session, (authority_code or "").strip().upper())
    if authority is None:
        raise NotFound(f"No licensing authority has the code {authority_code!r}.")
    shape = Shape("nr3s", nr3s_reader, {"id": authority.id, "code": authority.code, "name": authority.name})
    return _import(
        engine, actor, stream, rejects, "register_entry", now=now, source=source, shape=shape, **options
    )


@dataclass(frozen=True)
class Shape:
    """Another format: its row parser (rows.PARSERS), its reader and what its rows are read against."""

    parser: str
    reader: Callable[[TextIO], csv.DictReader]
    context: dict


def _alert_new_entries(session, target: Target, new_ids: list[int]) -> dict:
    """Alert the councils holding the person of each new entry, as recording one by hand does."""
    alerted = 0
    for start in range(0, len(new_ids), ALERT_CHUNK):
        new_entries = register_queries.entries_by_ids(session, new_ids[start : start + ALERT_CHUNK])
        alerted += alert_holders(session, sorted(new_entries, key=lambda entry: entry.id), target.now)
    return {"alerted_authorities": alerted}


def _import(
    engine: Engine,
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
    warnings: TextIO | None = None,
    shape: Shape | None = None,
    dry_run: bool = False,
) -> ImportReport:
    """Stream `stream` through validation into batched upserts of `kind`; parse in `workers` processes.

    Rejected rows go to `rejects`; the warnings of stored rows to `warnings`, when given. A `shape`
    reads another format's rows into records of `kind`.
    """
    required = REGISTER_REQUIRED if kind == "register_entry" else LICENCE_REQUIRED
    reader = shape.reader(stream) if shape else reader_for(stream, required)
    writer = csv_writer(rejects)
    writer.writerow(["line", "reason", *reader.fieldnames])
    listing = warnings_writer(warnings)
    model = RegisterEntry if kind == "register_entry" else Licence
    if shape is None:
        with unit_of_work.reading(engine) as session:
            authorities = queries.authority_ids_by_code(session)
        target = Target(engine, actor, kind, model, now, source, dry_run=dry_run)
    else:
        authorities = shape.context
        first = {"category": NOT_RECORDED}
        target = Target(engine, actor, kind, model, now, source, first, _alert_new_entries, dry_run)
    with ThreadPoolExecutor(1, thread_name_prefix="import-writer") as thread:
        run = _Run(target, writer, listing, reader.fieldnames, on_batch, thread)
        try:
            for row in parsed_rows(
                data_rows(reader), shape.parser if shape else kind, authorities, now.date(), workers,
                ahead=PARSE_AHEAD,
            ):  # fmt: skip
                if row.values is None:
                    _reject(run, row.line, row.raw, row.reason)
                    continue
                _add(run, row, batch_size)
            _flush(run)
        finally:
            _collect(run)
    if (run.report.inserted or run.report.updated) and not dry_run:
        settle(engine, model.__table__.name)
    forget_totals()
    return run.report


def _reject(run: _Run, line: int, raw: dict, reason: str) -> None:
    """Write one rejected row with its line number and reason, and count it."""
    run.rejects.writerow([line, reason, *((raw.get(f) or "") for f in run.fieldnames)])
    run.report.rejected += 1
    counts.count(counts.IMPORT_ROWS, kind=run.target.kind, outcome="rejected")


def _add(run: _Run, row: ParsedRow, batch_size: int) -> None:
    """Queue one valid row; a repeated ref or badge flushes first, so the later row wins."""
    ident = (row.values["authority_id"], row.values["ref"])
    claimed = badge(row.values)
    if ident in run.batch or (run.target.kind == "licence" and claimed in run.badges):
        _flush(run)
    run.first_line = run.first_line or row.line
    run.batch[ident] = row
    run.badges.add(claimed)
    if len(run.batch) >= batch_size:
        _flush(run)


def _flush(run: _Run) -> None:
    """Hand the open batch to the writer thread once it has written the last one, and start a new one."""
    if not run.batch:
        return
    _collect(run)
    run.batches += 1
    run.writing_rows = list(run.batch.values())
    run.writing = run.writer.submit(write_batch, run.target, run.batch, run.first_line, run.batches)
    run.batch, run.first_line, run.badges = {}, 0, set()


def _collect(run: _Run) -> None:
    """Wait for the batch being written; count it, write the rows it refused and report progress."""
    if run.writing is None:
        return
    written: Written = run.writing.result()
    run.writing = None
    for row, reason in written.rejected:
        _reject(run, row.line, row.raw, reason)
    refused = {row.line for row, _ in written.rejected}
    for row in run.writing_rows:
        if row.line not in refused and row.warnings:
            # Listed under the ref the record is kept under (an NR3S row may give only NR3S's).
            raw = row.raw | {"ref": row.values["ref"]}
            list_warnings(run.warnings, run.report, row.line, raw, row.warnings)
    run.report.inserted += written.inserted
    run.report.updated += written.updated
    run.report.unchanged += written.unchanged
    for outcome in ("inserted", "updated", "unchanged"):
        counts.count(counts.IMPORT_ROWS, getattr(written, outcome), kind=run.target.kind, outcome=outcome)
    if run.on_batch:
        run.on_batch(run.report)

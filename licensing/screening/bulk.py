"""Bulk screening: every person of a people CSV against the register, candidates out as CSV rows.

The people are read as every import reads them (licensing/imports/formats.py): a row that cannot be read is a
reject with its reason, and the warnings of a row that can are listed, never dropped.

Batches of applicants are probed, loaded and scored with a handful of queries each. With `workers`,
each worker process opens its own connection and screens whole batches, and the rows come back in
input order (licensing/workers.py); scoring is CPU work, so this is how a bulk run uses every core.
"""

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from multiprocessing import util
from typing import TextIO

from sqlmodel import Session

from licensing.csvfiles import csv_writer
from licensing.imports.formats import (
    PEOPLE_REQUIRED,
    RowRejected,
    data_rows,
    list_warnings,
    parse_person,
    reader_for,
    warnings_writer,
)
from licensing.matching import DEFAULT_THRESHOLDS, Person, person_of
from licensing.persistence import unit_of_work
from licensing.persistence.db import make_engine
from licensing.persistence.models.screening import RECORD_KINDS
from licensing.screening.name_counts import KeyFrequencies
from licensing.screening.record_views import holds_elsewhere, minimal_evidence
from licensing.screening.service import Candidate, find_candidates
from licensing.workers import ordered_map

BULK_HEADER = ("ref", "candidate_ref", "candidate_kind", "score", "band", "evidence")
BULK_BATCH = 200


@dataclass
class BulkReport:
    """What a bulk screening did: applicants read and rejected, warnings, candidates written per band."""

    applicants: int = 0
    rejected: int = 0
    bands: Counter = field(default_factory=Counter)
    warnings: int = 0
    warning_kinds: Counter = field(default_factory=Counter)


@dataclass(frozen=True)
class _Options:
    """What every batch of one run is screened with."""

    min_score: float | None
    kinds: tuple[str, ...]
    viewer_authority_id: int | None  # whose records are written in full (None: nobody's)


def read_people(
    stream: TextIO, rejects: TextIO, warnings: TextIO, report: BulkReport, today: date
) -> Iterator[tuple[str, Person]]:
    """Yield (ref, Person) for each readable row of a people CSV; write rejects and warnings as imports do."""
    reader = reader_for(stream, PEOPLE_REQUIRED)
    rejected = csv_writer(rejects)
    rejected.writerow(["line", "reason", *reader.fieldnames])
    listing = warnings_writer(warnings)
    for line, raw in data_rows(reader):
        try:
            values, found = parse_person(raw, today)
        except RowRejected as error:
            rejected.writerow([line, str(error), *((raw.get(f) or "") for f in reader.fieldnames)])
            report.rejected += 1
            continue
        list_warnings(listing, report, line, raw, found)
        yield values["ref"], person_of(values)


def screen_rows(
    session: Session,
    people: Iterable[tuple[str, Person]],
    out,
    *,
    min_score: float | None = None,
    report: BulkReport,
    batch_size: int | None = None,
    on_batch=None,
    kinds: Iterable[str] = RECORD_KINDS,
    workers: int = 0,
    viewer_authority_id: int | None = None,
) -> BulkReport:
    """Screen many (ref, person) pairs, writing BULK_HEADER rows to `out` (a csv_writer); nothing else.

    `min_score` None keeps every banded candidate (at or above the weak threshold); a number keeps
    every candidate scoring at least that. Only records of `kinds` are candidates. With `workers`,
    batches are screened in that many processes, each on its own connection to the same database.
    The evidence of a record held by anyone but `viewer_authority_id` says how its address, postcode
    and identifiers agree, never what they are (licensing/screening/record_views.py): with no viewer, as for
    an operator at the command line, that is every record's.
    """
    options = _Options(min_score, tuple(kinds), viewer_authority_id)
    # Counted here, before any worker starts: a forked worker inherits the counts and need not count.
    frequencies = KeyFrequencies(session)
    if workers > 0:
        url = session.get_bind().url.render_as_string(hide_password=False)
        setup, args = _worker_context, (url, options)
    else:
        setup, args = (lambda: (session, frequencies, options)), ()
    batches = _batches(people, batch_size or BULK_BATCH)
    screened = ordered_map(_screen_batch, batches, workers=workers, setup=setup, args=args)
    for batch, rows in screened:
        for row in rows:
            out.writerow(row)
            report.bands[row[4] or "none"] += 1
        report.applicants += len(batch)
        if on_batch:
            on_batch(report)
    return report


def _batches(people: Iterable[tuple[str, Person]], size: int) -> Iterator[list[tuple[str, Person]]]:
    """Group (ref, person) pairs into lists of `size`."""
    batch = []
    for item in people:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _worker_context(url: str, options: _Options) -> tuple:
    """Open a worker process's own reading unit of work on the database (ended when the worker exits)."""
    engine = make_engine(url)
    util.Finalize(engine, engine.dispose, exitpriority=10)
    unit = unit_of_work.reading(engine)
    util.Finalize(unit, unit.end, kwargs={"succeeded": True}, exitpriority=11)  # before the engine goes
    return unit.session, KeyFrequencies(unit.session), options


def _screen_batch(batch: list[tuple[str, Person]], context: tuple) -> list[tuple]:
    """Probe, load and score one batch of applicants; return their output rows, best first each."""
    session, frequencies, options = context
    floor = DEFAULT_THRESHOLDS.weak if options.min_score is None else options.min_score
    people = {i: person for i, (_, person) in enumerate(batch)}
    found = find_candidates(session, people, frequencies, floor=floor, kinds=options.kinds)
    rows = []
    for i, (ref, _) in enumerate(batch):
        for c in found[i]:
            if (c.band is not None) if options.min_score is None else (c.score >= options.min_score):
                evidence = " | ".join(_evidence(c, options.viewer_authority_id))
                rows.append((ref, c.ref, c.kind, f"{c.score:.4f}", c.band or "", evidence))
    return rows


def _evidence(candidate: Candidate, viewer_authority_id: int | None) -> list[str]:
    """Return a candidate's evidence lines as the viewer's council may read them."""
    if holds_elsewhere(candidate.authority_id, viewer_authority_id):
        return minimal_evidence(candidate.evidence, candidate.person)
    return candidate.evidence

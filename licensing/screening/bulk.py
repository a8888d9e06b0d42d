"""Bulk screening: every person of a people CSV against the register, candidates out as CSV rows.

The people are read as every import reads them (licensing/imports/formats.py): a row that cannot be read is a
reject with its reason, and the warnings of a row that can are listed, never dropped.

Batches of applicants are probed, loaded and scored with a handful of queries each. With `workers`,
each worker process opens its own connection and screens whole batches, and the rows come back in
input order (licensing/workers.py); scoring is CPU work, so this is how a bulk run uses every core.

Each result names the council holding the record found and its band in words. An officer's upload is a
job (below): checked whole before it is queued, then worked by a scheduler under a lease, its progress
written as it goes and its files written once, at the end.
"""

import io
import logging
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from multiprocessing import util
from typing import TextIO

from sqlmodel import Session

from licensing import words
from licensing.actors import Actor
from licensing.audit import log as audit
from licensing.csvfiles import csv_writer
from licensing.errors import NotFound, ValidationFailed
from licensing.imports.formats import (
    PEOPLE_REQUIRED,
    UNREADABLE,
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
from licensing.persistence.models.screening import RECORD_KINDS, BulkScreeningJob
from licensing.screening import queries
from licensing.screening.name_counts import KeyFrequencies
from licensing.screening.record_views import holds_elsewhere, minimal_evidence
from licensing.screening.service import Candidate, find_candidates
from licensing.workers import ordered_map

# `flask register screen` writes exactly these columns: a contract councils' own scripts rely on.
SCREEN_HEADER = ("ref", "candidate_ref", "candidate_kind", "score", "band", "evidence")
# An officer's bulk screening results add two columns for people: the holding council and the band in words.
BULK_HEADER = (*SCREEN_HEADER, "candidate_council", "band_label")
BULK_BATCH = 200
# Intelligence is visible only to councils that license, or are processing an application from, the
# matched person (docs/reference.md, access rules); a bulk file of people is neither, so an officer's bulk
# screening never lists it.
COUNCIL_KINDS = tuple(kind for kind in RECORD_KINDS if kind != "intelligence")
log = logging.getLogger("crosscheck.bulk")


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


class ContractColumns:
    """A csv writer's stand-in that writes only the SCREEN_HEADER columns of each BULK_HEADER row."""

    def __init__(self, writer):
        """Wrap `writer` (a csv_writer)."""
        self.writer = writer

    def writerow(self, row) -> None:
        """Write the row's first len(SCREEN_HEADER) values."""
        self.writer.writerow(row[: len(SCREEN_HEADER)])


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
    kept = {i: [c for c in found[i] if _reported(c, options)] for i in people}
    councils = queries.authority_names(session, (c.authority_id for cs in kept.values() for c in cs))
    rows = []
    for i, (ref, _) in enumerate(batch):
        for c in kept[i]:
            evidence = " | ".join(_evidence(c, options.viewer_authority_id))
            council = councils.get(c.authority_id, "") if c.authority_id is not None else ""
            band = c.band or ""
            rows.append(
                (
                    ref,
                    c.ref,
                    c.kind,
                    f"{c.score:.4f}",
                    band,
                    evidence,
                    council,
                    words.named(band, "band") if band else "",
                )
            )
    return rows


def _reported(candidate: Candidate, options: _Options) -> bool:
    """Tell whether a candidate goes in the results: banded, or scoring at least the run's lowest score."""
    if options.min_score is None:
        return candidate.band is not None
    return candidate.score >= options.min_score


def _evidence(candidate: Candidate, viewer_authority_id: int | None) -> list[str]:
    """Return a candidate's evidence lines as the viewer's council may read them."""
    if holds_elsewhere(candidate.authority_id, viewer_authority_id):
        return minimal_evidence(candidate.evidence, candidate.person)
    return candidate.evidence


# Bulk screening as a job (the officer pages' upload). The upload is checked whole before a job exists, kept
# in the job's row, and worked by a scheduler (scheduler/bulk.py) under a lease that each batch renews, so a
# scheduler that dies leaves a job another claims again once the lease expires. Progress (rows done of the
# total) is written after each chunk; the results and warnings are written once, with the status "done".
JOB_CHUNK = 500  # people screened between two progress writes (and lease renewals)
JOB_LEASE = timedelta(minutes=5)  # a chunk takes seconds; a lease this long outlives any pause
JOB_ATTEMPTS = 3  # claims of one job before it is failed: a file that kills its worker is not retried forever
STOPPED_EVERY_TIME = (
    "The screening stopped {attempts} times before it finished, so it has been abandoned. "
    "Upload the file again; if this happens again, contact the service desk."
)
FAILED = (
    "The screening could not be finished because of a fault on our side ({kind}). "
    "Upload the file again; if this happens again, contact the service desk."
)
SHOWN_PROBLEMS = 50  # rows listed on the upload page when a file cannot be read; the count says how many


class UnreadableRows(ValidationFailed):
    """Some rows of an uploaded people file cannot be read: `problems` lists each (line, ref, reason)."""

    def __init__(self, problems: list[dict]):
        count = len(problems)
        super().__init__(f"{count} row(s) of the file cannot be read: correct them and upload the file again")
        self.problems = problems


@dataclass(frozen=True)
class BulkClaim:
    """A job claimed by one worker: what it screens, and the attempt its writes are fenced by."""

    id: int
    attempt: int
    authority_id: int
    actor: Actor
    source: str
    people: str
    min_score: float | None
    today: date


def check_people_file(text: str, today: date) -> int:
    """Read every row of a people CSV with the import's row rules; return how many people it holds.

    Raise ValidationFailed when the header cannot be read or the file holds nobody, and UnreadableRows,
    naming each row by its line, when any row breaks a rule (a date or identifier that cannot be read).
    """
    reader = reader_for(io.StringIO(text, newline=""), PEOPLE_REQUIRED)
    people, problems = 0, []
    for line, raw in data_rows(reader):
        try:
            parse_person(raw, today)
        except RowRejected as error:
            ref = (raw.get("ref") or "").strip() if UNREADABLE not in raw else ""
            problems.append({"line": line, "ref": ref, "reason": str(error)})
            continue
        people += 1
    if problems:
        raise UnreadableRows(problems)
    if not people:
        raise ValidationFailed("The file has a header row but nobody in it")
    return people


def create_job(
    session: Session, actor: Actor, text: str, source: str, min_score: float | None, *, now: datetime
) -> int:
    """Check an uploaded people file whole and queue it for screening; return the job's id.

    Nothing is created for a file with any row that cannot be read (UnreadableRows).
    """
    authority_id = actor.require_authority()
    total = check_people_file(text, now.date())
    job = BulkScreeningJob(
        authority_id=authority_id, actor_id=actor.id, actor_label=actor.label, source=source[:200],
        min_score=min_score, status="queued", total_rows=total, people=text, created_at=now,
    )  # fmt: skip
    session.add(job)
    session.flush()
    detail = {"source": source, "applicants": total}
    audit.record(
        session, actor, "screening.bulk_queued", "bulk_screening_job", job.id, now=now, detail=detail
    )
    return job.id


def claim_job(session: Session, *, now: datetime, lease: timedelta = JOB_LEASE) -> BulkClaim | None:
    """Claim the oldest job waiting (or whose worker's lease expired) under a lease; None if there is none.

    The caller commits the claim (its unit of work ends) before working the job. A job already claimed
    JOB_ATTEMPTS times, whose workers all stopped, is failed here with a message saying so.
    """
    while (job := queries.lock_claimable_bulk_job(session, now)) is not None:
        if job.attempt >= JOB_ATTEMPTS:
            job.status, job.error = "failed", STOPPED_EVERY_TIME.format(attempts=job.attempt)
            job.finished_at, job.lease_expires_at = now, None
            session.flush()
            continue
        job.status, job.attempt, job.rows_done = "running", job.attempt + 1, 0
        job.lease_expires_at, job.started_at = now + lease, job.started_at or now
        session.flush()
        officer = Actor(kind="user", id=job.actor_id, label=job.actor_label, authority_id=job.authority_id)
        return BulkClaim(
            job.id, job.attempt, job.authority_id, officer, job.source, job.people, job.min_score,
            job.created_at.date(),
        )  # fmt: skip
    return None


def work_job(
    engine,
    claim: BulkClaim,
    *,
    clock: Callable[[], datetime],
    lease: timedelta = JOB_LEASE,
    stopping: Callable[[], bool] = lambda: False,
) -> str:
    """Screen a claimed job's people in chunks, writing progress after each; return how it ended.

    "done": the results are written. "failed": an error stopped it, recorded with a message for the
    officer. "lost": another worker claimed the job meanwhile (this one's lease had expired), so nothing
    more is written here. "given back": `stopping()` said the process is stopping, so the job waits again
    for the next claim, the claim not counted. Screening reads in a reading unit per chunk; every write is
    fenced by the claim.
    """
    try:
        return _screen_job(engine, claim, clock, lease, stopping)
    except Exception as error:  # a fault must not leave the job running until its lease runs out
        log.exception("bulk screening job %s failed", claim.id)
        values = {"status": "failed", "error": FAILED.format(kind=type(error).__name__)}
        values |= {"finished_at": clock(), "lease_expires_at": None}
        with unit_of_work.writing(engine) as session:
            written = queries.update_claimed_bulk_job(session, claim.id, claim.attempt, values)
        return "failed" if written else "lost"


def _screen_job(engine, claim: BulkClaim, clock, lease: timedelta, stopping) -> str:
    """Screen the job's people chunk by chunk, then write the results; return how it ended (work_job)."""
    results, warnings, report = io.StringIO(), io.StringIO(), BulkReport()
    rows = csv_writer(results)
    rows.writerow(BULK_HEADER)
    people = read_people(io.StringIO(claim.people, newline=""), io.StringIO(), warnings, report, claim.today)
    for chunk in _batches(people, JOB_CHUNK):
        if stopping():
            return _give_back(engine, claim)
        with unit_of_work.reading(engine) as session:
            screen_rows(
                session, chunk, rows, min_score=claim.min_score, report=report, kinds=COUNCIL_KINDS,
                viewer_authority_id=claim.authority_id,
            )  # fmt: skip
        progress = {"rows_done": report.applicants, "lease_expires_at": clock() + lease}
        with unit_of_work.writing(engine) as session:
            if not queries.update_claimed_bulk_job(session, claim.id, claim.attempt, progress):
                return "lost"
    now = clock()
    found = sum(report.bands.values())
    values = {"status": "done", "results": results.getvalue(), "warnings": warnings.getvalue()}
    values |= {
        "candidates": found,
        "rows_done": report.applicants,
        "finished_at": now,
        "lease_expires_at": None,
    }
    with unit_of_work.writing(engine) as session:
        if not queries.update_claimed_bulk_job(session, claim.id, claim.attempt, values):
            return "lost"
        detail = {"source": claim.source, "applicants": report.applicants, "warnings": report.warnings}
        audit.record(
            session, claim.actor, "screening.bulk", "bulk_screening_job", claim.id, now=now,
            detail=detail | {"found": found},
        )  # fmt: skip
    return "done"


def _give_back(engine, claim: BulkClaim) -> str:
    """Put a claimed job back in the queue, its claim not counted; return "given back" (or "lost")."""
    values = {"status": "queued", "attempt": claim.attempt - 1, "rows_done": 0, "lease_expires_at": None}
    with unit_of_work.writing(engine) as session:
        written = queries.update_claimed_bulk_job(session, claim.id, claim.attempt, values)
    return "given back" if written else "lost"


def run_next_job(
    engine,
    *,
    clock: Callable[[], datetime],
    lease: timedelta = JOB_LEASE,
    stopping: Callable[[], bool] = lambda: False,
) -> tuple[int, str] | None:
    """Claim the next job and work it to its end; return (its id, how it ended), or None if none waits."""
    with unit_of_work.writing(engine) as session:  # the claim is committed before the work starts
        claim = claim_job(session, now=clock(), lease=lease)
    if claim is None:
        return None
    return claim.id, work_job(engine, claim, clock=clock, lease=lease, stopping=stopping)


def job_status(session: Session, actor: Actor, job_id: int):
    """Return the status row of one of the actor's council's jobs (NotFound for any other)."""
    row = queries.bulk_job_status(session, job_id, actor.require_authority())
    if row is None:
        raise NotFound("There is no such bulk screening")
    return row


def recent_jobs(session: Session, actor: Actor, limit: int = 10) -> list:
    """Return the status rows of the actor's council's latest jobs, newest first (until they are purged)."""
    return queries.recent_bulk_jobs(session, actor.require_authority(), limit)


def job_file(session: Session, actor: Actor, job_id: int, part: str) -> str:
    """Return a finished job's results or warnings CSV (NotFound unless the actor's council's and done)."""
    content = queries.bulk_job_file(session, job_id, actor.require_authority(), part)
    if content is None:
        raise NotFound("There is no such bulk screening file")
    return content


def purge_jobs(session: Session, *, now: datetime, days: int) -> int:
    """Delete the jobs that ended more than `days` days ago, their uploads and files with them; count them."""
    return queries.delete_bulk_jobs_ended_before(session, now - timedelta(days=days))

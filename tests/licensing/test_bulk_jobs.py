"""Bulk screening jobs: the upload checked whole, claims under a lease, progress, failure, purge."""

import csv
import io
from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlmodel import select

from app import periodic_jobs
from licensing.actors import Actor
from licensing.clock import utcnow
from licensing.errors import ValidationFailed
from licensing.persistence import unit_of_work
from licensing.persistence.db import is_sqlite
from licensing.persistence.models import AuditEvent, BulkScreeningJob
from licensing.screening import bulk
from licensing.synthetic.generator import PEOPLE_COLUMNS, people, write_rows
from tests.conftest import TEST_SECRET
from tests.factories import make_authority, make_licence

LEASE = bulk.JOB_LEASE


def people_file(n: int, seed: int = 0) -> str:
    """Return a people CSV of `n` synthetic people."""
    out = io.StringIO()
    write_rows(out, people(n, seed), PEOPLE_COLUMNS)
    return out.getvalue()


def officer_of(authority) -> Actor:
    """Return an officer of `authority` as a service's actor."""
    return Actor(kind="user", id=7, label="user:olive@council.example", authority_id=authority.id)


def queue(engine, officer: Actor, text: str, now) -> int:
    """Queue a bulk screening job in its own unit of work; return its id."""
    with unit_of_work.writing(engine) as session:
        return bulk.create_job(session, officer, text, "people.csv", None, now=now)


def claim(engine, now):
    """Claim the next job in a unit of work of its own, committed before the caller goes on."""
    with unit_of_work.writing(engine) as session:
        return bulk.claim_job(session, now=now, lease=LEASE)


def job_row(engine, job_id: int) -> BulkScreeningJob:
    """Read a job as it is committed now."""
    with unit_of_work.reading(engine) as session:
        job = session.get(BulkScreeningJob, job_id)
        session.expunge(job)
        return job


class Clock:
    """A clock the test moves on by hand."""

    def __init__(self, now):
        self.now = now

    def __call__(self):
        return self.now


def test_a_file_is_read_whole_before_a_job_exists_and_every_unreadable_row_is_named(session, engine, now):
    officer = officer_of(make_authority(session))
    text = people_file(3)
    lines = text.splitlines()
    lines[2] = lines[2].replace(lines[2].split(",")[4], "31/02/1980")  # row 2, line 3: no 31 February
    lines[3] = lines[3].replace(lines[3].split(",")[9], "")  # a missing licence number is fine
    with pytest.raises(bulk.UnreadableRows) as refused:
        queue(engine, officer, "\n".join(lines) + "\n", now)
    assert [(p["line"], p["ref"]) for p in refused.value.problems] == [(3, "P000002")]
    assert "date_of_birth" in refused.value.problems[0]["reason"]
    with pytest.raises(ValidationFailed, match="lacks required column"):
        queue(engine, officer, "name,dob\nA,B\n", now)
    session.rollback()
    assert session.exec(select(BulkScreeningJob)).all() == []
    assert bulk.check_people_file(text, now.date()) == 3


def test_a_job_is_worked_in_chunks_writing_progress_and_then_its_results_once(session, engine, now):
    authority = make_authority(session, name="Otherton Borough Council")
    found = people(1, seed=3)[0]
    make_licence(session, authority_id=authority.id, **{k: found[k] for k in ("given_names", "family_name")},
                 date_of_birth=found["date_of_birth"], postcode=found["postcode"])  # fmt: skip
    text = people_file(1200, seed=3)
    job_id = queue(engine, officer_of(make_authority(session)), text, now)
    seen = []

    def stopping():
        job = job_row(engine, job_id)
        seen.append((job.status, job.rows_done, job.results, job.lease_expires_at))
        return False

    clock = Clock(now)
    claimed = claim(engine, now)
    assert (claimed.id, claimed.attempt) == (job_id, 1)
    clock.now = now + timedelta(minutes=1)
    assert bulk.work_job(engine, claimed, clock=clock, lease=LEASE, stopping=stopping) == "done"
    assert [(status, done, results) for status, done, results, _ in seen] == [
        ("running", 0, None), ("running", 500, None), ("running", 1000, None),
    ]  # fmt: skip
    assert seen[1][3] == clock.now + LEASE  # each chunk renews the lease
    job = job_row(engine, job_id)
    assert (job.status, job.rows_done, job.total_rows, job.lease_expires_at) == ("done", 1200, 1200, None)
    results = list(csv.reader(io.StringIO(job.results)))
    assert results[0][6:] == ["candidate_council", "band_label"]
    [row] = [row for row in results if row[0] == "P000001"]
    labels = {"match": "Match", "probable": "Probable match", "possible": "Possible match"}
    labels["weak"] = "Weak match"
    assert row[6] == "Otherton Borough Council" and row[7] == labels[row[4]]
    session.rollback()
    audit = session.exec(select(AuditEvent).where(AuditEvent.action == "screening.bulk")).one()
    assert audit.actor_label == "user:olive@council.example" and audit.detail["applicants"] == 1200


def test_a_job_is_claimed_once_and_a_second_claimer_takes_the_next(session, engine, now):
    officer = officer_of(make_authority(session))
    first, second = queue(engine, officer, people_file(2), now), queue(engine, officer, people_file(2), now)
    assert claim(engine, now).id == first
    assert claim(engine, now).id == second
    assert claim(engine, now) is None


def test_on_postgresql_claimers_skip_a_job_another_holds_without_waiting(session, engine, now):
    if is_sqlite(engine):
        pytest.skip("SQLite serialises claimers with BEGIN IMMEDIATE; SKIP LOCKED is PostgreSQL's")
    officer = officer_of(make_authority(session))
    first, second = queue(engine, officer, people_file(2), now), queue(engine, officer, people_file(2), now)
    with unit_of_work.writing(engine) as holding:
        assert bulk.claim_job(holding, now=now).id == first  # locked, not yet committed
        with unit_of_work.writing(engine) as other:
            assert bulk.claim_job(other, now=now).id == second
            assert bulk.claim_job(other, now=now) is None


def test_a_job_whose_worker_died_is_claimed_again_after_its_lease_and_the_dead_claim_writes_nothing(
    session, engine, now
):
    job_id = queue(engine, officer_of(make_authority(session)), people_file(3), now)
    dead = claim(engine, now)  # its scheduler dies here: nothing more is written under this claim
    assert claim(engine, now + LEASE - timedelta(seconds=1)) is None  # the lease still holds it
    later = now + LEASE + timedelta(seconds=1)
    again = claim(engine, later)
    assert (again.id, again.attempt) == (job_id, 2)
    assert bulk.work_job(engine, dead, clock=Clock(later)) == "lost"  # woke up: its writes are refused
    assert job_row(engine, job_id).status == "running"
    assert bulk.work_job(engine, again, clock=Clock(later)) == "done"
    assert job_row(engine, job_id).rows_done == 3


def test_a_job_whose_workers_keep_dying_is_failed_with_a_message_and_its_upload_kept(session, engine, now):
    text = people_file(2)
    job_id = queue(engine, officer_of(make_authority(session)), text, now)
    moment = now
    for _ in range(bulk.JOB_ATTEMPTS):
        assert claim(engine, moment).id == job_id
        moment += LEASE + timedelta(seconds=1)
    assert claim(engine, moment) is None
    job = job_row(engine, job_id)
    assert (job.status, job.attempt, job.finished_at) == ("failed", bulk.JOB_ATTEMPTS, moment)
    assert job.error.startswith("The screening stopped 3 times before it finished")
    assert job.people == text


def test_a_fault_while_working_fails_the_job_with_a_plain_message(session, engine, now):
    authority = make_authority(session)
    broken = "not,a,people file\n"  # stored, but no longer a people file: a fault the check could not see
    session.add(
        BulkScreeningJob(authority_id=authority.id, actor_label="user:x", people=broken, created_at=now)
    )
    session.commit()
    assert bulk.run_next_job(engine, clock=Clock(now))[1] == "failed"
    job = session.exec(select(BulkScreeningJob)).one()
    assert job.status == "failed" and job.error.startswith("The screening could not be finished")
    assert job.lease_expires_at is None and job.results is None


def test_a_stopping_scheduler_gives_its_job_back_uncounted(session, engine, now):
    job_id = queue(engine, officer_of(make_authority(session)), people_file(2), now)
    assert bulk.run_next_job(engine, clock=Clock(now), stopping=lambda: True) == (job_id, "given back")
    job = job_row(engine, job_id)
    assert (job.status, job.attempt, job.lease_expires_at) == ("queued", 0, None)
    assert bulk.run_next_job(engine, clock=Clock(now)) == (job_id, "done")


def test_the_purge_job_deletes_jobs_ended_longer_ago_than_the_setting(session, engine):
    authority, now = make_authority(session), utcnow().replace(microsecond=0)
    ended = {"old": now - timedelta(days=8), "recent": now - timedelta(days=6), "running": None}
    for label, finished in ended.items():
        status = "running" if finished is None else "done"
        fields = {
            "source": label,
            "status": status,
            "created_at": now - timedelta(days=9),
            "finished_at": finished,
        }
        session.add(BulkScreeningJob(authority_id=authority.id, actor_label="user:x", people="x", **fields))
    session.commit()
    settings = periodic_jobs.monitoring_settings({"ENV_NAME": "testing", "SECRET_KEY": TEST_SECRET})
    assert settings.bulk_results_days == 7
    context = SimpleNamespace(engine=engine, monitoring=settings)
    job = periodic_jobs.by_name("bulk_screening_purge")
    assert periodic_jobs.run(job, context) == {"deleted": 1}
    session.rollback()
    assert sorted(session.exec(select(BulkScreeningJob.source)).all()) == ["recent", "running"]
    shorter = periodic_jobs.monitoring_settings(
        {"ENV_NAME": "testing", "SECRET_KEY": TEST_SECRET, "BULK_RESULTS_DAYS": "1"}
    )
    assert periodic_jobs.run(job, SimpleNamespace(engine=engine, monitoring=shorter)) == {"deleted": 1}

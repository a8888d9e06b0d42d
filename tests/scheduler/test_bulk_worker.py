"""The scheduler's bulk screening job: it works every waiting job, and stops taking jobs when told."""

import io
import threading
from types import SimpleNamespace

from sqlmodel import select

from licensing.actors import Actor
from licensing.clock import utcnow
from licensing.persistence import unit_of_work
from licensing.persistence.models import BulkScreeningJob
from licensing.screening.bulk import create_job
from licensing.synthetic.generator import PEOPLE_COLUMNS, people, write_rows
from scheduler.bulk import screen_bulk
from tests.factories import make_authority


def queued(engine, authority_id: int, n: int) -> None:
    """Queue a job of `n` synthetic people."""
    out = io.StringIO()
    write_rows(out, people(n), PEOPLE_COLUMNS)
    officer = Actor(kind="user", id=1, label="user:olive", authority_id=authority_id)
    with unit_of_work.writing(engine) as session:
        create_job(session, officer, out.getvalue(), "people.csv", None, now=utcnow())


def test_screen_bulk_works_every_waiting_job_then_returns(session, engine):
    authority = make_authority(session)
    queued(engine, authority.id, 3)
    queued(engine, authority.id, 2)
    context = SimpleNamespace(engine=engine, stopping=threading.Event())
    assert screen_bulk(context) == {"done": 2}
    session.rollback()
    assert [job.status for job in session.exec(select(BulkScreeningJob))] == ["done", "done"]


def test_a_stopping_scheduler_takes_no_job(session, engine):
    queued(engine, make_authority(session).id, 2)
    stopping = threading.Event()
    stopping.set()
    assert screen_bulk(SimpleNamespace(engine=engine, stopping=stopping)) == {}
    session.rollback()
    assert session.exec(select(BulkScreeningJob.status)).one() == "queued"

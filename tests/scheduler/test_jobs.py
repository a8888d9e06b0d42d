"""Jobs as data, leader-only jobs, the leader lock, and settings read from the environment."""

import pytest

from licensing.persistence.db import is_sqlite, make_engine
from scheduler.jobs import JOBS, run
from scheduler.leader import Leadership
from scheduler.settings import load_settings
from tests.conftest import POSTGRES_URL


def test_jobs_are_declared_once_and_only_deliver_and_elect_run_everywhere():
    assert len({job.id for job in JOBS}) == len(JOBS)
    assert {job.id for job in JOBS if not job.leader_only} == {"deliver", "elect", "screen_bulk"}


def test_settings_come_typed_from_the_environment(monkeypatch):
    monkeypatch.setenv("SCHEDULER_BATCH_SIZE", "7")
    monkeypatch.setenv("SCHEDULER_POLL_SECONDS", "0.5")
    settings = load_settings({"ENV_NAME": "testing", "DATABASE_URL": "sqlite:///x.db"})
    assert (settings.batch_size, settings.poll_seconds, settings.database_url) == (7, 0.5, "sqlite:///x.db")


def test_sqlite_scheduler_is_always_the_leader(engine):
    if not is_sqlite(engine):
        pytest.skip("SQLite only")
    assert Leadership(engine).is_leader() and Leadership(engine).is_leader()


@pytest.mark.skipif(not POSTGRES_URL, reason="the advisory lock is PostgreSQL's")
def test_one_leader_at_a_time_and_a_follower_takes_over():
    engines = [make_engine(POSTGRES_URL), make_engine(POSTGRES_URL)]
    first, second = Leadership(engines[0]), Leadership(engines[1])
    try:
        assert first.is_leader() and not second.is_leader() and first.is_leader()
        ran = []
        job = next(job for job in JOBS if job.leader_only)
        follower_job = type(job)(job.id, lambda _context: ran.append(1), job.trigger)
        context = type("Ctx", (), {"leadership": second})()
        assert run(follower_job, context) is None and ran == []
        first.release()  # the leader's process stops (or dies: its connection closes either way)
        assert second.is_leader() and run(follower_job, context) is None and ran == [1]
        assert not first.is_leader()
    finally:
        first.release(), second.release()
        for engine in engines:
            engine.dispose()

"""The scheduler's jobs, declared as data: id, function, trigger, and whether only the leader runs it.

Each job is thin and idempotent (running it twice, or on two processes, does no harm) and logs what it
processed. The periodic jobs are declared in app/periodic_jobs.py, which `flask jobs` reads too, so the
scheduler and the command line cannot disagree on them: here each gets its cron trigger and runs on the
leader only (scheduler/leader.py), under the job's own lock. `deliver` runs on every process, because
claims under a lease with SKIP LOCKED never hand one delivery to two schedulers at once.
"""

import logging
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy.engine import Engine

from app import periodic_jobs
from app.periodic_jobs import PERIODIC_JOBS, JobBusy, PeriodicJob
from scheduler import metrics
from scheduler.bulk import screen_bulk
from scheduler.delivery import Dispatcher
from scheduler.leader import Leadership
from scheduler.settings import SchedulerSettings

log = logging.getLogger("crosscheck.scheduler")


@dataclass
class Context:
    """What every job may use: the database, settings, leadership, the dispatcher and a stop flag."""

    engine: Engine
    settings: SchedulerSettings
    leadership: Leadership
    dispatcher: Dispatcher
    stopping: threading.Event = field(default_factory=threading.Event)


@dataclass(frozen=True)
class Job:
    """One scheduled job: `function(context)` run on `trigger`, by the leader only if `leader_only`."""

    id: str
    function: Callable[[Context], object]
    trigger: Callable[[SchedulerSettings], BaseTrigger]
    leader_only: bool = True


def deliver(context: Context) -> Counter:
    """Keep the send threads busy while anything is due or in flight, until the process is stopping.

    Each round claims for the free threads and then waits up to SCHEDULER_POLL_SECONDS for a send to
    end, so a delivery that falls due while slow sends are in flight is claimed within that time.
    """
    dispatcher, total = context.dispatcher, Counter()
    while not context.stopping.is_set():
        claimed = dispatcher.start_sends()
        total += dispatcher.finish_sends(timeout=context.settings.poll_seconds)
        if not claimed and not dispatcher.in_flight:
            break
    if total:
        log.info("deliver: %s", dict(total), extra={"job": "deliver", "outcomes": dict(total)})
    return total


def elect(context: Context) -> bool:
    """Take the leader lock if it is free, or check that this process still holds it."""
    leading = context.leadership.is_leader()
    metrics.LEADER.set(1 if leading else 0)
    return leading


def run_periodic(job: PeriodicJob, context: Context) -> dict | None:
    """Run a periodic job under its lock; skip this turn if it is running elsewhere (`flask jobs run`).

    Each run is counted (scheduler/metrics.py): its duration, and its success or failure. A failure is an
    error, re-raised for APScheduler to log, or an audit chain found broken. A skipped turn is neither.
    """
    started = time.monotonic()
    try:
        done = periodic_jobs.run(job, context)
    except JobBusy:
        log.info("%s: skipped, running in another process", job.name, extra={"job": job.name})
        return None
    except Exception:
        metrics.job_ended(job.name, time.monotonic() - started, succeeded=False)
        raise
    metrics.job_ended(job.name, time.monotonic() - started, succeeded="broken_at" not in done)
    return done


def scheduled(job: PeriodicJob) -> Job:
    """Return the scheduler's job for a periodic job: on its cron schedule in UTC, on the leader only."""
    return Job(
        job.name,
        partial(run_periodic, job),
        lambda _settings: CronTrigger(timezone="UTC", **job.schedule),
    )


JOBS: tuple[Job, ...] = (
    Job("deliver", deliver, lambda s: IntervalTrigger(seconds=s.poll_seconds), leader_only=False),
    Job("elect", elect, lambda s: IntervalTrigger(seconds=s.leader_retry_seconds), leader_only=False),
    Job("screen_bulk", screen_bulk, lambda s: IntervalTrigger(seconds=s.poll_seconds), leader_only=False),
    *(scheduled(job) for job in PERIODIC_JOBS),
)


def run(job: Job, context: Context):
    """Run `job` now if this process may (a leader-only job on a follower is skipped); return its result.

    Every start is a heartbeat of the scheduler's liveness (scheduler/metrics.py).
    """
    metrics.HEARTBEAT.beat()
    if job.leader_only and not context.leadership.is_leader():
        return None
    return job.function(context)

"""The scheduler's jobs, declared as data: id, function, trigger, and whether only the leader runs it.

Each job is thin and idempotent (running it twice, or on two processes, does no harm) and logs what it
processed. Periodic jobs run on the leader only (scheduler/leader.py); `deliver` runs on every process,
because claims under a lease with SKIP LOCKED never hand one delivery to two schedulers at once.
"""

import logging
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy.engine import Engine

from licensing.audit.log import verify
from licensing.persistence import unit_of_work
from scheduler import monitoring_jobs as monitoring
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
    return context.leadership.is_leader()


def verify_audit(context: Context) -> bool:
    """Walk the audit hash chain and log whether it is intact (the nightly `audit verify`)."""
    with unit_of_work.reading(context.engine) as session:
        result = verify(session)
    level = logging.INFO if result.ok else logging.ERROR
    log.log(
        level,
        "audit verify: ok=%s checked=%s broken_at=%s",
        result.ok,
        result.checked,
        result.first_broken_id,
    )
    return result.ok


JOBS: tuple[Job, ...] = (
    Job("deliver", deliver, lambda s: IntervalTrigger(seconds=s.poll_seconds), leader_only=False),
    Job("elect", elect, lambda s: IntervalTrigger(seconds=s.leader_retry_seconds), leader_only=False),
    Job("verify_audit", verify_audit, lambda s: CronTrigger(hour=2, minute=30)),
    Job("licence_expiry", monitoring.licence_expiry, lambda s: CronTrigger(hour=0, minute=15)),
    Job("rescreen_nightly", monitoring.rescreen_nightly, lambda s: CronTrigger(hour=1, minute=0)),
    Job("rescreen_weekly", monitoring.rescreen_weekly, lambda s: CronTrigger(day_of_week="sun", hour=3)),
    Job("retention_purge", monitoring.retention_purge, lambda s: CronTrigger(hour=2, minute=0)),
    Job("dbs_checks", monitoring.dbs_checks, lambda s: CronTrigger(hour=4, minute=0)),
    Job("deadline_reminders", monitoring.deadline_reminders, lambda s: CronTrigger(hour=6, minute=0)),
)


def run(job: Job, context: Context):
    """Run `job` now if this process may (a leader-only job on a follower is skipped); return its result."""
    if job.leader_only and not context.leadership.is_leader():
        return None
    return job.function(context)

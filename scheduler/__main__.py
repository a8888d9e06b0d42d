"""`python -m scheduler`: the job process, never inside a web worker. Stops on SIGTERM.

Why it is a process of its own, and how many may run: docs/reference.md, processes.
"""

import logging
import signal
import sys

from apscheduler.schedulers.blocking import BlockingScheduler

from app.logs import JsonFormatter
from licensing.persistence.db import make_engine
from scheduler.delivery import Dispatcher, http_client
from scheduler.jobs import JOBS, Context, run
from scheduler.leader import Leadership
from scheduler.settings import SchedulerSettings, load_settings

log = logging.getLogger("crosscheck.scheduler")


def build_context(settings: SchedulerSettings) -> Context:
    """Open the database and the HTTP client and build what the jobs share."""
    engine = make_engine(settings.database_url)
    http = http_client(settings)
    return Context(engine, settings, Leadership(engine), Dispatcher(engine, settings, http))


def build_scheduler(context: Context) -> BlockingScheduler:
    """Add every job of JOBS to a scheduler with the default memory job store, first runs at once."""
    scheduler = BlockingScheduler(timezone="UTC", job_defaults={"coalesce": True, "max_instances": 1})
    for job in JOBS:
        trigger = job.trigger(context.settings)
        scheduler.add_job(run, trigger, args=(job, context), id=job.id, name=job.id, misfire_grace_time=None)
    return scheduler


def configure_logging(level: str) -> None:
    """Log JSON lines on stderr, like the web app."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    logging.basicConfig(level=level, handlers=[handler], force=True)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    # Every run and every "skipped: already running" of the 1 s deliver job would be a line: only errors.
    logging.getLogger("apscheduler").setLevel(logging.ERROR)


def main() -> None:
    """Run the scheduler until SIGTERM or SIGINT, then finish the batch in hand and release the lock."""
    settings = load_settings()
    configure_logging(settings.log_level)
    context = build_context(settings)
    scheduler = build_scheduler(context)

    def stop(signum, _frame):
        log.info("stopping on signal %s", signum)
        context.stopping.set()
        scheduler.shutdown(wait=False)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    log.info("scheduler started", extra={"jobs": [job.id for job in JOBS]})
    scheduler.start()
    context.dispatcher.close()
    context.leadership.release()
    log.info("scheduler stopped")


if __name__ == "__main__":
    main()

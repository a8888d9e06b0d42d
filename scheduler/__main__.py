"""`python -m scheduler`: the job process, never inside a web worker. Stops on SIGTERM.

Why it is a process of its own, and how many may run: docs/reference.md, processes.
"""

import argparse
import logging
import signal
import sys

from apscheduler.schedulers.blocking import BlockingScheduler
from sqlalchemy.engine import Engine

from app.config import SECRET_SETTINGS, ConfigError, ProductionConfig
from app.logs import formatter_for
from app.metrics import count_domain
from app.migrate import schema_problem
from app.periodic_jobs import PERIODIC_JOBS
from licensing.persistence.db import make_engine
from scheduler import metrics
from scheduler.delivery import Dispatcher, http_client
from scheduler.jobs import JOBS, Context, run
from scheduler.leader import Leadership
from scheduler.settings import ENVIRONMENT, SchedulerSettings, load_settings

log = logging.getLogger("crosscheck.scheduler")
# Exit codes: 0 stopped on a signal (or --help), 1 refused to start, 2 a bad command line (argparse's).
REFUSED = 1


def build_context(settings: SchedulerSettings, engine: Engine) -> Context:
    """Open the HTTP client and build what the jobs share on `engine`."""
    http = http_client(settings)
    return Context(engine, settings, Leadership(engine), Dispatcher(engine, settings, http))


def build_scheduler(context: Context) -> BlockingScheduler:
    """Add every job of JOBS to a scheduler with the default memory job store, first runs at once."""
    scheduler = BlockingScheduler(timezone="UTC", job_defaults={"coalesce": True, "max_instances": 1})
    for job in JOBS:
        trigger = job.trigger(context.settings)
        scheduler.add_job(run, trigger, args=(job, context), id=job.id, name=job.id, misfire_grace_time=None)
    return scheduler


def serve_metrics(context: Context):
    """Serve /metrics and /healthz on METRICS_PORT, counting the domain's counts too; None if it is 0."""
    settings = context.settings
    if not settings.metrics_port:
        return None
    count_domain()
    app = metrics.application(
        metrics.Backlog(context.engine), metrics.stall_seconds(settings.leader_retry_seconds)
    )
    return metrics.serve(settings.metrics_host, settings.metrics_port, app)


def configure_logging(level: str, log_format: str = "json") -> None:
    """Log on stderr in the web app's format (LOG_FORMAT: JSON lines, or text for people)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter_for(log_format))
    logging.basicConfig(level=level, handlers=[handler], force=True)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    # Every run and every "skipped: already running" of the 1 s deliver job would be a line: only errors.
    logging.getLogger("apscheduler").setLevel(logging.ERROR)


def argument_parser() -> argparse.ArgumentParser:
    """Return the command line's parser: no arguments but --help, which says what the process does."""
    periodic = "\n".join(f"  {job.name:<20} {job.when:<22} {job.summary}" for job in PERIODIC_JOBS)
    return argparse.ArgumentParser(
        prog="python -m scheduler",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description=(
            "Crosscheck's job process. It sends alert deliveries (signed webhooks, GOV.UK Notify e-mails),\n"
            "retrying them for about three days, and, on the one scheduler holding the leader lock, runs\n"
            "the periodic jobs below. Run as many as you like on PostgreSQL, one on SQLite. It refuses to\n"
            "start on a database not migrated to head (`flask db upgrade`), and stops on SIGTERM or\n"
            "SIGINT once the sends in hand are recorded.\n\n"
            f"Periodic jobs (`flask jobs run NAME` runs one now):\n{periodic}"
        ),
        epilog="Environment (the web app's configuration, app/config.py):\n" + environment_help(),
    )


def environment_help() -> str:
    """List the environment variables the scheduler reads, each with its meaning and default."""
    lines = []
    for name, meaning in ENVIRONMENT:
        default = getattr(ProductionConfig, name, "")
        shown = f" [default: {default}]" if default != "" and name not in SECRET_SETTINGS else ""
        lines.append(f"  {name:<32} {meaning}{shown}")
    return "\n".join(lines)


def refuse(reason: str) -> int:
    """Say on one line of stderr why the scheduler will not start; return the exit code."""
    print(f"crosscheck scheduler: not starting: {reason}", file=sys.stderr)
    return REFUSED


def main(argv: list[str] | None = None) -> int:
    """Run the scheduler until SIGTERM or SIGINT, then finish the batch in hand and release the lock."""
    argument_parser().parse_args(argv)  # --help exits 0; anything else is an error (exit 2)
    try:
        settings = load_settings()
    except ConfigError as error:
        return refuse(str(error))
    engine = make_engine(settings.database_url)
    if problem := schema_problem(engine):
        engine.dispose()
        return refuse(problem)
    configure_logging(settings.log_level, settings.log_format)
    context = build_context(settings, engine)
    scheduler = build_scheduler(context)

    def stop(signum, _frame):
        log.info("stopping on signal %s", signum)
        context.stopping.set()
        scheduler.shutdown(wait=False)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    server = serve_metrics(context)
    log.info("scheduler started", extra={"jobs": [job.id for job in JOBS]})
    scheduler.start()
    context.dispatcher.close()
    context.leadership.release()
    if server is not None:
        server.shutdown()
    log.info("scheduler stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())

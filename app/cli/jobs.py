"""`flask jobs list` and `flask jobs run NAME`: the scheduler's periodic jobs, run now at an operator's word.

The jobs are the scheduler's own (app/periodic_jobs.py): the same functions, the same units of work, and
the same lock per job, so a job started here never runs beside the scheduler's run of it.
"""

import logging

import click
from flask import current_app
from flask.cli import AppGroup

from app import db
from app.migrate import schema_problem
from app.periodic_jobs import PERIODIC_JOBS, JobBusy, JobContext, by_name, run, settings_from

jobs_cli = AppGroup("jobs", help="List the scheduler's periodic jobs, or run one now.")
log = logging.getLogger("crosscheck.jobs")


@jobs_cli.command("list")
def list_command() -> None:
    """List the periodic jobs: name, when the scheduler runs it, what it does."""
    for job in PERIODIC_JOBS:
        click.echo(f"{job.name:<20} {job.when:<20} {job.summary}")


@jobs_cli.command("run")
@click.argument("name", type=click.Choice([job.name for job in PERIODIC_JOBS]), metavar="NAME")
def run_command(name: str) -> None:
    """Run the periodic job NAME now, once (`flask jobs list` names them)."""
    engine = db.engine()
    if problem := schema_problem(engine):
        raise click.ClickException(f"Not running {name}: {problem}.")
    context = JobContext(engine, settings_from(current_app.config))
    try:
        done = run(by_name(name), context)
    except JobBusy as busy:
        raise click.ClickException(f"Not running {name}: {busy}.") from busy
    except Exception as error:
        log.exception("%s failed", name, extra={"job": name})  # masked, like every log line
        failed = f"{name} failed ({type(error).__name__}); the log above says where."
        raise click.ClickException(failed) from None
    if "broken_at" in done:
        raise click.ClickException(
            f"{name}: the audit chain is broken at event {done['broken_at']}; "
            f"{done['checked']:,} events verified before it."
        )
    click.echo(f"{name}: {describe(done)}.")


def describe(done: dict) -> str:
    """Say what a job did from its summary ({"alerted": 1, "expired": 2}: "alerted 1, expired 2")."""
    return ", ".join(f"{what.replace('_', ' ')} {count:,}" for what, count in done.items()) or "nothing to do"

"""The periodic jobs, declared once: what each does and when. Two kinds of process run them.

The scheduler (scheduler/jobs.py) runs each on its schedule, on the leader only. An operator runs one at
once with `flask jobs run NAME` (app/cli/jobs.py). Both go through `run`, which holds the job's own lock
for the run: on PostgreSQL a job never runs twice at the same time, whichever process started it (a
scheduler whose turn comes while an operator's run is going skips that turn). On SQLite there is one
scheduler; an operator's run beside it may overlap its run of the same job, which the jobs allow (each is
idempotent: alerts carry a dedupe key) and SQLite's single writer serialises.

Each job is a thin wrapper: read the settings, call one service of licensing/monitoring (or the audit
chain check) with the wall clock, log and return a summary of what it did. The services that go through
the register in batches get the engine and open a unit of work per batch; the others get a writing
unit's session. The DBS job builds the Update Service client here, so licensing never imports httpx:
the service gets a plain callable. Settings come from `context.monitoring` when the caller set it (the
`flask` command line sets the app's), otherwise from the environment (app/config.py), read once per run.
"""

import logging
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta

import httpx
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from app.config import load_config, working_calendar
from integrations.dbs import DbsClient
from licensing.audit.log import verify
from licensing.clock import utcnow
from licensing.monitoring import dbs, deadlines, expiry, rescreen, retention
from licensing.persistence import unit_of_work
from licensing.persistence.db import advisory_unlock, is_sqlite, try_advisory_lock
from licensing.screening import bulk
from licensing.workflows.workdays import Calendar

log = logging.getLogger("crosscheck.jobs")
# The first half of each job's advisory lock key ("CROS"); the second is a checksum of the job's name.
# The scheduler's leader lock is a single 64-bit key, which PostgreSQL keeps apart from two-part keys.
JOB_LOCK_SPACE = 0x43524F53


@dataclass(frozen=True)
class MonitoringSettings:
    """The monitoring jobs' settings, typed (the environment gives them as text)."""

    expiry_alert_days: tuple[int, ...]
    dbs_check_months: int
    dbs_overdue_days: int
    rescreen_lookback: timedelta
    retention_years: int
    retention_hold_years: int
    retention_hold_codes: frozenset[str]
    calendar: Calendar
    dbs: dict
    bulk_results_days: int = 7


def monitoring_settings(overrides: dict | None = None) -> MonitoringSettings:
    """Build the monitoring settings from CROSSCHECK_ENV, the environment and `overrides`."""
    return settings_from(load_config(overrides))


def settings_from(config) -> MonitoringSettings:
    """Build the monitoring settings from a loaded configuration (an app's, or load_config's)."""
    return MonitoringSettings(
        expiry_alert_days=tuple(int(d) for d in _items(config["LICENCE_EXPIRY_ALERT_DAYS"])),
        dbs_check_months=int(config["DBS_CHECK_MONTHS"]),
        dbs_overdue_days=int(config["DBS_OVERDUE_DAYS"]),
        rescreen_lookback=timedelta(hours=float(config["RESCREEN_LOOKBACK_HOURS"])),
        retention_years=int(config["RETENTION_YEARS"]),
        retention_hold_years=int(config["RETENTION_HOLD_YEARS"]),
        retention_hold_codes=frozenset(_items(config["RETENTION_HOLD_AUTHORITIES"])),
        calendar=working_calendar(config),
        bulk_results_days=int(config["BULK_RESULTS_DAYS"]),
        dbs={
            "base_url": config["DBS_BASE_URL"],
            "organisation_name": config["DBS_ORGANISATION_NAME"],
            "employee_forename": config["DBS_EMPLOYEE_FORENAME"],
            "employee_surname": config["DBS_EMPLOYEE_SURNAME"],
        },
    )


def _items(raw) -> list[str]:
    """Split a comma-separated setting (or take a list as it is)."""
    parts = raw.split(",") if isinstance(raw, str) else list(raw)
    return [str(p).strip() for p in parts if str(p).strip()]


def _settings(context) -> MonitoringSettings:
    """Return the process's monitoring settings, or read them from the environment."""
    return getattr(context, "monitoring", None) or monitoring_settings()


def _run(context, name: str, work: Callable) -> dict:
    """Run `work(engine, now)`, log its summary and return it."""
    now = utcnow().replace(microsecond=0)
    done = dict(work(context.engine, now))
    log.info("%s: %s", name, done, extra={"job": name, "outcomes": done})
    return done


def _in_one_unit(service: Callable) -> Callable:
    """Return work that runs `service(session, now)` in one writing unit of work."""

    def work(engine, now):
        with unit_of_work.writing(engine) as session:
            return service(session, now)

    return work


def rescreen_nightly(context) -> dict:
    """Re-screen the licences that register entries and intelligence changed lately may be."""
    lookback = _settings(context).rescreen_lookback
    return _run(
        context, "rescreen_nightly", lambda engine, now: rescreen.rescreen_new(engine, now - lookback, now)
    )


def rescreen_weekly(context) -> dict:
    """Re-screen every live licence against the whole register and all intelligence."""
    return _run(context, "rescreen_weekly", rescreen.rescreen_all)


def licence_expiry(context) -> dict:
    """Warn of licences expiring soon and expire those past their expiry date."""
    days = _settings(context).expiry_alert_days

    def work(engine, now):
        warn = _in_one_unit(lambda session, now: expiry.warn_expiring(session, now.date(), now, days))
        return warn(engine, now) + expiry.expire_licences(engine, now.date(), now)

    return _run(context, "licence_expiry", work)


def dbs_checks(context) -> dict:
    """Check due licences' DBS certificates on the Update Service and alert what needs a council."""
    st = _settings(context)
    months, overdue = st.dbs_check_months, st.dbs_overdue_days
    with httpx.Client(timeout=30.0, follow_redirects=False) as client:
        # Without a checking organisation the service cannot ask; every due licence goes to its council.
        check = _status_check(DbsClient(client, **st.dbs)) if st.dbs["organisation_name"] else None
        return _run(
            context,
            "dbs_checks",
            lambda engine, now: dbs.check_dbs(
                engine, now.date(), now, check, every_months=months, overdue_days=overdue
            ),
        )


def _status_check(client: DbsClient) -> Callable[[str, str, date], str]:
    """Adapt the DBS client to the plain `check(certificate, surname, dob) -> status` the service takes."""
    return lambda certificate, surname, dob: client.status(certificate, surname, dob).status


def deadline_reminders(context) -> dict:
    """Alert s.3 requests and s.5 reports due within five working days or overdue, once each."""
    calendar = _settings(context).calendar
    remind = _in_one_unit(lambda session, now: deadlines.remind_deadlines(session, now.date(), now, calendar))
    return _run(context, "deadline_reminders", remind)


def retention_purge(context) -> dict:
    """Delete register entries past their retention period, each deletion audited."""
    st = _settings(context)
    return _run(
        context,
        "retention_purge",
        lambda engine, now: retention.purge_register(
            engine,
            now,
            years=st.retention_years,
            hold_years=st.retention_hold_years,
            hold_codes=st.retention_hold_codes,
        ),
    )


def bulk_screening_purge(context) -> dict:
    """Delete officers' bulk screenings, uploads and results, BULK_RESULTS_DAYS after they ended."""
    days = _settings(context).bulk_results_days
    purge = _in_one_unit(lambda session, now: {"deleted": bulk.purge_jobs(session, now=now, days=days)})
    return _run(context, "bulk_screening_purge", purge)


def verify_audit(context) -> dict:
    """Walk the audit hash chain and log whether it is intact (the nightly `flask audit verify`)."""
    with unit_of_work.reading(context.engine) as session:
        result = verify(session)
    level = logging.INFO if result.ok else logging.ERROR
    log.log(
        level,
        "audit verify: ok=%s checked=%s broken_at=%s",
        result.ok,
        result.checked,
        result.first_broken_id,
        extra={"job": "verify_audit"},
    )
    done = {"checked": result.checked}
    return done if result.ok else done | {"broken_at": result.first_broken_id}


@dataclass
class JobContext:
    """What a periodic job uses: the database, and its settings (None: read from the environment)."""

    engine: Engine
    monitoring: MonitoringSettings | None = None


@dataclass(frozen=True)
class PeriodicJob:
    """One periodic job: `function(context)`, run at `schedule` (cron fields, UTC) on the leader."""

    name: str
    function: Callable[..., dict]
    schedule: dict

    @property
    def summary(self) -> str:
        """Return what the job does: the first line of its function's docstring."""
        return (self.function.__doc__ or "").strip().splitlines()[0]

    @property
    def when(self) -> str:
        """Return the schedule for people, e.g. "daily at 00:15 UTC" or "sun at 03:00 UTC"."""
        days = self.schedule.get("day_of_week", "daily")
        return f"{days} at {self.schedule.get('hour', 0):02}:{self.schedule.get('minute', 0):02} UTC"


PERIODIC_JOBS: tuple[PeriodicJob, ...] = (
    PeriodicJob("verify_audit", verify_audit, {"hour": 2, "minute": 30}),
    PeriodicJob("licence_expiry", licence_expiry, {"hour": 0, "minute": 15}),
    PeriodicJob("rescreen_nightly", rescreen_nightly, {"hour": 1, "minute": 0}),
    PeriodicJob("rescreen_weekly", rescreen_weekly, {"day_of_week": "sun", "hour": 3}),
    PeriodicJob("retention_purge", retention_purge, {"hour": 2, "minute": 0}),
    PeriodicJob("dbs_checks", dbs_checks, {"hour": 4, "minute": 0}),
    PeriodicJob("deadline_reminders", deadline_reminders, {"hour": 6, "minute": 0}),
    PeriodicJob("bulk_screening_purge", bulk_screening_purge, {"hour": 2, "minute": 45}),
)


class JobBusy(RuntimeError):
    """The job is running in another process now."""


def by_name(name: str) -> PeriodicJob:
    """Return the periodic job called `name` (KeyError if there is none)."""
    return {job.name: job for job in PERIODIC_JOBS}[name]


def run(job: PeriodicJob, context) -> dict:
    """Run `job` now under its lock and return its summary; raise JobBusy if it is running elsewhere."""
    with job_lock(context.engine, job.name) as held:
        if not held:
            raise JobBusy(
                f"{job.name} is running in another process now (a scheduler, or another "
                "`flask jobs run`); try again once it has finished"
            )
        return job.function(context)


@contextmanager
def job_lock(engine: Engine, name: str) -> Iterator[bool]:
    """Try to take job `name`'s lock for the block; yield whether it was taken (always, on SQLite).

    A PostgreSQL session-level advisory lock on a connection of its own: if the process dies, the
    server releases it with the connection.
    """
    if is_sqlite(engine):
        yield True
        return
    key = (JOB_LOCK_SPACE, zlib.crc32(name.encode()) & 0x7FFFFFFF)
    connection = engine.connect().execution_options(isolation_level="AUTOCOMMIT")
    held = False
    try:
        held = try_advisory_lock(connection, *key)
        yield held
    finally:
        _release(connection, key, held)


def _release(connection: Connection, key: tuple[int, int], held: bool) -> None:
    """Give the lock up and the connection back; a connection that may still hold it is closed for good."""
    try:
        if held:
            advisory_unlock(connection, *key)
    except SQLAlchemyError:
        log.warning("could not unlock a job's lock; closing its connection releases it")
        connection.invalidate()  # back in the pool, it would keep the lock for as long as it lived
    connection.close()

"""The monitoring jobs' thin wrappers: read settings, call one licensing service in a unit of work, log.

The services live in licensing/monitoring/ and take `now`; these pass the wall clock, and the engine to
the services that open a unit of work per batch, a writing unit's session to the others. The DBS job
builds the Update Service client here, so licensing never imports httpx: the service gets a plain callable.
Settings come from `context.monitoring` when the process set it, otherwise from the environment
(app/config.py), read once per run.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

import httpx

from app.config import load_config, working_calendar
from integrations.dbs import DbsClient
from licensing.clock import utcnow
from licensing.monitoring import dbs, deadlines, expiry, rescreen, retention
from licensing.persistence import unit_of_work
from licensing.workflows.workdays import Calendar

log = logging.getLogger("crosscheck.scheduler")


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


def monitoring_settings(overrides: dict | None = None) -> MonitoringSettings:
    """Build the monitoring settings from CROSSCHECK_ENV, the environment and `overrides`."""
    config = load_config(overrides)
    return MonitoringSettings(
        expiry_alert_days=tuple(int(d) for d in _items(config["LICENCE_EXPIRY_ALERT_DAYS"])),
        dbs_check_months=int(config["DBS_CHECK_MONTHS"]),
        dbs_overdue_days=int(config["DBS_OVERDUE_DAYS"]),
        rescreen_lookback=timedelta(hours=float(config["RESCREEN_LOOKBACK_HOURS"])),
        retention_years=int(config["RETENTION_YEARS"]),
        retention_hold_years=int(config["RETENTION_HOLD_YEARS"]),
        retention_hold_codes=frozenset(_items(config["RETENTION_HOLD_AUTHORITIES"])),
        calendar=working_calendar(config),
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

"""The periodic jobs as the scheduler and `flask jobs run` run them: settings, units of work, a summary."""

from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from app import periodic_jobs
from licensing.clock import utcnow
from licensing.persistence.models import Alert, Licence
from scheduler.jobs import JOBS
from tests.conftest import TEST_SECRET
from tests.factories import make_licence, make_register_entry
from tests.integrations.fakes import FakeDbs
from tests.integrations.servers import LoopbackServer

MONITORING = {
    "licence_expiry",
    "rescreen_nightly",
    "rescreen_weekly",
    "retention_purge",
    "dbs_checks",
    "deadline_reminders",
}


@pytest.fixture
def dbs_server():
    """Run a fake of the DBS Update Service's status endpoint on loopback."""
    fake = FakeDbs(
        {"000000000001": ("NEW_INFO", date(2024, 1, 2)), "000000000002": ("BLANK_NO_NEW_INFO", None)}
    )
    with LoopbackServer(fake) as server:
        yield server


def context_for(engine, database_url, **overrides):
    """Return what the monitoring jobs use of a scheduler's context, with settings for this test."""
    config = {"ENV_NAME": "testing", "DATABASE_URL": database_url, "SECRET_KEY": TEST_SECRET}
    settings = periodic_jobs.monitoring_settings(config | overrides)
    return SimpleNamespace(engine=engine, monitoring=settings)


def types(session) -> list[str]:
    """Return the alert types raised so far, oldest first."""
    session.commit()
    return [a.alert_type for a in session.scalars(select(Alert).order_by(Alert.id))]


def test_the_scheduler_runs_every_periodic_job_on_the_leader_on_its_schedule_in_utc():
    listed = {job.id: job for job in JOBS}
    periodic = MONITORING | {"verify_audit", "bulk_screening_purge"}
    assert {job.name for job in periodic_jobs.PERIODIC_JOBS} == periodic
    assert set(listed) == periodic | {"deliver", "elect", "screen_bulk"}
    for job in periodic_jobs.PERIODIC_JOBS:
        trigger = listed[job.name].trigger(None)
        assert listed[job.name].leader_only and str(trigger.timezone) == "UTC"
        fields = {field.name: str(field) for field in trigger.fields}
        assert {name: fields[name] for name in job.schedule} == {k: str(v) for k, v in job.schedule.items()}


def test_settings_read_lists_and_periods_from_text():
    settings = periodic_jobs.monitoring_settings(
        {
            "ENV_NAME": "testing",
            "LICENCE_EXPIRY_ALERT_DAYS": "90, 14",
            "RETENTION_HOLD_AUTHORITIES": "E0000001",
        }
    )
    assert settings.expiry_alert_days == (90, 14)
    assert settings.retention_hold_codes == {"E0000001"}
    assert (settings.retention_years, settings.dbs_check_months) == (11, 6)


def test_dbs_job_asks_the_update_service_over_http(session, engine, database_url, dbs_server):
    checker = {
        "DBS_ORGANISATION_NAME": "Test Council",
        "DBS_EMPLOYEE_FORENAME": "Ann",
        "DBS_EMPLOYEE_SURNAME": "Lee",
    }
    context = context_for(engine, database_url, DBS_BASE_URL=dbs_server.url, **checker)
    old = date(2024, 1, 2)
    fields = {"dbs_update_service": True, "dbs_last_checked_on": old, "dbs_consent_on": old}
    news = make_licence(session, dbs_certificate_number="000000000001", **fields)
    clear = make_licence(session, dbs_certificate_number="000000000002", **fields)
    assert periodic_jobs.dbs_checks(context) == {"new_info": 1, "blank_no_new_info": 1}
    assert periodic_jobs.dbs_checks(context) == {}
    assert [r.query["surname"] for r in dbs_server.requests] == ["Hussain", "Hussain"]
    assert dbs_server.requests[0].query["organisationName"] == "Test Council"
    session.expire_all()
    assert session.get(Licence, news.id).dbs_last_status == "NEW_INFO"
    assert session.get(Licence, clear.id).dbs_last_checked_on == utcnow().date()
    assert types(session) == ["dbs.new_info"]


def test_dbs_job_without_a_checker_alerts_the_council_instead(session, engine, database_url):
    context = context_for(engine, database_url)
    make_licence(session, dbs_update_service=True, dbs_certificate_number="000000000001")
    assert periodic_jobs.dbs_checks(context) == {"lapsed": 1}
    assert types(session) == ["dbs.lapsed"]


def test_expiry_job_warns_and_expires_once(session, engine, database_url):
    today = utcnow().date()
    make_licence(session, expires_on=today + timedelta(days=6))
    make_licence(session, expires_on=today - timedelta(days=1))
    context = context_for(engine, database_url)
    assert periodic_jobs.licence_expiry(context) == {"alerted": 1, "expired": 1}
    assert periodic_jobs.licence_expiry(context) == {"already_alerted": 1}
    assert sorted(types(session)) == ["licence.expired", "licence.expiring"]


def test_rescreen_jobs_alert_a_new_match_once(session, engine, database_url):
    make_register_entry(session)
    licence = make_licence(session)
    context = context_for(engine, database_url, RESCREEN_LOOKBACK_HOURS="1000000")
    assert periodic_jobs.rescreen_nightly(context)["alerted"] == 1
    assert periodic_jobs.rescreen_weekly(context)["already_alerted"] == 1
    session.commit()
    alert = session.scalars(select(Alert)).one()
    assert (alert.alert_type, alert.subject_id) == ("screening.new_match", licence.id)


def test_retention_and_deadline_jobs_run_with_nothing_to_do(session, engine, database_url):
    make_register_entry(session)
    context = context_for(engine, database_url)
    assert periodic_jobs.retention_purge(context) == {}
    assert periodic_jobs.deadline_reminders(context) == {}

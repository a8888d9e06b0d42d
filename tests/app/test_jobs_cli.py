"""`flask jobs list` and `flask jobs run NAME`: the scheduler's periodic jobs run now, with their effect."""

from datetime import timedelta

import pytest
from sqlalchemy import select, text

from app import create_app
from app.periodic_jobs import PERIODIC_JOBS, JobBusy, JobContext, by_name, job_lock, run
from licensing.clock import utcnow
from licensing.persistence.db import make_engine
from licensing.persistence.models import Alert, Licence, RegisterEntry
from scheduler.jobs import run_periodic
from tests.app.test_audit_cli import make_chain
from tests.conftest import POSTGRES_URL, TEST_SECRET
from tests.factories import make_licence, make_register_entry

NAMES = [job.name for job in PERIODIC_JOBS]


def jobs(app, *args: str):
    """Run `flask jobs ARGS` against the app's database and return the result."""
    return app.test_cli_runner().invoke(args=["jobs", *args])


def fresh(session):
    """Return `session` with its transaction ended and what it loaded forgotten, to read what is committed."""
    session.rollback()
    session.expire_all()
    return session


def alert_types(session) -> list[str]:
    """Return the types of the alerts raised so far, oldest first, as committed."""
    fresh(session)
    return [alert.alert_type for alert in session.scalars(select(Alert).order_by(Alert.id))]


def test_list_names_every_periodic_job_with_its_schedule_and_purpose(app):
    result = jobs(app, "list")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert [line.split()[0] for line in lines] == NAMES
    assert "licence_expiry       daily at 00:15 UTC   Warn of licences expiring soon" in result.output
    assert "rescreen_weekly      sun at 03:00 UTC     Re-screen every live licence" in result.output


def test_the_command_line_and_the_scheduler_share_one_list_of_jobs():
    from scheduler.jobs import JOBS

    assert [job.id for job in JOBS if job.leader_only] == NAMES


def test_expiry_expires_a_licence_past_its_date_and_warns_of_one_expiring(app, migrated, session):
    today = utcnow().date()
    expired = make_licence(session, expires_on=today - timedelta(days=1))
    expiring = make_licence(session, expires_on=today + timedelta(days=6))
    session.rollback()

    result = jobs(app, "run", "licence_expiry")

    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == "licence_expiry: alerted 1, expired 1."
    assert fresh(session).get(Licence, expired.id).status == "expired"
    assert session.get(Licence, expiring.id).status == "active"
    assert sorted(alert_types(session)) == ["licence.expired", "licence.expiring"]
    again = jobs(app, "run", "licence_expiry")
    assert again.output.splitlines()[-1] == "licence_expiry: already alerted 1."


def test_the_jobs_read_the_apps_settings(database_url, migrated, session):
    app = create_app(
        {
            "ENV_NAME": "testing",
            "DATABASE_URL": database_url,
            "SECRET_KEY": TEST_SECRET,
            "LICENCE_EXPIRY_ALERT_DAYS": "90",
        }
    )
    try:
        make_licence(session, expires_on=utcnow().date() + timedelta(days=80))  # past 60 days' notice
        session.rollback()
        result = jobs(app, "run", "licence_expiry")
    finally:
        app.extensions["crosscheck.engine"].dispose()
    assert result.output.splitlines()[-1] == "licence_expiry: alerted 1."
    assert alert_types(session) == ["licence.expiring"]


def test_rescreen_alerts_the_council_of_a_licensee_refused_elsewhere(app, migrated, session):
    make_register_entry(session)
    licence = make_licence(session)
    session.rollback()

    result = jobs(app, "run", "rescreen_weekly")

    assert result.exit_code == 0, result.output
    assert "rescreen_weekly: " in result.output and "alerted 1" in result.output
    [alert] = fresh(session).scalars(select(Alert)).all()
    assert (alert.alert_type, alert.subject_id) == ("screening.new_match", licence.id)


def test_dbs_checks_without_a_checker_tell_the_council_to_check(app, migrated, session):
    make_licence(session, dbs_update_service=True, dbs_certificate_number="000000000001")
    session.rollback()
    result = jobs(app, "run", "dbs_checks")
    assert result.output.splitlines()[-1] == "dbs_checks: lapsed 1."
    assert alert_types(session) == ["dbs.lapsed"]


def test_retention_deletes_an_entry_past_its_period(app, migrated, session):
    old = make_register_entry(session)
    kept = make_register_entry(session)
    session.execute(
        text("UPDATE register_entry SET first_recorded_at = :then WHERE id = :id"),
        {"then": utcnow() - timedelta(days=12 * 366), "id": old.id},
    )
    session.commit()

    result = jobs(app, "run", "retention_purge")

    assert result.output.splitlines()[-1] == "retention_purge: register entry 1."
    assert list(fresh(session).scalars(select(RegisterEntry.id))) == [kept.id]


def test_deadline_reminders_with_nothing_due_say_so(app, migrated):
    result = jobs(app, "run", "deadline_reminders")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == "deadline_reminders: nothing to do."


def test_audit_verify_passes_on_an_intact_chain_and_fails_on_a_broken_one(app, migrated, session, now):
    events = make_chain(session, now)
    intact = jobs(app, "run", "verify_audit")
    assert intact.exit_code == 0 and intact.output.splitlines()[-1] == "verify_audit: checked 5."

    session.execute(text("UPDATE audit_event SET action = 'x' WHERE id = :id"), {"id": events[2].id})
    session.commit()
    broken = jobs(app, "run", "verify_audit")
    assert broken.exit_code == 1
    assert f"the audit chain is broken at event {events[2].id}; 2 events verified" in broken.output


def test_an_unknown_job_is_refused_with_the_names_and_exit_2(app):
    result = jobs(app, "run", "expiry")
    assert result.exit_code == 2
    assert "'expiry' is not one of" in result.output
    assert all(f"'{name}'" in result.output for name in NAMES)


def test_a_database_not_at_head_is_refused(app, session):
    make_licence(session, expires_on=utcnow().date() - timedelta(days=1))  # the test database: no revision
    session.rollback()
    result = jobs(app, "run", "licence_expiry")
    assert result.exit_code == 1
    assert "Not running licence_expiry: the database has no migration revision" in result.output
    assert "flask db upgrade" in result.output
    assert alert_types(session) == []


@pytest.mark.skipif(not POSTGRES_URL, reason="the job's lock is a PostgreSQL advisory lock")
def test_a_job_runs_once_at_a_time_whether_the_scheduler_or_an_operator_started_it(app, migrated, session):
    make_licence(session, expires_on=utcnow().date() - timedelta(days=1))
    session.rollback()
    other = make_engine(POSTGRES_URL)  # another process's connection: the lock is per session
    try:
        with job_lock(other, "licence_expiry") as held:
            assert held
            busy = jobs(app, "run", "licence_expiry")
            context = JobContext(other)
            assert run_periodic(by_name("licence_expiry"), context) is None  # the scheduler skips its turn
            with pytest.raises(JobBusy):
                run(by_name("licence_expiry"), context)
            other_job = jobs(app, "run", "deadline_reminders")  # another job's lock is its own
        after = jobs(app, "run", "licence_expiry")
    finally:
        other.dispose()
    assert busy.exit_code == 1
    assert "licence_expiry is running in another process now" in busy.output
    assert other_job.exit_code == 0
    assert after.exit_code == 0 and after.output.splitlines()[-1] == "licence_expiry: expired 1."

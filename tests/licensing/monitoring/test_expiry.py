"""Licence expiry: warnings at the configured days before, and expiry the day after the last day."""

from datetime import date, timedelta

from sqlalchemy import select

from licensing.monitoring.expiry import expire_licences, warn_expiring
from licensing.persistence import unit_of_work
from licensing.persistence.models import AuditEvent, Licence, LicenceStatusChange
from tests.factories import make_licence
from tests.licensing.monitoring.helpers import alerts
from tests.units import in_unit

DAYS = (60, 30, 7)


def test_warns_once_at_each_threshold(session, today, now, engine):
    licence = make_licence(session, expires_on=today + timedelta(days=60))
    assert in_unit(engine, warn_expiring, today, now, DAYS)["alerted"] == 1
    assert in_unit(engine, warn_expiring, today, now, DAYS)["already_alerted"] == 1
    later = today + timedelta(days=30)
    in_unit(engine, warn_expiring, later, now, DAYS)
    in_unit(engine, warn_expiring, later + timedelta(days=1), now, DAYS)
    found = alerts(session, "licence.expiring")
    assert [(a.subject_id, a.payload["detail"]["days_before"]) for a in found] == [
        (licence.id, 60),
        (licence.id, 30),
    ]
    assert found[0].authority_id == licence.authority_id


def test_a_missed_run_warns_only_at_the_nearest_threshold(session, today, now, engine):
    make_licence(session, expires_on=today + timedelta(days=5))
    in_unit(engine, warn_expiring, today, now, DAYS)
    assert [a.payload["detail"]["days_before"] for a in alerts(session, "licence.expiring")] == [7]


def test_no_warning_beyond_the_furthest_threshold_or_for_dead_licences(session, today, now, engine):
    make_licence(session, expires_on=today + timedelta(days=61))
    make_licence(session, expires_on=today + timedelta(days=10), status="revoked")
    assert in_unit(engine, warn_expiring, today, now, DAYS) == {}
    assert alerts(session) == []


def test_a_renewed_licence_is_warned_again_for_its_new_expiry(session, today, now, engine):
    licence = make_licence(session, expires_on=today + timedelta(days=7))
    in_unit(engine, warn_expiring, today, now, DAYS)
    licence.expires_on = today + timedelta(days=7, weeks=1)
    session.add(licence)
    session.commit()
    in_unit(engine, warn_expiring, today + timedelta(weeks=1), now, DAYS)
    assert len(alerts(session, "licence.expiring")) == 2


def test_expires_live_licences_the_day_after_their_last_day(session, today, now, engine):
    last_day = today - timedelta(days=1)
    gone = make_licence(session, expires_on=last_day)
    suspended = make_licence(session, expires_on=last_day, status="suspended")
    valid = make_licence(session, expires_on=today)
    revoked = make_licence(session, expires_on=last_day, status="revoked")
    assert expire_licences(engine, today, now) == {"expired": 2}
    assert expire_licences(engine, today, now) == {}
    with unit_of_work.reading(engine) as stored:
        statuses = {lic.id: lic.status for lic in stored.scalars(select(Licence)).all()}
        changes = select(LicenceStatusChange).where(LicenceStatusChange.licence_id == gone.id)
        history = [(h.status, h.effective_on, h.actor_label) for h in stored.scalars(changes)]
        events = stored.scalars(select(AuditEvent).where(AuditEvent.action == "licence.expired")).all()
    assert statuses == {
        gone.id: "expired",
        suspended.id: "expired",
        valid.id: "active",
        revoked.id: "revoked",
    }
    assert history == [("expired", today, "scheduler:licence_expiry")]
    assert sorted(e.record_id for e in events) == sorted([gone.id, suspended.id])
    assert events[0].detail["to"] == "expired" and events[0].authority_id is not None
    assert sorted(a.subject_id for a in alerts(session, "licence.expired")) == sorted([gone.id, suspended.id])


def test_expiry_keeps_the_audit_chain_intact(session, today, now, engine):
    from licensing.audit.log import verify

    make_licence(session, expires_on=date(2020, 1, 1), granted_on=date(2019, 1, 1))
    expire_licences(engine, today, now)
    assert verify(session).ok

"""Deadline reminders: s.3 requests and s.5 reports due within five working days, and overdue, once each."""

from datetime import date, datetime, timedelta

from licensing.monitoring.deadlines import remind_deadlines
from licensing.persistence.models import ConcernReport, InformationRequest
from tests.factories import make_authority, make_licence, make_register_entry
from tests.licensing.monitoring.helpers import alerts
from tests.units import in_unit

# Monday 21 December 2026: five working days on is Wednesday 30 December (Christmas Day on Friday 25, the
# Boxing Day substitute on Monday 28 and the weekend between are not counted).
MONDAY = date(2026, 12, 21)
NOW = datetime(2026, 12, 21, 6, 0)


def make_request(session, due_on: date, **overrides) -> InformationRequest:
    """Create an open information request from a new council about a new entry, due on `due_on`."""
    entry = make_register_entry(session)
    request = InformationRequest(
        register_entry_id=entry.id,
        requesting_authority_id=make_authority(session).id,
        recording_authority_id=entry.authority_id,
        due_on=due_on,
        requested_at=NOW,
        **overrides,
    )
    session.add(request)
    session.commit()
    return request


def make_report(session, due_on: date, **overrides) -> ConcernReport:
    """Create an open concern report about a new licence, due on `due_on`."""
    licence = make_licence(session)
    report = ConcernReport(
        licence_id=licence.id,
        reporting_authority_id=make_authority(session).id,
        issuing_authority_id=licence.authority_id,
        concern_on=due_on - timedelta(days=14),
        due_on=due_on,
        summary="Synthetic concern",
        reported_at=NOW,
        **overrides,
    )
    session.add(report)
    session.commit()
    return report


def test_due_soon_counts_working_days_over_christmas(session, engine):
    inside = make_request(session, date(2026, 12, 30))
    outside = make_request(session, date(2026, 12, 31))
    done = in_unit(engine, remind_deadlines, MONDAY, NOW)
    assert done == {"information_request.due_soon": 1}
    found = alerts(session, "information_request.due_soon")
    assert [(a.subject_id, a.authority_id) for a in found] == [(inside.id, inside.recording_authority_id)]
    assert outside.id not in [a.subject_id for a in alerts(session)]


def test_overdue_and_due_soon_each_alert_once(session, engine):
    report = make_report(session, MONDAY - timedelta(days=1))
    in_unit(engine, remind_deadlines, MONDAY - timedelta(days=3), NOW)
    in_unit(engine, remind_deadlines, MONDAY - timedelta(days=2), NOW)
    assert in_unit(engine, remind_deadlines, MONDAY, NOW) == {"concern_report.overdue": 1}
    assert in_unit(engine, remind_deadlines, MONDAY, NOW) == {}
    found = [(a.alert_type, a.subject_id, a.authority_id) for a in alerts(session)]
    assert found == [
        ("concern_report.due_soon", report.id, report.issuing_authority_id),
        ("concern_report.overdue", report.id, report.issuing_authority_id),
    ]


def test_answered_requests_and_decided_reports_are_left_alone(session, engine):
    make_request(session, MONDAY - timedelta(days=3), status="answered")
    make_report(session, MONDAY, status="decided", decision="no_action")
    assert in_unit(engine, remind_deadlines, MONDAY, NOW) == {}
    assert alerts(session) == []

"""s.5/s.6 concern reports: to the issuing council within 10 working days; its decision comes back."""

from datetime import date, datetime

import pytest
from sqlmodel import select

from licensing.actors import Actor
from licensing.errors import Forbidden, InvalidTransition, NotFound, ValidationFailed
from licensing.persistence.models import Alert, AuditEvent
from licensing.workflows.concern_reports import (
    decide,
    list_reports,
    report_concern,
    sent_in_time,
    visible_report,
)
from licensing.workflows.workdays import calendar_for
from tests.factories import NOW, make_authority, make_licence, make_screening


def officer(authority_id: int) -> Actor:
    """Return an officer of the authority."""
    return Actor(kind="user", id=None, label="Officer Test", authority_id=authority_id)


def by_badge(licence, session, **overrides) -> dict:
    """Return report fields naming the licence by its issuer's code and badge number."""
    from licensing.persistence.models import Authority

    code = session.get(Authority, licence.authority_id).code
    fields = {"authority_code": code.lower(), "badge_number": licence.badge_number}
    return fields | {"concern_on": date(2026, 11, 20), "summary": "Seen plying for hire."} | overrides


def test_report_by_badge_is_due_10_working_days_after_the_concern(session):
    licence, reporter = make_licence(session), make_authority(session)
    report = report_concern(session, officer(reporter.id), by_badge(licence, session), NOW)
    assert (report.licence_id, report.issuing_authority_id) == (licence.id, licence.authority_id)
    assert report.due_on == date(2026, 12, 4)  # Fri 20 Nov 2026 + 10 working days
    assert sent_in_time(report) is True


def test_deadline_counts_over_easter_on_the_reporters_calendar(session):
    licence = make_licence(session)
    fields = by_badge(licence, session, concern_on=date(2026, 4, 1))
    english = report_concern(session, officer(make_authority(session).id), fields, NOW)
    scottish = report_concern(session, officer(make_authority(session, nation="scotland").id), fields, NOW)
    assert (english.due_on, scottish.due_on) == (date(2026, 4, 17), date(2026, 4, 16))
    assert sent_in_time(english) is False


def test_a_scottish_reporter_counts_2_january_unless_configured_otherwise(session):
    licence = make_licence(session)
    fields = by_badge(licence, session, concern_on=date(2025, 12, 31))
    reporter = officer(make_authority(session, nation="scotland").id)
    assert report_concern(session, reporter, fields, NOW).due_on == date(2026, 1, 16)
    on_englands = report_concern(session, reporter, fields, NOW, calendar_for("ENG"))
    assert on_englands.due_on == date(2026, 1, 15)


def test_a_report_sent_on_the_due_date_is_in_time(session):
    licence = make_licence(session)
    fields = by_badge(licence, session, concern_on=date(2026, 5, 15))  # due Mon 1 Jun: 25 May is a holiday
    report = report_concern(session, officer(make_authority(session).id), fields, datetime(2026, 6, 1, 17))
    assert (report.due_on, sent_in_time(report)) == (date(2026, 6, 1), True)


def test_a_council_cannot_report_its_own_licence(session):
    licence = make_licence(session)
    with pytest.raises(InvalidTransition, match="your own suspension and revocation processes"):
        report_concern(session, officer(licence.authority_id), by_badge(licence, session), NOW)
    with pytest.raises(InvalidTransition):
        fields = {"licence_id": licence.id, "concern_on": date(2026, 11, 20), "summary": "x"}
        report_concern(session, officer(licence.authority_id), fields, NOW)


def test_a_revoked_licence_cannot_be_reported(session):
    licence = make_licence(session, status="revoked")
    with pytest.raises(InvalidTransition, match="revoked"):
        report_concern(session, officer(make_authority(session).id), by_badge(licence, session), NOW)


def test_unknown_badge_and_unscreened_licence_id_are_not_found(session):
    licence, reporter = make_licence(session), make_authority(session)
    with pytest.raises(NotFound):
        report_concern(session, officer(reporter.id), by_badge(licence, session, badge_number="NOPE"), NOW)
    by_id = {"licence_id": licence.id, "concern_on": date(2026, 11, 20), "summary": "x"}
    with pytest.raises(NotFound):
        report_concern(session, officer(reporter.id), by_id, NOW)
    make_screening(session, authority_id=reporter.id)
    assert report_concern(session, officer(reporter.id), by_id, NOW).licence_id == licence.id


@pytest.mark.parametrize(
    "overrides",
    [{"concern_on": date(2026, 11, 24)}, {"summary": " "}, {"authority_code": None}, {"badge_number": ""}],
)
def test_incomplete_reports_are_refused(session, overrides):
    licence = make_licence(session)
    with pytest.raises(ValidationFailed):
        report_concern(
            session, officer(make_authority(session).id), by_badge(licence, session, **overrides), NOW
        )


def test_the_issuer_decides_and_the_reporter_is_told(session):
    licence, reporter = make_licence(session), make_authority(session)
    report = report_concern(session, officer(reporter.id), by_badge(licence, session), NOW)
    received = session.scalars(select(Alert).where(Alert.alert_type == "concern_report.received")).one()
    assert received.authority_id == licence.authority_id
    with pytest.raises(Forbidden):
        decide(session, officer(reporter.id), report.id, "revoked", None, NOW)
    with pytest.raises(NotFound):
        decide(session, officer(make_authority(session).id), report.id, "revoked", None, NOW)
    with pytest.raises(ValidationFailed):
        decide(session, officer(licence.authority_id), report.id, "fined", None, NOW)
    decided = decide(
        session, officer(licence.authority_id), report.id, "suspended", "Pending interview.", NOW
    )
    assert (decided.status, decided.decision, decided.decision_notes) == (
        "decided",
        "suspended",
        "Pending interview.",
    )
    with pytest.raises(InvalidTransition):
        decide(session, officer(licence.authority_id), report.id, "no_action", None, NOW)
    told = session.scalars(select(Alert).where(Alert.alert_type == "concern_report.decided")).one()
    assert (told.authority_id, told.payload["detail"]) == (
        reporter.id,
        {"concern_report_id": report.id, "decision": "suspended"},
    )
    assert visible_report(session, officer(reporter.id), report.id).decision == "suspended"
    actions = session.scalars(
        select(AuditEvent.action).where(AuditEvent.record_kind == "concern_report")
    ).all()
    assert actions == ["concern_report.sent", "concern_report.decided"]


def test_each_side_lists_its_own_direction(session):
    licence, reporter = make_licence(session), make_authority(session)
    first = report_concern(session, officer(reporter.id), by_badge(licence, session), NOW)
    second = report_concern(session, officer(reporter.id), by_badge(licence, session), NOW)
    decide(session, officer(licence.authority_id), first.id, "warning", None, NOW)
    issuer = officer(licence.authority_id)

    def ids(actor, **kw):
        return [r.id for r in list_reports(session, actor, **kw).items]

    assert ids(issuer) == [first.id, second.id]
    assert ids(issuer, status="open") == [second.id]
    assert ids(issuer, direction="outgoing") == []
    assert ids(officer(reporter.id), direction="outgoing") == [first.id, second.id]
    assert ids(officer(make_authority(session).id)) == []
    page = list_reports(session, issuer, limit=1)
    assert ([r.id for r in page.items], page.next_key) == ([first.id], (first.id,))
    assert ids(issuer, after=page.next_key) == [second.id]

"""A manager's decision on an adverse record: recorded with its reason, its s.3 request and its audit."""

from datetime import date, timedelta

import pytest
from sqlmodel import select

from licensing.actors import Actor
from licensing.errors import InvalidTransition, NotFound, ValidationFailed
from licensing.licences.adverse_decisions import record_decision
from licensing.licences.applications import create_application, rescreen
from licensing.licences.gate import gate_status, resolve_candidate
from licensing.persistence.models import AdverseDecision, AuditEvent, ScreeningCandidate
from licensing.register.entries import amend_entry
from licensing.workflows.information_requests import request_information, respond
from tests.factories import (
    NOW,
    identity,
    make_authority,
    make_licence,
    make_police_force,
    make_register_entry,
)
from tests.licensing.test_screening import make_intelligence

MAX_AGE = timedelta(days=30)
LATER = NOW + timedelta(days=40)  # past the 20 working days of a request made at NOW


def manager(authority_id: int) -> Actor:
    """Return a licensing manager of the authority."""
    return Actor(kind="user", id=None, label="Mina Manager", authority_id=authority_id, role="manager")


def receive(session, authority_id: int, now=NOW):
    """Receive an application of the default identity; return it and its one candidate."""
    fields = identity() | {"ref": "APP-1", "kind": "new", "licence_type": "phv", "received_on": now.date()}
    application = create_application(session, manager(authority_id), fields, now).application
    return application, only_candidate(session, application)


def only_candidate(session, application) -> ScreeningCandidate:
    """Return the one candidate of the application's latest screening."""
    screening_id = gate_status(session, application, NOW, MAX_AGE).screening_id
    query = select(ScreeningCandidate).where(ScreeningCandidate.screening_id == screening_id)
    return session.exec(query).one()


def same_person(session, application, candidate, now=NOW) -> None:
    """Have an officer rule the candidate the same person."""
    actor = manager(application.authority_id)
    resolve_candidate(session, actor, candidate.screening_id, candidate.id, "same_person", "Same NI.", now)


@pytest.fixture
def revoked(session):
    """Return (council B's revocation, this council, its application, the candidate ruled the same person)."""
    entry = make_register_entry(session, authority_id=make_authority(session, name="Council B").id)
    here = make_authority(session)
    application, candidate = receive(session, here.id)
    same_person(session, application, candidate)
    session.commit()
    return entry, here, application, candidate


def decide(session, application, candidate, now=NOW, reason="Weighed; the driver is fit and proper."):
    """Record a manager's decision on the candidate."""
    return record_decision(
        session, manager(application.authority_id), application.id, candidate.id, reason, now
    )


def test_decision_is_stored_with_its_audit_and_clears_the_gate(session, revoked):
    entry, here, application, candidate = revoked
    decision = decide(session, application, candidate)
    stored = session.exec(select(AdverseDecision)).one()
    assert (stored.record_kind, stored.record_id, stored.information) == (
        "register_entry",
        entry.id,
        "not_requested",
    )
    assert (stored.decided_by, stored.authority_id, stored.screening_candidate_id) == (
        "Mina Manager",
        here.id,
        candidate.id,
    )
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "adverse_decision.recorded")).one()
    assert (event.record_kind, event.record_id) == ("application", application.id)
    assert event.detail["adverse_decision_id"] == decision.id and "Hussain" not in str(event.detail)
    status = gate_status(session, application, NOW, MAX_AGE)
    assert status.allowed is True
    assert status.cleared_by == [
        "Council B's revocation decided on 10 January 2025: weighed by Mina Manager on 23 November 2026. "
        "No s.3 request was made. Reason: Weighed; the driver is fit and proper."
    ]


def test_decision_links_the_answered_s3_request(session, revoked):
    entry, here, application, candidate = revoked
    body = {"register_entry_id": entry.id, "application_id": application.id, "request_text": "What happened?"}
    request = request_information(session, manager(here.id), body, NOW)
    recorder = Actor(kind="user", id=None, label="B officer", authority_id=entry.authority_id)
    respond(session, recorder, request.id, "Two complaints of harassment.", [], NOW + timedelta(days=3))
    decision = decide(session, application, candidate, NOW + timedelta(days=4))
    assert (decision.information, decision.information_request_id) == ("answered", request.id)
    [line] = gate_status(session, application, NOW + timedelta(days=4), MAX_AGE).cleared_by
    assert "The s.3 information was asked for on 23 November 2026 and answered on 26 November 2026." in line


def test_decision_waits_for_an_s3_request_within_its_20_working_days_then_records_it_unanswered(
    session, revoked
):
    entry, here, application, candidate = revoked
    body = {"register_entry_id": entry.id, "application_id": application.id, "request_text": "What happened?"}
    request = request_information(session, manager(here.id), body, NOW)
    session.commit()
    with pytest.raises(InvalidTransition, match="wait for the answer"):
        decide(session, application, candidate, NOW + timedelta(days=1))
    session.rollback()
    rescreen(session, manager(here.id), application.id, LATER)  # the first screening is stale by now
    again = only_candidate_after(session, application, LATER)
    same_person(session, application, again, LATER)
    decision = decide(session, application, again, LATER)
    assert (decision.information, decision.information_request_id) == ("unanswered", request.id)


def only_candidate_after(session, application, now) -> ScreeningCandidate:
    """Return the one candidate of the application's latest screening as of `now`."""
    screening_id = gate_status(session, application, now, MAX_AGE).screening_id
    query = select(ScreeningCandidate).where(ScreeningCandidate.screening_id == screening_id)
    return session.exec(query).one()


def test_decision_needs_an_officer_to_say_same_person_first(session):
    make_register_entry(session)
    application, candidate = receive(session, make_authority(session).id)
    with pytest.raises(InvalidTransition, match="must first say whether this is the same person"):
        decide(session, application, candidate)


def test_decision_on_a_record_ruled_not_the_same_person_is_refused(session):
    make_register_entry(session)
    application, candidate = receive(session, make_authority(session).id)
    actor = manager(application.authority_id)
    resolve_candidate(session, actor, candidate.screening_id, candidate.id, "not_same_person", "Twin.", NOW)
    with pytest.raises(InvalidTransition, match="nothing to decide"):
        decide(session, application, candidate)


def test_a_licence_elsewhere_needs_no_managers_decision(session):
    make_licence(session)
    application, candidate = receive(session, make_authority(session).id)
    same_person(session, application, candidate)
    with pytest.raises(InvalidTransition, match="Only an adverse record"):
        decide(session, application, candidate)


def test_a_second_decision_while_the_first_stands_is_refused(session, revoked):
    _, _, application, candidate = revoked
    decide(session, application, candidate)
    with pytest.raises(InvalidTransition, match="Mina Manager already decided"):
        decide(session, application, candidate)


def test_an_amended_entry_needs_a_new_decision(session, revoked):
    entry, _, application, candidate = revoked
    decide(session, application, candidate)
    recorder = Actor(kind="user", id=None, label="B officer", authority_id=entry.authority_id)
    amend_entry(
        session, recorder, entry.id, "amended", {"effective_on": date(2025, 2, 28)}, NOW + timedelta(hours=1)
    )
    status = gate_status(session, application, NOW + timedelta(hours=1), MAX_AGE)
    assert (status.allowed, status.undecided) == (False, [candidate.id])
    assert decide(session, application, candidate, NOW + timedelta(hours=2)).id == 2


def test_a_decision_stands_across_a_rescreen(session, revoked):
    _, here, application, candidate = revoked
    decide(session, application, candidate)
    rescreen(session, manager(here.id), application.id, NOW + timedelta(days=1))
    assert gate_status(session, application, NOW + timedelta(days=1), MAX_AGE).allowed is True


def test_the_councils_own_entry_and_police_intelligence_need_no_s3_request(session):
    here = make_authority(session)
    make_register_entry(session, authority_id=here.id)
    make_intelligence(session, make_police_force(session))
    fields = identity() | {"ref": "APP-1", "kind": "new", "licence_type": "phv", "received_on": NOW.date()}
    application = create_application(session, manager(here.id), fields, NOW).application
    status = gate_status(session, application, NOW, MAX_AGE)
    assert {f.candidate.candidate_kind for f in status.adverse_records} == {"register_entry", "intelligence"}
    for finding in status.adverse_records:
        same_person(session, application, finding.candidate)
        assert decide(session, application, finding.candidate).information == "not_applicable"
    assert gate_status(session, application, NOW, MAX_AGE).allowed is True


def test_decision_needs_a_reason(session, revoked):
    _, _, application, candidate = revoked
    with pytest.raises(ValidationFailed):
        decide(session, application, candidate, reason="  ")
    assert session.exec(select(AdverseDecision)).all() == []


def test_another_council_cannot_record_a_decision_on_the_application(session, revoked):
    _, _, application, candidate = revoked
    elsewhere = manager(make_authority(session).id)
    with pytest.raises(NotFound):
        record_decision(session, elsewhere, application.id, candidate.id, "Not ours.", NOW)
    assert session.exec(select(AdverseDecision)).all() == []


def test_a_candidate_of_an_older_screening_is_refused_by_name(session, revoked):
    # The application is there; the candidate asked about is not in its latest screening.
    _, here, application, candidate = revoked
    rescreen(session, manager(here.id), application.id, NOW + timedelta(hours=1))
    with pytest.raises(ValidationFailed) as refused:
        decide(session, application, candidate, NOW + timedelta(hours=1))
    assert refused.value.errors[0]["field"] == "candidate_id"

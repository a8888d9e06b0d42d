"""An officer's 'not the same person' ruling hides a pair from the grant gate until an identity changes."""

import pytest
from sqlalchemy import select

from licensing.errors import Forbidden, NotFound, ValidationFailed
from licensing.matching import person_from
from licensing.persistence.models import AuditEvent, PairDecision, ScreeningCandidate
from licensing.screening.key_index import index_record
from licensing.screening.rulings import rule_out
from licensing.screening.service import screen
from tests.factories import make_authority
from tests.licensing.test_screening import make_application, make_entry, officer


def _screen_application(session, application, authority, now):
    """Screen a stored application as the grant flow does."""
    return screen(
        session,
        officer(authority),
        person_from(application),
        purpose="application",
        now=now,
        own_authority_id=authority.id,
        application_id=application.id,
    )


@pytest.fixture
def pair(session):
    """Return (authority, application here, identical register entry elsewhere)."""
    here, there = make_authority(session), make_authority(session)
    return here, make_application(session, here), make_entry(session, there)


def test_ruled_out_candidate_is_kept_but_flagged_and_out_of_the_gate(session, now, pair):
    here, application, entry = pair
    rule_out(
        session,
        officer(here),
        "application",
        application.id,
        "register_entry",
        entry.id,
        "different person",
        now,
    )
    result = _screen_application(session, application, here, now)
    [candidate] = result.candidates
    assert candidate.id == entry.id
    assert candidate.suppressed_by == "previously ruled out by Officer Test on 2026-11-23"
    assert result.gating == []
    stored = session.scalars(select(ScreeningCandidate)).one()
    assert (stored.resolution, stored.resolved_by) == ("not_same_person", "Officer Test")


def test_ruling_is_stored_with_who_when_and_an_audit_event(session, now, pair):
    here, application, entry = pair
    rule_out(
        session, officer(here), "application", application.id, "register_entry", entry.id, "twin brother", now
    )
    decision = session.scalars(select(PairDecision)).one()
    assert (decision.decided_by, decision.decided_at, decision.reason) == (
        "Officer Test",
        now,
        "twin brother",
    )
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "candidate.ruled_out")).one()
    assert (event.record_kind, event.record_id) == ("application", application.id)


def test_ruling_twice_updates_the_one_ruling(session, now, pair):
    here, application, entry = pair
    for reason in ("first look", "second look"):
        rule_out(
            session, officer(here), "application", application.id, "register_entry", entry.id, reason, now
        )
    assert [d.reason for d in session.scalars(select(PairDecision))] == ["second look"]


def test_candidate_identity_change_lifts_the_ruling(session, now, pair):
    here, application, entry = pair
    rule_out(
        session, officer(here), "application", application.id, "register_entry", entry.id, "not him", now
    )
    entry.address = "99 Other Road, Elsewhere"
    index_record(session, "register_entry", entry)
    session.commit()
    [candidate] = _screen_application(session, application, here, now).candidates
    assert candidate.suppressed_by is None


def test_subject_identity_change_lifts_the_ruling(session, now, pair):
    here, application, entry = pair
    rule_out(
        session, officer(here), "application", application.id, "register_entry", entry.id, "not him", now
    )
    application.previous_names = "Imran Hussein"
    index_record(session, "application", application)
    session.commit()
    result = _screen_application(session, application, here, now)
    assert [c.id for c in result.gating] == [entry.id]


def test_ruling_covers_only_its_own_subject(session, now, pair):
    here, application, entry = pair
    rule_out(
        session, officer(here), "application", application.id, "register_entry", entry.id, "not him", now
    )
    other_application = make_application(session, here, ref="APP-2")
    result = _screen_application(session, other_application, here, now)
    assert [c.id for c in result.gating] == [entry.id]


def test_another_council_cannot_rule_on_this_councils_application(session, now, pair):
    _, application, entry = pair
    outsider = officer(make_authority(session))
    with pytest.raises(Forbidden):
        rule_out(session, outsider, "application", application.id, "register_entry", entry.id, "x", now)


def test_ruling_on_a_missing_record_is_not_found(session, now, pair):
    here, application, _ = pair
    with pytest.raises(NotFound):
        rule_out(session, officer(here), "application", application.id, "register_entry", 999_999, "x", now)


def test_only_applications_and_licences_can_be_subjects(session, now, pair):
    here, application, entry = pair
    with pytest.raises(ValidationFailed):
        rule_out(session, officer(here), "register_entry", entry.id, "application", application.id, "x", now)

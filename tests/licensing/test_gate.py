"""The grant gate: a recent screening of the application with every match or probable candidate resolved."""

from datetime import timedelta

import pytest
from sqlmodel import select

from licensing.actors import Actor
from licensing.applications import create_application
from licensing.errors import InvalidTransition
from licensing.gate import check_grant_allowed, gate_status, resolve_candidate
from licensing.models import ScreeningCandidate
from tests.factories import NOW, identity, make_authority, make_register_entry, make_screened_application

MAX_AGE = timedelta(days=30)


def council(authority_id: int) -> Actor:
    """Return an officer of the authority."""
    return Actor(kind="user", id=None, label="Officer", authority_id=authority_id)


def receive(session, now=NOW, **overrides):
    """Receive an application of the default identity at a new authority; return it."""
    authority = make_authority(session)
    fields = identity() | {"ref": "APP-1", "kind": "new", "licence_type": "phv", "received_on": now.date()}
    return create_application(session, council(authority.id), fields | overrides, now).application


def candidates(session, screening_id):
    """Return the candidates of a screening."""
    return session.exec(
        select(ScreeningCandidate).where(ScreeningCandidate.screening_id == screening_id)
    ).all()


def test_unscreened_application_is_refused(session):
    application = make_screened_application(session, screened_at=None)
    with pytest.raises(InvalidTransition, match="not been screened"):
        check_grant_allowed(session, application, NOW, MAX_AGE)


def test_screening_with_no_match_lets_the_grant_through(session):
    application = receive(session)
    assert check_grant_allowed(session, application, NOW, MAX_AGE) is None


@pytest.mark.parametrize(
    ("age", "allowed"), [(timedelta(days=30), True), (timedelta(days=30, seconds=1), False)]
)
def test_screening_older_than_the_maximum_age_is_refused(session, age, allowed):
    application = receive(session)
    status = gate_status(session, application, NOW + age, MAX_AGE)
    assert status.allowed is allowed
    assert status.fresh_until == NOW + MAX_AGE


def test_unresolved_match_is_refused_until_an_officer_resolves_it(session):
    make_register_entry(session)
    application = receive(session)
    status = gate_status(session, application, NOW, MAX_AGE)
    [candidate] = candidates(session, status.screening_id)
    assert (status.allowed, status.unresolved, candidate.band) == (False, [candidate.id], "match")
    actor = council(application.authority_id)
    resolve_candidate(
        session, actor, status.screening_id, candidate.id, "same_person", "Same NI number.", NOW
    )
    assert gate_status(session, application, NOW, MAX_AGE).allowed is True


def test_possible_and_weak_candidates_do_not_hold_the_grant(session):
    entry = make_register_entry(session, ni_number="AB999999C", driving_licence_number=None)
    application = receive(session, ni_number="AB555555C", postcode="LS1 1AA")
    screening_id = gate_status(session, application, NOW, MAX_AGE).screening_id
    for band in ("possible", "weak"):
        row = {"candidate_kind": "register_entry", "candidate_id": entry.id, "score": 0.5, "band": band}
        session.add(ScreeningCandidate(screening_id=screening_id, evidence=[], **row))
    session.commit()
    assert {c.band for c in candidates(session, screening_id)} == {"possible", "weak"}
    assert gate_status(session, application, NOW, MAX_AGE).allowed is True


def test_only_the_latest_screening_counts(session):
    make_register_entry(session)
    application = receive(session)
    first = gate_status(session, application, NOW, MAX_AGE).screening_id
    actor = council(application.authority_id)
    [candidate] = candidates(session, first)
    resolve_candidate(session, actor, first, candidate.id, "same_person", "Same person.", NOW)
    from licensing.applications import rescreen

    later = NOW + timedelta(days=1)
    rescreen(session, actor, application.id, later)
    status = gate_status(session, application, later, MAX_AGE)
    assert status.screening_id != first and status.allowed is False


def test_suppressed_candidate_counts_as_resolved(session):
    make_register_entry(session)
    application = receive(session)
    actor = council(application.authority_id)
    first = gate_status(session, application, NOW, MAX_AGE).screening_id
    [candidate] = candidates(session, first)
    resolve_candidate(session, actor, first, candidate.id, "not_same_person", "Other person.", NOW)
    from licensing.applications import rescreen

    second = rescreen(session, actor, application.id, NOW + timedelta(hours=1))
    [again] = candidates(session, second)
    assert again.resolution == "not_same_person"
    assert gate_status(session, application, NOW + timedelta(hours=1), MAX_AGE).allowed is True


def test_decided_application_is_refused(session):
    application = make_screened_application(session, status="refused")
    with pytest.raises(InvalidTransition, match="refused"):
        check_grant_allowed(session, application, NOW, MAX_AGE)

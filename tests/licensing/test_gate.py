"""The grant gate: a recent screening of the application with every match or probable candidate resolved."""

from datetime import date, timedelta

import pytest
from sqlmodel import select

from licensing.actors import Actor
from licensing.errors import InvalidTransition
from licensing.licences.applications import create_application
from licensing.licences.gate import check_grant_allowed, gate_status, resolve_candidate, screen_identity
from licensing.persistence import unit_of_work
from licensing.persistence.models import AuditEvent, Screening, ScreeningCandidate
from tests.factories import (
    NOW,
    identity,
    make_authority,
    make_licence,
    make_register_entry,
    make_screened_application,
)
from tests.units import count_of

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


def test_unresolved_match_with_a_licence_elsewhere_is_refused_until_an_officer_resolves_it(session):
    make_licence(session)
    application = receive(session)
    status = gate_status(session, application, NOW, MAX_AGE)
    [candidate] = candidates(session, status.screening_id)
    assert (status.allowed, status.unresolved, candidate.band) == (False, [candidate.id], "match")
    assert status.reasons == [
        f"1 candidate(s) in the match or probable band of screening {status.screening_id} "
        "must be resolved by an officer first."
    ]
    actor = council(application.authority_id)
    resolve_candidate(
        session, actor, status.screening_id, candidate.id, "same_person", "Same NI number.", NOW
    )
    assert gate_status(session, application, NOW, MAX_AGE).allowed is True


def test_possible_licence_and_weak_adverse_candidates_do_not_hold_the_grant(session):
    someone_else = {"given_names": "Gareth", "family_name": "Llewellyn", "date_of_birth": date(1970, 1, 1)}
    someone_else |= {"ni_number": None, "driving_licence_number": None, "postcode": "CF10 1AA"}
    entry = make_register_entry(session, **someone_else)
    licence = make_licence(session, **someone_else)
    application = receive(session)
    screening_id = gate_status(session, application, NOW, MAX_AGE).screening_id
    for kind, record, band in (("licence", licence, "possible"), ("register_entry", entry, "weak")):
        row = {"candidate_kind": kind, "candidate_id": record.id, "score": 0.3, "band": band}
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
    from licensing.licences.applications import rescreen

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
    from licensing.licences.applications import rescreen

    second = rescreen(session, actor, application.id, NOW + timedelta(hours=1))
    [again] = candidates(session, second)
    assert again.resolution == "not_same_person"
    assert gate_status(session, application, NOW + timedelta(hours=1), MAX_AGE).allowed is True


def test_decided_application_is_refused(session):
    application = make_screened_application(session, status="refused")
    with pytest.raises(InvalidTransition, match="refused"):
        check_grant_allowed(session, application, NOW, MAX_AGE)


# Issue 18: an adverse record (a register entry, or police intelligence) holds the grant from the
# `possible` band up, and "same person" on one needs a manager's decision before a grant.

CHAUDHARY = {
    "date_of_birth": date(1988, 6, 2),
    "address": "9 High Street, Bradford",
    "postcode": "BD1 1AA",
    "ni_number": None,
    "driving_licence_number": None,
}


def revoked_as_adil_chaudhary(session, **overrides):
    """Record council B's sexual-offences revocation of "Adil Chaudhary"; return it."""
    council_b = make_authority(session, name="Council B")
    fields = CHAUDHARY | {"given_names": "Adil", "family_name": "Chaudhary", "category": "sexual_offences"}
    return make_register_entry(session, authority_id=council_b.id, **(fields | overrides))


def receive_adeel_chaudhry(session, now=NOW):
    """Receive an application from "Adeel Chaudhry", day and month of birth swapped, no address: possible."""
    person = CHAUDHARY | {"given_names": "Adeel", "family_name": "Chaudhry"}
    person |= {"date_of_birth": date(1988, 2, 6), "address": "", "postcode": None}
    return receive(session, now, **person)


def test_unresolved_possible_match_with_another_councils_revocation_holds_the_grant(session):
    revoked_as_adil_chaudhary(session)
    application = receive_adeel_chaudhry(session)
    status = gate_status(session, application, NOW, MAX_AGE)
    [candidate] = candidates(session, status.screening_id)
    assert (candidate.candidate_kind, candidate.band) == ("register_entry", "possible")
    assert status.allowed is False
    assert status.unresolved == [candidate.id]
    assert "Resolve the possible match with Council B's revocation" in " ".join(status.reasons)


def test_same_person_on_an_adverse_record_holds_the_grant_until_a_manager_decides(session):
    make_register_entry(session, authority_id=make_authority(session, name="Council B").id)
    application = receive(session)
    status = gate_status(session, application, NOW, MAX_AGE)
    [candidate] = candidates(session, status.screening_id)
    actor = council(application.authority_id)
    resolve_candidate(session, actor, status.screening_id, candidate.id, "same_person", "Same NI.", NOW)
    status = gate_status(session, application, NOW, MAX_AGE)
    assert status.allowed is False
    assert status.reasons[0].startswith("A manager must record a decision on Council B's revocation")
    with pytest.raises(InvalidTransition, match="A manager must record a decision"):
        check_grant_allowed(session, application, NOW, MAX_AGE)


def test_own_councils_earlier_refusal_is_screened(session):
    here = make_authority(session)
    make_register_entry(
        session, authority_id=here.id, decision="refusal_of_grant", decided_on=date(2020, 5, 4),
        effective_on=date(2020, 5, 4), given_names="Imran", family_name="Hussein",
    )  # fmt: skip
    fields = identity() | {"ref": "APP-9", "kind": "new", "licence_type": "phv", "received_on": NOW.date()}
    application = create_application(session, council(here.id), fields, NOW).application
    status = gate_status(session, application, NOW, MAX_AGE)
    [candidate] = candidates(session, status.screening_id)
    assert candidate.candidate_kind == "register_entry"
    assert status.allowed is False
    assert "this council's own refusal of grant" in " ".join(status.reasons)


def test_an_ad_hoc_screening_its_record_and_the_audit_of_what_it_shows_are_one_unit_of_work(session, engine):
    found = make_register_entry(session)  # another council's entry: showing it is audited
    screener = council(make_authority(session).id)
    with pytest.raises(RuntimeError, match="after the screening"), unit_of_work.writing(engine) as unit:
        detail = screen_identity(unit, screener, identity(), "Pre-licensing check", NOW)
        assert [c["candidate"].candidate_id for c in detail.candidates] == [found.id]
        raise RuntimeError("the request failed after the screening")

    assert count_of(engine, Screening) == 0
    done = AuditEvent.action.in_(("screening.run", "register_entry.viewed"))
    assert count_of(engine, AuditEvent, done) == 0
    with unit_of_work.writing(engine) as unit:
        screen_identity(unit, screener, identity(), "Pre-licensing check", NOW)
    assert (count_of(engine, Screening), count_of(engine, AuditEvent, done)) == (1, 2)

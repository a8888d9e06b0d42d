"""Applications as a service: received, indexed and screened in one unit of work; withdrawn or refused."""

import pytest
from sqlmodel import select

from licensing.actors import Actor
from licensing.errors import DuplicateReference, Forbidden, InvalidTransition, NotFound, ValidationFailed
from licensing.licences import applications
from licensing.persistence.models import Application, AuditEvent, MatchKey, RegisterEntry, Screening
from licensing.screening.key_index import KIND_CODES
from tests.factories import NOW, identity, make_authority, make_licence
from tests.units import in_unit

POLICE = Actor(kind="api_client", id=None, label="Police", police_force_id=1)


def council(authority_id: int) -> Actor:
    """Return an officer of the authority."""
    return Actor(kind="user", id=None, label="Officer", authority_id=authority_id)


def fields(**overrides) -> dict:
    """Return the fields of an application of the default identity."""
    values = identity() | {"ref": "APP-1", "kind": "new", "licence_type": "dual", "received_on": NOW.date()}
    return values | {"previous_names": ["Imran Hussein"]} | overrides


def test_receiving_an_application_indexes_and_screens_it_at_once(session, engine):
    make_licence(session)
    authority = make_authority(session)
    view = in_unit(engine, applications.create_application, council(authority.id), fields(), NOW)
    stored = session.get(Application, view.application.id)  # the application and its screening: one unit
    assert stored.previous_names == "Imran Hussein"
    assert session.exec(select(MatchKey).where(MatchKey.record_kind == KIND_CODES["application"])).all()
    screening = session.exec(select(Screening)).one()
    assert (screening.application_id, screening.purpose, screening.created_at) == (
        stored.id,
        "application",
        NOW,
    )
    assert (view.screening.candidates, view.screening.bands["match"]) == (1, 1)
    actions = [e.action for e in session.exec(select(AuditEvent).order_by(AuditEvent.id))]
    assert actions[-2:] == ["application.created", "screening.run"]


def test_screening_leaves_out_the_councils_own_records(session):
    authority = make_authority(session)
    make_licence(session, authority_id=authority.id)
    view = applications.create_application(session, council(authority.id), fields(), NOW)
    assert view.screening.candidates == 0


def test_an_invalid_identifier_is_kept_and_flagged_on_the_application(session, engine):
    authority = make_authority(session)
    view = in_unit(
        engine, applications.create_application, council(authority.id), fields(ni_number="12345"), NOW
    )
    stored = session.get(Application, view.application.id)
    assert stored.ni_number == "12345"
    assert stored.identity_warnings == [{"field": "ni_number", "warning": "not valid"}]


def test_duplicate_reference_is_refused_and_writes_nothing(session, engine):
    authority = make_authority(session)
    in_unit(engine, applications.create_application, council(authority.id), fields(), NOW)
    with pytest.raises(DuplicateReference):
        in_unit(
            engine, applications.create_application, council(authority.id), fields(given_names="Ali"), NOW
        )
    assert len(session.exec(select(Application)).all()) == 1


def test_blank_names_are_refused(session):
    with pytest.raises(ValidationFailed):
        applications.create_application(
            session, council(make_authority(session).id), fields(family_name=" "), NOW
        )


def test_police_cannot_receive_an_application(session):
    with pytest.raises(Forbidden):
        applications.create_application(session, POLICE, fields(), NOW)


def test_council_cannot_read_another_councils_application(session):
    view = applications.create_application(session, council(make_authority(session).id), fields(), NOW)
    with pytest.raises(NotFound):
        applications.get_application(session, council(make_authority(session).id), view.application.id)


def test_refusal_records_the_register_entry_in_the_same_change(session):
    authority = make_authority(session)
    actor = council(authority.id)
    view = applications.create_application(session, actor, fields(), NOW)
    refused = applications.refuse(session, actor, view.application.id, NOW, register={"category": "driving"})
    assert (refused.application.status, refused.application.decided_on) == ("refused", NOW.date())
    entry = session.exec(select(RegisterEntry)).one()
    assert (entry.decision, entry.category, entry.effective_on) == ("refusal_of_grant", "driving", NOW.date())
    with pytest.raises(InvalidTransition):
        applications.withdraw(session, actor, view.application.id, NOW)

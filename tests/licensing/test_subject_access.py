"""Subject access: every record held about a person, who screened or viewed them, and nothing else."""

from dataclasses import dataclass
from datetime import date

import pytest
from sqlalchemy import select

from licensing.actors import Actor
from licensing.errors import Forbidden, ValidationFailed
from licensing.intelligence.routing import push_intelligence, withdraw_intelligence
from licensing.licences.gate import view_screening
from licensing.licences.lifecycle import change_status
from licensing.persistence.models import AuditEvent
from licensing.subject_access import FOUND_BANDS, export_subject
from tests.factories import (
    NOW,
    identity,
    make_authority,
    make_licence,
    make_police_force,
    make_register_entry,
    make_screening,
)

ADMIN = Actor(kind="api_client", id=99, label="Admin client", scopes=frozenset({"admin"}))
UNRELATED = {
    "given_names": "Gareth",
    "family_name": "Llewellyn",
    "date_of_birth": date(1970, 1, 1),
    "ni_number": "CE654321A",
    "driving_licence_number": "LLEWE701010G99CD",
    "postcode": "CF10 1AA",
    "address": "3 Other Road, Elsewhere",
}


@dataclass
class World:
    """The subject's records in three councils and a force, and an unrelated person's."""

    entry: object
    licence: object
    intelligence: object
    withdrawn: object
    screening_id: int
    unrelated_licence: object
    unrelated_screening_id: int


def officer(authority_id: int) -> Actor:
    """Return an officer of one authority."""
    return Actor(kind="user", id=None, label=f"Officer of {authority_id}", authority_id=authority_id)


def police(force_id: int) -> Actor:
    """Return a police client of one force."""
    return Actor(kind="api_client", id=7, label="Force client", police_force_id=force_id)


def intelligence(reference: str, **overrides) -> dict:
    """Return a pushed intelligence body about the default identity."""
    body = identity() | {"category": "arrest", "occurred_on": date(2026, 10, 1)}
    return body | {"summary": "Restricted police detail", "shareable_summary": "Arrested"} | overrides


@pytest.fixture
def world(session) -> World:
    """Build the subject's records, screen and view them, and an unrelated person's records."""
    recorder, issuer, screener = make_authority(session), make_authority(session), make_authority(session)
    force = make_police_force(session)
    entry = make_register_entry(session, authority_id=recorder.id)
    licence = make_licence(session, authority_id=issuer.id)
    off_register = {"record_register_entry": False, "not_recorded_reason": "Vehicle test failed."}
    change_status(
        session, officer(issuer.id), licence.id, "suspend", effective_on=date(2026, 11, 1), now=NOW,
        register=off_register,
    )  # fmt: skip
    item = push_intelligence(session, police(force.id), "REF-1", intelligence("REF-1"), NOW).intelligence
    old = push_intelligence(session, police(force.id), "REF-2", intelligence("REF-2"), NOW).intelligence
    withdraw_intelligence(session, police(force.id), "REF-2", "No further action", NOW)
    screening = make_screening(session, authority_id=screener.id)
    view_screening(session, officer(screener.id), screening.screening_id, NOW)
    other = make_licence(session, authority_id=issuer.id, **UNRELATED)
    other_screening = make_screening(session, authority_id=screener.id, **UNRELATED)
    return World(entry, licence, item, old, screening.screening_id, other, other_screening.screening_id)


def exported(session, **subject):
    """Export the subject through the service as an administrator."""
    return export_subject(session, ADMIN, subject or identity(), NOW)


def test_export_finds_the_subjects_records_of_every_kind_and_status(session, world):
    export = exported(session)
    held = {(r["kind"], r["id"]) for r in export.records}
    assert held == {
        ("register_entry", world.entry.id),
        ("licence", world.licence.id),
        ("intelligence", world.intelligence.id),
        ("intelligence", world.withdrawn.id),
    }
    assert all(r["band"] in FOUND_BANDS for r in export.records)
    licence = next(r for r in export.records if r["kind"] == "licence")
    assert licence["status"] == "suspended"
    assert [h["change"] for h in licence["history"]][-1] == "suspended"
    entry = next(r for r in export.records if r["kind"] == "register_entry")
    assert [h["change"] for h in entry["history"]] == ["recorded"]


def test_export_excludes_an_unrelated_person(session, world):
    export = exported(session)
    assert ("licence", world.unrelated_licence.id) not in {(r["kind"], r["id"]) for r in export.records}
    assert world.unrelated_screening_id not in {s["id"] for s in export.screenings}
    assert all(
        e["record_id"] != world.unrelated_licence.id or e["record_kind"] != "licence"
        for e in export.audit_trail
    )


def test_export_lists_who_screened_and_viewed_the_subject(session, world):
    export = exported(session)
    screening = next(s for s in export.screenings if s["id"] == world.screening_id)
    assert {c["kind"] for c in screening["candidates"]} >= {"register_entry", "licence"}
    actions = {(e["action"], e["record_kind"], e["record_id"]) for e in export.audit_trail}
    assert ("screening.run", "screening", world.screening_id) in actions
    assert ("register_entry.recorded", "register_entry", world.entry.id) in actions
    assert ("register_entry.viewed", "register_entry", world.entry.id) in actions
    assert ("licence.suspended", "licence", world.licence.id) in actions


def test_intelligence_is_listed_by_force_reference_without_its_content(session, world):
    export = exported(session)
    items = [r for r in export.records if r["kind"] == "intelligence"]
    assert {i["force_reference"] for i in items} == {"REF-1", "REF-2"}
    assert all("summary" not in i and "shareable_summary" not in i for i in items)
    assert "Sch. 2" in export.intelligence_note


def test_an_ni_number_alone_finds_the_subject(session, world):
    export = exported(session, ni_number="AB 12 34 56 C")
    assert ("licence", world.licence.id) in {(r["kind"], r["id"]) for r in export.records}


def test_export_is_audited_without_personal_data(session, world):
    export = exported(session)
    event = session.scalars(select(AuditEvent).where(AuditEvent.id == export.audit_event_id)).one()
    assert (event.action, event.actor_label) == ("subject_access.exported", "Admin client")
    stored = str(event.detail) + event.reason
    assert "Hussain" not in stored and "AB123456C" not in stored and "1985" not in stored


def test_export_needs_names_with_a_date_of_birth_or_an_identifier(session):
    with pytest.raises(ValidationFailed):
        export_subject(session, ADMIN, {"given_names": "Imran", "family_name": "Hussain"}, NOW)


def test_only_an_administrator_may_export(session, world):
    council = Actor(
        kind="api_client", id=1, label="Council", authority_id=1, scopes=frozenset({"council:read"})
    )
    with pytest.raises(Forbidden):
        export_subject(session, council, identity(), NOW)


def test_an_invalid_identifier_is_refused_not_searched_for(session):
    make_licence(session, **identity(ni_number="12345"))
    with pytest.raises(ValidationFailed) as refused:
        export_subject(session, ADMIN, {"given_names": "", "family_name": "", "ni_number": "12345"}, NOW)
    assert refused.value.errors[0]["field"] == "ni_number"

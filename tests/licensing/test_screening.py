"""Screening finds candidates only through the match-key index, and records what it did."""

from datetime import date

from sqlalchemy import func, insert, select

from licensing.actors import Actor
from licensing.matching import person_from, person_of
from licensing.persistence.models import (
    Application,
    AuditEvent,
    Intelligence,
    Licence,
    MatchKey,
    RegisterEntry,
    Screening,
    ScreeningCandidate,
)
from licensing.screening.candidates import MAX_KEY_HITS, find
from licensing.screening.key_index import drop_record, index_record, keys_of
from licensing.screening.service import screen
from tests.factories import NOW, identity, make_authority, make_police_force


def make_entry(session, authority, **overrides) -> RegisterEntry:
    """Create a current register entry with its match keys."""
    fields = identity() | {
        "authority_id": authority.id,
        "ref": f"RE-{authority.id}",
        "decision": "revocation",
    }
    fields |= {"decided_on": date(2025, 1, 10), "effective_on": date(2025, 1, 31)}
    fields |= {"first_recorded_at": NOW, "updated_at": NOW}
    return _stored(session, "register_entry", RegisterEntry(**(fields | overrides)))


def make_licence(session, authority, **overrides) -> Licence:
    """Create an active licence with its match keys."""
    fields = identity() | {"authority_id": authority.id, "ref": "LIC-1", "badge_number": "B1"}
    fields |= {"licence_type": "phv", "granted_on": date(2025, 1, 1), "expires_on": date(2028, 1, 1)}
    fields |= {"created_at": NOW, "updated_at": NOW}
    return _stored(session, "licence", Licence(**(fields | overrides)))


def make_application(session, authority, **overrides) -> Application:
    """Create a pending application with its match keys."""
    fields = identity() | {"authority_id": authority.id, "ref": "APP-1", "kind": "new", "licence_type": "phv"}
    fields |= {"received_on": date(2026, 11, 1), "created_at": NOW, "updated_at": NOW}
    return _stored(session, "application", Application(**(fields | overrides)))


def make_intelligence(session, force, **overrides) -> Intelligence:
    """Create active intelligence with its match keys."""
    fields = identity() | {"police_force_id": force.id, "force_reference": "INT-1", "category": "arrest"}
    fields |= {"occurred_on": date(2026, 10, 1), "created_at": NOW, "updated_at": NOW}
    return _stored(session, "intelligence", Intelligence(**(fields | overrides)))


def _stored(session, kind, record):
    session.add(record)
    session.flush()
    index_record(session, kind, record)
    session.commit()
    return record


def officer(authority) -> Actor:
    """Return an officer of `authority`."""
    return Actor(kind="user", id=7, label="Officer Test", authority_id=authority.id)


def applicant(**overrides):
    """Return the default synthetic identity as a Person."""
    return person_of(identity() | {"previous_names": ""} | overrides)


def test_identical_person_is_found_as_match_in_every_kind(session, now):
    here, there = make_authority(session), make_authority(session)
    entry = make_entry(session, there)
    licence = make_licence(session, there)
    application = make_application(session, there)
    intel = make_intelligence(session, make_police_force(session))
    result = screen(session, officer(here), applicant(), purpose="ad_hoc", now=now, own_authority_id=here.id)
    found = {(c.kind, c.id): c for c in result.candidates}
    expected = {
        ("register_entry", entry.id),
        ("licence", licence.id),
        ("application", application.id),
        ("intelligence", intel.id),
    }
    assert set(found) == expected
    assert {c.band for c in found.values()} == {"match"}
    assert found[("intelligence", intel.id)].ref == "INT-1"


def test_unrelated_person_is_not_a_candidate(session, now):
    here, there = make_authority(session), make_authority(session)
    make_entry(session, there)
    other = applicant(
        given_names="Sarah",
        family_name="Morgan",
        date_of_birth=date(1964, 7, 5),
        ni_number="JT654321A",
        driving_licence_number="MORGA657054SM9IJ",
        postcode="LS1 4AP",
    )
    result = screen(session, officer(here), other, purpose="ad_hoc", now=now, own_authority_id=here.id)
    assert result.candidates == []


def test_own_authority_licences_and_applications_are_left_out_but_its_register_entries_kept(session, now):
    here, there = make_authority(session), make_authority(session)
    mine = make_entry(session, here, ref="MINE")
    make_licence(session, here)
    make_application(session, here)
    theirs = make_entry(session, there, ref="THEIRS")
    result = screen(session, officer(here), applicant(), purpose="ad_hoc", now=now, own_authority_id=here.id)
    found = {(c.kind, c.id) for c in result.candidates}
    assert found == {("register_entry", mine.id), ("register_entry", theirs.id)}


def test_ineligible_records_are_not_candidates(session, now):
    here, there = make_authority(session), make_authority(session)
    make_entry(session, there, status="overturned")
    make_licence(session, there, status="expired")
    make_application(session, there, status="granted")
    make_intelligence(session, make_police_force(session), status="withdrawn")
    result = screen(session, officer(here), applicant(), purpose="ad_hoc", now=now)
    assert result.candidates == []


def test_record_without_keys_is_never_returned_even_if_identical(session, now):
    here, there = make_authority(session), make_authority(session)
    unkeyed = make_entry(session, there, ref="UNKEYED")
    drop_record(session, "register_entry", unkeyed.id)
    keyed = make_entry(session, there, ref="KEYED")
    session.commit()
    result = screen(session, officer(here), applicant(), purpose="ad_hoc", now=now)
    assert [c.id for c in result.candidates] == [keyed.id]


def test_changing_identity_replaces_its_keys(session):
    there = make_authority(session)
    entry = make_entry(session, there)
    entry.family_name, entry.date_of_birth, entry.ni_number = "Morgan", date(1964, 7, 5), "JT654321A"
    index_record(session, "register_entry", entry)
    session.commit()
    stored = set(session.scalars(select(MatchKey.key_hash).where(MatchKey.record_id == entry.id)))
    dropped = keys_of(applicant()).keys - keys_of(person_from(entry)).keys
    assert stored == keys_of(person_from(entry)).keys
    assert dropped and stored.isdisjoint(dropped)


def test_screening_is_recorded_with_candidates_and_audit(session, now):
    here, there = make_authority(session), make_authority(session)
    entry = make_entry(session, there)
    result = screen(session, officer(here), applicant(), purpose="ad_hoc", now=now, reason="pre-application")
    screening = session.get(Screening, result.screening_id)
    assert (screening.authority_id, screening.actor_label, screening.reason) == (
        here.id,
        "Officer Test",
        "pre-application",
    )
    rows = session.scalars(
        select(ScreeningCandidate).where(ScreeningCandidate.screening_id == screening.id)
    ).all()
    assert [(r.candidate_kind, r.candidate_id, r.band) for r in rows] == [
        ("register_entry", entry.id, "match")
    ]
    assert rows[0].evidence == result.candidates[0].evidence
    events = session.scalars(select(AuditEvent).where(AuditEvent.record_kind == "screening")).all()
    assert [(e.record_id, e.actor_label) for e in events] == [(screening.id, "Officer Test")]


def test_unrecorded_screening_writes_nothing(session, now):
    here, there = make_authority(session), make_authority(session)
    make_entry(session, there)
    result = screen(session, officer(here), applicant(), purpose="ad_hoc", now=now, record=False)
    assert result.screening_id is None and len(result.candidates) == 1
    assert session.scalar(select(func.count()).select_from(Screening)) == 0


def test_min_score_above_every_score_leaves_no_candidates(session, now):
    here, there = make_authority(session), make_authority(session)
    make_entry(session, there)
    result = screen(
        session, officer(here), applicant(), purpose="ad_hoc", now=now, min_score=1.01, record=False
    )
    assert result.candidates == []


def test_application_being_screened_is_not_its_own_candidate(session, now):
    here = make_authority(session)
    application = make_application(session, here)
    result = screen(
        session,
        officer(here),
        person_from(application),
        purpose="application",
        now=now,
        application_id=application.id,
    )
    assert result.candidates == []


def test_reindex_rebuilds_lost_keys(session, now):
    from licensing.screening.key_index import reindex

    here, there = make_authority(session), make_authority(session)
    entry = make_entry(session, there)
    drop_record(session, "register_entry", entry.id)
    session.commit()
    reindex(session)
    result = screen(session, officer(here), applicant(), purpose="ad_hoc", now=now, record=False)
    assert [c.id for c in result.candidates] == [entry.id]


def test_a_key_shared_by_too_many_records_finds_and_loads_nothing(session):
    here = make_authority(session)
    licence = make_licence(session, here)
    own_key = min(keys_of(person_from(licence)).keys)
    common = 12345
    # Records of no consequence sharing one key past the cap: none of them exists as a licence.
    shared = [{"key_hash": common, "record_kind": 2, "record_id": 10_000 + i} for i in range(MAX_KEY_HITS)]
    shared.append({"key_hash": common, "record_kind": 2, "record_id": licence.id})
    session.execute(insert(MatchKey), shared)
    session.commit()

    assert find(session, {"a": {common}}, ["licence"]) == ({"a": set()}, {})
    hits, loaded = find(session, {"a": {common}, "b": {common, own_key}}, ["licence"])
    assert hits == {"a": set(), "b": {("licence", licence.id)}}
    assert set(loaded) == {("licence", licence.id)}


def test_find_loads_only_eligible_records_of_the_kinds_asked_for(session):
    here, force = make_authority(session), make_police_force(session)
    licence = make_licence(session, here)
    intelligence = make_intelligence(session, force)
    revoked = make_licence(session, here, ref="LIC-2", badge_number="B2", status="revoked")
    keys = set(keys_of(person_from(licence)).keys)

    hits, loaded = find(session, {"a": keys}, ["licence"])

    assert {("licence", licence.id), ("licence", revoked.id), ("intelligence", intelligence.id)} <= hits["a"]
    assert set(loaded) == {("licence", licence.id)}
    assert loaded[("licence", licence.id)].person == person_from(licence)

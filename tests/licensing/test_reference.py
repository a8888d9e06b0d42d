"""Reference data: the bundled files are sane, loading is an idempotent upsert, additions are checked."""

import re

import pytest
from sqlmodel import func, select

from licensing.audit import log as audit
from licensing.errors import DuplicateReference, ValidationFailed
from licensing.persistence.models import AuditEvent, Authority, PoliceForce
from licensing.reference import (
    AUTHORITIES_CSV,
    AUTHORITY_CODE,
    NATION_BY_PREFIX,
    POLICE_FORCE_CODE,
    POLICE_FORCES_CSV,
    TFL_CODE,
    add_authority,
    authority_by_code,
    list_authorities,
    load_reference,
    read_rows,
)

AUTHORITIES = read_rows(AUTHORITIES_CSV)
FORCES = read_rows(POLICE_FORCES_CSV)


def _count(session, model) -> int:
    return session.exec(select(func.count()).select_from(model)).one()


def test_authority_codes_are_unique_gss_council_codes_or_tfl():
    codes = [row["code"] for row in AUTHORITIES]
    assert len(codes) == len(set(codes))
    odd = [c for c in codes if not AUTHORITY_CODE.match(c) and c != TFL_CODE]
    assert odd == []


def test_each_authority_nation_matches_its_code():
    assert all(NATION_BY_PREFIX[row["code"][0]] == row["nation"] for row in AUTHORITIES)
    assert all(row["name"] for row in AUTHORITIES)


def test_authorities_cover_england_outside_london_plus_tfl_wales_and_scotland():
    by_nation = {n: sum(r["nation"] == n for r in AUTHORITIES) for n in ("england", "wales", "scotland")}
    # 263 district, unitary and metropolitan councils outside London, plus Transport for London.
    assert by_nation == {"england": 264, "wales": 22, "scotland": 32}


def test_london_boroughs_are_collapsed_into_tfl():
    codes = {row["code"] for row in AUTHORITIES}
    assert not any(code.startswith("E09") for code in codes)
    assert TFL_CODE in codes


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("E06000063", "Cumberland"),
        ("E06000064", "Westmorland and Furness"),
        ("E06000065", "North Yorkshire"),
        ("E06000066", "Somerset"),
        ("E08000031", "Wolverhampton"),
        ("E08000038", "Barnsley"),
        ("E08000039", "Sheffield"),
        ("W06000015", "Cardiff"),
        ("S12000049", "Glasgow City"),
    ],
)
def test_current_codes_after_reorganisations_are_present(code, name):
    assert {"code": code, "name": name} in [{"code": r["code"], "name": r["name"]} for r in AUTHORITIES]


@pytest.mark.parametrize("abolished", ["E07000026", "E07000163", "E07000246", "E07000150", "E08000016"])
def test_abolished_or_recoded_districts_are_absent(abolished):
    assert abolished not in {row["code"] for row in AUTHORITIES}


def test_police_forces_are_the_43_of_england_and_wales_and_police_scotland():
    codes = [row["code"] for row in FORCES]
    assert len(codes) == len(set(codes)) == 44
    assert all(POLICE_FORCE_CODE.match(code) for code in codes)
    assert all(NATION_BY_PREFIX[row["code"][0]] == row["nation"] for row in FORCES)
    assert sum(row["nation"] == "wales" for row in FORCES) == 4


def test_loading_adds_every_authority_and_force(session, now):
    counts = load_reference(session, now)

    assert counts.authorities.added == len(AUTHORITIES) == _count(session, Authority)
    assert counts.police_forces.added == len(FORCES) == _count(session, PoliceForce)
    assert authority_by_code(session, "e08000031").name == "Wolverhampton"


def test_loading_twice_changes_nothing(session, now):
    load_reference(session, now)
    events = _count(session, AuditEvent)

    again = load_reference(session, now)

    assert (again.authorities.added, again.authorities.updated) == (0, 0)
    assert again.authorities.unchanged == len(AUTHORITIES)
    assert _count(session, Authority) == len(AUTHORITIES)
    assert _count(session, AuditEvent) == events


def test_loading_renames_an_authority_whose_name_changed(session, now):
    load_reference(session, now)
    wolverhampton = authority_by_code(session, "E08000031")
    wolverhampton.name = "Old Name"
    session.add(wolverhampton)
    session.commit()

    counts = load_reference(session, now)

    assert counts.authorities.updated == 1
    assert authority_by_code(session, "E08000031").name == "Wolverhampton"
    assert _count(session, Authority) == len(AUTHORITIES)


def test_loading_is_audited_and_the_chain_verifies(session, now):
    load_reference(session, now)

    event = session.exec(select(AuditEvent)).one()
    assert event.action == "reference.loaded"
    assert event.detail["authorities"]["added"] == len(AUTHORITIES)
    assert audit.verify(session).ok


def test_adding_an_authority_stores_it_normalised_and_audits_it(session, now):
    authority = add_authority(session, " w06000099 ", " New Council ", "Wales", now=now)

    assert (authority.code, authority.name, authority.nation) == ("W06000099", "New Council", "wales")
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "authority.added")).one()
    assert event.record_id == authority.id


def test_adding_a_code_already_held_is_refused(session, now):
    add_authority(session, "E07000999", "First", "england", now=now)

    with pytest.raises(DuplicateReference):
        add_authority(session, "E07000999", "Second", "england", now=now)
    assert [a.name for a in list_authorities(session)] == ["First"]


@pytest.mark.parametrize(
    ("code", "name", "nation", "field"),
    [
        ("E10000001", "A county council", "england", "code"),
        ("E0800003", "Too short", "england", "code"),
        ("N09000003", "Belfast", "england", "code"),
        ("E08000040", "", "england", "name"),
        ("E08000040", "Somewhere", "ireland", "nation"),
        ("S12000099", "Somewhere", "england", "nation"),
    ],
)
def test_adding_an_invalid_authority_is_refused(session, now, code, name, nation, field):
    with pytest.raises(ValidationFailed) as refused:
        add_authority(session, code, name, nation, now=now)

    assert field in [e["field"] for e in refused.value.errors]
    assert _count(session, Authority) == 0


def test_listing_filters_by_nation(session, now):
    load_reference(session, now)

    welsh = list_authorities(session, "wales")

    assert len(welsh) == 22
    assert {a.nation for a in welsh} == {"wales"}
    assert re.match(r"^W06", welsh[0].code)

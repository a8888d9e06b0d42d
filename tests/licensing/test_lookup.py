"""Who licenses this driver: the enforcement quick check and the public check."""

from datetime import date, datetime

import pytest
from sqlmodel import select

from licensing.actors import Actor
from licensing.errors import Forbidden, NotFound, ValidationFailed
from licensing.licences import lookup
from licensing.persistence.models import AuditEvent, Licence
from tests.factories import make_authority, make_licence, make_police_force

TODAY = date(2026, 11, 23)
NOW = datetime(2026, 11, 23, 10, 0)
DLN = "HUSSA803145I99AB"


def officer(session) -> Actor:
    """Return an enforcement officer of a council of their own."""
    return Actor(kind="user", id=3, label="Enforcement Officer", authority_id=make_authority(session).id)


@pytest.mark.parametrize(
    ("status", "expires_on", "shown"),
    [
        ("active", date(2027, 1, 1), "current"),
        ("active", TODAY, "current"),  # valid to the end of its expiry day
        ("active", date(2026, 11, 22), "expired"),  # not yet marked expired by the nightly job
        ("suspended", date(2027, 1, 1), "suspended"),
        ("suspended", date(2026, 1, 1), "expired"),
        ("revoked", date(2027, 1, 1), "revoked"),
        ("surrendered", date(2027, 1, 1), "surrendered"),
        ("expired", date(2026, 1, 1), "expired"),
    ],
)
def test_public_status_table(status, expires_on, shown):
    licence = Licence(status=status, expires_on=expires_on)
    assert lookup.public_status(licence, TODAY) == shown


def test_public_check_by_badge_shows_the_licence_and_its_council(session):
    authority = make_authority(session, code="E08000031", name="City of Wolverhampton Council")
    make_licence(session, authority_id=authority.id, badge_number="PH12345", display_name="Imran H.")
    (found,) = lookup.public_check(session, authority_code="e08000031 ", badge_number=" PH12345", today=TODAY)
    assert (found.badge_number, found.public_status, found.display_name) == ("PH12345", "current", "Imran H.")
    assert found.issuing_council == {"code": "E08000031", "name": "City of Wolverhampton Council"}


@pytest.mark.parametrize(
    ("code", "badge"),
    [
        ("E08000031", "PH99999"),  # unknown badge
        ("E08000032", "PH12345"),  # another council's badge number
        ("E99999999", "PH12345"),  # no such council
        ("E08000031", "PH12345' OR 1=1 --"),  # malformed
        ("E08000031", "PH1234"),  # partial
        ("", ""),
    ],
)
def test_every_public_miss_is_the_same_not_found(session, code, badge):
    wolverhampton = make_authority(session, code="E08000031")
    make_authority(session, code="E08000032")
    make_licence(session, authority_id=wolverhampton.id, badge_number="PH12345")
    with pytest.raises(NotFound) as miss:
        lookup.public_check(session, authority_code=code, badge_number=badge, today=TODAY)
    assert miss.value.detail == lookup.PUBLIC_MISS


def test_public_check_by_driver_number_needs_the_full_number_and_shows_standing_licences(session):
    current = make_licence(session, driving_licence_number=DLN, badge_number="A1")
    make_licence(session, driving_licence_number=DLN, badge_number="B1", status="revoked")
    found = lookup.public_check(session, licence_number="hussa 803145 i99ab", today=TODAY)
    assert [f.badge_number for f in found] == [current.badge_number]
    for partial in (DLN[:13], DLN[:-1], DLN + "X"):
        with pytest.raises(NotFound):
            lookup.public_check(session, licence_number=partial, today=TODAY)


def test_enforcement_check_by_driver_number_finds_every_council(session):
    first = make_licence(session, driving_licence_number=DLN, expires_on=date(2027, 6, 1))
    second = make_licence(session, driving_licence_number=DLN, status="revoked", expires_on=date(2027, 1, 1))
    make_licence(session, driving_licence_number="MORGA657054SM9IJ")
    found = lookup.enforcement_check(session, officer(session), driving_licence_number=DLN, now=NOW)
    assert [(f.authority_code, f.status, f.valid_now) for f in found] == [
        (authority_code(session, first), "active", True),
        (authority_code(session, second), "revoked", False),
    ]


def authority_code(session, licence: Licence) -> str:
    """Return the code of the licence's authority."""
    from licensing.persistence.models import Authority

    return session.get(Authority, licence.authority_id).code


def test_enforcement_check_by_badge_is_audited_as_a_search_without_personal_data(session):
    licence = make_licence(session, badge_number="PH777", expires_on=date(2026, 11, 1))
    actor = officer(session)
    code = authority_code(session, licence)
    (found,) = lookup.enforcement_check(session, actor, authority_code=code, badge_number="PH777", now=NOW)
    assert (found.status, found.valid_now, found.public_status) == ("active", False, "expired")
    (event,) = session.exec(select(AuditEvent).where(AuditEvent.action == "licence.enforcement_checked"))
    assert event.detail == {"by": "badge", "licence_ids": [licence.id]}
    assert event.authority_id == actor.authority_id


def test_enforcement_check_that_finds_nothing_is_still_audited(session):
    assert lookup.enforcement_check(session, officer(session), driving_licence_number=DLN, now=NOW) == []
    assert len(session.exec(select(AuditEvent)).all()) == 1


def test_enforcement_check_needs_a_badge_or_a_driver_number(session):
    with pytest.raises(ValidationFailed):
        lookup.enforcement_check(session, officer(session), authority_code="E08000031", now=NOW)


def test_enforcement_check_by_badge_alone_lists_every_council_that_issued_it_with_status(session):
    sheffield = make_authority(session, code="E08000039", name="Sheffield City Council")
    bradford = make_authority(session, code="E08000032", name="Bradford Metropolitan District Council")
    leeds = make_authority(session, code="E08000035", name="Leeds City Council")
    make_licence(session, authority_id=sheffield.id, badge_number="1234", expires_on=date(2099, 1, 1))
    make_licence(session, authority_id=bradford.id, badge_number="1234", status="revoked")
    make_licence(session, authority_id=leeds.id, badge_number="12345")  # another badge

    found = lookup.enforcement_check(session, officer(session), badge_number=" 1234 ", now=NOW)

    assert [(f.authority_name, f.badge_number, f.public_status) for f in found] == [
        ("Bradford Metropolitan District Council", "1234", "revoked"),
        ("Sheffield City Council", "1234", "current"),
    ]
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "licence.enforcement_checked")).one()
    assert event.detail["by"] == "badge" and len(event.detail["licence_ids"]) == 2


def test_police_cannot_use_the_enforcement_check(session):
    police = Actor(kind="api_client", id=1, label="Police", police_force_id=make_police_force(session).id)
    with pytest.raises(Forbidden):
        lookup.enforcement_check(session, police, driving_licence_number=DLN, now=NOW)


def test_public_check_finds_a_badge_typed_in_lower_case(session):
    authority = make_authority(session, code="E08000031")
    make_licence(session, authority_id=authority.id, badge_number="PH12345")
    (found,) = lookup.public_check(session, authority_code="E08000031", badge_number="ph12345", today=TODAY)
    assert found.badge_number == "PH12345"


def test_an_invalid_driver_number_is_refused_by_the_enforcement_check_not_searched(session):
    make_licence(session, driving_licence_number="NOT-A-LICENCE")
    with pytest.raises(ValidationFailed) as refused:
        lookup.enforcement_check(session, officer(session), driving_licence_number="NOT-A-LICENCE", now=NOW)
    assert refused.value.errors[0]["field"] == "driving_licence_number"


def test_a_kept_invalid_driver_number_is_never_found_by_the_public_check(session):
    make_licence(session, driving_licence_number="NOT-A-LICENCE")
    with pytest.raises(NotFound):
        lookup.public_check(session, licence_number="NOT-A-LICENCE", today=TODAY)

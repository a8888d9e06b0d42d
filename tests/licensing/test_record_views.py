"""What another council may see of a record: agreement words, masked identifiers, evidence without values."""

from datetime import date

import pytest

from licensing.actors import Actor
from licensing.audit import log as audit
from licensing.matching import Person
from licensing.screening.record_views import agreement, holds_elsewhere, load_views, masked, minimal_evidence
from tests.factories import NOW, make_authority, make_licence, make_police_force, make_register_entry
from tests.licensing.test_screening import make_intelligence

APPLICANT = Person(
    "Imran",
    "Hussain",
    date_of_birth=date(1985, 3, 14),
    sex="M",
    address="12 Example Street, Testtown",
    postcode="WV1 1AA",
    ni_number="AB123456C",
    driving_licence_number="HUSSA803145I99AB",
)


@pytest.mark.parametrize(
    ("identifier", "shown"),
    [
        ("AB123456C", "******56C"),
        ("ab 12 34 56 c", "******56C"),
        ("HUSSA803145I99AB", "*************9AB"),
        ("12345", "*****"),  # too short to keep any of it
        ("", None),
        (None, None),
    ],
)
def test_an_identifier_keeps_only_its_last_three_characters(identifier, shown):
    assert masked(identifier) == shown


@pytest.mark.parametrize(
    ("line", "shown"),
    [
        ("postcode: same (WV1 1AA)", "postcode: same"),
        ("postcode: same district (WV1)", "postcode: same district"),
        ("postcode: different (WV1 1AA vs B69 4RJ)", "postcode: different"),
        (
            "postcode: same (WV1 1AA) — only the address agrees: possible housemate",
            "postcode: same — only the address agrees: possible housemate",
        ),
        ("licence number encodes another DOB (1985-03-15)", "licence number encodes another DOB"),
        ("NI number: different (strong evidence against)", "NI number: different (strong evidence against)"),
        # Names and the date of birth are what identifies the person: they stay.
        ("DOB: different (1985-03-14 vs 1990-01-02, 4 years apart)", None),
        ("given name: initials agree (I ~ Imran)", None),
    ],
)
def test_evidence_keeps_its_words_and_loses_the_values(line, shown):
    assert minimal_evidence([line]) == [shown or line]


def test_a_line_that_still_quotes_a_records_identifier_says_only_that_it_was_compared():
    record = Person("Imran", "Hussain", ni_number="AB123456D", postcode="B69 4RJ")
    lines = ["NI number: close to AB 12 34 56 D", "surname: same (Hussain)"]
    assert minimal_evidence(lines, record) == ["NI number: compared", "surname: same (Hussain)"]


def test_agreement_says_how_each_detail_compares_in_words():
    record = Person(
        "Imran",
        "Hussain",
        date_of_birth=date(1985, 3, 14),
        address="3 Other Street, Testtown",
        postcode="WV1 4QQ",
        ni_number="AB123456D",
    )
    assert agreement(APPLICANT, record) == {
        "sex": "not given on both records",
        "address": "different",
        "postcode": "same district",
        "ni_number": "same",
        "driving_licence_number": "encodes this surname and DOB",
    }


@pytest.mark.parametrize(
    ("record_authority", "viewer", "elsewhere"),
    [(1, 1, False), (2, 1, True), (None, 1, True), (1, None, True), (None, None, True)],
)
def test_only_the_holding_council_sees_its_own_record(record_authority, viewer, elsewhere):
    assert holds_elsewhere(record_authority, viewer) is elsewhere


def test_the_views_load_each_record_with_its_council_or_force_and_leave_the_audit_to_the_commit(session):
    entry_council, licence_council = make_authority(session), make_authority(session)
    force = make_police_force(session)
    entry = make_register_entry(session, authority_id=entry_council.id)
    licence = make_licence(session, authority_id=licence_council.id, badge_number="B-77")
    item = make_intelligence(session, force)
    session.commit()
    screener = Actor(kind="user", id=None, label="Officer", authority_id=make_authority(session).id)
    pending = audit.record(session, screener, "screening.run", "screening", 1, now=NOW)

    found = [("register_entry", entry.id), ("licence", licence.id), ("intelligence", item.id)]
    records, names = load_views(session, found)

    assert {key: record.id for key, record in records.items()} == {key: key[1] for key in found}
    assert names == {
        ("authority", entry_council.id): {"code": entry_council.code, "name": entry_council.name},
        ("authority", licence_council.id): {"code": licence_council.code, "name": licence_council.name},
        ("police_force", force.id): {"code": force.code, "name": force.name},
    }
    assert records[("licence", licence.id)].badge_number == "B-77"
    assert pending in session.new  # not flushed: the screening's events are written together at the commit

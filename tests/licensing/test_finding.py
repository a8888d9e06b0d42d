"""Finding the council's own applications, licences and register entries (licensing/licences/finding.py)."""

from datetime import date

import pytest

from licensing.actors import Actor
from licensing.errors import ValidationFailed
from licensing.licences import finding
from licensing.licences.finding import Query
from licensing.screening.key_index import index_record
from tests.factories import make_authority, make_licence, make_register_entry, make_screened_application

BORN = date(1979, 6, 2)


def officer_of(authority) -> Actor:
    """Return an officer of `authority`."""
    return Actor(kind="user", id=None, label="Test officer", authority_id=authority.id)


@pytest.fixture
def council(session):
    """Return a council holding a licence, an application and an entry for Muhammad Aly, and others."""
    council = make_authority(session)
    aly = {"given_names": "Muhammad", "family_name": "Aly", "date_of_birth": BORN}
    ids = {"ni_number": "JK123456A", "driving_licence_number": "ALY99706029M99AB"}
    make_licence(session, authority_id=council.id, badge_number="PH100", **aly, **ids)
    application = make_screened_application(session, authority_id=council.id, screened_at=None, **aly)
    index_record(session, "application", application)  # as an application received is
    make_register_entry(session, authority_id=council.id, **aly, ni_number=None, driving_licence_number=None)
    make_licence(session, authority_id=council.id, badge_number="PH200")  # Imran Hussain
    make_licence(
        session, authority_id=council.id, badge_number="PH300", given_names="Alan", family_name="Aldo"
    )
    # Another council's licence for the same man is never found by this council's search.
    make_licence(session, badge_number="PH100", **aly, **ids)
    return council


def kinds_found(session, council, **query) -> list[tuple[str, str]]:
    """Return (kind, name) of every record the council's search finds."""
    page = finding.search(session, officer_of(council), Query(**query))
    return [(f.kind, f.name) for f in page.items]


def test_a_misspelt_name_finds_the_councils_own_records_of_every_kind(session, council):
    found = kinds_found(session, council, name="Mohamed Ali")
    assert found == [
        ("licence", "Muhammad Aly"),
        ("application", "Muhammad Aly"),
        ("register_entry", "Muhammad Aly"),
    ]


def test_a_name_with_a_date_of_birth_is_found_through_the_match_keys(session, council):
    assert len(kinds_found(session, council, name="Ali Mohammed", date_of_birth=BORN)) == 3
    assert kinds_found(session, council, name="Mohamed Ali", date_of_birth=date(1979, 6, 3)) == []


def test_a_name_that_differs_finds_nothing(session, council):
    assert kinds_found(session, council, name="Hassan Aly") == []


def test_identifiers_date_of_birth_and_badge(session, council):
    assert [k for k, _ in kinds_found(session, council, ni_number="jk 12 34 56 a")] == ["licence"]
    assert [k for k, _ in kinds_found(session, council, driving_licence_number="ALY99706029M99AB")] == [
        "licence"
    ]
    assert len(kinds_found(session, council, date_of_birth=BORN)) == 3
    assert kinds_found(session, council, badge_number="ph200") == [("licence", "Imran Hussain")]
    assert kinds_found(session, council, badge_number="PH200", name="Mohamed Ali") == []


def test_an_empty_or_malformed_query_is_refused(session, council):
    with pytest.raises(ValidationFailed):
        finding.search(session, officer_of(council), Query())
    with pytest.raises(ValidationFailed) as refused:
        finding.search(session, officer_of(council), Query(ni_number="123"))
    assert refused.value.errors[0]["field"] == "ni_number"


def test_results_come_a_page_at_a_time(session, council):
    first = finding.search(session, officer_of(council), Query(date_of_birth=BORN), limit=2)
    assert len(first.items) == 2 and first.next_key is not None
    rest = finding.search(
        session, officer_of(council), Query(date_of_birth=BORN), after=first.next_key, limit=2
    )
    assert len(rest.items) == 1 and rest.next_key is None
    assert {f.key for f in first.items}.isdisjoint(f.key for f in rest.items)

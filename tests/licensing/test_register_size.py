"""A pair's score does not depend on how many records the register holds, nor on when a process read it.

Every deployment starts small (its first days, a trial, a demo), and each process reads the name counts
at its own moment: neither may hide a revoked driver or move a pair across a band.
"""

from datetime import date

from licensing.matching import Person, compare, person_of
from licensing.screening.name_counts import KeyFrequencies, forget_totals
from tests.factories import identity, make_authority, make_licence, make_register_entry, make_screening

GIVEN = [
    "Imran",
    "Tariq",
    "Bilal",
    "Adam",
    "Sarah",
    "John",
    "Piotr",
    "Tomasz",
    "Rajesh",
    "Abdi",
    "Gurpreet",
    "Kwame",
    "Faisal",
    "Usman",
    "Zahid",
    "Amir",
    "Neil",
    "Dean",
    "Carl",
]
FAMILY = [
    "Khan",
    "Hussain",
    "Smith",
    "Jones",
    "Nowak",
    "Patel",
    "Singh",
    "Farah",
    "Mensah",
    "Iqbal",
    "Malik",
    "Butt",
    "Shah",
    "Hale",
    "Evans",
    "Wood",
    "Kelly",
    "Ward",
    "Lewis",
]
ADIL = identity(
    given_names="Adil",
    family_name="Chaudhary",
    date_of_birth=date(1983, 4, 17),
    ni_number=None,
    driving_licence_number=None,
    address="",
    postcode=None,
)
OTHERS = [
    identity(given_names="Imran", family_name="Hussain"),
    identity(given_names="Tariq", family_name="Mahmood", ni_number="JG103759A"),
    identity(given_names="Sarah", family_name="Morgan", sex="F", ni_number="JK551234B"),
    identity(given_names="Adam", family_name="Hale", ni_number=None, driving_licence_number=None),
]


def _person(fields: dict) -> Person:
    """Return a Person of identity fields."""
    return person_of({"previous_names": ""} | fields)


def _small_register(session):
    """Record B's revocation of Adil Chaudhary among a few other records; return (A, B)."""
    a, b = make_authority(session), make_authority(session)
    make_register_entry(session, authority_id=b.id, **ADIL)
    for fields in OTHERS:
        make_licence(session, authority_id=b.id, **fields)
    return a, b


def test_an_exact_name_and_dob_is_a_match_on_a_register_of_a_few_records(session):
    a, _ = _small_register(session)
    forget_totals()
    result = make_screening(session, authority_id=a.id, **ADIL)
    [entry] = [c for c in result.candidates if c.kind == "register_entry"]
    assert entry.band == "match", entry


def test_a_transliterated_name_with_the_same_dob_is_shown_on_a_small_register(session):
    a, _ = _small_register(session)
    forget_totals()
    result = make_screening(
        session, authority_id=a.id, **(ADIL | {"given_names": "Adeel", "family_name": "Chaudhry"})
    )
    [entry] = [c for c in result.candidates if c.kind == "register_entry"]
    assert entry.band in ("match", "probable"), entry


def test_a_pair_scores_the_same_on_a_register_of_three_and_of_sixty(session):
    born = date(1985, 3, 14)
    pair = (Person("Mohammad", "Aly", date_of_birth=born), Person("Mohamed", "Ali", date_of_birth=born))
    authority = make_authority(session)
    for given, family in (("Mohammad", "Aly"), ("Mohamed", "Ali"), ("Imran", "Khan")):
        make_licence(session, authority_id=authority.id, given_names=given, family_name=family)
    forget_totals()
    small = compare(*pair, KeyFrequencies(session)).score
    for given, family in zip(GIVEN * 3, FAMILY * 3, strict=True):
        make_licence(session, authority_id=authority.id, given_names=given, family_name=family)
    forget_totals()
    larger = compare(*pair, KeyFrequencies(session)).score
    assert abs(small - larger) <= 0.01, (small, larger)


def test_counts_read_while_the_register_was_empty_score_as_fresh_ones_do(session):
    forget_totals()
    read_when_empty = KeyFrequencies(session)
    _small_register(session)
    forget_totals()
    fresh = KeyFrequencies(session)
    pair = (_person(ADIL), _person(ADIL | {"address": "4 Mill Lane"}))
    assert abs(compare(*pair, read_when_empty).score - compare(*pair, fresh).score) <= 0.01

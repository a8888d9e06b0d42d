"""UK identifiers: postcode, NI number and DVLA driver number, and their consistency with a person."""

from datetime import date

import pytest

from licensing.matching import Person, warnings
from licensing.matching.identifiers import (
    licence_dob,
    licence_encodes_dob,
    licence_prefix,
    normalise_licence,
    normalise_ni,
    normalise_postcode,
    postcode_district,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("sw1a 1aa", "SW1A 1AA"),
        ("SW1A1AA", "SW1A 1AA"),
        ("  bd8  8ax ", "BD8 8AX"),
        ("M1 1AE", "M1 1AE"),
        ("B33 8TH", "B33 8TH"),
        ("CR2 6XH", "CR2 6XH"),
        ("DN55 1PT", "DN55 1PT"),
        ("W1A 0AX", "W1A 0AX"),
        ("EC1A 1BB", "EC1A 1BB"),
        ("ls6 o2d", None),
        ("LS6 O2D", None),
        ("BD8 O8A", None),
        ("LS1 OUA", "LS1 0UA"),
        ("GIR 0AA", "GIR 0AA"),
        ("QQ1 1AA", None),
        ("BD8", None),
        ("12345", None),
        ("", None),
        (None, None),
        ("BD8 8CX", None),
    ],
)
def test_postcode_is_validated_and_normalised(text, expected):
    assert normalise_postcode(text) == expected


def test_postcode_district_is_the_outward_code():
    assert postcode_district("SW1A 1AA") == "SW1A"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("AB123456C", "AB123456"),
        ("ab 12 34 56 c", "AB123456"),
        ("AB-12-34-56-D", "AB123456"),
        ("AB123456", "AB123456"),
        ("JG103759A", "JG103759"),
        ("DA123456A", None),  # first letter D
        ("FA123456A", None),
        ("IA123456A", None),
        ("QA123456A", None),
        ("UA123456A", None),
        ("VA123456A", None),
        ("AD123456A", None),  # second letter D
        ("AO123456A", None),  # second letter O
        ("AF123456A", None),
        ("AQ123456A", None),
        ("BG123456A", None),  # never allocated
        ("GB123456A", None),
        ("KN123456A", None),
        ("NK123456A", None),
        ("NT123456A", None),
        ("TN123456A", None),
        ("ZZ123456A", None),
        ("AB123456E", None),  # suffix beyond D
        ("AB12345C", None),
        ("", None),
        (None, None),
    ],
)
def test_ni_number_rules(text, expected):
    assert normalise_ni(text) == expected


def test_domain_licence_test_vector_is_recomputed():
    assert licence_prefix("Morgan", "Sarah Meredyth", date(1964, 7, 5), "F") == "MORGA657054SM"
    assert normalise_licence("MORGA657054SM9IJ") == "MORGA657054SM9IJ"


@pytest.mark.parametrize(
    ("family", "given", "dob", "sex", "expected"),
    [
        ("Mack", "John", date(1971, 1, 2), "M", "MCK99701021J9"),
        ("MacDonald", "Ian Stuart", date(1980, 12, 31), "M", "MCDON812310IS"),
        ("O'Neill", "Aoife", date(1992, 2, 9), "F", "ONEIL952092A9"),
        ("Li", "Wei", date(2001, 11, 3), "M", "LI999011031W9"),
    ],
)
def test_licence_prefix_rules(family, given, dob, sex, expected):
    assert licence_prefix(family, given, dob, sex) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("morga 657054 sm9ij", "MORGA657054SM9IJ"),
        ("MORGA657054SM9IJ 01", "MORGA657054SM9IJ"),
        ("MORGA657054SM9I", None),  # too short
        ("MORGA651354SM9IJ", None),  # month 13
        ("MORGA657354SM9IJ", None),  # day 35
        ("MORGA657054SM1IJ", None),  # 1 not allowed at 14
        ("MORGA657054SMOIJ", None),  # O not allowed at 14
        ("12345657054SM9IJ", None),
    ],
)
def test_licence_number_validation(text, expected):
    assert normalise_licence(text) == expected


def test_licence_decodes_dob_and_sex_neutral_month():
    assert licence_dob("MORGA657054SM9IJ", date(1960, 1, 1)) == date(1964, 7, 5)
    assert licence_encodes_dob("MORGA657054SM9IJ", date(1964, 7, 5))
    assert not licence_encodes_dob("MORGA657054SM9IJ", date(1964, 5, 7))


def test_invalid_identifiers_are_warnings_not_rejections():
    person = Person("Sarah", "Morgan", postcode="XX", ni_number="ZZ999999Z", driving_licence_number="NOPE")
    found = warnings(person)
    assert len(found) == 3
    assert any("postcode" in w for w in found) and any("NI number" in w for w in found)


def test_licence_for_another_dob_is_a_warning():
    person = Person(
        "Sarah", "Morgan", date_of_birth=date(1964, 5, 7), sex="F", driving_licence_number="MORGA657054SM9IJ"
    )
    assert warnings(person) == ["licence number encodes another DOB (1964-07-05)"]


def test_consistent_licence_gives_no_warning():
    person = Person(
        "Sarah Meredyth",
        "Morgan",
        date_of_birth=date(1964, 7, 5),
        sex="F",
        driving_licence_number="MORGA657054SM9IJ",
    )
    assert warnings(person) == []

"""Scoring: true matches under one or two corruptions reach `match`; look-alikes never do."""

from dataclasses import replace
from datetime import date

import pytest

from licensing.matching import NameFrequencies, Thresholds, band, compare
from tests.licensing.matching.people import make_person

IMRAN = make_person()
WILLIAM = make_person(
    given_names="William James",
    family_name="Thornton",
    address="2 Mill Lane",
    postcode="HX1 2PL",
    date_of_birth=date(1979, 11, 23),
)
TARIQ = make_person(given_names="Mohammed Tariq", family_name="Choudhury", date_of_birth=date(1990, 1, 30))
SARAH = make_person(
    given_names="Sarah Meredyth",
    family_name="Morgan",
    sex="F",
    date_of_birth=date(1964, 7, 5),
    address="5 Church Street",
    postcode="CF10 1AA",
)
LUKASZ = make_person(given_names="Łukasz", family_name="Wójcik", date_of_birth=date(1993, 6, 17))
MOVED = {"address": "3 Oak Lane", "postcode": "LS6 2DF"}

TRUE_PAIRS = {
    "surname typo": (IMRAN, replace(IMRAN, family_name="Hussian")),
    "given-name typo": (IMRAN, replace(IMRAN, given_names="Imrna")),
    "transliteration": (TARIQ, replace(TARIQ, given_names="Muhammad Tariq", family_name="Chowdhury")),
    "swapped names": (IMRAN, replace(IMRAN, given_names="Hussain", family_name="Imran")),
    "nickname": (WILLIAM, replace(WILLIAM, given_names="Bill James")),
    "dropped middle name": (WILLIAM, replace(WILLIAM, given_names="William")),
    "known by middle name": (TARIQ, replace(TARIQ, given_names="Tariq")),
    "married, moved": (SARAH, replace(SARAH, family_name="Evans", previous_names=("Morgan",), **MOVED)),
    "deed poll": (
        IMRAN,
        replace(IMRAN, given_names="Adam", family_name="Hale", previous_names=("Imran Hussain",)),
    ),
    "moved house": (LUKASZ, replace(LUKASZ, **MOVED)),
    "moved house, NI on both": (
        replace(IMRAN, ni_number="JG103759A"),
        replace(IMRAN, ni_number="JG 10 37 59 A", **MOVED),
    ),
    "DOB typo": (IMRAN, replace(IMRAN, date_of_birth=date(1986, 4, 8))),
    "DOB day/month swap": (IMRAN, replace(IMRAN, date_of_birth=date(1986, 9, 4))),
    "missing NI": (replace(IMRAN, ni_number="JG103759A"), IMRAN),
    "accents and case": (LUKASZ, replace(LUKASZ, given_names="LUKASZ", family_name="wojcik")),
    "titles and spacing": (
        WILLIAM,
        replace(WILLIAM, given_names="Mr William James", family_name="THORNTON Jnr"),
    ),
    "typo and DOB swap": (LUKASZ, replace(LUKASZ, family_name="Wojcick", date_of_birth=date(1993, 6, 17))),
    "transliteration and moved": (TARIQ, replace(TARIQ, family_name="Chaudhry", ni_number=None, **MOVED)),
}


@pytest.mark.parametrize("kind", TRUE_PAIRS)
def test_true_match_with_corruptions_scores_match(kind):
    a, b = TRUE_PAIRS[kind]
    if kind == "transliteration and moved":
        a, b = replace(a, ni_number="AB123456C"), replace(b, ni_number="AB123456C")
    result = compare(a, b)
    assert result.score >= 0.9, result
    assert result.band == "match"
    assert compare(b, a).score == result.score


def test_evidence_names_the_corruption():
    assert (
        "surname: transliteration variant Hussain ~ Hussein"
        in compare(IMRAN, replace(IMRAN, family_name="Hussein")).evidence
    )
    assert (
        "DOB: day and month swapped (1986-04-09 vs 1986-09-04)"
        in compare(*TRUE_PAIRS["DOB day/month swap"]).evidence
    )
    nickname = compare(*TRUE_PAIRS["nickname"]).evidence
    assert any(line.startswith("given name: nickname") for line in nickname)
    married = compare(*TRUE_PAIRS["married, moved"]).evidence
    assert "surname: one is a previous name of the other (Morgan ~ Morgan)" in married


FATHER = make_person(given_names="Mohammed", family_name="Khan", date_of_birth=date(1961, 2, 14))
LOOK_ALIKES = {
    "twin": (IMRAN, replace(IMRAN, given_names="Tariq"), "possible twin"),
    "father and son": (FATHER, replace(FATHER, date_of_birth=date(1988, 10, 3)), "father and son"),
    "father and son, son's full name": (
        FATHER,
        replace(FATHER, given_names="Mohammed Bilal", date_of_birth=date(1990, 5, 21)),
        "father and son",
    ),
    "brother": (
        IMRAN,
        replace(IMRAN, given_names="Tariq", date_of_birth=date(1989, 2, 1)),
        "possible sibling",
    ),
    "housemate": (
        IMRAN,
        make_person(given_names="Daniel", family_name="Kowalski", date_of_birth=date(1984, 8, 30)),
        "possible housemate",
    ),
    "namesake": (IMRAN, replace(IMRAN, date_of_birth=date(1975, 12, 2), **MOVED), "another DOB"),
    "twins whose names sound alike": (
        replace(IMRAN, given_names="Zahid"),
        replace(IMRAN, given_names="Saeed"),
        "possible twin",
    ),
    "twin whose name sounds like the other's middle name": (
        replace(IMRAN, given_names="Imran Shahzad"),
        replace(IMRAN, given_names="Zahid"),
        "possible twin",
    ),
}


@pytest.mark.parametrize("kind", LOOK_ALIKES)
def test_look_alike_is_at_most_possible_and_says_why(kind):
    a, b, why = LOOK_ALIKES[kind]
    result = compare(a, b)
    assert result.score < 0.7, result
    assert result.band in ("possible", "weak", None)
    assert any(why in line for line in result.evidence), result.evidence


def test_given_names_alike_only_in_sound_are_a_match_only_with_an_agreeing_identifier():
    shakeel, shakil = replace(IMRAN, given_names="Shakeel"), replace(IMRAN, given_names="Shakil")
    alone = compare(shakeel, shakil)
    assert alone.band == "possible" and any("possible twin" in line for line in alone.evidence)
    same_ni = compare(replace(shakeel, ni_number="JG103759A"), replace(shakil, ni_number="JG103759A"))
    assert same_ni.band == "match"


def test_twin_evidence_reads_as_a_sentence():
    evidence = compare(*LOOK_ALIKES["twin"][:2]).evidence
    assert (
        "given name: different person (Imran vs Tariq) — same surname, DOB and address: possible twin"
        in evidence
    )


@pytest.mark.parametrize("field", ["ni_number", "driving_licence_number"])
@pytest.mark.parametrize("kind", ["twin", "father and son"])
def test_agreeing_strong_identifier_overrides_look_alike(kind, field):
    a, b, _ = LOOK_ALIKES[kind]
    value = "JG103759A" if field == "ni_number" else "KHAN9702146M99AB"
    result = compare(replace(a, **{field: value}), replace(b, **{field: value}))
    assert result.band == "match"


def test_different_valid_ni_numbers_keep_identical_details_below_match():
    result = compare(replace(IMRAN, ni_number="JG103759A"), replace(IMRAN, ni_number="AB123456C"))
    assert result.score < 0.9
    assert "NI number: different (strong evidence against)" in result.evidence


def test_ni_number_one_character_off_is_reported():
    result = compare(replace(IMRAN, ni_number="JG103759A"), replace(IMRAN, ni_number="JG103758A"))
    assert "NI number: differs in one character" in result.evidence
    assert result.band == "match"


def test_licence_number_checked_against_the_other_persons_dob():
    sarah = replace(SARAH, driving_licence_number="MORGA657054SM9IJ")
    assert "licence number encodes this surname and DOB" in compare(sarah, SARAH).evidence
    other = replace(SARAH, date_of_birth=date(1964, 5, 7))
    assert "licence number encodes another DOB (1964-07-05)" in compare(sarah, other).evidence


def test_common_name_pair_scores_lower_than_rare_name_pair_with_same_agreement():
    common = make_person(given_names="Mohammed", family_name="Khan")
    rare = make_person(given_names="Wojciech", family_name="Brzeczyszczykiewicz")
    assert compare(common, replace(common, **MOVED)).score < compare(rare, replace(rare, **MOVED)).score


def test_register_frequencies_weaken_a_name_the_register_is_full_of():
    pair = (
        make_person(given_names="Adam", family_name="Hale"),
        make_person(given_names="Adam", family_name="Hale", **MOVED),
    )
    full_of_hales = NameFrequencies.from_people([make_person(family_name="Hale")] * 30 + [IMRAN] * 70)
    without = NameFrequencies.from_people([IMRAN] * 100)
    assert compare(*pair, full_of_hales).score < compare(*pair, without).score


def test_unrelated_people_score_nothing():
    result = compare(IMRAN, SARAH)
    assert result.score < 0.01 and result.band is None


def test_bands_follow_configurable_thresholds():
    assert [band(s) for s in (0.95, 0.75, 0.45, 0.15, 0.05)] == [
        "match",
        "probable",
        "possible",
        "weak",
        None,
    ]
    strict = Thresholds(match=0.99, probable=0.9, possible=0.5, weak=0.2)
    assert band(0.95, strict) == "probable"
    result = compare(*TRUE_PAIRS["DOB typo"], thresholds=strict)
    assert result.band == band(result.score, strict)


def test_missing_everything_but_names_is_not_a_match():
    bare = replace(IMRAN, date_of_birth=None, address="", postcode=None)
    assert compare(bare, bare).score < 0.9

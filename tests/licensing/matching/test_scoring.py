"""Scoring: true matches under one or two corruptions reach `match`; look-alikes never do."""

import random
from collections import Counter
from dataclasses import replace
from datetime import date

import pytest

from bench import labelled
from licensing.matching import (
    NameFrequencies,
    Thresholds,
    band,
    ceiling,
    compare,
    compare_fields,
    frequency_keys,
    person_of,
)
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
    faisal, fazal = replace(IMRAN, given_names="Faisal"), replace(IMRAN, given_names="Fazal")
    alone = compare(faisal, fazal)
    assert alone.band == "possible" and any("possible twin" in line for line in alone.evidence)
    same_ni = compare(replace(faisal, ni_number="JG103759A"), replace(fazal, ni_number="JG103759A"))
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


COMMON = NameFrequencies.from_people(
    [make_person(given_names="Mohammed", family_name="Khan")] * 40
    + [IMRAN, WILLIAM, TARIQ, SARAH, LUKASZ] * 12
)
ALL_PAIRS = {**{k: v[:2] for k, v in TRUE_PAIRS.items()}, **{k: v[:2] for k, v in LOOK_ALIKES.items()}}


@pytest.mark.parametrize("frequencies", [None, COMMON], ids=["no frequencies", "common names"])
@pytest.mark.parametrize("kind", ALL_PAIRS)
def test_no_pair_scores_above_its_ceiling_either_way_round(kind, frequencies):
    a, b = ALL_PAIRS[kind]
    for x, y in ((a, b), (b, a)):
        assert compare(x, y, frequencies).score <= ceiling(x, y, frequencies) <= compare_fields(x, y).ceiling


def test_no_labelled_pair_scores_above_its_ceiling():
    labelled_set = labelled.build(
        seed=5, register=300, true_matches=200, lookalikes=100, no_match=20, today=TODAY
    )
    register = [_person(r) for r in labelled_set.register().values()]
    frequencies = NameFrequencies.from_people(register)
    by_ref = dict(zip(labelled_set.register(), register, strict=True))
    truth = {t["applicant_ref"]: t["true_candidate_ref"] for t in labelled_set.truth}
    rng = random.Random(5)
    checked = 0
    for row in labelled_set.applicants:
        applicant = _person(row)
        same_surname = [r for r in register if r.family_name == applicant.family_name]
        true = [by_ref[truth[row["ref"]]]] if truth[row["ref"]] else []
        for other in true + same_surname[:10] + rng.sample(register, 10):
            for x, y in ((applicant, other), (other, applicant)):
                assert compare(x, y, frequencies).score <= ceiling(x, y, frequencies), (x, y)
                checked += 1
    assert checked > 5_000


def test_a_common_name_cannot_lift_a_pair_whose_identifiers_disagree():
    khan = make_person(given_names="Mohammed", family_name="Khan", ni_number="JG103759A")
    other = replace(khan, ni_number="AB123456C", driving_licence_number="KHAN9802144MA9AB", **MOVED)

    # With the names at their most the pair could still be a candidate; with these names it cannot.
    assert compare_fields(khan, other).ceiling >= 0.1
    assert ceiling(khan, other, COMMON) < 0.1
    assert compare(khan, other, COMMON).score < 0.1


TODAY = date(2026, 11, 23)


def _person(row: dict):
    """Return a labelled-set row (register or applicant) as a Person."""
    born = row["date_of_birth"]
    values = {k: (v or None) for k, v in row.items()} | {"previous_names": row.get("previous_names") or ""}
    values["date_of_birth"] = date.fromisoformat(born) if isinstance(born, str) and born else born or None
    return person_of(values | {"address": row.get("address") or ""})


def _crowd(**names_and_counts) -> list:
    """Return people making some names common: given names as `g_<name>`, surnames as `s_<name>`."""
    crowd = []
    for key, count in names_and_counts.items():
        part, name = key.split("_", 1)
        names = {"given_names": name.title(), "family_name": "Other"}
        if part == "s":
            names = {"given_names": "Other", "family_name": name.title()}
        crowd += [make_person(**names, date_of_birth=date(1950, 1, 1))] * count
    return crowd


# Pairs whose names are weighed on a token of the record that is rare in the role it is weighed in and
# common in the other, so a ceiling leaving that token out would fall below the score.
CEILING_EDGES = {
    "nickname of a rare formal name": (
        make_person(given_names="Bill", family_name="Thornton"),
        make_person(given_names="William James", family_name="Thornton", **MOVED),
        _crowd(g_bill=50, s_thornton=50, s_william=50, s_james=50),
    ),
    "swapped names meeting a previous name": (
        make_person(given_names="Adam", family_name="Hale", previous_names=("Imran Hussain",)),
        make_person(given_names="Hussain", family_name="Imran", **MOVED),
        _crowd(g_adam=50, s_hale=50, s_imran=50, s_hussain=50, g_imran=50),
    ),
    "names swapped back onto a previous surname": (
        make_person(given_names="Adam", family_name="Hale", previous_names=("Hussain",)),
        make_person(given_names="Hussain", family_name="Adam", **MOVED),
        _crowd(g_adam=50, g_hussain=50, s_hale=50, s_adam=50),
    ),
    "swapped names with a nickname": (
        make_person(given_names="Bill", family_name="Thornton"),
        make_person(given_names="Thornton", family_name="William", **MOVED),
        _crowd(g_bill=50, g_thornton=50, s_thornton=50, s_william=50),
    ),
    "a double surname, each part common": (
        make_person(family_name="Khan-Ahmed"),
        make_person(family_name="Khan-Ahmed", **MOVED),
        _crowd(s_khan=5, s_ahmed=5, s_imran=40, s_smith=50, g_imran=50, g_khan=100, g_ahmed=100),
    ),
}


@pytest.mark.parametrize("kind", CEILING_EDGES)
def test_the_ceiling_counts_the_names_a_comparison_may_weigh(kind):
    a, b, crowd = CEILING_EDGES[kind]
    frequencies = NameFrequencies.from_people([*crowd, a, b])
    score = compare(a, b, frequencies).score
    assert 0.01 < score < 0.99  # not rounded to either end, so a ceiling too low would show
    assert score <= ceiling(a, b, frequencies)


# Sarah Meredyth Morgan, F, 1964-07-05: MORGA657054SM9IJ (docs/reference.md, driving licence numbers).
# Married as Evans, the DVLA reissues her number under the new surname: characters 1-5 change, 6-13
# (DOB, sex, initials) stay.
SARAH_DL = replace(SARAH, driving_licence_number="MORGA657054SM9IJ", address="", postcode=None)
REISSUED = replace(SARAH_DL, family_name="Evans", driving_licence_number="EVANS657054SM9IJ")


def test_a_licence_reissued_after_a_recorded_name_change_is_a_match():
    result = compare(SARAH_DL, replace(REISSUED, previous_names=("Morgan",)))
    assert result.band == "match", result
    reissue = "licence number: consistent with a licence reissued after a name change"
    assert any(line.startswith(reissue) for line in result.evidence), result.evidence


def test_a_licence_reissued_after_an_unrecorded_name_change_is_not_evidence_against():
    result = compare(SARAH_DL, REISSUED)
    assert not any("strong evidence against" in line for line in result.evidence), result
    assert result.score > compare(SARAH_DL, replace(REISSUED, driving_licence_number=None)).score


@pytest.mark.parametrize(
    ("licence", "why"),
    [
        ("EVANS657055SM9IJ", "DOB"),  # characters 6-11: another birth date
        ("EVANS657054SK9IJ", "initials"),  # characters 12-13: another given name
    ],
)
def test_a_licence_differing_in_characters_6_to_13_is_strong_evidence_against(licence, why):
    result = compare(SARAH_DL, replace(REISSUED, previous_names=("Morgan",), driving_licence_number=licence))
    assert "licence number: different (strong evidence against)" in result.evidence, why
    assert result.score < 0.9


def test_a_second_holder_of_the_same_first_13_characters_is_flagged_as_a_possible_twin():
    # DVLA lowers character 14 when two people would share characters 1-13: twins with the same initials.
    # The names alone cannot tell them apart: one record leaves the middle name out.
    twin = replace(SARAH_DL, given_names="Sarah", driving_licence_number="MORGA657054SM8KL")
    result = compare(SARAH_DL, twin)
    assert result.band != "match", result
    assert any("possible twin" in line for line in result.evidence), result.evidence


def test_the_same_invalid_ni_number_on_both_records_is_weak_evidence_never_against():
    bare = replace(IMRAN, address="", postcode=None)
    typed = compare(replace(bare, ni_number="JG10375A"), replace(bare, ni_number="jg 10375 a"))
    assert "NI number: same text, though not a valid number" in typed.evidence
    assert typed.score > compare(bare, bare).score
    other = compare(replace(bare, ni_number="JG10375A"), replace(bare, ni_number="AB99999C"))
    assert other.score == compare(bare, bare).score  # an invalid value says nothing against


@pytest.mark.parametrize("placeholder", ["N/A", "000000", "NONE", "TBC"])
def test_a_placeholder_in_the_ni_field_is_no_evidence(placeholder):
    bare = replace(IMRAN, address="", postcode=None)
    result = compare(replace(bare, ni_number=placeholder), replace(bare, ni_number=placeholder))
    assert not any(line.startswith("NI number") for line in result.evidence)


def test_an_invalid_licence_number_a_keystroke_from_a_valid_one_is_weak_evidence():
    sarah = replace(SARAH_DL, driving_licence_number="MORGA657054SM9I")  # a character short
    result = compare(SARAH_DL, sarah)
    assert "licence number: one character from the other, though not a valid number" in result.evidence


def test_a_misspelt_name_no_record_carries_weighs_the_same_on_a_small_and_a_large_register():
    # The register holds "Hussain" (and the pair's other names) but never the applicant's "Hussian".
    recorded = replace(IMRAN, address="", postcode=None)
    misspelt = replace(recorded, family_name="Hussian")
    keys = frequency_keys(recorded)
    small = NameFrequencies(Counter(dict.fromkeys(keys, 2)), total=10)
    large = NameFrequencies(Counter(dict.fromkeys(keys, 20000)), total=1_000_000)
    scores = [compare(misspelt, recorded, frequencies).score for frequencies in (small, large)]
    assert abs(scores[0] - scores[1]) <= 0.01, scores

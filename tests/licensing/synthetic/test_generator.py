"""The synthetic data generator: deterministic, well-formed identifiers, a realistic mix, our CSVs."""

import csv
import random
import re
from collections import Counter
from datetime import date

import pytest

from licensing.identity.fields import IDENTITY_FIELDS
from licensing.matching.identifiers import LICENCE, NI_NUMBER
from licensing.persistence.models.records import DECISIONS, LICENCE_TYPES
from licensing.synthetic import generator
from licensing.synthetic.identifiers import (
    licence_number_stem,
    ni_number,
    surname_code,
)
from licensing.synthetic.names import ORIGINS, expand
from licensing.synthetic.places import TOWNS

POSTCODE = re.compile(r"^([A-Z]{1,2}\d[A-Z\d]?) \d[ABD-HJLNP-UW-Z]{2}$")
SOUTH_ASIAN_ORIGINS = ("pakistani", "bangladeshi", "sikh", "indian")
SOUTH_ASIAN = {name for o in ORIGINS if o.key in SOUTH_ASIAN_ORIGINS for name in expand(o.family)}
CROWD = generator.people(3000, seed=11)


def test_the_same_seed_gives_the_same_people_and_another_seed_does_not():
    assert generator.people(50, seed=7) == generator.people(50, seed=7)
    assert generator.people(50, seed=7) != generator.people(50, seed=8)


def test_rows_have_exactly_the_design_csv_columns():
    assert set(CROWD[0]) == set(generator.PEOPLE_COLUMNS)
    assert set(generator.licences(1, 1)[0]) == set(generator.LICENCE_COLUMNS)
    assert set(generator.register_entries(1, 1)[0]) == set(generator.REGISTER_COLUMNS)
    assert set(generator.PEOPLE_COLUMNS) == {"ref", *IDENTITY_FIELDS}


def test_the_domain_test_vector_reproduces_the_derived_characters():
    stem = licence_number_stem("Morgan", "Sarah Meredyth", date(1964, 7, 5), "F")

    assert stem == "MORGA657054SM9IJ"[:14]
    assert LICENCE.match(stem + "IJ")


@pytest.mark.parametrize(
    ("family_name", "code"),
    [("Mack", "MCK99"), ("MacDonald", "MCDON"), ("McKenzie", "MCKEN"), ("O'Brien", "OBRIE"), ("Ali", "ALI99"),
     ("Wójcik", "WOJCI"), ("Łukasik", "LUKAS"), ("Smith-Jones", "SMITH"), ("Țurcan", "TURCA")],
)  # fmt: skip
def test_surname_code_pads_folds_and_shortens_mac(family_name, code):
    assert surname_code(family_name) == code


def test_a_man_without_a_middle_name_gets_9_as_second_initial():
    assert licence_number_stem("Khan", "Imran", date(1985, 3, 14), "M") == "KHAN9803145I99"


def test_every_driver_number_is_well_formed_and_derived_from_the_person():
    numbers = [p for p in CROWD if p["driving_licence_number"]]

    assert len(numbers) > 0.9 * len(CROWD)
    for p in numbers:
        dln = p["driving_licence_number"]
        assert LICENCE.match(dln), dln
        assert dln[:14] == licence_number_stem(
            p["family_name"], p["given_names"], p["date_of_birth"], p["sex"]
        )


def test_ni_numbers_are_well_formed_and_never_use_a_prefix_hmrc_does_not_issue():
    numbers = [p["ni_number"] for p in CROWD if p["ni_number"]] + [
        ni_number(random.Random(i)) for i in range(3000)
    ]

    assert all(NI_NUMBER.match(n) and n[-1] in "ABCD" for n in numbers)
    assert not {n[:2] for n in numbers} & {"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"}
    assert not any(set(n[:2]) & set("DFIQUV") or n[1] == "O" for n in numbers)


def test_postcodes_are_well_formed_and_in_the_town_of_the_address():
    districts = {town: set(codes.split()) for town, _, codes in TOWNS}
    for p in CROWD:
        match = POSTCODE.match(p["postcode"])
        assert match, p["postcode"]
        town = p["address"].rsplit(", ", 1)[1]
        assert match.group(1) in districts[town]


def test_the_mix_is_mostly_south_asian_men_of_working_age():
    surnames = Counter(p["family_name"] for p in CROWD)
    first_names = Counter(p["given_names"].split()[0] for p in CROWD)
    ages = [(generator.REFERENCE_DATE - p["date_of_birth"]).days / 365.25 for p in CROWD]

    assert sum(surnames[s] for s in SOUTH_ASIAN | {"Kaur", "Begum"}) > 0.45 * len(CROWD)
    assert first_names.most_common(1)[0][0] == "Mohammed"
    assert 0.02 < sum(p["sex"] == "F" for p in CROWD) / len(CROWD) < 0.1
    assert sum(25 <= a <= 65 for a in ages) > 0.85 * len(CROWD)
    assert all(21 <= a <= 76 for a in ages)


def test_the_mix_includes_diacritics_two_given_names_previous_names_and_begum():
    assert any(re.search(r"[^\x00-\x7f]", p["given_names"] + p["family_name"]) for p in CROWD)
    assert 0.15 < sum(" " in p["given_names"] for p in CROWD) / len(CROWD) < 0.6
    assert 0 < sum(bool(p["previous_names"]) for p in CROWD) < 0.1 * len(CROWD)
    assert any(p["family_name"] == "Begum" and p["sex"] == "F" for p in CROWD)


def test_licence_types_follow_the_dft_mix_and_badges_are_unique_per_authority():
    rows = generator.licences(3000, seed=3, authority_codes=["E08000031", "W06000015"])
    types = Counter(r["licence_type"] for r in rows)

    assert set(types) <= set(LICENCE_TYPES)
    assert 0.62 < types["phv"] / 3000 < 0.78 and 0.05 < types["hackney"] / 3000 < 0.13
    assert len({(r["authority_code"], r["badge_number"]) for r in rows}) == 3000
    assert {r["authority_code"] for r in rows} == {"E08000031", "W06000015"}
    assert all(r["granted_on"] < r["expires_on"] <= date(r["granted_on"].year + 3, 12, 31) for r in rows)


def test_licences_are_current_on_the_day_given_except_a_few_expired_ones():
    today = date(2026, 11, 23)
    rows = generator.licences(1000, seed=4, today=today)

    expired = sum(r["expires_on"] < today for r in rows)
    assert 0 < expired < 100
    assert all(r["granted_on"] <= today for r in rows)


def test_register_entries_have_a_decision_and_take_effect_on_or_after_it():
    rows = generator.register_entries(500, seed=5)

    assert {r["decision"] for r in rows} == set(DECISIONS)
    assert all(r["decided_on"] <= r["effective_on"] for r in rows)
    assert all(r["decided_on"] < generator.REFERENCE_DATE for r in rows)
    assert all(r["ref"].startswith("R") for r in rows)


def test_existing_people_can_be_licensed_with_a_shared_rng():
    crowd = generator.people(5, seed=1)

    rows = generator.licences(crowd, random.Random(2))

    assert [r["ref"] for r in rows] == [p["ref"] for p in crowd]
    assert rows[0]["family_name"] == crowd[0]["family_name"]


def test_write_csv_writes_the_header_iso_dates_empty_nones_and_utf8(tmp_path):
    rows = generator.people(200, seed=9)
    path = tmp_path / "people.csv"

    assert generator.write_csv(path, rows, generator.PEOPLE_COLUMNS) == 200

    with path.open(encoding="utf-8", newline="") as handle:
        read = list(csv.DictReader(handle))
    assert list(read[0]) == list(generator.PEOPLE_COLUMNS)
    assert [r["family_name"] for r in read] == [p["family_name"] for p in rows]
    assert read[0]["date_of_birth"] == rows[0]["date_of_birth"].isoformat()
    missing = next(i for i, p in enumerate(rows) if p["ni_number"] is None)
    assert read[missing]["ni_number"] == ""


def test_the_command_line_writes_the_requested_rows(tmp_path):
    out = tmp_path / "register.csv"

    assert (
        generator.main(["register", "7", "--seed", "2", "--authorities", "E08000031", "--out", str(out)]) == 0
    )

    with out.open(encoding="utf-8") as handle:
        read = list(csv.DictReader(handle))
    assert len(read) == 7
    assert {r["authority_code"] for r in read} == {"E08000031"}

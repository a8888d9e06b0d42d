"""The labelled benchmark set: deterministic, every hard case present, truth consistent, our CSVs."""

import csv
import random
from datetime import date

import pytest

from bench import corrupt, labelled
from bench.metrics import at_cut, best_cut

PEOPLE = [
    "ref", "given_names", "family_name", "previous_names", "date_of_birth", "sex", "address", "postcode",
    "ni_number", "driving_licence_number",
]  # fmt: skip
REGISTER = [*PEOPLE, "authority_code", "decision", "decided_on", "effective_on"]
LICENCES = [*PEOPLE, "authority_code", "badge_number", "licence_type", "granted_on", "expires_on"]
TODAY = date(2026, 11, 23)
SIZES = {"register": 300, "true_matches": 150, "lookalikes": 60, "no_match": 40}


@pytest.fixture(scope="module")
def small():
    """Return one small labelled set (built once: building is the slow part)."""
    return labelled.build(seed=11, **SIZES, today=TODAY)


def test_the_same_seed_builds_the_same_set(small):
    again = labelled.build(seed=11, **SIZES, today=TODAY)
    assert (again.applicants, again.truth, again.entries, again.licences) == (
        small.applicants,
        small.truth,
        small.entries,
        small.licences,
    )


def test_another_seed_builds_another_set(small):
    assert labelled.build(seed=12, **SIZES, today=TODAY).applicants != small.applicants


def test_every_corruption_and_lookalike_kind_is_present(small):
    kinds = {t["kind"] for t in small.truth}
    assert set(corrupt.all_kinds()) <= kinds
    assert set(corrupt.LOOKALIKES) <= kinds
    assert labelled.NO_MATCH in kinds


def test_every_true_applicant_differs_from_the_record_it_truly_is(small):
    register, applicants = small.register(), {a["ref"]: a for a in small.applicants}
    for t in small.truth:
        if t["true_candidate_ref"]:
            applicant = applicants[t["applicant_ref"]]
            assert labelled.differs(applicant, register[t["true_candidate_ref"]]), t


def test_truth_refers_to_real_applicants_and_register_records(small):
    register, applicants = small.register(), {a["ref"] for a in small.applicants}
    assert [t["applicant_ref"] for t in small.truth] == [a["ref"] for a in small.applicants]
    assert {t["true_candidate_ref"] for t in small.truth} - {""} <= set(register)
    assert len(register) == SIZES["register"] == len(small.entries) + len(small.licences)
    assert len(applicants) == sum(v for k, v in SIZES.items() if k != "register")


def test_applicants_are_counted_by_class(small):
    classes = [labelled.kind_class(t) for t in small.truth]
    assert classes.count("true") == SIZES["true_matches"]
    assert classes.count("lookalike") == SIZES["lookalikes"]
    assert classes.count("no_match") == SIZES["no_match"]


def _person(**overrides):
    base = {
        "ref": "R000001", "given_names": "Imran Ali", "family_name": "Hussain", "previous_names": "",
        "date_of_birth": date(1985, 3, 11), "sex": "M", "address": "12 Example Street, Testtown",
        "postcode": "WV1 1AA", "ni_number": "AB123456C", "driving_licence_number": "HUSSA803115IA9AB",
    }  # fmt: skip
    return base | overrides


OTHER = _person(
    ref="X", given_names="Tariq", family_name="Khan", date_of_birth=date(1990, 6, 2), address="3 Other Road",
    postcode="B1 1AA", ni_number="CE654321A", driving_licence_number="KHAN9906020T99XY",
)  # fmt: skip


@pytest.mark.parametrize("kind", corrupt.all_kinds())
def test_each_corruption_changes_the_person(kind):
    p = _person(given_names="William Ali") if "nickname" in kind else _person()
    changed = corrupt.corrupt(kind, p, random.Random(5), OTHER)
    assert changed is not None and labelled.differs(p, changed)
    assert changed["ni_number"] in ("", p["ni_number"]) or kind.startswith("ni_typo")


def test_name_change_keeps_the_old_surname_only_when_recorded():
    rng = random.Random(1)
    recorded = corrupt.corrupt("name_change", _person(), rng, OTHER)
    unrecorded = corrupt.corrupt("name_change_unrecorded", _person(), rng, OTHER)
    assert (recorded["family_name"], recorded["previous_names"]) == ("Khan", "Hussain")
    assert (unrecorded["family_name"], unrecorded["previous_names"]) == ("Khan", "")
    assert unrecorded["ni_number"] == "AB123456C"
    assert recorded["driving_licence_number"].startswith("KHAN9803115")


def test_twin_shares_surname_dob_and_address_but_not_given_name_or_ni():
    p = _person()
    twin = corrupt.twin(p, random.Random(1), OTHER)
    assert [twin[k] for k in ("family_name", "date_of_birth", "address", "postcode")] == [
        p[k] for k in ("family_name", "date_of_birth", "address", "postcode")
    ]
    assert twin["given_names"] != p["given_names"] and twin["ni_number"] != p["ni_number"]
    assert twin["driving_licence_number"] != p["driving_licence_number"]


def test_father_and_son_share_names_and_address_decades_apart():
    p = _person()
    father = corrupt.father_or_son(p, random.Random(1), OTHER)
    assert (father["given_names"], father["family_name"], father["address"]) == (
        p["given_names"],
        p["family_name"],
        p["address"],
    )
    assert 19 <= abs(father["date_of_birth"].year - p["date_of_birth"].year) <= 41
    assert father["ni_number"] != p["ni_number"]


def test_brother_housemate_and_namesake_differ_where_they_should():
    p, rng = _person(), random.Random(1)
    brother = corrupt.brother(p, rng, OTHER)
    assert brother["family_name"] == p["family_name"] and brother["address"] == p["address"]
    assert brother["given_names"] != p["given_names"] and brother["date_of_birth"] != p["date_of_birth"]
    mate = corrupt.housemate(p, rng, OTHER)
    assert mate["address"] == p["address"] and mate["family_name"] != p["family_name"]
    namesake = corrupt.namesake(p, rng, OTHER)
    assert (namesake["given_names"], namesake["family_name"]) == (p["given_names"], p["family_name"])
    assert namesake["date_of_birth"] != p["date_of_birth"] and namesake["address"] != p["address"]


def test_licence_number_follows_the_dvla_encoding():
    sarah = {
        "given_names": "Sarah Meredyth",
        "family_name": "Morgan",
        "date_of_birth": date(1964, 7, 5),
        "sex": "F",
    }
    assert corrupt.licence_number(sarah, random.Random(1)).startswith("MORGA657054SM9")


def test_csvs_have_exactly_the_design_headers(small, tmp_path):
    paths = labelled.write(small, tmp_path)
    expected = {"register_entries": REGISTER, "licences": LICENCES, "applicants": PEOPLE}
    expected["truth"] = ["applicant_ref", "true_candidate_ref", "kind"]
    for name, header in expected.items():
        with paths[name].open(encoding="utf-8") as handle:
            assert next(csv.reader(handle)) == header, name


def test_metrics_count_true_and_false_matches():
    truth = [
        {"applicant_ref": "A1", "true_candidate_ref": "R1", "kind": "surname_typo"},
        {"applicant_ref": "A2", "true_candidate_ref": "", "kind": "twin"},
    ]
    scored = {"A1": [("R1", 0.95), ("R2", 0.5)], "A2": [("R3", 0.92)]}
    assert at_cut(truth, scored, 0.9) | {} == {
        "cut": 0.9,
        "precision": 0.5,
        "recall": 1.0,
        "f1": 2 / 3,
        "tp": 1,
        "fp": 1,
    }
    assert best_cut(truth, scored)["cut"] == 0.95 and best_cut(truth, scored)["f1"] == 1.0


def test_lookalikes_without_identifiers_keep_the_shared_details_and_drop_ni_and_licence():
    p = _person()
    twin = corrupt.LOOKALIKES["twin+no_ids"](p, random.Random(1), OTHER)
    assert (twin["family_name"], twin["date_of_birth"], twin["address"]) == (
        p["family_name"],
        p["date_of_birth"],
        p["address"],
    )
    assert twin["given_names"] != p["given_names"]
    assert (twin["ni_number"], twin["driving_licence_number"]) == ("", "")


def test_a_twin_never_goes_by_one_of_the_persons_own_given_names_or_their_variants():
    p = _person(given_names="Mohammed Faruk")
    other = OTHER | {"given_names": "Muhammad Faruk"}
    assert corrupt.twin(p, random.Random(1), other)["given_names"] not in (
        "Muhammad Faruk",
        "Faruk",
        "Muhammad",
    )

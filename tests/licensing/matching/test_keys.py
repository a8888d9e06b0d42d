"""Blocking keys: a true pair shares at least one key under each corruption; strangers share none."""

from dataclasses import replace
from datetime import date

import pytest

from licensing.matching import frequency_keys, match_keys, near_dates, probe_keys
from tests.licensing.matching.test_scoring import IMRAN, LOOK_ALIKES, MOVED, SARAH, TRUE_PAIRS, WILLIAM

HARDER_PAIRS = {
    "DOB typo and misspelt surname": (
        IMRAN,
        replace(IMRAN, family_name="Hussian", date_of_birth=date(1986, 4, 8)),
    ),
    "DOB typo, misspelt surname, moved": (
        IMRAN,
        replace(IMRAN, family_name="Hussian", date_of_birth=date(1986, 4, 8), **MOVED),
    ),
    "wrong year, misspelt given name, moved": (
        IMRAN,
        replace(IMRAN, given_names="Imraan", date_of_birth=date(1968, 4, 9), **MOVED),
    ),
    "both names misspelt, same address": (
        IMRAN,
        replace(IMRAN, given_names="Imrna", family_name="Hussian"),
    ),
    "swapped names and DOB swap": (
        IMRAN,
        replace(IMRAN, given_names="Hussain", family_name="Imran", date_of_birth=date(1986, 9, 4), **MOVED),
    ),
    "nickname, moved": (WILLIAM, replace(WILLIAM, given_names="Bill", **MOVED)),
    "licence only": (
        replace(SARAH, driving_licence_number="MORGA657054SM9IJ"),
        replace(
            SARAH,
            given_names="Jane",
            family_name="Price",
            date_of_birth=None,
            driving_licence_number="MORGA657054SM9IJ",
        ),
    ),
}


@pytest.mark.parametrize("kind", [*TRUE_PAIRS, *HARDER_PAIRS])
def test_true_pair_shares_a_key(kind):
    a, b = {**TRUE_PAIRS, **HARDER_PAIRS}[kind]
    assert probe_keys(a) & match_keys(b)
    assert probe_keys(b) & match_keys(a)


def test_unrelated_people_share_no_key():
    assert not probe_keys(IMRAN) & match_keys(SARAH)
    stranger = replace(WILLIAM, given_names="Daniel", family_name="Kowalski", date_of_birth=date(1971, 3, 3))
    assert not probe_keys(IMRAN) & match_keys(stranger)
    assert not probe_keys(stranger) & match_keys(IMRAN)


def test_keys_are_short_and_few():
    person = replace(
        TRUE_PAIRS["married, moved"][1],
        given_names="Mohammed Abdul Rahman",
        ni_number="JG103759A",
        driving_licence_number="MORGA657054SM9IJ",
    )
    keys = match_keys(person)
    assert all(len(key) <= 80 for key in keys)
    assert 10 <= len(keys) <= 30


def test_invalid_identifiers_make_no_exact_keys():
    keys = match_keys(replace(IMRAN, ni_number="ZZ999999Z", driving_licence_number="NOT-A-LICENCE"))
    assert not [key for key in keys if key.startswith(("ni:", "dl13:"))]


def test_exact_identifier_keys_are_normalised():
    keys = match_keys(replace(IMRAN, ni_number="jg 10 37 59 a", driving_licence_number="morga657054sm9ij"))
    assert {"ni:JG103759", "dl13:MORGA657054SM"} <= keys


def test_every_stored_key_carries_a_full_date_or_an_identifier_or_a_postcode():
    # A year-only or month-and-day-only key holds hundreds of rows for "Mohammed Khan" at 1M records.
    for key in match_keys(IMRAN):
        kind, _, rest = key.partition(":")
        assert kind in ("ni", "dl13", "ps") or rest.endswith(IMRAN.date_of_birth.isoformat())


def test_a_screening_probes_its_stored_keys_and_near_date_forms():
    stored, probed = match_keys(IMRAN), probe_keys(IMRAN)
    assert stored < probed
    swapped = replace(IMRAN, date_of_birth=date(1986, 9, 4))
    assert probed & match_keys(swapped)
    far = replace(IMRAN, date_of_birth=date(1986, 11, 23), address="1 Other Road", postcode="M1 1AE")
    assert not probed & match_keys(far)


NEAR_DATES = {
    "one digit": (date(1982, 3, 2), date(1982, 3, 7)),
    "one digit of the year": (date(1982, 3, 2), date(1972, 3, 2)),
    "adjacent digits swapped": (date(1982, 3, 12), date(1982, 3, 21)),
    "day and month swapped": (date(1982, 3, 2), date(1982, 2, 3)),
    "year one off": (date(1989, 12, 31), date(1990, 12, 31)),
}
FAR_DATES = {
    "two digits": (date(1982, 3, 2), date(1982, 4, 3)),
    "same date": (date(1982, 3, 2), date(1982, 3, 2)),
    "two digits of the year": (date(1982, 3, 2), date(1971, 3, 2)),
}


@pytest.mark.parametrize("kind", NEAR_DATES)
def test_near_dates_hold_what_compare_dob_calls_close(kind):
    dob, other = NEAR_DATES[kind]
    assert other in near_dates(dob) and dob in near_dates(other)


@pytest.mark.parametrize("kind", FAR_DATES)
def test_near_dates_leave_out_other_dates(kind):
    dob, other = FAR_DATES[kind]
    assert other not in near_dates(dob)


def test_look_alikes_are_found_as_candidates_so_officers_see_them():
    a, b, _ = LOOK_ALIKES["twin"]
    assert probe_keys(a) & match_keys(b)


def test_frequency_keys_name_the_groups():
    person = replace(IMRAN, given_names="Muhammad Imran", family_name="Hussein")
    assert frequency_keys(person) == {"gn:mohammed", "gn:imran", "sn:hussain"}

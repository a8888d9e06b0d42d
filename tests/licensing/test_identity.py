"""The one identity-cleaning rule every entry point uses: kept, flagged, never an exact key."""

from dataclasses import fields
from datetime import date

import pytest
from sqlalchemy import select

from licensing.errors import ValidationFailed
from licensing.identity.fields import IDENTITY_FIELDS
from licensing.identity.validation import clean_identity
from licensing.matching import Person, match_keys, person_from, person_of
from licensing.persistence.models import Identity, MatchKey
from licensing.screening.key_index import KIND_CODES, keys_of
from tests.factories import NOW, identity, make_licence, make_register_entry

TODAY = NOW.date()


def cleaned(**overrides) -> tuple[dict, list[dict]]:
    """Clean the default identity with `overrides`."""
    return clean_identity(identity(**overrides), TODAY)


@pytest.mark.parametrize(
    ("name", "given", "stored"),
    [
        ("ni_number", "ab 12 34 56 c", "AB123456C"),
        ("ni_number", "AB123456", "AB123456"),  # the suffix letter is optional, as the engine reads it
        ("postcode", "wv11aa", "WV1 1AA"),
        ("driving_licence_number", "hussa 803145 i99ab", "HUSSA803145I99AB"),
        ("driving_licence_number", "HUSSA803145I99AB 12", "HUSSA803145I99AB"),  # the issue number is cut
        ("driving_licence_number", "1234 5678", "12345678"),  # Northern Ireland
    ],
)
def test_valid_identifiers_are_stored_in_their_standard_form(name, given, stored):
    values, warnings = cleaned(**{name: given})
    assert values[name] == stored and warnings == []


@pytest.mark.parametrize(
    ("name", "given"),
    [
        ("ni_number", "12345"),
        ("ni_number", "QQ 12 34 56 Z"),
        ("postcode", "nowhere"),
        ("driving_licence_number", "XYZ"),
    ],
)
def test_an_invalid_identifier_is_kept_as_given_and_flagged(name, given):
    values, warnings = cleaned(**{name: f"  {given} "})
    assert values[name] == given
    assert warnings == [{"field": name, "warning": "not valid"}]


def test_an_identifier_longer_than_its_column_is_refused():
    with pytest.raises(ValidationFailed) as refused:
        cleaned(driving_licence_number="X" * 33)
    assert refused.value.errors == [{"field": "driving_licence_number", "message": "At most 32 characters."}]


def test_the_engines_licence_checks_are_warnings_too():
    _, warnings = cleaned(family_name="Smith")
    assert warnings == [{"field": "driving_licence_number", "warning": "encodes another surname (HUSSA)"}]


@pytest.mark.parametrize(
    ("given", "stored"),
    [("18/05/1960", date(1960, 5, 18)), (date(1960, 5, 18), date(1960, 5, 18)), ("", None)],
)
def test_a_date_of_birth_is_read_as_the_uk_writes_it(given, stored):
    assert cleaned(date_of_birth=given, driving_licence_number=None)[0]["date_of_birth"] == stored


@pytest.mark.parametrize("given", ["05/18/1960", "18/05/60", date(1899, 12, 31), date(2015, 1, 1)])
def test_a_date_of_birth_that_cannot_be_read_or_is_out_of_range_is_refused(given):
    with pytest.raises(ValidationFailed) as refused:
        cleaned(date_of_birth=given)
    assert [e["field"] for e in refused.value.errors] == ["date_of_birth"]


@pytest.mark.parametrize(
    "name",
    ["José", "Zoë", "O'Brien", "Smith-Jones", "Nguyễn", "محمد", "王", "Mehr\u200cdad", "Singh Jr."],
)
def test_names_in_any_script_are_accepted(name):
    assert cleaned(given_names=name, family_name=name)[0]["family_name"] == name


@pytest.mark.parametrize(
    ("field", "given", "message"),
    [
        ("given_names", "Imr\x07an", "U+0007"),
        ("given_names", "Imr\x00an", "U+0000"),
        ("family_name", "Huss\u202enia", "U+202E"),  # displays as "Hussain"
        ("family_name", "\u2067Hussain\u2069", "U+2067"),
        ("family_name", "Hus\u200bsain", "U+200B"),  # zero-width space: two names that look one
        ("family_name", "\u0301\u0308", "at least one letter"),
        ("family_name", "--", "at least one letter"),
        ("previous_names", "Imran Khan;Imran\x1bKhan", "U+001B"),
        ("address", "12 Example Street\x00", "U+0000"),
        ("ni_number", "AB123456C\u202e", "U+202E"),
    ],
)
def test_names_and_fields_holding_controls_or_no_letter_are_refused(field, given, message):
    with pytest.raises(ValidationFailed) as refused:
        cleaned(**{field: given})
    assert [e["field"] for e in refused.value.errors] == [field]
    assert message in refused.value.errors[0]["message"]


@pytest.mark.parametrize("family_name", ["   ", "\t", "\u00a0\u2003"])
def test_a_whitespace_only_name_is_missing(family_name):
    with pytest.raises(ValidationFailed) as refused:
        cleaned(family_name=family_name)
    assert refused.value.errors == [{"field": "family_name", "message": "Required."}]


def test_an_address_keeps_its_line_breaks():
    address = "12 Example Street\r\nTesttown"
    assert cleaned(address=address)[0]["address"] == address


@pytest.mark.parametrize(
    ("given", "stored"), [("female", "F"), ("M", "M"), ("x", "X"), ("unknown", None), ("", None)]
)
def test_sex_is_read_from_the_words_forms_use(given, stored):
    assert cleaned(sex=given)[0]["sex"] == stored


def test_an_unreadable_sex_is_refused():
    with pytest.raises(ValidationFailed) as refused:
        cleaned(sex="Q")
    assert refused.value.errors[0]["field"] == "sex"


def test_a_record_with_an_invalid_ni_number_has_no_ni_key():
    values, _ = cleaned(ni_number="12345")
    assert not any(key.startswith("ni:") for key in match_keys(person_of(values)))
    valid, _ = cleaned()
    assert any(key.startswith("ni:") for key in match_keys(person_of(valid)))


def test_two_records_with_the_same_invalid_ni_number_share_no_ni_key(session):
    # Different people in every other respect: only an NI key could bring one to the other.
    first = make_licence(session, **identity(ni_number="12345"))
    other = identity(
        given_names="Sarah", family_name="Morgan", date_of_birth=date(1964, 7, 5), ni_number="12345"
    )
    second = make_register_entry(session, **other | {"postcode": "LS1 4AP", "driving_licence_number": None})
    assert (first.ni_number, second.ni_number) == ("12345", "12345")
    probe = keys_of(person_from(second)).keys
    query = select(MatchKey.key_hash).where(
        MatchKey.record_kind == KIND_CODES["licence"], MatchKey.record_id == first.id
    )
    stored = set(session.scalars(query))
    assert stored and not stored & probe


def test_records_and_the_matching_engine_hold_the_same_identity_fields():
    stored = [name for name in Identity.model_fields if name != "identity_warnings"]
    assert tuple(stored) == IDENTITY_FIELDS
    assert tuple(f.name for f in fields(Person)) == IDENTITY_FIELDS


def test_a_person_of_identity_values_is_the_person_of_the_record_storing_them(session):
    values, _ = cleaned(previous_names=["Jones", "Smith-Evans"], ni_number="not one")
    licence = make_licence(session, **values)
    assert person_of(values) == person_from(licence)
    assert person_of(values).previous_names == ("Jones", "Smith-Evans")


def test_lenient_cleaning_leaves_the_names_out_and_keeps_every_other_rule():
    with pytest.raises(ValidationFailed) as strict:
        clean_identity({"ni_number": "ab 12 34 56 c"}, TODAY)
    assert [e["field"] for e in strict.value.errors] == ["given_names", "family_name"]

    values, warnings = clean_identity({"ni_number": "ab 12 34 56 c"}, TODAY, lenient=True)
    assert (values["given_names"], values["ni_number"], warnings) == ("", "AB123456C", [])
    with pytest.raises(ValidationFailed) as lenient:
        clean_identity({"ni_number": "AB123456C", "date_of_birth": "31/02/1980"}, TODAY, lenient=True)
    assert [e["field"] for e in lenient.value.errors] == ["date_of_birth"]

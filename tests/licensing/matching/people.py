"""Synthetic people for matching tests: a base driver and the ways records of him go wrong."""

from dataclasses import replace
from datetime import date

from licensing.matching import Person


def make_person(**overrides) -> Person:
    """Return a synthetic driver, with any field overridden."""
    values = {
        "given_names": "Imran",
        "family_name": "Hussain",
        "date_of_birth": date(1986, 4, 9),
        "sex": "M",
        "address": "14 Carlisle Road",
        "postcode": "BD8 8AX",
    }
    return Person(**{**values, **overrides})


def corrupted(person: Person, kind: str) -> Person:
    """Return `person` as another council might have recorded him, with one kind of corruption."""
    dob = person.date_of_birth
    changes = {
        "typo_surname": {"family_name": "Hussian"},
        "typo_given": {"given_names": "Imrna"},
        "transliteration": {"family_name": "Hussein"},
        "swapped_names": {"given_names": person.family_name, "family_name": person.given_names},
        "nickname": {"given_names": "Mo", "family_name": "Khan"},
        "dropped_middle": {"given_names": person.given_names.split()[0]},
        "married": {"family_name": "Ahmed", "previous_names": (person.family_name,)},
        "moved": {"address": "3 Oak Lane", "postcode": "LS6 2DF"},
        "dob_typo": {"date_of_birth": dob.replace(day=dob.day + 1 if dob.day < 28 else 1)},
        "dob_swap": {"date_of_birth": date(dob.year, dob.day, dob.month)},
        "missing_ni": {"ni_number": None},
        "case": {"family_name": person.family_name.upper(), "given_names": person.given_names.lower()},
    }
    return replace(person, **changes[kind])

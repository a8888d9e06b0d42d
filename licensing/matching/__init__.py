"""Identity matching: normalise a person, derive blocking keys, score a pair with evidence.

This module fixes the interface the storage and CLI layers use. The engine behind it (normalisation,
name knowledge, Fellegi–Sunter scoring) lives in the sibling modules.
"""

from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

BANDS = ("match", "probable", "possible", "weak")


@dataclass(frozen=True)
class Person:
    """The identifying details of one record or applicant, as plain values."""

    given_names: str
    family_name: str
    previous_names: tuple[str, ...] = ()
    date_of_birth: date | None = None
    sex: str | None = None
    address: str = ""
    postcode: str | None = None
    ni_number: str | None = None
    driving_licence_number: str | None = None


@dataclass(frozen=True)
class Match:
    """The comparison of two people: probability they are one person, its band and why."""

    score: float
    band: str | None
    evidence: list[str] = field(default_factory=list)


class Frequencies(Protocol):
    """How common a name key is in the register; makes shared common names weak evidence."""

    def share(self, key: str) -> float:
        """Return the fraction of records carrying blocking key `key` (0 when unseen)."""


def person_from(record) -> Person:
    """Build a Person from any object with the identity fields (a record, a CSV row object)."""
    previous = getattr(record, "previous_names", "") or ""
    if isinstance(previous, str):
        previous = tuple(p.strip() for p in previous.split(";") if p.strip())
    return Person(
        given_names=record.given_names,
        family_name=record.family_name,
        previous_names=tuple(previous),
        date_of_birth=record.date_of_birth,
        sex=record.sex,
        address=record.address or "",
        postcode=record.postcode,
        ni_number=record.ni_number,
        driving_licence_number=record.driving_licence_number,
    )


def match_keys(person: Person) -> set[str]:
    """Return the blocking keys of `person` (interim: exact surname + DOB, and NI number)."""
    keys = set()
    if person.date_of_birth:
        keys.add(f"sd:{person.family_name.strip().lower()}:{person.date_of_birth.isoformat()}")
    if person.ni_number:
        keys.add(f"ni:{person.ni_number.replace(' ', '').upper()}")
    return keys


def compare(a: Person, b: Person, frequencies: Frequencies | None = None) -> Match:
    """Score `a` against `b` (interim: exact agreement only)."""
    same = a.family_name.lower() == b.family_name.lower() and a.date_of_birth == b.date_of_birth
    if not same:
        return Match(0.0, None, ["surname or date of birth differs"])
    return Match(0.95, "match", ["surname: same", "DOB: same"])

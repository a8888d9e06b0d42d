"""The values the matching engine exchanges with storage: Person in, Match out."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import date
from operator import attrgetter, itemgetter
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
    """How common a name is in the register; makes shared common names weak evidence."""

    total: int  # the records counted

    def count(self, key: str) -> int:
        """Return how many records carry name key `key` (see `frequency_keys`; 0 when unseen)."""


def person_of(values: Mapping) -> Person:
    """Build a Person from identity values by field name (a cleaned identity, a row read from a file)."""
    return person_in_order(_BY_NAME(values))


def person_from(record) -> Person:
    """Build a Person from a record, or any object holding the identity fields as attributes."""
    return person_in_order(_BY_ATTRIBUTE(record))


def person_in_order(values: Sequence) -> Person:
    """Build a Person from the identity fields' values in Person's order (a row of the identity columns)."""
    given, family, previous, born, sex, address, postcode, ni, licence = values
    previous = previous or ""
    if isinstance(previous, str):  # stored ';'-separated, as the CSV files give them
        previous = (p.strip() for p in previous.split(";") if p.strip())
    return Person(given or "", family or "", tuple(previous), born, sex, address or "", postcode, ni, licence)


# In C, each identity field's value, in Person's order.
_BY_NAME = itemgetter(*(f.name for f in fields(Person)))
_BY_ATTRIBUTE = attrgetter(*(f.name for f in fields(Person)))

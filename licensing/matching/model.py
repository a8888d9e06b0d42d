"""The values the matching engine exchanges with storage: Person in, Match out."""

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
    """How common a name is in the register; makes shared common names weak evidence."""

    total: int  # the records counted

    def count(self, key: str) -> int:
        """Return how many records carry name key `key` (see `frequency_keys`; 0 when unseen)."""


def person_from(record) -> Person:
    """Build a Person from any object with the identity fields (a record, a CSV row object)."""
    previous = getattr(record, "previous_names", "") or ""
    if isinstance(previous, str):
        previous = tuple(p.strip() for p in previous.split(";") if p.strip())
    return Person(
        given_names=record.given_names or "",
        family_name=record.family_name or "",
        previous_names=tuple(previous),
        date_of_birth=record.date_of_birth,
        sex=record.sex,
        address=record.address or "",
        postcode=record.postcode,
        ni_number=record.ni_number,
        driving_licence_number=record.driving_licence_number,
    )

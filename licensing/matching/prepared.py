"""A person's details normalised once, so that scoring many pairs costs only comparisons."""

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from licensing.matching.identifiers import (
    licence_dob,
    licence_encodes_dob,
    licence_sex,
    licence_surname,
    normalise_licence,
    normalise_ni,
    normalise_postcode,
    postcode_district,
)
from licensing.matching.names import group_key
from licensing.matching.normalise import fold, joined, name_tokens

_HOUSE_NUMBER = re.compile(r"\b(\d+[a-z]?)\b")
# Royal Mail's common street-type abbreviations, so "12 Leeds Rd" and "12 Leeds Road" agree.
STREET_WORDS = {
    "rd": "road", "st": "street", "ave": "avenue", "av": "avenue", "ln": "lane", "dr": "drive",
    "cres": "crescent", "ct": "court", "pl": "place", "gdns": "gardens", "gr": "grove", "gro": "grove",
    "tce": "terrace", "terr": "terrace", "cl": "close", "sq": "square", "pk": "park", "hse": "house",
    "apt": "flat", "apartment": "flat", "sth": "south", "nth": "north", "grn": "green", "hl": "hill",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Prepared:
    """The comparable form of one Person."""

    person: object
    given: tuple[str, ...]
    family: tuple[str, ...]
    family_joined: str
    previous: tuple[tuple[str, ...], ...]
    dob: date | None
    sex: str | None
    postcode: str | None
    district: str | None
    address: str
    numbers: frozenset[str]
    ni: str | None
    licence: str | None
    ni_text: str | None = None  # an NI number given but not valid, as text (never an exact key)
    licence_text: str | None = None  # likewise a driving licence number

    @property
    def given_groups(self) -> tuple[str, ...]:
        """Return the group keys of the given names."""
        return tuple(group_key(t) for t in self.given)

    @property
    def family_groups(self) -> tuple[str, ...]:
        """Return the group keys of the surname's tokens."""
        return tuple(group_key(t) for t in self.family)


def identifier_text(text: str | None) -> str | None:
    """Return an identifier's letters and digits in capitals, or None when it holds none."""
    compact = re.sub(r"[^0-9A-Z]", "", fold(text).upper())
    return compact or None


def normal_sex(sex: str | None) -> str | None:
    """Return "M", "F" or None from the many ways forms write sex."""
    letter = fold(sex).strip()[:1].upper()
    return letter if letter in ("M", "F") else None


def normal_address(address: str | None, postcode: str | None) -> str:
    """Return the address folded to words, without the postcode and punctuation."""
    words = re.findall(r"[a-z0-9]+", fold(address))
    dropped = {(postcode or "").replace(" ", "").lower(), *(postcode or "").lower().split()}
    return " ".join(STREET_WORDS.get(w, w) for w in words if w not in dropped)


def _fields(person, address: bool = True) -> Prepared:
    """Return `person` normalised but for the names, which are the dear part (see scoring.compare_fields).

    Without `address` the address is left out (match keys never use it).
    """
    postcode = normalise_postcode(person.postcode)
    address_text = normal_address(person.address, postcode) if address else ""
    return Prepared(
        person=person,
        given=(),
        family=(),
        family_joined="",
        previous=(),
        dob=person.date_of_birth,
        sex=normal_sex(person.sex),
        postcode=postcode,
        district=postcode_district(postcode),
        address=address_text,
        numbers=frozenset(_HOUSE_NUMBER.findall(address_text)),
        ni=(ni := normalise_ni(person.ni_number)),
        licence=(licence := normalise_licence(person.driving_licence_number)),
        ni_text=None if ni else identifier_text(person.ni_number),
        licence_text=None if licence else identifier_text(person.driving_licence_number),
    )


def _with_names(fields: Prepared) -> Prepared:
    """Return `fields` with the person's names normalised too."""
    person = fields.person
    return Prepared(
        person=person,
        given=tuple(name_tokens(person.given_names)),
        family=tuple(name_tokens(person.family_name, family=True)),
        family_joined=joined(person.family_name),
        previous=tuple(t for t in (tuple(name_tokens(p, family=True)) for p in person.previous_names) if t),
        dob=fields.dob,
        sex=fields.sex,
        postcode=fields.postcode,
        district=fields.district,
        address=fields.address,
        numbers=fields.numbers,
        ni=fields.ni,
        licence=fields.licence,
        ni_text=fields.ni_text,
        licence_text=fields.licence_text,
    )


# A screening compares one person with many and the same record with many applicants: each is
# normalised once. Bounded, as a bulk run meets any number of people.
prepare_fields = lru_cache(maxsize=100_000)(_fields)


@lru_cache(maxsize=100_000)
def prepare(person) -> Prepared:
    """Return the normalised form of `person`, computed once per distinct Person."""
    return _with_names(prepare_fields(person))


def prepare_for_keys(person) -> Prepared:
    """Return `person` normalised for its match keys: not cached (a record is stored once), no address."""
    return _with_names(_fields(person, address=False))


def warnings(person) -> list[str]:
    """Return what is wrong with `person`'s optional identifiers; none of it stops the person being used.

    Normalised without the cache: a record is checked once, as it is stored, and an import of a million
    would push out of the cache the people a screening compares again and again.
    """
    p = _fields(person, address=False)
    found = []
    if (person.postcode or "").strip() and p.postcode is None:
        found.append(f"postcode {person.postcode!r} is not a valid UK postcode; not used for matching")
    if (person.ni_number or "").strip() and p.ni is None:
        found.append(f"NI number {person.ni_number!r} is not a valid NI number; not used for matching")
    if (person.driving_licence_number or "").strip() and p.licence is None:
        found.append(
            f"driving licence number {person.driving_licence_number!r} is not a valid GB driver number; "
            "not used for matching"
        )
    if p.licence:
        names = (person.family_name, *person.previous_names)
        found += remarks_on_licence(p.licence, names, person.date_of_birth, person.sex)
    return found


def remarks_on_licence(licence: str, family_names, dob: date | None, sex: str | None) -> list[str]:
    """Return how a valid driver number disagrees with its holder's surnames, DOB and sex."""
    found = []
    if licence[:5] not in {licence_surname(name) for name in family_names}:
        found.append(f"licence number encodes another surname ({licence[:5].rstrip('9')})")
    sex = normal_sex(sex)
    if dob and not licence_encodes_dob(licence, dob):
        found.append(f"licence number encodes another DOB ({licence_dob(licence, dob)})")
    elif sex and licence_sex(licence) != sex:
        found.append("licence number encodes the other sex")
    return found

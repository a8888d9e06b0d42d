"""One synthetic driver: names by origin, age, sex, address and identifiers, all drawn from one rng."""

import random
from datetime import date, timedelta

from licensing.synthetic.identifiers import driving_licence_number, ni_number
from licensing.synthetic.names import ORIGINS, TITLE_SURNAMES, Origin, expand
from licensing.synthetic.places import make_address

# Ages are counted back from a fixed day, so the same seed gives the same people in any year.
REFERENCE_DATE = date(2025, 4, 1)
MIN_AGE, MODE_AGE, MAX_AGE = 21, 44, 75
NO_NI_RATE = 0.03  # recently arrived, or the field was left blank
NO_LICENCE_RATE = 0.04  # a Northern Ireland or EU licence, or the field was left blank
MAN_RENAMED_RATE = 0.03  # deed poll, anglicised or re-ordered surname
WOMAN_RENAMED_RATE = 0.35  # mostly a surname taken on marriage

_WEIGHTS = [o.weight for o in ORIGINS]
_POOLS = {
    o.key: {k: expand(getattr(o, k)) for k in ("male", "female", "family", "female_family")} for o in ORIGINS
}


def make_person(rng: random.Random, ref: str | None = None) -> dict:
    """Return one synthetic person as a people-CSV row (`date_of_birth` is a date)."""
    origin = rng.choices(ORIGINS, weights=_WEIGHTS)[0]
    sex = "F" if rng.random() < origin.female_share else "M"
    given_names, family_name = _names(origin, sex, rng)
    born = _date_of_birth(rng)
    address, postcode = make_address(rng)
    licence = (
        None
        if rng.random() < NO_LICENCE_RATE
        else driving_licence_number(family_name, given_names, born, sex, rng)
    )
    return {
        "ref": ref or f"P{rng.randrange(10**8):08d}",
        "given_names": given_names,
        "family_name": family_name,
        "previous_names": ";".join(_previous_names(origin, sex, family_name, rng)),
        "date_of_birth": born,
        "sex": sex,
        "address": address,
        "postcode": postcode,
        "ni_number": None if rng.random() < NO_NI_RATE else ni_number(rng),
        "driving_licence_number": licence,
    }


def _names(origin: Origin, sex: str, rng: random.Random) -> tuple[str, str]:
    """Return given names and family name following the origin's customs."""
    pool = _POOLS[origin.key]
    given_pool = pool["male"] if sex == "M" else pool["female"]
    given = [rng.choice(given_pool)]
    if rng.random() < origin.second_given_rate:
        given.append(rng.choice([n for n in given_pool if n != given[0]] or given_pool))
    family = _family_name(origin, sex, rng)
    if origin.key == "sikh":
        given, family = _sikh(given, family, sex, rng)
    return " ".join(given), family


def _family_name(origin: Origin, sex: str, rng: random.Random) -> str:
    """Return a family name, in its feminine form or as a title surname (Begum) where that is the custom."""
    pool = _POOLS[origin.key]
    if sex == "F" and origin.key in TITLE_SURNAMES:
        titles, rate = TITLE_SURNAMES[origin.key]
        if rng.random() < rate:
            return rng.choice(titles.split())
    if sex == "F" and pool["female_family"]:
        return rng.choice(pool["female_family"])
    return rng.choice(pool["family"])


def _sikh(given: list[str], family: str, sex: str, rng: random.Random) -> tuple[list[str], str]:
    """Place Singh or Kaur: as the family name, or between the given name and a family name."""
    title = "Singh" if sex == "M" else "Kaur"
    if family in ("Singh", "Kaur"):
        return given, title
    return ([*given, title] if rng.random() < 0.7 else given), family


def _date_of_birth(rng: random.Random) -> date:
    """Return a date of birth for an age between 21 and 75, most often the mid-forties."""
    age_days = int(rng.triangular(MIN_AGE, MAX_AGE, MODE_AGE) * 365.25)
    return REFERENCE_DATE - timedelta(days=age_days)


def _previous_names(origin: Origin, sex: str, family_name: str, rng: random.Random) -> list[str]:
    """Return earlier family names: often a maiden name for women, now and then a change for men."""
    rate = WOMAN_RENAMED_RATE if sex == "F" else MAN_RENAMED_RATE
    if rng.random() >= rate:
        return []
    pool = _POOLS[origin.key]["family"]
    return [rng.choice([n for n in pool if n != family_name] or pool)]

"""Blocking keys: short strings derived per record and probed by index to find candidates.

Each key is "<kind>:<value>". Recall comes from overlap: a true pair must share at least one key under
any one or two corruptions, so every kind below survives a different corruption. Selectivity comes from
pairing a name with a full date or a place: at 1,000,000 records a key like "nd:khan:1985-03-02" holds a
handful of rows, even for the commonest names.

Stored kinds (`match_keys`), and the corruption each one survives:

- ni: NI number (8 characters): any change of name or DOB.
- dl13: driver number positions 1-13 (surname, DOB, sex and initials as DVLA encodes them): any change
  of address, or a mistyped check character (the last three); an exact number meets itself here too.
- nd: name-token group + DOB, one per given, family and previous-name token: a misspelt other name,
  swapped names, marriage, a dropped middle name, moving house.
- nnd: two name-token groups (sorted) + DOB: with the near-date probes below, a DOB typo.
- pd: postcode + DOB: both names changed or misspelt.
- ps: postcode + surname sound: a DOB typo together with a misspelt name, same address.
- sd: surname sound + DOB: a surname typo no data file knows.
- sgd: surname sound + first initial + DOB: with near-date probes, a DOB typo and a misspelt surname.

A screening probes more keys than a record stores (`probe_keys`): besides the stored ones, "nd" under
the DOB with day and month swapped, and "nnd" and "sgd" under every near date, the dates `compare_dob`
calls close (one digit mistyped or two adjacent digits swapped, day and month swapped, year one off).
Keys carrying only a birth year or only a month and day would do the same, but for the commonest
names ("mohammed khan 1985") they hold hundreds of rows at 1M records, every one of them loaded and
scored, almost all with a DOB no typo explains; fifty exact probes cost less than one such key. Name-only
keys are never blocking keys; name frequencies use `frequency_keys` instead.
"""

from calendar import isleap
from datetime import date
from functools import lru_cache
from itertools import combinations

from licensing.matching.names import GIVEN, SURNAME, canonical, group_key, sound
from licensing.matching.prepared import Prepared, prepare, prepare_for_keys

# Name tokens per person used in keys: enough for two given names, a double surname and a former name.
MAX_TOKENS = 6
# Birth years a near date may have; a register of working drivers holds none outside them.
NEAR_YEARS = range(1900, 2100)
_PLACES = (1, 10, 100, 1000)
# Days in each month (index 1-12) of a common year and of a leap year.
_MONTH_DAYS = tuple((0, 31, 28 + leap, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31) for leap in (0, 1))


def key_kind(key: str) -> str:
    """Return the kind prefix of a key ("nd" for "nd:khan:1985-03-02")."""
    return key.split(":", 1)[0]


def _date(year: int, month: int, day: int) -> date | None:
    """Return the date, or None when the calendar has no such day."""
    return date(year, month, day) if _real(year, month, day) else None


def _real(year: int, month: int, day: int) -> bool:
    """Tell whether the calendar has this day, in NEAR_YEARS."""
    return year in NEAR_YEARS and 1 <= month <= 12 and 1 <= day <= _MONTH_DAYS[isleap(year)][month]


def _typos(number: int, width: int) -> list[int]:
    """Return the numbers one mistyped digit away from `number` written with `width` digits."""
    found = []
    for place in _PLACES[:width]:
        digit = number // place % 10
        found += [number + (other - digit) * place for other in range(10) if other != digit]
    return found


@lru_cache(maxsize=65_536)
def near_dates(dob: date) -> frozenset[date]:
    """Return the other dates `compare_dob` calls close to `dob`: one keystroke off, swapped, year +-1."""
    y, m, d = dob.year, dob.month, dob.day
    found = {(year, m, d) for year in [*_typos(y, 4), y - 1, y + 1]}
    found |= {(y, month, d) for month in _typos(m, 2)} | {(y, m, day) for day in _typos(d, 2)}
    text = f"{y:04d}{m:02d}{d:02d}"
    for i in range(7):
        swapped = text[:i] + text[i + 1] + text[i] + text[i + 2 :]
        found.add((int(swapped[:4]), int(swapped[4:6]), int(swapped[6:])))
    found.add((y, d, m))
    found.discard((y, m, d))
    return frozenset(date(*ymd) for ymd in found if _real(*ymd))


@lru_cache(maxsize=65_536)
def _near_texts(dob: date) -> tuple[str, ...]:
    """Return the near dates of `dob` in ISO form, as the keys write them."""
    return tuple(d.isoformat() for d in near_dates(dob))


def _name_groups(p: Prepared) -> list[str]:
    """Return the distinct group keys of a person's full name tokens (initials left out)."""
    tokens = [*p.given, *p.family, *(t for name in p.previous for t in name)]
    return list(dict.fromkeys(canonical(t) for t in tokens if len(t) > 1))[:MAX_TOKENS]


def _pairs(names: list[str]) -> list[str]:
    """Return "a:b" for each sorted pair of the first three name groups."""
    return [f"{a}:{b}" for a, b in combinations(sorted(set(names[:3])), 2)]


def _identifier_keys(p: Prepared) -> set[str]:
    """Return the exact-identifier keys."""
    keys = set()
    if p.ni:
        keys.add(f"ni:{p.ni}")
    if p.licence:
        keys.add(f"dl13:{p.licence[:13]}")
    return keys


def _dob_keys(p: Prepared, names: list[str]) -> set[str]:
    """Return the stored keys pairing names with the DOB."""
    dob = p.dob.isoformat()
    return {f"nd:{name}:{dob}" for name in names} | {f"nnd:{pair}:{dob}" for pair in _pairs(names)}


def _sound_keys(p: Prepared) -> set[str]:
    """Return keys on the surname's sound, for misspellings no data file knows."""
    if not p.family:
        return set()
    surname = sound(p.family[-1])
    keys = set()
    if p.postcode:
        keys.add(f"ps:{p.postcode}:{surname}")
    if p.dob:
        keys.add(f"sd:{surname}:{p.dob.isoformat()}")
        if p.given:
            keys.add(f"sgd:{surname}:{p.given[0][0]}:{p.dob.isoformat()}")
    return keys


def match_keys(person) -> set[str]:
    """Return the keys `person` is stored under (see the module docstring for the kinds)."""
    return _stored(prepare(person))


def _stored(p: Prepared) -> set[str]:
    """Return the stored keys of a prepared person."""
    keys = _identifier_keys(p) | _sound_keys(p)
    if p.dob:
        keys |= _dob_keys(p, _name_groups(p))
        if p.postcode:
            keys.add(f"pd:{p.postcode}:{p.dob.isoformat()}")
    return keys


def probe_keys(person) -> set[str]:
    """Return the keys a screening of `person` looks up: the stored ones and their near-date forms."""
    keys, stems, dob = probe_parts(person)
    return keys | {f"{stem}:{d}" for stem in stems for d in _near_texts(dob)}  # no stems without a DOB


def probe_parts(person) -> tuple[set[str], list[str], date | None]:
    """Return `probe_keys` in parts: (whole keys, stems, DOB); each stem is probed under every near date.

    The near-date keys are most of a screening's probes, and their stems are few: a caller that hashes
    keys can hash each stem once (see licensing/screening/key_index.py).
    """
    p = prepare(person)
    keys = _stored(p)
    if not p.dob:
        return keys, [], None
    names = _name_groups(p)
    swapped = _date(p.dob.year, p.dob.day, p.dob.month)
    if swapped and swapped != p.dob:
        keys |= {f"nd:{name}:{swapped.isoformat()}" for name in names}
    stems = [f"nnd:{pair}" for pair in _pairs(names)]
    if p.family and p.given:
        stems.append(f"sgd:{sound(p.family[-1])}:{p.given[0][0]}")
    return keys, stems, p.dob


def index_keys(person) -> tuple[set[str], set[str]]:
    """Return the keys a record being stored is indexed under: (match keys, frequency keys).

    Normalised without the cache: a record is stored once, and an import of a million would only
    push out of the cache the people a screening compares again and again.
    """
    p = prepare_for_keys(person)
    return _stored(p), _frequency_keys(p)


def frequency_keys(person) -> set[str]:
    """Return the name keys whose register share weighs name agreement ("sn:khan", "gn:mohammed")."""
    return _frequency_keys(prepare(person))


def _frequency_keys(p: Prepared) -> set[str]:
    """Return the name keys of a prepared person."""
    surnames = {f"{SURNAME}:{group_key(t)}" for t in p.family if len(t) > 1}
    given = {f"{GIVEN}:{group_key(t)}" for t in p.given if len(t) > 1}
    return surnames | given

"""Blocking keys: short strings stored per record and probed by index to find candidates.

Each key is "<kind>:<value>". Recall comes from overlap: a true pair must share at least one key under
any one or two corruptions, so every kind below survives a different corruption. Selectivity comes from
pairing a name with a date or a place: at 1,000,000 records a key like "nd:khan:1985-03-02" holds a
handful of rows, even for the commonest names.

Kinds, and the corruption each one survives:

- ni: NI number (8 characters): any change of name or DOB.
- dl: driver number: any change of name or address.
- dl13: driver number positions 1-13: a mistyped check character.
- nd: name-token group + DOB, one per given, family and previous-name token: a misspelt other name,
  swapped names, marriage, a dropped middle name, moving house.
- ndx: name-token group + DOB with day and month swapped: a day/month swap.
- nny: two name-token groups (sorted) + birth year: a DOB typo outside the year.
- nnmd: two name-token groups (sorted) + birth month and day: a wrong birth year.
- pd: postcode + DOB: both names changed or misspelt.
- ps: postcode + surname sound: a DOB typo together with a misspelt name, same address.
- sd: surname sound + DOB: a surname typo no data file knows.
- sgy: surname sound + first initial + birth year: a DOB typo outside the year with a misspelt name.

Trade-off: "nny" and "sgy" carry only a year, so for the commonest names ("mohammed khan 1985",
"kn:m:1985") they can hold ~100 rows at 1M records. They are the only keys that recover a DOB typo
combined with a misspelt name, so they stay, but `BROAD_KINDS` marks them: a screening may probe them
last or cap the rows it reads from them. Name-only keys are never blocking keys; name frequencies use
`frequency_keys` instead.
"""

from itertools import combinations

from licensing.matching.frequencies import GIVEN, SURNAME
from licensing.matching.names import canonical, group_key, sound
from licensing.matching.prepared import Prepared, prepare

MAX_KEY = 80
BROAD_KINDS = frozenset({"nny", "sgy"})
# Name tokens per person used in keys: enough for two given names, a double surname and a former name.
MAX_TOKENS = 6


def key_kind(key: str) -> str:
    """Return the kind prefix of a key ("nd" for "nd:khan:1985-03-02")."""
    return key.split(":", 1)[0]


def is_broad(key: str) -> bool:
    """Tell whether a key can hold many rows for a common name (probe it last, or cap it)."""
    return key_kind(key) in BROAD_KINDS


def _name_groups(p: Prepared) -> list[str]:
    """Return the distinct group keys of a person's full name tokens (initials left out)."""
    tokens = [*p.given, *p.family, *(t for name in p.previous for t in name)]
    return list(dict.fromkeys(canonical(t) for t in tokens if len(t) > 1))[:MAX_TOKENS]


def _identifier_keys(p: Prepared) -> set[str]:
    """Return the exact-identifier keys."""
    keys = set()
    if p.ni:
        keys.add(f"ni:{p.ni}")
    if p.licence:
        keys |= {f"dl:{p.licence}", f"dl13:{p.licence[:13]}"}
    return keys


def _dob_keys(p: Prepared, names: list[str]) -> set[str]:
    """Return keys pairing names with the DOB, its day/month swap, its year and its month-day."""
    dob = p.dob
    keys = {f"nd:{name}:{dob.isoformat()}" for name in names}
    if dob.day <= 12 and dob.day != dob.month:
        keys |= {f"ndx:{name}:{dob.year:04d}-{dob.day:02d}-{dob.month:02d}" for name in names}
    for pair in combinations(sorted(set(names[:3])), 2):
        keys.add(f"nny:{pair[0]}:{pair[1]}:{dob.year}")
        keys.add(f"nnmd:{pair[0]}:{pair[1]}:{dob.month:02d}-{dob.day:02d}")
    return keys


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
            keys.add(f"sgy:{surname}:{p.given[0][0]}:{p.dob.year}")
    return keys


def match_keys(person) -> set[str]:
    """Return the blocking keys of `person` (see the module docstring for the kinds)."""
    p = prepare(person)
    names = _name_groups(p)
    keys = _identifier_keys(p) | _sound_keys(p)
    if p.dob:
        keys |= _dob_keys(p, names)
        if p.postcode:
            keys.add(f"pd:{p.postcode}:{p.dob.isoformat()}")
    return {key[:MAX_KEY] for key in keys}


def frequency_keys(person) -> set[str]:
    """Return the name keys whose register share weighs name agreement ("sn:khan", "gn:mohammed")."""
    p = prepare(person)
    surnames = {f"{SURNAME}:{group_key(t)}" for t in p.family if len(t) > 1}
    given = {f"{GIVEN}:{group_key(t)}" for t in p.given if len(t) > 1}
    return {key[:MAX_KEY] for key in surnames | given}

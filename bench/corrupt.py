"""Disguise a person the way real applications do, and build the relatives who must not match.

A person is a dict with the people-CSV columns; `date_of_birth` is a `datetime.date`. Every function
takes the person and an `random.Random`, returns a new dict and never changes its argument. A
corruption returns None when it cannot apply (e.g. no middle name to drop), so the caller picks another.
"""

import random
import string
from collections.abc import Callable
from datetime import date, timedelta

from bench.names import equivalents, nicknames, transliterations
from licensing.synthetic.identifiers import driving_licence_number, surname_code

Person = dict
Corruption = Callable[[Person, random.Random], Person | None]

_TRANSLITERATIONS = transliterations()
_NICKNAMES = nicknames()
_EQUIVALENTS = equivalents()
_VOWELS = "aeiou"
_SIBLING_NAMES = ("Zain", "Bilal", "Kamran", "Oliver", "Piotr", "Daniel", "Amir", "Liam")


def typo(word: str, rng: random.Random) -> str:
    """Return `word` with one insertion, deletion, substitution or transposition of a letter."""
    for _ in range(20):
        i = rng.randrange(1, len(word)) if len(word) > 1 else 0
        op = rng.choice(("insert", "delete", "substitute", "transpose"))
        letter = rng.choice(string.ascii_lowercase)
        if op == "insert":
            out = word[:i] + letter + word[i:]
        elif op == "delete" and len(word) > 3:
            out = word[:i] + word[i + 1 :]
        elif op == "transpose" and i < len(word) - 1:
            out = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
        else:
            out = word[:i] + letter + word[i + 1 :]
        if out.lower() != word.lower():
            return out
    return word + rng.choice(_VOWELS)


def _variant(name: str, table: dict[str, list[str]], rng: random.Random) -> str | None:
    """Return another spelling of one token of `name` from `table`, or None if no token has one."""
    tokens = name.split()
    known = [i for i, t in enumerate(tokens) if t.lower() in table]
    if not known:
        return None
    i = rng.choice(known)
    tokens[i] = rng.choice(table[tokens[i].lower()])
    return " ".join(tokens)


def surname_typo(p: Person, rng: random.Random) -> Person:
    """Misspell the family name by one keystroke."""
    return p | {"family_name": typo(p["family_name"], rng)}


def given_typo(p: Person, rng: random.Random) -> Person:
    """Misspell the first given name by one keystroke."""
    first, *rest = p["given_names"].split()
    return p | {"given_names": " ".join([typo(first, rng), *rest])}


def transliteration(p: Person, rng: random.Random) -> Person | None:
    """Spell a given or family name another accepted way (Mohammed -> Muhammad)."""
    fields = [f for f in ("given_names", "family_name") if _variant(p[f], _TRANSLITERATIONS, rng)]
    if not fields:
        return None
    field = rng.choice(fields)
    return p | {field: _variant(p[field], _TRANSLITERATIONS, rng)}


def swapped_names(p: Person, rng: random.Random) -> Person:
    """Swap given and family names, as forms filled in the 'wrong' order do."""
    first = p["given_names"].split()[0]
    return p | {"given_names": p["family_name"], "family_name": first}


def reordered_given(p: Person, rng: random.Random) -> Person | None:
    """Put the middle name first (a person known by their middle name)."""
    tokens = p["given_names"].split()
    if len(tokens) < 2:
        return None
    return p | {"given_names": " ".join([tokens[1], tokens[0], *tokens[2:]])}


def dropped_middle(p: Person, rng: random.Random) -> Person | None:
    """Leave out the middle name(s)."""
    tokens = p["given_names"].split()
    if len(tokens) < 2:
        return None
    return p | {"given_names": tokens[0]}


def nickname(p: Person, rng: random.Random) -> Person | None:
    """Give the first name as its familiar form (William -> Bill)."""
    first, *rest = p["given_names"].split()
    if first.lower() not in _NICKNAMES:
        return None
    return p | {"given_names": " ".join([rng.choice(_NICKNAMES[first.lower()]), *rest])}


def name_change(p: Person, rng: random.Random, new_surname: str) -> Person:
    """Take `new_surname` (marriage, deed poll), keeping the old one as a previous name."""
    previous = ";".join(filter(None, [p.get("previous_names") or "", p["family_name"]]))
    changed = p | {"family_name": new_surname, "previous_names": previous}
    if p.get("driving_licence_number"):
        # DVLA reissues the licence under the new surname; characters 6-16 stay.
        changed["driving_licence_number"] = surname_code(new_surname) + p["driving_licence_number"][5:]
    return changed


def moved_house(p: Person, rng: random.Random, fresh: Person) -> Person:
    """Move to `fresh`'s address and postcode."""
    return p | {"address": fresh["address"], "postcode": fresh["postcode"]}


def dob_digit_typo(p: Person, rng: random.Random) -> Person | None:
    """Mistype one digit of the date of birth, leaving a valid adult date."""
    dob = p.get("date_of_birth")
    if not dob:
        return None
    text = dob.isoformat()
    for _ in range(50):
        i = rng.choice([2, 3, 5, 6, 8, 9])
        candidate = text[:i] + rng.choice(string.digits.replace(text[i], "")) + text[i + 1 :]
        try:
            new = date.fromisoformat(candidate)
        except ValueError:
            continue
        if 1940 <= new.year <= 2006:
            return p | {"date_of_birth": new}
    return None


def dob_day_month_swap(p: Person, rng: random.Random) -> Person | None:
    """Swap day and month (a US-style or careless form), when both are valid months."""
    dob = p.get("date_of_birth")
    if not dob or dob.day > 12 or dob.day == dob.month:
        return None
    return p | {"date_of_birth": date(dob.year, dob.day, dob.month)}


def ni_missing(p: Person, rng: random.Random) -> Person | None:
    """Leave the NI number out."""
    return p | {"ni_number": ""} if p.get("ni_number") else None


def ni_typo(p: Person, rng: random.Random) -> Person | None:
    """Mistype one digit of the NI number."""
    ni = p.get("ni_number")
    if not ni:
        return None
    i = rng.randrange(2, 8)
    return p | {"ni_number": ni[:i] + rng.choice(string.digits.replace(ni[i], "")) + ni[i + 1 :]}


def licence_missing(p: Person, rng: random.Random) -> Person | None:
    """Leave the driving licence number out."""
    return p | {"driving_licence_number": ""} if p.get("driving_licence_number") else None


def licence_number(p: Person, rng: random.Random) -> str:
    """Return a GB driving licence number consistent with `p` (docs/reference.md, driving licence numbers)."""
    return driving_licence_number(
        p["family_name"], p["given_names"], p["date_of_birth"], p.get("sex") or "M", rng
    )


def shift_years(dob: date, years: int) -> date:
    """Return `dob` moved by `years`, keeping the day where the calendar allows."""
    try:
        return dob.replace(year=dob.year + years)
    except ValueError:
        return dob.replace(year=dob.year + years, day=28)


def relative(p: Person, rng: random.Random, other: Person, **keep) -> Person:
    """Return `other`'s identity with `keep` fields of `p`, own NI number and a consistent licence."""
    out = other | keep
    if out.get("driving_licence_number"):
        out["driving_licence_number"] = licence_number(out, rng)
    return out


def distinct_given(p: Person, other: Person, rng: random.Random) -> str:
    """Return `other`'s given names less any that are, or are a variant of, one of `p`'s.

    A sibling called by one of the person's own names (its spelling variant, nickname, or the same
    name in another language: Tomasz, Thomas) is not a look-alike that can be told apart: no register
    could, so the label would be wrong.
    """
    taken = set()
    for token in p["given_names"].lower().split():
        variants = _TRANSLITERATIONS.get(token, []) + _NICKNAMES.get(token, []) + _EQUIVALENTS.get(token, [])
        taken |= {token, *(v.lower() for v in variants)}
    kept = [t for t in other["given_names"].split() if t.lower() not in taken]
    return " ".join(kept) or rng.choice([n for n in _SIBLING_NAMES if n.lower() not in taken])


def twin(p: Person, rng: random.Random, other: Person) -> Person:
    """Return a twin: same surname, DOB and address, another given name, own NI and licence."""
    given = distinct_given(p, other, rng)
    shared = {k: p[k] for k in ("family_name", "date_of_birth", "address", "postcode")}
    return relative(p, rng, other | {"given_names": given, "previous_names": ""}, **shared)


def father_or_son(p: Person, rng: random.Random, other: Person) -> Person:
    """Return a father or son: same names and address, born 20-40 years apart."""
    years = rng.randint(20, 40) * (1 if p["date_of_birth"].year < 1975 else -1)
    dob = shift_years(p["date_of_birth"], years) + timedelta(days=rng.randint(-150, 150))
    shared = {k: p[k] for k in ("given_names", "family_name", "address", "postcode")}
    return relative(
        p, rng, other | {"date_of_birth": dob, "previous_names": "", "sex": p.get("sex")}, **shared
    )


def brother(p: Person, rng: random.Random, other: Person) -> Person:
    """Return a sibling: same surname and address, another given name, born 1-10 years apart."""
    dob = shift_years(p["date_of_birth"], rng.choice([-1, 1]) * rng.randint(1, 10))
    given = distinct_given(p, other, rng)
    shared = {k: p[k] for k in ("family_name", "address", "postcode")}
    return relative(
        p, rng, other | {"given_names": given, "date_of_birth": dob, "previous_names": ""}, **shared
    )


def housemate(p: Person, rng: random.Random, other: Person) -> Person:
    """Return someone else living at the same address."""
    return relative(p, rng, other, address=p["address"], postcode=p["postcode"])


def namesake(p: Person, rng: random.Random, other: Person) -> Person:
    """Return a stranger with the same full name, another DOB and address."""
    dob = p["date_of_birth"]
    if other["date_of_birth"] == dob:
        other = other | {"date_of_birth": shift_years(dob, 3)}
    return relative(
        p, rng, other | {"previous_names": ""}, given_names=p["given_names"], family_name=p["family_name"]
    )


SIMPLE: dict[str, Corruption] = {
    "surname_typo": surname_typo,
    "given_typo": given_typo,
    "transliteration": transliteration,
    "swapped_names": swapped_names,
    "reordered_given": reordered_given,
    "dropped_middle": dropped_middle,
    "nickname": nickname,
    "dob_digit_typo": dob_digit_typo,
    "dob_day_month_swap": dob_day_month_swap,
    "ni_missing": ni_missing,
    "ni_typo": ni_typo,
    "licence_missing": licence_missing,
}
# Kinds that need a second synthetic person (a new surname or address) come from the builder.
NEEDS_OTHER = ("name_change", "name_change_unrecorded", "moved_house")
COMBOS = [
    ("moved_house", "surname_typo"),
    ("moved_house", "transliteration"),
    ("moved_house", "ni_missing"),
    ("nickname", "licence_missing"),
    ("dob_day_month_swap", "given_typo"),
    ("name_change", "moved_house"),
    ("transliteration", "ni_missing"),
    ("swapped_names", "licence_missing"),
]
LOOKALIKES = {
    "twin": twin,
    "father_son": father_or_son,
    "brother": brother,
    "housemate": housemate,
    "namesake": namesake,
}
# The hardest look-alikes apply without the NI and licence numbers that would tell them apart.
for _kind in ("twin", "father_son", "brother"):
    LOOKALIKES[f"{_kind}+no_ids"] = lambda p, rng, other, make=LOOKALIKES[_kind]: without_ids(
        make(p, rng, other)
    )


def without_ids(p: Person) -> Person:
    """Return `p` without NI or driving licence number."""
    return p | {"ni_number": "", "driving_licence_number": ""}


def corrupt(kind: str, p: Person, rng: random.Random, other: Person) -> Person | None:
    """Apply corruption `kind` ('a+b' for two) to `p`; `other` supplies a new surname or address."""
    result = p
    for part in kind.split("+"):
        result = _one(part, result, rng, other)
        if result is None:
            return None
    return result


def _one(kind: str, p: Person, rng: random.Random, other: Person) -> Person | None:
    """Apply one corruption."""
    if kind == "moved_house":
        return moved_house(p, rng, other)
    if kind == "name_change":
        return name_change(p, rng, other["family_name"])
    if kind == "name_change_unrecorded":
        if not p.get("ni_number"):
            return None
        return name_change(p, rng, other["family_name"]) | {"previous_names": p.get("previous_names") or ""}
    return SIMPLE[kind](p, rng)


def all_kinds() -> list[str]:
    """Return every corruption kind, single and combined, in a stable order."""
    return [*SIMPLE, *NEEDS_OTHER, *("+".join(c) for c in COMBOS)]

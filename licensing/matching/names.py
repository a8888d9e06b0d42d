"""Name knowledge from the data files, and how two name tokens relate (same, variant, nickname, typo...)."""

import csv
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

from jellyfish import nysiis
from rapidfuzz.distance import OSA, JaroWinkler

from licensing.matching.normalise import normal_token

DATA = Path(__file__).parent / "data"
# File -> the words evidence uses for "these spellings are one name".
GROUP_FILES = {
    "transliterations.csv": "transliteration variant",
    "equivalents.csv": "same name in another language",
    "surname_variants.csv": "spelling variant",
}
NICKNAME_FILE = "nicknames.csv"

# Token relations, strongest first; the order is what "best of several pairs" means.
EXACT, VARIANT, ROMANISED, NICKNAME, TYPO, PHONETIC, INITIAL, DIFFERENT = range(8)
# The kinds of name group a frequency key names: "sn:khan" (a surname), "gn:mohammed" (a given name).
SURNAME, GIVEN = "sn", "gn"


@dataclass(frozen=True)
class Relation:
    """How two tokens relate, with words for the evidence line."""

    level: int
    wording: str


def _rows(name: str) -> list[list[str]]:
    """Read one data file as rows of normalised, de-duplicated tokens."""
    with (DATA / name).open(encoding="utf-8") as handle:
        rows = [[normal_token(cell) for cell in row if cell.strip()] for row in csv.reader(handle)]
    return [list(dict.fromkeys(t for t in row if t)) for row in rows if row]


@cache
def groups() -> dict[str, tuple[str, str]]:
    """Return token -> (group key, wording): the first spelling of its row and the file's wording."""
    index: dict[str, tuple[str, str]] = {}
    for name, wording in GROUP_FILES.items():
        for row in _rows(name):
            for token in row:
                index.setdefault(token, (row[0], wording))
    return index


@cache
def nicknames() -> dict[str, frozenset[str]]:
    """Return token -> the group keys of the formal names it is a nickname of (or is)."""
    index: dict[str, set[str]] = {}
    for row in _rows(NICKNAME_FILE):
        formal = group_key(row[0])
        for token in row:
            index.setdefault(token, set()).add(formal)
            index.setdefault(group_key(token), set()).add(formal)
    return {token: frozenset(keys) for token, keys in index.items()}


@lru_cache(maxsize=200_000)
def group_key(token: str) -> str:
    """Return the group key of a token (its own spelling when no data file lists it)."""
    found = groups().get(token)
    return found[0] if found else token


@lru_cache(maxsize=200_000)
def formal_keys(token: str) -> frozenset[str]:
    """Return the group keys a token can stand for: its own group and any formal name it shortens."""
    return frozenset({group_key(token)}) | nicknames().get(token, frozenset())


@lru_cache(maxsize=200_000)
def canonical(token: str) -> str:
    """Return the key a token is indexed under: its group, or the one formal name a nickname shortens."""
    formal = nicknames().get(token, frozenset()) - {token}
    return next(iter(formal)) if len(formal) == 1 else group_key(token)


# Arabic, Urdu and Bengali names reach English through many romanisations: a long vowel written doubled
# or not (Adeel, Adil; Haroon, Harun; Aamir, Amir), q or k for qaf (Saqib, Sakib), a consonant doubled
# or not (Shakeel, Shakil; Hussain, Husain), a final h or not (Fatimah, Fatima). Spellings that differ
# only so are one name. The rule reads spelling alone, so it applies where the tables know neither name.
_ROMANISATIONS = (("ee", "i"), ("ii", "i"), ("ie", "i"), ("oo", "u"), ("ou", "u"), ("uu", "u"), ("aa", "a"),
                  ("q", "k"), ("ph", "f"))  # fmt: skip
_FINAL_H = re.compile(r"(?<=[aeiou])h$")
_DOUBLED = re.compile(r"(.)\1+")


@lru_cache(maxsize=200_000)
def romanised(token: str) -> str:
    """Return a token with the spelling choices of romanisation folded away (Rasheed -> rashid)."""
    text = token
    for spelling, folded in _ROMANISATIONS:
        text = text.replace(spelling, folded)
    return _FINAL_H.sub("", _DOUBLED.sub(r"\1", text))


_VOWELS_AFTER_FIRST = re.compile(r"(?<=.)[aeiouyhw]")
_SOUNDS = (("ph", "f"), ("ck", "k"), ("q", "k"), ("c", "k"), ("z", "s"), ("x", "ks"), ("v", "f"), ("j", "g"))


@lru_cache(maxsize=200_000)
def sound(token: str) -> str:
    """Return a coarse consonant skeleton (Khan/Kahn -> kn, Hussain/Hussian -> hsn) for typo-proof keys."""
    text = group_key(token)
    for spelling, spoken in _SOUNDS:
        text = text.replace(spelling, spoken)
    text = _VOWELS_AFTER_FIRST.sub("", text)
    return re.sub(r"(.)\1+", r"\1", text)[:6]


@lru_cache(maxsize=400_000)
def relate(a: str, b: str) -> Relation:
    """Return how two name tokens relate, strongest relation first."""
    if a == b:
        return Relation(EXACT, "same")
    if len(a) == 1 or len(b) == 1:
        return Relation(INITIAL, "initial") if a[0] == b[0] else Relation(DIFFERENT, "different")
    found_a, found_b = groups().get(a), groups().get(b)
    if found_a and found_b and found_a[0] == found_b[0]:
        return Relation(VARIANT, found_a[1])
    if formal_keys(a) & formal_keys(b):
        return Relation(NICKNAME, "nickname")
    if found_a and found_b:
        # Two known names from different rows are different names, however alike they look: Hassan
        # and Hussain are brothers, not a misspelling.
        return Relation(DIFFERENT, "different")
    if min(len(a), len(b)) >= 4 and romanised(a) == romanised(b):
        return Relation(ROMANISED, "spelt another way")
    return _spelling(a, b)


def _spelling(a: str, b: str) -> Relation:
    """Relate two tokens by spelling alone: one slip of the pen, or the same sound."""
    distance = OSA.distance(a, b)
    shortest = min(len(a), len(b))
    if (distance == 1 and shortest >= 4) or (distance == 2 and shortest >= 8):
        return Relation(TYPO, "spelling differs slightly")
    if shortest >= 4 and JaroWinkler.similarity(a, b) >= 0.93:
        return Relation(TYPO, "spelling differs slightly")
    if shortest >= 3 and (sound(a) == sound(b) or nysiis(a) == nysiis(b)):
        return Relation(PHONETIC, "sounds the same")
    return Relation(DIFFERENT, "different")

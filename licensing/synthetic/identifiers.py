"""Well-formed (but made-up) National Insurance and GB driving licence numbers."""

import random
import string
import unicodedata
from datetime import date

# HMRC: neither prefix letter is D, F, I, Q, U or V; the second is not O; some pairs are never issued.
NI_FIRST = "".join(c for c in string.ascii_uppercase if c not in "DFIQUV")
NI_SECOND = NI_FIRST.replace("O", "")
NI_BANNED_PREFIXES = frozenset({"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"})
# Letters that do not decompose into an ASCII letter plus a combining mark.
_FOLD = str.maketrans(
    {"Ł": "L", "ł": "l", "Ø": "O", "ø": "o", "ß": "ss", "Æ": "AE", "æ": "ae", "Đ": "D", "đ": "d"}
)


def ni_number(rng: random.Random) -> str:
    """Return a National Insurance number of valid form."""
    while True:
        prefix = rng.choice(NI_FIRST) + rng.choice(NI_SECOND)
        if prefix not in NI_BANNED_PREFIXES:
            return f"{prefix}{rng.randrange(10**6):06d}{rng.choice('ABCD')}"


def ascii_letters(name: str) -> str:
    """Return the name's letters only, in upper-case ASCII (Wójcik -> WOJCIK, O'Brien -> OBRIEN)."""
    decomposed = unicodedata.normalize("NFKD", name.translate(_FOLD))
    return "".join(c for c in decomposed if c.isascii() and c.isalpha()).upper()


def surname_code(family_name: str) -> str:
    """Return characters 1-5 of a driver number: the surname's first five letters, MAC as MC, 9-padded."""
    letters = ascii_letters(family_name) or "X"
    if letters.startswith("MAC"):
        letters = "MC" + letters[3:]
    return letters[:5].ljust(5, "9")


def licence_number_stem(family_name: str, given_names: str, born: date, sex: str) -> str:
    """Return characters 1-14 of a GB driver number, which are derived from the holder's details."""
    month = born.month + (50 if sex == "F" else 0)
    initials = [ascii_letters(n)[:1] for n in given_names.split()][:2]
    middle = initials[1] if len(initials) > 1 and initials[1] else "9"
    return (
        f"{surname_code(family_name)}{born.year // 10 % 10}{month:02d}{born.day:02d}{born.year % 10}"
        f"{initials[0] or '9'}{middle}9"
    )


def driving_licence_number(
    family_name: str, given_names: str, born: date, sex: str, rng: random.Random
) -> str:
    """Return a GB driver number: the derived stem and two check letters, which cannot be derived."""
    return licence_number_stem(family_name, given_names, born, sex) + "".join(
        rng.choice(string.ascii_uppercase) for _ in range(2)
    )

"""UK identifiers (postcode, National Insurance number, driving licence number): validated, normalised, and
found where they are written in text.
"""

import re
from datetime import date

from rapidfuzz.distance import Hamming

from licensing.matching.normalise import joined, name_tokens

# How each identifier is written, as pattern text built once. The validators below give the letters
# each place may hold as issued (HMRC's, Royal Mail's) and no separators, for they read text with them
# taken out; IN_TEXT, which finds identifiers in a line to mask them in logs, gives any letters and an
# optional space where people put one. Masking is a safety net, so it hides a number nobody was issued.
# The DVLA's GB driver number (docs/reference.md, driving licence numbers): 16 characters.
LICENCE_LAYOUT = (
    r"[A-Za-z]{1,5}9{0,4}[0-9](?:[05][1-9]|[16][0-2])(?:0[1-9]|[12][0-9]|3[01])[0-9]"
    r"(?:99|[A-Za-z][A-Za-z9])(?![IOQYZioqyz01_])\w[A-Za-z]{2}"
)


def _ni_layout(letters: str, gap: str) -> str:
    """Return the NI number's pattern text: two letters, three pairs of digits, a suffix A-D or none."""
    return rf"{letters}{gap}\d{{2}}{gap}\d{{2}}{gap}\d{{2}}(?:{gap}[A-Da-d])?"


def _postcode_layout(outward: str, inward: str, gap: str) -> str:
    """Return the postcode's pattern text: an outward code, then an inward one; GIR 0AA is Girobank's."""
    return rf"(?:GIR{gap}0AA|{outward}{gap}{inward})"


# HMRC: first letter not D F I Q U V; second not D F I O Q U V; BG GB KN NK NT TN ZZ never allocated.
# ASCII: a digit is 0-9 here, where log masking hides any.
NI_NUMBER = re.compile(
    rf"^(?!BG|GB|KN|NK|NT|TN|ZZ){_ni_layout('[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]', '')}$", re.ASCII
)
# Royal Mail's rules on which letters stand where.
POSTCODE = re.compile(
    "^"
    + _postcode_layout(
        r"[A-PR-UWYZ](?:[0-9]{1,2}|[A-HK-Y][0-9]{1,2}|[0-9][A-HJKPSTUW]|[A-HK-Y][0-9][ABEHMNPRV-Y])",
        r"[0-9][ABD-HJLNP-UW-Z]{2}",
        "",
    )
    + "$"
)
LICENCE = re.compile(rf"^(?=.{{16}}$){LICENCE_LAYOUT}$")
# Any identifier written in a line of text, valid or not: a licence number is 16 letters and digits alone.
_NI_WRITTEN = _ni_layout("[A-Za-z]{2}", " ?")
_POSTCODE_WRITTEN = _postcode_layout(r"[A-Za-z]{1,2}\d[A-Za-z\d]?", r"\d[A-Za-z]{2}", " ?")
IN_TEXT = re.compile(rf"\b(?:(?=[A-Za-z0-9]{{16}}\b){LICENCE_LAYOUT}|{_NI_WRITTEN}|{_POSTCODE_WRITTEN})\b")
# A Northern Ireland driver number: eight digits, and nothing about its holder.
NORTHERN_IRELAND_LICENCE = re.compile(r"^[0-9]{8}$")
# What people put between an identifier's parts.
SEPARATORS = re.compile(r"[\s\-.]+")


def normalise_postcode(text: str | None) -> str | None:
    """Return a valid postcode as "OUTWARD INWARD" in capitals, or None."""
    compact = SEPARATORS.sub("", (text or "").upper())
    if len(compact) >= 5 and compact[-3] == "O":
        # A letter O typed for the digit that starts the inward code.
        compact = compact[:-3] + "0" + compact[-2:]
    if not POSTCODE.match(compact):
        return None
    return f"{compact[:-3]} {compact[-3:]}"


def postcode_district(postcode: str | None) -> str | None:
    """Return the outward code (district) of a normalised postcode."""
    return postcode.split(" ")[0] if postcode else None


def normalise_ni(text: str | None) -> str | None:
    """Return a valid NI number without spaces and without its suffix letter, or None.

    The suffix (A-D) does not distinguish people and forms often leave it off, so it is not compared.
    """
    compact = SEPARATORS.sub("", (text or "").upper())
    return compact[:8] if NI_NUMBER.match(compact) else None


def normalise_licence(text: str | None) -> str | None:
    """Return a valid 16-character GB driver number in capitals, or None (a trailing issue number is cut)."""
    compact = SEPARATORS.sub("", (text or "").upper())
    if len(compact) == 18 and compact[-2:].isdigit():
        compact = compact[:16]
    return compact if LICENCE.match(compact) else None


def licence_surname(family_name: str | None) -> str:
    """Return the five surname characters a driver number starts with (MAC -> MC, padded with 9)."""
    letters = joined(family_name).upper()
    if letters.startswith("MAC"):
        letters = "MC" + letters[3:]
    return (letters[:5] + "99999")[:5]


def licence_prefix(family_name: str, given_names: str, dob: date | None, sex: str | None) -> str | None:
    """Return positions 1-13 of the driver number these details would be issued (None without a DOB)."""
    if dob is None:
        return None
    month = dob.month + (50 if (sex or "").upper().startswith("F") else 0)
    initials = "".join(t[0] for t in name_tokens(given_names)[:2]).upper()
    return (
        f"{licence_surname(family_name)}{dob.year // 10 % 10}{month:02d}{dob.day:02d}{dob.year % 10}"
        f"{(initials + '9')[:2] if initials else '99'}"
    )


def licence_dob(licence: str, near: date | None = None) -> date | None:
    """Decode the DOB a driver number encodes, choosing the century nearest `near` (else 19xx)."""
    month = int(licence[6:8]) % 50
    two_digits = int(licence[5] + licence[10])
    century = 1900 if near is None else min((1900, 2000), key=lambda c: abs(c + two_digits - near.year))
    try:
        return date(century + two_digits, month, int(licence[8:10]))
    except ValueError:
        return None


def licence_encodes_dob(licence: str, dob: date) -> bool:
    """Tell whether a driver number's positions 6-11 encode `dob` (either sex)."""
    return (
        licence[5] == str(dob.year // 10 % 10)
        and int(licence[6:8]) % 50 == dob.month
        and int(licence[8:10]) == dob.day
        and licence[10] == str(dob.year % 10)
    )


def licence_sex(licence: str) -> str:
    """Return "F" or "M" as the driver number's month digit encodes it."""
    return "F" if licence[6] in "56" else "M"


def one_char_apart(a: str, b: str) -> bool:
    """Tell whether two equal-length codes differ in one character or by two adjacent swapped ones."""
    if len(a) != len(b) or a == b:
        return False
    # Counted in C and cut off at 3: most pairs of codes compared differ almost everywhere.
    apart = Hamming.distance(a, b, score_cutoff=2)
    if apart != 2:
        return apart == 1
    first, second = (i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y)
    return second == first + 1 and a[first] == b[second] and a[second] == b[first]

"""Compare date of birth, postcode and address, NI number and driving licence number."""

import re
from datetime import date
from functools import lru_cache

from rapidfuzz.distance import OSA
from rapidfuzz.fuzz import token_set_ratio

from licensing.matching.identifiers import licence_dob, licence_encodes_dob, licence_surname, one_char_apart
from licensing.matching.outcome import CLOSE, DIFFERENT, MISSING, SAME, Outcome, missing, weight
from licensing.matching.prepared import Prepared

DAYS_IN_SPAN = 365.25 * 45  # working drivers are born over about 45 years
DOB_SAME = weight(0.95, 1 / DAYS_IN_SPAN)
DOB_SWAPPED = weight(0.01, 1 / DAYS_IN_SPAN)
DOB_DIGIT = weight(0.03, 20 / DAYS_IN_SPAN)  # about 20 dates lie one keystroke away
DOB_YEAR = weight(0.005, 1 / DAYS_IN_SPAN)
DOB_DIFFERS = weight(0.008, 0.999)
POSTCODE_SAME = weight(0.6, 1 / 100_000)
POSTCODE_DISTRICT = weight(0.1, 0.006)
POSTCODE_DIFFERS = weight(0.3, 0.99)  # people move house
ADDRESS_SAME = weight(0.9, 0.1)
ADDRESS_SAME_ELSEWHERE = weight(0.1, 1 / 100_000)  # same street address under a mistyped postcode
HOUSE_DIFFERS = weight(0.1, 0.9)
STRONG_SAME = weight(0.97, 1 / 1_000_000)
STRONG_ONE_OFF = weight(0.02, 1 / 100_000)
NI_DIFFERS = weight(0.005, 0.999)
LICENCE_DIFFERS = weight(0.01, 0.999)
LICENCE_FIRST_13 = weight(0.02, 1 / 50_000)
# Mildly positive: the DOB and given names are weighed on their own, and 6-13 only repeat them.
LICENCE_REISSUED = 1.5
LICENCE_ENCODES = weight(0.9, 1 / 2_000)
LICENCE_ENCODES_OTHER = weight(0.05, 0.99)
# A number that is not valid, compared as text: weaker than any valid number, never against.
TEXT_SAME = 4.0
TEXT_ONE_OFF = 2.0
# An NI number's text that could be a mistyped number: two letters, then mostly digits.
NI_TEXT = re.compile(r"^[A-Z]{2}[0-9]{4,8}[A-Z]?$")


def years_apart(a: date, b: date) -> str:
    """Return the whole years between two dates, in words ("1 year", "28 years")."""
    early, late = sorted((a, b))
    years = late.year - early.year - ((late.month, late.day) < (early.month, early.day))
    return f"{years} year{'' if years == 1 else 's'}"


@lru_cache(maxsize=65_536)
def _digits(d: date) -> str:
    """Return a date as YYYYMMDD, kept because a screening compares the same dates many times."""
    return d.strftime("%Y%m%d")


def compare_dob(a: Prepared, b: Prepared) -> Outcome:
    """Compare dates of birth: same, day/month swapped, one digit off, year off by one, or different."""
    if not a.dob or not b.dob:
        return missing("DOB")
    x, y = a.dob, b.dob
    if x == y:
        return Outcome(DOB_SAME, "DOB: same", SAME)
    if x.year == y.year and x.day == y.month and x.month == y.day:
        return Outcome(DOB_SWAPPED, f"DOB: day and month swapped ({x} vs {y})", CLOSE)
    if one_char_apart(_digits(x), _digits(y)):
        return Outcome(DOB_DIGIT, f"DOB: one digit differs ({x} vs {y})", CLOSE)
    if (x.month, x.day) == (y.month, y.day) and abs(x.year - y.year) == 1:
        return Outcome(DOB_YEAR, f"DOB: year differs by one ({x} vs {y})", CLOSE)
    return Outcome(DOB_DIFFERS, f"DOB: different ({x} vs {y}, {years_apart(x, y)} apart)", DIFFERENT)


def compare_postcode(a: Prepared, b: Prepared) -> Outcome:
    """Compare postcodes: same, same district, or different."""
    if not a.postcode or not b.postcode:
        return missing("postcode")
    if a.postcode == b.postcode:
        return Outcome(POSTCODE_SAME, f"postcode: same ({a.postcode})", SAME)
    if a.district == b.district:
        return Outcome(POSTCODE_DISTRICT, f"postcode: same district ({a.district})", CLOSE)
    return Outcome(POSTCODE_DIFFERS, f"postcode: different ({a.postcode} vs {b.postcode})", DIFFERENT)


def compare_address(a: Prepared, b: Prepared, postcode: Outcome) -> Outcome:
    """Compare address lines; counted on top of the postcode, so weighed by what the postcode said."""
    if not a.address or not b.address:
        return missing("address")
    if a.numbers and b.numbers and not a.numbers & b.numbers:
        note = "different house in the same postcode" if postcode.tag == SAME else "different"
        return Outcome(HOUSE_DIFFERS if postcode.tag == SAME else 0.0, f"address: {note}", DIFFERENT)
    if token_set_ratio(a.address, b.address) < 90:
        return Outcome(0.0, "address: different", DIFFERENT)
    if postcode.tag == SAME:
        return Outcome(ADDRESS_SAME, "address: same", SAME)
    return Outcome(ADDRESS_SAME_ELSEWHERE, "address: same street address, postcode differs", SAME)


def compare_ni(a: Prepared, b: Prepared) -> Outcome:
    """Compare NI numbers: same, one character differs, or different (strong evidence against)."""
    if not a.ni or not b.ni:
        return _as_text(a.ni or a.ni_text, b.ni or b.ni_text, "NI number", NI_TEXT.match)
    if a.ni == b.ni:
        return Outcome(STRONG_SAME, "NI number: same", SAME)
    if one_char_apart(a.ni, b.ni):
        return Outcome(STRONG_ONE_OFF, "NI number: differs in one character", CLOSE)
    return Outcome(NI_DIFFERS, "NI number: different (strong evidence against)", DIFFERENT)


def compare_licence(a: Prepared, b: Prepared) -> Outcome:
    """Compare driver numbers, or check one side's number against the other side's details."""
    if a.licence and b.licence:
        return _both_licences(a.licence, b.licence)
    text = _as_text(a.licence or a.licence_text, b.licence or b.licence_text, "licence number", _long)
    if text.tag != MISSING:
        return text
    if a.licence or b.licence:
        return _licence_encodes(a.licence or b.licence, b if a.licence else a)
    return missing("licence number")


def _as_text(x: str | None, y: str | None, field: str, plausible) -> Outcome:
    """Compare two identifiers of which at least one is not valid, as text: never evidence against.

    A value that is not valid is kept as given and never used as an exact key, but the same mistyped
    number on two records, or one a keystroke from the other's valid number, still says something.
    Placeholders ("N/A", "000000") are not plausible numbers and say nothing.
    """
    if not x or not y or not (plausible(x) and plausible(y)):
        return missing(field)
    if x == y:
        return Outcome(TEXT_SAME, f"{field}: same text, though not a valid number", CLOSE)
    if OSA.distance(x, y, score_cutoff=1) <= 1:
        return Outcome(
            TEXT_ONE_OFF, f"{field}: one character from the other, though not a valid number", CLOSE
        )
    return missing(field)


def _long(text: str) -> bool:
    """Tell whether a licence number's text is long enough to be an attempt at one (not a placeholder)."""
    return len(text) >= 10 and any(c.isdigit() for c in text) and any(c.isalpha() for c in text)


def _both_licences(x: str, y: str) -> Outcome:
    """Compare two valid driver numbers, reading their characters as the DVLA writes them.

    1-5 are the surname, which a name change rewrites: the DVLA reissues the number with 6-16 kept.
    6-13 are the DOB, sex and initials, so only they tell two people apart; 14 is lowered for a second
    person whose 1-13 would be the same (twins with the same initials).
    """
    if x == y:
        return Outcome(STRONG_SAME, "licence number: same", SAME)
    if x[:13] == y[:13] and x[13] != y[13]:
        line = "licence number: character 14 differs, as the DVLA marks a second holder of the same details"
        return Outcome(0.0, f"{line} (possible twin)", DIFFERENT)
    if one_char_apart(x, y):
        return Outcome(STRONG_ONE_OFF, "licence number: differs in one character", CLOSE)
    if x[:13] == y[:13]:
        return Outcome(LICENCE_FIRST_13, "licence number: same first 13 characters", CLOSE)
    if x[5:13] == y[5:13]:
        line = (
            "licence number: consistent with a licence reissued after a name change (characters 6-13 agree)"
        )
        return Outcome(LICENCE_REISSUED, line, CLOSE)
    return Outcome(LICENCE_DIFFERS, "licence number: different (strong evidence against)", DIFFERENT)


def _licence_encodes(licence: str, other: Prepared) -> Outcome:
    """Check a driver number against the other person's surname and DOB."""
    if not other.dob:
        return missing("licence number")
    surnames = {licence_surname(other.person.family_name)}
    surnames |= {licence_surname(name) for name in other.person.previous_names}
    if not licence_encodes_dob(licence, other.dob):
        line = f"licence number encodes another DOB ({licence_dob(licence, other.dob)})"
        return Outcome(LICENCE_ENCODES_OTHER, line, DIFFERENT)
    if licence[:5] in surnames:
        return Outcome(LICENCE_ENCODES, "licence number encodes this surname and DOB", CLOSE)
    return Outcome(1.0, "licence number encodes this DOB", CLOSE)

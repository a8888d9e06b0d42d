"""Compare date of birth, postcode and address, NI number and driving licence number."""

from datetime import date
from functools import lru_cache

from rapidfuzz.fuzz import token_set_ratio

from licensing.matching.identifiers import licence_dob, licence_encodes_dob, licence_surname, one_char_apart
from licensing.matching.outcome import CLOSE, DIFFERENT, SAME, Outcome, missing, weight
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
LICENCE_ENCODES = weight(0.9, 1 / 2_000)
LICENCE_ENCODES_OTHER = weight(0.05, 0.99)


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
        return missing("NI number")
    if a.ni == b.ni:
        return Outcome(STRONG_SAME, "NI number: same", SAME)
    if one_char_apart(a.ni, b.ni):
        return Outcome(STRONG_ONE_OFF, "NI number: differs in one character", CLOSE)
    return Outcome(NI_DIFFERS, "NI number: different (strong evidence against)", DIFFERENT)


def compare_licence(a: Prepared, b: Prepared) -> Outcome:
    """Compare driver numbers, or check one side's number against the other side's details."""
    if a.licence and b.licence:
        return _both_licences(a.licence, b.licence)
    if a.licence or b.licence:
        return _licence_encodes(a.licence or b.licence, b if a.licence else a)
    return missing("licence number")


def _both_licences(x: str, y: str) -> Outcome:
    """Compare two valid driver numbers."""
    if x == y:
        return Outcome(STRONG_SAME, "licence number: same", SAME)
    if one_char_apart(x, y):
        return Outcome(STRONG_ONE_OFF, "licence number: differs in one character", CLOSE)
    if x[:13] == y[:13]:
        # DVLA lowers character 14 when two people share 1-13, so this alone does not prove one person.
        return Outcome(LICENCE_FIRST_13, "licence number: same first 13 characters", CLOSE)
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

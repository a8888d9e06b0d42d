"""Another council's record as the minimal-view tests find it, and the values no answer may carry.

The record is the person of tests.factories.identity(): the same names and date of birth, the same NI
number but for its suffix letter (which the engine does not compare) and the same first 13 characters
of the driving licence number, so every screening finds it at `match`. Its address, postcode and
the identifiers as written differ from the applicant's, so finding any of them in an answer shows
that another council's record leaked, not that the applicant was echoed.
"""

THEIR_DETAILS = {
    "address": "7 Quarrybank Road, Oldbury",
    "postcode": "B69 4RJ",
    "ni_number": "AB123456D",
    "driving_licence_number": "HUSSA803145I99CD",
}
# Each value as stored and as the engine writes it (a postcode without its space, the address's words).
WITHHELD = ("Quarrybank", "Oldbury", "B69 4RJ", "B694RJ", "AB123456D", "HUSSA803145I99CD")
MASKED = {"ni_number": "******56D", "driving_licence_number": "*************9CD"}
AGREEMENT = {
    "sex": "same",
    "address": "different",
    "postcode": "different",
    "ni_number": "same",
    "driving_licence_number": "same first 13 characters",
}


def withheld_in(text: str) -> list[str]:
    """Return the values of THEIR_DETAILS that appear in `text` (none should)."""
    return [value for value in WITHHELD if value in text]

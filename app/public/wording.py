"""Plain words for a resident about one licence, from what licensing.licences.lookup found.

Which status a licence has is decided in licensing.licences.lookup.public_status; this only says it in words.
"""

from datetime import date
from urllib.parse import quote

from licensing.licences.lookup import LicenceCheck

LICENCE_TYPES = {
    "hackney": "Hackney carriage (taxi) driver",
    "phv": "Private hire driver",
    "dual": "Hackney carriage (taxi) and private hire driver",
}
STATUS_SENTENCES = {
    "current": "This licence is current. It expires on {expiry}.",
    "suspended": "This licence is suspended. The driver must not carry passengers while it is suspended.",
    "revoked": "This licence has been revoked. It is no longer valid.",
    "surrendered": "This licence has been given up by the driver. It is no longer valid.",
    "expired": "This licence expired on {expiry}. It is no longer valid.",
}
STATUS_TAGS = {
    "current": ("Current", "govuk-tag--green"),
    "suspended": ("Suspended", "govuk-tag--orange"),
    "revoked": ("Revoked", "govuk-tag--red"),
    "surrendered": ("Not valid", "govuk-tag--red"),
    "expired": ("Expired", "govuk-tag--red"),
}
# Where a resident finds a council's contact details when the council gave us no address to show.
FIND_COUNCIL = "https://www.gov.uk/find-local-council"


def long_date(day: date) -> str:
    """Write a date as GOV.UK style asks: 3 March 2027."""
    return f"{day.day} {day:%B %Y}"


def describe(found: LicenceCheck) -> dict:
    """Return the words, tag and concern link the check page shows for one licence."""
    tag_text, tag_class = STATUS_TAGS[found.public_status]
    return {
        "sentence": STATUS_SENTENCES[found.public_status].format(expiry=long_date(found.expires_on)),
        "licence_type": LICENCE_TYPES.get(found.licence_type, found.licence_type),
        "expires": long_date(found.expires_on),
        "tag": {"text": tag_text, "classes": tag_class},
        "concern_href": concern_link(found),
    }


def concern_link(found: LicenceCheck) -> str:
    """Return where to report a concern about this driver: the issuing council itself."""
    if not found.authority_contact_email:
        return FIND_COUNCIL
    subject = quote(f"Concern about a licensed driver, badge {found.badge_number}")
    return f"mailto:{found.authority_contact_email}?subject={subject}"

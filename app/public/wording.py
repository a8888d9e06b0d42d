"""Plain words for a resident about one licence, from what licensing.licences.lookup found.

Which status a licence has is decided in licensing.licences.lookup.public_status; this only says it in words,
in the page's language (app/public/language.py).
"""

from urllib.parse import quote

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.public.language import long_date
from licensing.licences.lookup import LicenceCheck

LICENCE_TYPES = {
    "hackney": _l("Hackney carriage (taxi) driver"),
    "phv": _l("Private hire driver"),
    "dual": _l("Hackney carriage (taxi) and private hire driver"),
}
STATUS_SENTENCES = {
    "current": _l("This licence is current. It expires on %(expiry)s."),
    "suspended": _l("This licence is suspended. The driver must not carry passengers while it is suspended."),
    "revoked": _l("This licence has been revoked. It is no longer valid."),
    "surrendered": _l("This licence has been given up by the driver. It is no longer valid."),
    "expired": _l("This licence expired on %(expiry)s. It is no longer valid."),
}
STATUS_TAGS = {
    "current": (_l("Current"), "govuk-tag--green"),
    "suspended": (_l("Suspended"), "govuk-tag--orange"),
    "revoked": (_l("Revoked"), "govuk-tag--red"),
    "surrendered": (_l("Not valid"), "govuk-tag--red"),
    "expired": (_l("Expired"), "govuk-tag--red"),
}
# Where a resident finds their council when the council has given no page or address of its own.
# GOV.UK's page is in English only.
FIND_COUNCIL = "https://www.gov.uk/find-local-council"


def describe(found: LicenceCheck) -> dict:
    """Return the words, tag and concern link the check page shows for one licence."""
    tag_text, tag_class = STATUS_TAGS[found.public_status]
    expires = long_date(found.expires_on)
    return {
        "sentence": str(STATUS_SENTENCES[found.public_status]) % {"expiry": expires},
        "licence_type": str(LICENCE_TYPES.get(found.licence_type, found.licence_type)),
        "expires": expires,
        "tag": {"text": str(tag_text), "classes": tag_class},
        "concern_href": concern_link(found),
    }


def concern_link(found: LicenceCheck) -> str:
    """Return where to report a concern about this driver: the issuing council's own page if it gave one."""
    if found.authority_concern_url:
        return found.authority_concern_url
    if found.authority_contact_email:
        subject = quote(_("Concern about a licensed driver, badge %(badge)s", badge=found.badge_number))
        return f"mailto:{found.authority_contact_email}?subject={subject}"
    return FIND_COUNCIL

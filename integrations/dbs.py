"""DBS Update Service status checks (the Multiple Status Check Facility): status only, never details."""

import re
from dataclasses import dataclass
from datetime import date

import httpx
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring

from integrations.errors import PermanentError, RetryableError, exchange, retry_after_seconds

SERVICE = "dbs"
NO_MATCH_FOUND = "NO_MATCH_FOUND"
BLANK_NO_NEW_INFO = "BLANK_NO_NEW_INFO"
NON_BLANK_NO_NEW_INFO = "NON_BLANK_NO_NEW_INFO"
NEW_INFO = "NEW_INFO"
STATUSES = frozenset({NO_MATCH_FOUND, BLANK_NO_NEW_INFO, NON_BLANK_NO_NEW_INFO, NEW_INFO})
CERTIFICATE_NUMBER = re.compile(r"^\d{12}$")


@dataclass(frozen=True)
class DbsStatus:
    """The Update Service's answer: one of STATUSES, and the certificate's print date when it matched."""

    status: str
    print_date: date | None = None


class DbsClient:
    """Ask the Update Service for a certificate's status, as the named employee of the organisation."""

    def __init__(
        self,
        client: httpx.Client,
        base_url: str,
        organisation_name: str,
        employee_forename: str,
        employee_surname: str,
    ):
        """Keep the client and who is asking (the certificate holder sees every organisation that checks)."""
        self.client = client
        self.base_url = base_url.rstrip("/")
        self.checker = {
            "organisationName": organisation_name,
            "employeeForename": employee_forename,
            "employeeSurname": employee_surname,
        }

    def status(self, certificate_number: str, surname: str, date_of_birth: date) -> DbsStatus:
        """GET /crsc/api/status/{certificate_number} and parse the status it reports."""
        if not CERTIFICATE_NUMBER.match(certificate_number or ""):
            raise PermanentError(f"{SERVICE}: a certificate number is 12 digits")
        params = {
            "dateOfBirth": date_of_birth.strftime("%d/%m/%Y"),
            "surname": surname,
            # The checker accepts the facility's terms, which require the holder's consent
            # (docs/reference.md, DBS Update Service).
            "hasAgreedTermsAndConditions": "true",
            **self.checker,
        }
        url = f"{self.base_url}/crsc/api/status/{certificate_number}"
        headers = {"accept": "application/xml"}
        response = exchange(SERVICE, lambda: self.client.get(url, params=params, headers=headers))
        return parse_status(checked(response).content)


def checked(response: httpx.Response) -> httpx.Response:
    """Return a 200 response; raise RetryableError for 429/5xx and PermanentError for other statuses."""
    status = response.status_code
    if status == 200:
        return response
    message = f"{SERVICE}: answered {status}"
    if status in (408, 429) or status >= 500:
        raise RetryableError(message, status_code=status, retry_after=retry_after_seconds(response))
    raise PermanentError(message, status_code=status)


def parse_status(body: bytes) -> DbsStatus:
    """Read <statusCheckResult>'s status and printDate; RetryableError if the XML is not that."""
    # A document type could declare entities (billion laughs) or reach outside (external entities); the
    # Update Service never sends one. defusedxml refuses any, in whatever encoding the XML declares.
    try:
        root = fromstring(body, forbid_dtd=True)
    except DefusedXmlException:
        raise RetryableError(f"{SERVICE}: answer declares a document type") from None
    except (ParseError, ValueError, LookupError):  # ValueError, LookupError: an encoding expat cannot read
        raise RetryableError(f"{SERVICE}: answer is not well-formed XML") from None
    result_type = (root.findtext("statusCheckResultType") or "").strip()
    status = (root.findtext("status") or "").strip()
    if root.tag != "statusCheckResult":
        raise RetryableError(f"{SERVICE}: answer is not a status check result")
    if result_type != "SUCCESS":
        raise PermanentError(f"{SERVICE}: status check refused ({result_type[:40] or 'no result type'})")
    if status not in STATUSES:
        raise RetryableError(f"{SERVICE}: answer has no known status")
    return DbsStatus(status=status, print_date=parse_print_date(root.findtext("printDate")))


def parse_print_date(text: str | None) -> date | None:
    """Parse printDate (ISO YYYY-MM-DD, as the facility sends it); None when absent (no match)."""
    if not text or not text.strip():
        return None
    try:
        return date.fromisoformat(text.strip()[:10])
    except ValueError:
        raise RetryableError(f"{SERVICE}: printDate is not a date") from None

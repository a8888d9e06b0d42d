"""Handlers for LoopbackServer that play outside services by their documented wire formats.

- WebhookReceiver: a council's endpoint; verifies every request with the `standardwebhooks` package.
- FakeNotify: GOV.UK Notify's POST /v2/notifications/email (JWT check, 201 body, error JSON).
- FakeDbs: the DBS Update Service's GET /crsc/api/status/{certificate} (XML status result).
"""

import re
import threading
import time
import uuid
from datetime import date

import jwt
from standardwebhooks import Webhook, WebhookVerificationError

from tests.integrations.servers import Recorded, Reply


class WebhookReceiver:
    """Verify each request's signature; keep the verified payloads and every webhook-id seen."""

    def __init__(self, secret: str):
        """Verify with `secret` ("whsec_...")."""
        self.webhook = Webhook(secret)
        self.verified: list[dict] = []  # payloads whose signature verified
        self.ids: list[str] = []  # webhook-id of every verified request, retries included
        self.rejected = 0
        self._lock = threading.Lock()

    def __call__(self, request: Recorded) -> Reply:
        """Answer 204 to a verified message and 401 to anything else."""
        try:
            payload = self.webhook.verify(request.body, request.headers)
        except WebhookVerificationError:
            with self._lock:
                self.rejected += 1
            return Reply(401, "signature did not verify")
        with self._lock:
            self.verified.append(payload)
            self.ids.append(request.headers["webhook-id"])
        return Reply(204)


def notify_error(status: int, error: str, message: str) -> Reply:
    """Build Notify's documented error answer: {"status_code", "errors": [{"error", "message"}]}."""
    return Reply(status, {"status_code": status, "errors": [{"error": error, "message": message}]})


class FakeNotify:
    """GOV.UK Notify's e-mail endpoint for one API key; keeps the bodies of accepted e-mails."""

    def __init__(self, api_key: str, base_url: str = "http://notify.invalid"):
        """Accept tokens signed with `api_key`'s secret and issued by its service id."""
        self.service_id, self.secret = api_key[-73:-37], api_key[-36:]
        self.base_url = base_url
        self.sent: list[dict] = []
        self.ids: list[str] = []  # notification ids answered, in order

    def __call__(self, request: Recorded) -> Reply:
        """Check the route, the token and the body; answer 201 with the documented body or an error."""
        if (request.method, request.path) != ("POST", "/v2/notifications/email"):
            return notify_error(404, "NoResultFound", "No result found")
        refused = self.check_token(request.headers.get("authorization", ""))
        if refused:
            return notify_error(403, "AuthError", refused)
        try:
            body = request.json()
        except ValueError:
            return notify_error(400, "ValidationError", "Invalid JSON supplied in POST data")
        invalid = self.check_body(body)
        if invalid:
            return notify_error(400, "ValidationError", invalid)
        self.sent.append(body)
        return Reply(201, self.created(body))

    def check_token(self, authorization: str) -> str | None:
        """Return Notify's AuthError message for a bad bearer token, or None if it is good."""
        if not authorization.startswith("Bearer "):
            return "Unauthorized: authentication token must be provided"
        try:
            claims = jwt.decode(
                authorization[7:], self.secret, algorithms=["HS256"], options={"require": ["iss", "iat"]}
            )
        except jwt.InvalidTokenError:
            return "Invalid token: API key not found"
        if claims["iss"] != self.service_id:
            return "Invalid token: service not found"
        if abs(time.time() - int(claims["iat"])) > 30:
            return "Error: Your system clock must be accurate to within 30 seconds"
        return None

    @staticmethod
    def check_body(body) -> str | None:
        """Return a validation message for a body Notify would refuse, or None."""
        if not isinstance(body, dict):
            return "JSON body must be an object"
        for name in ("email_address", "template_id"):
            if not isinstance(body.get(name), str) or not body[name]:
                return f"{name} is a required property"
        if "@" not in body["email_address"]:
            return "email_address Not a valid email address"
        if not isinstance(body.get("personalisation", {}), dict):
            return "personalisation is not of type object"
        if not isinstance(body.get("reference", ""), str):
            return "reference is not of type string"
        return None

    def created(self, body: dict) -> dict:
        """Build the documented 201 body for an accepted e-mail."""
        notification_id = str(uuid.uuid4())
        self.ids.append(notification_id)
        return {
            "id": notification_id,
            "reference": body.get("reference"),
            "content": {
                "subject": "SUBJECT TEXT",
                "body": "MESSAGE TEXT",
                "from_email": "alerts@example.invalid",
            },
            "uri": f"{self.base_url}/v2/notifications/{notification_id}",
            "template": {
                "id": body["template_id"],
                "version": 1,
                "uri": f"{self.base_url}/v2/template/{body['template_id']}",
            },
        }


def dbs_result_xml(status: str, surname: str = "", print_date: date | None = None) -> str:
    """Build the facility's <statusCheckResult> answer (no name or print date when no match)."""
    if print_date is None:
        details = ""
    else:
        details = (
            f"<forename>TAYLOR</forename><surname>{surname.upper()}</surname>"
            f'<printDate class="sql-date">{print_date.isoformat()}</printDate>'
        )
    return (
        "<statusCheckResult><statusCheckResultType>SUCCESS</statusCheckResultType>"
        f"<status>{status}</status>{details}</statusCheckResult>"
    )


class FakeDbs:
    """The Update Service's status endpoint; certificates not in `certificates` do not match."""

    REQUIRED = (
        "dateOfBirth",
        "surname",
        "hasAgreedTermsAndConditions",
        "organisationName",
        "employeeForename",
        "employeeSurname",
    )

    def __init__(self, certificates: dict[str, tuple[str, date]] | None = None):
        """Answer (status, print date) for each certificate number in `certificates`."""
        self.certificates = certificates or {}

    def __call__(self, request: Recorded) -> Reply:
        """Validate the request as the facility does, then answer the certificate's status as XML."""
        match = re.fullmatch(r"/crsc/api/status/(\d{12})", request.path)
        if request.method != "GET" or not match:
            return Reply(404, "Not found", {"content-type": "text/plain"})
        errors = [
            f"`{name}` is missing but is required." for name in self.REQUIRED if name not in request.query
        ]
        if not errors and not re.fullmatch(r"\d{2}/\d{2}/\d{4}", request.query["dateOfBirth"]):
            errors.append("`dateOfBirth` doesn't appear to be in the format DD/MM/YYYY")
        if not errors and request.query["hasAgreedTermsAndConditions"] != "true":
            errors.append('`hasAgreedTermsAndConditions` must be equal to "true".')
        if errors:
            return Reply(400, "Errors: \n- " + "\n- ".join(errors), {"content-type": "text/plain"})
        status, print_date = self.certificates.get(match[1], ("NO_MATCH_FOUND", None))
        xml = dbs_result_xml(status, request.query["surname"], print_date)
        return Reply(200, xml, {"content-type": "application/xml"})

"""GOV.UK Notify e-mail through its REST API v2 (docs.notifications.service.gov.uk/rest-api.html)."""

import re
import time

import httpx
import jwt

from integrations.errors import PermanentError, RetryableError, exchange, retry_after_seconds

DEFAULT_BASE_URL = "https://api.notifications.service.gov.uk"
SERVICE = "notify"
# Notify's key format: "{key_name}-{service id (iss)}-{secret}", both ids 36-character UUIDs.
_UUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
_API_KEY = re.compile(rf"^.+-(?P<service_id>{_UUID})-(?P<secret>{_UUID})$")


def parse_api_key(api_key: str) -> tuple[str, str]:
    """Split a Notify API key into (service id, secret); PermanentError if it has not that shape."""
    match = _API_KEY.match(api_key or "")
    if not match:
        raise PermanentError(f"{SERVICE}: the API key is not of the form name-<service id>-<secret>")
    return match["service_id"], match["secret"]


def bearer_token(service_id: str, secret: str, issued_at: int) -> str:
    """Make the HS256 JWT Notify expects: iss (the service id) and iat (epoch seconds, within 30 s)."""
    claims = {"iss": service_id, "iat": issued_at}
    return jwt.encode(claims, secret, algorithm="HS256", headers={"typ": "JWT"})


class NotifyClient:
    """Send e-mails by template; the client's timeout and transport are the caller's choice."""

    def __init__(self, client: httpx.Client, api_key: str, base_url: str = DEFAULT_BASE_URL):
        """Keep the client and the key's parts; a malformed key is refused at once."""
        self.client = client
        self.service_id, self._secret = parse_api_key(api_key)
        self.base_url = base_url.rstrip("/")

    def send_email(self, email_address: str, template_id: str, personalisation: dict, reference: str) -> str:
        """POST /v2/notifications/email and return Notify's notification id."""
        body = {
            "email_address": email_address,
            "template_id": template_id,
            "personalisation": personalisation,
            "reference": reference,
        }
        # A fresh token per request: Notify refuses one issued more than 30 seconds ago.
        token = bearer_token(self.service_id, self._secret, int(time.time()))
        headers = {"authorization": f"Bearer {token}", "content-type": "application/json"}
        url = f"{self.base_url}/v2/notifications/email"
        return notification_id(exchange(SERVICE, lambda: self.client.post(url, json=body, headers=headers)))


def notification_id(response: httpx.Response) -> str:
    """Return the id from a 201 answer, or raise the error Notify's status and error JSON call for."""
    status = response.status_code
    if 200 <= status < 300:
        try:
            return str(response.json()["id"])
        except (ValueError, KeyError, TypeError):
            # Notify took the request, so sending again could e-mail twice: leave it to an operator.
            message = f"{SERVICE}: answered {status} without a notification id"
            raise PermanentError(message, status_code=status) from None
    message = f"{SERVICE}: {status} {describe_errors(response)}"
    # 429: RateLimitError (per minute) or TooManyRequestsError (daily limit); 500: "Exception" — resend.
    if status in (408, 429) or status >= 500:
        raise RetryableError(message, status_code=status, retry_after=retry_after_seconds(response))
    # 400 BadRequestError/ValidationError, 403 AuthError: the same request would fail the same way.
    raise PermanentError(message, status_code=status)


def describe_errors(response: httpx.Response) -> str:
    """Summarise Notify's error JSON {"status_code", "errors": [{"error", "message"}]} in one line."""
    try:
        errors = response.json()["errors"]
        parts = [f"{e['error']}: {e['message']}" for e in errors]
    except (ValueError, KeyError, TypeError):
        return "(no Notify error body)"
    return "; ".join(parts)[:500] or "(no errors listed)"

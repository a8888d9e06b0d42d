"""Outcomes of a failed outbound call, as the delivery engine needs them: try again later, or never."""

import email.utils
from collections.abc import Callable
from datetime import UTC, datetime

import httpx


class DeliveryError(Exception):
    """An outbound call did not succeed; `status_code` is the answer's status, None if there was none."""

    def __init__(self, message: str, *, status_code: int | None = None):
        """Keep the message (never personal data or a secret) and the HTTP status if one came back."""
        super().__init__(message)
        self.status_code = status_code


class RetryableError(DeliveryError):
    """Worth trying again: transport error, timeout, connection closed, 5xx, 408, 429 (3xx for webhooks)."""

    def __init__(self, message: str, *, status_code: int | None = None, retry_after: float | None = None):
        """Also keep the server's Retry-After, in seconds from now, when it sent one."""
        super().__init__(message, status_code=status_code)
        self.retry_after = retry_after


class PermanentError(DeliveryError):
    """Trying again cannot help: other 4xx, a refused request, bad configuration or input."""

    @property
    def gone(self) -> bool:
        """Tell whether the receiver answered 410 Gone (Standard Webhooks: disable the endpoint)."""
        return self.status_code == 410


def retry_after_seconds(response: httpx.Response) -> float | None:
    """Read Retry-After (RFC 9110 s.10.2.3: delay-seconds or an HTTP-date) as seconds from now, or None."""
    value = response.headers.get("retry-after", "").strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    # Measured against the server's own Date header when it sent one, so clock skew between hosts cancels out.
    reference = _response_date(response) or datetime.now(UTC)
    return max(0.0, (when - reference).total_seconds())


def _response_date(response: httpx.Response) -> datetime | None:
    """Return the response's Date header as an aware datetime, or None."""
    try:
        sent = email.utils.parsedate_to_datetime(response.headers.get("date", ""))
    except (TypeError, ValueError):
        return None
    return sent if sent.tzinfo else None


def exchange(service: str, request: Callable[[], httpx.Response]) -> httpx.Response:
    """Make the request; an unusable URL is permanent, any transport failure retryable (URL never quoted)."""
    try:
        return request()
    except (httpx.InvalidURL, httpx.UnsupportedProtocol):
        raise PermanentError(f"{service}: the URL is invalid or not http(s)") from None
    except httpx.TimeoutException:
        raise RetryableError(f"{service}: request timed out") from None
    except httpx.TransportError as exc:
        raise RetryableError(f"{service}: request failed ({type(exc).__name__})") from None

"""Standard Webhooks 1.0 (standardwebhooks.com): signing with a `whsec_` secret and sending one message."""

import base64
import binascii
import hashlib
import hmac
import json
import secrets
from collections.abc import Sequence

import httpx

from integrations.errors import PermanentError, RetryableError, exchange, retry_after_seconds

SECRET_PREFIX = "whsec_"
SECRET_BYTES = 32  # the specification asks for 24 to 64 random bytes
SERVICE = "webhook"


def new_secret() -> str:
    """Make a fresh endpoint secret: "whsec_" + base64 of 32 random bytes."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii")


def secret_key(secret: str) -> bytes:
    """Decode a "whsec_<base64>" secret to its key bytes; PermanentError if it is not one."""
    if not secret.startswith(SECRET_PREFIX):
        raise PermanentError("webhook secret must start with whsec_")
    encoded = secret[len(SECRET_PREFIX) :]
    try:
        # Padding may be left off, as the reference libraries accept.
        key = base64.b64decode(encoded + "=" * (-len(encoded) % 4), validate=True)
    except (binascii.Error, ValueError):
        raise PermanentError("webhook secret is not valid base64") from None
    if not key:
        raise PermanentError("webhook secret is empty")
    return key


def sign(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    """Return "v1,<base64 HMAC-SHA256>" over "{id}.{timestamp}.{body}", as the specification defines."""
    # No "." in the id (the specification's delimiter), or two different messages could sign alike.
    if "." in message_id:
        raise PermanentError("webhook message id must not contain '.'")
    signed = f"{message_id}.{int(timestamp)}.".encode() + body
    digest = hmac.new(secret_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode("ascii")


def signatures(secret: str | Sequence[str], message_id: str, timestamp: int, body: bytes) -> str:
    """Return the webhook-signature value: one "v1,..." per secret, space-separated (specification)."""
    # During a rotation the endpoint holds the old and the new secret; a receiver that knows either one
    # finds a signature it can verify (Standard Webhooks, "Signature scheme": several may be sent).
    secrets_ = [secret] if isinstance(secret, str) else list(secret)
    if not secrets_:
        raise PermanentError("webhook: no signing secret")
    return " ".join(sign(one, message_id, timestamp, body) for one in secrets_)


def encode(payload: dict) -> bytes:
    """Serialise the payload as compact JSON: the bytes signed are exactly the bytes sent."""
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False, sort_keys=True).encode("utf-8")


class WebhookSender:
    """POST signed messages through the given client (its timeout and transport are the caller's choice)."""

    def __init__(self, client: httpx.Client):
        """Keep the client; one client serves every endpoint and reuses connections."""
        self.client = client

    def send(
        self, url: str, secret: str | Sequence[str], message_id: str, timestamp: int, payload: dict
    ) -> int:
        """Deliver one message signed with every secret given; return the 2xx status or raise."""
        body = encode(payload)
        headers = {
            "content-type": "application/json",
            "webhook-id": message_id,
            "webhook-timestamp": str(int(timestamp)),
            "webhook-signature": signatures(secret, message_id, timestamp, body),
        }
        # Redirects are failures (specification: the endpoint's URL should be updated instead).
        response = exchange(
            SERVICE, lambda: self.client.post(url, content=body, headers=headers, follow_redirects=False)
        )
        return check_status(response)


def check_status(response: httpx.Response) -> int:
    """Return a 2xx status; classify anything else as the specification and our retry policy say."""
    status = response.status_code
    if 200 <= status < 300:
        return status
    message = f"{SERVICE}: receiver answered {status}"
    # 408, 429 and 5xx are the receiver's temporary trouble; a redirect may be fixed by updating the endpoint.
    if status in (408, 429) or status >= 500 or 300 <= status < 400:
        raise RetryableError(message, status_code=status, retry_after=retry_after_seconds(response))
    # 410 Gone: the receiver wants no more messages (specification: disable the endpoint); see .gone.
    raise PermanentError(message, status_code=status)

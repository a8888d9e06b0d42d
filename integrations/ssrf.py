"""Refuse outbound calls to private, loopback and link-local addresses (server-side request forgery).

Councils choose their webhook URLs, so a URL could point the scheduler at our own network (Standard Webhooks,
"Server side request forgery"). Registration vets a URL with licensing.subscriptions.check_webhook_url;
`GuardedTransport` applies the same rule (licensing.addresses) again at every request, since DNS answers can
change after registration.
"""

import httpx

from integrations.errors import PermanentError
from licensing.addresses import first_internal

SERVICE = "webhook"


def check_host(host: str, port: int, *, allow_private: bool) -> None:
    """Refuse a host that is or resolves to an internal address, unless private addresses are allowed."""
    if allow_private:
        return
    try:
        internal = first_internal(host, port)
    except LookupError:
        raise PermanentError(f"{SERVICE}: the endpoint's host does not resolve") from None
    if internal is not None:
        raise PermanentError(f"{SERVICE}: the endpoint resolves to a private, loopback or link-local address")


class GuardedTransport(httpx.BaseTransport):
    """An httpx transport that checks each request's host before handing it to the real transport."""

    def __init__(self, inner: httpx.BaseTransport | None = None, *, allow_private: bool = False):
        """Wrap `inner` (default: a plain HTTPTransport)."""
        self.inner = inner or httpx.HTTPTransport()
        self.allow_private = allow_private

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Refuse a request to a non-public address with PermanentError; pass the rest on."""
        port = request.url.port or (443 if request.url.scheme == "https" else 80)
        check_host(request.url.host, port, allow_private=self.allow_private)
        return self.inner.handle_request(request)

    def close(self) -> None:
        """Close the wrapped transport."""
        self.inner.close()

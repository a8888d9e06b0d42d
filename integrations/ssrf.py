"""Refuse outbound calls to private, loopback and link-local addresses (server-side request forgery).

Councils choose their webhook URLs, so a URL could point the scheduler at our own network (Standard Webhooks,
"Server side request forgery"). Registration vets a URL with licensing.alerts.subscriptions.check_webhook_url;
`GuardedTransport` applies the same rule (licensing.alerts.addresses) again at every new connection, since DNS
answers can change after registration.

The name is resolved once per connection, the addresses checked, and the connection made to a checked
address. Resolving again to connect would let a name that answers a public address to the check and a
private one a moment later (DNS rebinding) through. TLS still names the host (SNI, certificate check) and
the Host header is the URL's, so only the choice of address changes.
"""

import httpcore
import httpx

from integrations.errors import PermanentError
from licensing.alerts.addresses import is_internal, resolve

SERVICE = "webhook"


def check_host(host: str, port: int, *, allow_private: bool) -> list:
    """Return the addresses `host` is or resolves to; refuse with PermanentError if one is internal."""
    try:
        addresses = resolve(host, port)
    except LookupError:
        raise PermanentError(f"{SERVICE}: the endpoint's host does not resolve") from None
    if not allow_private and any(is_internal(address) for address in addresses):
        raise PermanentError(f"{SERVICE}: the endpoint resolves to a private, loopback or link-local address")
    return addresses


class CheckedBackend(httpcore.NetworkBackend):
    """httpcore's network backend, connecting only to addresses that passed the check."""

    def __init__(self, inner: httpcore.NetworkBackend, *, allow_private: bool):
        """Wrap the backend that makes the connections."""
        self.inner, self.allow_private = inner, allow_private

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        """Resolve `host` once, check every address, then connect to the first that answers."""
        addresses = check_host(host, port, allow_private=self.allow_private)
        for address in addresses:
            try:
                return self.inner.connect_tcp(str(address), port, timeout, local_address, socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as error:
                failed = error
        raise failed

    def connect_unix_socket(self, *_args, **_kwargs):
        """Refuse: webhooks go over TCP only."""
        raise PermanentError(f"{SERVICE}: only TCP connections are made")

    def sleep(self, seconds: float) -> None:
        """Sleep as the wrapped backend does."""
        self.inner.sleep(seconds)


class GuardedTransport(httpx.HTTPTransport):
    """httpx's own transport, whose every new connection goes to an address resolved once and checked."""

    def __init__(self, *, allow_private: bool = False, **kwargs):
        """Build httpx's transport (`kwargs` as for httpx.HTTPTransport) with the checked backend."""
        super().__init__(**kwargs)
        # httpx does not take a network backend; its pool (httpcore.ConnectionPool) does.
        pool = self._pool
        pool._network_backend = CheckedBackend(pool._network_backend, allow_private=allow_private)

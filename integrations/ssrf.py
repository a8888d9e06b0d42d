"""Refuse outbound calls to private, loopback and link-local addresses (server-side request forgery).

Councils choose their webhook URLs, so a URL could point the scheduler at our own network (Standard Webhooks,
"Server side request forgery"). `check_url` vets a URL when it is registered; `GuardedTransport` checks the
addresses a host resolves to again at every request, since DNS answers can change after registration.
"""

import ipaddress
import socket
from urllib.parse import urlsplit

import httpx

from integrations.errors import PermanentError

SERVICE = "webhook"


def is_public(address: str) -> bool:
    """Tell whether an IP address is globally routable (not private, loopback, link-local or reserved)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def resolve(host: str, port: int) -> list[str]:
    """Return every address `host` resolves to; PermanentError if it resolves to none."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise PermanentError(f"{SERVICE}: the endpoint's host does not resolve") from None
    return sorted({info[4][0] for info in infos})


def check_host(host: str, port: int, *, allow_private: bool) -> None:
    """Refuse a host any of whose addresses is not public, unless private addresses are allowed."""
    if allow_private:
        return
    if not all(is_public(address) for address in resolve(host, port)):
        raise PermanentError(f"{SERVICE}: the endpoint resolves to a private, loopback or link-local address")


def check_url(url: str, *, allow_private: bool, require_https: bool) -> None:
    """Vet a webhook URL: http(s) with a host, HTTPS when required, and a public address unless allowed."""
    parts = urlsplit(url)
    allowed = ("https",) if require_https else ("http", "https")
    if parts.scheme not in allowed or not parts.hostname:
        raise PermanentError(f"{SERVICE}: the endpoint URL must be {' or '.join(allowed)} with a host")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise PermanentError(f"{SERVICE}: the endpoint URL's port is invalid") from None
    check_host(parts.hostname, port, allow_private=allow_private)


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

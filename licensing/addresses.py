"""The one rule for "internal address" (server-side request forgery), shared by registration and sending.

Councils choose their webhook URLs and the service itself posts to them, so a URL must not reach our own
network (Standard Webhooks, "Server side request forgery"). The rule is checked when an endpoint is
registered (licensing.subscriptions) and again at every send (integrations.ssrf.GuardedTransport), since
a name can be re-pointed after registration. Plain standard library: licensing imports no httpx.
"""

import ipaddress
import socket

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def is_internal(address: str | Address) -> bool:
    """Tell whether an address is not a public unicast one (an IPv4-mapped IPv6 is judged as IPv4)."""
    if isinstance(address, str):
        address = ipaddress.ip_address(address.split("%", 1)[0])  # drop an IPv6 zone ("fe80::1%eth0")
    address = getattr(address, "ipv4_mapped", None) or address
    return (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or not address.is_global  # e.g. 100.64.0.0/10, carrier-grade NAT, and other special ranges
    )


def resolve(host: str, port: int) -> list[Address]:
    """Return every address `host` is or resolves to; LookupError if a name does not resolve."""
    try:
        return [ipaddress.ip_address(host.strip("[]"))]
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise LookupError("the host name does not resolve") from None
    return sorted({ipaddress.ip_address(info[4][0].split("%", 1)[0]) for info in infos}, key=str)


def first_internal(host: str, port: int) -> Address | None:
    """Return an internal address `host` is or resolves to, or None if all are public."""
    return next((address for address in resolve(host, port) if is_internal(address)), None)

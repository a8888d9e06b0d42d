"""The one rule for "internal address" (server-side request forgery), shared by registration and sending.

Councils choose their webhook URLs and the service itself posts to them, so a URL must not reach our own
network (Standard Webhooks, "Server side request forgery"). The rule is checked when an endpoint is
registered (licensing.alerts.subscriptions) and again at every send (integrations.ssrf.GuardedTransport),
since a name can be re-pointed after registration. Plain standard library: licensing imports no httpx.
"""

import ipaddress
import socket

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
IPv4, IPv6 = ipaddress.IPv4Address, ipaddress.IPv6Address
# IPv6 prefixes whose addresses carry an IPv4 address in their last 32 bits (RFC 4291 s.2.5.5.1, RFC 6052).
IPV4_COMPATIBLE = ipaddress.ip_network("::/96")
NAT64 = ipaddress.ip_network("64:ff9b::/96")
NAT64_LOCAL = ipaddress.ip_network("64:ff9b:1::/48")  # RFC 8215; a /48 prefix splits the IPv4 (RFC 6052)
# ISATAP interface identifiers (RFC 5214 s.6.1): 0000:5efe or 0200:5efe, then the IPv4 address.
ISATAP_IDS = (b"\x00\x00\x5e\xfe", b"\x02\x00\x5e\xfe")


def is_internal(address: str | Address) -> bool:
    """Tell whether an address is not a public unicast one, or carries an IPv4 address that is not.

    An IPv6 address can embed an IPv4 one that a relay or translator then reaches: IPv4-mapped, IPv4-
    compatible, 6to4 (2002::/16, e.g. 2002:7f00:1:: is 127.0.0.1), Teredo, NAT64 and ISATAP. Each
    embedded address is judged too. A NAT64 address (64:ff9b::/96) is judged by its IPv4 address alone:
    on an IPv6-only network DNS64 gives every public IPv4 host one.
    """
    if isinstance(address, str):
        address = ipaddress.ip_address(address.split("%", 1)[0])  # drop an IPv6 zone ("fe80::1%eth0")
    embedded = embedded_ipv4(address) if isinstance(address, IPv6) else []
    if isinstance(address, IPv6) and (address.ipv4_mapped or address in NAT64):
        return any(_not_public(inner) for inner in embedded)
    return _not_public(address) or any(_not_public(inner) for inner in embedded)


def embedded_ipv4(address: IPv6) -> list[IPv4]:
    """Return the IPv4 addresses an IPv6 address carries, in any of the forms is_internal names."""
    found = [address.ipv4_mapped, address.sixtofour, *(address.teredo or ())]
    packed = address.packed
    if address in IPV4_COMPATIBLE or address in NAT64 or packed[8:12] in ISATAP_IDS:
        found.append(IPv4(packed[12:]))
    if address in NAT64_LOCAL:
        found.append(IPv4(packed[6:8] + packed[9:11]))  # bits 64-71 are the "u" octet
    return [inner for inner in found if inner is not None]


def _not_public(address: Address) -> bool:
    """Tell whether an address is not a public unicast one."""
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
    # In the resolver's order of preference, once each: a connection tries them in this order.
    return list(dict.fromkeys(ipaddress.ip_address(info[4][0].split("%", 1)[0]) for info in infos))


def first_internal(host: str, port: int) -> Address | None:
    """Return an internal address `host` is or resolves to, or None if all are public."""
    return next((address for address in resolve(host, port) if is_internal(address)), None)

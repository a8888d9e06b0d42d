"""Webhook URLs may not reach our own network: private, loopback and link-local addresses are refused."""

import time

import httpx
import pytest

from integrations.errors import PermanentError
from integrations.ssrf import GuardedTransport, check_url, is_public
from integrations.webhooks import WebhookSender, new_secret
from tests.integrations.fakes import WebhookReceiver

NOT_PUBLIC = [
    "127.0.0.1",  # loopback
    "10.1.2.3",  # RFC 1918
    "172.16.0.1",
    "192.168.1.10",
    "169.254.169.254",  # link-local: cloud instance metadata
    "100.64.0.1",  # carrier-grade NAT
    "0.0.0.0",
    "224.0.0.1",  # multicast
    "::1",
    "fe80::1",
    "fd00::1",  # unique local
    "::ffff:127.0.0.1",  # IPv4-mapped loopback
]


@pytest.mark.parametrize("address", NOT_PUBLIC)
def test_non_public_addresses_are_recognised(address):
    assert not is_public(address)


@pytest.mark.parametrize("address", ["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"])
def test_public_addresses_are_recognised(address):
    assert is_public(address)


@pytest.mark.parametrize("address", ["127.0.0.1", "10.1.2.3", "169.254.169.254", "[::1]", "[fe80::1]"])
def test_url_to_a_private_address_is_refused(address):
    with pytest.raises(PermanentError, match="private"):
        check_url(f"https://{address}/hooks", allow_private=False, require_https=True)


def test_localhost_name_is_refused_by_what_it_resolves_to():
    with pytest.raises(PermanentError, match="private"):
        check_url("https://localhost:8443/hooks", allow_private=False, require_https=True)


def test_private_address_is_accepted_when_allowed_for_tests():
    check_url("http://127.0.0.1:8080/hooks", allow_private=True, require_https=False)


def test_public_https_url_is_accepted():
    check_url("https://93.184.215.14/hooks", allow_private=False, require_https=True)


@pytest.mark.parametrize(
    ("url", "require_https"),
    [
        ("http://93.184.215.14/hooks", True),
        ("ftp://93.184.215.14/hooks", False),
        ("https:///hooks", False),
        ("https://93.184.215.14:99999/hooks", False),
    ],
)
def test_unusable_urls_are_refused(url, require_https):
    with pytest.raises(PermanentError):
        check_url(url, allow_private=True, require_https=require_https)


def test_host_that_does_not_resolve_is_refused():
    with pytest.raises(PermanentError, match="resolve"):
        check_url("https://host.invalid/hooks", allow_private=False, require_https=True)


def test_guarded_transport_refuses_to_send_to_loopback(loopback_server):
    client = httpx.Client(transport=GuardedTransport(allow_private=False), timeout=1)
    with client, pytest.raises(PermanentError, match="private"):
        WebhookSender(client).send(loopback_server.url, new_secret(), "msg_1", int(time.time()), {})
    assert loopback_server.requests == []


def test_guarded_transport_sends_when_private_addresses_are_allowed(loopback_server):
    secret = new_secret()
    loopback_server.handler = WebhookReceiver(secret)
    with httpx.Client(transport=GuardedTransport(allow_private=True), timeout=1) as client:
        assert (
            WebhookSender(client).send(loopback_server.url, secret, "msg_1", int(time.time()), {"a": 1})
            == 204
        )
    assert loopback_server.handler.ids == ["msg_1"]

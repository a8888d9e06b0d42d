"""Webhook URLs may not reach our own network: private, loopback and link-local addresses are refused."""

import time

import httpx
import pytest

from integrations.errors import PermanentError
from integrations.ssrf import GuardedTransport, check_host
from integrations.webhooks import WebhookSender, new_secret
from licensing.addresses import is_internal
from licensing.errors import ValidationFailed
from licensing.subscriptions import check_webhook_url
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
    assert is_internal(address)


@pytest.mark.parametrize("address", ["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"])
def test_public_addresses_are_recognised(address):
    assert not is_internal(address)


@pytest.mark.parametrize(
    "host", ["127.0.0.1", "10.1.2.3", "169.254.169.254", "[::1]", "[fe80::1]", "localhost"]
)
def test_guarded_transport_refuses_internal_hosts_before_connecting(host):
    inner = httpx.MockTransport(lambda request: httpx.Response(204))
    client = httpx.Client(transport=GuardedTransport(inner, allow_private=False))
    with client, pytest.raises(PermanentError, match="private"):
        WebhookSender(client).send(f"https://{host}/hooks", new_secret(), "msg_1", int(time.time()), {})


def test_guarded_transport_passes_a_public_address_on():
    seen = []
    inner = httpx.MockTransport(lambda request: seen.append(request.url.host) or httpx.Response(204))
    with httpx.Client(transport=GuardedTransport(inner, allow_private=False)) as client:
        assert WebhookSender(client).send("https://93.184.215.14/hooks", new_secret(), "m1", 1, {}) == 204
    assert seen == ["93.184.215.14"]


def test_guarded_transport_refuses_a_host_that_does_not_resolve():
    inner = httpx.MockTransport(lambda request: httpx.Response(204))
    client = httpx.Client(transport=GuardedTransport(inner, allow_private=False))
    with client, pytest.raises(PermanentError, match="resolve"):
        WebhookSender(client).send("https://host.invalid/hooks", new_secret(), "msg_1", 1, {})


def test_registration_and_sending_share_one_rule():
    # Registration (licensing) and sending (integrations) must agree on every address.
    for address in NOT_PUBLIC:
        host = f"[{address}]" if ":" in address else address
        with pytest.raises(ValidationFailed):
            check_webhook_url(f"https://{host}/hooks", allow_http=False, allow_private=False)
        with pytest.raises(PermanentError):
            check_host(address, 443, allow_private=False)


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

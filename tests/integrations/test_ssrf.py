"""Webhook URLs may not reach our own network: private, loopback and link-local addresses are refused."""

import socket
import ssl
import time
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from integrations.errors import PermanentError, RetryableError
from integrations.ssrf import GuardedTransport, check_host
from integrations.webhooks import WebhookSender, new_secret
from licensing.alerts.addresses import is_internal
from licensing.alerts.subscriptions import check_webhook_url
from licensing.errors import ValidationFailed
from tests.integrations.fakes import WebhookReceiver
from tests.integrations.servers import LoopbackServer

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
# IPv6 forms that carry an internal IPv4 address, which a relay or translator would then reach.
EMBEDDING_INTERNAL = [
    "2002:7f00:1::",  # 6to4 of 127.0.0.1
    "2002:a9fe:a9fe::1",  # 6to4 of 169.254.169.254
    "2002:c0a8:10a::",  # 6to4 of 192.168.1.10
    "::127.0.0.1",  # IPv4-compatible
    "::ffff:10.1.2.3",  # IPv4-mapped
    "64:ff9b::7f00:1",  # NAT64 of 127.0.0.1
    "64:ff9b::a9fe:a9fe",  # NAT64 of 169.254.169.254
    "64:ff9b:1:7f00:0:100::",  # local-use NAT64 (/48) of 127.0.0.1
    "2001:0:4136:e378:8000:63bf:80ff:fffe",  # Teredo, client 127.0.0.1
    "2606:4700::5efe:7f00:1",  # ISATAP identifier of 127.0.0.1 under a public prefix
    "2606:4700::200:5efe:a00:1",  # ISATAP identifier of 10.0.0.1
]
NOT_PUBLIC += EMBEDDING_INTERNAL


@pytest.mark.parametrize("address", NOT_PUBLIC)
def test_non_public_addresses_are_recognised(address):
    assert is_internal(address)


@pytest.mark.parametrize(
    "address",
    [
        "93.184.215.14",
        "2606:2800:21f:cb07:6820:80da:af6b:8b2c",
        "2002:5db8:d70e::",  # 6to4 of the public 93.184.215.14
        "64:ff9b::5db8:d70e",  # NAT64 (DNS64 on an IPv6-only network) of the public 93.184.215.14
        "::ffff:93.184.215.14",
    ],
)
def test_public_addresses_are_recognised(address):
    assert not is_internal(address)


@pytest.mark.parametrize(
    "host",
    ["127.0.0.1", "10.1.2.3", "169.254.169.254", "[::1]", "[fe80::1]", "localhost", "[2002:7f00:1::]"],
)
def test_guarded_transport_refuses_internal_hosts_before_connecting(host):
    client = httpx.Client(transport=GuardedTransport(allow_private=False), timeout=5)
    started = time.monotonic()
    with client, pytest.raises(PermanentError, match="private"):
        WebhookSender(client).send(f"https://{host}/hooks", new_secret(), "msg_1", int(time.time()), {})
    assert time.monotonic() - started < 1  # refused, not timed out trying


def test_guarded_transport_refuses_a_host_that_does_not_resolve():
    client = httpx.Client(transport=GuardedTransport(allow_private=False), timeout=1)
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


NAME = "hooks.council.example"
PUBLIC = "93.184.215.14"


class Rebinding:
    """The outside DNS service for NAME: each lookup gets the next answer (the last one for ever).

    socket.getaddrinfo stands for the resolver the system would ask; every other name is looked up as usual.
    """

    def __init__(self, *answers: str):
        """Answer NAME with `answers` in turn."""
        self.answers, self.lookups = list(answers), 0
        self.real = socket.getaddrinfo

    def __call__(self, host, port, *args, **kwargs):
        """Answer one lookup."""
        if host != NAME:
            return self.real(host, port, *args, **kwargs)
        address = self.answers[min(self.lookups, len(self.answers) - 1)]
        self.lookups += 1
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]


def test_a_name_that_rebinds_to_loopback_after_the_check_is_not_reached(monkeypatch, loopback_server):
    resolver = Rebinding(PUBLIC, "127.0.0.1")  # public for the check, loopback a moment later
    monkeypatch.setattr(socket, "getaddrinfo", resolver)
    port = urlsplit(loopback_server.url).port
    client = httpx.Client(transport=GuardedTransport(allow_private=False), timeout=1)
    with client, pytest.raises(RetryableError):  # the public address checked is the one tried
        WebhookSender(client).send(f"http://{NAME}:{port}/hooks", new_secret(), "msg_1", int(time.time()), {})
    assert loopback_server.requests == [] and resolver.lookups == 1


def test_each_connection_goes_to_the_address_resolved_for_it_with_the_host_header_kept(
    monkeypatch, loopback_server
):
    resolver = Rebinding("127.0.0.1", "127.0.0.2")  # nothing listens on 127.0.0.2
    monkeypatch.setattr(socket, "getaddrinfo", resolver)
    port = urlsplit(loopback_server.url).port
    secret = new_secret()
    loopback_server.handler = WebhookReceiver(secret)
    with httpx.Client(transport=GuardedTransport(allow_private=True), timeout=1) as client:
        assert (
            WebhookSender(client).send(f"http://{NAME}:{port}/a", secret, "msg_1", int(time.time()), {})
            == 204
        )
    [request] = loopback_server.requests
    assert request.headers["host"] == f"{NAME}:{port}" and resolver.lookups == 1


def test_tls_is_checked_against_the_name_while_connecting_to_the_checked_address(monkeypatch, tmp_path):
    monkeypatch.setattr(socket, "getaddrinfo", Rebinding("127.0.0.1"))
    certificate, key = self_signed(NAME, tmp_path)
    server_tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_tls.load_cert_chain(certificate, key)
    trusting = ssl.create_default_context(cafile=certificate)
    with LoopbackServer() as server:
        server._httpd.socket = server_tls.wrap_socket(server._httpd.socket, server_side=True)
        port = urlsplit(server.url).port
        with httpx.Client(
            transport=GuardedTransport(allow_private=True, verify=trusting), timeout=2
        ) as client:
            assert client.post(f"https://{NAME}:{port}/hooks", content=b"{}").status_code == 200
            # The same certificate does not name the address: had TLS been pointed at it, this would fail.
            with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
                client.post(f"https://127.0.0.1:{port}/hooks", content=b"{}")
    assert server.requests[0].headers["host"] == f"{NAME}:{port}"


def self_signed(name: str, folder) -> tuple[str, str]:
    """Write a certificate for `name` and its key into `folder`; return their paths."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    paths = folder / "cert.pem", folder / "key.pem"
    paths[0].write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return str(paths[0]), str(paths[1])

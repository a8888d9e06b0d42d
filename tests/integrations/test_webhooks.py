"""Standard Webhooks: our signature verifies with the reference package; every answer is classified."""

import base64
import time

import httpx
import pytest

from integrations.errors import PermanentError, RetryableError
from integrations.webhooks import WebhookSender, new_secret, sign
from tests.integrations.fakes import WebhookReceiver
from tests.integrations.servers import LoopbackServer, Reply

PAYLOAD = {
    "type": "register_entry.recorded",
    "alert_id": 7,
    "subject": {"kind": "register_entry", "id": 42},
    "links": {"self": "/api/v1/register-entries/42"},
}


@pytest.fixture
def secret():
    """Return a fresh endpoint secret."""
    return new_secret()


@pytest.fixture
def receiver(loopback_server, secret):
    """Make the loopback server a council's receiver that verifies every request."""
    loopback_server.handler = WebhookReceiver(secret)
    return loopback_server.handler


def send(server, client, secret, message_id="msg_2KWPBgLlAfxdpx2AI54pPJ85f4W", payload=PAYLOAD):
    """Send PAYLOAD to the server's /hooks URL, signed now."""
    return WebhookSender(client).send(server.url + "/hooks", secret, message_id, int(time.time()), payload)


def test_signature_matches_the_reference_test_vector():
    signature = sign("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330,
                     b'{"test": 2432232314}')  # fmt: skip
    assert signature == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def test_new_secret_is_whsec_and_32_random_bytes():
    first, second = new_secret(), new_secret()
    assert first.startswith("whsec_") and first != second
    assert len(base64.b64decode(first.removeprefix("whsec_"))) == 32


@pytest.mark.parametrize("bad", ["MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "whsec_", "whsec_not base64!"])
def test_secret_that_is_not_whsec_base64_is_refused(bad):
    with pytest.raises(PermanentError):
        sign(bad, "msg_1", 1614265330, b"{}")


def test_message_id_with_a_full_stop_is_refused(secret):
    with pytest.raises(PermanentError):
        sign(secret, "msg.1", 1614265330, b"{}")


def test_delivered_message_verifies_with_standardwebhooks(loopback_server, http_client, secret, receiver):
    assert send(loopback_server, http_client, secret) == 204
    assert receiver.verified == [PAYLOAD] and receiver.ids == ["msg_2KWPBgLlAfxdpx2AI54pPJ85f4W"]
    request = loopback_server.requests[0]
    assert request.method == "POST" and request.path == "/hooks"
    assert request.headers["content-type"] == "application/json"
    assert b" " not in request.body  # compact JSON: the bytes signed are the bytes sent


def test_non_ascii_payload_verifies(loopback_server, http_client, secret, receiver):
    send(
        loopback_server,
        http_client,
        secret,
        payload={"type": "licence.expiring", "note": "Wrexham – Wrecsam"},
    )
    assert receiver.verified[0]["note"] == "Wrexham – Wrecsam"


def test_receiver_with_another_secret_refuses_and_that_is_permanent(loopback_server, http_client, receiver):
    with pytest.raises(PermanentError) as caught:
        send(loopback_server, http_client, new_secret())
    assert caught.value.status_code == 401 and receiver.rejected == 1 and receiver.verified == []


def test_retry_after_500_carries_the_same_webhook_id(loopback_server, http_client, secret, receiver):
    loopback_server.script(Reply(500))
    with pytest.raises(RetryableError) as caught:
        send(loopback_server, http_client, secret, message_id="msg_retry1")
    assert caught.value.status_code == 500
    assert send(loopback_server, http_client, secret, message_id="msg_retry1") == 204
    assert receiver.ids == ["msg_retry1", "msg_retry1"]  # both attempts verified, one id


@pytest.mark.parametrize("status", [500, 502, 503, 504, 408, 302])
def test_server_trouble_and_redirects_are_retryable(loopback_server, http_client, secret, receiver, status):
    loopback_server.script(Reply(status, headers={"location": loopback_server.url + "/elsewhere"}))
    with pytest.raises(RetryableError) as caught:
        send(loopback_server, http_client, secret)
    assert caught.value.status_code == status
    assert len(loopback_server.requests) == 1  # a redirect is not followed


@pytest.mark.parametrize("status", [400, 401, 403, 404, 410, 413, 422])
def test_other_4xx_are_permanent(loopback_server, http_client, secret, receiver, status):
    loopback_server.script(Reply(status))
    with pytest.raises(PermanentError) as caught:
        send(loopback_server, http_client, secret)
    assert caught.value.status_code == status
    assert caught.value.gone is (status == 410)


def test_429_is_retryable_after_the_receivers_retry_after(loopback_server, http_client, secret, receiver):
    loopback_server.script(Reply(429, headers={"Retry-After": "120"}))
    with pytest.raises(RetryableError) as caught:
        send(loopback_server, http_client, secret)
    assert (caught.value.status_code, caught.value.retry_after) == (429, 120.0)


def test_retry_after_as_an_http_date_counts_from_the_servers_date(
    loopback_server, http_client, secret, receiver
):
    headers = {"Retry-After": "Wed, 21 Oct 2026 07:30:00 GMT", "Date": "Wed, 21 Oct 2026 07:28:00 GMT"}
    loopback_server.script(Reply(503, headers=headers))
    with pytest.raises(RetryableError) as caught:
        send(loopback_server, http_client, secret)
    assert caught.value.retry_after == 120.0


def test_500_without_retry_after_leaves_the_schedule_to_the_caller(
    loopback_server, http_client, secret, receiver
):
    loopback_server.script(Reply(500, headers={"Retry-After": "soon"}))
    with pytest.raises(RetryableError) as caught:
        send(loopback_server, http_client, secret)
    assert caught.value.retry_after is None


def test_receiver_that_does_not_answer_in_time_is_retryable(loopback_server, http_client, secret, receiver):
    loopback_server.script(Reply(204, delay=5))
    with pytest.raises(RetryableError, match="timed out"):
        send(loopback_server, http_client, secret)


def test_receiver_that_closes_the_connection_is_retryable(loopback_server, http_client, secret, receiver):
    loopback_server.script(Reply(close=True))
    with pytest.raises(RetryableError):
        send(loopback_server, http_client, secret)
    assert send(loopback_server, http_client, secret) == 204


def test_receiver_that_is_not_listening_is_retryable(http_client, secret):
    with LoopbackServer() as server:
        url = server.url
    with pytest.raises(RetryableError):
        WebhookSender(http_client).send(url + "/hooks", secret, "msg_1", int(time.time()), PAYLOAD)


@pytest.mark.parametrize("url", ["ftp://example.invalid/hooks", "http://[::1/hooks"])
def test_unusable_url_is_permanent(http_client, secret, url):
    with pytest.raises(PermanentError):
        WebhookSender(http_client).send(url, secret, "msg_1", int(time.time()), PAYLOAD)


def test_error_message_names_neither_url_nor_secret(http_client, secret):
    url = "http://127.0.0.1:9/hooks?token=s3cr3t"
    with pytest.raises(RetryableError) as caught:
        WebhookSender(httpx.Client(timeout=0.5)).send(url, secret, "msg_1", int(time.time()), PAYLOAD)
    assert "s3cr3t" not in str(caught.value) and secret not in str(caught.value)


def test_during_a_rotation_receivers_with_either_secret_verify(http_client):
    old, new = new_secret(), new_secret()
    with LoopbackServer(WebhookReceiver(old)) as holds_old, LoopbackServer(WebhookReceiver(new)) as holds_new:
        for server in (holds_old, holds_new):
            assert send(server, http_client, [new, old], message_id="msg_rotation") == 204
            assert server.handler.ids == ["msg_rotation"] and server.handler.rejected == 0
    signature = holds_old.requests[0].headers["webhook-signature"]
    assert len(signature.split(" ")) == 2 and all(part.startswith("v1,") for part in signature.split(" "))


def test_after_the_overlap_only_the_new_secret_signs(http_client):
    old, new = new_secret(), new_secret()
    with LoopbackServer(WebhookReceiver(old)) as holds_old:
        with pytest.raises(PermanentError):
            send(holds_old, http_client, [new])
        assert holds_old.handler.rejected == 1 and holds_old.handler.verified == []


def test_no_secret_at_all_is_refused(http_client, loopback_server):
    with pytest.raises(PermanentError, match="no signing secret"):
        send(loopback_server, http_client, [])
    assert loopback_server.requests == []

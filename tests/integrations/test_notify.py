"""GOV.UK Notify e-mail: the documented request (JWT, body), the 201 answer and every documented error."""

import httpx
import jwt
import pytest

from integrations.errors import PermanentError, RetryableError
from integrations.notify import NotifyClient, bearer_token, parse_api_key
from tests.integrations.fakes import FakeNotify, notify_error
from tests.integrations.servers import Reply

SERVICE_ID = "26785a09-ab16-4eb0-8407-a37497a57506"
SECRET = "3d844edf-8d35-48ac-975b-e847b4f122b0"
API_KEY = f"crosscheck_alerts-{SERVICE_ID}-{SECRET}"
TEMPLATE_ID = "f33517ff-2a88-4f6e-b855-c550268ce08a"


@pytest.fixture
def notify(loopback_server):
    """Make the loopback server a fake Notify that accepts API_KEY."""
    loopback_server.handler = FakeNotify(API_KEY, loopback_server.url)
    return loopback_server.handler


def send(server, client, api_key=API_KEY):
    """Send one alert e-mail through the client to the server."""
    notify_client = NotifyClient(client, api_key, base_url=server.url)
    personalisation = {"alert_type": "register_entry.recorded", "link": "https://crosscheck.invalid/alerts/7"}
    return notify_client.send_email(
        "licensing@council.example", TEMPLATE_ID, personalisation, "alert-7-dlv-9"
    )


def test_api_key_splits_into_service_id_and_secret():
    assert parse_api_key(API_KEY) == (SERVICE_ID, SECRET)


@pytest.mark.parametrize("bad", ["", SECRET, f"name-{SERVICE_ID}", f"{SERVICE_ID}-{SECRET}x"])
def test_malformed_api_key_is_permanent(bad, http_client):
    with pytest.raises(PermanentError):
        NotifyClient(http_client, bad)


def test_token_is_hs256_with_iss_and_iat():
    token = bearer_token(SERVICE_ID, SECRET, 1568818578)
    assert jwt.get_unverified_header(token) == {"typ": "JWT", "alg": "HS256"}
    claims = jwt.decode(token, SECRET, algorithms=["HS256"], options={"verify_iat": False})
    assert claims == {"iss": SERVICE_ID, "iat": 1568818578}


def test_email_is_accepted_and_its_notification_id_returned(loopback_server, http_client, notify):
    notification_id = send(loopback_server, http_client)
    request = loopback_server.requests[0]
    assert (request.method, request.path) == ("POST", "/v2/notifications/email")
    assert request.headers["content-type"] == "application/json"
    assert notify.sent == [
        {
            "email_address": "licensing@council.example",
            "template_id": TEMPLATE_ID,
            "personalisation": {
                "alert_type": "register_entry.recorded",
                "link": "https://crosscheck.invalid/alerts/7",
            },
            "reference": "alert-7-dlv-9",
        }
    ]
    assert notify.ids == [notification_id]


def test_each_request_gets_a_fresh_token(loopback_server, http_client, notify):
    send(loopback_server, http_client)
    send(loopback_server, http_client)
    assert len(notify.sent) == 2


def test_key_of_another_service_is_refused_as_permanent(loopback_server, http_client, notify):
    other_key = f"crosscheck_alerts-{SERVICE_ID}-{SERVICE_ID}"  # right service id, wrong secret
    with pytest.raises(PermanentError, match="AuthError") as caught:
        send(loopback_server, http_client, other_key)
    assert caught.value.status_code == 403 and notify.sent == []


@pytest.mark.parametrize(
    "reply",
    [
        notify_error(400, "BadRequestError", "Can't send to this recipient using a team-only API key"),
        notify_error(400, "ValidationError", "email_address Not a valid email address"),
        notify_error(403, "AuthError", "Error: Your system clock must be accurate to within 30 seconds"),
        notify_error(403, "AuthError", "Invalid token: API key not found"),
        notify_error(404, "NoResultFound", "No result found"),
    ],
)
def test_documented_client_errors_are_permanent(loopback_server, http_client, notify, reply):
    loopback_server.script(reply)
    with pytest.raises(PermanentError) as caught:
        send(loopback_server, http_client)
    error = reply.body["errors"][0]
    assert caught.value.status_code == reply.status
    assert f"{error['error']}: {error['message']}" in str(caught.value)


@pytest.mark.parametrize(
    "reply",
    [
        notify_error(
            429, "RateLimitError", "Exceeded rate limit for key type LIVE of 3000 requests per 60 seconds"
        ),
        notify_error(429, "TooManyRequestsError", "Exceeded send limits (250000) for today"),
        notify_error(500, "Exception", "Internal server error"),
        Reply(502, "<html>Bad gateway</html>", {"content-type": "text/html"}),
    ],
)
def test_rate_limits_and_server_errors_are_retryable(loopback_server, http_client, notify, reply):
    loopback_server.script(reply)
    with pytest.raises(RetryableError) as caught:
        send(loopback_server, http_client)
    assert caught.value.status_code == reply.status
    if isinstance(reply.body, dict):
        assert reply.body["errors"][0]["error"] in str(caught.value)


def test_rate_limit_retry_after_is_kept(loopback_server, http_client, notify):
    reply = notify_error(
        429, "RateLimitError", "Exceeded rate limit for key type LIVE of 3000 requests per 60 seconds"
    )
    reply.headers["Retry-After"] = "60"
    loopback_server.script(reply)
    with pytest.raises(RetryableError) as caught:
        send(loopback_server, http_client)
    assert caught.value.retry_after == 60.0


def test_accepted_answer_without_an_id_is_not_sent_again(loopback_server, http_client, notify):
    loopback_server.script(Reply(201, {"reference": "alert-7-dlv-9"}))
    with pytest.raises(PermanentError, match="without a notification id"):
        send(loopback_server, http_client)


@pytest.mark.parametrize("reply", [Reply(201, delay=5), Reply(close=True)])
def test_timeout_or_dropped_connection_is_retryable(loopback_server, http_client, notify, reply):
    loopback_server.script(reply)
    with pytest.raises(RetryableError):
        send(loopback_server, http_client)


def test_error_message_holds_no_email_address_or_key(loopback_server, http_client, notify):
    loopback_server.script(notify_error(500, "Exception", "Internal server error"))
    with pytest.raises(RetryableError) as caught:
        send(loopback_server, http_client)
    assert "licensing@council.example" not in str(caught.value) and SECRET not in str(caught.value)


def test_client_talks_to_the_configured_base_url_only(http_client):
    transport = httpx.MockTransport(lambda request: httpx.Response(201, json={"id": str(request.url)}))
    with httpx.Client(transport=transport) as client:
        notify_client = NotifyClient(client, API_KEY)
        url = notify_client.send_email("a@council.example", TEMPLATE_ID, {}, "r")
    assert url == "https://api.notifications.service.gov.uk/v2/notifications/email"


@pytest.mark.parametrize("base_url", ["api.notifications.service.gov.uk", "ftp://notify.example"])
def test_base_url_that_is_not_http_is_permanent(http_client, base_url):
    with pytest.raises(PermanentError, match="URL"):
        NotifyClient(http_client, API_KEY, base_url).send_email("a@council.example", TEMPLATE_ID, {}, "r")

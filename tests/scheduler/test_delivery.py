"""Sending claimed deliveries to real loopback receivers: signed webhooks, Notify e-mail, outcomes."""

from datetime import timedelta
from itertools import chain, repeat

import jwt
import standardwebhooks

from licensing.models import WebhookEndpoint
from scheduler.jobs import Context, deliver
from scheduler.leader import Leadership
from tests.scheduler.conftest import NOTIFY_SECRET, NOTIFY_SERVICE_ID, TEMPLATE_ID
from tests.scheduler.helpers import deliveries, make_email_recipient, make_webhook_endpoint, raise_alerts

THIN_KEYS = {"type", "alert_id", "subject", "links"}


def test_webhook_is_signed_thin_and_verifiable_with_standardwebhooks(
    writer, engine, receiver, dispatcher, clock
):
    endpoint = make_webhook_endpoint(writer, receiver.url + "/hooks", clock.now)
    [delivery] = raise_alerts(writer, endpoint.authority_id, clock.now)

    assert dispatcher.run_batch() == {"delivered": 1}

    [request] = receiver.received
    assert request.path == "/hooks" and request.headers["webhook-id"] == delivery.message_id
    verified = standardwebhooks.Webhook(endpoint.secret).verify(request.body, request.headers)
    assert set(verified) == THIN_KEYS and verified["subject"] == {"kind": "register_entry", "id": 1}
    [row] = deliveries(engine)
    assert (row.status, row.attempts, row.delivered_at) == ("delivered", 1, clock.now)


def test_failed_webhook_is_retried_on_schedule_with_the_same_webhook_id(
    writer, engine, receiver, dispatcher, clock
):
    endpoint = make_webhook_endpoint(writer, receiver.url, clock.now)
    [delivery] = raise_alerts(writer, endpoint.authority_id, clock.now)
    receiver.script.answers += [(500, {})]

    assert dispatcher.run_batch() == {"retry": 1}
    clock.advance(timedelta(seconds=4))
    assert dispatcher.run_batch() == {}
    clock.advance(timedelta(seconds=1))
    assert dispatcher.run_batch() == {"delivered": 1}

    assert receiver.ids() == {delivery.message_id: 2}
    [row] = deliveries(engine)
    assert (row.status, row.attempts, row.last_error) == ("delivered", 2, None)


def test_receivers_retry_after_postpones_the_retry(writer, engine, receiver, dispatcher, clock):
    endpoint = make_webhook_endpoint(writer, receiver.url, clock.now)
    raise_alerts(writer, endpoint.authority_id, clock.now)
    receiver.script.answers += [(503, {"Retry-After": "120"})]

    assert dispatcher.run_batch() == {"retry": 1}

    [row] = deliveries(engine)
    assert (row.status, row.next_attempt_at) == ("pending", clock.now + timedelta(seconds=120))
    assert "503" in row.last_error


def test_client_error_is_dead_letter_without_retry(writer, engine, receiver, dispatcher, clock):
    endpoint = make_webhook_endpoint(writer, receiver.url, clock.now)
    raise_alerts(writer, endpoint.authority_id, clock.now)
    receiver.script.answers += [(400, {})]

    assert dispatcher.run_batch() == {"dead": 1}
    clock.advance(timedelta(days=4))
    assert dispatcher.run_batch() == {}
    assert len(receiver.received) == 1 and deliveries(engine)[0].status == "dead"


def test_unreachable_receiver_is_retried(writer, engine, dispatcher, clock):
    endpoint = make_webhook_endpoint(writer, "http://127.0.0.1:9/closed", clock.now)
    raise_alerts(writer, endpoint.authority_id, clock.now)

    assert dispatcher.run_batch() == {"retry": 1}
    [row] = deliveries(engine)
    assert row.next_attempt_at == clock.now + timedelta(seconds=5) and "webhook" in row.last_error


def test_deactivated_endpoint_is_dead_letter(writer, engine, receiver, dispatcher, clock):
    endpoint = make_webhook_endpoint(writer, receiver.url, clock.now)
    raise_alerts(writer, endpoint.authority_id, clock.now)
    writer.get(WebhookEndpoint, endpoint.id).active = False
    writer.commit()

    assert dispatcher.run_batch() == {"dead": 1}
    assert receiver.received == []


def test_lapsed_claim_is_not_sent(writer, engine, receiver, dispatcher, clock, settings):
    endpoint = make_webhook_endpoint(writer, receiver.url, clock.now)
    raise_alerts(writer, endpoint.authority_id, clock.now)
    ticks = chain([clock.now], repeat(clock.now + timedelta(seconds=settings.lease_seconds)))
    dispatcher.clock = lambda: next(ticks)

    assert dispatcher.run_batch() == {"lapsed": 1}
    assert receiver.received == [] and deliveries(engine)[0].status == "delivering"


def test_email_goes_through_notify_with_only_the_alert_type_and_a_link(
    writer, engine, notify, dispatcher, clock
):
    recipient = make_email_recipient(writer, clock.now)
    [delivery] = raise_alerts(writer, recipient.authority_id, clock.now)

    assert dispatcher.run_batch() == {"delivered": 1}

    [request] = notify.received
    token = request.headers["authorization"].removeprefix("Bearer ")
    claims = jwt.decode(token, NOTIFY_SECRET, algorithms=["HS256"])
    assert request.path == "/v2/notifications/email" and claims["iss"] == NOTIFY_SERVICE_ID
    assert request.json() == {
        "email_address": "alerts@council.example",
        "template_id": TEMPLATE_ID,
        "personalisation": {
            "alert_type": "register_entry.recorded",
            "link": f"http://127.0.0.1:5000/api/v1/alerts/{delivery.alert_id}",
        },
        "reference": delivery.message_id,
    }


def test_notify_refusal_is_dead_letter(writer, engine, notify, dispatcher, clock):
    recipient = make_email_recipient(writer, clock.now)
    raise_alerts(writer, recipient.authority_id, clock.now)
    error = {"error": "BadRequestError", "message": "Can't send to this recipient using a team-only API key"}
    notify.script.answers += [(400, {}, {"status_code": 400, "errors": [error]})]

    assert dispatcher.run_batch() == {"dead": 1}
    assert "notify: 400 BadRequestError: Can't send" in deliveries(engine)[0].last_error


def test_deliver_job_drains_every_due_batch(writer, engine, receiver, dispatcher, clock, settings):
    endpoint = make_webhook_endpoint(writer, receiver.url, clock.now)
    made = raise_alerts(writer, endpoint.authority_id, clock.now, count=5)
    context = Context(engine, settings, Leadership(engine), dispatcher)

    assert deliver(context) == {"delivered": 5}
    assert deliver(context) == {}
    assert receiver.ids() == {d.message_id: 1 for d in made}

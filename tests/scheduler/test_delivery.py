"""Sending claimed deliveries to real loopback receivers: signed webhooks, Notify e-mail, outcomes."""

import threading
import time
from collections import Counter
from datetime import timedelta
from itertools import chain, repeat

import jwt
import pytest
import standardwebhooks
from sqlalchemy import select

from licensing.alerts.subscriptions import SECRET_OVERLAP
from licensing.persistence import unit_of_work
from licensing.persistence.models import WebhookEndpoint
from scheduler.delivery import Dispatcher, http_client
from scheduler.jobs import Context, deliver
from scheduler.leader import Leadership
from scheduler.settings import load_settings
from tests.scheduler.conftest import NOTIFY_SECRET, NOTIFY_SERVICE_ID, TEMPLATE_ID
from tests.scheduler.helpers import deliveries, make_email_recipient, make_webhook_endpoint, raise_alerts
from tests.scheduler.receivers import Receiver

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


def test_410_gone_disables_the_endpoint_and_dead_letters_the_delivery(
    writer, engine, receiver, dispatcher, clock
):
    endpoint = make_webhook_endpoint(writer, receiver.url, clock.now)
    other = make_webhook_endpoint(writer, receiver.url + "/other", clock.now)
    raise_alerts(writer, endpoint.authority_id, clock.now)
    receiver.script.answers += [(410, {})]
    assert dispatcher.run_batch() == {"dead": 1}

    raise_alerts(writer, endpoint.authority_id, clock.now)
    raise_alerts(writer, other.authority_id, clock.now)
    # The disabled endpoint gets no delivery for its council's next alert; the other council's is sent.
    assert dispatcher.run_batch() == {"delivered": 1}

    with unit_of_work.reading(engine) as session:
        active = dict(session.execute(select(WebhookEndpoint.id, WebhookEndpoint.active)).all())
    assert active == {endpoint.id: False, other.id: True}
    assert [row.status for row in deliveries(engine)] == ["dead", "delivered"]
    assert "410" in deliveries(engine)[0].last_error and len(receiver.received) == 2


def test_other_client_errors_do_not_disable_the_endpoint(writer, engine, receiver, dispatcher, clock):
    endpoint = make_webhook_endpoint(writer, receiver.url, clock.now)
    raise_alerts(writer, endpoint.authority_id, clock.now)
    receiver.script.answers += [(404, {})]

    assert dispatcher.run_batch() == {"dead": 1}
    with unit_of_work.reading(engine) as session:
        assert session.get(WebhookEndpoint, endpoint.id).active is True


def test_within_24_hours_of_a_rotation_both_secrets_sign(writer, engine, receiver, dispatcher, clock):
    endpoint = make_webhook_endpoint(writer, receiver.url, clock.now)
    old, new = endpoint.secret, make_webhook_endpoint(writer, receiver.url, clock.now).secret
    endpoint.secret, endpoint.previous_secret = new, old
    endpoint.previous_secret_expires_at = clock.now + SECRET_OVERLAP
    writer.commit()
    raise_alerts(writer, endpoint.authority_id, clock.now)
    assert dispatcher.run_batch() == {"delivered": 1}

    # The overlap ends (moved, not the clock: the receiver checks the timestamp against real time).
    writer.get(WebhookEndpoint, endpoint.id).previous_secret_expires_at = clock.now
    writer.commit()
    raise_alerts(writer, endpoint.authority_id, clock.now)  # a second alert
    assert dispatcher.run_batch() == {"delivered": 1}

    during, after = receiver.received
    for secret in (old, new):
        standardwebhooks.Webhook(secret).verify(during.body, during.headers)
    standardwebhooks.Webhook(new).verify(after.body, after.headers)
    with pytest.raises(standardwebhooks.WebhookVerificationError):
        standardwebhooks.Webhook(old).verify(after.body, after.headers)


def test_scheduler_client_refuses_loopback_unless_private_addresses_are_allowed(
    writer, engine, receiver, clock, database_url
):
    endpoint = make_webhook_endpoint(writer, receiver.url, clock.now)
    raise_alerts(writer, endpoint.authority_id, clock.now)
    overrides = {"ENV_NAME": "testing", "DATABASE_URL": database_url, "WEBHOOK_ALLOW_PRIVATE": False}
    settings = load_settings(overrides)
    with http_client(settings) as http:
        dispatcher = Dispatcher(engine, settings, http, clock=clock)
        assert dispatcher.run_batch() == {"dead": 1}
        dispatcher.close()
    assert receiver.received == [] and "private" in deliveries(engine)[0].last_error


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
    [row] = deliveries(engine)
    assert receiver.received == [] and (row.status, row.attempts, row.lease_expires_at) == (
        "pending",
        0,
        None,
    )


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


def test_a_hanging_receiver_holds_its_share_of_senders_while_another_councils_deliveries_go_out(
    writer, engine, clock, database_url
):
    overrides = {
        "ENV_NAME": "testing",
        "DATABASE_URL": database_url,
        "SCHEDULER_SEND_WORKERS": "4",
        "SCHEDULER_ENDPOINT_CONCURRENCY": "2",
        "SCHEDULER_POLL_SECONDS": "0.1",
        "WEBHOOK_TIMEOUT_SECONDS": "30",
    }
    settings = load_settings(overrides)
    with Receiver(hold_all=True) as hanging, Receiver() as fast, http_client(settings) as http:
        slow_endpoint = make_webhook_endpoint(writer, hanging.url, clock.now)
        fast_endpoint = make_webhook_endpoint(writer, fast.url, clock.now)
        raise_alerts(writer, slow_endpoint.authority_id, clock.now, count=20)
        made = raise_alerts(writer, fast_endpoint.authority_id, clock.now, count=5)
        dispatcher = Dispatcher(engine, settings, http, clock=clock)
        context = Context(engine, settings, Leadership(engine), dispatcher)
        job = threading.Thread(target=deliver, args=(context,))
        job.start()
        try:
            deadline = time.monotonic() + 10
            while len(fast.received) < 5 and time.monotonic() < deadline:
                time.sleep(0.05)
            # Every fast delivery went out while the hanging receiver's first two were still in flight.
            assert fast.ids() == {d.message_id: 1 for d in made}
            assert len(hanging.received) == 2
        finally:
            hanging.release.set()
            context.stopping.set()
            job.join(timeout=30)
            dispatcher.close()
    statuses = Counter(row.status for row in deliveries(engine))
    assert statuses["delivered"] >= 7 and not job.is_alive()

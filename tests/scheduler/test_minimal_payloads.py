"""Alerts about another council's record or police intelligence: what the webhook and the e-mail carry."""

from datetime import date

from licensing.actors import Actor
from licensing.alerts.outbox import ALERT_TYPES
from licensing.intelligence.routing import push_intelligence
from licensing.monitoring.rescreen import rescreen_all
from tests.factories import identity, make_authority, make_licence, make_police_force, make_register_entry
from tests.scheduler.helpers import make_email_recipient, make_webhook_endpoint
from tests.withheld import THEIR_DETAILS, withheld_in


def test_alerts_about_a_driver_found_elsewhere_carry_none_of_the_records_details(
    writer, receiver, notify, dispatcher, clock
):
    make_register_entry(writer, **THEIR_DETAILS)  # another council revoked the driver...
    ours = make_authority(writer)
    make_licence(writer, authority_id=ours.id)  # ...whom this council licenses
    subscribed = {"authority_id": ours.id, "alert_types": list(ALERT_TYPES)}
    make_webhook_endpoint(writer, receiver.url, clock.now, **subscribed)
    make_email_recipient(writer, clock.now, **subscribed)
    force = make_police_force(writer)
    police = Actor(kind="api_client", id=1, label="Force", police_force_id=force.id, scopes=frozenset())
    fields = identity(**THEIR_DETAILS) | {"category": "arrest", "occurred_on": date(2026, 11, 20)}
    push_intelligence(writer, police, "WMP-9", fields | {"shareable_summary": "Arrested."}, clock.now)
    writer.commit()  # the push's unit ends before the re-screen's and the dispatcher's begin
    rescreen_all(writer.get_bind(), clock.now)
    while dispatcher.run_batch():
        pass

    hooks = [request.json() for request in receiver.received]
    assert {hook["type"] for hook in hooks} == {"intelligence.routed", "screening.new_match"}
    assert len(notify.received) == len(hooks)
    for request in receiver.received + notify.received:
        assert withheld_in(request.body.decode()) == []

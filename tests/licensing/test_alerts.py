"""The alert outbox: one alert and one delivery per matching subscription, deduplicated, thin payloads."""

import pytest
from sqlalchemy import select

from licensing.alerts import raise_alert
from licensing.models import Alert, Delivery, EmailRecipient, WebhookEndpoint
from tests.factories import NOW, make_authority


def endpoint(session, authority, types, active=True) -> WebhookEndpoint:
    """Store a webhook endpoint of `authority` subscribed to `types`."""
    row = WebhookEndpoint(
        authority_id=authority.id,
        url="https://receiver.example/hook",
        secret="whsec_dGVzdHNlY3JldHRlc3RzZWNyZXR0ZXN0c2VjcmV0",
        alert_types=list(types),
        active=active,
        created_at=NOW,
        updated_at=NOW,
    )
    session.add(row)
    session.commit()
    return row


def recipient(session, authority, types, active=True) -> EmailRecipient:
    """Store an e-mail recipient of `authority` subscribed to `types`."""
    row = EmailRecipient(
        authority_id=authority.id,
        email_address="alerts@council.example",
        alert_types=list(types),
        active=active,
        created_at=NOW,
        updated_at=NOW,
    )
    session.add(row)
    session.commit()
    return row


def alert(session, authority, alert_type="licence.expiring", **extra):
    """Raise an alert about licence 7 for `authority` and commit."""
    fields = {"authority_id": authority.id, "alert_type": alert_type, "subject_kind": "licence"}
    raised = raise_alert(session, **fields, subject_id=7, now=NOW, **extra)
    session.commit()
    return raised


def deliveries(session) -> list[Delivery]:
    """Return every delivery in id order."""
    return list(session.scalars(select(Delivery).order_by(Delivery.id)))


def test_alert_gets_one_pending_delivery_per_subscription_of_its_type(session):
    council = make_authority(session)
    hook = endpoint(session, council, ["licence.expiring", "dbs.lapsed"])
    mail = recipient(session, council, ["licence.expiring"])
    endpoint(session, council, ["dbs.lapsed"])  # another type
    endpoint(session, council, ["licence.expiring"], active=False)
    endpoint(session, make_authority(session), ["licence.expiring"])  # another council
    raised = alert(session, council)
    rows = deliveries(session)
    assert [(d.channel, d.target) for d in rows] == [("webhook", str(hook.id)), ("email", str(mail.id))]
    assert {d.alert_id for d in rows} == {raised.id}
    assert all((d.status, d.attempts, d.next_attempt_at) == ("pending", 0, NOW) for d in rows)
    assert all(d.message_id.startswith("msg_") for d in rows)
    assert len({d.message_id for d in rows}) == 2


def test_alert_without_subscriptions_is_still_kept_for_the_api(session):
    council = make_authority(session)
    raised = alert(session, council)
    assert session.get(Alert, raised.id).authority_id == council.id
    assert deliveries(session) == []


def test_payload_is_thin_ids_and_a_link(session):
    council = make_authority(session)
    raised = alert(session, council, "dbs.new_info")
    stored = session.get(Alert, raised.id)
    assert stored.payload == {
        "type": "dbs.new_info",
        "alert_id": raised.id,
        "subject": {"kind": "licence", "id": 7},
        "links": {"self": f"/api/v1/alerts/{raised.id}"},
    }


def test_detail_travels_beside_the_ids(session):
    raised = alert(session, make_authority(session), "register_entry.overturned", detail={"reason": "appeal"})
    assert session.get(Alert, raised.id).payload["detail"] == {"reason": "appeal"}


def test_same_dedupe_key_raises_once(session):
    council = make_authority(session)
    endpoint(session, council, ["licence.expiring"])
    first = alert(session, council, dedupe_key="licence.expiring:7:30")
    again = alert(session, council, dedupe_key="licence.expiring:7:30")
    other = alert(session, council, dedupe_key="licence.expiring:7:7")
    assert first is not None and again is None and other is not None
    assert session.scalars(select(Alert.dedupe_key).order_by(Alert.id)).all() == [
        "licence.expiring:7:30",
        "licence.expiring:7:7",
    ]
    assert len(deliveries(session)) == 2


def test_dedupe_race_loses_only_its_own_alert(session):
    """A twin written after the check but before the insert is caught by the unique key, in a savepoint."""
    council = make_authority(session)
    fields = {"authority_id": council.id, "alert_type": "dbs.lapsed", "subject_kind": "licence"}
    twin = Alert(**fields, subject_id=1, created_at=NOW, dedupe_key="dbs.lapsed:1")
    with session.no_autoflush:  # the twin is not there yet when raise_alert looks for it
        session.add(twin)
        lost = raise_alert(session, **fields, subject_id=1, now=NOW, dedupe_key="dbs.lapsed:1")
    session.commit()
    assert lost is None
    assert session.scalars(select(Alert.id)).all() == [twin.id]


def test_unknown_alert_type_is_refused(session):
    with pytest.raises(ValueError, match="Unknown alert type"):
        alert(session, make_authority(session), "licence.exploded")

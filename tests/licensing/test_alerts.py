"""The alert outbox: one alert and one delivery per matching subscription, deduplicated, thin payloads."""

import json
from datetime import date
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from licensing.actors import Actor
from licensing.alerts.outbox import raise_alert
from licensing.alerts.subscriptions import add_email, add_webhook
from licensing.intelligence.routing import push_intelligence, withdraw_intelligence
from licensing.persistence.models import Alert, Delivery, EmailRecipient, WebhookEndpoint
from licensing.register.entries import amend_entry
from licensing.workflows.information_requests import request_information
from tests.factories import NOW, make_authority, make_police_force, make_register_entry, make_screening
from tests.licensing.test_intelligence import UNRELATED, applying, body, licensed, police


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


def test_payload_is_thin_ids_without_a_link(session):
    # The link to the alert in the API is the app's to make (app/links.py), when it shows or sends one.
    council = make_authority(session)
    raised = alert(session, council, "dbs.new_info")
    stored = session.get(Alert, raised.id)
    assert stored.payload == {
        "type": "dbs.new_info",
        "alert_id": raised.id,
        "subject": {"kind": "licence", "id": 7},
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


# --- Producers: the alerts raised in the request path, in the transaction of the change ---------------

PERSONAL = (
    "Imran",
    "Hussain",
    "Husain",
    "1985-03-14",
    "14/03/1985",
    "AB123456C",
    "HUSSA803145I99AB",
    "WV1 1AA",
    "Example Street",
    "PH-BADGE",
    "restricted detail",
    "on bail",
)
NOBODY = {
    "given_names": "Siobhan",
    "family_name": "Okonkwo",
    "date_of_birth": date(1991, 6, 2),
    "ni_number": "JK112233D",
    "driving_licence_number": "OKONK906021S99XY",
    "postcode": "LS1 4AP",
    "address": "8 Distant Lane, Leeds",
}
ALL_TYPES = [
    "register_entry.recorded",
    "register_entry.amended",
    "register_entry.overturned",
    "intelligence.routed",
    "intelligence.updated",
    "intelligence.withdrawn",
]


def subscribe(session, authority) -> None:
    """Give `authority` one webhook endpoint and one e-mail recipient for every producer's type."""
    actor = Actor(kind="user", id=None, label="Test officer", authority_id=authority.id)
    rules = {"allow_http": True, "allow_private": True}
    add_webhook(session, actor, "http://127.0.0.1:9/hook", ALL_TYPES, NOW, **rules)
    add_email(session, actor, f"alerts{authority.id}@council.example", ALL_TYPES, NOW)


def raised(session) -> list[tuple[int, str]]:
    """Return every alert as (authority id, type), in order."""
    return [(a.authority_id, a.alert_type) for a in session.scalars(select(Alert).order_by(Alert.id))]


def delivered_to(session) -> dict[int, int]:
    """Return how many deliveries each authority's alerts have."""
    query = select(Alert.authority_id, Delivery.id).join(Delivery, Delivery.alert_id == Alert.id)
    counts: dict[int, int] = {}
    for authority_id, _ in session.execute(query):
        counts[authority_id] = counts.get(authority_id, 0) + 1
    return counts


def assert_no_personal_data(session) -> None:
    """Check that no alert payload or delivery row carries any of the person's details."""
    rows = [a.payload for a in session.scalars(select(Alert))]
    rows += [d.model_dump(mode="json") for d in session.scalars(select(Delivery))]
    text = json.dumps(rows)
    assert rows and not [value for value in PERSONAL if value.lower() in text.lower()]


def holders(session):
    """Return councils: two holding the person (licence; fuzzy-named pending application), three not, and
    the recorder, which holds a licence too (intelligence is routed to it; its own entry alerts others)."""
    a, b, c, d, e, recorder = (make_authority(session) for _ in range(6))
    licence = licensed(session, a, badge_number="PH-BADGE-1")
    application = applying(session, b, family_name="Husain")
    licensed(session, c, **UNRELATED)
    licensed(session, d, status="revoked", badge_number="PH-BADGE-2")
    applying(session, e, status="refused")
    licensed(session, recorder, badge_number="PH-BADGE-3")  # the recorder's own licence is its business
    for authority in (a, b, c, d, e, recorder):
        subscribe(session, authority)
    return SimpleNamespace(a=a, b=b, recorder=recorder, licence=licence, application=application)


def test_recorded_entry_alerts_every_other_council_holding_the_person(session):
    councils = holders(session)
    entry = make_register_entry(session, authority_id=councils.recorder.id)
    assert sorted(raised(session)) == sorted(
        [(councils.a.id, "register_entry.recorded"), (councils.b.id, "register_entry.recorded")]
    )
    assert delivered_to(session) == {councils.a.id: 2, councils.b.id: 2}
    by_council = {a.authority_id: a for a in session.scalars(select(Alert))}
    assert (by_council[councils.a.id].subject_kind, by_council[councils.a.id].subject_id) == (
        "register_entry",
        entry.id,
    )
    assert by_council[councils.a.id].payload["detail"] == {
        "matches": [{"kind": "licence", "id": councils.licence.id}]
    }
    assert by_council[councils.b.id].payload["detail"]["matches"] == [
        {"kind": "application", "id": councils.application.id}
    ]
    assert_no_personal_data(session)


def test_entry_for_someone_nobody_holds_alerts_nobody(session):
    councils = holders(session)
    make_register_entry(session, authority_id=councils.recorder.id, **NOBODY)
    assert raised(session) == []


def test_overturn_alerts_requesting_councils_and_holders_once_each(session):
    councils = holders(session)
    entry = make_register_entry(session, authority_id=councils.recorder.id)
    asking = make_authority(session)
    subscribe(session, asking)
    for authority in (asking, councils.a):  # a holder that also asked is told once
        officer = Actor(kind="user", id=None, label="Officer", authority_id=authority.id)
        make_screening(session, authority_id=authority.id)
        request_information(session, officer, {"register_entry_id": entry.id, "request_text": "?"}, NOW)
    recorder = Actor(kind="user", id=None, label="Officer", authority_id=councils.recorder.id)
    amend_entry(session, recorder, entry.id, "overturned", {}, NOW)
    overturned = [r for r in raised(session) if r[1] == "register_entry.overturned"]
    assert sorted(overturned) == sorted(
        (authority.id, "register_entry.overturned") for authority in (asking, councils.a, councils.b)
    )
    told = session.scalars(
        select(Alert).where(Alert.authority_id == asking.id).order_by(Alert.id.desc())
    ).first()
    assert told.payload["detail"] | {"changed_on": None} == {
        "register_entry_id": entry.id,
        "change": "overturned",
        "changed_on": None,
        "reason": "appeal",
        "status": "overturned",
    }
    amend_entry(session, recorder, entry.id, "amended", {"category": "other"}, NOW)
    amended = sorted(r for r in raised(session) if r[1] == "register_entry.amended")
    assert [authority_id for authority_id, _ in amended] == sorted([asking.id, councils.a.id, councils.b.id])
    assert delivered_to(session)[asking.id] == 2 * 2  # overturned and amended, two channels each
    assert_no_personal_data(session)


def test_intelligence_alerts_only_the_councils_it_was_routed_to(session):
    councils = holders(session)
    force = make_police_force(session)
    push_intelligence(session, police(force), "WMP-7", body(), NOW)
    push_intelligence(session, police(force), "WMP-7", body(category="charge"), NOW)
    withdraw_intelligence(session, police(force), "WMP-7", "No further action", NOW)
    expected = [
        (authority.id, kind)
        for kind in ("intelligence.routed", "intelligence.updated", "intelligence.withdrawn")
        for authority in (councils.a, councils.b, councils.recorder)
    ]
    assert sorted(raised(session)) == sorted(expected)
    assert delivered_to(session) == {councils.a.id: 6, councils.b.id: 6, councils.recorder.id: 6}
    assert_no_personal_data(session)

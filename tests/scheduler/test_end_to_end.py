"""Acceptance, end to end: a change through the API reaches exactly the right councils, signed and thin.

Everything is real except the outside services: the Flask API writes the alerts (the outbox), the
scheduler's Dispatcher sends them through its production HTTP client (GuardedTransport) to loopback
Standard Webhooks receivers verifying with `standardwebhooks` and to a GOV.UK Notify fake.
"""

import uuid
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest

from scheduler.delivery import Dispatcher, http_client
from scheduler.settings import load_settings
from tests.api.test_auth import bearer
from tests.conftest import TEST_SECRET
from tests.factories import (
    identity,
    make_api_client,
    make_authority,
    make_police_force,
    make_screened_application,
)
from tests.integrations.fakes import FakeNotify, WebhookReceiver
from tests.integrations.servers import LoopbackServer

NOTIFY_KEY = f"crosscheck_test-{uuid.uuid4()}-{uuid.uuid4()}"
TEMPLATE_ID = str(uuid.uuid4())
ALERT_TYPES = ["register_entry.recorded", "intelligence.routed", "intelligence.withdrawn"]
GRANT = {"badge_number": "PH70001", "granted_on": "2026-11-23", "expires_on": "2029-11-22"}
# Every piece of the driver's personal data, as stored and as written in the requests below.
PERSONAL = ["Imran", "Imraan", "Hussain", "1985-03-14", "14/03/1985", "AB123456C", "HUSSA803145I99AB"]
PERSONAL += ["WV1 1AA", "WV11AA", "Example Street", "PH70001"]


@dataclass
class Council:
    """A council with an API key, a webhook receiver on loopback and an e-mail address."""

    name: str
    id: int
    headers: dict
    email: str
    server: LoopbackServer
    receiver: WebhookReceiver | None = None
    licence_ref: str = ""
    sent_emails: list = field(default_factory=list)


@pytest.fixture
def notify():
    """Run a GOV.UK Notify fake on loopback."""
    with LoopbackServer(FakeNotify(NOTIFY_KEY)) as server:
        yield server


@pytest.fixture
def councils(session, client):
    """Make councils A, B and C, each subscribed through the API to a webhook and an e-mail address."""
    servers = [LoopbackServer().start() for _ in range(3)]
    made = {}
    for name, server in zip("ABC", servers, strict=True):
        authority = make_authority(session, name=f"Council {name}")
        key = make_api_client(session, authority_id=authority.id, scopes=["council:read", "council:write"])[1]
        council = Council(name, authority.id, bearer(key), f"alerts-{name.lower()}@council.example", server)
        session.rollback()
        hook = {"url": server.url + "/hooks", "alert_types": ALERT_TYPES}
        created = client.post("/api/v1/webhook-endpoints", json=hook, headers=council.headers)
        assert created.status_code == 201, created.json
        council.receiver = server.handler = WebhookReceiver(created.json["secret"])
        mail = {"email_address": council.email, "alert_types": ALERT_TYPES}
        assert client.post("/api/v1/email-recipients", json=mail, headers=council.headers).status_code == 201
        made[name] = council
    yield made
    for server in servers:
        server.stop()


def deliver_all(engine, database_url, notify) -> dict:
    """Run the scheduler's deliver work until nothing is due; return the outcome counts."""
    overrides = {"ENV_NAME": "testing", "DATABASE_URL": database_url, "SECRET_KEY": TEST_SECRET}
    overrides |= {"NOTIFY_API_KEY": NOTIFY_KEY, "NOTIFY_BASE_URL": notify.url}
    settings = load_settings(overrides | {"NOTIFY_ALERT_TEMPLATE_ID": TEMPLATE_ID})
    total = {}
    with http_client(settings) as http:
        dispatcher = Dispatcher(engine, settings, http)
        while counts := dispatcher.run_batch():
            for status, n in counts.items():
                total[status] = total.get(status, 0) + n
        dispatcher.close()
    return total


def license_driver(client, session, council: Council) -> dict:
    """Grant the default synthetic identity a licence of `council` through the API."""
    application = make_screened_application(session, authority_id=council.id)
    session.rollback()
    response = client.post(
        f"/api/v1/applications/{application.id}/grant", json=GRANT, headers=council.headers
    )
    assert response.status_code == 201, response.json
    return response.json


def emails_to(notify, council: Council) -> list[dict]:
    """Return the Notify calls accepted for the council's address."""
    return [body for body in notify.handler.sent if body["email_address"] == council.email]


def assert_thin(council: Council, notify) -> None:
    """Assert no request the council received, webhook or e-mail, carries personal data."""
    bodies = [request.body.decode() for request in council.server.requests]
    bodies += [str(body["personalisation"]) for body in emails_to(notify, council)]
    for body in bodies:
        assert not [value for value in PERSONAL if value.lower() in body.lower()], body
        assert council.licence_ref == "" or council.licence_ref not in body


def test_revocation_elsewhere_reaches_the_licensing_council_once_signed_and_thin(
    client, session, engine, database_url, councils, notify
):
    a, b, c = councils["A"], councils["B"], councils["C"]
    licence = license_driver(client, session, a)
    a.licence_ref = licence["ref"]
    # B revokes a fuzzy-matched record: the given name transliterated, no NI or driving licence number.
    person = identity(given_names="Imraan", ni_number=None, driving_licence_number=None, postcode="B1 1AA")
    entry = person | {"date_of_birth": "1985-03-14", "ref": "REV-1", "decision": "revocation"}
    entry |= {"category": "dishonesty", "decided_on": "2026-11-02", "effective_on": "2026-11-09"}
    entry = {key: value for key, value in entry.items() if value is not None}
    recorded = client.post("/api/v1/register-entries", json=entry, headers=b.headers)
    assert recorded.status_code == 201, recorded.json

    assert deliver_all(engine, database_url, notify) == {"delivered": 2}

    assert a.receiver.rejected == 0 and len(a.receiver.ids) == 1
    [alert] = a.receiver.verified
    assert alert["type"] == "register_entry.recorded"
    assert alert["subject"] == {"kind": "register_entry", "id": recorded.json["id"]}
    assert alert["detail"]["matches"] == [{"kind": "licence", "id": licence["id"]}]
    [email] = emails_to(notify, a)
    assert email["template_id"] == TEMPLATE_ID and email["reference"].startswith("msg_")
    assert email["personalisation"]["alert_type"] == "register_entry.recorded"
    assert email["personalisation"]["link"].endswith(f"/api/v1/alerts/{alert['alert_id']}")
    assert_thin(a, notify)
    for other in (b, c):
        assert other.server.requests == [] and emails_to(notify, other) == []


def test_police_intelligence_and_its_withdrawal_reach_only_the_licensing_council(
    client, session, engine, database_url, councils, notify
):
    a, b, c = councils["A"], councils["B"], councils["C"]
    a.licence_ref = license_driver(client, session, a)["ref"]
    force = make_police_force(session)
    police = bearer(make_api_client(session, police_force_id=force.id, scopes=["police:intelligence"])[1])
    session.rollback()
    item = identity() | {"date_of_birth": "1985-03-14", "category": "arrest", "occurred_on": "2026-11-20"}
    item |= {"summary": "Restricted detail", "shareable_summary": "Arrested; released on bail."}

    assert client.put("/api/v1/intelligence/WMP-1", json=item, headers=police).status_code == 201
    assert deliver_all(engine, database_url, notify) == {"delivered": 2}
    withdrawn = client.post("/api/v1/intelligence/WMP-1/withdraw", json={"reason": "NFA"}, headers=police)
    assert withdrawn.status_code == 200
    assert deliver_all(engine, database_url, notify) == {"delivered": 2}

    assert [alert["type"] for alert in a.receiver.verified] == [
        "intelligence.routed",
        "intelligence.withdrawn",
    ]
    assert len(set(a.receiver.ids)) == 2 and a.receiver.rejected == 0
    assert [email["personalisation"]["alert_type"] for email in emails_to(notify, a)] == [
        "intelligence.routed",
        "intelligence.withdrawn",
    ]
    assert_thin(a, notify)
    for body in [request.body.decode() for request in a.server.requests]:
        assert "Restricted detail" not in body and "Arrested" not in body and "NFA" not in body
    for other in (b, c):
        assert other.server.requests == [] and emails_to(notify, other) == []


def test_the_link_each_alert_carries_answers_with_that_alert_from_the_api(
    client, session, engine, database_url, councils, notify
):
    """The link is made from the path the API routes (app/links.py): followed, it shows the alert sent."""
    a = councils["A"]
    license_driver(client, session, a)
    force = make_police_force(session)
    police = bearer(make_api_client(session, police_force_id=force.id, scopes=["police:intelligence"])[1])
    session.rollback()
    item = identity() | {"date_of_birth": "1985-03-14", "category": "arrest", "occurred_on": "2026-11-20"}
    assert client.put("/api/v1/intelligence/WMP-2", json=item, headers=police).status_code == 201
    assert deliver_all(engine, database_url, notify) == {"delivered": 2}

    [alert] = a.receiver.verified
    [email] = emails_to(notify, a)
    for link in (alert["links"]["self"], urlsplit(email["personalisation"]["link"]).path):
        shown = client.get(link, headers=a.headers)
        assert shown.status_code == 200, link
        assert shown.json["id"] == alert["alert_id"] and shown.json["payload"] == alert

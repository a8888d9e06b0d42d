"""Subscriptions API: endpoints with a secret shown once, rotation, recipients, SSRF refusals as 422."""

import pytest

from licensing.alerts.outbox import subscribers
from licensing.persistence.models import EmailRecipient, WebhookEndpoint
from tests.api.test_auth import bearer
from tests.factories import make_api_client

SCOPES = ["council:read", "council:write"]
HOOK = {"url": "https://93.184.215.14/hook", "alert_types": ["register_entry.recorded"]}


@pytest.fixture
def key(session):
    """Return the headers of a council's key."""
    headers = bearer(make_api_client(session, scopes=SCOPES)[1])
    session.rollback()
    return headers


def test_secret_is_shown_on_creation_and_rotation_only(client, key):
    created = client.post("/api/v1/webhook-endpoints", json=HOOK, headers=key)
    assert created.status_code == 201
    secret = created.json["secret"]
    assert secret.startswith("whsec_")
    assert created.headers["Location"].endswith(f"/api/v1/webhook-endpoints/{created.json['id']}")
    shown = client.get(created.headers["Location"], headers=key).json
    assert "secret" not in shown and shown["url"] == HOOK["url"]
    assert all("secret" not in e for e in client.get("/api/v1/webhook-endpoints", headers=key).json)
    rotated = client.post(f"/api/v1/webhook-endpoints/{created.json['id']}/rotate-secret", headers=key)
    assert rotated.status_code == 200 and rotated.json["secret"] not in (secret, None)


def test_private_targets_are_refused_in_production_rules(app, client, key):
    app.config["WEBHOOK_ALLOW_PRIVATE"] = False
    response = client.post(
        "/api/v1/webhook-endpoints", json=HOOK | {"url": "https://169.254.169.254/x"}, headers=key
    )
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert response.json["errors"][0]["field"] == "url"


def test_unknown_alert_type_is_422(client, key):
    response = client.post("/api/v1/webhook-endpoints", json=HOOK | {"alert_types": ["x.y"]}, headers=key)
    assert response.status_code == 422


RECIPIENT = {"email_address": "alerts@council.example", "alert_types": ["dbs.lapsed"]}


def test_recipients_are_added_changed_paused_and_resumed(client, key):
    created = client.post("/api/v1/email-recipients", json=RECIPIENT, headers=key).json
    url = f"/api/v1/email-recipients/{created['id']}"
    changed = client.patch(url, json={"alert_types": ["dbs.new_info"]}, headers=key).json
    assert changed["alert_types"] == ["dbs.new_info"]
    assert client.patch(url, json={"active": False}, headers=key).json["active"] is False
    assert client.get(url, headers=key).json["active"] is False
    assert client.patch(url, json={"active": True}, headers=key).json["active"] is True
    listed = client.get("/api/v1/email-recipients", headers=key).json
    assert [r["id"] for r in listed] == [created["id"]]


@pytest.mark.parametrize(
    ("collection", "body"), [("/api/v1/email-recipients", RECIPIENT), ("/api/v1/webhook-endpoints", HOOK)]
)
def test_a_deleted_subscription_stays_deleted(client, session, key, collection, body):
    """DELETE then PATCH {"active": true} revived the subscription, and alerts flowed to it again."""
    created = client.post(collection, json=body, headers=key).json
    url = f"{collection}/{created['id']}"
    assert client.delete(url, headers=key).status_code == 204
    revived = client.patch(url, json={"active": True}, headers=key)
    assert revived.status_code == 404
    assert revived.mimetype == "application/problem+json"
    assert client.get(url, headers=key).status_code == 404
    assert client.delete(url, headers=key).status_code == 404
    assert client.get(collection, headers=key).json == []
    if "webhook" in collection:
        assert client.post(f"{url}/rotate-secret", headers=key).status_code == 404
    model = EmailRecipient if "email" in collection else WebhookEndpoint
    row = session.get(model, created["id"])
    assert row.active is False and row.deleted_at is not None
    assert subscribers(session, row.authority_id, body["alert_types"][0]) == []


@pytest.mark.parametrize(
    ("collection", "body"), [("/api/v1/email-recipients", RECIPIENT), ("/api/v1/webhook-endpoints", HOOK)]
)
def test_a_change_with_nothing_to_change_is_a_422(client, key, collection, body):
    """PATCH with an empty body answered 200 having changed nothing."""
    created = client.post(collection, json=body, headers=key).json
    response = client.patch(f"{collection}/{created['id']}", json={}, headers=key)
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    [error] = response.json["errors"]
    assert error["field"] == "" and error["message"].startswith("Nothing to change: send at least one of")


def test_change_schemas_document_that_something_must_change(client):
    schemas = client.get("/api/v1/openapi.json").json["components"]["schemas"]
    assert schemas["EndpointChange"]["minProperties"] == 1
    assert schemas["RecipientChange"]["minProperties"] == 1
    assert "minProperties" not in schemas["EndpointIn"]


@pytest.mark.parametrize("value", [0, 1, "yes", "on", "true", None])
def test_a_boolean_field_takes_only_true_or_false(client, key, value):
    """schemathesis: {"active": 0} was accepted as false, though the document says boolean."""
    created = client.post("/api/v1/email-recipients", json=RECIPIENT, headers=key).json
    response = client.patch(f"/api/v1/email-recipients/{created['id']}", json={"active": value}, headers=key)
    assert response.status_code == 422
    assert response.json["errors"][0]["field"] == "active"
    assert client.get(f"/api/v1/email-recipients/{created['id']}", headers=key).json["active"] is True

"""Subscriptions API: endpoints with a secret shown once, rotation, recipients, SSRF refusals as 422."""

import pytest

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


def test_recipients_are_added_changed_and_disabled(client, key):
    body = {"email_address": "alerts@council.example", "alert_types": ["dbs.lapsed"]}
    created = client.post("/api/v1/email-recipients", json=body, headers=key).json
    url = f"/api/v1/email-recipients/{created['id']}"
    changed = client.patch(url, json={"alert_types": ["dbs.new_info"]}, headers=key).json
    assert changed["alert_types"] == ["dbs.new_info"]
    assert client.delete(url, headers=key).status_code == 204
    assert client.get(url, headers=key).json["active"] is False
    listed = client.get("/api/v1/email-recipients", headers=key).json
    assert [r["id"] for r in listed] == [created["id"]]

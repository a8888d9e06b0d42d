"""The s.5/s.6 flow through the API: report, incoming list, decide, the reporter reads; others 404."""

from datetime import date

import pytest

from app import create_app
from app.config import ConfigError
from licensing.persistence.models import Authority
from licensing.workflows.workdays import add_working_days
from tests.conftest import TEST_SECRET
from tests.factories import make_api_client, make_authority, make_licence, make_police_force

WRITE = ["council:read", "council:write"]
PROBLEM = "application/problem+json"


def bearer(key: str) -> dict:
    """Return the headers presenting `key`."""
    return {"Authorization": f"Bearer {key}"}


def council_key(session, authority_id=None, scopes=WRITE) -> str:
    """Return a key of a council (a new one unless given)."""
    authority_id = authority_id or make_authority(session).id
    return make_api_client(session, authority_id=authority_id, scopes=scopes)[1]


def setting(session):
    """Return (report body by badge, issuer's key, reporter's key) for a licence of a new council."""
    licence = make_licence(session)
    code, badge = session.get(Authority, licence.authority_id).code, licence.badge_number
    issuer_key, reporter_key = council_key(session, licence.authority_id), council_key(session)
    session.rollback()  # the app takes SQLite's write lock on each request: hold no transaction here
    body = {
        "authority_code": code,
        "badge_number": badge,
        "concern_on": "2026-04-01",
        "summary": "Seen touting.",
    }
    return body, issuer_key, reporter_key


def report(client, session, **overrides):
    """Send a report; return (response, issuer's key, reporter's key)."""
    body, issuer_key, reporter_key = setting(session)
    response = client.post("/api/v1/concern-reports", json=body | overrides, headers=bearer(reporter_key))
    assert response.status_code == 201, response.json
    return response, issuer_key, reporter_key


def test_s5_s6_flow_end_to_end(client, session):
    created, issuer_key, reporter_key = report(client, session)
    sent = created.json
    location = created.headers["Location"]
    assert location.endswith(f"/api/v1/concern-reports/{sent['id']}")
    assert (sent["concern_on"], sent["due_on"], sent["status"]) == ("2026-04-01", "2026-04-17", "open")
    assert sent["reported_at"].endswith("+00:00")

    incoming = client.get(
        "/api/v1/concern-reports?direction=incoming&status=open", headers=bearer(issuer_key)
    )
    assert [r["id"] for r in incoming.json["items"]] == [sent["id"]]
    assert incoming.json["items"][0]["summary"] == "Seen touting."
    assert client.get("/api/v1/concern-reports", headers=bearer(reporter_key)).json["items"] == []

    url = f"/api/v1/concern-reports/{sent['id']}/decide"
    decision = {"decision": "suspended", "notes": "Suspended pending interview."}
    decided = client.post(url, json=decision, headers=bearer(issuer_key))
    assert decided.status_code == 200, decided.json
    assert decided.json["decided_at"].endswith("+00:00")

    seen = client.get(location, headers=bearer(reporter_key)).json
    assert (seen["status"], seen["decision"], seen["decision_notes"]) == (
        "decided",
        "suspended",
        "Suspended pending interview.",
    )
    sent_by_me = "/api/v1/concern-reports?direction=outgoing"
    outgoing = client.get(sent_by_me, headers=bearer(reporter_key)).json["items"]
    assert [r["id"] for r in outgoing] == [sent["id"]]
    assert client.get(location, headers=bearer(council_key(session))).status_code == 404
    assert client.post(url, json=decision, headers=bearer(issuer_key)).status_code == 409


def test_a_report_made_today_about_a_concern_today_is_in_time(client, session):
    today = date.today()
    created = report(client, session, concern_on=today.isoformat())[0].json
    assert created["due_on"] == add_working_days(today, 10, "england").isoformat()
    assert created["sent_in_time"] is True


def test_a_council_cannot_report_its_own_licence(client, session):
    body, issuer_key, _ = setting(session)
    response = client.post("/api/v1/concern-reports", json=body, headers=bearer(issuer_key))
    assert response.status_code == 409
    assert "own suspension and revocation processes" in response.json["detail"]


@pytest.mark.parametrize(
    "overrides",
    [
        {"badge_number": None},
        {"licence_id": 1},  # both ways of naming the licence at once
        {"concern_on": "2999-01-01"},
        {"summary": ""},
        {"reasons": "x"},
    ],
)
def test_bad_reports_are_422(client, session, overrides):
    body, _, reporter_key = setting(session)
    response = client.post("/api/v1/concern-reports", json=body | overrides, headers=bearer(reporter_key))
    assert response.status_code == 422, response.json
    assert response.mimetype == PROBLEM


def test_an_unknown_badge_is_404(client, session):
    body, _, reporter_key = setting(session)
    response = client.post(
        "/api/v1/concern-reports", json=body | {"badge_number": "ZZ999"}, headers=bearer(reporter_key)
    )
    assert response.status_code == 404


def test_the_reporter_cannot_decide(client, session):
    created, _, reporter_key = report(client, session)
    url = f"/api/v1/concern-reports/{created.json['id']}/decide"
    assert client.post(url, json={"decision": "revoked"}, headers=bearer(reporter_key)).status_code == 403


ID_ENDPOINTS = [
    ("get", "/api/v1/concern-reports/{id}", None),
    ("post", "/api/v1/concern-reports/{id}/decide", {"decision": "no_action"}),
]


@pytest.mark.parametrize(("method", "url", "body"), ID_ENDPOINTS)
def test_another_councils_key_gets_404_on_every_report_id(client, session, method, url, body):
    created = report(client, session)[0]
    response = getattr(client, method)(
        url.format(id=created.json["id"]), json=body, headers=bearer(council_key(session))
    )
    assert response.status_code == 404
    assert response.mimetype == PROBLEM


@pytest.mark.parametrize(
    ("method", "url", "body"),
    [
        *ID_ENDPOINTS,
        ("get", "/api/v1/concern-reports", None),
        ("post", "/api/v1/concern-reports", {"licence_id": 1, "concern_on": "2026-04-01", "summary": "x"}),
    ],
)
def test_police_key_gets_403_on_every_report_endpoint(client, session, method, url, body):
    created = report(client, session)[0]
    force = make_police_force(session)
    _, key = make_api_client(session, police_force_id=force.id, scopes=["police:intelligence"])
    response = getattr(client, method)(url.format(id=created.json["id"]), json=body, headers=bearer(key))
    assert response.status_code == 403


@pytest.mark.parametrize("path", ["/api/v1/concern-reports", "/api/v1/concern-reports/{id}/decide"])
def test_read_only_council_key_cannot_report_or_decide(client, session, path):
    created, _, _ = report(client, session)
    body = (
        {"decision": "warning"}
        if "decide" in path
        else {"licence_id": 1, "concern_on": "2026-04-01", "summary": "x"}
    )
    key = council_key(session, scopes=["council:read"])
    assert client.post(path.format(id=created.json["id"]), json=body, headers=bearer(key)).status_code == 403


@pytest.mark.parametrize(("method", "url", "body"), ID_ENDPOINTS)
def test_report_ids_beyond_the_column_range_are_not_found(client, session, method, url, body):
    response = getattr(client, method)(url.format(id=2**63), json=body, headers=bearer(council_key(session)))
    assert response.status_code == 404


def test_a_licence_id_beyond_the_column_range_is_422(client, session):
    body = {"licence_id": 2**63, "concern_on": "2026-04-01", "summary": "x"}
    response = client.post("/api/v1/concern-reports", json=body, headers=bearer(council_key(session)))
    assert response.status_code == 422


def scottish_report(client, session) -> dict:
    """Report, as a Scottish council, a concern learned of on 31 December 2025; return the report."""
    licence = make_licence(session)
    code = session.get(Authority, licence.authority_id).code
    reporter_key = council_key(session, make_authority(session, nation="scotland").id)
    session.rollback()
    body = {"authority_code": code, "badge_number": licence.badge_number, "concern_on": "2025-12-31"}
    body["summary"] = "Seen touting."
    response = client.post("/api/v1/concern-reports", json=body, headers=bearer(reporter_key))
    assert response.status_code == 201, response.json
    return response.json


def test_a_scottish_reporter_skips_2_january_by_default(client, session):
    assert scottish_report(client, session)["due_on"] == "2026-01-16"


def test_scotland_calendar_is_configurable(database_url, session):
    settings = {"ENV_NAME": "testing", "DATABASE_URL": database_url, "SECRET_KEY": TEST_SECRET}
    app = create_app(settings | {"SCOTLAND_CALENDAR": "ENG", "EXTRA_BANK_HOLIDAYS": "2026-01-13,2026-01-14"})
    try:
        # England's calendar works 2 January (due Thu 15), then two extra days off push it to Mon 19
        assert scottish_report(app.test_client(), session)["due_on"] == "2026-01-19"
        assert app.config["SCOTLAND_CALENDAR"] == "ENG"
    finally:
        app.extensions["crosscheck.engine"].dispose()


BAD_SETTINGS = [
    {"SCOTLAND_CALENDAR": "NIR"},
    {"EXTRA_BANK_HOLIDAYS": "2026-13-01"},
    {"TRUSTED_PROXIES": "-1"},
    {"TRUSTED_PROXIES": "two"},
]


@pytest.mark.parametrize("setting", BAD_SETTINGS)
def test_a_bad_calendar_or_proxy_setting_refuses_to_start(database_url, setting):
    settings = {"ENV_NAME": "testing", "DATABASE_URL": database_url, "SECRET_KEY": TEST_SECRET}
    with pytest.raises(ConfigError):
        create_app(settings | setting)

"""The s.3 flow through the API: screen, request, incoming list, respond, the requester reads; others 404."""

from datetime import date

import pytest

from licensing.persistence.models import InformationRequest
from licensing.workflows.workdays import add_working_days
from tests.factories import (
    make_api_client,
    make_authority,
    make_police_force,
    make_register_entry,
    make_screened_application,
    make_screening,
)

WRITE = ["council:read", "council:write"]
PROBLEM = "application/problem+json"
ATTACHMENT = {
    "filename": "panel-minutes.pdf",
    "media_type": "application/pdf",
    "size": 2048,
    "sha256": "0" * 64,
}


def bearer(key: str) -> dict:
    """Return the headers presenting `key`."""
    return {"Authorization": f"Bearer {key}"}


def council_key(session, authority_id=None, scopes=WRITE) -> str:
    """Return a key of a council (a new one unless given)."""
    authority_id = authority_id or make_authority(session).id
    return make_api_client(session, authority_id=authority_id, scopes=scopes)[1]


def ask_about(client, session):
    """Screen as a new council and ask about the entry found; return (entry, keys of both, response)."""
    entry = make_register_entry(session)
    entry_id, recorder_id = entry.id, entry.authority_id
    asker_id = make_authority(session).id
    make_screening(session, authority_id=asker_id)
    asker_key, recorder_key = council_key(session, asker_id), council_key(session, recorder_id)
    session.rollback()  # the app takes SQLite's write lock on each request: hold no transaction here
    body = {"register_entry_id": entry_id, "request_text": "Please send what the decision relied on."}
    response = client.post("/api/v1/information-requests", json=body, headers=bearer(asker_key))
    assert response.status_code == 201, response.json
    return entry_id, asker_key, recorder_key, response


def test_s3_flow_end_to_end(client, session):
    entry_id, asker_key, recorder_key, created = ask_about(client, session)
    request = created.json
    location = created.headers["Location"]
    assert location.endswith(f"/api/v1/information-requests/{request['id']}")
    assert (request["status"], request["overdue"], request["register_entry_id"]) == ("open", False, entry_id)
    assert request["response_text"] is None and request["answered_in_time"] is None

    incoming = client.get(
        "/api/v1/information-requests?direction=incoming", headers=bearer(recorder_key)
    ).json["items"]
    assert [r["id"] for r in incoming] == [request["id"]]
    assert incoming[0]["requesting_authority"]["code"] == request["requesting_authority"]["code"]
    assert client.get("/api/v1/information-requests", headers=bearer(asker_key)).json["items"] == []

    answer = {"response_text": "The panel found the complaint proved.", "attachments": [ATTACHMENT]}
    url = f"/api/v1/information-requests/{request['id']}/respond"
    responded = client.post(url, json=answer, headers=bearer(recorder_key))
    assert responded.status_code == 200, responded.json
    assert responded.json["responded_at"].endswith("+00:00")

    seen = client.get(location, headers=bearer(asker_key)).json
    assert (seen["status"], seen["response_text"], seen["attachments"]) == (
        "answered",
        "The panel found the complaint proved.",
        [ATTACHMENT],
    )
    assert seen["answered_in_time"] is True
    outgoing = client.get(
        "/api/v1/information-requests?direction=outgoing&status=answered", headers=bearer(asker_key)
    )
    assert [r["id"] for r in outgoing.json["items"]] == [request["id"]]

    third = council_key(session)
    assert client.get(location, headers=bearer(third)).status_code == 404
    assert client.post(url, json=answer, headers=bearer(recorder_key)).status_code == 409


def test_due_date_counts_the_recorders_working_days(client, session):
    created = ask_about(client, session)[3]
    stored = session.get(InformationRequest, created.json["id"])
    requested_on = stored.requested_at.date()
    assert created.json["due_on"] == add_working_days(requested_on, 20, "england").isoformat()


def test_an_entry_never_screened_is_404(client, session):
    entry = make_register_entry(session)
    body = {"register_entry_id": entry.id, "request_text": "?"}
    response = client.post("/api/v1/information-requests", json=body, headers=bearer(council_key(session)))
    assert response.status_code == 404
    assert response.mimetype == PROBLEM


def test_overdue_requests_are_listed(client, session):
    _, asker_key, recorder_key, created = ask_about(client, session)
    stored = session.get(InformationRequest, created.json["id"])
    stored.due_on = date(2020, 1, 2)
    session.commit()
    url = "/api/v1/information-requests?status=overdue"
    overdue = client.get(url, headers=bearer(recorder_key)).json["items"]
    assert [(r["id"], r["overdue"]) for r in overdue] == [(created.json["id"], True)]
    mine = client.get(
        "/api/v1/information-requests?direction=outgoing&status=overdue", headers=bearer(asker_key)
    )
    assert [r["id"] for r in mine.json["items"]] == [created.json["id"]]


@pytest.mark.parametrize(
    "answer",
    [
        {"response_text": ""},
        {"response_text": "x", "attachments": [ATTACHMENT | {"sha256": "not-a-hash"}]},
        {"response_text": "x", "attachments": [ATTACHMENT | {"size": -1}]},
        {"response_text": "x", "attachments": [ATTACHMENT | {"content": "AAAA"}]},
        {"response_text": "x", "reasons": "none"},
    ],
)
def test_bad_answers_are_422(client, session, answer):
    _, _, recorder_key, created = ask_about(client, session)
    url = f"/api/v1/information-requests/{created.json['id']}/respond"
    response = client.post(url, json=answer, headers=bearer(recorder_key))
    assert response.status_code == 422
    assert response.mimetype == PROBLEM


def test_the_requester_cannot_answer_its_own_request(client, session):
    _, asker_key, _, created = ask_about(client, session)
    url = f"/api/v1/information-requests/{created.json['id']}/respond"
    assert client.post(url, json={"response_text": "x"}, headers=bearer(asker_key)).status_code == 403


ID_ENDPOINTS = [
    ("get", "/api/v1/information-requests/{id}", None),
    ("post", "/api/v1/information-requests/{id}/respond", {"response_text": "x"}),
]


@pytest.mark.parametrize(("method", "url", "body"), ID_ENDPOINTS)
def test_another_councils_key_gets_404_on_every_request_id(client, session, method, url, body):
    created = ask_about(client, session)[3]
    response = getattr(client, method)(
        url.format(id=created.json["id"]), json=body, headers=bearer(council_key(session))
    )
    assert response.status_code == 404
    assert response.mimetype == PROBLEM


@pytest.mark.parametrize(
    ("method", "url", "body"),
    [
        *ID_ENDPOINTS,
        ("get", "/api/v1/information-requests", None),
        ("post", "/api/v1/information-requests", {"register_entry_id": 1, "request_text": "?"}),
    ],
)
def test_police_key_gets_403_on_every_request_endpoint(client, session, method, url, body):
    created = ask_about(client, session)[3]
    force = make_police_force(session)
    _, key = make_api_client(session, police_force_id=force.id, scopes=["police:intelligence"])
    response = getattr(client, method)(url.format(id=created.json["id"]), json=body, headers=bearer(key))
    assert response.status_code == 403


def test_read_only_council_key_cannot_ask_or_answer(client, session):
    _, _, _, created = ask_about(client, session)
    key = council_key(session, scopes=["council:read"])
    body = {"register_entry_id": created.json["register_entry_id"], "request_text": "?"}
    assert client.post("/api/v1/information-requests", json=body, headers=bearer(key)).status_code == 403
    url = f"/api/v1/information-requests/{created.json['id']}/respond"
    assert client.post(url, json={"response_text": "x"}, headers=bearer(key)).status_code == 403


@pytest.mark.parametrize(("method", "url", "body"), ID_ENDPOINTS)
def test_request_ids_beyond_the_column_range_are_not_found(client, session, method, url, body):
    response = getattr(client, method)(url.format(id=2**63), json=body, headers=bearer(council_key(session)))
    assert response.status_code == 404


@pytest.mark.parametrize("field", ["register_entry_id", "application_id"])
def test_body_ids_beyond_the_column_range_are_422(client, session, field):
    body = {"register_entry_id": 1, "request_text": "?"} | {field: 2**63}
    response = client.post("/api/v1/information-requests", json=body, headers=bearer(council_key(session)))
    assert response.status_code == 422
    assert response.json["errors"][0]["field"] == field


def test_the_requester_sees_the_answer_was_received_then_deleted_once_the_application_is_decided(
    client, session
):
    entry = make_register_entry(session)
    asker_id = make_authority(session).id
    make_screening(session, authority_id=asker_id)
    application_id = make_screened_application(session, authority_id=asker_id).id
    asker_key, recorder_key = council_key(session, asker_id), council_key(session, entry.authority_id)
    body = {"register_entry_id": entry.id, "application_id": application_id, "request_text": "Reasons?"}
    session.rollback()
    location = client.post("/api/v1/information-requests", json=body, headers=bearer(asker_key)).headers[
        "Location"
    ]
    answer = {"response_text": "The panel's reasons.", "attachments": [ATTACHMENT]}
    assert client.post(f"{location}/respond", json=answer, headers=bearer(recorder_key)).status_code == 200
    assert client.get(location, headers=bearer(asker_key)).json["received_deleted"] is False
    withdrawn = client.post(f"/api/v1/applications/{application_id}/withdraw", headers=bearer(asker_key))
    assert withdrawn.status_code == 200
    seen = client.get(location, headers=bearer(asker_key)).json
    assert (seen["status"], seen["received_deleted"], seen["response_text"], seen["attachments"]) == (
        "answered",
        True,
        None,
        [],
    )
    assert seen["responded_at"] is not None and "panel" not in str(seen)

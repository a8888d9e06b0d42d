"""The register API end to end: record, read, amend, the s.3(4) notices, and who may do what."""

import pytest
from sqlmodel import select

from licensing.persistence.models import Alert, MatchKey
from licensing.persistence.pages import encode_cursor
from tests.factories import (
    identity,
    make_api_client,
    make_authority,
    make_police_force,
    make_register_entry,
    make_screening,
)

WRITE = ["council:read", "council:write"]
DECIDE = [*WRITE, "council:decide"]  # a manager's key: amending an entry is a manager's decision
PROBLEM = "application/problem+json"


def bearer(key: str) -> dict:
    """Return the headers presenting `key`."""
    return {"Authorization": f"Bearer {key}"}


def council_key(session, authority_id=None, scopes=DECIDE) -> str:
    """Return a key of a council (a new one unless given)."""
    authority_id = authority_id or make_authority(session).id
    return make_api_client(session, authority_id=authority_id, scopes=scopes)[1]


def entry_body(**overrides) -> dict:
    """Return a valid request body for a new entry."""
    person = identity() | {"date_of_birth": "1985-03-14", "previous_names": ["Imran Khan"]}
    fields = {"ref": "RE-100", "decision": "revocation", "category": "sexual_offences"}
    return person | fields | {"decided_on": "2026-11-02", "effective_on": "2026-11-09"} | overrides


def test_recording_an_entry_returns_it_with_a_location_and_indexes_it(client, session):
    key = council_key(session)
    response = client.post("/api/v1/register-entries", json=entry_body(), headers=bearer(key))
    assert response.status_code == 201, response.json
    entry = response.json
    assert response.headers["Location"].endswith(f"/api/v1/register-entries/{entry['id']}")
    assert (entry["status"], entry["decision"], entry["previous_names"]) == (
        "current",
        "revocation",
        ["Imran Khan"],
    )
    assert entry["first_recorded_at"].endswith("+00:00")
    assert session.scalars(select(MatchKey).where(MatchKey.record_id == entry["id"])).first() is not None
    session.rollback()  # end the read, so the app can take SQLite's write lock
    shown = client.get(response.headers["Location"], headers=bearer(key)).json
    assert [h["change"] for h in shown["history"]] == ["recorded"]


def test_a_taken_ref_is_409(client, session):
    key = council_key(session)
    client.post("/api/v1/register-entries", json=entry_body(), headers=bearer(key))
    response = client.post("/api/v1/register-entries", json=entry_body(), headers=bearer(key))
    assert response.status_code == 409
    assert response.mimetype == PROBLEM


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"reasons": "assault on a passenger"}, "reasons"),
        ({"decision": "warning"}, "decision"),
        ({"category": None}, "category"),
        ({"effective_on": "2026-11-01"}, "effective_on"),
        ({"ni_number": "X" * 21}, "ni_number"),
        ({"decided_on": "0001-01-01", "effective_on": "0001-01-01"}, "decided_on"),
        ({"decided_on": "2099-01-01", "effective_on": "2099-01-01"}, "decided_on"),
        ({"effective_on": "2099-01-01"}, "effective_on"),
        ({"date_of_birth": "05/18/1960"}, "date_of_birth"),
    ],
)
def test_invalid_entries_are_422_naming_the_field(client, session, overrides, field):
    response = client.post(
        "/api/v1/register-entries", json=entry_body(**overrides), headers=bearer(council_key(session))
    )
    assert response.status_code == 422, response.json
    assert response.mimetype == PROBLEM
    assert field in {e["field"] for e in response.json["errors"]}


def test_an_invalid_identifier_is_kept_and_flagged_on_the_entry(client, session):
    key = council_key(session)
    body = entry_body(ni_number="QQ 12 34 56 Z", decided_on="02/11/2026", effective_on="9 Nov 2026")
    created = client.post("/api/v1/register-entries", json=body, headers=bearer(key))
    assert created.status_code == 201, created.json
    assert (created.json["ni_number"], created.json["decided_on"]) == ("QQ 12 34 56 Z", "2026-11-02")
    assert created.json["warnings"] == [{"field": "ni_number", "warning": "not valid"}]
    session.rollback()
    shown = client.get(created.headers["Location"], headers=bearer(key)).json
    assert shown["warnings"] == [{"field": "ni_number", "warning": "not valid"}]


def test_list_shows_only_own_entries_filtered_and_paged(client, session):
    authority = make_authority(session)
    mine = [make_register_entry(session, authority_id=authority.id) for _ in range(3)]
    make_register_entry(session)
    key = council_key(session, authority.id)
    client.post(
        f"/api/v1/register-entries/{mine[1].id}/amend", json={"change": "overturned"}, headers=bearer(key)
    )

    def ids(query):
        page = client.get(f"/api/v1/register-entries{query}", headers=bearer(key)).json
        return [e["id"] for e in page["items"]]

    assert ids("") == [e.id for e in mine]
    assert ids("?status=current") == [mine[0].id, mine[2].id]
    first = client.get("/api/v1/register-entries?limit=1", headers=bearer(key)).json
    assert [e["id"] for e in first["items"]] == [mine[0].id]
    assert ids(f"?cursor={first['next_cursor']}&limit=1") == [mine[1].id]


def test_appeal_amendment_through_the_api_notifies_each_requesting_council(client, session):
    recorder_id = make_authority(session).id
    entry_id = make_register_entry(session, authority_id=recorder_id).id
    asking = [make_authority(session).id for _ in range(2)]
    keys = {authority_id: council_key(session, authority_id) for authority_id in [*asking, recorder_id]}
    for authority_id in asking:
        make_screening(session, authority_id=authority_id)
    session.rollback()  # the app takes SQLite's write lock on each request: hold no transaction here
    for authority_id in asking:
        body = {"register_entry_id": entry_id, "request_text": "What did you rely on?"}
        created = client.post("/api/v1/information-requests", json=body, headers=bearer(keys[authority_id]))
        assert created.status_code == 201, created.json
    key = keys[recorder_id]
    response = client.post(
        f"/api/v1/register-entries/{entry_id}/amend",
        json={"change": "overturned", "changed_on": "2026-11-20"},
        headers=bearer(key),
    )
    assert response.status_code == 200, response.json
    assert response.json["status"] == "overturned"
    alerts = session.scalars(select(Alert).where(Alert.alert_type == "register_entry.overturned")).all()
    assert sorted(a.authority_id for a in alerts) == asking
    assert {a.payload["detail"]["changed_on"] for a in alerts} == {"2026-11-20"}
    session.rollback()
    history = client.get(f"/api/v1/register-entries/{entry_id}", headers=bearer(key)).json["history"]
    assert [(h["change"], h["changed_on"], h["fields"]) for h in history][1:] == [
        ("overturned", "2026-11-20", {"reason": "appeal"})
    ]
    again = client.post(
        f"/api/v1/register-entries/{entry_id}/amend", json={"change": "overturned"}, headers=bearer(key)
    )
    assert again.status_code == 409


def test_correcting_dates_through_the_api(client, session):
    entry = make_register_entry(session)
    key = council_key(session, entry.authority_id)
    body = {"change": "amended", "effective_on": "2025-02-14"}
    response = client.post(f"/api/v1/register-entries/{entry.id}/amend", json=body, headers=bearer(key))
    assert response.status_code == 200, response.json
    assert response.json["effective_on"] == "2025-02-14"
    bad = {"change": "overturned", "effective_on": "2025-02-15"}
    assert (
        client.post(f"/api/v1/register-entries/{entry.id}/amend", json=bad, headers=bearer(key)).status_code
        == 422
    )


def test_amending_an_entry_needs_a_managers_key_as_the_page_needs_a_manager(client, session):
    entry = make_register_entry(session)
    body = {"change": "overturned"}
    url = f"/api/v1/register-entries/{entry.id}/amend"
    officer_key = council_key(session, entry.authority_id, WRITE)
    assert client.post(url, json=body, headers=bearer(officer_key)).status_code == 403
    manager_key = council_key(session, entry.authority_id)
    assert client.post(url, json=body, headers=bearer(manager_key)).status_code == 200


ID_ENDPOINTS = [
    ("get", "/api/v1/register-entries/{id}", None),
    ("post", "/api/v1/register-entries/{id}/amend", {"change": "overturned"}),
]


@pytest.mark.parametrize(("method", "url", "body"), ID_ENDPOINTS)
def test_another_councils_key_gets_404_on_every_entry_id(client, session, method, url, body):
    entry = make_register_entry(session)
    response = getattr(client, method)(
        url.format(id=entry.id), json=body, headers=bearer(council_key(session))
    )
    assert response.status_code == 404
    assert response.mimetype == PROBLEM
    assert session.get(type(entry), entry.id).status == "current"


@pytest.mark.parametrize(
    ("method", "url", "body"),
    [
        *ID_ENDPOINTS,
        ("get", "/api/v1/register-entries", None),
        ("post", "/api/v1/register-entries", entry_body()),
    ],
)
def test_police_key_gets_403_on_every_register_endpoint(client, session, method, url, body):
    entry = make_register_entry(session)
    force = make_police_force(session)
    _, key = make_api_client(session, police_force_id=force.id, scopes=["police:intelligence"])
    response = getattr(client, method)(url.format(id=entry.id), json=body, headers=bearer(key))
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("url", "body"),
    [
        ("/api/v1/register-entries", entry_body()),
        ("/api/v1/register-entries/{id}/amend", {"change": "removed"}),
    ],
)
def test_read_only_council_key_cannot_change_the_register(client, session, url, body):
    entry = make_register_entry(session)
    key = council_key(session, entry.authority_id, scopes=["council:read"])
    assert client.post(url.format(id=entry.id), json=body, headers=bearer(key)).status_code == 403


@pytest.mark.parametrize(("method", "url", "body"), ID_ENDPOINTS)
@pytest.mark.parametrize("entry_id", [2**31, 2**63, 10**30])
def test_ids_beyond_the_column_range_are_not_found(client, session, method, url, body, entry_id):
    response = getattr(client, method)(
        url.format(id=entry_id), json=body, headers=bearer(council_key(session))
    )
    assert response.status_code == 404


def test_a_cursor_beyond_the_column_range_is_422(client, session):
    cursor = encode_cursor("register_entries", (2**63,))
    response = client.get(f"/api/v1/register-entries?cursor={cursor}", headers=bearer(council_key(session)))
    assert response.status_code == 422

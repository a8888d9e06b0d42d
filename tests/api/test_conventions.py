"""API conventions end to end: ETag/If-Match on every changeable record, Idempotency-Key, the docs page."""

import json
import re
from datetime import timedelta

import pytest
from sqlmodel import select

from licensing.access import idempotency
from licensing.clock import utcnow
from licensing.persistence.models import Authority, IdempotentResponse, RegisterEntry
from tests.factories import (
    NOW,
    identity,
    make_api_client,
    make_authority,
    make_licence,
    make_police_force,
    make_register_entry,
    make_screened_application,
    make_screening,
)

WRITE = ["council:read", "council:write", "council:decide"]
PROBLEM = "application/problem+json"
PERSON = identity() | {"date_of_birth": "1985-03-14"}
ENTRY = PERSON | {
    "ref": "RE-IDEM-1",
    "decision": "revocation",
    "category": "violence",
    "decided_on": "2026-01-10",
    "effective_on": "2026-01-31",
}


def bearer(key: str, **headers) -> dict:
    """Return the headers presenting `key`, with any others."""
    return {"Authorization": f"Bearer {key}"} | {k.replace("_", "-"): v for k, v in headers.items()}


def council_key(session, authority_id=None, scopes=WRITE) -> str:
    """Return a key of a council (a new one unless given)."""
    authority_id = authority_id or make_authority(session).id
    return make_api_client(session, authority_id=authority_id, scopes=scopes)[1]


def application(client, session):
    """A pending application; the change withdraws it."""
    record = make_screened_application(session)
    key = council_key(session, record.authority_id)
    return (
        f"/api/v1/applications/{record.id}",
        key,
        ("POST", f"/api/v1/applications/{record.id}/withdraw", None),
    )


def licence(client, session):
    """An active licence; the change suspends it."""
    record = make_licence(session)
    key, url = council_key(session, record.authority_id), f"/api/v1/licences/{record.id}"
    return (
        url,
        key,
        ("POST", f"{url}/suspend", {"effective_on": NOW.date().isoformat(), "category": "driving"}),
    )


def register_entry(client, session):
    """A current register entry; the change overturns it on appeal."""
    record = make_register_entry(session)
    key, url = council_key(session, record.authority_id), f"/api/v1/register-entries/{record.id}"
    return url, key, ("POST", f"{url}/amend", {"change": "overturned"})


def information_request(client, session):
    """An s.3 request, read by the recording council; the change answers it."""
    entry = make_register_entry(session)
    asker_id = make_authority(session).id
    make_screening(session, authority_id=asker_id)
    asker_key, recorder_key = council_key(session, asker_id), council_key(session, entry.authority_id)
    session.rollback()
    body = {"register_entry_id": entry.id, "request_text": "Please send what the decision relied on."}
    url = client.post("/api/v1/information-requests", json=body, headers=bearer(asker_key)).headers[
        "Location"
    ]
    return url, recorder_key, ("POST", f"{url}/respond", {"response_text": "The panel's minutes."})


def concern_report(client, session):
    """An s.5 report, read by the issuing council; the change decides it."""
    record = make_licence(session)
    code = session.get(Authority, record.authority_id).code
    issuer_key, reporter_key = council_key(session, record.authority_id), council_key(session)
    session.rollback()
    body = {"authority_code": code, "badge_number": record.badge_number, "concern_on": "2026-11-20"}
    created = client.post(
        "/api/v1/concern-reports", json=body | {"summary": "Seen touting."}, headers=bearer(reporter_key)
    )
    url = created.headers["Location"]
    return url, issuer_key, ("POST", f"{url}/decide", {"decision": "warning"})


def intelligence_item(client, session):
    """A force's own item; the change withdraws it."""
    force = make_police_force(session)
    key = make_api_client(session, police_force_id=force.id, scopes=["police:intelligence"])[1]
    session.rollback()
    url = "/api/v1/intelligence/CASE-1"
    body = PERSON | {"category": "arrest", "occurred_on": "2026-11-01"}
    assert client.put(url, json=body, headers=bearer(key)).status_code == 201
    return url, key, ("POST", f"{url}/withdraw", {"reason": "No further action."})


RECORDS = [application, licence, register_entry, information_request, concern_report, intelligence_item]


def setup(client, session, build):
    """Build the record with nothing left open in the test's session."""
    built = build(client, session)
    session.rollback()  # the app takes SQLite's write lock on each request: hold no transaction here
    return built


def change(client, key, action, **headers):
    """Send the record's change."""
    method, url, body = action
    return client.open(url, method=method, json=body, headers=bearer(key, **headers))


@pytest.mark.parametrize("build", RECORDS)
def test_the_etag_changes_when_the_record_changes(client, session, build):
    url, key, action = setup(client, session, build)
    first = client.get(url, headers=bearer(key))
    assert first.status_code == 200
    assert re.fullmatch(r'"[0-9a-f]{32}"', first.headers["ETag"])
    assert client.get(url, headers=bearer(key)).headers["ETag"] == first.headers["ETag"]
    changed = change(client, key, action, If_Match=first.headers["ETag"])
    assert changed.status_code == 200, changed.json
    assert changed.headers["ETag"] != first.headers["ETag"]
    assert client.get(url, headers=bearer(key)).headers["ETag"] == changed.headers["ETag"]


@pytest.mark.parametrize("build", RECORDS)
def test_a_stale_if_match_is_refused_with_412_and_changes_nothing(client, session, build):
    url, key, action = setup(client, session, build)
    before = client.get(url, headers=bearer(key))
    refused = change(client, key, action, If_Match='"0123456789abcdef0123456789abcdef"')
    assert refused.status_code == 412
    assert refused.mimetype == PROBLEM
    after = client.get(url, headers=bearer(key))
    assert (after.headers["ETag"], after.json) == (before.headers["ETag"], before.json)


@pytest.mark.parametrize("build", RECORDS)
def test_a_change_without_if_match_is_done(client, session, build):
    url, key, action = setup(client, session, build)
    before = client.get(url, headers=bearer(key)).headers["ETag"]
    assert change(client, key, action).status_code == 200
    assert client.get(url, headers=bearer(key)).headers["ETag"] != before


def test_a_weak_etag_never_matches(client, session):
    url, key, action = setup(client, session, licence)
    etag = client.get(url, headers=bearer(key)).headers["ETag"]
    assert change(client, key, action, If_Match=f"W/{etag}").status_code == 412


def test_if_match_on_another_councils_licence_is_404_not_412(client, session):
    _, _, action = setup(client, session, licence)
    stranger = council_key(session)
    session.rollback()
    assert change(client, stranger, action, If_Match='"0123456789abcdef0123456789abcdef"').status_code == 404


def test_if_match_on_a_put_that_would_create_is_412_and_creates_nothing(client, session):
    _, key, _ = setup(client, session, intelligence_item)
    body = PERSON | {"category": "arrest", "occurred_on": "2026-11-01"}
    response = client.put("/api/v1/intelligence/CASE-2", json=body, headers=bearer(key, If_Match='"abc"'))
    assert response.status_code == 412
    assert client.get("/api/v1/intelligence/CASE-2", headers=bearer(key)).status_code == 404


def test_an_invalid_body_is_a_422_whatever_its_if_match(client, session):
    """A stale If-Match was checked first, so a malformed change got 412 instead of its validation errors."""
    _, key, _ = setup(client, session, intelligence_item)
    body = PERSON | {"category": "not-a-category", "occurred_on": "2026-11-01"}
    response = client.put("/api/v1/intelligence/CASE-1", json=body, headers=bearer(key, If_Match='"abc"'))
    assert response.status_code == 422
    assert response.json["errors"][0]["field"] == "category"


def test_if_match_on_a_record_that_put_does_not_create_is_404(client, session):
    """PUT /licences/{id}/dbs never creates a licence: a missing one is 404, with or without If-Match."""
    key = council_key(session)
    session.rollback()
    body = {"dbs_certificate_number": None, "dbs_consent_on": None, "dbs_update_service": False}
    response = client.put("/api/v1/licences/999999/dbs", json=body, headers=bearer(key, If_Match='"abc"'))
    assert response.status_code == 404


def entries(session) -> list[RegisterEntry]:
    """Return every register entry, ending the read at once."""
    found = session.exec(select(RegisterEntry)).all()
    session.rollback()
    return found


def test_a_retried_post_replays_the_first_response_and_creates_one_record(client, session):
    key = council_key(session)
    session.rollback()
    headers = bearer(key, Idempotency_Key="entry-RE-IDEM-1")
    first = client.post("/api/v1/register-entries", json=ENTRY, headers=headers)
    again = client.post("/api/v1/register-entries", json=ENTRY, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json == first.json
    assert again.headers["Location"] == first.headers["Location"]
    assert again.headers["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first.headers
    assert len(entries(session)) == 1
    without_key = client.post("/api/v1/register-entries", json=ENTRY, headers=bearer(key))
    assert without_key.status_code == 409  # the work really would have been done again


def test_the_same_key_with_a_different_body_is_refused_with_422(client, session):
    key = council_key(session)
    session.rollback()
    headers = bearer(key, Idempotency_Key="k-1")
    assert client.post("/api/v1/register-entries", json=ENTRY, headers=headers).status_code == 201
    other = ENTRY | {"ref": "RE-IDEM-2"}
    refused = client.post("/api/v1/register-entries", json=other, headers=headers)
    assert refused.status_code == 422
    assert refused.mimetype == PROBLEM
    assert refused.json["errors"][0]["field"] == "Idempotency-Key"
    assert [e.ref for e in entries(session)] == ["RE-IDEM-1"]


def test_keys_belong_to_one_client(client, session):
    first_key, second_key = council_key(session), council_key(session)
    session.rollback()
    for key in (first_key, second_key):
        response = client.post(
            "/api/v1/register-entries", json=ENTRY, headers=bearer(key, Idempotency_Key="same")
        )
        assert response.status_code == 201 and "Idempotent-Replayed" not in response.headers
    assert len(entries(session)) == 2


def test_a_refusal_is_replayed_as_well(client, session):
    key = council_key(session)
    session.rollback()
    headers = bearer(key, Idempotency_Key="bad-1")
    bad = ENTRY | {"decision": "caution"}
    first = client.post("/api/v1/register-entries", json=bad, headers=headers)
    again = client.post("/api/v1/register-entries", json=bad, headers=headers)
    assert first.status_code == again.status_code == 422
    assert again.mimetype == PROBLEM and again.json == first.json
    assert again.headers["Idempotent-Replayed"] == "true"


def test_a_retry_while_the_first_request_runs_is_409(client, session):
    api_client, key = make_api_client(session, scopes=WRITE)
    fingerprint = idempotency.fingerprint("POST", "/api/v1/register-entries?", b"{}")
    # Claimed now by the app's own clock: a claim older than a day counts as abandoned.
    idempotency.claim(session, api_client.id, "busy", fingerprint, utcnow())
    session.commit()  # the claim's unit ends before the work, as the app's does
    response = client.post("/api/v1/register-entries", json={}, headers=bearer(key, Idempotency_Key="busy"))
    assert response.status_code == 409
    assert response.mimetype == PROBLEM


def test_a_claim_whose_request_died_is_taken_over_after_the_request_time_limit(client, app, session):
    api_client, key = make_api_client(session, scopes=WRITE)
    body = json.dumps(ENTRY).encode()
    fingerprint = idempotency.fingerprint("POST", "/api/v1/register-entries?", body)
    limit = timedelta(seconds=app.config["REQUEST_TIMEOUT_SECONDS"])
    # The first request claimed the key and its worker was killed: the claim has no response.
    idempotency.claim(session, api_client.id, "died", fingerprint, utcnow() - limit - timedelta(seconds=1))
    session.commit()
    headers = bearer(key, Idempotency_Key="died", Content_Type="application/json")

    retried = client.post("/api/v1/register-entries", data=body, headers=headers)
    again = client.post("/api/v1/register-entries", data=body, headers=headers)

    assert retried.status_code == again.status_code == 201 and again.json == retried.json
    assert "Idempotent-Replayed" not in retried.headers and again.headers["Idempotent-Replayed"] == "true"
    assert len(entries(session)) == 1


def test_a_request_whose_claim_was_taken_over_cannot_keep_its_response(session):
    owner = make_api_client(session)[0]
    fingerprint = idempotency.fingerprint("POST", "/api/v1/x", b"{}")
    assert idempotency.claim(session, owner.id, "k", fingerprint, NOW) is None
    retry_at = NOW + idempotency.CLAIM_TIMEOUT
    assert idempotency.claim(session, owner.id, "k", fingerprint, retry_at) is None  # taken over
    assert not idempotency.keep(session, owner.id, "k", NOW, (201, "late", {}))  # the first, too late
    assert idempotency.keep(session, owner.id, "k", retry_at, (201, "retry", {}))
    session.commit()
    assert idempotency.claim(session, owner.id, "k", fingerprint, retry_at).body == "retry"


@pytest.mark.parametrize("bad", ["", "x" * 256, "naïve", "with space"])
def test_an_unusable_key_is_422(client, session, bad):
    key = council_key(session)
    session.rollback()
    response = client.post("/api/v1/register-entries", json=ENTRY, headers=bearer(key, Idempotency_Key=bad))
    assert response.status_code == 422
    assert response.json["errors"][0]["field"] == "Idempotency-Key"
    assert entries(session) == []


def test_a_key_expires_after_24_hours(session):
    owner = make_api_client(session)[0]
    fingerprint = idempotency.fingerprint("POST", "/api/v1/x", b"{}")
    assert idempotency.claim(session, owner.id, "k", fingerprint, NOW) is None
    assert idempotency.keep(session, owner.id, "k", NOW, (201, "{}", {}))
    session.commit()
    assert (
        idempotency.claim(session, owner.id, "k", fingerprint, NOW + timedelta(hours=23)).status_code == 201
    )
    other = idempotency.fingerprint("POST", "/api/v1/x", b'{"a": 1}')
    assert idempotency.claim(session, owner.id, "k", other, NOW + timedelta(hours=24)) is None  # forgotten


def test_purge_deletes_only_expired_responses(session):
    owner = make_api_client(session)[0]
    fingerprint = idempotency.fingerprint("POST", "/api/v1/x", b"")
    idempotency.claim(session, owner.id, "old", fingerprint, NOW - timedelta(hours=25))
    idempotency.claim(session, owner.id, "new", fingerprint, NOW - timedelta(hours=1))
    assert idempotency.purge_expired(session, NOW) == 1
    assert session.exec(select(IdempotentResponse.key)).all() == ["new"]


def test_every_201_carries_a_location(client, session):
    key = council_key(session)
    session.rollback()
    created = client.post("/api/v1/register-entries", json=ENTRY, headers=bearer(key))
    assert created.status_code == 201
    assert client.get(created.headers["Location"], headers=bearer(key)).json["id"] == created.json["id"]


def test_the_docs_page_is_served_from_local_assets_only(client):
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "/api/v1/openapi.json" in html
    assert not re.search(r"(https?:)?//[a-z0-9.-]+\.[a-z]{2,}", html, re.IGNORECASE)
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert len(assets) >= 3
    for asset in assets:
        assert asset.startswith("/api/v1/docs/assets/")
        assert client.get(asset).status_code == 200


def test_the_openapi_document_explains_the_conventions(client):
    document = client.get("/api/v1/openapi.json").json
    assert "Idempotency-Key" in document["info"]["description"]
    renew = document["paths"]["/api/v1/licences/{licence_id}/renew"]["post"]
    assert "If-Match" in [p["name"] for p in renew["parameters"]]

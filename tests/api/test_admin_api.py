"""The admin API end to end: subject access exports and who may call them (statistics: elsewhere)."""

from datetime import date

import pytest
from sqlmodel import select

from licensing.actors import Actor
from licensing.persistence.models import AuditEvent
from licensing.workflows.information_requests import request_information
from tests.factories import (
    NOW,
    identity,
    make_api_client,
    make_authority,
    make_licence,
    make_police_force,
    make_register_entry,
    make_screening,
)

PROBLEM = "application/problem+json"
UNRELATED = {
    "given_names": "Gareth",
    "family_name": "Llewellyn",
    "date_of_birth": date(1970, 1, 1),
    "ni_number": "CE654321A",
    "driving_licence_number": "LLEWE701010G99CD",
}


def bearer(key: str) -> dict:
    """Return the headers presenting `key`."""
    return {"Authorization": f"Bearer {key}"}


def key_for(session, scopes, **organisation) -> str:
    """Return a new API key with `scopes` (for a new council unless an organisation is given)."""
    return make_api_client(session, scopes=scopes, **organisation)[1]


def subject_body(**overrides) -> dict:
    """Return the default identity as a JSON request body."""
    fields = identity() | overrides
    return (
        fields | {"date_of_birth": fields["date_of_birth"].isoformat()}
        if fields.get("date_of_birth")
        else fields
    )


@pytest.fixture
def held(session, client):
    """Record the subject in two councils, screen and view them through the API from a third."""
    entry = make_register_entry(session)
    licence = make_licence(session)
    unrelated = make_licence(session, **UNRELATED)
    screener = key_for(session, ["council:read", "council:write"])
    screened = client.post(
        "/api/v1/screenings", json=subject_body(purpose="Enforcement stop"), headers=bearer(screener)
    )
    assert screened.status_code == 201
    viewed = client.get(screened.headers["Location"], headers=bearer(screener))
    assert viewed.status_code == 200
    return {"entry": entry, "licence": licence, "unrelated": unrelated, "screening_id": screened.json["id"]}


def test_admin_exports_the_subjects_records_and_audit_trail(session, client, held):
    response = client.post(
        "/api/v1/admin/subject-access", json=subject_body(), headers=bearer(key_for(session, ["admin"]))
    )
    assert response.status_code == 200
    export = response.json
    found = {(r["kind"], r["id"]): r for r in export["records"]}
    assert set(found) == {("register_entry", held["entry"].id), ("licence", held["licence"].id)}
    assert all(r["band"] in ("match", "probable") for r in found.values())
    assert found["register_entry", held["entry"].id]["history"][0]["change"] == "recorded"
    assert held["screening_id"] in {s["id"] for s in export["screenings"]}
    trail = {(e["action"], e["record_kind"], e["record_id"]) for e in export["audit_trail"]}
    assert ("screening.run", "screening", held["screening_id"]) in trail
    viewed = [e for e in export["audit_trail"] if e["action"] == "register_entry.viewed"]
    # Once when the screening was run (its result is shown) and once when it was read again.
    assert [e["record_id"] for e in viewed] == [held["entry"].id] * 2
    assert viewed[0]["authority"]["code"] not in {None, ""}
    assert export["exported_at"].endswith("+00:00")


def test_export_has_every_section_with_who_and_when_and_says_which_are_empty(session, client, held):
    asker = make_authority(session)
    make_screening(session, authority_id=asker.id)
    officer = Actor(kind="user", id=None, label="Asking officer", authority_id=asker.id)
    body = {"register_entry_id": held["entry"].id, "request_text": "What did you rely on?"}
    request = request_information(session, officer, body, NOW)
    session.commit()
    response = client.post(
        "/api/v1/admin/subject-access", json=subject_body(), headers=bearer(key_for(session, ["admin"]))
    )
    export = response.json
    (sent,) = export["information_requests"]
    assert (sent["id"], sent["request_text"], sent["requested_by"]) == (
        request.id,
        "What did you rely on?",
        "Asking officer",
    )
    assert sent["requesting_authority"]["code"] == asker.code
    assert sent["requested_at"].endswith("+00:00") and sent["response_text"] is None
    alerts = {(a["alert_type"], a["subject_kind"], a["subject_id"]) for a in export["alerts"]}
    assert ("information_request.received", "information_request", request.id) in alerts
    assert all(r["recorded_at"].endswith("+00:00") for r in export["records"])
    assert set(export["empty_sections"]) == {
        "candidate_appearances",
        "concern_reports",
        "routed_intelligence",
    }
    assert export["empty_sections"]["concern_reports"].startswith("None")
    assert export["candidate_appearances"] == [] and export["routed_intelligence"] == []


def test_export_leaves_out_an_unrelated_person(session, client, held):
    response = client.post(
        "/api/v1/admin/subject-access", json=subject_body(), headers=bearer(key_for(session, ["admin"]))
    )
    ids = {(r["kind"], r["id"]) for r in response.json["records"]}
    assert ("licence", held["unrelated"].id) not in ids
    assert all(
        e["record_id"] != held["unrelated"].id
        for e in response.json["audit_trail"]
        if e["record_kind"] == "licence"
    )


def test_export_writes_an_audit_event(session, client, held):
    response = client.post(
        "/api/v1/admin/subject-access", json=subject_body(), headers=bearer(key_for(session, ["admin"]))
    )
    event = session.exec(select(AuditEvent).where(AuditEvent.id == response.json["audit_event_id"])).one()
    assert event.action == "subject_access.exported"
    assert "Hussain" not in str(event.detail)


def test_export_without_enough_identity_is_a_problem(session, client):
    response = client.post(
        "/api/v1/admin/subject-access",
        json={"given_names": "Imran", "family_name": "Hussain"},
        headers=bearer(key_for(session, ["admin"])),
    )
    assert response.status_code == 422 and response.content_type == PROBLEM


@pytest.mark.parametrize("scopes", [["council:read"], ["council:read", "council:write"]])
def test_council_keys_cannot_export(session, client, held, scopes):
    response = client.post(
        "/api/v1/admin/subject-access", json=subject_body(), headers=bearer(key_for(session, scopes))
    )
    assert response.status_code == 403 and response.content_type == PROBLEM


def test_police_key_cannot_export(session, client, held):
    police = key_for(session, ["police:intelligence"], police_force_id=make_police_force(session).id)
    response = client.post("/api/v1/admin/subject-access", json=subject_body(), headers=bearer(police))
    assert response.status_code == 403

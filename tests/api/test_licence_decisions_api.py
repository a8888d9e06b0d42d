"""Suspending and revoking through the API record the s.2 register entry in the same change (2022 Act s.2);
the `council:decide` scope is needed for them; a licence's DBS details are set at grant and changed later."""

from datetime import date, timedelta

import pytest
from sqlmodel import select

from licensing.clock import utcnow
from licensing.persistence.models import (
    AuditEvent,
    Licence,
    LicenceStatusChange,
    RegisterEntry,
    RegisterEntryChange,
)
from tests.factories import make_api_client, make_authority, make_licence, make_screened_application

DECIDE = ["council:read", "council:write", "council:decide"]
WRITE = ["council:read", "council:write"]
PROBLEM = "application/problem+json"
TODAY = utcnow().date()
DECISION = {"effective_on": TODAY.isoformat(), "category": "sexual_offences"}
DBS = {"dbs_certificate_number": "001234567890", "dbs_update_service": True, "dbs_consent_on": "2026-11-01"}


def bearer(key: str) -> dict:
    """Return the headers presenting `key`."""
    return {"Authorization": f"Bearer {key}"}


def council_key(session, authority_id=None, scopes=DECIDE) -> str:
    """Return a key of a council (a new one unless given)."""
    authority_id = authority_id or make_authority(session).id
    return make_api_client(session, authority_id=authority_id, scopes=scopes)[1]


def post(client, key, licence, action, body):
    """Post a status change of `licence`; return the response."""
    return client.post(f"/api/v1/licences/{licence.id}/{action}", json=body, headers=bearer(key))


def entries(session) -> list[RegisterEntry]:
    """Return every register entry, as committed."""
    session.rollback()
    return list(session.exec(select(RegisterEntry).order_by(RegisterEntry.id)))


def actions_on(session, kind: str, record_id: int) -> list[str]:
    """Return the audit actions recorded against one record, oldest first."""
    query = select(AuditEvent).where(AuditEvent.record_kind == kind, AuditEvent.record_id == record_id)
    return [event.action for event in session.exec(query.order_by(AuditEvent.id))]


@pytest.mark.parametrize(("action", "decision", "status"), [("suspend", "suspension", "suspended"),
                                                            ("revoke", "revocation", "revoked")])  # fmt: skip
def test_suspending_or_revoking_records_the_register_entry_in_the_same_change(
    client, session, action, decision, status
):
    licence = make_licence(session, ref="LIC-77")
    key = council_key(session, licence.authority_id)
    response = post(client, key, licence, action, DECISION)
    assert response.status_code == 200, response.json
    [entry] = entries(session)
    assert (entry.authority_id, entry.decision, entry.category, entry.status) == (
        licence.authority_id, decision, "sexual_offences", "current",
    )  # fmt: skip
    assert (entry.decided_on, entry.effective_on, entry.ref) == (TODAY, TODAY, f"LIC-77/{decision}/{TODAY}")
    assert (entry.family_name, entry.date_of_birth, entry.ni_number) == (
        licence.family_name, licence.date_of_birth, licence.ni_number,
    )  # fmt: skip
    assert response.json["status"] == status
    assert response.json["history"][-1]["register_entry_id"] == entry.id
    assert actions_on(session, "licence", licence.id) == [f"licence.{status}"]
    assert actions_on(session, "register_entry", entry.id) == ["register_entry.recorded"]
    event = session.exec(select(AuditEvent).where(AuditEvent.action == f"licence.{status}")).one()
    assert event.detail["register_entry_id"] == entry.id


def test_the_register_entry_carries_the_decision_date_and_reference_given(client, session):
    licence = make_licence(session)
    key = council_key(session, licence.authority_id)
    decided = (TODAY - timedelta(days=2)).isoformat()
    body = DECISION | {"decided_on": decided, "register_ref": "CASE-2026-0042", "category": "driving"}
    assert post(client, key, licence, "revoke", body).status_code == 200
    [entry] = entries(session)
    assert (entry.ref, entry.decided_on.isoformat(), entry.category) == ("CASE-2026-0042", decided, "driving")


def test_a_backdated_suspension_is_decided_on_its_effective_date_by_default(client, session):
    licence = make_licence(session)
    key = council_key(session, licence.authority_id)
    effective = TODAY - timedelta(days=3)
    assert (
        post(client, key, licence, "suspend", DECISION | {"effective_on": effective.isoformat()}).status_code
        == 200
    )
    [entry] = entries(session)
    assert (entry.decided_on, entry.effective_on) == (effective, effective)


@pytest.mark.parametrize("action", ["suspend", "revoke"])
def test_a_decision_without_a_category_is_refused_and_changes_nothing(client, session, action):
    licence = make_licence(session)
    key = council_key(session, licence.authority_id)
    response = post(client, key, licence, action, {"effective_on": TODAY.isoformat()})
    assert (response.status_code, response.mimetype) == (422, PROBLEM)
    assert [e["field"] for e in response.json["errors"]] == ["category"]
    assert entries(session) == []
    assert session.get(Licence, licence.id).status == "active"
    assert actions_on(session, "licence", licence.id) == []


def test_a_decision_not_on_the_register_needs_a_reason_which_is_audited(client, session):
    licence = make_licence(session)
    key = council_key(session, licence.authority_id)
    refused = post(
        client, key, licence, "suspend", {"effective_on": TODAY.isoformat(), "record_register_entry": False}
    )
    assert refused.status_code == 422
    assert [e["field"] for e in refused.json["errors"]] == ["not_recorded_reason"]
    reason = "Vehicle unroadworthy: no relevant information under s.2(1)."
    body = {"effective_on": TODAY.isoformat(), "record_register_entry": False, "not_recorded_reason": reason}
    response = post(client, key, licence, "suspend", body)
    assert response.status_code == 200, response.json
    assert response.json["history"][-1]["register_entry_id"] is None
    assert entries(session) == []
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "licence.suspended")).one()
    assert (event.reason, event.detail["register_entry_id"]) == (reason, None)


def test_a_category_with_the_entry_declined_is_refused(client, session):
    licence = make_licence(session)
    key = council_key(session, licence.authority_id)
    body = DECISION | {"record_register_entry": False, "not_recorded_reason": "Not relevant information."}
    response = post(client, key, licence, "revoke", body)
    assert response.status_code == 422 and [e["field"] for e in response.json["errors"]] == ["category"]
    assert session.get(Licence, licence.id).status == "active"


def test_when_the_entry_cannot_be_recorded_the_status_change_rolls_back(client, session):
    licence = make_licence(session)
    key = council_key(session, licence.authority_id)
    from tests.factories import make_register_entry

    make_register_entry(session, authority_id=licence.authority_id, ref="CASE-1")
    response = post(client, key, licence, "revoke", DECISION | {"register_ref": "CASE-1"})
    assert (response.status_code, response.mimetype) == (409, PROBLEM)
    assert [e["field"] for e in response.json["errors"]] == ["register_ref"]
    session.rollback()
    assert session.get(Licence, licence.id).status == "active"
    assert session.exec(select(LicenceStatusChange)).all() == []
    assert actions_on(session, "licence", licence.id) == []
    assert len(entries(session)) == 1


def test_reinstating_lifts_the_suspensions_entry_which_stays_on_the_register(client, session):
    licence = make_licence(session)
    key = council_key(session, licence.authority_id)
    assert post(client, key, licence, "suspend", DECISION).status_code == 200
    response = post(client, key, licence, "reinstate", {"effective_on": TODAY.isoformat()})
    assert response.status_code == 200 and response.json["status"] == "active"
    [entry] = entries(session)
    changes = session.exec(select(RegisterEntryChange).where(RegisterEntryChange.entry_id == entry.id))
    assert [(c.change, c.changed_on) for c in changes] == [("recorded", TODAY), ("lifted", TODAY)]
    assert entry.status == "current"  # a lifted suspension is still a suspension other councils see
    assert actions_on(session, "register_entry", entry.id) == [
        "register_entry.recorded",
        "register_entry.lifted",
    ]


def test_revoking_a_suspended_licence_records_a_revocation_beside_the_suspension(client, session):
    licence = make_licence(session)
    key = council_key(session, licence.authority_id)
    assert post(client, key, licence, "suspend", DECISION).status_code == 200
    assert post(client, key, licence, "revoke", DECISION | {"category": "violence"}).status_code == 200
    assert [(e.decision, e.category, e.status) for e in entries(session)] == [
        ("suspension", "sexual_offences", "current"),
        ("revocation", "violence", "current"),
    ]


@pytest.mark.parametrize(("action", "status"), [("suspend", "active"), ("revoke", "active"),
                                                ("reinstate", "suspended")])  # fmt: skip
def test_a_key_without_council_decide_cannot_decide(client, session, action, status):
    licence = make_licence(session, status=status)
    key = council_key(session, licence.authority_id, scopes=WRITE)
    response = post(
        client,
        key,
        licence,
        action,
        DECISION if action != "reinstate" else {"effective_on": TODAY.isoformat()},
    )
    assert (response.status_code, response.mimetype) == (403, PROBLEM)
    assert "council:decide" in response.json["detail"]
    assert session.get(Licence, licence.id).status == status
    assert entries(session) == []


def test_surrender_needs_only_council_write_and_records_no_entry(client, session):
    licence = make_licence(session)
    key = council_key(session, licence.authority_id, scopes=WRITE)
    response = post(client, key, licence, "surrender", {"effective_on": TODAY.isoformat()})
    assert response.status_code == 200 and response.json["status"] == "surrendered"
    assert entries(session) == []


@pytest.mark.parametrize("action", ["suspend", "revoke", "reinstate"])
def test_another_councils_licence_is_not_found_even_with_council_decide(client, session, action):
    licence = make_licence(session, status="suspended" if action == "reinstate" else "active")
    response = post(
        client,
        council_key(session),
        licence,
        action,
        DECISION if action != "reinstate" else {"effective_on": TODAY.isoformat()},
    )
    assert (response.status_code, response.mimetype) == (404, PROBLEM)
    assert entries(session) == []


def test_the_openapi_document_names_council_decide_on_the_decisions(client):
    document = client.get("/api/v1/openapi.json").json
    assert "council:decide" in document["components"]["securitySchemes"]["bearer"]["description"]
    paths = document["paths"]
    decide = paths["/api/v1/licences/{licence_id}/{action}"]["post"]
    assert decide["x-required-scope"] == "council:decide"
    assert paths["/api/v1/licences/{licence_id}/reinstate"]["post"]["x-required-scope"] == "council:decide"
    assert paths["/api/v1/licences/{licence_id}/surrender"]["post"]["x-required-scope"] == "council:write"
    assert (
        paths["/api/v1/applications/{application_id}/refuse"]["post"]["x-required-scope"] == "council:decide"
    )


# DBS details: at grant, changed later, shown


def grant(client, key, application, **body):
    """Grant a licence on `application`; return the response."""
    fields = {"badge_number": "PH10001", "granted_on": TODAY.isoformat()}
    fields["expires_on"] = (TODAY + timedelta(days=365)).isoformat()
    return client.post(
        f"/api/v1/applications/{application.id}/grant", json=fields | body, headers=bearer(key)
    )


def test_grant_takes_the_dbs_details_and_shows_them(client, session):
    application = make_screened_application(session)
    key = council_key(session, application.authority_id, scopes=WRITE)
    response = grant(client, key, application, **DBS)
    assert response.status_code == 201, response.json
    shown = client.get(response.headers["Location"], headers=bearer(key)).json
    assert {name: shown[name] for name in DBS} == DBS
    assert (shown["dbs_last_checked_on"], shown["dbs_last_status"]) == (None, None)
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "licence.granted")).one()
    assert event.detail["dbs_update_service"] is True
    assert "001234567890" not in str(event.detail)  # the certificate number is the driver's, not the log's


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"dbs_certificate_number": "12345678901"}, "dbs_certificate_number"),
        ({"dbs_certificate_number": "12345678901A"}, "dbs_certificate_number"),
        ({"dbs_update_service": True, "dbs_consent_on": "2026-11-01"}, "dbs_certificate_number"),
        ({"dbs_update_service": True, "dbs_certificate_number": "001234567890"}, "dbs_consent_on"),
        (DBS | {"dbs_consent_on": (TODAY + timedelta(days=1)).isoformat()}, "dbs_consent_on"),
    ],
)
def test_grant_refuses_invalid_dbs_details_and_grants_nothing(client, session, body, field):
    application = make_screened_application(session)
    key = council_key(session, application.authority_id, scopes=WRITE)
    response = grant(client, key, application, **body)
    assert (response.status_code, response.mimetype) == (422, PROBLEM)
    assert field in [e["field"] for e in response.json["errors"]]
    session.rollback()
    assert session.exec(select(Licence)).all() == []


def put_dbs(client, key, licence, body, **headers):
    """Put a licence's DBS details; return the response."""
    return client.put(f"/api/v1/licences/{licence.id}/dbs", json=body, headers=bearer(key) | headers)


def test_dbs_details_are_changed_with_if_match_and_audited(client, session):
    licence = make_licence(session)
    key = council_key(session, licence.authority_id, scopes=WRITE)
    etag = client.get(f"/api/v1/licences/{licence.id}", headers=bearer(key)).headers["ETag"]
    response = put_dbs(client, key, licence, DBS, **{"If-Match": etag})
    assert response.status_code == 200, response.json
    assert {name: response.json[name] for name in DBS} == DBS
    assert response.headers["ETag"] != etag
    stale = put_dbs(client, key, licence, DBS | {"dbs_update_service": False}, **{"If-Match": etag})
    assert stale.status_code == 412
    assert actions_on(session, "licence", licence.id) == ["licence.dbs_changed"]
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "licence.dbs_changed")).one()
    assert event.detail == {
        "changed": ["dbs_certificate_number", "dbs_consent_on", "dbs_update_service"],
        "dbs_update_service": True,
    }


def test_dbs_details_can_be_cleared(client, session):
    licence = make_licence(session, dbs_certificate_number="001234567890", dbs_update_service=True,
                           dbs_consent_on=date(2026, 1, 1))  # fmt: skip
    key = council_key(session, licence.authority_id, scopes=WRITE)
    body = {"dbs_certificate_number": None, "dbs_update_service": False, "dbs_consent_on": None}
    response = put_dbs(client, key, licence, body)
    assert response.status_code == 200, response.json
    assert {name: response.json[name] for name in DBS} == body


def test_invalid_dbs_details_change_nothing(client, session):
    licence = make_licence(session)
    key = council_key(session, licence.authority_id, scopes=WRITE)
    response = put_dbs(
        client, key, licence, {"dbs_update_service": True, "dbs_certificate_number": "001234567890"}
    )
    assert (response.status_code, response.mimetype) == (422, PROBLEM)
    session.rollback()
    assert session.get(Licence, licence.id).dbs_update_service is False
    assert actions_on(session, "licence", licence.id) == []


def test_dbs_details_of_another_councils_licence_are_not_found(client, session):
    licence = make_licence(session)
    response = put_dbs(client, council_key(session, scopes=WRITE), licence, DBS)
    assert (response.status_code, response.mimetype) == (404, PROBLEM)


def test_a_read_only_key_cannot_change_dbs_details(client, session):
    licence = make_licence(session)
    response = put_dbs(
        client, council_key(session, licence.authority_id, scopes=["council:read"]), licence, DBS
    )
    assert response.status_code == 403

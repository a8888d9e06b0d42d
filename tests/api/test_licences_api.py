"""The licences API end to end: grant, status changes, renewal, reading, and who may do what."""

import pytest
from sqlmodel import select

from licensing.persistence.models import AuditEvent, Licence, Screening, ScreeningCandidate
from tests.factories import (
    make_api_client,
    make_authority,
    make_licence,
    make_police_force,
    make_screened_application,
)

WRITE = ["council:read", "council:write", "council:decide"]
GRANT = {"badge_number": "PH10001", "granted_on": "2026-11-23", "expires_on": "2029-11-22"}
PROBLEM = "application/problem+json"


def bearer(key: str) -> dict:
    """Return the headers presenting `key`."""
    return {"Authorization": f"Bearer {key}"}


def council_key(session, authority_id=None, scopes=WRITE) -> str:
    """Return a key of a council (a new one unless given)."""
    authority_id = authority_id or make_authority(session).id
    return make_api_client(session, authority_id=authority_id, scopes=scopes)[1]


def test_grant_creates_the_licence_with_a_location(client, session):
    application = make_screened_application(session)
    key = council_key(session, application.authority_id)
    body = GRANT | {"display_name": "Imran H."}
    response = client.post(f"/api/v1/applications/{application.id}/grant", json=body, headers=bearer(key))
    assert response.status_code == 201, response.json
    licence = response.json
    assert response.headers["Location"].endswith(f"/api/v1/licences/{licence['id']}")
    assert (licence["status"], licence["badge_number"], licence["expires_on"]) == (
        "active",
        "PH10001",
        "2029-11-22",
    )
    assert (licence["application_id"], licence["display_name"]) == (application.id, "Imran H.")
    assert licence["created_at"].endswith("+00:00")
    shown = client.get(response.headers["Location"], headers=bearer(key)).json
    assert [(h["status"], h["effective_on"]) for h in shown["history"]] == [("active", "2026-11-23")]


def test_grant_refuses_a_taken_badge_number_with_409(client, session):
    application = make_screened_application(session)
    make_licence(session, authority_id=application.authority_id, badge_number="PH10001")
    key = council_key(session, application.authority_id)
    response = client.post(f"/api/v1/applications/{application.id}/grant", json=GRANT, headers=bearer(key))
    assert response.status_code == 409
    assert response.mimetype == PROBLEM
    assert response.json["errors"][0]["field"] == "badge_number"


def test_grant_refuses_more_than_three_years(client, session):
    application = make_screened_application(session)
    key = council_key(session, application.authority_id)
    body = GRANT | {"expires_on": "2029-11-24"}
    response = client.post(f"/api/v1/applications/{application.id}/grant", json=body, headers=bearer(key))
    assert response.status_code == 422
    assert response.json["errors"][0]["field"] == "expires_on"


def test_grant_without_a_screening_is_refused_with_409(client, session):
    application = make_screened_application(session, screened_at=None)
    key = council_key(session, application.authority_id)
    response = client.post(f"/api/v1/applications/{application.id}/grant", json=GRANT, headers=bearer(key))
    assert response.status_code == 409
    assert response.mimetype == PROBLEM
    assert session.exec(select(Licence)).all() == []


@pytest.mark.parametrize(
    ("status", "action", "code", "after"),
    [
        ("active", "suspend", 200, "suspended"),
        ("suspended", "reinstate", 200, "active"),
        ("suspended", "revoke", 200, "revoked"),
        ("active", "surrender", 200, "surrendered"),
        ("active", "reinstate", 409, "active"),
        ("revoked", "reinstate", 409, "revoked"),
        ("surrendered", "suspend", 409, "surrendered"),
    ],
)
def test_status_change_through_the_api(client, session, status, action, code, after):
    licence = make_licence(session, status=status)
    key = council_key(session, licence.authority_id)
    body = {"effective_on": "2026-11-23"} | (
        {"category": "driving"} if action in ("suspend", "revoke") else {}
    )
    response = client.post(f"/api/v1/licences/{licence.id}/{action}", json=body, headers=bearer(key))
    assert response.status_code == code, response.json
    session.expire_all()
    assert session.get(Licence, licence.id).status == after
    if code == 200:
        assert response.json["status"] == after
        assert (
            len(
                session.exec(
                    select(AuditEvent).where(
                        AuditEvent.record_kind == "licence", AuditEvent.record_id == licence.id
                    )
                ).all()
            )
            == 1
        )
    else:
        assert response.mimetype == PROBLEM


def test_renewal_waits_for_the_officer_to_resolve_the_licence_itself_then_renews(client, session):
    licence = make_licence(session)
    application = make_screened_application(session, authority_id=licence.authority_id, kind="renewal")
    key = council_key(session, licence.authority_id)
    body = {"application_id": application.id, "effective_on": "2026-11-23", "expires_on": "2030-12-31"}
    refused = client.post(f"/api/v1/licences/{licence.id}/renew", json=body, headers=bearer(key))
    assert refused.status_code == 409
    screening = session.exec(select(Screening).where(Screening.application_id == application.id)).one()
    (candidate,) = session.exec(
        select(ScreeningCandidate).where(ScreeningCandidate.screening_id == screening.id)
    )
    assert (candidate.candidate_kind, candidate.candidate_id) == ("licence", licence.id)
    session.rollback()  # end the read, so the app can write (SQLite has one writer)
    resolution = {"resolution": "same_person", "reason": "The licence being renewed"}
    url = f"/api/v1/screenings/{screening.id}/candidates/{candidate.id}/resolve"
    assert client.post(url, json=resolution, headers=bearer(key)).status_code == 200
    response = client.post(f"/api/v1/licences/{licence.id}/renew", json=body, headers=bearer(key))
    assert response.status_code == 200, response.json
    assert (response.json["expires_on"], response.json["status"]) == ("2030-12-31", "active")


def test_list_shows_own_licences_filtered(client, session):
    authority = make_authority(session)
    mine = make_licence(session, authority_id=authority.id, badge_number="A1")
    make_licence(session, authority_id=authority.id, badge_number="A2", status="suspended")
    make_licence(session, badge_number="A1")
    key = council_key(session, authority.id, scopes=["council:read"])
    listed = client.get("/api/v1/licences?badge_number=A1", headers=bearer(key)).json["items"]
    assert [lic["id"] for lic in listed] == [mine.id]
    suspended = client.get("/api/v1/licences?status=suspended", headers=bearer(key)).json["items"]
    assert [lic["badge_number"] for lic in suspended] == ["A2"]
    assert client.get("/api/v1/licences?status=lapsed", headers=bearer(key)).status_code == 422


def licence_endpoints(licence_id: int, application_id: int) -> list[tuple[str, str, dict | None]]:
    """Return every endpoint that names a licence or application id, with a valid body."""
    effective = {"effective_on": "2026-11-23"}
    decided = effective | {"category": "driving"}
    renewal = {"application_id": application_id, "effective_on": "2026-11-23", "expires_on": "2029-11-22"}
    return [
        ("get", f"/api/v1/licences/{licence_id}", None),
        *[
            ("post", f"/api/v1/licences/{licence_id}/{a}", decided if a != "surrender" else effective)
            for a in ("suspend", "revoke", "surrender")
        ],
        ("post", f"/api/v1/licences/{licence_id}/reinstate", effective),
        ("post", f"/api/v1/licences/{licence_id}/renew", renewal),
        ("post", f"/api/v1/applications/{application_id}/grant", GRANT),
    ]


ENDPOINT_INDEXES = range(7)


@pytest.mark.parametrize("index", ENDPOINT_INDEXES)
def test_another_councils_key_gets_404_on_every_licence_id(client, session, index):
    licence = make_licence(session, status="suspended")
    application = make_screened_application(session, authority_id=licence.authority_id, kind="renewal")
    method, url, body = licence_endpoints(licence.id, application.id)[index]
    response = getattr(client, method)(url, json=body, headers=bearer(council_key(session)))
    assert response.status_code == 404
    assert response.mimetype == PROBLEM
    session.expire_all()
    assert session.get(Licence, licence.id).status == "suspended"


@pytest.mark.parametrize("index", ENDPOINT_INDEXES)
def test_police_key_gets_403_on_every_licence_endpoint(client, session, index):
    licence = make_licence(session, status="suspended")
    application = make_screened_application(session, authority_id=licence.authority_id, kind="renewal")
    _, key = make_api_client(
        session, police_force_id=make_police_force(session).id, scopes=["police:intelligence"]
    )
    method, url, body = licence_endpoints(licence.id, application.id)[index]
    assert getattr(client, method)(url, json=body, headers=bearer(key)).status_code == 403
    assert client.get("/api/v1/licences", headers=bearer(key)).status_code == 403


@pytest.mark.parametrize("index", range(1, 7))
def test_read_only_council_key_cannot_change_licences(client, session, index):
    licence = make_licence(session, status="suspended")
    application = make_screened_application(session, authority_id=licence.authority_id, kind="renewal")
    key = council_key(session, licence.authority_id, scopes=["council:read"])
    method, url, body = licence_endpoints(licence.id, application.id)[index]
    assert getattr(client, method)(url, json=body, headers=bearer(key)).status_code == 403


@pytest.mark.parametrize("index", ENDPOINT_INDEXES)
def test_an_id_beyond_the_column_range_is_not_found(client, session, index):
    key = council_key(session)
    method, url, body = licence_endpoints(2**63, 1)[index]
    assert getattr(client, method)(url, json=body, headers=bearer(key)).status_code == 404


def test_a_renewal_application_id_beyond_the_column_range_is_422(client, session):
    licence = make_licence(session)
    body = {"application_id": 2**63, "effective_on": "2026-11-23", "expires_on": "2029-11-22"}
    key = council_key(session, licence.authority_id)
    response = client.post(f"/api/v1/licences/{licence.id}/renew", json=body, headers=bearer(key))
    assert response.status_code == 422

"""The enforcement quick check end to end: any council's licences, never the full record, audited."""

from datetime import date

from sqlmodel import select

from licensing.persistence.models import AuditEvent
from tests.factories import make_api_client, make_authority, make_licence, make_police_force

URL = "/api/v1/enforcement/check"
DLN = "HUSSA803145I99AB"
CHECKED_KEYS = {
    "badge_number", "licence_type", "status", "valid_now", "expires_on", "issuing_council", "now_licensed_by"
}  # fmt: skip


def bearer(key: str) -> dict:
    """Return the headers presenting `key`."""
    return {"Authorization": f"Bearer {key}"}


def officer_key(session) -> str:
    """Return a read key of a council of its own (the officer's)."""
    return make_api_client(session, scopes=["council:read"])[1]


def test_check_by_badge_shows_another_councils_licence(client, session):
    wolverhampton = make_authority(session, code="E08000031", name="City of Wolverhampton Council")
    make_licence(session, authority_id=wolverhampton.id, badge_number="PH12345", expires_on=date(2099, 1, 31))
    response = client.get(f"{URL}?authority=E08000031&badge=PH12345", headers=bearer(officer_key(session)))
    assert response.status_code == 200
    (licence,) = response.json["licences"]
    assert set(licence) == CHECKED_KEYS
    assert licence["issuing_council"] == {"code": "E08000031", "name": "City of Wolverhampton Council"}
    assert (licence["status"], licence["valid_now"], licence["expires_on"]) == ("active", True, "2099-01-31")


def test_check_by_driver_number_finds_licences_at_several_councils(client, session):
    first = make_licence(session, driving_licence_number=DLN, expires_on=date(2099, 1, 1))
    make_licence(session, driving_licence_number=DLN, status="suspended", expires_on=date(2098, 1, 1))
    response = client.get(f"{URL}?driving_licence_number={DLN}", headers=bearer(officer_key(session)))
    assert [(lic["status"], lic["valid_now"]) for lic in response.json["licences"]] == [
        ("active", True),
        ("suspended", False),
    ]
    assert response.json["licences"][0]["badge_number"] == first.badge_number
    assert DLN not in response.get_data(as_text=True)


def test_each_check_is_audited(client, session):
    licence = make_licence(session, driving_licence_number=DLN)
    key = officer_key(session)
    client.get(f"{URL}?driving_licence_number={DLN}", headers=bearer(key))
    client.get(f"{URL}?authority=E00000000&badge=NOPE", headers=bearer(key))
    checks = session.exec(select(AuditEvent).where(AuditEvent.action == "licence.enforcement_checked")).all()
    assert [event.detail for event in checks] == [
        {"by": "dln", "licence_ids": [licence.id]},
        {"by": "badge", "licence_ids": []},
    ]


def test_check_without_a_badge_or_driver_number_is_refused(client, session):
    response = client.get(f"{URL}?authority=E08000031", headers=bearer(officer_key(session)))
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"


def test_check_by_badge_alone_finds_the_badge_at_every_council(client, session):
    for code in ("E08000031", "E08000039"):
        make_licence(session, authority_id=make_authority(session, code=code).id, badge_number="PH1")
    response = client.get(f"{URL}?badge=PH1", headers=bearer(officer_key(session)))
    assert response.status_code == 200
    codes = sorted(lic["issuing_council"]["code"] for lic in response.json["licences"])
    assert codes == ["E08000031", "E08000039"]


def test_police_key_cannot_use_the_enforcement_check(client, session):
    _, key = make_api_client(
        session, police_force_id=make_police_force(session).id, scopes=["police:intelligence"]
    )
    assert client.get(f"{URL}?driving_licence_number={DLN}", headers=bearer(key)).status_code == 403


def test_enforcement_check_needs_a_key(client):
    assert client.get(f"{URL}?driving_licence_number={DLN}").status_code == 401

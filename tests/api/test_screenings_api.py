"""The screenings API end to end: ad-hoc checks, the minimal view of each kind of record, resolutions."""

from datetime import date

import pytest
from sqlmodel import select

from licensing.persistence.models import AuditEvent, Intelligence, Screening
from licensing.screening.key_index import index_record
from tests.factories import (
    NOW,
    identity,
    make_api_client,
    make_authority,
    make_licence,
    make_police_force,
    make_register_entry,
)
from tests.withheld import AGREEMENT, MASKED, THEIR_DETAILS, withheld_in

WRITE = ["council:read", "council:write"]
PROBLEM = "application/problem+json"
# What another council's record shows of the person: who they are, and how the rest agrees.
MINIMAL_KEYS = {
    "view",
    "given_names",
    "family_name",
    "previous_names",
    "date_of_birth",
    "agreement",
    "ni_number_masked",
    "driving_licence_number_masked",
}


def bearer(key: str) -> dict:
    """Return the headers presenting `key`."""
    return {"Authorization": f"Bearer {key}"}


def council_key(session, authority_id=None, scopes=WRITE) -> str:
    """Return a key of a council (a new one unless given)."""
    authority_id = authority_id or make_authority(session).id
    return make_api_client(session, authority_id=authority_id, scopes=scopes)[1]


def ad_hoc(**overrides) -> dict:
    """Return an ad-hoc screening body for the default synthetic identity."""
    person = identity() | {"date_of_birth": identity()["date_of_birth"].isoformat()}
    return person | {"purpose": "Enforcement stop of an out-of-area driver, ref ENF-12"} | overrides


def make_intelligence(session, **overrides) -> Intelligence:
    """Store an active item of intelligence about the default identity, indexed for screening."""
    force = make_police_force(session, name="West Midlands Police")
    fields = identity() | {
        "force_reference": "WMP-2026-0042",
        "category": "charge",
        "occurred_on": date(2026, 10, 2),
        "summary": "Restricted: full circumstances held by the force.",
        "shareable_summary": "Charged with an offence of violence.",
    }
    item = Intelligence(police_force_id=force.id, created_at=NOW, updated_at=NOW, **(fields | overrides))
    session.add(item)
    session.flush()
    index_record(session, "intelligence", item)
    session.commit()
    return item


def test_ad_hoc_screening_records_its_purpose_and_shows_a_licence_elsewhere(client, session):
    other = make_authority(session, name="Sandwell Council")
    make_licence(session, authority_id=other.id, badge_number="SW123", expires_on=date(2027, 6, 30))
    key = council_key(session)
    response = client.post("/api/v1/screenings", json=ad_hoc(), headers=bearer(key))
    assert response.status_code == 201, response.json
    assert response.headers["Location"].endswith(f"/api/v1/screenings/{response.json['id']}")
    assert (response.json["purpose"], response.json["reason"]) == ("ad_hoc", ad_hoc()["purpose"])
    [candidate] = response.json["candidates"]
    record = candidate["record"]
    assert set(record) == MINIMAL_KEYS | {"kind", "authority", "licence_status", "expires_on"}
    assert (record["licence_status"], record["expires_on"]) == ("active", "2027-06-30")
    assert record["authority"]["name"] == "Sandwell Council"
    assert "SW123" not in str(response.json)


def test_ad_hoc_screening_shows_another_councils_licence_without_its_address_or_identifiers(client, session):
    make_licence(session, authority_id=make_authority(session).id, **THEIR_DETAILS)
    key = council_key(session)
    created = client.post("/api/v1/screenings", json=ad_hoc(), headers=bearer(key))
    shown = client.get(f"/api/v1/screenings/{created.json['id']}", headers=bearer(key))
    for answer in (created, shown):
        assert withheld_in(answer.get_data(as_text=True)) == []
        [candidate] = answer.json["candidates"]
        record = candidate["record"]
        assert (record["view"], record["agreement"]) == ("minimal", AGREEMENT)
        assert {name: record[f"{name}_masked"] for name in MASKED} == MASKED
        assert (record["given_names"], record["date_of_birth"]) == ("Imran", "1985-03-14")
        assert "postcode: different" in candidate["evidence"]
    url = f"/api/v1/screenings/{created.json['id']}/candidates/{candidate['id']}/resolve"
    resolved = client.post(url, json={"resolution": "same_person", "reason": "Same NI."}, headers=bearer(key))
    assert resolved.status_code == 200 and "postcode: different" in resolved.json["evidence"]
    assert withheld_in(resolved.get_data(as_text=True)) == []


def test_application_screening_shows_another_councils_entry_minimally_with_its_s3_route(client, session):
    entry = make_register_entry(session, category="violence", **THEIR_DETAILS)
    key = council_key(session)
    created = client.post("/api/v1/applications", json=_application(), headers=bearer(key)).json
    shown = client.get(f"/api/v1/screenings/{created['screening']['id']}", headers=bearer(key))
    rescreened = client.post(f"/api/v1/applications/{created['id']}/rescreen", headers=bearer(key))
    for answer in (shown, rescreened):
        assert withheld_in(answer.get_data(as_text=True)) == []
        record = answer.json["candidates"][0]["record"]
        assert set(record) == MINIMAL_KEYS | {
            "kind", "authority", "decision", "decided_on", "effective_on", "category",
            "recorded_by_this_council", "register_entry_id", "full_record",
        }  # fmt: skip
        assert (record["decision"], record["category"], record["register_entry_id"]) == (
            "revocation", "violence", entry.id,
        )  # fmt: skip
        assert record["recorded_by_this_council"] is False
        assert record["full_record"] == "information_request"


def test_the_councils_own_register_entry_is_shown_to_it_in_full(client, session):
    authority = make_authority(session)
    make_register_entry(session, authority_id=authority.id, **THEIR_DETAILS)
    key = council_key(session, authority.id)
    [candidate] = client.post("/api/v1/screenings", json=ad_hoc(), headers=bearer(key)).json["candidates"]
    record = candidate["record"]
    assert {name: record[name] for name in THEIR_DETAILS} == THEIR_DETAILS
    assert (record["view"], record["recorded_by_this_council"], record["sex"]) == ("full", True, "M")
    assert "postcode: different (WV1 1AA vs B69 4RJ)" in candidate["evidence"]


def test_ad_hoc_screening_keeps_the_subjects_identity_warnings_on_its_record(client, session):
    body = ad_hoc(ni_number="12345", date_of_birth="14/03/1985")
    response = client.post("/api/v1/screenings", json=body, headers=bearer(council_key(session)))
    assert response.status_code == 201, response.json
    session.rollback()
    screening = session.get(Screening, response.json["id"])
    assert (screening.ni_number, screening.date_of_birth) == ("12345", date(1985, 3, 14))
    assert screening.identity_warnings == [{"field": "ni_number", "warning": "not valid"}]


def test_ad_hoc_screening_refuses_a_date_of_birth_it_cannot_read(client, session):
    body = ad_hoc(date_of_birth="03/14/1985")
    response = client.post("/api/v1/screenings", json=body, headers=bearer(council_key(session)))
    assert response.status_code == 422 and response.json["errors"][0]["field"] == "date_of_birth"


def test_ad_hoc_screening_needs_a_purpose(client, session):
    response = client.post(
        "/api/v1/screenings", json=ad_hoc(purpose=""), headers=bearer(council_key(session))
    )
    assert (response.status_code, response.mimetype) == (422, PROBLEM)
    assert session.exec(select(Screening)).all() == []


def test_ad_hoc_screening_leaves_out_the_callers_own_records_and_intelligence(client, session):
    authority = make_authority(session)
    make_licence(session, authority_id=authority.id)
    make_intelligence(session)
    response = client.post(
        "/api/v1/screenings", json=ad_hoc(), headers=bearer(council_key(session, authority.id))
    )
    assert response.json["candidates"] == []


def test_pending_application_elsewhere_shows_only_identity_council_and_received_on(client, session):
    body = _application() | {"received_on": "2026-11-02", "ref": "THEIR-REF-9"}
    client.post("/api/v1/applications", json=body, headers=bearer(council_key(session)))
    response = client.post("/api/v1/screenings", json=ad_hoc(), headers=bearer(council_key(session)))
    [candidate] = response.json["candidates"]
    assert set(candidate["record"]) == MINIMAL_KEYS | {"kind", "authority", "received_on"}
    assert candidate["record"]["received_on"] == "2026-11-02"
    assert "THEIR-REF-9" not in str(response.json)


def test_application_screening_shows_intelligence_minimally_and_audits_the_view(client, session):
    item = make_intelligence(session)
    key = council_key(session)
    created = client.post("/api/v1/applications", json=_application(), headers=bearer(key)).json
    shown = client.get(f"/api/v1/screenings/{created['screening']['id']}", headers=bearer(key)).json
    [candidate] = shown["candidates"]
    assert candidate["record"] == {
        "kind": "intelligence",
        "force_name": "West Midlands Police",
        "category": "charge",
        "occurred_on": "2026-10-02",
        "force_reference": "WMP-2026-0042",
        "shareable_summary": "Charged with an offence of violence.",
    }
    viewed = session.exec(select(AuditEvent).where(AuditEvent.action == "intelligence.viewed")).all()
    assert [(e.record_kind, e.record_id) for e in viewed] == [("intelligence", item.id)]


def test_withdrawn_intelligence_is_no_longer_shown(client, session):
    item = make_intelligence(session)
    key = council_key(session)
    created = client.post("/api/v1/applications", json=_application(), headers=bearer(key)).json
    item.status = "withdrawn"
    session.add(item)
    session.commit()
    shown = client.get(f"/api/v1/screenings/{created['screening']['id']}", headers=bearer(key)).json
    assert [c["record"] for c in shown["candidates"]] == [None]
    assert session.exec(select(AuditEvent).where(AuditEvent.action == "intelligence.viewed")).all() == []


def test_each_view_of_another_councils_entry_is_audited(client, session):
    entry = make_register_entry(session)
    key = council_key(session)
    screening_id = client.post("/api/v1/screenings", json=ad_hoc(), headers=bearer(key)).json["id"]
    client.get(f"/api/v1/screenings/{screening_id}", headers=bearer(key))
    viewed = session.exec(select(AuditEvent).where(AuditEvent.action == "register_entry.viewed")).all()
    assert [(e.record_id, e.detail["screening_id"]) for e in viewed] == [(entry.id, screening_id)] * 2


def test_another_councils_key_gets_404_on_an_ad_hoc_screening(client, session):
    make_register_entry(session)
    screening = client.post("/api/v1/screenings", json=ad_hoc(), headers=bearer(council_key(session))).json
    other = council_key(session)
    assert client.get(f"/api/v1/screenings/{screening['id']}", headers=bearer(other)).status_code == 404
    url = f"/api/v1/screenings/{screening['id']}/candidates/{screening['candidates'][0]['id']}/resolve"
    body = {"resolution": "same_person", "reason": "Probing."}
    assert client.post(url, json=body, headers=bearer(other)).status_code == 404
    assert (
        session.exec(select(AuditEvent).where(AuditEvent.action == "register_entry.viewed")).all()[1:] == []
    )


def test_candidate_of_another_screening_is_404(client, session):
    make_register_entry(session)
    key = council_key(session)
    first = client.post("/api/v1/screenings", json=ad_hoc(), headers=bearer(key)).json
    second = client.post("/api/v1/screenings", json=ad_hoc(), headers=bearer(key)).json
    url = f"/api/v1/screenings/{second['id']}/candidates/{first['candidates'][0]['id']}/resolve"
    response = client.post(url, json={"resolution": "same_person", "reason": "x"}, headers=bearer(key))
    assert response.status_code == 404


def test_ad_hoc_not_same_person_is_recorded_but_rules_nothing_out(client, session):
    make_register_entry(session)
    key = council_key(session)
    screening = client.post("/api/v1/screenings", json=ad_hoc(), headers=bearer(key)).json
    url = f"/api/v1/screenings/{screening['id']}/candidates/{screening['candidates'][0]['id']}/resolve"
    body = {"resolution": "not_same_person", "reason": "Different middle name on the badge."}
    assert client.post(url, json=body, headers=bearer(key)).json["resolution"] == "not_same_person"
    again = client.post("/api/v1/screenings", json=ad_hoc(), headers=bearer(key)).json
    assert [c["resolution"] for c in again["candidates"]] == [None]


@pytest.mark.parametrize("body", [{"resolution": "maybe", "reason": "x"}, {"resolution": "same_person"}])
def test_bad_resolution_is_422(client, session, body):
    make_register_entry(session)
    key = council_key(session)
    screening = client.post("/api/v1/screenings", json=ad_hoc(), headers=bearer(key)).json
    url = f"/api/v1/screenings/{screening['id']}/candidates/{screening['candidates'][0]['id']}/resolve"
    response = client.post(url, json=body, headers=bearer(key))
    assert (response.status_code, response.mimetype) == (422, PROBLEM)


def test_read_only_key_may_screen_but_not_resolve(client, session):
    make_register_entry(session)
    key = council_key(session, scopes=["council:read"])
    screening = client.post("/api/v1/screenings", json=ad_hoc(), headers=bearer(key)).json
    url = f"/api/v1/screenings/{screening['id']}/candidates/{screening['candidates'][0]['id']}/resolve"
    assert (
        client.post(url, json={"resolution": "same_person", "reason": "x"}, headers=bearer(key)).status_code
        == 403
    )


def test_police_key_cannot_screen(client, session):
    force = make_police_force(session)
    _, key = make_api_client(session, police_force_id=force.id, scopes=["police:intelligence"])
    response = client.post("/api/v1/screenings", json=ad_hoc(), headers=bearer(key))
    assert (response.status_code, response.mimetype) == (403, PROBLEM)
    assert session.exec(select(Screening)).all() == []


def _application() -> dict:
    """Return an application body for the default identity."""
    body = {k: v for k, v in ad_hoc().items() if k != "purpose"}
    return body | {"ref": "APP-1", "kind": "new", "licence_type": "phv", "received_on": "2026-11-20"}

"""The applications API end to end: receive and screen, the grant gate, withdraw, refuse, who may do what."""

from datetime import date, timedelta

import pytest
from sqlalchemy import update
from sqlmodel import select

from licensing.clock import utcnow
from licensing.persistence.models import (
    Application,
    AuditEvent,
    MatchKey,
    RegisterEntry,
    Screening,
    ScreeningCandidate,
)
from tests.factories import identity, make_api_client, make_authority, make_police_force, make_register_entry

WRITE = ["council:read", "council:write"]
DECIDE = [*WRITE, "council:decide"]
PROBLEM = "application/problem+json"
GRANT = {"badge_number": "PH20001", "granted_on": utcnow().date().isoformat()}
GRANT["expires_on"] = (utcnow().date() + timedelta(days=365)).isoformat()


def bearer(key: str) -> dict:
    """Return the headers presenting `key`."""
    return {"Authorization": f"Bearer {key}"}


def council_key(session, authority_id=None, scopes=DECIDE) -> str:
    """Return a key of a council (a new one unless given)."""
    authority_id = authority_id or make_authority(session).id
    return make_api_client(session, authority_id=authority_id, scopes=scopes)[1]


def application_body(**overrides) -> dict:
    """Return a valid application body for the default synthetic identity."""
    person = identity() | {"date_of_birth": identity()["date_of_birth"].isoformat()}
    body = person | {"ref": "APP-1", "kind": "new", "licence_type": "phv", "received_on": "2026-11-20"}
    return body | {"previous_names": ["Imran Hussein"]} | overrides


def apply(client, key, **overrides):
    """Post an application; return the response."""
    return client.post("/api/v1/applications", json=application_body(**overrides), headers=bearer(key))


def revoked_elsewhere(session):
    """Record a revocation of the default identity by another council; return the entry."""
    other = make_authority(session, code="E08000031", name="City of Wolverhampton Council")
    return make_register_entry(session, authority_id=other.id, ref="WOLV-INTERNAL-77")


def test_application_is_screened_at_once_and_shows_the_revocation_elsewhere_minimally(client, session):
    entry = revoked_elsewhere(session)
    key = council_key(session)
    response = apply(client, key)
    assert response.status_code == 201, response.json
    created = response.json
    assert response.headers["Location"].endswith(f"/api/v1/applications/{created['id']}")
    assert created["status"] == "pending" and created["previous_names"] == ["Imran Hussein"]
    assert created["created_at"].endswith("+00:00")
    summary = created["screening"]
    assert (summary["purpose"], summary["candidates"], summary["bands"]["match"]) == ("application", 1, 1)
    screening = client.get(f"/api/v1/screenings/{summary['id']}", headers=bearer(key)).json
    [candidate] = screening["candidates"]
    assert (candidate["candidate_kind"], candidate["band"], candidate["resolution"]) == (
        "register_entry",
        "match",
        None,
    )
    assert candidate["evidence"]
    record = candidate["record"]
    assert set(record) == {
        "kind",
        "view",
        "given_names",
        "family_name",
        "previous_names",
        "date_of_birth",
        "agreement",
        "ni_number_masked",
        "driving_licence_number_masked",
        "authority",
        "register_entry_id",
        "decision",
        "decided_on",
        "effective_on",
        "category",
        "recorded_by_this_council",
        "full_record",
    }
    assert record["recorded_by_this_council"] is False
    assert record["authority"] == {"code": "E08000031", "name": "City of Wolverhampton Council"}
    assert (record["decision"], record["effective_on"]) == ("revocation", entry.effective_on.isoformat())
    assert "WOLV-INTERNAL-77" not in str(screening)


def test_grant_is_refused_until_the_match_is_resolved_then_allowed(client, session):
    revoked_elsewhere(session)
    key = council_key(session)
    created = apply(client, key).json
    app_id, screening_id = created["id"], created["screening"]["id"]
    gate = client.get(f"/api/v1/applications/{app_id}/gate", headers=bearer(key)).json
    assert gate["allowed"] is False and len(gate["unresolved"]) == 1
    assert gate["reasons"][0].startswith("Resolve the match with City of Wolverhampton Council's revocation")
    refused = client.post(f"/api/v1/applications/{app_id}/grant", json=GRANT, headers=bearer(key))
    assert (refused.status_code, refused.mimetype) == (409, PROBLEM)
    assert "an officer must say whether it is the same person" in refused.json["detail"]
    [candidate_id] = gate["unresolved"]
    resolution = {"resolution": "same_person", "reason": "Same DOB, NI number and licence number."}
    url = f"/api/v1/screenings/{screening_id}/candidates/{candidate_id}/resolve"
    resolved = client.post(url, json=resolution, headers=bearer(key))
    assert resolved.status_code == 200, resolved.json
    assert (resolved.json["resolution"], resolved.json["resolved_at"][-6:]) == ("same_person", "+00:00")
    again = client.post(url, json=resolution, headers=bearer(key))
    assert again.status_code == 409


def test_same_person_on_a_revocation_needs_a_managers_decision_before_the_grant(client, session):
    revoked_elsewhere(session)
    authority_id = make_authority(session).id
    key, manager_key = council_key(session, authority_id, WRITE), council_key(session, authority_id)
    created = apply(client, key).json
    app_id, screening_id = created["id"], created["screening"]["id"]
    [candidate_id] = client.get(f"/api/v1/applications/{app_id}/gate", headers=bearer(key)).json["unresolved"]
    url = f"/api/v1/screenings/{screening_id}/candidates/{candidate_id}/resolve"
    resolution = {"resolution": "same_person", "reason": "Same DOB, NI number and licence number."}
    assert client.post(url, json=resolution, headers=bearer(key)).status_code == 200
    gate = client.get(f"/api/v1/applications/{app_id}/gate", headers=bearer(key)).json
    assert (gate["allowed"], gate["unresolved"], gate["undecided"]) == (False, [], [candidate_id])
    assert gate["reasons"][0].startswith(
        "A manager must record a decision on City of Wolverhampton Council's revocation"
    )
    [adverse] = gate["adverse_records"]
    assert (adverse["needs"], adverse["resolution"], adverse["decision"]) == ("decision", "same_person", None)
    refused = client.post(f"/api/v1/applications/{app_id}/grant", json=GRANT, headers=bearer(key))
    assert (refused.status_code, refused.mimetype) == (409, PROBLEM)
    decision = {"candidate_id": candidate_id, "reason": "Revoked for a lapsed DBS; now renewed and clear."}
    decisions = f"/api/v1/applications/{app_id}/adverse-decisions"
    assert client.post(decisions, json=decision, headers=bearer(key)).status_code == 403
    recorded = client.post(decisions, json=decision, headers=bearer(manager_key))
    assert recorded.status_code == 201, recorded.json
    assert (recorded.json["record_kind"], recorded.json["information"]) == ("register_entry", "not_requested")
    gate = client.get(f"/api/v1/applications/{app_id}/gate", headers=bearer(key)).json
    assert (gate["allowed"], gate["reasons"], gate["screening_id"]) == (True, [], screening_id)
    assert "City of Wolverhampton Council's revocation" in gate["cleared_by"][0]
    assert gate["adverse_records"][0]["decision"]["reason"] == decision["reason"]
    granted = client.post(f"/api/v1/applications/{app_id}/grant", json=GRANT, headers=bearer(key))
    assert granted.status_code == 201, granted.json


def test_possible_match_with_a_revocation_elsewhere_closes_the_gate(client, session):
    other = make_authority(session, name="Council B")
    person = {
        "given_names": "Adil",
        "family_name": "Chaudhary",
        "ni_number": None,
        "driving_licence_number": None,
    }
    person |= {"date_of_birth": date(1988, 6, 2), "address": "9 High Street, Bradford", "postcode": "BD1 1AA"}
    make_register_entry(session, authority_id=other.id, **person)
    key = council_key(session)
    # Day and month of birth swapped, no address given: a possible match only.
    body = person | {"address": "", "postcode": None}
    body |= {"given_names": "Adeel", "family_name": "Chaudhry", "date_of_birth": "1988-02-06"}
    created = apply(client, key, **body).json
    assert created["screening"]["bands"]["possible"] == 1
    gate = client.get(f"/api/v1/applications/{created['id']}/gate", headers=bearer(key)).json
    assert (gate["allowed"], len(gate["unresolved"])) == (False, 1)
    [adverse] = gate["adverse_records"]
    assert (adverse["band"], adverse["needs"], adverse["recorded_by_this_council"]) == (
        "possible",
        "resolution",
        False,
    )
    assert adverse["description"].startswith("Council B's revocation")


def test_the_councils_own_earlier_refusal_is_screened_and_labelled(client, session):
    authority_id = make_authority(session).id
    make_register_entry(
        session, authority_id=authority_id, decision="refusal_of_grant", decided_on=date(2020, 5, 4),
        effective_on=date(2020, 5, 4), given_names="Imraan",
    )  # fmt: skip
    key = council_key(session, authority_id)
    created = apply(client, key).json
    screening = client.get(f"/api/v1/screenings/{created['screening']['id']}", headers=bearer(key)).json
    [candidate] = screening["candidates"]
    assert candidate["candidate_kind"] == "register_entry"
    assert candidate["record"]["recorded_by_this_council"] is True
    gate = client.get(f"/api/v1/applications/{created['id']}/gate", headers=bearer(key)).json
    assert gate["allowed"] is False
    assert gate["adverse_records"][0]["recorded_by_this_council"] is True
    assert "this council's own refusal of grant" in gate["adverse_records"][0]["description"]


def test_stale_screening_closes_the_gate_until_the_application_is_rescreened(client, session, app):
    key = council_key(session)
    created = apply(client, key).json
    stale = utcnow() - timedelta(days=app.config["SCREENING_MAX_AGE_DAYS"] + 1)
    session.execute(
        update(Screening).where(Screening.id == created["screening"]["id"]).values(created_at=stale)
    )
    session.commit()
    gate = client.get(f"/api/v1/applications/{created['id']}/gate", headers=bearer(key)).json
    assert gate["allowed"] is False and "older than" in gate["reasons"][0]
    grant = client.post(f"/api/v1/applications/{created['id']}/grant", json=GRANT, headers=bearer(key))
    assert grant.status_code == 409
    rescreened = client.post(f"/api/v1/applications/{created['id']}/rescreen", headers=bearer(key))
    assert rescreened.status_code == 201, rescreened.json
    assert rescreened.json["purpose"] == "rescreen"
    assert rescreened.headers["Location"].endswith(f"/api/v1/screenings/{rescreened.json['id']}")
    gate = client.get(f"/api/v1/applications/{created['id']}/gate", headers=bearer(key)).json
    assert (gate["allowed"], gate["screening_id"]) == (True, rescreened.json["id"])


def test_not_same_person_is_remembered_and_suppressed_in_the_rescreen(client, session):
    revoked_elsewhere(session)
    key = council_key(session)
    created = apply(client, key).json
    screening = client.get(f"/api/v1/screenings/{created['screening']['id']}", headers=bearer(key)).json
    [candidate] = screening["candidates"]
    url = f"/api/v1/screenings/{screening['id']}/candidates/{candidate['id']}/resolve"
    body = {"resolution": "not_same_person", "reason": "Applicant's passport shows another birthplace."}
    assert client.post(url, json=body, headers=bearer(key)).status_code == 200
    rescreened = client.post(f"/api/v1/applications/{created['id']}/rescreen", headers=bearer(key)).json
    [again] = rescreened["candidates"]
    assert again["resolution"] == "not_same_person"
    assert again["resolution_reason"].startswith("previously ruled out by")
    gate = client.get(f"/api/v1/applications/{created['id']}/gate", headers=bearer(key)).json
    assert gate["allowed"] is True


def test_audit_events_are_written_for_creation_screening_view_and_resolution(client, session):
    entry = revoked_elsewhere(session)
    key = council_key(session)
    created = apply(client, key).json
    screening_id = created["screening"]["id"]
    shown = client.get(f"/api/v1/screenings/{screening_id}", headers=bearer(key)).json
    url = f"/api/v1/screenings/{screening_id}/candidates/{shown['candidates'][0]['id']}/resolve"
    client.post(
        url, json={"resolution": "not_same_person", "reason": "Different person."}, headers=bearer(key)
    )
    events = session.exec(select(AuditEvent).order_by(AuditEvent.id)).all()
    skipped = ("register_entry.recorded", "api_client.create")
    mine = [(e.action, e.record_kind, e.record_id) for e in events if e.action not in skipped]
    assert mine == [
        ("application.created", "application", created["id"]),
        ("screening.run", "screening", screening_id),
        ("register_entry.viewed", "register_entry", entry.id),
        ("candidate.resolved", "screening", screening_id),
        ("candidate.ruled_out", "application", created["id"]),
    ]


def test_duplicate_reference_is_409(client, session):
    key = council_key(session)
    assert apply(client, key).status_code == 201
    duplicate = apply(client, key)
    assert (duplicate.status_code, duplicate.mimetype) == (409, PROBLEM)
    assert len(session.exec(select(Application)).all()) == 1


def test_invalid_identifiers_are_kept_flagged_and_shown_again_on_get(client, session):
    key = council_key(session)
    created = apply(
        client, key, ni_number="12345", driving_licence_number=" NOT-A-LICENCE ", postcode="nowhere"
    )
    assert created.status_code == 201, created.json
    kept = ("12345", "NOT-A-LICENCE", "nowhere")
    assert (
        created.json["ni_number"],
        created.json["driving_licence_number"],
        created.json["postcode"],
    ) == kept
    flagged = [
        {"field": "postcode", "warning": "not valid"},
        {"field": "ni_number", "warning": "not valid"},
        {"field": "driving_licence_number", "warning": "not valid"},
    ]
    assert created.json["warnings"] == flagged
    shown = client.get(created.headers["Location"], headers=bearer(key)).json
    assert shown["warnings"] == flagged and shown["ni_number"] == "12345"
    listed = client.get("/api/v1/applications", headers=bearer(key)).json["items"]
    assert listed[0]["warnings"] == flagged


def test_a_valid_licence_number_for_another_surname_is_a_warning_on_the_record(client, session):
    key = council_key(session)
    created = apply(client, key, family_name="Smith")
    assert created.json["warnings"] == [
        {"field": "driving_licence_number", "warning": "encodes another surname (HUSSA)"}
    ]


@pytest.mark.parametrize(
    ("written", "read"),
    [
        ("18/05/1960", "1960-05-18"),
        ("5/6/1960", "1960-06-05"),
        ("18 May 1960", "1960-05-18"),
        ("1960-05-18", "1960-05-18"),
    ],
)
def test_dates_are_read_in_the_uk_forms(client, session, written, read):
    created = apply(client, council_key(session), date_of_birth=written, driving_licence_number=None)
    assert created.status_code == 201, created.json
    assert created.json["date_of_birth"] == read


@pytest.mark.parametrize(
    ("field", "written", "says"),
    [
        ("date_of_birth", "05/18/1960", "day first"),
        ("date_of_birth", "18/05/60", "write the year in full"),
        ("date_of_birth", "soon", "YYYY-MM-DD"),
        ("date_of_birth", "1899-12-31", "between 1 January 1900"),
        ("date_of_birth", utcnow().date().isoformat(), "between 1 January 1900"),
        ("received_on", "2099-01-01", "future"),
        ("received_on", "0001-01-01", "1 January 1900"),
    ],
)
def test_a_date_that_cannot_be_read_or_is_out_of_range_is_422_naming_it(
    client, session, field, written, says
):
    response = apply(client, council_key(session), **{field: written})
    assert (response.status_code, response.mimetype) == (422, PROBLEM), response.json
    [error] = [e for e in response.json["errors"] if e["field"] == field]
    assert says in error["message"]
    assert session.exec(select(Application)).all() == []


def test_an_identifier_longer_than_its_column_is_422(client, session):
    response = apply(client, council_key(session), ni_number="X" * 21)
    assert response.status_code == 422 and response.json["errors"][0]["field"] == "ni_number"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"kind": "transfer"}, "kind"),
        ({"licence_type": "bus"}, "licence_type"),
        ({"given_names": ""}, "given_names"),
    ],
)
def test_bad_application_is_422_and_writes_nothing(client, session, overrides, field):
    response = apply(client, council_key(session), **overrides)
    assert (response.status_code, response.mimetype) == (422, PROBLEM)
    assert field in {e["field"] for e in response.json["errors"]}
    assert session.exec(select(MatchKey)).all() == []


def test_list_shows_only_own_applications_newest_first(client, session):
    key = council_key(session)
    for n in range(3):
        apply(client, key, ref=f"APP-{n}")
    apply(client, council_key(session), ref="ELSEWHERE")
    listed = client.get("/api/v1/applications?limit=2", headers=bearer(key)).json
    assert [a["ref"] for a in listed["items"]] == ["APP-2", "APP-1"]
    url = f"/api/v1/applications?cursor={listed['next_cursor']}"
    following = client.get(url, headers=bearer(key)).json
    assert ([a["ref"] for a in following["items"]], following["next_cursor"]) == (["APP-0"], None)


def test_withdrawn_application_cannot_be_refused_or_rescreened(client, session):
    key = council_key(session)
    app_id = apply(client, key).json["id"]
    withdrawn = client.post(f"/api/v1/applications/{app_id}/withdraw", headers=bearer(key))
    assert withdrawn.json["status"] == "withdrawn"
    assert (
        client.post(
            f"/api/v1/applications/{app_id}/refuse", json={"category": "driving"}, headers=bearer(key)
        ).status_code
        == 409
    )
    assert client.post(f"/api/v1/applications/{app_id}/rescreen", headers=bearer(key)).status_code == 409
    gate = client.get(f"/api/v1/applications/{app_id}/gate", headers=bearer(key)).json
    assert gate["allowed"] is False and gate["reasons"][0] == "The application is withdrawn."


def test_refusal_records_its_register_entry_by_default_for_other_councils_to_find(client, session):
    authority = make_authority(session)
    key = council_key(session, authority.id)
    app_id = apply(client, key, kind="renewal").json["id"]
    refused = client.post(
        f"/api/v1/applications/{app_id}/refuse", json={"category": "violence"}, headers=bearer(key)
    )
    assert refused.status_code == 200, refused.json
    assert refused.json["status"] == "refused" and refused.json["decided_on"]
    entry = session.exec(select(RegisterEntry)).one()
    assert (entry.authority_id, entry.decision, entry.ref) == (authority.id, "refusal_of_renewal", "APP-1")
    assert (entry.category, entry.decided_on.isoformat()) == ("violence", refused.json["decided_on"])
    actions = [e.action for e in session.exec(select(AuditEvent).order_by(AuditEvent.id))]
    assert actions[-2:] == ["application.refused", "register_entry.recorded"]
    elsewhere = apply(client, council_key(session)).json
    assert elsewhere["screening"]["bands"]["match"] == 1


def test_refusal_without_a_category_or_a_reason_not_to_record_is_refused(client, session):
    key = council_key(session)
    app_id = apply(client, key).json["id"]
    response = client.post(f"/api/v1/applications/{app_id}/refuse", json={}, headers=bearer(key))
    assert (response.status_code, response.mimetype) == (422, PROBLEM)
    assert [e["field"] for e in response.json["errors"]] == ["category"]
    session.rollback()
    assert session.exec(select(Application)).one().status == "pending"
    assert session.exec(select(RegisterEntry)).all() == []


def test_refusal_not_resting_on_relevant_information_records_no_entry_and_audits_why(client, session):
    key = council_key(session)
    app_id = apply(client, key).json["id"]
    reason = "Failed the knowledge test; no relevant information (s.2(1))."
    body = {"record_register_entry": False, "not_recorded_reason": reason}
    response = client.post(f"/api/v1/applications/{app_id}/refuse", json=body, headers=bearer(key))
    assert response.status_code == 200, response.json
    assert session.exec(select(RegisterEntry)).all() == []
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "application.refused")).one()
    assert event.reason == reason


def test_refusal_whose_entry_cannot_be_recorded_leaves_the_application_pending(client, session):
    authority = make_authority(session)
    key = council_key(session, authority.id)
    make_register_entry(session, authority_id=authority.id, ref="APP-1")  # the reference is taken
    app_id = apply(client, key).json["id"]
    response = client.post(
        f"/api/v1/applications/{app_id}/refuse", json={"category": "driving"}, headers=bearer(key)
    )
    assert (response.status_code, response.mimetype) == (409, PROBLEM)
    assert [e["field"] for e in response.json["errors"]] == ["register_ref"]
    session.rollback()
    assert session.exec(select(Application)).one().status == "pending"
    assert [e.action for e in session.exec(select(AuditEvent))].count("application.refused") == 0
    body = {"category": "driving", "register_ref": "APP-1-REFUSAL"}
    assert (
        client.post(f"/api/v1/applications/{app_id}/refuse", json=body, headers=bearer(key)).status_code
        == 200
    )


def test_a_key_without_council_decide_cannot_refuse(client, session):
    authority = make_authority(session)
    app_id = apply(client, council_key(session, authority.id)).json["id"]
    key = council_key(session, authority.id, scopes=["council:read", "council:write"])
    response = client.post(
        f"/api/v1/applications/{app_id}/refuse", json={"category": "driving"}, headers=bearer(key)
    )
    assert (response.status_code, response.mimetype) == (403, PROBLEM)
    session.rollback()
    assert session.exec(select(Application)).one().status == "pending"


OBJECT_CALLS = [
    ("get", "/api/v1/applications/{app}", None),
    ("get", "/api/v1/applications/{app}/gate", None),
    ("post", "/api/v1/applications/{app}/withdraw", None),
    ("post", "/api/v1/applications/{app}/refuse", {"category": "driving"}),
    ("post", "/api/v1/applications/{app}/rescreen", None),
    ("post", "/api/v1/applications/{app}/grant", GRANT),
    ("get", "/api/v1/screenings/{screening}", None),
    (
        "post",
        "/api/v1/screenings/{screening}/candidates/{candidate}/resolve",
        {"resolution": "same_person", "reason": "x"},
    ),
]


@pytest.mark.parametrize(("method", "url", "body"), OBJECT_CALLS)
def test_another_councils_key_gets_404_on_the_application_and_its_screening(
    client, session, method, url, body
):
    revoked_elsewhere(session)
    created = apply(client, council_key(session)).json
    screening_id = created["screening"]["id"]
    candidate_id = _first_candidate(session, screening_id)
    path = url.format(app=created["id"], screening=screening_id, candidate=candidate_id)
    response = getattr(client, method)(path, json=body, headers=bearer(council_key(session)))
    assert (response.status_code, response.mimetype) == (404, PROBLEM)


@pytest.mark.parametrize(("method", "url", "body"), [*OBJECT_CALLS, ("get", "/api/v1/applications", None)])
def test_police_key_gets_403_on_every_application_and_screening_call(client, session, method, url, body):
    created = apply(client, council_key(session)).json
    force = make_police_force(session)
    _, key = make_api_client(session, police_force_id=force.id, scopes=["police:intelligence"])
    path = url.format(app=created["id"], screening=created["screening"]["id"], candidate=1)
    response = getattr(client, method)(path, json=body, headers=bearer(key))
    assert (response.status_code, response.mimetype) == (403, PROBLEM)


def test_police_key_cannot_create_an_application(client, session):
    force = make_police_force(session)
    _, key = make_api_client(session, police_force_id=force.id, scopes=["police:intelligence"])
    assert apply(client, key).status_code == 403
    assert session.exec(select(Application)).all() == []


def test_read_only_council_key_cannot_create_an_application(client, session):
    assert apply(client, council_key(session, scopes=["council:read"])).status_code == 403


def _first_candidate(session, screening_id: int) -> int:
    """Return the id of a screening's first candidate."""
    return session.exec(
        select(ScreeningCandidate.id).where(ScreeningCandidate.screening_id == screening_id)
    ).first()


def test_another_council_cannot_record_a_decision_on_the_application(client, session):
    revoked_elsewhere(session)
    created = apply(client, council_key(session)).json
    candidate_id = _first_candidate(session, created["screening"]["id"])
    body = {"candidate_id": candidate_id, "reason": "Not ours to decide."}
    url = f"/api/v1/applications/{created['id']}/adverse-decisions"
    response = client.post(url, json=body, headers=bearer(council_key(session, scopes=DECIDE)))
    assert (response.status_code, response.mimetype) == (404, PROBLEM)
    force = make_police_force(session)
    _, police_key = make_api_client(session, police_force_id=force.id, scopes=["police:intelligence"])
    assert client.post(url, json=body, headers=bearer(police_key)).status_code == 403


def test_a_candidate_not_in_the_latest_screening_is_a_422_on_candidate_id(client, session):
    # A 404 would say the application in the URL is gone, which it is not.
    revoked_elsewhere(session)
    key = council_key(session, scopes=DECIDE)
    created = apply(client, key).json
    url = f"/api/v1/applications/{created['id']}/adverse-decisions"
    response = client.post(
        url, json={"candidate_id": 999_999, "reason": "No such record."}, headers=bearer(key)
    )
    assert (response.status_code, response.mimetype) == (422, PROBLEM)
    assert [e["field"] for e in response.json["errors"]] == ["candidate_id"]


def test_the_gate_audits_each_other_councils_record_it_names_but_not_the_councils_own(client, session):
    theirs = revoked_elsewhere(session)
    authority_id = make_authority(session).id
    make_register_entry(session, authority_id=authority_id, decision="refusal_of_grant", ref="OURS")
    key = council_key(session, authority_id)
    created = apply(client, key).json
    gate = client.get(f"/api/v1/applications/{created['id']}/gate", headers=bearer(key)).json
    assert len(gate["adverse_records"]) == 2
    viewed = session.exec(select(AuditEvent).where(AuditEvent.action == "register_entry.viewed")).all()
    assert [(e.record_id, e.detail["candidate_id"]) for e in viewed] == [
        (theirs.id, next(a["candidate_id"] for a in gate["adverse_records"] if a["record_id"] == theirs.id))
    ]

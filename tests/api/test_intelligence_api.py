"""Police intelligence through the API: forces push and withdraw their own, councils read theirs."""

from sqlalchemy import func, select

from licensing.persistence.models import Alert, AuditEvent, Intelligence, IntelligenceRoute
from licensing.persistence.pages import encode_cursor
from tests.api.test_auth import bearer
from tests.factories import identity, make_api_client, make_authority, make_police_force
from tests.licensing.test_intelligence import UNRELATED, applying, licensed

RESTRICTED = "Restricted detail only the force may read"


def item(**overrides) -> dict:
    """Return a pushed item's JSON body for the default identity."""
    person = identity() | {"date_of_birth": "1985-03-14"}
    fields = person | {"category": "arrest", "occurred_on": "2026-11-20"}
    fields |= {"summary": RESTRICTED, "shareable_summary": "Arrested; released on bail."}
    return fields | overrides


def unrelated() -> dict:
    """Return the unrelated identity as JSON fields."""
    return UNRELATED | {"date_of_birth": UNRELATED["date_of_birth"].isoformat()}


def police_key(session, force=None) -> str:
    """Return a police key (of a new force unless one is given)."""
    force = force or make_police_force(session)
    return make_api_client(session, police_force_id=force.id, scopes=["police:intelligence"])[1]


def council_key(session, authority) -> str:
    """Return a council key of `authority`."""
    return make_api_client(session, authority_id=authority.id, scopes=["council:read", "council:write"])[1]


def only_id(session) -> int:
    """Return the id of the one intelligence item, ending the read so the app can write."""
    found = session.scalars(select(Intelligence.id)).one()
    session.rollback()
    return found


def count(session, model) -> int:
    """Count the rows of `model`, reading fresh."""
    session.rollback()
    return session.scalar(select(func.count()).select_from(model))


def test_push_routes_to_the_licensing_council_only_and_shows_it_by_name(client, session):
    a = make_authority(session, name="Alpha Borough Council")
    b = make_authority(session, name="Beta District Council")
    licence = licensed(session, a)
    licensed(session, b, **UNRELATED)
    response = client.put("/api/v1/intelligence/WMP-2026-1", json=item(), headers=bearer(police_key(session)))
    assert response.status_code == 201
    assert response.headers["Location"].endswith("/api/v1/intelligence/WMP-2026-1")
    assert response.json["result"] == "created"
    assert [r["name"] for r in response.json["routed_to"]] == ["Alpha Borough Council"]
    assert response.json["routed_to"][0]["routed_at"].endswith("+00:00")
    assert all(set(route) == {"code", "name", "routed_at"} for route in response.json["routed_to"])
    assert licence.ref not in response.get_data(as_text=True)


def test_same_body_twice_is_one_record_one_route_and_unchanged(client, session):
    licensed(session, make_authority(session))
    key = police_key(session)
    client.put("/api/v1/intelligence/R-1", json=item(), headers=bearer(key))
    again = client.put("/api/v1/intelligence/R-1", json=item(), headers=bearer(key))
    assert again.status_code == 200 and "Location" not in again.headers
    assert (again.json["result"], again.json["changed"]) == ("unchanged", [])
    assert count(session, Intelligence) == 1 and count(session, IntelligenceRoute) == 1
    assert count(session, Alert) == 1


def test_identifiers_written_differently_are_the_same_body(client, session):
    key = police_key(session)
    client.put("/api/v1/intelligence/R-1", json=item(), headers=bearer(key))
    spaced = item(ni_number="ab 12 34 56 c", postcode="wv11aa")
    assert (
        client.put("/api/v1/intelligence/R-1", json=spaced, headers=bearer(key)).json["result"] == "unchanged"
    )


def test_an_invalid_identifier_is_kept_flagged_and_cleared_when_corrected(client, session):
    key = police_key(session)
    created = client.put("/api/v1/intelligence/R-1", json=item(ni_number="12345"), headers=bearer(key))
    assert created.status_code == 201, created.json
    shown = client.get("/api/v1/intelligence/R-1", headers=bearer(key)).json
    assert shown["ni_number"] == "12345"
    assert shown["warnings"] == [{"field": "ni_number", "warning": "not valid"}]
    corrected = client.put("/api/v1/intelligence/R-1", json=item(), headers=bearer(key))
    assert corrected.json["changed"] == ["ni_number"]
    assert client.get("/api/v1/intelligence/R-1", headers=bearer(key)).json["warnings"] == []


def test_batch_items_keep_and_flag_invalid_identifiers_and_refuse_unreadable_dates(client, session):
    key = police_key(session)
    items = [
        item(force_reference="B-1", driving_licence_number="NOT-A-LICENCE"),
        item(force_reference="B-2", date_of_birth="14/03/85"),
    ]
    response = client.post("/api/v1/intelligence/batch", json={"items": items}, headers=bearer(key))
    results = {r["force_reference"]: r for r in response.json["results"]}
    assert results["B-1"]["status"] == "created"
    assert results["B-2"]["status"] == "error"
    assert "write the year in full" in results["B-2"]["errors"][0]["message"]
    shown = client.get("/api/v1/intelligence/B-1", headers=bearer(key)).json
    assert shown["warnings"] == [{"field": "driving_licence_number", "warning": "not valid"}]


def test_update_reroutes_and_reports_what_changed(client, session):
    a, c = make_authority(session, name="Alpha"), make_authority(session, name="Gamma")
    licensed(session, a)
    key = police_key(session)
    client.put("/api/v1/intelligence/R-1", json=item(), headers=bearer(key))
    applying(session, c)
    response = client.put("/api/v1/intelligence/R-1", json=item(category="charge"), headers=bearer(key))
    assert response.status_code == 200
    assert (response.json["result"], response.json["changed"]) == ("updated", ["category"])
    assert [r["name"] for r in response.json["routed_to"]] == ["Alpha", "Gamma"]


def test_withdrawal_tells_every_routed_council(client, session):
    a, b = make_authority(session), make_authority(session)
    licensed(session, a)
    applying(session, b)
    key = police_key(session)
    client.put("/api/v1/intelligence/R-1", json=item(), headers=bearer(key))
    response = client.post(
        "/api/v1/intelligence/R-1/withdraw", json={"reason": "No further action"}, headers=bearer(key)
    )
    assert response.status_code == 200
    assert (response.json["status"], response.json["withdrawn_reason"]) == ("withdrawn", "No further action")
    session.rollback()
    withdrawn = session.scalars(select(Alert).where(Alert.alert_type == "intelligence.withdrawn")).all()
    assert sorted(alert.authority_id for alert in withdrawn) == sorted([a.id, b.id])
    assert all(set(alert.payload) == {"type", "alert_id", "subject"} for alert in withdrawn)


def test_withdrawal_needs_a_reason(client, session):
    key = police_key(session)
    client.put("/api/v1/intelligence/R-1", json=item(), headers=bearer(key))
    response = client.post("/api/v1/intelligence/R-1/withdraw", json={}, headers=bearer(key))
    assert response.status_code == 422
    assert response.json["errors"][0]["field"] == "reason"


def test_batch_with_bad_items_writes_the_others_and_nothing_of_the_bad(client, session):
    licensed(session, make_authority(session))
    items = [
        item(force_reference="B-1"),
        item(force_reference="B-2", category="rumour"),
        item(force_reference="B-3", given_names=""),
        {"force_reference": "B-4"},
        item(force_reference="B-5", **unrelated()),
    ]
    response = client.post(
        "/api/v1/intelligence/batch", json={"items": items}, headers=bearer(police_key(session))
    )
    assert response.status_code == 200
    results = response.json["results"]
    assert [(r["force_reference"], r["status"]) for r in results] == [
        ("B-1", "created"),
        ("B-2", "error"),
        ("B-3", "error"),
        ("B-4", "error"),
        ("B-5", "created"),
    ]
    assert results[1]["errors"][0]["field"] == "category"
    assert {e["field"] for e in results[3]["errors"]} >= {"category", "occurred_on", "given_names"}
    session.rollback()
    assert set(session.scalars(select(Intelligence.force_reference))) == {"B-1", "B-5"}
    assert count(session, IntelligenceRoute) == 1


def test_batch_repeated_is_unchanged_item_by_item(client, session):
    key = police_key(session)
    items = [item(force_reference="B-1"), item(force_reference="B-2", category="caution")]
    client.post("/api/v1/intelligence/batch", json={"items": items}, headers=bearer(key))
    items[1]["category"] = "conviction"
    response = client.post("/api/v1/intelligence/batch", json={"items": items}, headers=bearer(key))
    assert [r["status"] for r in response.json["results"]] == ["unchanged", "updated"]


def test_batch_over_1000_items_is_refused_with_a_clear_message(client, session):
    items = [{"force_reference": f"R{i}"} for i in range(1001)]
    response = client.post(
        "/api/v1/intelligence/batch", json={"items": items}, headers=bearer(police_key(session))
    )
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert response.json["errors"] == [
        {"field": "items", "message": "A batch holds between 1 and 1,000 items; split it."}
    ]
    assert count(session, Intelligence) == 0


def test_another_force_gets_404_on_read_withdraw_and_sees_nothing_change(client, session):
    key_a, key_b = police_key(session), police_key(session)
    client.put("/api/v1/intelligence/R-1", json=item(), headers=bearer(key_a))
    assert client.get("/api/v1/intelligence/R-1", headers=bearer(key_b)).status_code == 404
    withdraw = client.post("/api/v1/intelligence/R-1/withdraw", json={"reason": "x"}, headers=bearer(key_b))
    assert withdraw.status_code == 404
    own = client.get("/api/v1/intelligence/R-1", headers=bearer(key_a))
    assert own.status_code == 200 and own.json["status"] == "active" and own.json["summary"] == RESTRICTED


def test_council_keys_are_refused_on_police_endpoints(client, session):
    key = council_key(session, make_authority(session))
    calls = [
        client.put("/api/v1/intelligence/R-1", json=item(), headers=bearer(key)),
        client.get("/api/v1/intelligence/R-1", headers=bearer(key)),
        client.post("/api/v1/intelligence/R-1/withdraw", json={"reason": "x"}, headers=bearer(key)),
        client.post("/api/v1/intelligence/batch", json={"items": [item()]}, headers=bearer(key)),
    ]
    assert [c.status_code for c in calls] == [403, 403, 403, 403]
    assert count(session, Intelligence) == 0


def test_police_keys_are_refused_on_council_endpoints(client, session):
    a = make_authority(session)
    licensed(session, a)
    key = police_key(session)
    pushed = client.put("/api/v1/intelligence/R-1", json=item(), headers=bearer(key))
    assert pushed.status_code == 201
    intelligence_id = only_id(session)
    assert client.get("/api/v1/intelligence", headers=bearer(key)).status_code == 403
    assert (
        client.get(f"/api/v1/routed-intelligence/{intelligence_id}", headers=bearer(key)).status_code == 403
    )


def test_council_lists_what_was_routed_to_it_without_the_summary(client, session):
    a, b = make_authority(session), make_authority(session)
    force = make_police_force(session, name="West Midlands Police")
    licence = licensed(session, a)
    licensed(session, b, **UNRELATED)
    key = police_key(session, force)
    client.put("/api/v1/intelligence/R-1", json=item(), headers=bearer(key))
    client.put("/api/v1/intelligence/R-2", json=item(**unrelated()), headers=bearer(key))
    response = client.get("/api/v1/intelligence", headers=bearer(council_key(session, a)))
    assert response.status_code == 200
    assert RESTRICTED not in response.get_data(as_text=True)
    assert '"summary"' not in response.get_data(as_text=True)
    (only,) = response.json["items"]
    assert set(only) == {
        "id",
        "category",
        "occurred_on",
        "force_name",
        "force_reference",
        "shareable_summary",
        "status",
        "routed_at",
        "matches",
    }
    assert (only["force_name"], only["force_reference"]) == ("West Midlands Police", "R-1")
    assert only["matches"] == [{"kind": "licence", "id": licence.id}]
    assert response.json["next_cursor"] is None


def test_council_reads_a_routed_item_but_gets_404_for_one_not_routed_to_it(client, session):
    a, b = make_authority(session), make_authority(session)
    licensed(session, a)
    client.put("/api/v1/intelligence/R-1", json=item(), headers=bearer(police_key(session)))
    intelligence_id = only_id(session)
    path = f"/api/v1/routed-intelligence/{intelligence_id}"
    own = client.get(path, headers=bearer(council_key(session, a)))
    assert own.status_code == 200 and own.json["id"] == intelligence_id
    assert RESTRICTED not in own.get_data(as_text=True) and '"summary"' not in own.get_data(as_text=True)
    other = client.get(path, headers=bearer(council_key(session, b)))
    assert other.status_code == 404
    assert (
        other.json["detail"]
        == client.get("/api/v1/routed-intelligence/999999", headers=bearer(council_key(session, b))).json[
            "detail"
        ]
    )


def test_withdrawn_item_stays_visible_to_the_council_as_withdrawn_without_the_reason(client, session):
    a = make_authority(session)
    licensed(session, a)
    key = police_key(session)
    client.put("/api/v1/intelligence/R-1", json=item(), headers=bearer(key))
    client.post("/api/v1/intelligence/R-1/withdraw", json={"reason": "Victim withdrew"}, headers=bearer(key))
    response = client.get("/api/v1/intelligence", headers=bearer(council_key(session, a)))
    assert response.json["items"][0]["status"] == "withdrawn"
    assert "Victim withdrew" not in response.get_data(as_text=True)


def test_every_council_view_writes_an_audit_event(client, session):
    a = make_authority(session)
    licensed(session, a)
    client.put("/api/v1/intelligence/R-1", json=item(), headers=bearer(police_key(session)))
    intelligence_id = only_id(session)
    key = council_key(session, a)
    client.get("/api/v1/intelligence", headers=bearer(key))
    client.get(f"/api/v1/routed-intelligence/{intelligence_id}", headers=bearer(key))
    session.rollback()
    viewed = session.scalars(select(AuditEvent).where(AuditEvent.action == "intelligence.viewed")).all()
    assert [(e.authority_id, e.record_id, e.actor_kind) for e in viewed] == [
        (a.id, intelligence_id, "api_client"),
        (a.id, intelligence_id, "api_client"),
    ]


def test_batch_item_that_is_not_an_object_is_reported_alone(client, session):
    items = [None, "R-1", item(force_reference="B-1")]
    response = client.post(
        "/api/v1/intelligence/batch", json={"items": items}, headers=bearer(police_key(session))
    )
    assert response.status_code == 200
    assert [r["status"] for r in response.json["results"]] == ["error", "error", "created"]


def test_ids_beyond_the_column_range_are_simply_not_found(client, session):
    key = council_key(session, make_authority(session))
    assert client.get("/api/v1/routed-intelligence/99999999999999", headers=bearer(key)).status_code == 404
    cursor = encode_cursor("routed_intelligence", (99999999999999,))
    assert client.get(f"/api/v1/intelligence?cursor={cursor}", headers=bearer(key)).status_code == 422


def test_the_batch_url_reaches_only_the_batch_endpoint(client, session):
    """GET and OPTIONS of the batch URL fell through to the item route, as if `batch` were a reference."""
    key = bearer(police_key(session))
    options = client.options("/api/v1/intelligence/batch", headers=key)
    assert options.status_code == 200
    assert set(options.headers["Allow"].split(", ")) == {"POST", "OPTIONS"}
    for method in ("GET", "PUT", "DELETE"):
        response = client.open("/api/v1/intelligence/batch", method=method, json=item(), headers=key)
        assert response.status_code == 405, method
        assert response.mimetype == "application/problem+json"
        assert set(response.headers["Allow"].split(", ")) == {"POST", "OPTIONS"}
    assert (
        client.post("/api/v1/intelligence/batch/withdraw", json={"reason": "x"}, headers=key).status_code
        == 404
    )
    assert count(session, Intelligence) == 0


def test_a_batch_item_cannot_take_the_batch_endpoints_name(client, session):
    items = [item(force_reference="batch")]
    response = client.post(
        "/api/v1/intelligence/batch", json={"items": items}, headers=bearer(police_key(session))
    )
    assert response.json["results"][0]["status"] == "error"
    assert response.json["results"][0]["errors"] == [
        {"field": "force_reference", "message": "'batch' names the batch endpoint; use another."}
    ]


def test_a_reference_longer_than_any_stored_is_not_found_whatever_its_if_match(client, session):
    """schemathesis: a 65-character reference with If-Match: * got 412, though it is invalid input."""
    key = bearer(police_key(session))
    response = client.put("/api/v1/intelligence/" + "R" * 65, json=item(), headers=key | {"If-Match": "*"})
    assert response.status_code == 404
    assert client.put("/api/v1/intelligence/" + "R" * 64, json=item(), headers=key).status_code == 201

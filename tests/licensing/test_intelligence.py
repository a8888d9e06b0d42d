"""Police intelligence: idempotent pushes, routing to the councils that license the person, withdrawal."""

from datetime import date

import pytest
from sqlalchemy import func, select

from licensing.actors import Actor
from licensing.errors import Forbidden, InvalidTransition, NotFound, ValidationFailed
from licensing.intelligence.council_views import routed_item, routed_to_council
from licensing.intelligence.routing import (
    BatchItem,
    force_view,
    push_batch,
    push_intelligence,
    withdraw_intelligence,
)
from licensing.matching import person_from
from licensing.persistence.models import (
    Alert,
    Application,
    AuditEvent,
    Intelligence,
    IntelligenceRoute,
    Licence,
    MatchKey,
    Screening,
)
from licensing.screening.key_index import KIND_CODES, index_record, key_hash, keys_of
from tests.factories import NOW, identity, make_authority, make_police_force
from tests.units import in_unit

UNRELATED = {
    "given_names": "Gareth",
    "family_name": "Llewellyn",
    "date_of_birth": date(1970, 1, 1),
    "ni_number": "CE654321A",
    "driving_licence_number": "LLEWE701010G99CD",
    "postcode": "CF10 1AA",
    "address": "3 Other Road, Elsewhere",
}


def licensed(session, authority, status="active", **overrides) -> Licence:
    """Create a licence of `authority` (default identity) with its match keys."""
    n = session.scalar(select(func.count()).select_from(Licence)) + 1
    fields = identity() | {"authority_id": authority.id, "ref": f"LIC-{n}", "badge_number": f"B{n}"}
    fields |= {"licence_type": "phv", "granted_on": date(2025, 1, 1), "expires_on": date(2028, 1, 1)}
    fields |= {"status": status, "created_at": NOW, "updated_at": NOW}
    return _indexed(session, "licence", Licence(**(fields | overrides)))


def applying(session, authority, status="pending", **overrides) -> Application:
    """Create an application to `authority` (default identity) with its match keys."""
    n = session.scalar(select(func.count()).select_from(Application)) + 1
    fields = identity() | {
        "authority_id": authority.id,
        "ref": f"APP-{n}",
        "kind": "new",
        "licence_type": "phv",
    }
    fields |= {"status": status, "received_on": date(2026, 11, 1), "created_at": NOW, "updated_at": NOW}
    return _indexed(session, "application", Application(**(fields | overrides)))


def _indexed(session, kind, record):
    session.add(record)
    session.flush()
    index_record(session, kind, record)
    session.commit()
    return record


def police(force) -> Actor:
    """Return a police force's API client."""
    scopes = frozenset({"police:intelligence"})
    return Actor(
        kind="api_client", id=90 + force.id, label="Force system", police_force_id=force.id, scopes=scopes
    )


def council(authority) -> Actor:
    """Return a council's API client."""
    scopes = frozenset({"council:read"})
    return Actor(
        kind="api_client", id=authority.id, label="Council CRM", authority_id=authority.id, scopes=scopes
    )


def body(**overrides) -> dict:
    """Return a pushed item's fields for the default identity."""
    fields = identity() | {"category": "arrest", "occurred_on": date(2026, 11, 20)}
    fields |= {
        "summary": "Arrested on suspicion; restricted detail.",
        "shareable_summary": "Arrested; on bail.",
    }
    return fields | overrides


def routes(session, intelligence_id=None) -> dict[int, IntelligenceRoute]:
    """Return the routes (of one item, or all) by authority id."""
    query = select(IntelligenceRoute)
    if intelligence_id is not None:
        query = query.where(IntelligenceRoute.intelligence_id == intelligence_id)
    return {r.authority_id: r for r in session.scalars(query)}


def alerts(session) -> list[tuple[int, str]]:
    """Return every alert as (authority id, type), in order."""
    return [(a.authority_id, a.alert_type) for a in session.scalars(select(Alert).order_by(Alert.id))]


def count(session, model) -> int:
    """Count the rows of `model`."""
    return session.scalar(select(func.count()).select_from(model))


def test_push_routes_to_the_council_licensing_the_person_only(session, now):
    a, b, force = make_authority(session), make_authority(session), make_police_force(session)
    licence = licensed(session, a)
    licensed(session, b, **UNRELATED)
    result = push_intelligence(session, police(force), "WMP-1", body(), now)
    assert result.status == "created"
    routed = routes(session)
    assert set(routed) == {a.id}
    assert routed[a.id].matches == [{"kind": "licence", "id": licence.id}]
    assert routed[a.id].score >= 0.9
    assert alerts(session) == [(a.id, "intelligence.routed")]
    alert = session.scalars(select(Alert)).one()
    assert alert.payload["subject"] == {"kind": "intelligence", "id": result.intelligence.id}


def test_pending_application_is_routed_but_revoked_licence_and_refused_application_are_not(session, now):
    a, b, c = (make_authority(session) for _ in range(3))
    force = make_police_force(session)
    application = applying(session, a)
    licensed(session, b, status="revoked")
    applying(session, c, status="refused")
    push_intelligence(session, police(force), "WMP-1", body(), now)
    routed = routes(session)
    assert set(routed) == {a.id}
    assert routed[a.id].matches == [{"kind": "application", "id": application.id}]


def test_routing_is_audited_without_a_screening_row_or_personal_data(session, now):
    a, force = make_authority(session), make_police_force(session)
    licensed(session, a)
    item = push_intelligence(session, police(force), "WMP-1", body(), now).intelligence
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "intelligence.routed")).one()
    assert (event.record_kind, event.record_id) == ("intelligence", item.id)
    assert event.detail["routed_to"] == [a.id] and event.detail["purpose"] == "intelligence"
    assert "Hussain" not in str(event.detail) and "AB123456C" not in str(event.detail)
    assert count(session, Screening) == 0


def test_same_body_twice_is_one_record_one_route_and_unchanged(session, now):
    a, force = make_authority(session), make_police_force(session)
    licensed(session, a)
    push_intelligence(session, police(force), "WMP-1", body(), now)
    again = push_intelligence(session, police(force), "WMP-1", body(), now)
    assert again.status == "unchanged"
    assert count(session, Intelligence) == 1 and count(session, IntelligenceRoute) == 1
    assert alerts(session) == [(a.id, "intelligence.routed")]


def test_changed_body_updates_and_reroutes_keeping_existing_routes(session, now):
    a, c, force = make_authority(session), make_authority(session), make_police_force(session)
    licensed(session, a)
    item = push_intelligence(session, police(force), "WMP-1", body(), now).intelligence
    applying(session, c)  # the person applies to a second council after the first push
    result = push_intelligence(session, police(force), "WMP-1", body(category="charge"), now)
    assert (result.status, result.changed) == ("updated", ["category"])
    assert set(routes(session, item.id)) == {a.id, c.id}
    assert alerts(session)[1:] == [(a.id, "intelligence.updated"), (c.id, "intelligence.routed")]
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "intelligence.updated")).one()
    assert event.detail == {"changed": ["category"]}
    assert session.get(Intelligence, item.id).category == "charge"


def test_changed_identity_is_reindexed(session, now):
    force = make_police_force(session)
    item = push_intelligence(session, police(force), "WMP-1", body(), now).intelligence
    push_intelligence(session, police(force), "WMP-1", body(**UNRELATED), now)
    keys = set(session.scalars(select(MatchKey.key_hash).where(MatchKey.record_id == item.id)))
    indexed = keys_of(person_from(session.get(Intelligence, item.id)))
    assert keys == indexed.keys and key_hash("nd:llewellyn:1970-01-01") in keys
    assert key_hash("sn:llewellyn") in indexed.names and key_hash("sn:hussain") not in indexed.names


def test_withdrawal_alerts_every_routed_council_once(session, now):
    a, b, force = make_authority(session), make_authority(session), make_police_force(session)
    licensed(session, a)
    applying(session, b)
    push_intelligence(session, police(force), "WMP-1", body(), now)
    item = withdraw_intelligence(session, police(force), "WMP-1", "No further action", now).intelligence
    assert (item.status, item.withdrawn_reason) == ("withdrawn", "No further action")
    withdrawn = [alert for alert in alerts(session) if alert[1] == "intelligence.withdrawn"]
    assert sorted(withdrawn) == sorted([(a.id, "intelligence.withdrawn"), (b.id, "intelligence.withdrawn")])
    withdraw_intelligence(session, police(force), "WMP-1", "No further action", now)
    assert len(alerts(session)) == 4
    assert count(session, MatchKey) == session.scalar(
        select(func.count()).select_from(MatchKey).where(MatchKey.record_kind != KIND_CODES["intelligence"])
    )


def test_withdrawn_item_accepts_its_original_body_but_no_change(session, now):
    force = make_police_force(session)
    push_intelligence(session, police(force), "WMP-1", body(), now)
    withdraw_intelligence(session, police(force), "WMP-1", "No further action", now)
    assert push_intelligence(session, police(force), "WMP-1", body(), now).status == "unchanged"
    with pytest.raises(InvalidTransition):
        push_intelligence(session, police(force), "WMP-1", body(category="charge"), now)


def test_another_force_cannot_read_or_withdraw_the_item(session, now):
    force_a, force_b = make_police_force(session), make_police_force(session)
    push_intelligence(session, police(force_a), "REF-1", body(), now)
    with pytest.raises(NotFound):
        force_view(session, police(force_b), "REF-1")
    with pytest.raises(NotFound):
        withdraw_intelligence(session, police(force_b), "REF-1", "No further action", now)
    # The same reference from another force is that force's own, separate item.
    assert push_intelligence(session, police(force_b), "REF-1", body(), now).status == "created"
    assert count(session, Intelligence) == 2


def test_a_council_cannot_push(session, now):
    with pytest.raises(Forbidden):
        push_intelligence(session, council(make_authority(session)), "X-1", body(), now)


def test_force_view_names_the_councils_without_the_matched_records(session, now):
    a = make_authority(session, name="Alpha Borough Council")
    force = make_police_force(session)
    licensed(session, a)
    push_intelligence(session, police(force), "WMP-1", body(), now)
    view = force_view(session, police(force), "WMP-1")
    assert view.routed_to == [{"code": a.code, "name": "Alpha Borough Council", "routed_at": now}]


def test_bad_batch_item_leaves_no_trace_and_others_are_written(session, now):
    a, force = make_authority(session), make_police_force(session)
    licensed(session, a)
    items = [
        BatchItem("B-1", body()),
        BatchItem("B-2", body(sex="Q")),
        BatchItem("B-3", body(category="caution")),
    ]
    results = in_unit(session.get_bind(), push_batch, police(force), items, now)
    assert [(r.force_reference, r.status) for r in results] == [
        ("B-1", "created"),
        ("B-2", "error"),
        ("B-3", "created"),
    ]
    assert results[1].errors == [{"field": "sex", "message": "Must be F, M or X (female, male), not 'Q'."}]
    refs = set(session.scalars(select(Intelligence.force_reference)))
    assert refs == {"B-1", "B-3"}
    logged = session.scalars(select(AuditEvent.record_id).where(AuditEvent.record_kind == "intelligence"))
    assert set(logged) == set(session.scalars(select(Intelligence.id)))
    assert count(session, IntelligenceRoute) == 2 and len(alerts(session)) == 2


def test_batch_reports_invalid_and_forbidden_items_per_item(session, now):
    force = make_police_force(session)
    push_intelligence(session, police(force), "OLD", body(), now)
    withdraw_intelligence(session, police(force), "OLD", "No further action", now)
    items = [
        BatchItem("OLD", body(category="charge")),
        BatchItem("NEW", body(category="gossip")),
        BatchItem(None, errors=[{"field": "force_reference", "message": "Required."}]),
        BatchItem("NEW-2", body()),
    ]
    results = push_batch(session, police(force), items, now)
    assert [r.status for r in results] == ["error", "error", "error", "created"]
    assert results[1].errors == [
        {"field": "category", "message": "One of arrest, charge, conviction, caution, clpd, other."}
    ]
    assert "withdrawn" in results[0].errors[0]["message"]


def test_batch_over_the_limit_is_refused_whole(session, now):
    force = make_police_force(session)
    with pytest.raises(ValidationFailed):
        push_batch(session, police(force), [BatchItem(f"R{i}", body()) for i in range(1001)], now)
    assert count(session, Intelligence) == 0


def test_council_lists_only_what_was_routed_to_it_and_never_the_summary(session, now):
    a, b, force = make_authority(session), make_authority(session), make_police_force(session)
    licence = licensed(session, a)
    licensed(session, b, **UNRELATED)
    push_intelligence(session, police(force), "WMP-1", body(), now)
    push_intelligence(session, police(force), "WMP-2", body(**UNRELATED), now)
    views, cursor = routed_to_council(session, council(a), now)
    assert cursor is None
    assert [(v.force_reference, v.force_name, v.matches) for v in views] == [
        ("WMP-1", force.name, [{"kind": "licence", "id": licence.id}])
    ]
    assert not hasattr(views[0], "summary")
    assert views[0].shareable_summary == "Arrested; on bail."


def test_council_listing_pages_by_cursor(session, now):
    a, force = make_authority(session), make_police_force(session)
    licensed(session, a)
    for n in range(3):
        push_intelligence(session, police(force), f"WMP-{n}", body(), now)
    first, cursor = routed_to_council(session, council(a), now, limit=2)
    rest, end = routed_to_council(session, council(a), now, before=cursor, limit=2)
    assert [v.force_reference for v in first + rest] == ["WMP-2", "WMP-1", "WMP-0"]
    assert end is None


def test_council_cannot_read_an_item_not_routed_to_it(session, now):
    a, b, force = make_authority(session), make_authority(session), make_police_force(session)
    licensed(session, a)
    item = push_intelligence(session, police(force), "WMP-1", body(), now).intelligence
    with pytest.raises(NotFound):
        routed_item(session, council(b), item.id, now)
    assert routed_item(session, council(a), item.id, now).id == item.id


def test_every_council_view_is_audited(session, now):
    a, force = make_authority(session), make_police_force(session)
    licensed(session, a)
    item = push_intelligence(session, police(force), "WMP-1", body(), now).intelligence
    routed_to_council(session, council(a), now)
    routed_item(session, council(a), item.id, now)
    viewed = session.scalars(select(AuditEvent).where(AuditEvent.action == "intelligence.viewed")).all()
    assert [(e.authority_id, e.record_id, e.detail["via"]) for e in viewed] == [
        (a.id, item.id, "list"),
        (a.id, item.id, "item"),
    ]

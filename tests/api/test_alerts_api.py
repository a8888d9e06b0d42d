"""Alerts API: a council lists its own alerts unread first with a cursor, reads one, marks it read."""

from datetime import timedelta

from licensing.alerts.outbox import raise_alert
from tests.api.test_auth import bearer
from tests.factories import NOW, make_api_client, make_authority

SCOPES = ["council:read", "council:write"]


def raise_some(session, authority_id, count) -> list[int]:
    """Raise `count` alerts for an authority, one a minute; return their ids."""
    ids = []
    for n in range(count):
        alert = raise_alert(
            session,
            authority_id=authority_id,
            alert_type="licence.expiring",
            subject_kind="licence",
            subject_id=n + 1,
            now=NOW + timedelta(minutes=n),
        )
        ids.append(alert.id)
    session.commit()
    return ids


def test_list_is_unread_first_newest_first_and_paged_by_cursor(client, session):
    authority = make_authority(session)
    key = bearer(make_api_client(session, authority_id=authority.id, scopes=SCOPES)[1])
    ids = raise_some(session, authority.id, 4)
    raise_some(session, make_authority(session).id, 2)  # another council's
    session.rollback()
    assert client.post(f"/api/v1/alerts/{ids[3]}/read", headers=key).json["read_at"] is not None
    first = client.get("/api/v1/alerts?limit=2", headers=key).json
    assert [a["id"] for a in first["items"]] == [ids[2], ids[1]]
    rest = client.get(f"/api/v1/alerts?limit=2&cursor={first['next_cursor']}", headers=key).json
    assert ([a["id"] for a in rest["items"]], rest["next_cursor"]) == ([ids[0], ids[3]], None)
    one = client.get(f"/api/v1/alerts/{ids[0]}", headers=key).json
    assert one["payload"]["links"]["self"] == f"/api/v1/alerts/{ids[0]}"
    assert (one["alert_type"], one["subject_kind"], one["read_at"]) == ("licence.expiring", "licence", None)


def test_marking_read_twice_keeps_the_first_time(client, session):
    authority = make_authority(session)
    key = bearer(make_api_client(session, authority_id=authority.id, scopes=SCOPES)[1])
    (alert_id,) = raise_some(session, authority.id, 1)
    session.rollback()
    first = client.post(f"/api/v1/alerts/{alert_id}/read", headers=key).json["read_at"]
    assert client.post(f"/api/v1/alerts/{alert_id}/read", headers=key).json["read_at"] == first


def test_a_foreign_or_forged_cursor_is_422(client, session):
    key = bearer(make_api_client(session, scopes=SCOPES)[1])
    session.rollback()
    for cursor in ("nonsense", "WyJvdGhlciIsMCwxXQ"):  # the second is ["other",0,1]
        response = client.get(f"/api/v1/alerts?cursor={cursor}", headers=key)
        assert response.status_code == 422
        assert response.mimetype == "application/problem+json"

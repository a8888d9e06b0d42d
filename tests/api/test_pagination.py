"""One pagination convention on every list: `cursor` + `limit` in, `{"items", "next_cursor"}` out."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from licensing.persistence.models import (
    Alert,
    Application,
    ConcernReport,
    InformationRequest,
    Intelligence,
    IntelligenceRoute,
)
from licensing.persistence.pages import encode_cursor
from tests.factories import (
    NOW,
    identity,
    make_api_client,
    make_authority,
    make_licence,
    make_police_force,
    make_register_entry,
)

PROBLEM = "application/problem+json"
COUNT = 7
LISTS = {
    "/api/v1/applications": "applications",
    "/api/v1/licences": "licences",
    "/api/v1/register-entries": "register_entries",
    "/api/v1/information-requests?direction=incoming": "requests_in",
    "/api/v1/information-requests?direction=outgoing": "requests_out",
    "/api/v1/information-requests?status=overdue": "requests_in",
    "/api/v1/concern-reports?direction=incoming": "reports_in",
    "/api/v1/concern-reports?direction=outgoing": "reports_out",
    "/api/v1/intelligence": "routed",
    "/api/v1/alerts": "alerts",
}


def seed(session, mine: int, other: int) -> dict[str, set[int]]:
    """Give authority `mine` COUNT records of every listed kind, and `other` some too; return mine by list."""
    entries = [make_register_entry(session, authority_id=mine).id for _ in range(COUNT)]
    make_register_entry(session, authority_id=other)
    licences = [make_licence(session, authority_id=mine).id for _ in range(COUNT)]
    theirs = make_licence(session, authority_id=other)
    their_entry = make_register_entry(session, authority_id=other)
    seeded = {
        "applications": {_add(session, _application(mine, n)) for n in range(COUNT)},
        "licences": set(licences),
        "register_entries": set(entries),
        # due dates repeat, so the walk must order by (due_on, id) and not lose ties between pages
        "requests_in": {_add(session, _request(entries[n], other, mine, n % 3)) for n in range(COUNT)},
        "requests_out": {_add(session, _request(their_entry.id, mine, other, n % 2)) for n in range(COUNT)},
        "reports_in": {_add(session, _report(licences[n], other, mine)) for n in range(COUNT)},
        "reports_out": {_add(session, _report(theirs.id, mine, other)) for n in range(COUNT)},
        "routed": {_routed(session, mine, n) for n in range(COUNT)},
    }
    # some read: the list runs unread first, so the walk crosses from one kind to the other
    for n in range(COUNT):
        _add(session, _alert(mine, read=n % 2 == 0))
    _add(session, _alert(other, read=False))
    # with those the other council's entries raised about the people `mine` licenses
    seeded["alerts"] = set(session.scalars(select(Alert.id).where(Alert.authority_id == mine)))
    _add(session, _application(other, 99))
    return seeded


def _add(session, record) -> int:
    """Store a record and return its id."""
    session.add(record)
    session.commit()
    return record.id


def _application(authority_id: int, n: int) -> Application:
    """Return a pending application."""
    fields = identity() | {"ref": f"PAGE-{n}", "kind": "new", "licence_type": "phv"}
    fields["received_on"] = NOW.date()
    return Application(authority_id=authority_id, created_at=NOW, updated_at=NOW, **fields)


def _request(entry_id: int, asker: int, recorder: int, days: int) -> InformationRequest:
    """Return an open request long overdue, due `days` after a fixed date."""
    due_on = date(2020, 1, 6) + timedelta(days=days)
    return InformationRequest(
        register_entry_id=entry_id,
        requesting_authority_id=asker,
        recording_authority_id=recorder,
        request_text="?",
        requested_at=NOW,
        due_on=due_on,
    )


def _report(licence_id: int, reporter: int, issuer: int) -> ConcernReport:
    """Return an open concern report."""
    return ConcernReport(
        licence_id=licence_id,
        reporting_authority_id=reporter,
        issuing_authority_id=issuer,
        concern_on=NOW.date(),
        due_on=NOW.date(),
        summary="Seen touting.",
        reported_at=NOW,
    )


def _alert(authority_id: int, read: bool) -> Alert:
    """Return an alert for the authority, read or not."""
    return Alert(
        authority_id=authority_id, alert_type="licence.expiring", subject_kind="licence", subject_id=1,
        created_at=NOW, read_at=NOW if read else None,
    )  # fmt: skip


def _routed(session, authority_id: int, n: int) -> int:
    """Route a new intelligence item to the authority; return the item's id."""
    force_id = make_police_force(session).id
    item = Intelligence(
        police_force_id=force_id,
        force_reference=f"PAGE-{n}",
        category="arrest",
        occurred_on=NOW.date(),
        created_at=NOW,
        updated_at=NOW,
        **(identity() | {"previous_names": ""}),
    )
    item_id = _add(session, item)
    route = IntelligenceRoute(intelligence_id=item_id, authority_id=authority_id, score=0.99, routed_at=NOW)
    _add(session, route)
    return item_id


def walk(client, url: str, key: str, limit: int, cursor: str | None = None) -> list[int]:
    """Follow next_cursor from the first page (or `cursor`) to the last; return every id seen, in order."""
    seen, separator = [], "&" if "?" in url else "?"
    for _ in range(COUNT + 2):
        query = f"{separator}limit={limit}" + (f"&cursor={cursor}" if cursor else "")
        response = client.get(url + query, headers={"Authorization": f"Bearer {key}"})
        assert response.status_code == 200, response.json
        assert set(response.json) == {"items", "next_cursor"}
        assert len(response.json["items"]) <= limit
        seen += [item["id"] for item in response.json["items"]]
        cursor = response.json["next_cursor"]
        if cursor is None:
            return seen
    raise AssertionError(f"{url} never reached its last page")


@pytest.fixture
def seeded(session):
    """Return (key of the council, its records by list) with records of another council beside them."""
    mine, other = make_authority(session).id, make_authority(session).id
    records = seed(session, mine, other)
    key = make_api_client(session, authority_id=mine, scopes=["council:read"])[1]
    session.rollback()
    return key, records


@pytest.mark.parametrize("url", list(LISTS))
@pytest.mark.parametrize("limit", [1, 3, 200])
def test_walking_the_pages_returns_every_item_exactly_once(client, seeded, url, limit):
    key, records = seeded
    seen = walk(client, url, key, limit)
    assert sorted(seen) == sorted(records[LISTS[url]])


def test_a_record_added_during_the_walk_is_neither_repeated_nor_skipped(client, session, seeded):
    key, records = seeded
    headers = {"Authorization": f"Bearer {key}"}
    first = client.get("/api/v1/licences?limit=3", headers=headers).json
    mine = session.get(Application, min(records["applications"])).authority_id
    added = make_licence(session, authority_id=mine).id
    session.rollback()
    rest = walk(client, "/api/v1/licences", key, 3, cursor=first["next_cursor"])
    assert sorted([lic["id"] for lic in first["items"]] + rest) == sorted(records["licences"] | {added})


@pytest.mark.parametrize("url", sorted(set(LISTS)))
@pytest.mark.parametrize(
    "cursor",
    [
        "not-a-cursor",
        "%00",
        encode_cursor("some_other_list", (1,)),
        encode_cursor("licences", (2**40,)),
        encode_cursor("licences", (-1,)),
        "W10",  # an empty JSON list
        "x" * 600,
    ],
)
def test_a_cursor_the_list_did_not_give_out_is_a_422_problem(client, session, url, cursor):
    key = make_api_client(session, authority_id=make_authority(session).id, scopes=["council:read"])[1]
    separator = "&" if "?" in url else "?"
    response = client.get(f"{url}{separator}cursor={cursor}", headers={"Authorization": f"Bearer {key}"})
    assert (response.status_code, response.mimetype) == (422, PROBLEM)
    assert ["cursor" in e["field"].split(".") for e in response.json["errors"]] == [True]


@pytest.mark.parametrize("limit", ["0", "201", "-1", "many"])
def test_a_limit_outside_1_to_200_is_a_422_problem(client, session, limit):
    key = make_api_client(session, authority_id=make_authority(session).id, scopes=["council:read"])[1]
    response = client.get(f"/api/v1/licences?limit={limit}", headers={"Authorization": f"Bearer {key}"})
    assert (response.status_code, response.mimetype) == (422, PROBLEM)


def test_every_list_in_the_openapi_document_takes_cursor_and_limit_and_answers_a_page(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    for url in {u.split("?")[0] for u in LISTS}:
        get = paths[url]["get"]
        assert {"cursor", "limit"} <= {p["name"] for p in get["parameters"]}, url
        schema = get["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
        assert schema.endswith("PageSchema") or schema.endswith("Page"), (url, schema)

"""The register statistics end to end, in JSON and CSV: no count under the threshold is published, a
single revocation cannot be worked out from the published totals, and who may read them."""

import csv
import io
from datetime import date

import pytest

from tests.api.test_admin_api import PROBLEM, bearer, key_for
from tests.factories import make_authority, make_police_force, make_register_entry
from tests.licensing.test_statistics import DECISIONS, assert_fit_to_publish, assert_protected, councils, on

__all__ = ["councils"]  # the fixture: three councils of many decisions and one with a single revocation
PATHS = [("/api/v1/statistics", ["council:read"]), ("/api/v1/admin/statistics", ["admin"])]


def json_grid(table: dict) -> dict:
    """Return a JSON table's counts by (row, column), 'total' naming totals; None where suppressed."""
    cells = {}
    for line in (*table["rows"], table["totals"]):
        for cell in (*line["cells"], line["total"]):
            assert cell["suppressed"] is (cell["count"] is None)
            cells[(line["key"], cell["column"])] = cell["count"]
    return cells


def csv_grids(text: str) -> dict:
    """Return the CSV's counts by year, then (row, column); None where marked [c]."""
    rows = list(csv.DictReader(io.StringIO(text)))
    grids = {}
    for row in rows:
        count = None if row["count"] == "[c]" else int(row["count"])
        grids.setdefault(int(row["year"]), {})[(row["authority"], row["decision"])] = count
    return grids


@pytest.mark.parametrize(("path", "scopes"), PATHS)
def test_a_single_revocation_cannot_be_worked_out_from_the_json(session, client, councils, path, scopes):
    response = client.get(path, headers=bearer(key_for(session, scopes)))
    assert response.status_code == 200
    body = response.json
    assert (body["rows"], body["columns"], body["authority"]) == ("authority", "decision", "as_recorded")
    assert (body["overturned"], body["threshold"]) == ("excluded", 5)
    (table,) = body["tables"]
    assert table["year"] == 2025 and [c["key"] for c in table["columns"]] == list(DECISIONS)
    cells = json_grid(table)
    assert_fit_to_publish(cells)
    assert_protected(cells, councils, ("E07000009", "revocation"))


@pytest.mark.parametrize(("path", "scopes"), PATHS)
def test_a_single_revocation_cannot_be_worked_out_from_the_csv(session, client, councils, path, scopes):
    response = client.get(f"{path}.csv", headers=bearer(key_for(session, scopes)))
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True)
    assert text.splitlines()[0] == '"year","authority","authority_name","decision","decision_name","count"'
    assert '"[c]"' in text
    (cells,) = csv_grids(text).values()
    assert_fit_to_publish(cells)
    assert_protected(cells, councils, ("E07000009", "revocation"))
    json_cells = json_grid(client.get(path, headers=bearer(key_for(session, scopes))).json["tables"][0])
    assert cells == json_cells


def test_no_published_count_is_under_the_threshold_in_any_layout(session, client, councils):
    headers = bearer(key_for(session, ["admin"]))
    for rows, columns in (("decision", "authority"), ("authority", "licence_type"), ("category", "decision")):
        query = f"rows={rows}&columns={columns}&include_overturned=true"
        body = client.get(f"/api/v1/admin/statistics?{query}", headers=headers).json
        assert_fit_to_publish(json_grid(body["tables"][0]))
        text = client.get(f"/api/v1/admin/statistics.csv?{query}", headers=headers).get_data(as_text=True)
        counts = [row["count"] for row in csv.DictReader(io.StringIO(text))]
        assert all(count == "[c]" or int(count) == 0 or int(count) >= 5 for count in counts)


def test_the_threshold_is_a_setting(session, app, client, councils):
    app.config["STATISTICS_MIN_COUNT"] = 10
    body = client.get("/api/v1/statistics", headers=bearer(key_for(session, ["council:read"]))).json
    assert body["threshold"] == 10
    assert_fit_to_publish(json_grid(body["tables"][0]), threshold=10)


def test_statistics_for_one_year(session, client):
    council = make_authority(session, code="E06000012", name="Beta Council")
    for _ in range(5):
        make_register_entry(session, authority_id=council.id, decision="suspension", **on(date(2026, 1, 5)))
    make_register_entry(session, authority_id=council.id, **on(date(2025, 1, 5)))
    response = client.get("/api/v1/statistics?year=2026", headers=bearer(key_for(session, ["council:read"])))
    (table,) = response.json["tables"]
    assert table["year"] == 2026 and [r["label"] for r in table["rows"]] == ["Beta Council"]
    assert json_grid(table)[("E06000012", "suspension")] == 5


def test_no_decisions_give_no_tables(session, client):
    headers = bearer(key_for(session, ["council:read"]))
    assert client.get("/api/v1/statistics", headers=headers).json["tables"] == []
    text = client.get("/api/v1/statistics.csv", headers=headers).get_data(as_text=True)
    assert text.splitlines() == ['"year","authority","authority_name","decision","decision_name","count"']


@pytest.mark.parametrize(
    "query",
    ["year=nineteen", "rows=person", "rows=decision&columns=decision", "authority=x"],
)
@pytest.mark.parametrize("suffix", ["", ".csv"])
def test_a_bad_query_is_a_problem(session, client, query, suffix):
    response = client.get(
        f"/api/v1/statistics{suffix}?{query}", headers=bearer(key_for(session, ["council:read"]))
    )
    assert response.status_code == 422 and response.content_type == PROBLEM


@pytest.mark.parametrize("path", ["/api/v1/admin/statistics", "/api/v1/statistics"])
@pytest.mark.parametrize("suffix", ["", ".csv"])
def test_police_key_cannot_read_statistics(session, client, path, suffix):
    police = key_for(session, ["police:intelligence"], police_force_id=make_police_force(session).id)
    assert client.get(path + suffix, headers=bearer(police)).status_code == 403


@pytest.mark.parametrize("suffix", ["", ".csv"])
def test_council_key_cannot_read_admin_statistics(session, client, suffix):
    response = client.get(
        f"/api/v1/admin/statistics{suffix}", headers=bearer(key_for(session, ["council:read"]))
    )
    assert response.status_code == 403


def test_a_council_key_cannot_count_overturned_decisions(session, client):
    response = client.get(
        "/api/v1/statistics?include_overturned=true", headers=bearer(key_for(session, ["council:read"]))
    )
    assert response.status_code == 403 and response.content_type == PROBLEM

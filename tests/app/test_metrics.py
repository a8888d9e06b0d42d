"""The web app's /metrics: on the metrics port only, counters that move, and nothing about a person."""

import os
import subprocess

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from app import create_app
from app.migrate import upgrade
from licensing.synthetic.generator import people
from tests.api.test_screenings_api import ad_hoc, bearer, council_key
from tests.app.test_gunicorn import COMMAND, ROOT, _free_port, _wait_until_up
from tests.conftest import TEST_SECRET
from tests.factories import identity, make_authority, make_licence
from tests.licensing.test_imports import entry_row, register_csv

PORT = 9464
METRICS = f"http://localhost:{PORT}"


def metrics_app(database_url, **settings):
    """Return an app that serves /metrics on PORT, with `settings`."""
    config = {"ENV_NAME": "testing", "DATABASE_URL": database_url, "SECRET_KEY": TEST_SECRET}
    return create_app(config | {"METRICS_PORT": PORT} | settings)


@pytest.fixture
def app(database_url):
    """Return an app bound to this test's database, with metrics on."""
    app = metrics_app(database_url)
    yield app
    app.extensions["crosscheck.engine"].dispose()


def scrape(client) -> str:
    """Return /metrics as Prometheus' text, read on the metrics port."""
    response = client.get("/metrics", base_url=METRICS)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/plain; version=")
    return response.get_data(as_text=True)


def value(text: str, name: str, **labels) -> float:
    """Return the sample `name` with `labels` (0 if it is not there yet)."""
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name and sample.labels == labels:
                return sample.value
    return 0.0


def test_metrics_are_not_served_unless_a_port_is_set(database_url):
    app = create_app({"ENV_NAME": "testing", "DATABASE_URL": database_url, "SECRET_KEY": TEST_SECRET})
    assert app.test_client().get("/metrics", base_url=METRICS).status_code == 404
    app.extensions["crosscheck.engine"].dispose()


def test_metrics_answer_only_a_request_that_arrived_on_the_metrics_port(database_url, client):
    assert client.get("/metrics").status_code == 404  # the public port
    assert client.get("/metrics", base_url="http://localhost:8000").status_code == 404
    assert scrape(client)
    proxied = metrics_app(database_url, TRUSTED_PROXIES=1)
    forged = {"X-Forwarded-Host": f"localhost:{PORT}", "X-Forwarded-Port": str(PORT)}
    assert proxied.test_client().get("/metrics", headers=forged).status_code == 404  # no header reaches it
    proxied.extensions["crosscheck.engine"].dispose()


def test_metrics_are_outside_the_public_checks_rate_limit(database_url, session):
    app = metrics_app(database_url, PUBLIC_CHECK_RATE_LIMIT="2/minute")
    client = app.test_client()
    statuses = [client.get("/api/v1/public/licence-check?authority=E08000031&badge=X1").status_code]
    statuses += [client.get("/check?authority=E08000031&badge=X1").status_code for _ in range(2)]
    assert statuses[-1] == 429  # the address's public budget is spent
    assert [client.get("/metrics", base_url=METRICS).status_code for _ in range(5)] == [200] * 5
    app.extensions["crosscheck.engine"].dispose()


def test_a_screening_counts_under_the_band_of_its_best_candidate(client, session):
    make_licence(session, authority_id=make_authority(session).id)  # the default identity, elsewhere
    key = council_key(session)
    before = scrape(client)
    assert client.post("/api/v1/screenings", json=ad_hoc(), headers=bearer(key)).status_code == 201
    nobody = ad_hoc(
        given_names="Zebedee",
        family_name="Quillfeather",
        date_of_birth="1950-01-02",
        ni_number="",
        driving_licence_number="",
        address="1 Other Lane, Elsewhere",
        postcode="TR1 1AA",
    )
    assert client.post("/api/v1/screenings", json=nobody, headers=bearer(key)).status_code == 201
    after = scrape(client)
    for band in ("match", "none"):
        name, labels = "crosscheck_screenings_total", {"band": band, "purpose": "ad_hoc"}
        assert value(after, name, **labels) == value(before, name, **labels) + 1, band


def test_requests_count_by_endpoint_method_and_status_with_their_latency(client, app):
    before = scrape(client)
    assert client.get("/healthz").status_code == 200
    assert client.get("/no/such/page/AB123456C").status_code == 404
    after = scrape(client)
    ok = {"endpoint": "ops.healthz", "method": "GET", "status": "200"}
    missing = {"endpoint": "unmatched", "method": "GET", "status": "404"}
    for labels in (ok, missing):
        assert value(after, "crosscheck_http_requests_total", **labels) == (
            value(before, "crosscheck_http_requests_total", **labels) + 1
        )
    timed = {"endpoint": "ops.healthz", "method": "GET"}
    assert value(after, "crosscheck_http_request_duration_seconds_count", **timed) == (
        value(before, "crosscheck_http_request_duration_seconds_count", **timed) + 1
    )
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()} | {"unmatched"}
    for family in text_string_to_metric_families(after):
        for sample in family.samples:
            assert sample.labels.get("endpoint", "unmatched") in endpoints  # a view's name, never a path


def test_an_import_counts_its_rows_by_outcome(app, client, session, tmp_path):
    code = make_authority(session).code
    source = tmp_path / "entries.csv"
    source.write_text(register_csv([entry_row(code, "R1"), entry_row(code, "R2", decision="nope")]))
    before = scrape(client)
    result = app.test_cli_runner().invoke(args=["register", "import", str(source)])
    assert result.exit_code == 0, result.output
    after = scrape(client)
    for outcome in ("inserted", "rejected"):
        labels = {"kind": "register_entry", "outcome": outcome}
        assert value(after, "crosscheck_import_rows_total", **labels) == (
            value(before, "crosscheck_import_rows_total", **labels) + 1
        )


def test_no_personal_data_reaches_the_metrics_after_screenings_and_public_checks(client, session):
    council = make_authority(session, code="E08000031")
    key = council_key(session)
    folk = people(4, seed=2026)
    for n, person in enumerate(folk):
        fields = {k: v for k, v in person.items() if k in identity()}
        make_licence(session, authority_id=council.id, badge_number=f"PH{n + 77001}", **fields)
    session.rollback()
    secrets = set()
    for n, person in enumerate(folk):
        badge = f"PH{n + 77001}"
        body = {k: v for k, v in person.items() if k in identity()} | {
            "date_of_birth": person["date_of_birth"].isoformat(),
            "purpose": f"Stop of {person['family_name']} at {person['postcode']}",
        }
        assert client.post("/api/v1/screenings", json=body, headers=bearer(key)).status_code == 201
        asked = f"authority=E08000031&badge={badge}"
        assert client.get(f"/api/v1/public/licence-check?{asked}").status_code == 200
        assert client.get(f"/check?{asked}").status_code == 200
        assert client.get(f"/check/qr/E08000031/{badge}.svg").status_code == 200  # a badge in the path
        client.get(f"/api/v1/licences/{person['ni_number']}", headers=bearer(key))  # a path matching no route
        client.get(f"/check?licence_number={person['driving_licence_number']}")
        secrets |= {badge, person["ni_number"], person["driving_licence_number"], person["postcode"]}
        secrets |= {person["family_name"], *person["given_names"].split()}
        secrets.add(person["date_of_birth"].isoformat())
    text = scrape(client)
    assert value(text, "crosscheck_screenings_total", band="match", purpose="ad_hoc") >= 1  # they were seen
    found = sorted(secret for secret in secrets if secret.lower() in text.lower())
    assert found == []


def test_gunicorn_workers_add_up_on_the_metrics_port_in_multiprocess_mode(tmp_path):
    url = f"sqlite:///{tmp_path / 'served.db'}"
    upgrade(url)
    port, metrics_port = _free_port(), _free_port()
    folder = tmp_path / "metrics"
    folder.mkdir()
    (folder / "counter_999999.db").write_bytes(b"left by an earlier run")  # emptied at start
    env = os.environ | {
        "CROSSCHECK_ENV": "development",  # SQLite, which production refuses
        "DATABASE_URL": url,
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "METRICS_PORT": str(metrics_port),
        "METRICS_HOST": "127.0.0.1",
        "PROMETHEUS_MULTIPROC_DIR": str(folder),
        "WEB_CONCURRENCY": "2",
    }
    base, metrics_base = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{metrics_port}"
    log = tmp_path / "gunicorn.log"
    with log.open("w") as stderr:
        server = subprocess.Popen(COMMAND, cwd=ROOT, env=env, stderr=stderr, text=True)
        try:
            _wait_until_up(base, server)
            assert httpx.get(f"{base}/metrics", timeout=30).status_code == 404  # not on the public port
            before = httpx.get(f"{metrics_base}/metrics", timeout=30)
            for _ in range(12):  # shared by the two workers
                assert httpx.get(f"{base}/healthz", timeout=30).status_code == 200
            scraped = [httpx.get(f"{metrics_base}/metrics", timeout=30) for _ in range(4)]
        finally:
            server.terminate()
            server.wait(timeout=30)
    assert [answer.status_code for answer in scraped] == [200] * 4
    healthz = {"endpoint": "ops.healthz", "method": "GET", "status": "200"}
    counted = [value(answer.text, "crosscheck_http_requests_total", **healthz) for answer in scraped]
    start = value(before.text, "crosscheck_http_requests_total", **healthz)
    assert start >= 1 and counted == [start + 12] * 4  # every worker's, whichever worker answered
    booted = {line.rsplit(" ", 1)[1] for line in log.read_text().splitlines() if "Booting worker" in line}
    written = {path.stem.split("_")[-1] for path in folder.glob("counter_*.db")}
    assert written and written <= booted  # the workers' own files; the earlier run's was removed


def test_a_label_outside_its_closed_set_is_counted_as_other_and_a_failing_listener_breaks_nothing(client):
    from licensing import counts

    before = scrape(client)
    counts.count(counts.SCREENING, band="Imran Hussain", purpose="AB123456C")  # a mistake in a caller
    broken = []

    def failing(_name, _amount, _labels):
        broken.append(1)
        raise RuntimeError("a listener's own failure")

    counts.listen(failing)
    try:
        counts.count(counts.IMPORT_ROWS, 2, kind="licence", outcome="inserted")
    finally:
        counts._listeners.remove(failing)
    after = scrape(client)
    assert broken == [1]
    other = {"band": "other", "purpose": "other"}
    assert (
        value(after, "crosscheck_screenings_total", **other)
        == value(before, "crosscheck_screenings_total", **other) + 1
    )
    assert "Hussain" not in after and "AB123456C" not in after
    rows = {"kind": "licence", "outcome": "inserted"}
    assert value(after, "crosscheck_import_rows_total", **rows) == (
        value(before, "crosscheck_import_rows_total", **rows) + 2
    )

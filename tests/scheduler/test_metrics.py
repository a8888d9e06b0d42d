"""The scheduler's metrics and liveness: job runs, deliveries and the backlog counted, served on its port."""

import json
import os
import socket
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from app import periodic_jobs
from licensing.persistence.db import make_engine
from scheduler import metrics
from scheduler.jobs import run_periodic
from tests.app.test_periodic_jobs import context_for
from tests.factories import make_register_entry
from tests.scheduler.helpers import make_webhook_endpoint, raise_alerts

ROOT = Path(__file__).resolve().parents[2]
UNREACHABLE = "postgresql+psycopg://crosscheck:hunter2-password@127.0.0.1:9/crosscheck"


def value(text_: str, name: str, **labels) -> float:
    """Return the sample `name` with `labels` (0 if it is not there yet)."""
    for family in text_string_to_metric_families(text_):
        for sample in family.samples:
            if sample.name == name and sample.labels == labels:
                return sample.value
    return 0.0


def scrape(*collectors) -> str:
    """Return the scheduler process's metrics as Prometheus' text, with `collectors`' own."""
    from app.metrics import exposition

    return exposition(*collectors).decode()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_successful_run_sets_the_jobs_last_success_and_counts_its_duration(engine, database_url):
    job = periodic_jobs.by_name("deadline_reminders")
    before = scrape()
    started = time.time()
    assert run_periodic(job, context_for(engine, database_url)) == {}
    after = scrape()
    labels = {"job": "deadline_reminders"}
    assert started <= value(after, "crosscheck_job_last_success_timestamp_seconds", **labels) <= time.time()
    assert value(after, "crosscheck_job_duration_seconds_count", **labels) == (
        value(before, "crosscheck_job_duration_seconds_count", **labels) + 1
    )
    assert value(after, "crosscheck_job_failures_total", **labels) == value(
        before, "crosscheck_job_failures_total", **labels
    )


def test_a_job_that_fails_counts_a_failure_and_keeps_its_last_success(database_url):
    job = periodic_jobs.by_name("licence_expiry")
    away = make_engine(UNREACHABLE)  # the database is away: the job cannot even take its lock
    before = scrape()
    with pytest.raises(OperationalError):
        run_periodic(job, context_for(away, database_url))
    away.dispose()
    after = scrape()
    labels = {"job": "licence_expiry"}
    assert value(after, "crosscheck_job_failures_total", **labels) == (
        value(before, "crosscheck_job_failures_total", **labels) + 1
    )
    assert value(after, "crosscheck_job_last_success_timestamp_seconds", **labels) == value(
        before, "crosscheck_job_last_success_timestamp_seconds", **labels
    )


def test_a_broken_audit_chain_counts_as_a_failure_of_verify_audit(session, engine, database_url):
    for n in range(3):
        make_register_entry(session, ref=f"RE-A{n}")
    session.execute(text("UPDATE audit_event SET action = 'x' WHERE id = (SELECT MIN(id) FROM audit_event)"))
    session.commit()
    before = scrape()
    done = run_periodic(periodic_jobs.by_name("verify_audit"), context_for(engine, database_url))
    assert "broken_at" in done
    labels = {"job": "verify_audit"}
    assert value(scrape(), "crosscheck_job_failures_total", **labels) == (
        value(before, "crosscheck_job_failures_total", **labels) + 1
    )


def test_a_dead_delivery_is_counted_and_shows_in_the_dead_letter_gauge(
    writer, engine, receiver, dispatcher, clock
):
    endpoint = make_webhook_endpoint(writer, receiver.url, clock.now)
    raise_alerts(writer, endpoint.authority_id, clock.now, count=2)
    receiver.script.answers += [(400, {}), (200, {})]
    backlog = metrics.Backlog(engine, clock)
    before = scrape(backlog)
    assert value(before, "crosscheck_deliveries_dead") == 0

    assert dispatcher.run_batch() == {"dead": 1, "delivered": 1}

    after = scrape(backlog)
    for outcome in ("dead", "delivered"):
        labels = {"channel": "webhook", "outcome": outcome}
        assert value(after, "crosscheck_deliveries_total", **labels) == (
            value(before, "crosscheck_deliveries_total", **labels) + 1
        )
    assert value(after, "crosscheck_deliveries_dead") == 1
    assert value(after, "crosscheck_deliveries_due") == 0


def test_the_backlog_gauges_count_due_deliveries_and_the_age_of_the_oldest(writer, engine, clock):
    endpoint = make_webhook_endpoint(writer, "https://receiver.example/hook", clock.now)
    raise_alerts(writer, endpoint.authority_id, clock.now - timedelta(minutes=10), count=2)
    raise_alerts(writer, endpoint.authority_id, clock.now + timedelta(minutes=5))  # not yet due
    text_ = scrape(metrics.Backlog(engine, clock))
    assert value(text_, "crosscheck_scheduler_database_up") == 1
    assert value(text_, "crosscheck_deliveries_due") == 2
    assert value(text_, "crosscheck_deliveries_oldest_due_age_seconds") == 600
    empty = scrape(metrics.Backlog(engine, lambda: clock.now - timedelta(hours=1)))
    assert value(empty, "crosscheck_deliveries_due") == 0
    assert value(empty, "crosscheck_deliveries_oldest_due_age_seconds") == 0


def test_an_unreachable_database_reads_as_down_without_its_address():
    away = make_engine(UNREACHABLE)
    text_ = scrape(metrics.Backlog(away))
    away.dispose()
    assert value(text_, "crosscheck_scheduler_database_up") == 0
    assert "crosscheck_deliveries_due" not in text_ and "hunter2" not in text_


def test_the_metrics_port_serves_metrics_and_liveness_and_nothing_else(engine):
    heartbeat = metrics.Heartbeat()
    app = metrics.application(metrics.Backlog(engine), stall_seconds=60, heartbeat=heartbeat)
    server = metrics.serve("127.0.0.1", 0, app)
    base = f"http://127.0.0.1:{server.server_port}"
    try:
        scraped = httpx.get(f"{base}/metrics", timeout=10)
        assert scraped.status_code == 200 and scraped.headers["content-type"].startswith("text/plain")
        assert value(scraped.text, "crosscheck_deliveries_due") == 0
        assert httpx.get(f"{base}/healthz", timeout=10).json() == {"status": "ok"}
        heartbeat.last -= 61  # no job has started for longer than the window: the job runner is wedged
        stalled = httpx.get(f"{base}/healthz", timeout=10)
        assert (stalled.status_code, stalled.json()["status"]) == (503, "stalled")
        heartbeat.beat()
        assert httpx.get(f"{base}/healthz", timeout=10).status_code == 200
        assert httpx.get(f"{base}/", timeout=10).status_code == 404
        assert httpx.post(f"{base}/metrics", timeout=10).status_code == 405
    finally:
        server.shutdown()
        server.server_close()


def test_the_liveness_window_is_a_few_election_periods_and_at_least_a_minute():
    assert metrics.stall_seconds(15) == 60
    assert metrics.stall_seconds(30) == 120


def test_a_running_scheduler_serves_its_metrics_and_liveness_on_metrics_port(migrated, tmp_path):
    port = free_port()
    env = os.environ | {
        "CROSSCHECK_ENV": "testing",
        "DATABASE_URL": migrated,
        "SCHEDULER_POLL_SECONDS": "0.2",
        "METRICS_PORT": str(port),
        "METRICS_HOST": "127.0.0.1",
    }
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    log = tmp_path / "scheduler.log"
    with log.open("w") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "scheduler"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=stderr
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        leading = None
        while time.monotonic() < deadline and process.poll() is None:
            try:
                scraped = httpx.get(f"{base}/metrics", timeout=2)
                leading = value(scraped.text, "crosscheck_scheduler_leader")
                if leading == 1:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        assert leading == 1, log.read_text()  # the one scheduler on a database leads
        assert value(scraped.text, "crosscheck_scheduler_database_up") == 1
        assert httpx.get(f"{base}/healthz", timeout=2).json() == {"status": "ok"}
    finally:
        process.terminate()
        assert process.wait(timeout=30) == 0
    lines = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
    assert any(line.get("port") == port for line in lines)

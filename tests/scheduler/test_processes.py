"""`python -m scheduler` as real processes: delivery, graceful SIGTERM, two schedulers, SIGKILL mid-batch."""

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, select

from licensing.persistence import unit_of_work
from licensing.persistence.models import Delivery
from tests.conftest import POSTGRES_URL
from tests.scheduler.helpers import deliveries, make_webhook_endpoint, raise_alerts
from tests.scheduler.receivers import Receiver

ROOT = Path(__file__).resolve().parents[2]
postgres_only = pytest.mark.skipif(not POSTGRES_URL, reason="several schedulers need PostgreSQL")


@pytest.fixture(autouse=True)
def _at_head(migrated):
    """Start every scheduler here on a database at head: it refuses any other."""


def start(database_url: str, log: Path, **settings) -> subprocess.Popen:
    """Start one scheduler process on `database_url`, logging JSON lines to `log`."""
    env = os.environ | {
        "CROSSCHECK_ENV": "testing",
        "DATABASE_URL": database_url,
        "LOG_LEVEL": "INFO",
        "SCHEDULER_POLL_SECONDS": "0.2",
        "SCHEDULER_BATCH_SIZE": "50",
        "SCHEDULER_LEASE_SECONDS": "30",
        "SCHEDULER_SEND_WORKERS": "4",
    }
    env |= {f"SCHEDULER_{k.upper()}": str(v) for k, v in settings.items()}
    return subprocess.Popen(
        [sys.executable, "-m", "scheduler"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log.open("w"),
    )


def log_lines(log: Path) -> list[dict]:
    """Return the JSON log lines a scheduler wrote so far."""
    return [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]


def wait_for(condition, timeout: float = 60.0, what: str = "condition") -> None:
    """Poll `condition` until it is true, failing after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.25)


def wait_started(log: Path) -> None:
    """Wait until a scheduler logged that it started."""
    wait_for(lambda: any(e["message"] == "scheduler started" for e in log_lines(log)), 30, "start-up")


def delivered_by(log: Path) -> int:
    """Sum the deliveries a scheduler's deliver job logged as delivered."""
    return sum(e.get("outcomes", {}).get("delivered", 0) for e in log_lines(log) if e.get("job") == "deliver")


def stop(process: subprocess.Popen) -> int:
    """SIGTERM a scheduler and return its exit code."""
    process.send_signal(signal.SIGTERM)
    return process.wait(timeout=30)


def all_delivered(engine, count: int):
    """Return a condition: `count` deliveries exist and every one is delivered (one cheap query)."""
    query = select(func.count()).select_from(Delivery).where(Delivery.status == "delivered")
    return lambda: _scalar(engine, query) == count


def _scalar(engine, query):
    """Run `query` in a reading unit of work of its own and return its single value."""
    with unit_of_work.reading(engine) as session:
        return session.scalar(query)


def test_scheduler_process_delivers_and_stops_on_sigterm(writer, engine, database_url, tmp_path, now):
    with Receiver() as receiver:
        endpoint = make_webhook_endpoint(writer, receiver.url, now)
        made = raise_alerts(writer, endpoint.authority_id, now, count=20)
        log = tmp_path / "scheduler.log"
        process = start(database_url, log)
        try:
            wait_for(all_delivered(engine, 20), what="20 deliveries")
        finally:
            code = stop(process)

    assert code == 0 and receiver.ids() == {d.message_id: 1 for d in made}
    assert delivered_by(log) == 20 and log_lines(log)[-1]["message"] == "scheduler stopped"


@postgres_only
def test_two_schedulers_deliver_a_thousand_exactly_once(writer, engine, database_url, tmp_path, now):
    logs = [tmp_path / "a.log", tmp_path / "b.log"]
    with Receiver() as receiver:
        endpoint = make_webhook_endpoint(writer, receiver.url, now)
        processes = [start(database_url, log) for log in logs]
        try:
            for log in logs:
                wait_started(log)
            made = raise_alerts(writer, endpoint.authority_id, now, count=1000)
            wait_for(all_delivered(engine, 1000), what="1,000 deliveries")
        finally:
            codes = [stop(process) for process in processes]

    assert codes == [0, 0]
    assert receiver.ids() == {d.message_id: 1 for d in made}
    shares = [delivered_by(log) for log in logs]
    assert sum(shares) == 1000 and min(shares) > 0, shares


@postgres_only
def test_a_killed_schedulers_batch_is_finished_by_another(writer, engine, database_url, tmp_path, now):
    with Receiver(delay=0.02, hold_at=200) as receiver:
        endpoint = make_webhook_endpoint(writer, receiver.url, now)
        made = raise_alerts(writer, endpoint.authority_id, now, count=1000)
        first = start(database_url, tmp_path / "a.log", lease_seconds=2)
        # The 200th delivery's answer is held back: the scheduler is killed waiting for it, mid-batch.
        assert receiver.held.wait(timeout=60), "the first 200 deliveries did not arrive"
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
        receiver.release.set()
        unfinished = [d for d in deliveries(engine) if d.status != "delivered"]
        second = start(database_url, tmp_path / "b.log", lease_seconds=2)
        try:
            wait_for(all_delivered(engine, 1000), what="the rest of the deliveries")
        finally:
            stop(second)

    received = receiver.ids()
    assert any(d.status == "delivering" for d in unfinished), "the kill should land mid-batch"
    assert set(received) == {d.message_id for d in made}  # nothing lost, nothing foreign
    duplicates = Counter({webhook_id: n for webhook_id, n in received.items() if n > 1})
    assert sum(duplicates.values()) - len(duplicates) <= 50  # at most the batch in flight, same ids

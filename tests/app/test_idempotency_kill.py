"""A worker SIGKILLed in the middle of a POST with an Idempotency-Key: the client can still complete it.

Real gunicorn (gunicorn.conf.py) on this test's database, a real SIGKILL. The worker is stopped at a
known point of the request (tests/app/pausing_wsgi.py): before its work is done, or after it and before
its response is kept. Either way the kill must leave no created record without its kept response, and a
retry once the request time limit has passed must complete the request, exactly once.
"""

import json
import os
import signal
import subprocess
import sys
import threading
import time

import httpx
import pytest
from sqlmodel import select

from licensing.persistence.models import IdempotentResponse, RegisterEntry
from tests.app.test_gunicorn import ROOT, _free_port, _wait_until_up
from tests.conftest import TEST_SECRET
from tests.factories import identity, make_api_client

TIME_LIMIT = 3  # seconds: REQUEST_TIMEOUT_SECONDS for the server (gunicorn's timeout and the claim's)
ENTRY = identity() | {
    "date_of_birth": "1985-03-14",
    "ref": "RE-KILL-1",
    "decision": "revocation",
    "category": "violence",
    "decided_on": "2026-01-10",
    "effective_on": "2026-01-31",
}


def serve(database_url: str, tmp_path, pause_at: str) -> tuple[subprocess.Popen, str]:
    """Start gunicorn with one worker that will stop at `pause_at`; return it and its base URL."""
    port = _free_port()
    env = os.environ | {
        "CROSSCHECK_ENV": "testing",
        "DATABASE_URL": database_url,
        "SECRET_KEY": TEST_SECRET,
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "WEB_CONCURRENCY": "1",
        "REQUEST_TIMEOUT_SECONDS": str(TIME_LIMIT),
        "CROSSCHECK_TEST_PAUSE_AT": pause_at,
        "CROSSCHECK_TEST_PAUSE_MARKER": str(tmp_path / "paused"),
    }
    command = [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py", "tests.app.pausing_wsgi:app"]
    log = (tmp_path / "gunicorn.log").open("w")
    server = subprocess.Popen(command, cwd=ROOT, env=env, stderr=log, text=True)
    base = f"http://127.0.0.1:{port}"
    _wait_until_up(base, server)
    return server, base


def kill_paused_worker(marker) -> None:
    """Wait until the worker stops at its statement, then SIGKILL it there."""
    deadline = time.monotonic() + 30
    while not marker.exists() or not marker.read_text():
        assert time.monotonic() < deadline, "the worker never reached the statement"
        time.sleep(0.02)
    os.kill(int(marker.read_text()), signal.SIGKILL)


def stored(session) -> tuple[int, list]:
    """Return how many register entries exist and the status of every kept response, as stored now."""
    session.rollback()
    entries = session.exec(select(RegisterEntry)).all()
    return len(entries), [row.status_code for row in session.exec(select(IdempotentResponse))]


@pytest.mark.parametrize("pause_at", ["work", "answer"])
def test_a_post_cut_short_by_a_killed_worker_is_completed_by_a_retry(
    database_url, session, tmp_path, pause_at
):
    key = make_api_client(session, scopes=["council:read", "council:write"])[1]
    session.commit()
    headers = {
        "Authorization": f"Bearer {key}",
        "Idempotency-Key": "kill-1",
        "Content-Type": "application/json",
    }
    body = json.dumps(ENTRY)
    server, base = serve(database_url, tmp_path, pause_at)
    killer = threading.Thread(target=kill_paused_worker, args=(tmp_path / "paused",))
    try:
        with httpx.Client(base_url=base, timeout=30) as client:
            killer.start()
            with pytest.raises(httpx.TransportError):  # the worker dies with the request in hand
                client.post("/api/v1/register-entries", content=body, headers=headers)
            killer.join()
            count, kept = stored(session)
            assert count == 0 or kept == [201]  # never a created entry without its kept response
            time.sleep(TIME_LIMIT + 0.5)  # the request's time limit passes: the claim is abandoned
            retried = client.post("/api/v1/register-entries", content=body, headers=headers)
            again = client.post("/api/v1/register-entries", content=body, headers=headers)
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert retried.status_code == again.status_code == 201, retried.text
    assert again.headers["Idempotent-Replayed"] == "true" and again.json() == retried.json()
    assert stored(session) == (1, [201])

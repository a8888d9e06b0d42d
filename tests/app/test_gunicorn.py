"""`make serve`: gunicorn with gunicorn.conf.py serves the app, as do workers replacing recycled ones."""

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from app.migrate import upgrade

ROOT = Path(__file__).resolve().parents[2]


COMMAND = [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py", "wsgi:app"]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_up(base: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and server.poll() is None:
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise AssertionError("gunicorn did not answer /healthz")


def test_gunicorn_workers_and_their_replacements_reach_the_database_and_log_each_request(tmp_path):
    url = f"sqlite:///{tmp_path / 'served.db'}"
    upgrade(url)
    port = _free_port()
    env = os.environ | {
        "CROSSCHECK_ENV": "development",  # SQLite, which production refuses
        "LOG_FORMAT": "json",  # development's default is text; gunicorn's own lines follow the setting too
        "DATABASE_URL": url,
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "WEB_CONCURRENCY": "2",
        # Recycle each worker after 3 requests, so that most requests below reach a re-forked one.
        "GUNICORN_CMD_ARGS": "--max-requests 3 --max-requests-jitter 0",
    }
    log = tmp_path / "gunicorn.log"  # a file, not a pipe: nobody reads a pipe while the server runs
    base = f"http://127.0.0.1:{port}"
    with log.open("w") as stderr:
        server = subprocess.Popen(COMMAND, cwd=ROOT, env=env, stderr=stderr, text=True)
        try:
            _wait_until_up(base, server)
            # /readyz reads the schema version through the worker's own connection.
            statuses = [httpx.get(f"{base}/readyz", timeout=10).status_code for _ in range(12)]
        finally:
            server.terminate()
            server.wait(timeout=30)
    assert statuses == [200] * 12
    lines = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
    booted = [line for line in lines if str(line.get("message", "")).startswith("Booting worker")]
    assert len(booted) >= 5  # the first two workers and at least three re-forked after 3 requests each
    served = [line for line in lines if line.get("message") == "request" and line.get("path") == "/readyz"]
    assert [line["status"] for line in served] == [200] * 12  # each worker still writes its access lines


def test_gunicorn_told_nothing_runs_production_and_will_not_boot_without_a_secret(tmp_path):
    told = ("CROSSCHECK_ENV", "SECRET_KEY", "SECRET_KEY_FILE")
    env = {k: v for k, v in os.environ.items() if k not in told} | {"PORT": str(_free_port())}
    env |= {"HOST": "127.0.0.1", "DATABASE_URL": "postgresql+psycopg://db/crosscheck", "WEB_CONCURRENCY": "1"}
    log = tmp_path / "gunicorn.log"
    with log.open("w") as stderr:
        server = subprocess.Popen(COMMAND, cwd=ROOT, env=env, stderr=stderr, text=True)
        try:
            exit_code = server.wait(timeout=60)
        finally:
            server.kill()
    assert exit_code != 0
    assert "Production needs SECRET_KEY" in log.read_text()

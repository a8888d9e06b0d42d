"""The public rate limit when its Redis is up, down, and back: one budget for every process, or none."""

import socket
import subprocess
import time
from pathlib import Path

import pytest
import redis

from app import create_app
from tests.conftest import TEST_SECRET

REDIS_SERVER = Path("/usr/bin/redis-server")
CHECK = "/api/v1/public/licence-check?authority=E08000031&badge=PH12345"


def free_port() -> int:
    """Return a loopback port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_redis(port: int) -> subprocess.Popen:
    """Start Debian's redis-server on loopback `port`, keeping nothing on disk; wait until it answers."""
    if not REDIS_SERVER.exists():
        pytest.fail(f"{REDIS_SERVER} is missing: apt-get install -y redis-server", pytrace=False)
    command = [
        str(REDIS_SERVER),
        "--port",
        str(port),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
    ]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            redis.Redis(port=port, socket_connect_timeout=0.2).ping()
            return server
        except redis.ConnectionError:
            time.sleep(0.05)
    server.kill()
    raise AssertionError("redis-server did not answer")


@pytest.fixture
def redis_port():
    """Return a free loopback port for a Redis; stop any Redis a test started there."""
    port = free_port()
    servers = []
    yield port, servers
    for server in servers:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture
def worker(database_url):
    """Return a function creating one web worker (an app) that counts in the Redis at `port`."""
    apps = []

    def make(port: int):
        config = {"ENV_NAME": "testing", "DATABASE_URL": database_url, "SECRET_KEY": TEST_SECRET}
        config |= {
            "RATELIMIT_STORAGE_URI": f"redis://127.0.0.1:{port}/0",
            "PUBLIC_CHECK_RATE_LIMIT": "2/minute",
        }
        apps.append(create_app(config))
        return apps[-1].test_client()

    yield make
    for app in apps:
        app.extensions["crosscheck.engine"].dispose()


def test_public_check_fails_closed_while_redis_is_unreachable(worker, wolverhampton):
    client = worker(free_port())  # nothing listens there
    answers = [client.get(CHECK) for _ in range(5)] + [client.get("/check") for _ in range(5)]
    assert [a.status_code for a in answers] == [503] * 10  # not 2 answered per process, then 429
    assert all(a.headers["Retry-After"] == "60" for a in answers)  # a minute
    assert answers[0].mimetype == "application/problem+json" and answers[0].json["status"] == 503
    assert answers[-1].mimetype == "text/html" and "Try again in a minute" in answers[-1].get_data(
        as_text=True
    )
    assert client.get("/sign-in").status_code == 200  # nothing but the public check is limited
    assert client.get("/healthz").status_code == 200


def test_every_worker_shares_one_budget_in_redis(worker, wolverhampton, redis_port):
    port, servers = redis_port
    servers.append(start_redis(port))
    first, second = worker(port), worker(port)
    answers = [client.get(CHECK).status_code for client in (first, second, first, second)]
    assert answers == [200, 200, 429, 429]


def test_public_check_answers_again_once_redis_is_back(worker, wolverhampton, redis_port):
    port, servers = redis_port
    client = worker(port)
    assert client.get(CHECK).status_code == 503
    servers.append(start_redis(port))
    assert client.get(CHECK).status_code == 200


def test_a_redis_that_never_answers_fails_the_check_within_seconds(worker, wolverhampton):
    with socket.socket() as silent:  # accepts connections (the kernel does) and never says a word
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        client = worker(silent.getsockname()[1])
        started = time.monotonic()
        answer = client.get(CHECK)
        waited = time.monotonic() - started
    assert answer.status_code == 503 and answer.headers["Retry-After"] == "60"
    assert waited < 10  # RATE_LIMIT_REDIS_TIMEOUT_SECONDS each try, not the client's unlimited default

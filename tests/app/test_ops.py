"""Liveness and readiness endpoints."""

import pytest
from sqlalchemy import create_engine, text

from app import create_app
from app.migrate import upgrade
from tests.conftest import POSTGRES_URL, TEST_SECRET
from tests.migrations.conftest import throwaway_postgres_database
from tests.public.test_rate_limit_storage import free_port, start_redis


def make_app(url: str, **settings):
    """Create an app on `url`, whatever database the rest of the suite uses."""
    return create_app({"ENV_NAME": "testing", "DATABASE_URL": url, "SECRET_KEY": TEST_SECRET} | settings)


@pytest.fixture
def empty_sqlite_url(tmp_path):
    """Return the URL of a SQLite file that has never been migrated."""
    return f"sqlite:///{tmp_path / 'empty.db'}"


def readyz(url: str, **settings):
    """GET /readyz from an app on `url` and return the response."""
    app = make_app(url, **settings)
    try:
        return app.test_client().get("/readyz")
    finally:
        app.extensions["crosscheck.engine"].dispose()


def test_healthz_answers_while_the_process_is_alive(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok"}


def test_readyz_is_503_on_an_unmigrated_database(empty_sqlite_url):
    response = readyz(empty_sqlite_url)
    assert response.status_code == 503
    assert response.mimetype == "application/problem+json"
    assert response.json["checks"] == {"database": "ok", "migrations": "failed"}
    assert response.json["status"] == 503


def test_readyz_is_ready_once_migrated_to_head(empty_sqlite_url):
    upgrade(empty_sqlite_url)
    response = readyz(empty_sqlite_url)
    assert response.status_code == 200
    assert response.json["status"] == "ready"
    assert response.json["checks"] == {"database": "ok", "migrations": "ok"}


def test_readyz_is_503_again_when_the_schema_falls_behind(empty_sqlite_url):
    upgrade(empty_sqlite_url)
    engine = create_engine(empty_sqlite_url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = 'older'"))
    engine.dispose()
    assert readyz(empty_sqlite_url).json["checks"]["migrations"] == "failed"


@pytest.mark.parametrize(
    "url",
    [
        "postgresql+psycopg://crosscheck:s3cret-pw@127.0.0.1:9/crosscheck?connect_timeout=2",
        "sqlite:////nonexistent-directory-for-readyz/crosscheck.db",
    ],
    ids=["postgres-port-closed", "sqlite-missing-directory"],
)
def test_readyz_is_503_when_the_database_is_unreachable_and_leaks_nothing(url):
    response = readyz(url)
    assert response.status_code == 503
    assert response.json["checks"] == {"database": "failed", "migrations": "skipped"}
    body = response.get_data(as_text=True)
    for secret in ("s3cret-pw", "127.0.0.1", "nonexistent-directory", "crosscheck.db", "Error"):
        assert secret not in body


def test_readyz_reports_an_unreachable_redis_as_degraded_and_stays_in_rotation(empty_sqlite_url):
    upgrade(empty_sqlite_url)
    response = readyz(empty_sqlite_url, RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{free_port()}/0")
    assert response.status_code == 200
    assert response.json == {
        "status": "degraded",
        "checks": {"database": "ok", "migrations": "ok", "redis": "degraded"},
    }


def test_readyz_reports_a_reachable_redis_as_ok(empty_sqlite_url):
    upgrade(empty_sqlite_url)
    port = free_port()
    server = start_redis(port)
    try:
        response = readyz(empty_sqlite_url, RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{port}/0")
    finally:
        server.terminate()
        server.wait(timeout=10)
    assert response.status_code == 200
    assert response.json["checks"] == {"database": "ok", "migrations": "ok", "redis": "ok"}


def test_readyz_is_503_for_the_database_even_when_redis_is_also_down():
    url = "sqlite:////nonexistent-directory-for-readyz/crosscheck.db"
    response = readyz(url, RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{free_port()}/0")
    assert response.status_code == 503
    assert response.json["checks"] == {"database": "failed", "migrations": "skipped", "redis": "degraded"}


@pytest.mark.skipif(not POSTGRES_URL, reason="needs TEST_DATABASE_URL's PostgreSQL server")
def test_readyz_follows_a_postgresql_database_from_empty_to_head_and_behind_again():
    with throwaway_postgres_database(POSTGRES_URL) as url:
        assert readyz(url).json["checks"] == {"database": "ok", "migrations": "failed"}
        upgrade(url)
        ready = readyz(url)
        assert (ready.status_code, ready.json["checks"]) == (200, {"database": "ok", "migrations": "ok"})
        engine = create_engine(url)
        with engine.begin() as connection:
            connection.execute(text("UPDATE alembic_version SET version_num = 'older'"))
        engine.dispose()
        assert readyz(url).status_code == 503

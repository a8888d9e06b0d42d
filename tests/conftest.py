"""Fixtures: a fresh database per test on SQLite, or on PostgreSQL when TEST_DATABASE_URL is set."""

import os
from datetime import date, datetime

import pytest
from flask import request_finished
from sqlalchemy import text
from sqlmodel import Session, SQLModel

import licensing.persistence.models  # noqa: F401  (registers every table)
from app import create_app
from app.migrate import VERSION_TABLE, stamp
from licensing.persistence.db import make_engine
from licensing.screening.name_counts import forget_totals

POSTGRES_URL = os.environ.get("TEST_DATABASE_URL")
TEST_SECRET = "test-secret-key-that-is-long-enough-0123456789"


def pytest_report_header(config):
    """Show which database this run uses."""
    return f"database: {'PostgreSQL ' + POSTGRES_URL if POSTGRES_URL else 'SQLite (temporary file)'}"


def importing(session):
    """Return the engine an import writes to in units of work of its own, with `session` out of its way.

    The test's transaction ends first: on SQLite it would hold up the import's writing units, or keep
    reading from before them.
    """
    session.commit()
    return session.get_bind()


@pytest.fixture(scope="session")
def _postgres_engine():
    if not POSTGRES_URL:
        yield None
        return
    engine = make_engine(POSTGRES_URL)
    SQLModel.metadata.drop_all(engine)
    SQLModel.metadata.create_all(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def database_url(tmp_path, _postgres_engine):
    """Return the URL of an empty, fully created database for this test."""
    forget_totals()  # the process caches record totals and name counts per URL, and PostgreSQL's repeats
    if _postgres_engine is None:
        url = f"sqlite:///{tmp_path / 'test.db'}"
        engine = make_engine(url)
        SQLModel.metadata.create_all(engine)
        engine.dispose()
        yield url
        return
    yield POSTGRES_URL
    tables = ", ".join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables)
    with _postgres_engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@pytest.fixture
def migrated(database_url):
    """Mark this test's database as at the head revision, as `flask db upgrade` leaves one.

    Built from the models, it has the schema head builds; the scheduler and `flask jobs run` refuse a
    database not at head. The mark is removed after the test (PostgreSQL's database is shared).
    """
    stamp(database_url)
    yield database_url
    engine = make_engine(database_url)
    with engine.begin() as connection:
        connection.execute(text(f"DROP TABLE IF EXISTS {VERSION_TABLE}"))
    engine.dispose()


@pytest.fixture
def engine(database_url):
    """Return an engine on this test's database."""
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine, request):
    """Return a session on this test's database that never blocks the app's writers.

    On SQLite a read transaction keeps its snapshot, so after each request the test client makes the
    session ends its transaction and expires what it loaded: an assertion after a request then reads
    what the app committed, and "nothing was saved" cannot pass on a stale snapshot.
    """
    with Session(engine, expire_on_commit=False) as session:
        if "app" in request.fixturenames:
            app = request.getfixturevalue("app")
            request_finished.connect(lambda _sender, **_extra: session.rollback(), app, weak=False)
        yield session


@pytest.fixture
def app(database_url):
    """Return an app bound to this test's database."""
    app = create_app({"ENV_NAME": "testing", "DATABASE_URL": database_url, "SECRET_KEY": TEST_SECRET})
    yield app
    app.extensions["crosscheck.engine"].dispose()


@pytest.fixture
def client(app):
    """Return a test client for `app`."""
    return app.test_client()


@pytest.fixture
def now():
    """Return a fixed 'now' so tests need no clock tricks."""
    return datetime(2026, 11, 23, 10, 0, 0)


@pytest.fixture
def today(now):
    """Return the date of `now`."""
    return date(now.year, now.month, now.day)

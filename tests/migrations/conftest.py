"""Empty databases for migration tests: never the shared fixture, which is built with create_all."""

import os
import secrets
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, pool, text
from sqlalchemy.engine import make_url

from licensing.persistence.db import make_engine

POSTGRES_URL = os.environ.get("TEST_DATABASE_URL")
# PostgreSQL runs only where the CI (or a developer) points TEST_DATABASE_URL at a server.
BACKENDS = ["sqlite", "postgresql"] if POSTGRES_URL else ["sqlite"]


@pytest.fixture(params=BACKENDS)
def empty_database_url(request, tmp_path):
    """Return the URL of a database with no tables at all, on each backend under test."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrations.db'}"
        return
    with throwaway_postgres_database(POSTGRES_URL) as url:
        yield url


@pytest.fixture
def empty_engine(empty_database_url):
    """Return an engine on an empty database."""
    engine = make_engine(empty_database_url)
    yield engine
    engine.dispose()


@contextmanager
def throwaway_postgres_database(server_url: str):
    """Create a database of its own on `server_url`'s server, yield its URL, then drop it."""
    server = make_url(server_url)
    name = f"crosscheck_migr_{secrets.token_hex(6)}"
    admin = create_engine(
        server.set(database="postgres"), isolation_level="AUTOCOMMIT", poolclass=pool.NullPool
    )
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            # FORCE: a test that failed half-way may have left a connection open.
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

"""A backup restores: the copy passes `flask audit verify`, holds as many rows in every table as the
original, is at the head revision, and a screening on it still finds a known person.

As docs/operations.md says to back up: `pg_dump -Fc` and `pg_restore` on PostgreSQL, the online backup
API on SQLite. The original is a database of the test's own, migrated as production's is and filled by
`flask demo seed` (the synthetic generator) and the test factories.
"""

import os
import re
import shutil
import sqlite3
import subprocess
from contextlib import closing, contextmanager
from pathlib import Path

import pytest
from sqlalchemy import func, inspect, select, table
from sqlalchemy.engine import make_url
from sqlmodel import Session

from app import create_app
from app.migrate import schema_problem, upgrade
from licensing.persistence.db import make_engine
from tests.api.test_screenings_api import ad_hoc, bearer
from tests.conftest import POSTGRES_URL, TEST_SECRET
from tests.factories import make_api_client, make_authority, make_register_entry
from tests.migrations.conftest import BACKENDS, throwaway_postgres_database

# Someone the demo data does not hold, recorded by one council and looked for by another.
KNOWN = {"given_names": "Zebedee", "family_name": "Quartermaine", "ni_number": "QQ123456C"}


@contextmanager
def app_on(url: str):
    """Yield a testing app on the database at `url`, its engine disposed of afterwards."""
    app = create_app({"ENV_NAME": "testing", "DATABASE_URL": url, "SECRET_KEY": TEST_SECRET})
    try:
        yield app
    finally:
        app.extensions["crosscheck.engine"].dispose()


@contextmanager
def empty_database(backend: str, path: Path):
    """Yield the URL of a database with nothing in it: a file under `path`, or a throwaway PostgreSQL one."""
    if backend == "sqlite":
        yield f"sqlite:///{path}"
    else:
        with throwaway_postgres_database(POSTGRES_URL) as url:
            yield url


def row_counts(url: str) -> dict[str, int]:
    """Count the rows of every table of the database at `url`."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            names = inspect(connection).get_table_names()
            return {name: connection.scalar(select(func.count()).select_from(table(name))) for name in names}
    finally:
        engine.dispose()


def postgres_tool(name: str, url: str) -> str:
    """Return the path of PostgreSQL's `name` (pg_dump, pg_restore) of the server's major version."""
    engine = make_engine(url)
    with engine.connect() as connection:
        major = int(connection.exec_driver_sql("SHOW server_version_num").scalar()) // 10000
    engine.dispose()
    for candidate in (f"/usr/lib/postgresql/{major}/bin/{name}", shutil.which(name)):
        if candidate and Path(candidate).is_file():
            said = subprocess.run([candidate, "--version"], capture_output=True, text=True, check=True).stdout
            if re.search(rf"\) {major}\.", said):
                return candidate
    pytest.skip(f"no {name} of PostgreSQL {major} on this machine")


def libpq(url: str) -> tuple[list[str], dict[str, str]]:
    """Return the connection options of `url` for a PostgreSQL client tool, and its environment."""
    parsed = make_url(url)
    options = ["--host", parsed.host or "127.0.0.1", "--port", str(parsed.port or 5432)]
    options += ["--username", parsed.username or "postgres", "--dbname", parsed.database]
    # The password goes in the environment, where other users' `ps` cannot read it.
    return options, os.environ | ({"PGPASSWORD": parsed.password} if parsed.password else {})


def back_up_and_restore(backend: str, original: str, copy: str, folder: Path) -> None:
    """Back up the database at `original` and restore it into the empty one at `copy`."""
    if backend == "sqlite":
        # The online backup API: a consistent copy while the service writes (what sqlite3's .backup does).
        source, target = (sqlite3.connect(make_url(url).database) for url in (original, copy))
        with closing(source), closing(target):
            source.backup(target)
        return
    dump = folder / "crosscheck.dump"
    options, env = libpq(original)
    subprocess.run(
        [postgres_tool("pg_dump", original), "-Fc", "--file", str(dump), *options], env=env, check=True
    )
    options, env = libpq(copy)
    restore = [postgres_tool("pg_restore", copy), "--no-owner", "--no-privileges", "--exit-on-error"]
    subprocess.run([*restore, *options, str(dump)], env=env, check=True)


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_restored_backup_verifies_counts_the_same_and_still_finds_a_known_person(backend, tmp_path):
    with empty_database(backend, tmp_path / "original.db") as original:
        upgrade(original)
        with app_on(original) as app:
            seeded = app.test_cli_runner().invoke(args=["demo", "seed"])
            assert seeded.exit_code == 0, seeded.output
        engine = make_engine(original)
        with Session(engine, expire_on_commit=False) as session:
            entry = make_register_entry(session, **KNOWN)
            key = make_api_client(session, authority_id=make_authority(session).id, scopes=["council:read"])[
                1
            ]
        engine.dispose()
        counted = row_counts(original)
        assert counted["licence"] >= 300 and counted["audit_event"] > 10

        with empty_database(backend, tmp_path / "restored.db") as copy:
            back_up_and_restore(backend, original, copy, tmp_path)

            assert row_counts(copy) == counted
            restored_engine = make_engine(copy)
            assert schema_problem(restored_engine) is None  # at head: the scheduler and /readyz accept it
            restored_engine.dispose()
            with app_on(copy) as restored:
                verified = restored.test_cli_runner().invoke(args=["audit", "verify"])
                screened = restored.test_client().post(
                    "/api/v1/screenings", json=ad_hoc(**KNOWN), headers=bearer(key)
                )

    assert verified.exit_code == 0, verified.output
    assert f"Audit chain intact: {counted['audit_event']:,} events verified." in verified.output
    assert screened.status_code == 201, screened.json
    found = [c for c in screened.json["candidates"] if c["record"].get("register_entry_id") == entry.id]
    assert [c["band"] for c in found] == ["match"]

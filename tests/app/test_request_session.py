"""Each request works in one unit of work: kept when the response is ready, undone when the request fails."""

import pytest
from flask import Flask
from sqlalchemy import select

from app import create_app, db
from licensing.errors import ValidationFailed
from licensing.persistence import unit_of_work
from licensing.persistence.models import Authority
from tests.conftest import TEST_SECRET
from tests.units import count_of


def _authority(code: str) -> Authority:
    """Return a new (unsaved) authority with this code."""
    return Authority(code=code, name=f"Council {code}", nation="england")


def _add(code: str) -> None:
    """Add an authority in this request's unit and write it."""
    db.session().add(_authority(code))
    db.session().flush()


def _routes(app: Flask) -> None:
    """Give `app` views that write in the request's unit, then answer or fail (under /api: no CSRF token)."""

    def kept():
        _add("E06000901")
        return "kept", 201

    def refused():
        _add("E06000902")
        raise ValidationFailed("Refused after writing.")

    def broken():
        _add("E06000903")
        raise RuntimeError("a bug after writing")

    def read_only():
        _add("E06000904")
        return "written"

    def failing_commit():
        db.session().add(_authority("E06000905"))
        db.session().add(_authority("E06000905"))  # the same code twice: only the commit finds out
        return "not kept"

    for view in (kept, refused, broken, failing_commit):
        app.add_url_rule(f"/api/test/{view.__name__}", view_func=view, methods=["POST"])
    app.add_url_rule("/api/test/read_only", view_func=read_only)
    app.add_url_rule("/api/test/writes_on_get", "writes_on_get", db.writes_on_get(kept))


@pytest.fixture
def app(database_url):
    """Return an app bound to this test's database, with the test views."""
    app = create_app({"ENV_NAME": "testing", "DATABASE_URL": database_url, "SECRET_KEY": TEST_SECRET})
    app.config["PROPAGATE_EXCEPTIONS"] = False  # answer a failed commit as production does, with a 500
    _routes(app)
    yield app
    app.extensions["crosscheck.engine"].dispose()


def _codes(engine) -> set[str]:
    """Return the codes of the authorities the database holds, read in a unit of work of its own."""
    with unit_of_work.reading(engine) as session:
        return set(session.scalars(select(Authority.code)))


def test_what_a_request_wrote_is_committed_before_its_response(client, engine):
    assert client.post("/api/test/kept").status_code == 201
    assert _codes(engine) == {"E06000901"}


def test_a_request_refused_after_writing_keeps_nothing(client, engine):
    assert client.post("/api/test/refused").status_code == 422
    assert count_of(engine, Authority) == 0


def test_a_request_that_failed_on_a_bug_after_writing_keeps_nothing(client, engine):
    assert client.post("/api/test/broken").status_code == 500
    assert count_of(engine, Authority) == 0


def test_a_get_reads_in_a_reading_unit_that_the_database_refuses_to_write(client, engine):
    assert client.get("/api/test/read_only").status_code == 500
    assert count_of(engine, Authority) == 0


def test_a_get_marked_as_writing_writes(client, engine):
    assert client.get("/api/test/writes_on_get").status_code == 201
    assert _codes(engine) == {"E06000901"}


def test_a_commit_that_fails_answers_500_and_keeps_nothing(client, engine):
    assert client.post("/api/test/failing_commit").status_code == 500
    assert count_of(engine, Authority) == 0

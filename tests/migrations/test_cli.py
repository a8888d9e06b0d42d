"""`flask db upgrade|downgrade|current` on the app's DATABASE_URL."""

import pytest
from alembic.script import ScriptDirectory

from app import create_app
from app.migrate import alembic_config, current_revision, head_revision, is_at_head
from tests.conftest import TEST_SECRET


@pytest.fixture
def fresh_app(empty_database_url):
    """Return an app bound to a database that has never been migrated."""
    app = create_app({"ENV_NAME": "testing", "DATABASE_URL": empty_database_url, "SECRET_KEY": TEST_SECRET})
    yield app
    app.extensions["crosscheck.engine"].dispose()


@pytest.fixture
def runner(fresh_app):
    """Return a CLI runner for `fresh_app`."""
    return fresh_app.test_cli_runner()


def test_db_upgrade_brings_a_fresh_database_to_head(runner, empty_engine):
    assert not is_at_head(empty_engine)

    result = runner.invoke(args=["db", "upgrade"])

    assert result.exit_code == 0, result.output
    assert f"upgraded from base (no migrations applied) to revision {head_revision()}" in result.output
    assert is_at_head(empty_engine)


def test_db_upgrade_twice_says_nothing_to_do(runner):
    runner.invoke(args=["db", "upgrade"])

    result = runner.invoke(args=["db", "upgrade"])

    assert result.exit_code == 0, result.output
    assert "nothing to do" in result.output


def test_db_current_reports_head_after_upgrade(runner):
    runner.invoke(args=["db", "upgrade"])

    result = runner.invoke(args=["db", "current"])

    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == f"Database at revision {head_revision()} (head)."


def test_db_current_tells_a_fresh_database_to_upgrade(runner):
    result = runner.invoke(args=["db", "current"])

    assert result.exit_code == 0, result.output
    assert "run `flask db upgrade`" in result.output


def test_db_downgrade_defaults_to_one_step_back(runner, empty_engine):
    runner.invoke(args=["db", "upgrade"])

    result = runner.invoke(args=["db", "downgrade"])

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    previous = ScriptDirectory.from_config(alembic_config()).get_revision(head).down_revision
    assert result.exit_code == 0, result.output
    assert f"from revision {head} to " in result.output
    assert current_revision(empty_engine) == previous
    assert not is_at_head(empty_engine)


def test_db_downgrade_below_base_fails(runner):
    result = runner.invoke(args=["db", "downgrade"])

    assert result.exit_code != 0
    assert "failed" in result.output


def test_db_upgrade_to_unknown_revision_fails(runner, empty_engine):
    result = runner.invoke(args=["db", "upgrade", "no-such-revision"])

    assert result.exit_code != 0
    assert "no-such-revision" in result.output
    assert not is_at_head(empty_engine)


def test_db_upgrade_fails_when_the_database_cannot_be_reached(tmp_path):
    unreachable = f"sqlite:///{tmp_path / 'missing-dir' / 'crosscheck.db'}"
    app = create_app({"ENV_NAME": "testing", "DATABASE_URL": unreachable, "SECRET_KEY": TEST_SECRET})

    result = app.test_cli_runner().invoke(args=["db", "upgrade"])

    assert result.exit_code != 0
    assert "Error" in result.output

"""A migration that fails part-way leaves the database as it was, on SQLite as on PostgreSQL."""

import shutil
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import inspect
from sqlalchemy.exc import OperationalError, ProgrammingError

from app.migrate import alembic_config, head_revision, upgrade

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"

BROKEN_REVISION = '''"""Broken on purpose: creates a table, then fails."""

import sqlalchemy as sa
from alembic import op

revision = "broken0000"
down_revision = {down_revision!r}
branch_labels = None
depends_on = None


def upgrade():
    """Create a table, then run SQL that cannot work."""
    op.create_table("half_done", sa.Column("id", sa.Integer(), primary_key=True))
    op.execute("SELECT * FROM no_such_table")


def downgrade():
    """Drop the table."""
    op.drop_table("half_done")
'''


@pytest.fixture
def broken_config(tmp_path, empty_database_url):
    """Return an Alembic config whose scripts end in a revision that fails after creating a table."""
    scripts = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS, scripts, ignore=shutil.ignore_patterns("__pycache__"))
    (scripts / "versions" / "broken0000.py").write_text(BROKEN_REVISION.format(down_revision=head_revision()))
    config = alembic_config(empty_database_url)
    config.set_main_option("script_location", str(scripts))
    return config


def test_failed_migration_rolls_back_everything_it_did(broken_config, empty_engine):
    with pytest.raises((OperationalError, ProgrammingError)):
        command.upgrade(broken_config, "head")

    assert inspect(empty_engine).get_table_names() == []


def test_failed_migration_keeps_the_revisions_before_it(broken_config, empty_database_url, empty_engine):
    upgrade(empty_database_url)

    with pytest.raises((OperationalError, ProgrammingError)):
        command.upgrade(broken_config, "head")

    tables = inspect(empty_engine).get_table_names()
    assert "half_done" not in tables
    assert "licence" in tables

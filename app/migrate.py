"""Alembic, driven from Python: upgrade, downgrade, stamp, and ask whether a database is at head."""

from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from licensing.imports.writing import settle
from licensing.persistence.db import applied_revisions, make_engine

ALEMBIC_INI = Path(__file__).resolve().parent.parent / "alembic.ini"
VERSION_TABLE = "alembic_version"  # Alembic's default; env.py does not change it
# Set in the Alembic config's attributes by a migration that rebuilt every match key (see `upgrade`).
KEYS_REBUILT = "crosscheck.keys_rebuilt"


def alembic_config(url: str | None = None) -> Config:
    """Return an Alembic Config for the project's migrations, pointed at `url` when given."""
    config = Config(str(ALEMBIC_INI))
    # Leave the caller's logging alone; env.py only configures it for the `alembic` command line.
    config.attributes["configure_logger"] = False
    if url is not None:
        # Config values go through configparser interpolation, so a %-encoded password needs %%.
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, rev: str = "head") -> None:
    """Migrate the database at `url` forward to `rev`; settle the key tables if a step rebuilt them."""
    config = alembic_config(url)
    command.upgrade(config, rev)
    if config.attributes.get(KEYS_REBUILT):
        engine = make_engine(url)
        try:
            settle(engine)  # VACUUM cannot run in the migration's own transaction
        finally:
            engine.dispose()


def downgrade(url: str, rev: str) -> None:
    """Migrate the database at `url` back to `rev` (a revision, "-1" or "base")."""
    command.downgrade(alembic_config(url), rev)


def stamp(url: str, rev: str = "head") -> None:
    """Record `rev` as the revision of the database at `url` without running anything.

    For a database whose schema was built from the models (the tests', a benchmark's), which is the
    schema the head revision builds.
    """
    command.stamp(alembic_config(url), rev)


def current_revision(engine: Engine) -> str | None:
    """Return the revision the database is at, or None if it has never been migrated."""
    heads = _current_heads(engine)
    return ",".join(sorted(heads)) or None


def head_revision() -> str | None:
    """Return the newest revision in migrations/versions."""
    return ",".join(sorted(_script_heads())) or None


def is_at_head(engine: Engine) -> bool:
    """Tell whether the database has every migration applied (and nothing unknown to this code)."""
    return _current_heads(engine) == _script_heads()


def schema_problem(engine: Engine) -> str | None:
    """Say in one sentence why this code cannot work on the database, or return None when it is at head.

    A driver's error is named by its type alone: its text quotes the connection string.
    """
    try:
        current = _current_heads(engine)
        if current == _script_heads():
            return None
        with engine.connect() as connection:
            empty = not inspect(connection).get_table_names()
    except SQLAlchemyError as error:
        return f"cannot reach the database ({type(error).__name__})"
    upgrade_hint = "run `flask db upgrade` first"
    if empty:
        return f"the database has no tables: {upgrade_hint}"
    head = head_revision()
    if not current:
        return f"the database has no migration revision (head is {head}): {upgrade_hint}"
    at = ",".join(sorted(current))
    if not current <= _all_revisions():
        return f"the database is at revision {at}, which this code does not know (head is {head})"
    return f"the database is at revision {at}, not at head {head}: {upgrade_hint}"


def _current_heads(engine: Engine) -> frozenset[str]:
    """Return the revisions recorded in the database's alembic_version table."""
    # Read the table directly: MigrationContext logs two INFO lines per call, too chatty for /readyz.
    with engine.connect() as connection:
        if not inspect(connection).has_table(VERSION_TABLE):
            return frozenset()
        return applied_revisions(connection, VERSION_TABLE)


@cache
def _all_revisions() -> frozenset[str]:
    """Return every revision of the migration scripts."""
    return frozenset(r.revision for r in ScriptDirectory.from_config(alembic_config()).walk_revisions())


@cache
def _script_heads() -> frozenset[str]:
    """Return the head revisions of the migration scripts."""
    # The scripts cannot change under a running process, so read them once (is_at_head serves /readyz).
    return frozenset(ScriptDirectory.from_config(alembic_config()).get_heads())

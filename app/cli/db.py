"""`flask db upgrade|downgrade|current`: migrate the app's DATABASE_URL with Alembic."""

import click
from alembic.util import CommandError
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy.exc import SQLAlchemyError

from app import db, migrate

db_cli = AppGroup("db", help="Migrate the database (Alembic).")


@db_cli.command("upgrade")
@click.argument("rev", default="head")
def upgrade_command(rev: str) -> None:
    """Migrate the database forward to REV (default: head)."""
    before = _current()
    _run(migrate.upgrade, rev)
    after = _current()
    if after == before:
        click.echo(f"Database already at {_label(after)}; nothing to do.")
    else:
        click.echo(f"Database upgraded from {_label(before)} to {_label(after)}.")


@db_cli.command("downgrade")
@click.argument("rev", default="-1")
def downgrade_command(rev: str) -> None:
    """Migrate the database back to REV (default: -1, one step; "base" removes every table)."""
    before = _current()
    _run(migrate.downgrade, rev)
    click.echo(f"Database downgraded from {_label(before)} to {_label(_current())}.")


@db_cli.command("current")
def current_command() -> None:
    """Show the database's revision and whether it is at head."""
    current, head = _current(), migrate.head_revision()
    if current == head:
        click.echo(f"Database at {_label(current)} (head).")
    else:
        click.echo(f"Database at {_label(current)}; head is {_label(head)}: run `flask db upgrade`.")


def _run(step, rev: str) -> None:
    """Apply one Alembic step to the app's database, turning its failures into a CLI error."""
    try:
        step(current_app.config["DATABASE_URL"], rev)
    except (CommandError, SQLAlchemyError) as error:
        raise click.ClickException(f"Migration to {rev!r} failed: {error}") from error


def _current() -> str | None:
    """Return the app's database revision, failing cleanly if the database cannot be reached."""
    try:
        return migrate.current_revision(db.engine())
    except SQLAlchemyError as error:
        raise click.ClickException(f"Cannot read the database's revision: {error}") from error


def _label(revision: str | None) -> str:
    """Name a revision for people: None means nothing is applied."""
    return f"revision {revision}" if revision else "base (no migrations applied)"

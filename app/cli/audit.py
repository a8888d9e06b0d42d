"""`flask audit verify`: check that the hash-chained audit log is intact."""

import click
from flask.cli import AppGroup
from sqlalchemy.exc import SQLAlchemyError

from app import db
from licensing.audit.log import verify

audit_cli = AppGroup("audit", help="Inspect the append-only audit log.")

BATCH = 10_000


@audit_cli.command("verify")
def verify_command() -> None:
    """Recompute every audit event's hash and check the chain is unbroken up to its head."""
    try:
        with db.reading() as session:
            result = verify(session, progress=_show_progress, batch=BATCH)
    except SQLAlchemyError as error:
        raise click.ClickException(f"Could not read the audit log: {error.__class__.__name__}.") from error
    if not result.ok:
        raise click.ClickException(
            f"Audit chain broken at event {result.first_broken_id}: {result.explanation}; "
            f"{result.checked:,} events verified before it."
        )
    click.echo(f"Audit chain intact: {result.checked:,} events verified.")


def _show_progress(checked: int, total: int) -> None:
    """Report how far the walk has got, on stderr so the summary stays the only stdout line."""
    click.echo(f"  verified {checked:,} of {total:,} events", err=True)

"""`flask alerts list [--authority CODE]`: the newest alerts, unread first, for operators."""

import click
from flask.cli import AppGroup

from app import db
from licensing.alerts.queries import alerts_with_council_code
from licensing.reference import authority_by_code

alerts_cli = AppGroup("alerts", help="Inspect alerts raised for councils.")


@alerts_cli.command("list")
@click.option("--authority", "code", help="Only this council's alerts (GSS code).")
@click.option("--limit", default=100, show_default=True, help="How many, newest first.")
def list_command(code: str | None, limit: int) -> None:
    """List alerts: id, council, type, subject, raised, read (never any personal data)."""
    with db.reading() as session:
        authority_id = None
        if code:
            authority = authority_by_code(session, code)
            if authority is None:
                raise click.ClickException(f"No authority with code {code}.")
            authority_id = authority.id
        rows = alerts_with_council_code(session, authority_id, limit)
    for alert, authority_code in rows:
        read = f"read {alert.read_at:%Y-%m-%d %H:%M}" if alert.read_at else "unread"
        subject = f"{alert.subject_kind}/{alert.subject_id}"
        raised = f"{alert.created_at:%Y-%m-%d %H:%M}"
        click.echo(f"{alert.id}  {authority_code}  {alert.alert_type}  {subject}  {raised}  {read}")
    click.echo(f"{len(rows)} alerts.")

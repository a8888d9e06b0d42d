"""`flask deliveries list [--failed|--dead]` and `flask deliveries retry ID`: the outbox, for operators."""

import click
from flask.cli import AppGroup

from app import db
from licensing.actors import cli_actor
from licensing.alerts.outbox import list_deliveries, retry_delivery
from licensing.clock import utcnow
from licensing.errors import DomainError

deliveries_cli = AppGroup("deliveries", help="Inspect and retry alert deliveries.")


@deliveries_cli.command("list")
@click.option("--failed", "state", flag_value="failed", help="Only pending deliveries that failed before.")
@click.option("--dead", "state", flag_value="dead", help="Only dead-lettered deliveries.")
@click.option("--limit", default=200, show_default=True, help="How many, newest first.")
def list_command(state: str | None, limit: int) -> None:
    """List deliveries: id, alert, channel/target, status, attempts, next attempt, message id, last error."""
    with db.reading() as session:
        rows = list_deliveries(session, state=state, limit=limit)
    for d in rows:
        error = (d.last_error or "")[:80]
        click.echo(
            f"{d.id}  alert {d.alert_id}  {d.channel}/{d.target}  {d.status}  attempts {d.attempts}  "
            f"next {d.next_attempt_at:%Y-%m-%d %H:%M}  {d.message_id}  {error}"
        )
    click.echo(f"{len(rows)} deliveries.")


@deliveries_cli.command("retry")
@click.argument("delivery_id", type=int)
def retry_command(delivery_id: int) -> None:
    """Make a dead or failed delivery due now, with the same message id (audited)."""
    try:
        with db.writing() as session:
            delivery = retry_delivery(session, cli_actor("deliveries retry"), delivery_id, utcnow())
    except DomainError as error:
        raise click.ClickException(error.detail) from error
    click.echo(f"Delivery {delivery.id} ({delivery.message_id}) is due now.")

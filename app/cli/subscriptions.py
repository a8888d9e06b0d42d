"""`flask subscriptions add-webhook|add-email|list|rotate`: a council's alert subscriptions."""

import click
from flask import current_app
from flask.cli import AppGroup
from sqlmodel import Session

from app import db
from licensing.actors import Actor
from licensing.alerts import subscriptions
from licensing.clock import utcnow
from licensing.errors import DomainError
from licensing.reference import authority_by_code

subscriptions_cli = AppGroup(
    "subscriptions", help="Manage councils' webhook endpoints and e-mail recipients."
)
TYPES_HELP = "Space- or comma-separated alert types, e.g. 'register_entry.recorded intelligence.routed'."


def council(session: Session, code: str) -> Actor:
    """Return the operator acting for the council with this GSS code."""
    authority = authority_by_code(session, code)
    if authority is None:
        raise click.ClickException(f"No authority with code {code}.")
    return Actor(kind="cli", id=None, label="cli:subscriptions", authority_id=authority.id)


def url_rules() -> dict:
    """Return the SSRF rule's switches for this environment."""
    allow_http = current_app.config["ENV_NAME"] in ("development", "testing")
    return {"allow_http": allow_http, "allow_private": bool(current_app.config.get("WEBHOOK_ALLOW_PRIVATE"))}


@subscriptions_cli.command("add-webhook")
@click.argument("code")
@click.argument("url")
@click.option("--types", required=True, help=TYPES_HELP)
def add_webhook_command(code: str, url: str, types: str) -> None:
    """Add a webhook endpoint for council CODE and print its signing secret, once."""
    try:
        with db.writing() as session:
            endpoint, secret = subscriptions.add_webhook(
                session, council(session, code), url, _split(types), utcnow(), **url_rules()
            )
    except DomainError as error:
        raise click.ClickException(_explain(error)) from error
    click.echo(secret)
    click.echo(f"Added webhook endpoint {endpoint.id} for {code.upper()}; store the secret now.", err=True)


@subscriptions_cli.command("add-email")
@click.argument("code")
@click.argument("address")
@click.option("--types", required=True, help=TYPES_HELP)
def add_email_command(code: str, address: str, types: str) -> None:
    """Add an e-mail recipient for council CODE."""
    try:
        with db.writing() as session:
            recipient = subscriptions.add_email(
                session, council(session, code), address, _split(types), utcnow()
            )
    except DomainError as error:
        raise click.ClickException(_explain(error)) from error
    click.echo(f"Added e-mail recipient {recipient.id} for {code.upper()}.")


@subscriptions_cli.command("list")
@click.argument("code")
def list_command(code: str) -> None:
    """List council CODE's endpoints and recipients (never secrets)."""
    with db.reading() as session:
        endpoints, recipients = subscriptions.list_subscriptions(session, council(session, code))
    for e in endpoints:
        state = "active" if e.active else "inactive"
        click.echo(f"webhook {e.id}  {state}  {e.url}  [{' '.join(e.alert_types)}]")
    for r in recipients:
        state = "active" if r.active else "inactive"
        click.echo(f"email {r.id}  {state}  {r.email_address}  [{' '.join(r.alert_types)}]")
    click.echo(f"{len(endpoints)} webhook endpoints, {len(recipients)} e-mail recipients.")


@subscriptions_cli.command("rotate")
@click.argument("code")
@click.argument("endpoint_id", type=int)
def rotate_command(code: str, endpoint_id: int) -> None:
    """Give endpoint ENDPOINT_ID of council CODE a new secret (printed once; the old one signs 24 h more)."""
    try:
        with db.writing() as session:
            endpoint, secret = subscriptions.rotate_secret(
                session, council(session, code), endpoint_id, utcnow()
            )
    except DomainError as error:
        raise click.ClickException(_explain(error)) from error
    click.echo(secret)
    click.echo(
        f"Rotated the secret of webhook endpoint {endpoint.id}; the previous one signs for 24 h.", err=True
    )


def _split(types: str) -> list[str]:
    """Return the alert types given on the command line."""
    return [t for t in types.replace(",", " ").split() if t]


def _explain(error: DomainError) -> str:
    """Return the error with each field's message."""
    return " ".join([error.detail] + [f"{e['field']}: {e['message']}" for e in error.errors])

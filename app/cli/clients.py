"""`flask clients create|revoke|list`: the API keys of council systems and police forces."""

import click
from flask.cli import AppGroup

from app import db
from licensing.access.clients import create_client, list_clients, revoke_client
from licensing.actors import cli_actor
from licensing.clock import utcnow
from licensing.errors import DomainError
from licensing.reference import authority_by_code, police_force_by_code

clients_cli = AppGroup("clients", help="Manage API clients and their keys.")


@clients_cli.command("create")
@click.option("--org", "code", required=True, help="The authority's GSS code or the police force's code.")
@click.option(
    "--scopes",
    required=True,
    help='Space-separated, e.g. "council:read council:write"; add council:decide for a manager\'s decisions '
    "(refuse, suspend, reinstate, revoke); police:intelligence for a force.",
)
@click.option("--name", required=True, help="What the client is, e.g. the council's back-office system.")
def create_command(code: str, scopes: str, name: str) -> None:
    """Create an API client for an organisation and print its key, once."""
    try:
        with db.writing() as session:
            client, key = create_client(
                session,
                name=name,
                scopes=scopes.split(),
                now=utcnow(),
                actor=cli_actor("clients create"),
                **_organisation(session, code),
            )
    except DomainError as error:
        raise click.ClickException(_explain(error)) from error
    click.echo(key)
    click.echo("Store this key now: it is not kept and will not be shown again.", err=True)
    click.echo(
        f"Created API client {client.id} ({client.name}) for {code.upper()}: {client.scopes}.", err=True
    )


@clients_cli.command("revoke")
@click.argument("client_id", type=int)
def revoke_command(client_id: int) -> None:
    """Revoke API client CLIENT_ID so that its key is refused from now on."""
    try:
        with db.writing() as session:
            client = revoke_client(session, client_id, utcnow(), actor=cli_actor("clients revoke"))
    except DomainError as error:
        raise click.ClickException(_explain(error)) from error
    click.echo(f"Revoked API client {client.id} ({client.name}).")


@clients_cli.command("list")
def list_command() -> None:
    """List the API clients: id, key id, organisation, scopes, status and name (never keys)."""
    with db.reading() as session:
        clients = list_clients(session)
    for client, code in clients:
        status = f"revoked {client.revoked_at:%Y-%m-%d}" if client.revoked_at else "active"
        click.echo(f"{client.id}  {client.key_id}  {code}  {status}  [{client.scopes}]  {client.name}")
    click.echo(f"{len(clients)} API clients.")


def _organisation(session, code: str) -> dict:
    """Return the create_client argument naming the organisation with this code."""
    if authority := authority_by_code(session, code):
        return {"authority_id": authority.id}
    if force := police_force_by_code(session, code):
        return {"police_force_id": force.id}
    raise click.ClickException(f"No authority or police force has the code {code!r}.")


def _explain(error: DomainError) -> str:
    """Return the error's detail followed by each field's problem."""
    problems = "; ".join(f"{e['field']}: {e['message']}" for e in error.errors)
    return f"{error.detail} {problems}".strip()

"""`flask authorities oidc set|show|remove`: a council's own identity provider for its officers' sign-in."""

import os

import click
from flask import current_app
from flask.cli import AppGroup
from sqlmodel import Session

from app import db
from app.officer.oidc import CALLBACK_PATH
from licensing.access import oidc
from licensing.actors import cli_actor
from licensing.clock import utcnow
from licensing.errors import DomainError
from licensing.persistence.models import Authority
from licensing.reference import authority_by_code

oidc_cli = AppGroup("oidc", help="Manage councils' OpenID Connect sign-in.")


@oidc_cli.command("set")
@click.argument("code")
@click.option("--issuer", required=True, help="The provider's issuer URL, exactly as its ID tokens give it.")
@click.option("--client-id", required=True, help="Crosscheck's client id at the provider.")
@click.option(
    "--client-secret-env", required=True, help="The environment variable that holds the client secret."
)
@click.option("--domain", "domains", multiple=True, required=True, help="An e-mail domain it vouches for.")
@click.option(
    "--email-claim", default="email", show_default=True, help="The ID token claim with the address."
)
def set_command(code: str, issuer: str, client_id: str, client_secret_env: str, domains, email_claim: str):
    """Let the officers of authority CODE sign in through its identity provider (added or replaced)."""
    try:
        with db.writing() as session:
            authority = _authority(session, code)
            oidc.configure(
                session,
                authority,
                issuer=issuer,
                client_id=client_id,
                client_secret_env=client_secret_env,
                domains=list(domains),
                email_claim=email_claim,
                now=utcnow(),
                actor=cli_actor("authorities oidc set"),
                require_https=current_app.config["ENV_NAME"] == "production",
            )
    except DomainError as error:
        problems = "; ".join(f"{e['field']}: {e['message']}" for e in error.errors)
        raise click.ClickException(f"{error.detail} {problems}".strip()) from error
    click.echo(f"{authority.code} {authority.name} signs in through {issuer}.")
    click.echo(f"Register this redirect URI at the provider: {_redirect_uri()}")
    if not os.environ.get(client_secret_env):
        click.echo(f"Warning: {client_secret_env} is not set here; set it wherever the web app runs.")


@oidc_cli.command("show")
def show_command() -> None:
    """List every council's identity provider."""
    with db.reading() as session:
        rows = oidc.providers(session)
    for provider, authority in rows:
        click.echo(
            f"{authority.code} {authority.name}: issuer {provider.issuer}, client {provider.client_id}, "
            f"secret in ${provider.client_secret_env}, domains {provider.allowed_domains}, "
            f"claim {provider.email_claim}"
        )
    click.echo(f"{len(rows)} identity provider(s); redirect URI {_redirect_uri()}")


@oidc_cli.command("remove")
@click.argument("code")
def remove_command(code: str) -> None:
    """Stop authority CODE's officers signing in through its identity provider."""
    try:
        with db.writing() as session:
            authority = _authority(session, code)
            oidc.remove(session, authority, utcnow(), cli_actor("authorities oidc remove"))
    except DomainError as error:
        raise click.ClickException(error.detail) from error
    click.echo(f"{authority.code} {authority.name} no longer signs in through an identity provider.")


def _authority(session: Session, code: str) -> Authority:
    """Return the authority with this GSS code, or fail the command."""
    authority = authority_by_code(session, code)
    if authority is None:
        raise click.ClickException(f"No authority has the code {code!r}.")
    return authority


def _redirect_uri() -> str:
    """Return the address providers send officers back to."""
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + CALLBACK_PATH

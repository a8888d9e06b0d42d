"""`flask reference load` and `flask authorities add|list|set-concern-url`: authorities and police forces."""

import click
from flask.cli import AppGroup

from app import db
from licensing.actors import cli_actor
from licensing.clock import utcnow
from licensing.errors import DomainError
from licensing.persistence.models.organisations import NATIONS
from licensing.reference import add_authority, list_authorities, load_reference, set_concern_url

reference_cli = AppGroup("reference", help="Load the bundled reference data.")
authorities_cli = AppGroup("authorities", help="Manage licensing authorities.")


@reference_cli.command("load")
def load_command() -> None:
    """Add or update every licensing authority and police force from the bundled files."""
    with db.writing() as session:
        counts = load_reference(session, utcnow(), actor=cli_actor("reference load"))
    click.echo(f"Reference data loaded: {counts.summary()}.")


@authorities_cli.command("add")
@click.argument("code")
@click.argument("name")
@click.option("--nation", required=True, type=click.Choice(NATIONS), help="The nation the council is in.")
def add_command(code: str, name: str, nation: str) -> None:
    """Add the licensing authority CODE (its ONS GSS code) called NAME."""
    try:
        with db.writing() as session:
            authority = add_authority(
                session, code, name, nation, now=utcnow(), actor=cli_actor("authorities add")
            )
    except DomainError as error:
        raise click.ClickException(_explain(error)) from error
    click.echo(f"Added authority {authority.code} {authority.name} ({authority.nation}).")


@authorities_cli.command("list")
@click.option("--nation", type=click.Choice(NATIONS), help="Only the authorities of this nation.")
def list_command(nation: str | None) -> None:
    """List the licensing authorities: code, nation and name."""
    with db.reading() as session:
        authorities = list_authorities(session, nation)
    for authority in authorities:
        click.echo(f"{authority.code}  {authority.nation:<8}  {authority.name}")
    click.echo(f"{len(authorities)} {'authority' if len(authorities) == 1 else 'authorities'}.")


@authorities_cli.command("set-concern-url")
@click.argument("code")
@click.argument("url", required=False, default="")
@click.option("--clear", is_flag=True, help="Remove the page: the public check links to GOV.UK's instead.")
def set_concern_url_command(code: str, url: str, clear: bool) -> None:
    """Set the https:// page where residents report a concern about a driver licensed by CODE."""
    if bool(url) == clear:
        raise click.UsageError("Give the page's https:// address, or --clear.")
    try:
        with db.writing() as session:
            authority = set_concern_url(
                session, code, url, now=utcnow(), actor=cli_actor("authorities set-concern-url")
            )
    except DomainError as error:
        raise click.ClickException(_explain(error)) from error
    shown = authority.concern_url or "none (the public check links to GOV.UK's 'find your local council')"
    click.echo(f"Concern page of {authority.code} {authority.name}: {shown}.")


def _explain(error: DomainError) -> str:
    """Return the error's detail followed by each field's problem."""
    problems = "; ".join(f"{e['field']}: {e['message']}" for e in error.errors)
    return f"{error.detail} {problems}".strip()

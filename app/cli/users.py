"""`flask users create`, `disable` and `enable`: officer accounts."""

import click
from flask.cli import AppGroup

from app import db
from licensing.actors import cli_actor
from licensing.clock import utcnow
from licensing.errors import DomainError
from licensing.models.organisations import ROLES
from licensing.reference import authority_by_code
from licensing.users import create_user, set_active

users_cli = AppGroup("users", help="Manage officer accounts.")


@users_cli.command("create")
@click.option("--email", required=True, help="The officer's e-mail address; it is their sign-in name.")
@click.option("--name", required=True, help="The officer's name as shown in the service.")
@click.option("--role", required=True, type=click.Choice(ROLES), help="What the officer may do.")
@click.option("--authority", "code", required=True, help="The GSS code of the officer's authority.")
@click.option(
    "--password",
    prompt=True,
    hide_input=True,
    confirmation_prompt=True,
    help="For scripts; asked for (twice, hidden) when left out.",
)
def create_command(email: str, name: str, role: str, code: str, password: str) -> None:
    """Create an officer account of an authority."""
    session = db.session()
    authority = authority_by_code(session, code)
    if authority is None:
        raise click.ClickException(f"No authority has the code {code!r}.")
    try:
        user = create_user(
            session,
            email=email,
            name=name,
            password=password,
            role=role,
            authority_id=authority.id,
            now=utcnow(),
            actor=cli_actor("users create"),
        )
    except DomainError as error:
        raise click.ClickException(_explain(error)) from error
    click.echo(f"Created {user.role} {user.email} (user {user.id}) of {authority.code} {authority.name}.")


@users_cli.command("disable")
@click.option("--email", required=True, help="The officer's e-mail address.")
def disable_command(email: str) -> None:
    """Disable an officer's account: they cannot sign in, and every session they have ends at once."""
    _set_active(email, active=False, command="users disable")


@users_cli.command("enable")
@click.option("--email", required=True, help="The officer's e-mail address.")
def enable_command(email: str) -> None:
    """Enable a disabled officer's account again; they sign in afresh."""
    _set_active(email, active=True, command="users enable")


def _set_active(email: str, active: bool, command: str) -> None:
    """Disable or enable the account, reporting the outcome or the error."""
    try:
        user = set_active(db.session(), email, active, utcnow(), cli_actor(command))
    except DomainError as error:
        raise click.ClickException(_explain(error)) from error
    click.echo(
        f"{'Enabled' if active else 'Disabled'} {user.email} (user {user.id}); their sessions have ended."
    )


def _explain(error: DomainError) -> str:
    """Return the error's detail followed by each field's problem."""
    problems = "; ".join(f"{e['field']}: {e['message']}" for e in error.errors)
    return f"{error.detail} {problems}".strip()

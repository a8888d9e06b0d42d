"""`flask users create|password-link|reset-second-factor|disable|enable`: officer accounts."""

import click
from flask import current_app
from flask.cli import AppGroup
from sqlmodel import Session

from app import db
from app.officer.second_factor import link_lifetime, link_url
from licensing.access import queries, second_factor
from licensing.access.password_links import create_user_without_password
from licensing.access.users import create_user, normalise_email, set_active
from licensing.actors import cli_actor
from licensing.clock import utcnow
from licensing.errors import DomainError
from licensing.persistence.models import User
from licensing.persistence.models.organisations import ROLES
from licensing.reference import authority_by_code

users_cli = AppGroup("users", help="Manage officer accounts.")
PRODUCTION_PASSWORD = (
    "In production an officer chooses their own password through a one-time link: leave out --password."
)


@users_cli.command("create")
@click.option("--email", required=True, help="The officer's e-mail address; it is their sign-in name.")
@click.option("--name", required=True, help="The officer's name as shown in the service.")
@click.option("--role", required=True, type=click.Choice(ROLES), help="What the officer may do.")
@click.option("--authority", "code", required=True, help="The GSS code of the officer's authority.")
@click.option(
    "--password",
    default=None,
    help="Development and testing only, for scripts. Left out: print a one-time set-password link.",
)
def create_command(email: str, name: str, role: str, code: str, password: str | None) -> None:
    """Create an officer account of an authority, and print its set-password link unless given --password."""
    if password is not None and current_app.config["ENV_NAME"] == "production":
        raise click.ClickException(PRODUCTION_PASSWORD)
    make = create_user if password is not None else create_user_without_password
    extra = {"password": password} if password is not None else {}
    with db.writing() as session:
        authority = authority_by_code(session, code)
        if authority is None:
            raise click.ClickException(f"No authority has the code {code!r}.")
        details = {"email": email, "name": name, "role": role, "authority_id": authority.id}
        try:
            user = make(session, now=utcnow(), actor=cli_actor("users create"), **details, **extra)
        except DomainError as error:
            raise click.ClickException(_explain(error)) from error
    click.echo(f"Created {user.role} {user.email} (user {user.id}) of {authority.code} {authority.name}.")
    if password is None:
        _echo_link(user)


@users_cli.command("password-link")
@click.option("--email", required=True, help="The officer's e-mail address.")
def password_link_command(email: str) -> None:
    """Print a new one-time set-password link for an officer (a forgotten password, an expired link)."""
    with db.reading() as session:
        user = _user(session, email)
    _echo_link(user)


@users_cli.command("reset-second-factor")
@click.option("--email", required=True, help="The officer's e-mail address.")
def reset_second_factor_command(email: str) -> None:
    """Remove an officer's authenticator and recovery codes: they set up a new one at their next sign-in."""
    with db.writing() as session:
        user = _user(session, email)
        second_factor.reset(session, user, utcnow(), cli_actor("users reset-second-factor"))
    click.echo(f"Removed the authenticator of {user.email}: they set up a new one at their next sign-in.")


def _user(session: Session, email: str) -> User:
    """Return the officer with this e-mail address, or fail the command."""
    user = queries.user_by_email(session, normalise_email(email))
    if user is None:
        raise click.ClickException(f"No officer has the e-mail address {email!r}.")
    return user


def _echo_link(user: User) -> None:
    """Print the officer's set-password link and how long it works."""
    hours = link_lifetime().total_seconds() / 3600
    click.echo(f"Send this link to {user.email}; it works once, for {hours:g} hours, to choose a password:")
    click.echo(link_url(user))
    if not current_app.config["PUBLIC_BASE_URL"].startswith("https://"):
        click.echo("Warning: PUBLIC_BASE_URL is not an https:// address, the link works only here.")


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
        with db.writing() as session:
            user = set_active(session, email, active, utcnow(), cli_actor(command))
    except DomainError as error:
        raise click.ClickException(_explain(error)) from error
    click.echo(
        f"{'Enabled' if active else 'Disabled'} {user.email} (user {user.id}); their sessions have ended."
    )


def _explain(error: DomainError) -> str:
    """Return the error's detail followed by each field's problem."""
    problems = "; ".join(f"{e['field']}: {e['message']}" for e in error.errors)
    return f"{error.detail} {problems}".strip()

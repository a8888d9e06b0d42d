"""`flask reference load` and `flask authorities`: add, list, set-concern-url, merge, split, recode, changes
and load-changes."""

import csv

import click
from flask.cli import AppGroup

from app import db
from licensing.actors import cli_actor
from licensing.clock import utcnow
from licensing.csvfiles import csv_writer
from licensing.errors import DomainError
from licensing.persistence.models.organisations import NATIONS
from licensing.persistence.models.reorganisation import STAFF_OPTIONS
from licensing.reference import (
    add_authority,
    changes,
    list_authorities,
    load_reference,
    reorganisations,
    set_concern_url,
)

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


def _staff_options(function):
    """Add --officers, --api-keys and --subscriptions (move or disable) to a reorganisation command."""
    for name in ("subscriptions", "api-keys", "officers"):
        function = click.option(
            f"--{name}",
            type=click.Choice(STAFF_OPTIONS),
            default="move",
            show_default=True,
            help=f"What happens to the predecessors' {name.replace('-', ' ')} from the date.",
        )(function)
    function = click.option("--source", default="", help="The order or decision that makes the change.")(
        function
    )
    function = click.option("--dry-run", is_flag=True, help="Print what would change; record nothing.")(
        function
    )
    return click.option(
        "--effective", "effective_on", required=True, type=click.DateTime(["%Y-%m-%d"]), help="YYYY-MM-DD"
    )(function)


def _reorganise(command: str, fields: dict, dry_run: bool) -> changes.Plan:
    """Work out (and unless `dry_run`, record) one reorganisation; print its lines; return the plan."""
    fields = fields | {"effective_on": fields["effective_on"].date()}
    actor = cli_actor(f"authorities {command}")
    try:
        if dry_run:
            with db.reading() as session:
                plan, _ = changes.reorganise(session, actor, fields, utcnow(), dry_run=True)
        else:
            with db.writing() as session:
                plan, _ = changes.reorganise(session, actor, fields, utcnow())
    except DomainError as error:
        raise click.ClickException(_explain(error)) from error
    for line in plan.lines():
        click.echo(line)
    click.echo("Dry run: nothing was recorded." if dry_run else "Recorded.")
    return plan


@authorities_cli.command("merge")
@click.argument("predecessors", nargs=-1, required=True)
@click.option("--into", "successor", required=True, help="The successor's GSS code.")
@_staff_options
def merge_command(predecessors: tuple[str, ...], successor: str, dry_run: bool, **options) -> None:
    """Merge the authorities PREDECESSORS (GSS codes) into the successor from the effective date."""
    fields = {"kind": "merge", "predecessors": list(predecessors), "successors": [successor], **options}
    _reorganise("merge", fields, dry_run)


@authorities_cli.command("recode")
@click.argument("old_code")
@click.argument("new_code")
@_staff_options
def recode_command(old_code: str, new_code: str, dry_run: bool, **options) -> None:
    """Give the authority OLD_CODE the GSS code NEW_CODE from the effective date (the same council)."""
    fields = {"kind": "recode", "predecessors": [old_code], "successors": [new_code], **options}
    _reorganise("recode", fields, dry_run)


@authorities_cli.command("split")
@click.argument("predecessor")
@click.option(
    "--into", "successors", multiple=True, required=True, help="A successor's GSS code (twice or more)."
)
@click.option(
    "--lead", required=True, help="The successor answering for what is not placed, and taking staff."
)
@click.option(
    "--districts",
    type=click.File(encoding="utf-8"),
    help="CSV of postcode_district,successor: where licences go.",
)
@click.option(
    "--licences",
    type=click.File(encoding="utf-8"),
    help="CSV of badge_number,successor: wins over a district.",
)
@click.option(
    "--rejects", type=click.Path(dir_okay=False), help="Where to write the licences not placed (CSV)."
)
@_staff_options
def split_command(
    predecessor: str,
    successors: tuple[str, ...],
    lead: str,
    districts,
    licences,
    rejects,
    dry_run: bool,
    **options,
) -> None:
    """Split the authority PREDECESSOR into the successors, each licence placed by district or badge."""
    fields = {
        "kind": "split",
        "predecessors": [predecessor],
        "successors": list(successors),
        "lead": lead,
        "districts": _pairs(districts, "postcode_district"),
        "licences": _pairs(licences, "badge_number"),
        **options,
    }
    plan = _reorganise("split", fields, dry_run)
    if rejects:
        with open(rejects, "w", newline="", encoding="utf-8") as handle:
            writer = csv_writer(handle)
            writer.writerow(["badge_number", "ref", "reason"])
            for row in plan.rejects:
                writer.writerow([row["badge_number"], row["ref"], row["reason"]])
        click.echo(f"{len(plan.rejects)} licences not placed written to {rejects}.")


@authorities_cli.command("changes")
def changes_command() -> None:
    """List the recorded reorganisations: date, kind, predecessor, successor, options."""
    with db.reading() as session:
        rows = changes.list_changes(session)
    for row in rows:
        lead = " (lead)" if row["kind"] == "split" and row["lead"] else ""
        click.echo(
            f"{row['effective_on'].isoformat()}  {row['kind']:<6}  "
            f"{row['predecessor']} -> {row['successor']}{lead}"
            f"  officers {row['officers']}, keys {row['api_keys']}, subscriptions {row['subscriptions']}"
        )
    click.echo(f"{len(rows)} {'change' if len(rows) == 1 else 'changes'}.")


@authorities_cli.command("load-changes")
def load_changes_command() -> None:
    """Record the bundled reorganisations (the 2023 unitary councils), adding the old councils not held."""
    try:
        with db.writing() as session:
            plans = reorganisations.load_bundled(session, utcnow(), cli_actor("authorities load-changes"))
    except DomainError as error:
        raise click.ClickException(_explain(error)) from error
    for plan in plans:
        for line in plan.lines():
            click.echo(line)
    click.echo(f"{len(plans)} {'reorganisation' if len(plans) == 1 else 'reorganisations'} recorded.")


def _pairs(handle, key: str) -> dict[str, str]:
    """Read a two-column mapping CSV (`key`,successor) into a dict; None gives an empty mapping."""
    if handle is None:
        return {}
    rows = list(csv.DictReader(handle))
    if rows and (key not in rows[0] or "successor" not in rows[0]):
        raise click.ClickException(f"The mapping file needs the columns {key},successor.")
    return {row[key].strip(): row["successor"].strip() for row in rows if (row.get(key) or "").strip()}

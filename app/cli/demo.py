"""`flask demo seed [--if-empty]`: reference data, demo officers and API keys, and synthetic records.

`flask demo keys` prints fresh demo API keys (a key is shown only once) and revokes the earlier ones.

Every person the demo creates comes from licensing.synthetic.generator: synthetic, never real. The
officers share one published password, and the API keys are printed: this is demonstration data, never
production data, so the command refuses to run in production before it touches the database.
"""

import random
import re
from collections import Counter
from datetime import date, datetime

import click
from flask import current_app
from flask.cli import AppGroup
from sqlmodel import Session

from app import db
from licensing.access import queries as access_queries
from licensing.access.clients import create_client, list_clients, revoke_client
from licensing.access.users import create_user
from licensing.actors import Actor, cli_actor
from licensing.audit import log as audit
from licensing.clock import utcnow
from licensing.identity.fields import IDENTITY_FIELDS
from licensing.persistence.models import Authority, Licence, PoliceForce, RegisterEntry, User
from licensing.reference import authority_by_code, load_reference, police_force_by_code
from licensing.screening.key_index import index_record
from licensing.screening.name_counts import forget_totals
from licensing.synthetic import generator
from licensing.synthetic import queries as seeding_queries

# Wolverhampton (which licenses drivers from all over England), Sheffield, Rotherham, Bradford,
# Cardiff and Glasgow; and West Midlands Police.
AUTHORITY_CODES = ("E08000031", "E08000039", "E08000018", "E08000032", "W06000015", "S12000049")
COUNCIL_KEY_AUTHORITY = "E08000031"  # its key, and its demo manager, may also decide (council:decide)
COUNCIL_KEY_SCOPES = ("council:read", "council:write", "council:decide")
POLICE_FORCE_CODE = "E23000014"
DEMO_PASSWORD = "demo-password-not-for-real-use"  # DEMO ONLY: printed, and the same for every officer
LICENCES, REGISTER_ENTRIES = 300, 40
# Register entries about people who hold a licence at another authority: the case Crosscheck exists for.
REFUSED_ELSEWHERE = 10
SEED = 2026
DEMO_KEY_NAMES = ("Demo council system (", "Demo police system (")

demo_cli = AppGroup("demo", help="Demonstration data (synthetic people only).")


@demo_cli.command("seed")
@click.option("--if-empty", is_flag=True, help="Do nothing if the register already holds a licence.")
def seed_command(if_empty: bool) -> None:
    """Load reference data, create demo officers and API keys, and add synthetic licences and entries."""
    _refuse_in_production("demo seed creates officers with a published password and prints API keys")
    now, actor = utcnow(), cli_actor("demo seed")
    with db.writing() as session:
        if if_empty and seeding_queries.holds_a_licence(session):
            click.echo(
                "Demo seed skipped: the register already holds licences. The demo officers' password is "
                f"{DEMO_PASSWORD}; `flask demo keys` prints fresh API keys."
            )
            return
        reference = load_reference(session, now, actor)
        authorities = _demo_authorities(session)
        officers = _officers(session, authorities, now, actor)
        officers.append(_demo_user(session, authorities[COUNCIL_KEY_AUTHORITY], "manager", now, actor))
        keys = _api_keys(session, authorities[COUNCIL_KEY_AUTHORITY], _police_force(session), now, actor)
        added = seed_records(session, authorities, now, actor)
    _print_credentials(officers, keys)
    click.echo("(`flask demo keys` prints fresh keys at any time.)")
    click.echo(
        f"Demo seeded: {reference.summary()}; {len(officers)} officers, {len(keys)} API keys, "
        f"{added['licence']} licences and {added['register_entry']} register entries added."
    )


@demo_cli.command("keys")
def keys_command() -> None:
    """Print fresh demo API keys and revoke the earlier demo keys (keys are shown only once)."""
    _refuse_in_production("demo keys prints API keys")
    now, actor = utcnow(), cli_actor("demo keys")
    with db.writing() as session:
        council = authority_by_code(session, COUNCIL_KEY_AUTHORITY)
        force = police_force_by_code(session, POLICE_FORCE_CODE)
        if council is None or force is None:
            raise click.ClickException("There is no demo data yet: run `flask demo seed` first.")
        earlier = [
            client
            for client, _ in list_clients(session)
            if client.revoked_at is None and client.name.startswith(DEMO_KEY_NAMES)
        ]
        for client in earlier:
            revoke_client(session, client.id, now, actor)
        keys = _api_keys(session, council, force, now, actor)
    click.echo(f"Revoked {len(earlier)} earlier demo key(s).")
    click.echo("Demo API keys (shown once; store them now):")
    for label, key in keys:
        click.echo(f"  {label}: {key}")


def _refuse_in_production(what: str) -> None:
    """Stop with a clear message when the app runs with production settings."""
    if current_app.config["ENV_NAME"] == "production":
        raise click.ClickException(
            f"Refused: {what}, so it never runs in production (CROSSCHECK_ENV=development for a demo)."
        )


def seed_records(session: Session, authorities: dict[str, Authority], now: datetime, actor: Actor) -> Counter:
    """Add the synthetic licences and register entries not already present, indexed for screening."""
    today = now.date()
    rng = random.Random(SEED)
    crowd = generator.people(LICENCES + REGISTER_ENTRIES - REFUSED_ELSEWHERE, rng)
    # Wolverhampton licenses far more drivers than its neighbours, so it gets three shares.
    codes = [COUNCIL_KEY_AUTHORITY] * 2 + list(authorities)
    licences = generator.licences(_refs(crowd[:LICENCES], "L"), rng, codes, today=today)
    entries = generator.register_entries(_refs(crowd[LICENCES:], "R"), rng, list(authorities), today=today)
    entries += _refused_elsewhere(licences[:REFUSED_ELSEWHERE], rng, list(authorities), today, len(entries))
    added = Counter()
    for row in licences:
        added["licence"] += _add(session, _licence(row, authorities, today, now), "licence")
    for row in entries:
        added["register_entry"] += _add(session, _entry(row, authorities, now), "register_entry")
    forget_totals()
    audit.record(session, actor, "demo.seeded", "demo", None, now=now, detail=dict(added))
    return added


def _refused_elsewhere(licensed: list[dict], rng: random.Random, codes: list[str], today: date, n: int):
    """Return register entries about licensed people, each recorded by another authority."""
    entries = generator.register_entries(_refs(licensed, "R", start=n + 1), rng, codes, today=today)
    for entry, licence in zip(entries, licensed, strict=True):
        if entry["authority_code"] == licence["authority_code"]:
            entry["authority_code"] = next(c for c in codes if c != licence["authority_code"])
    return entries


def _refs(rows: list[dict], prefix: str, start: int = 1) -> list[dict]:
    """Return the rows with fresh refs PREFIX000001, PREFIX000002, ..."""
    return [row | {"ref": f"{prefix}{i:06d}"} for i, row in enumerate(rows, start)]


def _identity(row: dict) -> dict:
    """Return the identity fields of a generator row, with empty text for missing optional values."""
    fields = {name: row.get(name) for name in IDENTITY_FIELDS}
    return fields | {"previous_names": row.get("previous_names") or "", "address": row.get("address") or ""}


def _licence(row: dict, authorities: dict[str, Authority], today: date, now: datetime) -> Licence:
    """Build a licence from a generator row: active, or expired once its expiry date has passed."""
    return Licence(
        **_identity(row),
        authority_id=authorities[row["authority_code"]].id,
        ref=row["ref"],
        badge_number=row["badge_number"],
        licence_type=row["licence_type"],
        status="expired" if row["expires_on"] < today else "active",
        granted_on=row["granted_on"],
        expires_on=row["expires_on"],
        created_at=now,
        updated_at=now,
    )


def _entry(row: dict, authorities: dict[str, Authority], now: datetime) -> RegisterEntry:
    """Build a current register entry from a generator row."""
    return RegisterEntry(
        **_identity(row),
        authority_id=authorities[row["authority_code"]].id,
        ref=row["ref"],
        decision=row["decision"],
        decided_on=row["decided_on"],
        effective_on=row["effective_on"],
        first_recorded_at=now,
        updated_at=now,
    )


def _add(session: Session, record: Licence | RegisterEntry, kind: str) -> int:
    """Add `record` and its match keys unless its authority already holds its ref; return 1 if added."""
    if seeding_queries.ref_taken(session, type(record), record.authority_id, record.ref):
        return 0
    session.add(record)
    session.flush()
    index_record(session, kind, record)
    return 1


def _demo_authorities(session: Session) -> dict[str, Authority]:
    """Return the demo authorities by code, in demo order."""
    return {code: authority_by_code(session, code) for code in AUTHORITY_CODES}


def _police_force(session: Session) -> PoliceForce:
    """Return the demo police force."""
    return police_force_by_code(session, POLICE_FORCE_CODE)


def _officers(session: Session, authorities: dict[str, Authority], now: datetime, actor: Actor) -> list[User]:
    """Return one officer per demo authority, creating those that do not exist yet."""
    return [_demo_user(session, authority, "officer", now, actor) for authority in authorities.values()]


def _demo_user(session: Session, authority: Authority, role: str, now: datetime, actor: Actor) -> User:
    """Return the demo user of `role` at `authority`, creating it if it does not exist yet."""
    email = f"{role}@{_slug(authority.name)}.demo.example"
    user = access_queries.user_by_email(session, email)
    if user is None:
        user = create_user(
            session,
            email=email,
            name=f"Demo {role.capitalize()}, {authority.name}",
            password=DEMO_PASSWORD,
            role=role,
            authority_id=authority.id,
            now=now,
            actor=actor,
        )
    return user


def _api_keys(
    session: Session, council: Authority, force: PoliceForce, now: datetime, actor: Actor
) -> list[tuple[str, str]]:
    """Create a council key and a police key; a key is shown only once, so every run makes new ones.

    The council key holds every council scope, `council:decide` (a manager's decisions) included, so the
    demo shows refusals, suspensions and revocations recorded on the register through the API too.
    """
    _, council_key = create_client(
        session,
        name=f"{DEMO_KEY_NAMES[0]}{council.name})",
        scopes=COUNCIL_KEY_SCOPES,
        authority_id=council.id,
        now=now,
        actor=actor,
    )
    _, police_key = create_client(
        session,
        name=f"{DEMO_KEY_NAMES[1]}{force.name})",
        scopes=("police:intelligence",),
        police_force_id=force.id,
        now=now,
        actor=actor,
    )
    return [(f"{council.name} ({' '.join(COUNCIL_KEY_SCOPES)})", council_key), (force.name, police_key)]


def _print_credentials(officers: list[User], keys: list[tuple[str, str]]) -> None:
    """Print the demo sign-ins and API keys; the keys cannot be shown again."""
    click.echo(f"Demo officers (DEMO ONLY password for all: {DEMO_PASSWORD}):")
    for officer in officers:
        click.echo(f"  {officer.email}")
    click.echo("Demo API keys (shown once; store them now):")
    for label, key in keys:
        click.echo(f"  {label}: {key}")


def _slug(name: str) -> str:
    """Return a lower-case, hyphenated form of a name for an e-mail domain."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")

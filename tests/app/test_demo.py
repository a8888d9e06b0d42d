"""`flask demo seed [--if-empty]` on the test database."""

import re

import pytest
from sqlmodel import func, select

from app import create_app
from app.cli.demo import AUTHORITY_CODES, DEMO_PASSWORD, LICENCES, REGISTER_ENTRIES
from licensing.access.clients import authenticate
from licensing.access.users import sign_in
from licensing.audit import log as audit
from licensing.clock import utcnow
from licensing.errors import Unauthenticated
from licensing.persistence.models import ApiClient, Authority, Licence, MatchKey, RegisterEntry, User
from tests.conftest import POSTGRES_URL
from tests.factories import NOW

STRONG_SECRET = "Kq7-vX2pLm9sRt4wYz8bNc3dFg6hJk1eUo5iAa0"
KEY = re.compile(r"cc_[A-Za-z0-9]{12}_[A-Za-z0-9_-]+")


def _count(session, model, *where) -> int:
    return session.exec(select(func.count()).select_from(model).where(*where)).one()


@pytest.fixture
def seeded(app):
    """Run the seed once; return its output."""
    result = app.test_cli_runner().invoke(args=["demo", "seed"])
    assert result.exit_code == 0, result.output
    return result.output


def test_seed_creates_officers_keys_licences_and_entries(seeded, session):
    assert _count(session, Licence) == LICENCES
    assert _count(session, RegisterEntry) == REGISTER_ENTRIES
    assert _count(session, User) == len(AUTHORITY_CODES) + 1  # and one manager
    assert _count(session, ApiClient) == 2
    assert _count(session, MatchKey) > LICENCES + REGISTER_ENTRIES
    assert seeded.strip().splitlines()[-1].startswith("Demo seeded: 318 authorities")


def test_seed_spreads_records_over_the_demo_authorities(seeded, session):
    codes = session.exec(
        select(Authority.code).join(Licence, Licence.authority_id == Authority.id).distinct()
    ).all()
    entry_codes = session.exec(
        select(Authority.code).join(RegisterEntry, RegisterEntry.authority_id == Authority.id).distinct()
    ).all()

    assert set(codes) == set(AUTHORITY_CODES)
    assert set(entry_codes) <= set(AUTHORITY_CODES)


def test_seeded_licences_are_active_or_expired_by_their_dates(seeded, session):
    today = utcnow().date()
    licences = session.exec(select(Licence)).all()

    assert all((lic.status == "expired") == (lic.expires_on < today) for lic in licences)
    assert sum(lic.status == "active" for lic in licences) > 0.8 * LICENCES


def test_some_register_entries_are_about_drivers_licensed_elsewhere(seeded, session):
    licensed = {
        (lic.family_name, lic.date_of_birth): lic.authority_id for lic in session.exec(select(Licence))
    }
    elsewhere = [
        e
        for e in session.exec(select(RegisterEntry))
        if licensed.get((e.family_name, e.date_of_birth), e.authority_id) != e.authority_id
    ]

    assert len(elsewhere) >= 10


def test_printed_keys_authenticate_with_their_scopes(seeded, session):
    keys = KEY.findall(seeded)

    assert len(keys) == 2
    council, police = (authenticate(session, key, NOW) for key in keys)
    assert council.scopes == {"council:read", "council:write", "council:decide"}
    assert council.authority_id is not None
    assert police.scopes == {"police:intelligence"}
    assert police.police_force_id is not None


def test_printed_officers_sign_in_with_the_demo_password(seeded, session):
    emails = re.findall(r"^\s+(officer@\S+)$", seeded, flags=re.MULTILINE)

    assert len(emails) == len(AUTHORITY_CODES)
    user = sign_in(session, emails[0], DEMO_PASSWORD, NOW)
    assert user.authority_id is not None
    with pytest.raises(Unauthenticated):
        sign_in(session, emails[0], "not the demo password", NOW)


def test_seed_keeps_the_audit_chain_intact(seeded, session):
    assert audit.verify(session).ok


def test_seed_if_empty_does_nothing_once_licences_exist(seeded, app, session):
    again = app.test_cli_runner().invoke(args=["demo", "seed", "--if-empty"])

    assert again.exit_code == 0, again.output
    assert "skipped" in again.output
    assert not KEY.search(again.output)
    assert _count(session, Licence) == LICENCES
    assert _count(session, ApiClient) == 2


def test_seed_if_empty_seeds_an_empty_database(app, session):
    result = app.test_cli_runner().invoke(args=["demo", "seed", "--if-empty"])

    assert result.exit_code == 0, result.output
    assert _count(session, Licence) == LICENCES


def test_seeding_again_adds_no_duplicate_people_but_fresh_keys(seeded, app, session):
    again = app.test_cli_runner().invoke(args=["demo", "seed"])

    assert again.exit_code == 0, again.output
    assert "0 licences and 0 register entries added" in again.output
    assert _count(session, Licence) == LICENCES
    assert _count(session, User) == len(AUTHORITY_CODES) + 1  # and one manager
    assert len(KEY.findall(again.output)) == 2


def test_the_key_councils_manager_signs_in_to_take_decisions(seeded, session):
    [email] = re.findall(r"^\s+(manager@\S+)$", seeded, flags=re.MULTILINE)
    user = sign_in(session, email, DEMO_PASSWORD, NOW)
    assert user.role == "manager"


def test_seed_refuses_in_production_with_one_line_and_creates_nothing(monkeypatch, session):
    # A PostgreSQL suite seeds its own database if the refusal fails; a SQLite suite points at a closed
    # port, where a seed that got past the refusal would fail loudly instead.
    url = POSTGRES_URL or "postgresql+psycopg://crosscheck@127.0.0.1:9/crosscheck?connect_timeout=2"
    app = create_app({"ENV_NAME": "production", "DATABASE_URL": url, "SECRET_KEY": STRONG_SECRET})
    for args in (["demo", "seed"], ["demo", "seed", "--if-empty"]):
        result = app.test_cli_runner().invoke(args=args)

        assert result.exit_code != 0
        assert [line for line in result.output.splitlines() if line.strip()] == [
            "Error: Refused: demo seed creates officers with a published password and prints API keys, "
            "so it never runs in production (CROSSCHECK_ENV=development for a demo)."
        ]
        assert not KEY.search(result.output) and DEMO_PASSWORD not in result.output
    app.extensions["crosscheck.engine"].dispose()
    if POSTGRES_URL:
        assert _count(session, User) == 0 and _count(session, ApiClient) == 0


def test_demo_keys_prints_fresh_keys_that_work_and_revokes_the_earlier_ones(seeded, app, session):
    first = KEY.findall(seeded)

    result = app.test_cli_runner().invoke(args=["demo", "keys"])

    assert result.exit_code == 0, result.output
    fresh = KEY.findall(result.output)
    assert len(fresh) == 2 and not set(fresh) & set(first)
    assert "Revoked 2 earlier demo key(s)." in result.output
    council, police = (authenticate(session, key, NOW) for key in fresh)
    assert council.scopes == {"council:read", "council:write", "council:decide"}
    assert police.scopes == {"police:intelligence"}
    for key in first:
        with pytest.raises(Unauthenticated):
            authenticate(session, key, NOW)
    assert audit.verify(session).ok


def test_demo_keys_before_any_seed_says_what_to_do(app):
    result = app.test_cli_runner().invoke(args=["demo", "keys"])

    assert result.exit_code != 0
    assert "run `flask demo seed` first" in result.output
    assert not KEY.search(result.output)


def test_a_skipped_seed_says_how_to_get_keys_and_sign_in(seeded, app):
    again = app.test_cli_runner().invoke(args=["demo", "seed", "--if-empty"])

    assert "`flask demo keys`" in again.output and DEMO_PASSWORD in again.output


def test_demo_keys_refuses_in_production(session):
    url = POSTGRES_URL or "postgresql+psycopg://crosscheck@127.0.0.1:9/crosscheck?connect_timeout=2"
    app = create_app({"ENV_NAME": "production", "DATABASE_URL": url, "SECRET_KEY": STRONG_SECRET})
    result = app.test_cli_runner().invoke(args=["demo", "keys"])
    app.extensions["crosscheck.engine"].dispose()

    assert result.exit_code != 0
    assert "Refused: demo keys prints API keys, so it never runs in production" in result.output
    assert not KEY.search(result.output)

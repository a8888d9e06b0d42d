"""Accounts created without a password get a one-time set-password link; production allows nothing else."""

import re
from datetime import timedelta

import pyotp
import pytest

from app import create_app
from app.config import ConfigError
from app.officer.second_factor import second_factor_required
from licensing.access import password_links, second_factor
from licensing.errors import Unauthenticated
from licensing.persistence.models import User
from tests.app.test_officer_login import csrf_token, sign_in
from tests.conftest import TEST_SECRET
from tests.factories import NOW, OFFICER_PASSWORD, make_authority, make_user

LINK = re.compile(r"http://127\.0\.0\.1:5000(/set-password/\S+)")
NEW_PASSWORD = "a new password of my own"
PRODUCTION = {
    "ENV_NAME": "production",
    "SECRET_KEY": TEST_SECRET,
    "DATABASE_URL": "postgresql+psycopg://db/unused",
}


def create_without_password(app, code: str, email: str = "new@council.example"):
    """Run `flask users create` without --password and return its result."""
    args = [
        "users",
        "create",
        "--email",
        email,
        "--name",
        "New Officer",
        "--role",
        "officer",
        "--authority",
        code,
    ]
    return app.test_cli_runner().invoke(args=args)


def choose_password(client, path: str, password: str = NEW_PASSWORD, confirmation: str | None = None):
    """Post the set-password form at `path`."""
    data = {
        "password": password,
        "confirmation": confirmation or password,
        "csrf_token": csrf_token(client, path),
    }
    return client.post(path, data=data)


def test_cli_without_password_prints_a_link_that_sets_the_password_once(app, client, session):
    authority = make_authority(session)
    result = create_without_password(app, authority.code)
    assert result.exit_code == 0, result.output
    assert "it works once, for 72 hours" in result.output
    assert "PUBLIC_BASE_URL is not an https:// address" in result.output  # the testing default
    path = LINK.search(result.output).group(1)
    page = client.get(path)
    assert page.status_code == 200 and "new@council.example" in page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "no-store"
    assert "Your password is saved" in choose_password(client, path).get_data(as_text=True)
    assert sign_in(client, "new@council.example", NEW_PASSWORD).status_code == 302
    again = app.test_client().get(path)
    assert again.status_code == 404 and "has been used already" in again.get_data(as_text=True)


def test_used_link_cannot_set_the_password_again(app, session):
    # Someone who finds the link in the officer's inbox later must not take the account over.
    authority = make_authority(session)
    path = LINK.search(create_without_password(app, authority.code).output).group(1)
    choose_password(app.test_client(), path)
    late = app.test_client()
    token = csrf_token(late, "/sign-in")
    data = {"password": "the finders password", "confirmation": "the finders password", "csrf_token": token}
    assert late.post(path, data=data).status_code == 404
    assert sign_in(app.test_client(), "new@council.example", NEW_PASSWORD).status_code == 302


def test_account_made_for_a_link_cannot_be_signed_in_before_the_password_is_set(app, client, session):
    authority = make_authority(session)
    create_without_password(app, authority.code)
    for guess in ("", OFFICER_PASSWORD, "password1234"):
        assert sign_in(client, "new@council.example", guess).status_code == 200


def test_link_expires(session):
    user = make_user(session)
    token = password_links.make_link_token(user, TEST_SECRET, NOW)
    lifetime = timedelta(hours=72)
    assert password_links.user_for_token(session, token, TEST_SECRET, NOW + lifetime, lifetime).id == user.id
    with pytest.raises(Unauthenticated, match="expired"):
        password_links.user_for_token(
            session, token, TEST_SECRET, NOW + lifetime + timedelta(seconds=1), lifetime
        )


@pytest.mark.parametrize("change", ["signed-with-another-key", "tampered"])
def test_forged_link_is_refused(session, change):
    user = make_user(session)
    victim = make_user(session)
    if change == "signed-with-another-key":
        token = password_links.make_link_token(victim, "another-secret-key-0123456789abcdef", NOW)
    else:
        signature = password_links.make_link_token(user, TEST_SECRET, NOW).rpartition(".")[2]
        token = password_links.make_link_token(victim, TEST_SECRET, NOW).rpartition(".")[0] + "." + signature
    with pytest.raises(Unauthenticated):
        password_links.user_for_token(session, token, TEST_SECRET, NOW, timedelta(hours=1))


def test_link_of_a_deactivated_officer_is_refused(session):
    user = make_user(session)
    token = password_links.make_link_token(user, TEST_SECRET, NOW)
    user.active = False
    session.add(user)
    session.commit()
    with pytest.raises(Unauthenticated):
        password_links.user_for_token(session, token, TEST_SECRET, NOW, timedelta(hours=1))


@pytest.mark.parametrize(
    ("password", "confirmation", "message"),
    [
        ("short", "short", "Use at least 12 characters"),
        (NEW_PASSWORD, "something else entirely", "not the same"),
    ],
)
def test_invalid_password_is_explained_and_the_link_still_works(
    app, client, session, password, confirmation, message
):
    authority = make_authority(session)
    path = LINK.search(create_without_password(app, authority.code).output).group(1)
    answer = choose_password(client, path, password, confirmation)
    assert answer.status_code == 200 and message in answer.get_data(as_text=True)
    assert "Your password is saved" in choose_password(client, path).get_data(as_text=True)


def test_password_link_command_issues_a_new_link(app, client, session):
    user = make_user(session)
    result = app.test_cli_runner().invoke(args=["users", "password-link", "--email", user.email.upper()])
    assert result.exit_code == 0, result.output
    choose_password(client, LINK.search(result.output).group(1))
    assert sign_in(client, user.email, NEW_PASSWORD).status_code == 302
    unknown = app.test_cli_runner().invoke(
        args=["users", "password-link", "--email", "nobody@council.example"]
    )
    assert unknown.exit_code != 0 and "No officer" in unknown.output


def test_reset_second_factor_command(app, session, now):
    user = make_user(session)
    secret = second_factor.new_secret()
    second_factor.confirm_enrolment(session, user, secret, pyotp.TOTP(secret).at(now.timestamp()), now)
    session.commit()
    result = app.test_cli_runner().invoke(args=["users", "reset-second-factor", "--email", user.email])
    assert result.exit_code == 0, result.output
    assert not second_factor.is_enrolled(session, session.get(User, user.id))


def test_production_refuses_a_password_on_the_command_line():
    app = create_app(PRODUCTION)
    args = ["users", "create", "--email", "a@council.example", "--name", "A", "--role", "officer"]
    result = app.test_cli_runner().invoke(
        args=[*args, "--authority", "E07000026", "--password", "typed-in-secret-1234"]
    )
    assert result.exit_code != 0 and "one-time link" in result.output
    app.extensions["crosscheck.engine"].dispose()


@pytest.mark.parametrize("setting", [False, "false", "0", ""])
def test_production_refuses_to_run_without_the_second_factor(setting, monkeypatch):
    monkeypatch.setenv("SECOND_FACTOR_REQUIRED", "false")
    with pytest.raises(ConfigError, match="SECOND_FACTOR_REQUIRED"):
        create_app(PRODUCTION | {"SECOND_FACTOR_REQUIRED": setting})


def test_production_requires_the_second_factor_by_default():
    app = create_app(PRODUCTION)
    assert app.config["SECOND_FACTOR_REQUIRED"] is True
    app.extensions["crosscheck.engine"].dispose()


def test_development_may_turn_the_second_factor_on(monkeypatch, database_url):
    monkeypatch.setenv("SECOND_FACTOR_REQUIRED", "true")
    app = create_app({"ENV_NAME": "development", "DATABASE_URL": database_url, "SECRET_KEY": TEST_SECRET})
    with app.test_request_context():
        assert second_factor_required()
    app.extensions["crosscheck.engine"].dispose()

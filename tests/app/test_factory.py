"""The application factory, and the environment it chooses when nobody says."""

import logging
import stat

import pytest
from flask.sessions import SecureCookieSessionInterface

from app import config, create_app
from app.config import INSTANCE_DIR, ConfigError

STRONG_SECRET = "Kq7-vX2pLm9sRt4wYz8bNc3dFg6hJk1eUo5iAa0"
# The development secret key this repository once shipped as a constant.
PUBLISHED_DEV_SECRET = "dev-only-secret-key-change-me"


def test_testing_config_is_applied(app):
    assert app.config["TESTING"] is True
    assert app.config["ENV_NAME"] == "testing"


def test_a_process_told_nothing_runs_production_and_refuses_to_start_without_a_secret(monkeypatch):
    monkeypatch.delenv("CROSSCHECK_ENV", raising=False)
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://db/crosscheck")
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app()


def test_a_process_told_nothing_gets_production_settings(monkeypatch):
    monkeypatch.delenv("CROSSCHECK_ENV", raising=False)
    monkeypatch.setenv("SECRET_KEY", STRONG_SECRET)
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://db/crosscheck")
    app = create_app()
    assert app.config["ENV_NAME"] == "production"
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["WEBHOOK_ALLOW_PRIVATE"] is False


def test_development_is_sqlite_under_instance_when_asked_for(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("CROSSCHECK_ENV", "development")
    app = create_app()
    assert app.config["ENV_NAME"] == "development"
    assert app.config["DATABASE_URL"].startswith("sqlite:///")
    assert "/instance/" in app.config["DATABASE_URL"]


def test_development_secret_is_this_installations_own_not_the_published_one(monkeypatch):
    monkeypatch.setenv("CROSSCHECK_ENV", "development")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first, second = create_app(), create_app()
    assert first.secret_key != PUBLISHED_DEV_SECRET
    assert first.secret_key == second.secret_key == (INSTANCE_DIR / "secret_key").read_text().strip()


def test_a_cookie_signed_with_the_published_secret_does_not_sign_in_to_development(monkeypatch, database_url):
    monkeypatch.setenv("CROSSCHECK_ENV", "development")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    app = create_app({"DATABASE_URL": database_url})
    forger = create_app(
        {"ENV_NAME": "testing", "DATABASE_URL": database_url, "SECRET_KEY": PUBLISHED_DEV_SECRET}
    )
    forged = SecureCookieSessionInterface().get_signing_serializer(forger).dumps({"_user_id": 1})
    accepted = SecureCookieSessionInterface().get_signing_serializer(app).loads_unsafe(forged)
    assert accepted == (False, {"_user_id": 1})  # readable, as any cookie is, but its signature fails


def test_instance_secret_is_random_per_installation_and_readable_by_its_owner_only(tmp_path):
    one, other = tmp_path / "one", tmp_path / "other"
    secret = config.instance_secret(one)
    assert config.instance_secret(one) == secret
    assert config.instance_secret(other) != secret
    assert len(secret) >= 48
    assert stat.S_IMODE((one / "secret_key").stat().st_mode) == 0o600
    assert sorted(p.name for p in one.iterdir()) == ["secret_key"]  # no draft left behind


def test_development_says_loudly_what_it_relaxes(monkeypatch, database_url, caplog):
    monkeypatch.setenv("CROSSCHECK_ENV", "development")
    with caplog.at_level(logging.WARNING, logger="app"):
        create_app({"DATABASE_URL": database_url})
    [warning] = [r for r in caplog.records if r.levelno == logging.WARNING and "DEVELOPMENT" in r.message]
    relaxed = ("never expose", "not Secure", "http://", "private and loopback", "CROSSCHECK_ENV=production")
    assert all(words in warning.message for words in relaxed)


def test_testing_and_production_start_quietly(monkeypatch, database_url, caplog):
    monkeypatch.setenv("SECRET_KEY", STRONG_SECRET)
    with caplog.at_level(logging.WARNING, logger="app"):
        create_app({"ENV_NAME": "testing", "DATABASE_URL": database_url})
        create_app({"ENV_NAME": "production", "DATABASE_URL": "postgresql+psycopg://db/crosscheck"})
    assert not [r for r in caplog.records if "DEVELOPMENT" in r.message]


@pytest.mark.parametrize(
    "secret",
    [None, "short", "x" * 40, "ab" * 20, PUBLISHED_DEV_SECRET],
    ids=["missing", "short", "one-character", "two-characters", "published-dev"],
)
def test_production_refuses_a_missing_or_weak_secret(monkeypatch, secret):
    monkeypatch.setenv("CROSSCHECK_ENV", "production")
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://db/crosscheck")
    if secret:
        monkeypatch.setenv("SECRET_KEY", secret)
    else:
        monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app()


def test_production_reads_secrets_from_mounted_files(monkeypatch, tmp_path):
    (tmp_path / "secret").write_text(STRONG_SECRET + "\n")
    (tmp_path / "db").write_text("postgresql+psycopg://crosscheck:pw@db/crosscheck\n")
    monkeypatch.setenv("CROSSCHECK_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("SECRET_KEY_FILE", str(tmp_path / "secret"))
    monkeypatch.setenv("DATABASE_URL_FILE", str(tmp_path / "db"))
    app = create_app()
    assert app.secret_key == STRONG_SECRET
    assert app.config["DATABASE_URL"] == "postgresql+psycopg://crosscheck:pw@db/crosscheck"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"SECRET_KEY": STRONG_SECRET, "SECRET_KEY_FILE": "/dev/null"}, "not both"),
        ({"SECRET_KEY_FILE": "/nonexistent-secret-file"}, "cannot read"),
    ],
    ids=["both-forms", "missing-file"],
)
def test_secret_files_are_refused_when_ambiguous_or_unreadable(monkeypatch, env, message):
    monkeypatch.setenv("CROSSCHECK_ENV", "production")
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://db/crosscheck")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=message):
        create_app()


@pytest.mark.parametrize(
    ("secret", "url", "message"),
    [
        (None, "postgresql+psycopg://db/crosscheck", "SECRET_KEY"),
        (STRONG_SECRET, "sqlite:///instance/x.db", "PostgreSQL"),
        ("short", "postgresql+psycopg://db/crosscheck", "SECRET_KEY"),
    ],
)
def test_production_refuses_unsafe_settings(monkeypatch, secret, url, message):
    monkeypatch.setenv("CROSSCHECK_ENV", "production")
    monkeypatch.setenv("DATABASE_URL", url)
    if secret:
        monkeypatch.setenv("SECRET_KEY", secret)
    else:
        monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ConfigError, match=message):
        create_app()


def test_unknown_environment_is_refused(monkeypatch):
    monkeypatch.setenv("CROSSCHECK_ENV", "staging")
    with pytest.raises(ConfigError, match="CROSSCHECK_ENV"):
        create_app()

"""The application factory."""

import pytest

from app import create_app
from app.config import ConfigError


def test_testing_config_is_applied(app):
    assert app.config["TESTING"] is True
    assert app.config["ENV_NAME"] == "testing"


def test_default_is_development_on_sqlite_under_instance(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("CROSSCHECK_ENV", raising=False)
    app = create_app()
    assert app.config["ENV_NAME"] == "development"
    assert app.config["DATABASE_URL"].startswith("sqlite:///")
    assert "/instance/" in app.config["DATABASE_URL"]


@pytest.mark.parametrize(
    ("secret", "url", "message"),
    [
        (None, "postgresql+psycopg://db/crosscheck", "SECRET_KEY"),
        ("x" * 40, "sqlite:///instance/x.db", "PostgreSQL"),
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

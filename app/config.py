"""Configuration from the environment: one class per environment, safe embedded defaults."""

import os
from datetime import date
from pathlib import Path

from licensing.workdays import Calendar, calendar_for

DEFAULT_SECRET_KEY = "dev-only-secret-key-change-me"
INSTANCE_DIR = Path(__file__).resolve().parent.parent / "instance"


class ConfigError(RuntimeError):
    """The configuration is unsafe or incomplete for the chosen environment."""


class Config:
    """Settings shared by every environment."""

    ENV_NAME = "development"
    SECRET_KEY = DEFAULT_SECRET_KEY
    DATABASE_URL = f"sqlite:///{INSTANCE_DIR / 'crosscheck.db'}"
    REDIS_URL = "redis://127.0.0.1:6379/0"
    MAX_CONTENT_LENGTH = 2 * 1024 * 1024
    # A request still running after this many seconds is stuck: gunicorn.conf.py kills its worker, and an
    # Idempotency-Key it claimed may then be taken over by a retry. Both read this one setting.
    REQUEST_TIMEOUT_SECONDS = 60
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    LOGIN_MAX_FAILURES = 5
    LOGIN_LOCKOUT_MINUTES = 15
    LOG_LEVEL = "INFO"
    API_TITLE = "Crosscheck API"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api/v1"
    OPENAPI_JSON_PATH = "openapi.json"
    RATELIMIT_STORAGE_URI = "memory://"
    PUBLIC_CHECK_RATE_LIMIT = "30/minute"
    SCREENING_MAX_AGE_DAYS = 30  # a grant needs a screening of the application at most this old
    # Working days of the s.3/s.5 deadlines (licensing.workdays): Scottish authorities count Scotland's
    # bank holidays ("SCT") or England's ("ENG"); EXTRA_BANK_HOLIDAYS adds proclaimed days, ISO dates
    # separated by commas, e.g. "2027-06-07".
    SCOTLAND_CALENDAR = "SCT"
    EXTRA_BANK_HOLIDAYS = ""
    # Reverse proxies in front of the app that set X-Forwarded-For/-Proto/-Host (werkzeug ProxyFix);
    # 0 trusts none, so a client cannot forge its address to escape the public rate limit.
    TRUSTED_PROXIES = 0
    # The scheduler process (python -m scheduler); values from the environment arrive as text.
    SCHEDULER_POLL_SECONDS = 1.0  # how often the deliver job looks for due deliveries
    SCHEDULER_BATCH_SIZE = 100  # deliveries claimed per claim at most
    # A claim is one send started at once: the lease covers connecting, sending and reading the answer
    # (each up to WEBHOOK_TIMEOUT_SECONDS); an expired one counts as an attempt and is retried later.
    SCHEDULER_LEASE_SECONDS = 60
    SCHEDULER_SEND_WORKERS = 32  # concurrent sends (threads waiting on receivers)
    # Sends in flight to one endpoint (a webhook URL or an e-mail recipient) at most, so a receiver that
    # hangs holds this many threads and no more; the rest serve every other council.
    SCHEDULER_ENDPOINT_CONCURRENCY = 8
    SCHEDULER_LEADER_RETRY_SECONDS = 15  # how often a follower tries to become the leader
    WEBHOOK_TIMEOUT_SECONDS = 15.0  # Standard Webhooks recommends 15-30 s for the receiver to answer
    NOTIFY_API_KEY = ""  # GOV.UK Notify key "<name>-<service id>-<secret>"; empty: e-mail fails as permanent
    NOTIFY_BASE_URL = "https://api.notifications.service.gov.uk"
    NOTIFY_ALERT_TEMPLATE_ID = ""  # the Notify template for alert e-mails ((alert_type), (link))
    PUBLIC_BASE_URL = "http://127.0.0.1:5000"  # where e-mailed alert links point
    # Webhook endpoints on private, loopback or link-local addresses are refused (SSRF) unless allowed.
    WEBHOOK_ALLOW_PRIVATE = False
    # DBS Update Service status checks: the checking organisation and employee, as the facility requires.
    DBS_BASE_URL = "https://secure.crbonline.gov.uk"
    DBS_ORGANISATION_NAME = ""
    DBS_EMPLOYEE_FORENAME = ""
    DBS_EMPLOYEE_SURNAME = ""
    # Monitoring jobs (licensing/monitoring, scheduler/monitoring_jobs.py); lists are comma-separated.
    LICENCE_EXPIRY_ALERT_DAYS = "60,30,7"  # "licence.expiring" this many days before expiry
    DBS_CHECK_MONTHS = 6  # Statutory Standards: an Update Service check at least every six months
    DBS_OVERDUE_DAYS = 28  # a check the council must make is "dbs.lapsed" this long after it fell due
    RESCREEN_LOOKBACK_HOURS = 48  # nightly re-screen: records changed this recently (covers a missed night)
    RETENTION_YEARS = 11  # 2022 Act s.2: register entries kept 11 years from first entry
    RETENTION_HOLD_YEARS = 25  # NAFN's policy, for the councils listed in RETENTION_HOLD_AUTHORITIES
    RETENTION_HOLD_AUTHORITIES = ""  # GSS codes of councils that keep entries RETENTION_HOLD_YEARS


class DevelopmentConfig(Config):
    """Embedded SQLite under instance/, for a newcomer's `make run`."""

    WEBHOOK_ALLOW_PRIVATE = True  # a developer's receiver runs on their own machine


class TestingConfig(Config):
    """A fresh database per test; the URL comes from the test fixtures."""

    ENV_NAME = "testing"
    TESTING = True
    WEBHOOK_ALLOW_PRIVATE = True  # test receivers listen on loopback


class ProductionConfig(Config):
    """PostgreSQL and a real secret are mandatory; cookies only over HTTPS."""

    ENV_NAME = "production"
    SESSION_COOKIE_SECURE = True
    RATELIMIT_STORAGE_URI = ""  # empty: app.limits counts in REDIS_URL, shared by every web process


CONFIGS = {c.ENV_NAME: c for c in (DevelopmentConfig, TestingConfig, ProductionConfig)}
ENV_KEYS = (
    "SECRET_KEY",
    "DATABASE_URL",
    "REDIS_URL",
    "LOG_LEVEL",
    "RATELIMIT_STORAGE_URI",
    "PUBLIC_CHECK_RATE_LIMIT",
    "SCHEDULER_POLL_SECONDS",
    "SCHEDULER_BATCH_SIZE",
    "SCHEDULER_LEASE_SECONDS",
    "SCHEDULER_SEND_WORKERS",
    "SCHEDULER_ENDPOINT_CONCURRENCY",
    "SCHEDULER_LEADER_RETRY_SECONDS",
    "WEBHOOK_TIMEOUT_SECONDS",
    "NOTIFY_API_KEY",
    "NOTIFY_BASE_URL",
    "NOTIFY_ALERT_TEMPLATE_ID",
    "PUBLIC_BASE_URL",
    "DBS_BASE_URL",
    "DBS_ORGANISATION_NAME",
    "DBS_EMPLOYEE_FORENAME",
    "DBS_EMPLOYEE_SURNAME",
    "LICENCE_EXPIRY_ALERT_DAYS",
    "DBS_CHECK_MONTHS",
    "DBS_OVERDUE_DAYS",
    "RESCREEN_LOOKBACK_HOURS",
    "RETENTION_YEARS",
    "RETENTION_HOLD_YEARS",
    "RETENTION_HOLD_AUTHORITIES",
    "SCOTLAND_CALENDAR",
    "EXTRA_BANK_HOLIDAYS",
    "TRUSTED_PROXIES",
    "REQUEST_TIMEOUT_SECONDS",
)


def load_config(overrides: dict | None = None) -> dict:
    """Build the settings for CROSSCHECK_ENV from its class, the environment and `overrides`."""
    env_name = (overrides or {}).get("ENV_NAME") or os.environ.get("CROSSCHECK_ENV", "development")
    if env_name not in CONFIGS:
        raise ConfigError(f"CROSSCHECK_ENV must be one of {', '.join(CONFIGS)}, not {env_name!r}.")
    cls = CONFIGS[env_name]
    settings = {k: getattr(cls, k) for k in dir(cls) if k.isupper()}
    settings.update({k: os.environ[k] for k in ENV_KEYS if os.environ.get(k)})
    settings.update(overrides or {})
    check_safe(settings)
    working_calendar(settings)  # refuse a bad calendar at start-up, not on the first deadline
    settings["TRUSTED_PROXIES"] = trusted_proxies(settings)
    return settings


def working_calendar(settings) -> Calendar:
    """Return the working-day calendar of the s.3/s.5 deadlines configured in `settings`."""
    raw = settings.get("EXTRA_BANK_HOLIDAYS") or ""
    extra = raw.split(",") if isinstance(raw, str) else list(raw)
    try:
        days = [d if isinstance(d, date) else date.fromisoformat(d.strip()) for d in extra if str(d).strip()]
        return calendar_for(settings.get("SCOTLAND_CALENDAR", "SCT"), days)
    except ValueError as error:
        raise ConfigError(f"SCOTLAND_CALENDAR / EXTRA_BANK_HOLIDAYS: {error}") from None


def trusted_proxies(settings) -> int:
    """Return how many reverse proxies in front of the app may be believed about the client."""
    try:
        count = int(settings.get("TRUSTED_PROXIES") or 0)
    except ValueError:
        count = -1
    if count < 0:
        raise ConfigError("TRUSTED_PROXIES must be a whole number of proxies, 0 or more.")
    return count


def check_safe(settings: dict) -> None:
    """Refuse to run production with the default secret key or the embedded SQLite database."""
    if settings["ENV_NAME"] != "production":
        return
    if settings["SECRET_KEY"] == DEFAULT_SECRET_KEY or len(settings["SECRET_KEY"]) < 32:
        raise ConfigError("Production needs SECRET_KEY set to a random value of 32+ characters.")
    if settings["DATABASE_URL"].startswith("sqlite"):
        raise ConfigError("Production needs DATABASE_URL pointing at PostgreSQL, not SQLite.")

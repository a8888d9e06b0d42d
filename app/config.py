"""Configuration from the environment: one class per environment, production unless told otherwise.

Development is only what CROSSCHECK_ENV=development asks for (make run sets it): a server started any
other way (gunicorn, `flask run`, python -m scheduler) runs production and refuses an unsafe setting.
"""

import os
import secrets
from datetime import date
from pathlib import Path

from licensing.workflows.workdays import Calendar, calendar_for

INSTANCE_DIR = Path(__file__).resolve().parent.parent / "instance"
SECRET_FILE_NAME = "secret_key"  # development's own random secret, under instance/
DEFAULT_ENV = "production"
MIN_SECRET_LENGTH = 32
MIN_SECRET_DISTINCT = 10  # "x" * 40 or a repeated word is long but guessable
LOG_FORMATS = ("json", "text")
# Settings that hold a secret: each may instead be read from the file named by <NAME>_FILE (a mounted
# container or systemd secret), so that it need not sit in the process environment.
SECRET_SETTINGS = ("SECRET_KEY", "DATABASE_URL", "REDIS_URL", "NOTIFY_API_KEY")


class ConfigError(RuntimeError):
    """The configuration is unsafe or incomplete for the chosen environment."""


class Config:
    """Settings shared by every environment."""

    ENV_NAME = "development"
    SECRET_KEY = ""  # from the environment; development and testing make their own (load_config)
    DATABASE_URL = f"sqlite:///{INSTANCE_DIR / 'crosscheck.db'}"
    REDIS_URL = "redis://127.0.0.1:6379/0"
    MAX_CONTENT_LENGTH = 2 * 1024 * 1024
    # A request still running after this many seconds is stuck: gunicorn.conf.py kills its worker, and an
    # Idempotency-Key it claimed may then be taken over by a retry. Both read this one setting.
    REQUEST_TIMEOUT_SECONDS = 60
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    # Local (password) accounts also give a code from an authenticator app; production refuses to run
    # without it (docs/security/sign-in.md). Off here so that scripts, the demo and tests sign in simply.
    SECOND_FACTOR_REQUIRED = False
    PASSWORD_LINK_HOURS = 72  # how long a one-time set-password link from `flask users create` works
    # Officer sessions end after this long without a request, and this long after sign-in however busy.
    OFFICER_SESSION_IDLE_MINUTES = 30
    OFFICER_SESSION_MAX_HOURS = 12
    # Failed sign-ins allowed before the next attempt must wait (limits' syntax, ";" between windows):
    # per e-mail address from browsers that have not signed in to it before, per client address across
    # e-mail addresses, and per browser that has (its device cookie).
    SIGN_IN_ACCOUNT_LIMIT = "10 per 15 minutes;50 per day"
    SIGN_IN_ADDRESS_LIMIT = "20 per 15 minutes;100 per day"
    SIGN_IN_DEVICE_LIMIT = "10 per 15 minutes;50 per day"
    LOG_LEVEL = "INFO"
    # How log lines are written on stderr: "json", one object a line for a log collector, or "text", one
    # readable line for a person at a console (development's default). The web app, gunicorn's own log
    # and the scheduler all follow it; both mask personal data alike (app/logs.py).
    LOG_FORMAT = "json"
    API_TITLE = "Crosscheck API"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api/v1"
    OPENAPI_JSON_PATH = "openapi.json"
    RATELIMIT_STORAGE_URI = "memory://"
    RATE_LIMIT_REDIS_TIMEOUT_SECONDS = 1.0  # a Redis that does not answer fails the public check fast
    PUBLIC_CHECK_RATE_LIMIT = "30/minute"
    SCREENING_MAX_AGE_DAYS = 30  # a grant needs a screening of the application at most this old
    # Working days of the s.3/s.5 deadlines (licensing.workflows.workdays): Scottish authorities count
    # Scotland's bank holidays ("SCT") or England's ("ENG"); EXTRA_BANK_HOLIDAYS adds proclaimed days, ISO
    # dates separated by commas, e.g. "2027-06-07".
    SCOTLAND_CALENDAR = "SCT"
    EXTRA_BANK_HOLIDAYS = ""
    # Reverse proxies in front of the app that set X-Forwarded-For/-Proto/-Host (werkzeug ProxyFix);
    # 0 trusts none, so a client cannot forge its address to escape the public rate limit.
    TRUSTED_PROXIES = 0
    # Prometheus metrics (docs/operations.md, Metrics): 0 serves none. Web processes answer /metrics only
    # on this port, a second listener of gunicorn's; a scheduler serves /metrics and /healthz on it. Bound
    # on METRICS_HOST, or on every interface in a container ($PORT set) and loopback otherwise.
    METRICS_PORT = 0
    METRICS_HOST = ""
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
    # Monitoring jobs (licensing/monitoring, app/periodic_jobs.py); lists are comma-separated.
    LICENCE_EXPIRY_ALERT_DAYS = "60,30,7"  # "licence.expiring" this many days before expiry
    DBS_CHECK_MONTHS = 6  # Statutory Standards: an Update Service check at least every six months
    DBS_OVERDUE_DAYS = 28  # a check the council must make is "dbs.lapsed" this long after it fell due
    RESCREEN_LOOKBACK_HOURS = 48  # nightly re-screen: records changed this recently (covers a missed night)
    RETENTION_YEARS = 11  # 2022 Act s.2: register entries kept 11 years from first entry
    RETENTION_HOLD_YEARS = 25  # NAFN's policy, for the councils listed in RETENTION_HOLD_AUTHORITIES
    BULK_RESULTS_DAYS = (
        7  # an officer's bulk screening (upload and results) is deleted this long after it ends
    )
    RETENTION_HOLD_AUTHORITIES = ""  # GSS codes of councils that keep entries RETENTION_HOLD_YEARS
    # Register statistics show no count under this (docs/statistics.md): 1 to 4 could point at a person.
    STATISTICS_MIN_COUNT = 5


class DevelopmentConfig(Config):
    """Embedded SQLite under instance/, for a newcomer's `make run`."""

    LOG_FORMAT = "text"  # a developer reads the console
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
    SECOND_FACTOR_REQUIRED = True
    RATELIMIT_STORAGE_URI = ""  # empty: app.limits counts in REDIS_URL, shared by every web process


CONFIGS = {c.ENV_NAME: c for c in (DevelopmentConfig, TestingConfig, ProductionConfig)}
ENV_KEYS = (
    "SECRET_KEY",
    "DATABASE_URL",
    "REDIS_URL",
    "LOG_LEVEL",
    "LOG_FORMAT",
    "RATELIMIT_STORAGE_URI",
    "PUBLIC_CHECK_RATE_LIMIT",
    "RATE_LIMIT_REDIS_TIMEOUT_SECONDS",
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
    "STATISTICS_MIN_COUNT",
    "BULK_RESULTS_DAYS",
    "SCOTLAND_CALENDAR",
    "EXTRA_BANK_HOLIDAYS",
    "TRUSTED_PROXIES",
    "SECOND_FACTOR_REQUIRED",
    "PASSWORD_LINK_HOURS",
    "OFFICER_SESSION_IDLE_MINUTES",
    "OFFICER_SESSION_MAX_HOURS",
    "SIGN_IN_ACCOUNT_LIMIT",
    "SIGN_IN_ADDRESS_LIMIT",
    "SIGN_IN_DEVICE_LIMIT",
    "REQUEST_TIMEOUT_SECONDS",
    "METRICS_PORT",
    "METRICS_HOST",
)


def load_config(overrides: dict | None = None) -> dict:
    """Build the settings of CROSSCHECK_ENV (unset: production) from its class, environment, `overrides`."""
    env_name = (overrides or {}).get("ENV_NAME") or os.environ.get("CROSSCHECK_ENV") or DEFAULT_ENV
    if env_name not in CONFIGS:
        raise ConfigError(f"CROSSCHECK_ENV must be one of {', '.join(CONFIGS)}, not {env_name!r}.")
    cls = CONFIGS[env_name]
    settings = {k: getattr(cls, k) for k in dir(cls) if k.isupper()}
    settings.update({k: os.environ[k] for k in ENV_KEYS if os.environ.get(k)})
    settings.update(secrets_from_files(os.environ))
    settings.update(overrides or {})
    settings["SECRET_KEY"] = settings["SECRET_KEY"] or own_secret(env_name)
    check_safe(settings)
    working_calendar(settings)  # refuse a bad calendar at start-up, not on the first deadline
    settings["TRUSTED_PROXIES"] = trusted_proxies(settings)
    settings["LOG_FORMAT"] = log_format(settings)
    return settings


def log_format(settings) -> str:
    """Return the configured log format, "json" or "text"; refuse anything else."""
    chosen = str(settings.get("LOG_FORMAT") or "json").strip().lower()
    if chosen not in LOG_FORMATS:
        raise ConfigError(f"LOG_FORMAT must be one of {', '.join(LOG_FORMATS)}, not {chosen!r}.")
    return chosen


def environment_log_format(environ) -> str:
    """Return the log format `environ` asks for, without loading the rest of the configuration.

    For gunicorn's own log, set up before any app exists: LOG_FORMAT, else CROSSCHECK_ENV's default.
    """
    env_class = CONFIGS.get(environ.get("CROSSCHECK_ENV") or DEFAULT_ENV, ProductionConfig)
    return log_format({"LOG_FORMAT": environ.get("LOG_FORMAT") or env_class.LOG_FORMAT})


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


def secrets_from_files(environ) -> dict:
    """Read each secret setting whose <NAME>_FILE is set from that file; refuse both forms at once."""
    found = {}
    for name in SECRET_SETTINGS:
        path = environ.get(f"{name}_FILE")
        if not path:
            continue
        if environ.get(name):
            raise ConfigError(f"Set {name} or {name}_FILE, not both.")
        try:
            found[name] = Path(path).read_text(encoding="utf-8").strip()
        except OSError as error:
            raise ConfigError(f"{name}_FILE: cannot read {path} ({error.strerror}).") from None
    return found


def own_secret(env_name: str) -> str:
    """Return the secret of an environment given none: development's own, a throwaway for tests."""
    if env_name == "development":
        return instance_secret(INSTANCE_DIR)
    if env_name == "testing":
        return secrets.token_urlsafe(32)
    return ""  # production: check_safe refuses to start


def instance_secret(directory: Path) -> str:
    """Return this installation's development secret, creating it (readable by its owner only) on first use.

    The file is written in full under a temporary name and then linked into place, so two processes
    starting together (make run starts the web app and the scheduler) agree on one secret and neither
    reads a half-written file.
    """
    path = directory / SECRET_FILE_NAME
    if not path.exists():
        directory.mkdir(parents=True, exist_ok=True)
        draft = directory / f".{SECRET_FILE_NAME}.{os.getpid()}.{secrets.token_hex(4)}"
        descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as draft_file:
            draft_file.write(secrets.token_urlsafe(48))
        try:
            os.link(draft, path)
        except FileExistsError:
            pass  # another process made it first: use theirs
        finally:
            draft.unlink()
    return path.read_text(encoding="utf-8").strip()


def weak_secret(secret: str) -> bool:
    """Tell whether a secret key is too short or too repetitive to resist guessing."""
    return len(secret) < MIN_SECRET_LENGTH or len(set(secret)) < MIN_SECRET_DISTINCT


def flag(value) -> bool:
    """Read a yes/no setting given as a bool or as environment text ("1", "true", "yes", "on")."""
    return value if isinstance(value, bool) else str(value).strip().lower() in ("1", "true", "yes", "on")


def check_safe(settings: dict) -> None:
    """Refuse to run production with a missing or weak secret key or the embedded SQLite database."""
    if settings["ENV_NAME"] != "production":
        return
    if weak_secret(settings["SECRET_KEY"]):
        raise ConfigError(
            "Production needs SECRET_KEY (or SECRET_KEY_FILE) set to a random value of 32+ characters, "
            'e.g. python -c "import secrets; print(secrets.token_urlsafe(48))". '
            "For a local trial, set CROSSCHECK_ENV=development."
        )
    if settings["DATABASE_URL"].startswith("sqlite"):
        raise ConfigError("Production needs DATABASE_URL pointing at PostgreSQL, not SQLite.")
    if not flag(settings.get("SECOND_FACTOR_REQUIRED")):
        raise ConfigError("Production needs SECOND_FACTOR_REQUIRED: local accounts must use a second factor.")


def development_warnings(settings: dict) -> list[str]:
    """Return what development relaxes, to be logged loudly whenever a development app starts."""
    if settings["ENV_NAME"] != "development":
        return []
    relaxed = ["session cookies are sent over plain HTTP (not Secure)", "webhooks may use http://"]
    if settings.get("WEBHOOK_ALLOW_PRIVATE"):
        relaxed.append("webhooks may point at private and loopback addresses")
    return [
        "DEVELOPMENT MODE: never expose this server. "
        + "; ".join(relaxed)
        + f"; the secret key is this installation's own ({INSTANCE_DIR / SECRET_FILE_NAME} unless SECRET_KEY"
        " is set). Set CROSSCHECK_ENV=production (the default) to serve for real."
    ]

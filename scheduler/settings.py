"""The scheduler's settings: the web app's configuration (app/config.py), read without starting Flask."""

import os
from dataclasses import dataclass

from app.config import flag, load_config


@dataclass(frozen=True)
class SchedulerSettings:
    """Typed settings of one scheduler process; the environment gives them as text."""

    database_url: str
    poll_seconds: float
    batch_size: int
    lease_seconds: float
    send_workers: int
    endpoint_concurrency: int
    leader_retry_seconds: float
    webhook_timeout_seconds: float
    webhook_allow_private: bool
    notify_api_key: str
    notify_base_url: str
    notify_template_id: str
    public_base_url: str
    log_level: str
    log_format: str
    metrics_port: int = 0  # 0: no metrics and liveness server
    metrics_host: str = "127.0.0.1"


def load_settings(overrides: dict | None = None) -> SchedulerSettings:
    """Build the settings from CROSSCHECK_ENV and the environment, exactly as the web app does."""
    config = load_config(overrides)
    return SchedulerSettings(
        database_url=config["DATABASE_URL"],
        poll_seconds=float(config["SCHEDULER_POLL_SECONDS"]),
        batch_size=int(config["SCHEDULER_BATCH_SIZE"]),
        lease_seconds=float(config["SCHEDULER_LEASE_SECONDS"]),
        send_workers=int(config["SCHEDULER_SEND_WORKERS"]),
        endpoint_concurrency=int(config["SCHEDULER_ENDPOINT_CONCURRENCY"]),
        leader_retry_seconds=float(config["SCHEDULER_LEADER_RETRY_SECONDS"]),
        webhook_timeout_seconds=float(config["WEBHOOK_TIMEOUT_SECONDS"]),
        webhook_allow_private=flag(config["WEBHOOK_ALLOW_PRIVATE"]),
        notify_api_key=config["NOTIFY_API_KEY"],
        notify_base_url=config["NOTIFY_BASE_URL"],
        notify_template_id=config["NOTIFY_ALERT_TEMPLATE_ID"],
        public_base_url=config["PUBLIC_BASE_URL"].rstrip("/"),
        log_level=config["LOG_LEVEL"],
        log_format=config["LOG_FORMAT"],
        metrics_port=int(config["METRICS_PORT"] or 0),
        # As gunicorn.conf.py binds: every interface in a container ($PORT set), else loopback.
        metrics_host=config["METRICS_HOST"] or ("0.0.0.0" if os.environ.get("PORT") else "127.0.0.1"),
    )


# What `python -m scheduler --help` lists: every environment variable the scheduler reads (its own
# settings above, and those of the periodic jobs in app/periodic_jobs.py), with what it is for; the
# help adds each one's default from app/config.py.
ENVIRONMENT: tuple[tuple[str, str], ...] = (
    ("CROSSCHECK_ENV", "production (the default), development or testing"),
    ("DATABASE_URL", "the database, PostgreSQL in production (or DATABASE_URL_FILE)"),
    ("SECRET_KEY", "production refuses to start without a strong one (or SECRET_KEY_FILE)"),
    ("LOG_LEVEL", "the least severe level logged"),
    ("LOG_FORMAT", "json, or text for people (development's default)"),
    ("SCHEDULER_POLL_SECONDS", "how often due deliveries are looked for"),
    ("SCHEDULER_BATCH_SIZE", "deliveries claimed at once at most"),
    ("SCHEDULER_LEASE_SECONDS", "how long a claimed delivery is this process's to send"),
    ("SCHEDULER_SEND_WORKERS", "sends at once"),
    ("SCHEDULER_ENDPOINT_CONCURRENCY", "sends at once to one webhook URL or e-mail recipient"),
    ("SCHEDULER_LEADER_RETRY_SECONDS", "how often a follower tries to lead"),
    ("METRICS_PORT", "serve GET /metrics and GET /healthz (liveness) on this port; 0: none"),
    ("METRICS_HOST", "the metrics port's address (default: all in a container, else 127.0.0.1)"),
    ("WEBHOOK_TIMEOUT_SECONDS", "how long a receiver has to answer"),
    ("NOTIFY_API_KEY", "GOV.UK Notify key for alert e-mails (or NOTIFY_API_KEY_FILE)"),
    ("NOTIFY_BASE_URL", "GOV.UK Notify's address"),
    ("NOTIFY_ALERT_TEMPLATE_ID", "the Notify template of alert e-mails"),
    ("PUBLIC_BASE_URL", "where the links in e-mails point"),
    ("DBS_BASE_URL", "the DBS Update Service's address"),
    ("DBS_ORGANISATION_NAME", "the organisation making status checks (none: councils check by hand)"),
    ("DBS_EMPLOYEE_FORENAME", "the employee making status checks"),
    ("DBS_EMPLOYEE_SURNAME", "the employee making status checks"),
    ("DBS_CHECK_MONTHS", "months between DBS status checks"),
    ("DBS_OVERDUE_DAYS", "days after a check fell due before it is reported lapsed"),
    ("LICENCE_EXPIRY_ALERT_DAYS", "days before expiry that councils are warned"),
    ("RESCREEN_LOOKBACK_HOURS", "how far back the nightly re-screen looks for changed records"),
    ("RETENTION_YEARS", "years a register entry is kept"),
    ("BULK_RESULTS_DAYS", "days a bulk screening's upload and results are kept after it ends"),
    ("RETENTION_HOLD_YEARS", "years kept for the councils in RETENTION_HOLD_AUTHORITIES"),
    ("RETENTION_HOLD_AUTHORITIES", "GSS codes of councils that keep entries longer, comma-separated"),
    ("SCOTLAND_CALENDAR", "bank holidays of Scottish councils' deadlines: SCT or ENG"),
    ("EXTRA_BANK_HOLIDAYS", "further non-working days, ISO dates, comma-separated"),
)

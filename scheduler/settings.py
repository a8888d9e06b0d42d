"""The scheduler's settings: the web app's configuration (app/config.py), read without starting Flask."""

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
    )

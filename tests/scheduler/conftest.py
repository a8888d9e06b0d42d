"""Fixtures of the scheduler tests: loopback receivers, a settable clock, the scheduler's settings."""

import uuid
from datetime import datetime, timedelta

import httpx
import pytest

from licensing.clock import utcnow
from licensing.persistence import unit_of_work
from scheduler.delivery import Dispatcher
from scheduler.settings import load_settings
from tests.conftest import TEST_SECRET
from tests.scheduler.receivers import Receiver, notify_created

NOTIFY_SERVICE_ID = str(uuid.uuid4())
NOTIFY_SECRET = str(uuid.uuid4())
TEMPLATE_ID = str(uuid.uuid4())


class Clock:
    """An injected clock the test moves by hand."""

    def __init__(self, now: datetime):
        """Start at `now`."""
        self.now = now

    def __call__(self) -> datetime:
        """Return the current fake time."""
        return self.now

    def advance(self, delta: timedelta) -> None:
        """Move time on by `delta`."""
        self.now += delta


@pytest.fixture
def clock():
    """Return a clock starting at the real time (webhook timestamps must pass the receiver's tolerance)."""
    return Clock(utcnow().replace(microsecond=0))


@pytest.fixture
def writer(engine):
    """Return the session of a writing unit of work, as the scheduler writes (BEGIN IMMEDIATE on SQLite)."""
    with unit_of_work.writing(engine) as session:
        yield session


@pytest.fixture
def receiver():
    """Return a running webhook receiver on loopback."""
    with Receiver() as running:
        yield running


@pytest.fixture
def notify():
    """Return a running fake of GOV.UK Notify's e-mail endpoint on loopback."""
    with Receiver(success=201, body=notify_created) as running:
        yield running


@pytest.fixture
def settings(database_url, notify):
    """Return scheduler settings for this test's database and the fake Notify."""
    overrides = {
        "ENV_NAME": "testing",
        "DATABASE_URL": database_url,
        "SECRET_KEY": TEST_SECRET,
        "NOTIFY_API_KEY": f"crosscheck_test-{NOTIFY_SERVICE_ID}-{NOTIFY_SECRET}",
        "NOTIFY_BASE_URL": notify.url,
        "NOTIFY_ALERT_TEMPLATE_ID": TEMPLATE_ID,
        "SCHEDULER_BATCH_SIZE": "2",
        "SCHEDULER_SEND_WORKERS": "2",
        "WEBHOOK_TIMEOUT_SECONDS": "2",
    }
    return load_settings(overrides)


@pytest.fixture
def dispatcher(engine, settings, clock):
    """Return a dispatcher on this test's database with the injected clock."""
    with httpx.Client(timeout=settings.webhook_timeout_seconds) as http:
        dispatcher = Dispatcher(engine, settings, http, clock=clock)
        yield dispatcher
        dispatcher.close()

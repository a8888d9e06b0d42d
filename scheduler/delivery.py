"""Send claimed deliveries through the integrations and record each outcome (at least once, stable id).

A webhook is the alert's thin payload, signed with the endpoint's own secret, with webhook-id = the
delivery's message id on every retry (Standard Webhooks), so a receiver drops duplicates. An e-mail goes
through GOV.UK Notify with only the alert type and a link as personalisation: no personal data.
"""

import logging
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import select
from sqlalchemy.engine import Engine

from integrations.errors import PermanentError, RetryableError
from integrations.notify import NotifyClient
from integrations.ssrf import GuardedTransport
from integrations.webhooks import WebhookSender
from licensing.clock import utcnow
from licensing.db import new_session
from licensing.deliveries import Claim, Outcome, claim_due, record_outcomes
from licensing.models import EmailRecipient, WebhookEndpoint
from licensing.subscriptions import signing_secrets
from scheduler.settings import SchedulerSettings

log = logging.getLogger("crosscheck.scheduler")


class Dispatcher:
    """Claim due deliveries in batches, send them concurrently, record what happened to each."""

    def __init__(
        self,
        engine: Engine,
        settings: SchedulerSettings,
        http: httpx.Client,
        clock: Callable[[], datetime] = utcnow,
    ):
        """Bind the dispatcher to a database, its settings, one shared HTTP client and a clock."""
        self.engine, self.settings, self.clock = engine, settings, clock
        self.webhooks = WebhookSender(http)
        self.notify = _notify_client(http, settings)
        self.pool = ThreadPoolExecutor(settings.send_workers, thread_name_prefix="deliver")

    def run_batch(self) -> Counter:
        """Claim one batch, send it, record every outcome at once; count them (empty: nothing was due)."""
        lease = timedelta(seconds=self.settings.lease_seconds)
        with new_session(self.engine) as session:
            claims = claim_due(session, now=self.clock(), limit=self.settings.batch_size, lease=lease)
        if not claims:
            return Counter()
        targets = self._targets(claims)
        outcomes = list(self.pool.map(lambda claim: self.deliver(claim, targets), claims))
        done = [outcome for outcome in outcomes if outcome is not None]
        with new_session(self.engine) as session:
            record_outcomes(session, done, now=self.clock())
        for outcome in done:
            if not outcome.delivered:
                log.info("delivery %s attempt %s: %s", outcome.claim.id, outcome.claim.attempt, outcome.error)
        return Counter(outcome.status for outcome in done) + Counter(lapsed=len(outcomes) - len(done))

    def deliver(self, claim: Claim, targets: dict) -> Outcome | None:
        """Send one claimed delivery and return its outcome; None if its lease ran out before sending."""
        if self.clock() >= claim.lease_expires_at:
            return None  # another scheduler may hold it now; sending would only add a duplicate
        try:
            self.send(claim, targets.get((claim.channel, claim.target)))
        except RetryableError as error:
            return _failed(claim, error, retry_after=error.retry_after)
        except PermanentError as error:
            # 410 Gone: Standard Webhooks says the endpoint should be disabled; the delivery is dead.
            gone = error.gone and claim.channel == "webhook"
            return _failed(claim, error, permanent=True, gone=gone)
        except Exception as error:  # a bug must not wedge the row in 'delivering': retry on schedule
            log.exception("delivery %s failed unexpectedly", claim.id)
            return _failed(claim, error)
        return Outcome(claim, delivered=True)

    def send(self, claim: Claim, target) -> None:
        """Send `claim` to its endpoint or recipient, raising RetryableError or PermanentError on failure."""
        if target is None or not target.active:
            raise PermanentError(f"{claim.channel} target {claim.target} no longer exists or is inactive")
        if claim.channel == "webhook":
            timestamp = int(self.clock().replace(tzinfo=UTC).timestamp())
            secrets = signing_secrets(target, self.clock())
            self.webhooks.send(target.url, secrets, claim.message_id, timestamp, claim.payload)
        else:
            self._send_email(claim, target)

    def close(self) -> None:
        """Wait for sends in flight and stop the send threads."""
        self.pool.shutdown(wait=True)

    def _send_email(self, claim: Claim, recipient: EmailRecipient) -> None:
        """Ask GOV.UK Notify to e-mail the recipient the alert type and a link, nothing more."""
        if self.notify is None or not self.settings.notify_template_id:
            raise PermanentError("GOV.UK Notify is not configured (NOTIFY_API_KEY, NOTIFY_ALERT_TEMPLATE_ID)")
        link = self.settings.public_base_url + claim.payload["links"]["self"]
        personalisation = {"alert_type": claim.alert_type, "link": link}
        template = self.settings.notify_template_id
        self.notify.send_email(recipient.email_address, template, personalisation, claim.message_id)

    def _targets(self, claims: list[Claim]) -> dict:
        """Load the batch's endpoints and recipients in one query each, keyed by (channel, target)."""
        found = {}
        with new_session(self.engine, observer=True) as session:
            for channel, model in (("webhook", WebhookEndpoint), ("email", EmailRecipient)):
                ids = {int(c.target) for c in claims if c.channel == channel}
                rows = session.scalars(select(model).where(model.id.in_(ids))) if ids else []
                found |= {(channel, str(row.id)): row for row in rows}
        return found


def http_client(settings: SchedulerSettings) -> httpx.Client:
    """Return the scheduler's outbound client: SSRF-guarded at every request, no redirects followed."""
    transport = GuardedTransport(allow_private=settings.webhook_allow_private)
    return httpx.Client(transport=transport, timeout=settings.webhook_timeout_seconds, follow_redirects=False)


def _failed(claim: Claim, error: Exception, **how) -> Outcome:
    """Describe a failed attempt (the error's class and message, never a secret or the body)."""
    return Outcome(claim, delivered=False, error=f"{type(error).__name__}: {error}", **how)


def _notify_client(http: httpx.Client, settings: SchedulerSettings) -> NotifyClient | None:
    """Return a Notify client, or None (e-mails then fail) when no key, or a malformed one, is configured."""
    if not settings.notify_api_key:
        return None
    try:
        return NotifyClient(http, settings.notify_api_key, settings.notify_base_url)
    except PermanentError:
        log.error("NOTIFY_API_KEY is malformed: e-mail alerts cannot be sent")
        return None

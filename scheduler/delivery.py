"""Send claimed deliveries through the integrations and record each outcome (at least once, stable id).

A webhook is the alert's thin payload with its link to the alert in the API (app/links.py, the path
the API routes), signed with the endpoint's own secret, with webhook-id = the delivery's message id on
every retry (Standard Webhooks), so a receiver drops duplicates. An e-mail goes through GOV.UK Notify with
only the alert type and that link as personalisation: no personal data.

The dispatcher keeps its send threads busy without waiting for a whole batch: it claims only what its free
threads can send at once (never more than SCHEDULER_ENDPOINT_CONCURRENCY per endpoint, counting those in
flight), records outcomes as sends end, and claims again for the threads they free. A receiver that hangs
until the timeout holds at most its own share of threads, and every other endpoint's deliveries are
claimed by the next round, within SCHEDULER_POLL_SECONDS.
"""

import logging
import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy.engine import Engine

from app.links import alert_link, linked_payload
from integrations.errors import PermanentError, RetryableError
from integrations.notify import NotifyClient
from integrations.ssrf import GuardedTransport
from integrations.webhooks import WebhookSender
from licensing.alerts import queries
from licensing.alerts.deliveries import Claim, Outcome, claim_due, record_outcomes
from licensing.alerts.subscriptions import signing_secrets
from licensing.clock import utcnow
from licensing.persistence import unit_of_work
from licensing.persistence.models import EmailRecipient, WebhookEndpoint
from scheduler import metrics
from scheduler.settings import SchedulerSettings

log = logging.getLogger("crosscheck.scheduler")
# After one send ends, how long to wait for others before recording: each round is two transactions.
LINGER_SECONDS = 0.02


class Dispatcher:
    """Claim due deliveries for free send threads, send them concurrently, record each outcome as it ends."""

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
        self.in_flight: dict[Future, Claim] = {}
        self._lock = threading.RLock()  # the deliver job and close() (at shutdown) share the sends

    def start_sends(self) -> int:
        """Claim what the free send threads can take now and start sending it; return how many."""
        with self._lock:
            free = min(self.settings.send_workers - len(self.in_flight), self.settings.batch_size)
            if free <= 0:
                return 0
            lease = timedelta(seconds=self.settings.lease_seconds)
            with unit_of_work.writing(self.engine) as session:  # claims are committed before any send
                claims = claim_due(
                    session,
                    now=self.clock(),
                    limit=free,
                    lease=lease,
                    per_endpoint=self.settings.endpoint_concurrency,
                )
            targets = self._targets(claims) if claims else {}
            for claim in claims:
                self.in_flight[self.pool.submit(self.deliver, claim, targets)] = claim
            return len(claims)

    def finish_sends(self, timeout: float | None) -> Counter:
        """Wait up to `timeout` seconds for a send to end; record every ended send and count the outcomes."""
        with self._lock:
            if not self.in_flight:
                return Counter()
            ended, running = wait(self.in_flight, timeout=timeout, return_when=FIRST_COMPLETED)
            if ended and running:  # sends to a fast receiver end together: one round records them all
                ended |= wait(running, timeout=LINGER_SECONDS)[0]
            outcomes = [future.result() for future in ended]
            for future in ended:
                del self.in_flight[future]
            if outcomes:
                with unit_of_work.writing(self.engine) as session:
                    record_outcomes(session, outcomes, now=self.clock())
                metrics.deliveries_ended(outcomes)
            _log_failures(outcomes)
            return Counter(outcome.status for outcome in outcomes)

    def run_batch(self) -> Counter:
        """Claim what the free send threads can take, send it and record every outcome; count them."""
        with self._lock:
            self.start_sends()
            total = Counter()
            while self.in_flight:
                total += self.finish_sends(timeout=None)
            return total

    def deliver(self, claim: Claim, targets: dict) -> Outcome:
        """Send one claimed delivery and return its outcome (unsent if its lease ran out before sending)."""
        if self.clock() >= claim.lease_expires_at:
            return Outcome(claim, delivered=False, sent=False)  # another scheduler may hold it now
        target = targets.get((claim.channel, claim.target))
        if target is None or not target.active:
            error = PermanentError(f"{claim.channel} target {claim.target} no longer exists or is inactive")
            return _failed(claim, error, permanent=True, sent=False)
        try:
            self.send(claim, target)
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
        if claim.channel == "webhook":
            timestamp = int(self.clock().replace(tzinfo=UTC).timestamp())
            secrets = signing_secrets(target, self.clock())
            payload = linked_payload(claim.payload, claim.alert_id)
            self.webhooks.send(target.url, secrets, claim.message_id, timestamp, payload)
        else:
            self._send_email(claim, target)

    def close(self) -> None:
        """Let the sends in flight end and record them, then stop the send threads."""
        with self._lock:
            while self.in_flight:
                self.finish_sends(timeout=None)
        self.pool.shutdown(wait=True)

    def _send_email(self, claim: Claim, recipient: EmailRecipient) -> None:
        """Ask GOV.UK Notify to e-mail the recipient the alert type and a link, nothing more."""
        if self.notify is None or not self.settings.notify_template_id:
            raise PermanentError("GOV.UK Notify is not configured (NOTIFY_API_KEY, NOTIFY_ALERT_TEMPLATE_ID)")
        link = self.settings.public_base_url + alert_link(claim.alert_id)
        personalisation = {"alert_type": claim.alert_type, "link": link}
        template = self.settings.notify_template_id
        self.notify.send_email(recipient.email_address, template, personalisation, claim.message_id)

    def _targets(self, claims: list[Claim]) -> dict:
        """Load the batch's endpoints and recipients in one query each, keyed by (channel, target)."""
        found = {}
        with unit_of_work.reading(self.engine) as session:
            for channel, model in (("webhook", WebhookEndpoint), ("email", EmailRecipient)):
                ids = {int(c.target) for c in claims if c.channel == channel}
                rows = queries.subscriptions_by_id(session, model, ids)
                found |= {(channel, str(row.id)): row for row in rows}
        return found


def http_client(settings: SchedulerSettings) -> httpx.Client:
    """Return the scheduler's outbound client: SSRF-guarded at every request, no redirects followed."""
    transport = GuardedTransport(allow_private=settings.webhook_allow_private)
    return httpx.Client(transport=transport, timeout=settings.webhook_timeout_seconds, follow_redirects=False)


def _log_failures(outcomes: list[Outcome]) -> None:
    """Log each attempt that did not deliver, with its error (never a secret or the body)."""
    for outcome in outcomes:
        if not outcome.delivered:
            log.info("delivery %s attempt %s: %s", outcome.claim.id, outcome.claim.attempt, outcome.error)


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

"""The delivery engine's bookkeeping: claim due deliveries under a lease, record each attempt's outcome.

Delivery is at-least-once with a stable message id: a claim is a lease, so a delivery whose process died
mid-send is taken up again once the lease expires, and is sent again with the same webhook-id. Sending
itself (httpx) lives in scheduler/delivery.py; this module only reads and writes rows.

One receiver must not hold up another's deliveries. A claim takes at most `per_endpoint` deliveries of
one endpoint (webhook or e-mail recipient) at a time, counting those already in flight, and takes every
endpoint's oldest delivery before any endpoint's second. A sender claims only what it can send at once,
so a lease covers one send, not a queue. An attempt is counted when its outcome is recorded, so a claim
given back unsent costs nothing; a lease that expires (the sender died or hung mid-send) counts as an
attempt that may have been sent, and the next one waits its turn in the retry schedule.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session

from licensing.alerts import queries
from licensing.persistence.models import Alert, Delivery

# Standard Webhooks 1.0.0, "Deliverability and reliability": the example schedule, about three days in
# all. Entry n is the wait after the n-th failed attempt before attempt n + 1 (entry 0: the first
# attempt, sent at once). After the last attempt fails the delivery is dead.
RETRY_SCHEDULE: tuple[timedelta, ...] = (
    timedelta(0),
    timedelta(seconds=5),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
    timedelta(hours=14),
    timedelta(hours=20),
    timedelta(hours=24),
)
MAX_ATTEMPTS = len(RETRY_SCHEDULE)
# A receiver's Retry-After (spec: "should be taken into consideration") may push an attempt later than
# the schedule, but no further than this, so a hostile header cannot park a delivery for ever.
MAX_RETRY_AFTER = timedelta(hours=24)
ERROR_LENGTH = 1000


LAPSED = "the sender stopped before recording this attempt (its lease expired); it may have been sent"


@dataclass(frozen=True)
class Claim:
    """A delivery leased to one sender for one attempt (numbered `attempt`); its lease fences the outcome."""

    id: int
    attempt: int
    lease_expires_at: datetime
    channel: str
    target: str
    message_id: str
    alert_id: int
    alert_type: str
    payload: dict  # as stored: the sender adds the alert's link


def claim_due(
    session: Session, *, now: datetime, limit: int, lease: timedelta, per_endpoint: int = 4
) -> list[Claim]:
    """Lease up to `limit` due deliveries, at most `per_endpoint` in flight per endpoint.

    The caller commits the claim (its unit of work ends) before sending any of them.

    On PostgreSQL `FOR UPDATE SKIP LOCKED` lets several schedulers claim at once without waiting for or
    taking each other's rows; on SQLite the session's BEGIN IMMEDIATE serialises claimers instead.
    """
    _recover_lapsed(session, now)
    ids = _fair_share(session, now, limit, per_endpoint)
    rows = queries.lock_due_deliveries(session, ids, now)
    for row in rows:
        row.status, row.lease_expires_at = "delivering", now + lease
    alerts = queries.alerts_by_id(session, {row.alert_id for row in rows})
    order = {delivery_id: n for n, delivery_id in enumerate(ids)}
    return [_claim(row, alerts[row.alert_id]) for row in sorted(rows, key=lambda row: order[row.id])]


def _fair_share(session: Session, now: datetime, limit: int, per_endpoint: int) -> list[int]:
    """Return the ids to claim: each endpoint's oldest due deliveries, up to its free places, round-robin."""
    busy = queries.in_flight_by_endpoint(session)
    free = {endpoint: per_endpoint - count for endpoint, count in busy.items()}
    chosen = [
        row.id
        for row in queries.due_by_endpoint(session, now, per_endpoint)
        if row.place <= free.get((row.channel, row.target), per_endpoint)
    ]
    return chosen[:limit]


def _recover_lapsed(session: Session, now: datetime) -> None:
    """Count each expired lease as an attempt that may have been sent, and schedule the next one."""
    for row in queries.lock_lapsed_deliveries(session, now):
        row.attempts += 1
        wait = next_wait(row.attempts)
        row.status = "dead" if wait is None else "pending"
        row.next_attempt_at = row.lease_expires_at + (wait or timedelta(0))
        row.lease_expires_at, row.last_error = None, LAPSED
    session.flush()


@dataclass(frozen=True)
class Outcome:
    """What one claimed attempt came to: delivered, failed (permanently, or with a Retry-After), or unsent.

    `sent` is False when no request went out (the target was gone, the lease ran out first): the attempt is
    then not counted, and a delivery not failed for good is given back as it was.
    """

    claim: Claim
    delivered: bool
    error: str = ""
    permanent: bool = False
    retry_after: float | None = None
    gone: bool = False  # the webhook endpoint answered 410 Gone: disable it
    sent: bool = True

    @property
    def status(self) -> str:
        """Name the delivery's fate: delivered, retry, dead, or lapsed (given back unsent)."""
        if self.delivered:
            return "delivered"
        if not self.sent and not self.permanent:
            return "lapsed"
        dead = self.permanent or next_wait(self.claim.attempt, self.retry_after) is None
        return "dead" if dead else "retry"


def record_outcomes(session: Session, outcomes: list[Outcome], *, now: datetime) -> int:
    """Record a batch of outcomes in one transaction; return how many claims still held their row.

    One unit of work per batch, not per delivery: a scheduler killed before it commits has its batch sent
    again after the lease expires, with the same webhook-ids, which the receivers drop as duplicates.
    """
    held = sum(_fenced_update(session, outcome.claim, _values(outcome, now)) for outcome in outcomes)
    _disable_gone(session, outcomes, now)
    return held


def _disable_gone(session: Session, outcomes: list[Outcome], now: datetime) -> None:
    """Deactivate every webhook endpoint that answered 410 Gone (Standard Webhooks: stop sending to it)."""
    ids = {int(outcome.claim.target) for outcome in outcomes if outcome.gone}
    if ids:
        queries.disable_endpoints(session, ids, now)


def record_delivered(session: Session, claim: Claim, *, now: datetime) -> bool:
    """Mark the claimed attempt delivered; False if the lease was lost to another sender meanwhile."""
    return record_outcomes(session, [Outcome(claim, delivered=True)], now=now) == 1


def record_failure(
    session: Session,
    claim: Claim,
    *,
    now: datetime,
    error: str,
    permanent: bool = False,
    retry_after: float | None = None,
) -> bool:
    """Schedule the next attempt on the retry schedule, or mark the delivery dead after the last one."""
    outcome = Outcome(claim, delivered=False, error=error, permanent=permanent, retry_after=retry_after)
    return record_outcomes(session, [outcome], now=now) == 1


def next_wait(attempts: int, retry_after: float | None = None) -> timedelta | None:
    """Return the wait after `attempts` failed attempts, honouring Retry-After; None once all are spent."""
    if attempts >= MAX_ATTEMPTS:
        return None
    wait = RETRY_SCHEDULE[attempts]
    if retry_after is not None and retry_after > 0:
        wait = max(wait, min(timedelta(seconds=retry_after), MAX_RETRY_AFTER))
    return wait


def _values(outcome: Outcome, now: datetime) -> dict:
    """Return the column values that record `outcome` at `now`."""
    values = {"lease_expires_at": None}
    if outcome.sent:
        values["attempts"] = outcome.claim.attempt
    if outcome.delivered:
        return values | {"status": "delivered", "delivered_at": now, "last_error": None}
    if outcome.status == "lapsed":
        return values | {"status": "pending"}
    values |= {"status": outcome.status, "last_error": outcome.error[:ERROR_LENGTH]}
    if values["status"] == "retry":
        wait = next_wait(outcome.claim.attempt, outcome.retry_after)
        values |= {"status": "pending", "next_attempt_at": now + wait}
    return values


def _fenced_update(session: Session, claim: Claim, values: dict) -> bool:
    """Apply `values` to the claimed row if this claim still holds it, and tell whether it did."""
    # Only the holder of the current lease may record it: if the lease expired and the row was taken up
    # again, its lease moved on (a new one always ends later) and this late outcome is dropped.
    return queries.update_leased_delivery(session, claim.id, claim.lease_expires_at, values)


def _claim(row: Delivery, alert: Alert) -> Claim:
    """Copy what a sender needs out of the leased row and its alert."""
    return Claim(
        id=row.id,
        attempt=row.attempts + 1,
        lease_expires_at=row.lease_expires_at,
        channel=row.channel,
        target=row.target,
        message_id=row.message_id,
        alert_id=alert.id,
        alert_type=alert.alert_type,
        payload=dict(alert.payload),
    )

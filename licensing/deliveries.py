"""The delivery engine's bookkeeping: claim due deliveries under a lease, record each attempt's outcome.

Delivery is at-least-once with a stable message id: a claim is a lease, so a delivery whose process died
mid-send is claimed again once the lease expires, and is sent again with the same webhook-id. Sending
itself (httpx) lives in scheduler/delivery.py; this module only reads and writes rows.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select, update
from sqlmodel import Session

from licensing.models import Alert, Delivery, WebhookEndpoint

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


@dataclass(frozen=True)
class Claim:
    """A delivery leased to one sender for one attempt; `attempt` fences the outcome it may record."""

    id: int
    attempt: int
    lease_expires_at: datetime
    channel: str
    target: str
    message_id: str
    alert_type: str
    payload: dict


def claim_due(session: Session, *, now: datetime, limit: int, lease: timedelta) -> list[Claim]:
    """Lease up to `limit` due deliveries (pending and due, or leased and expired) and commit the claim.

    On PostgreSQL `FOR UPDATE SKIP LOCKED` lets several schedulers claim at once without waiting for or
    taking each other's rows; on SQLite the session's BEGIN IMMEDIATE serialises claimers instead.
    """
    due = or_(
        and_(Delivery.status == "pending", Delivery.next_attempt_at <= now),
        and_(Delivery.status == "delivering", Delivery.lease_expires_at <= now),
    )
    query = select(Delivery).where(due).order_by(Delivery.next_attempt_at, Delivery.id).limit(limit)
    rows = session.scalars(query.with_for_update(skip_locked=True)).all()
    expires = now + lease
    for row in rows:
        row.status, row.lease_expires_at, row.attempts = "delivering", expires, row.attempts + 1
    alerts = _alerts_by_id(session, {row.alert_id for row in rows})
    session.commit()
    return [_claim(row, alerts[row.alert_id]) for row in rows]


@dataclass(frozen=True)
class Outcome:
    """What one claimed attempt came to: delivered, or failed (permanently, or with a Retry-After)."""

    claim: Claim
    delivered: bool
    error: str = ""
    permanent: bool = False
    retry_after: float | None = None
    gone: bool = False  # the webhook endpoint answered 410 Gone: disable it

    @property
    def status(self) -> str:
        """Name the delivery's fate: delivered, retry or dead."""
        if self.delivered:
            return "delivered"
        dead = self.permanent or next_wait(self.claim.attempt, self.retry_after) is None
        return "dead" if dead else "retry"


def record_outcomes(session: Session, outcomes: list[Outcome], *, now: datetime) -> int:
    """Record a batch of outcomes in one transaction; return how many claims still held their row.

    One commit per batch, not per delivery: a scheduler killed before it commits has its batch sent
    again after the lease expires, with the same webhook-ids, which the receivers drop as duplicates.
    """
    held = sum(_fenced_update(session, outcome.claim, _values(outcome, now)) for outcome in outcomes)
    _disable_gone(session, outcomes, now)
    session.commit()
    return held


def _disable_gone(session: Session, outcomes: list[Outcome], now: datetime) -> None:
    """Deactivate every webhook endpoint that answered 410 Gone (Standard Webhooks: stop sending to it)."""
    ids = {int(outcome.claim.target) for outcome in outcomes if outcome.gone}
    if ids:
        query = update(WebhookEndpoint).where(WebhookEndpoint.id.in_(ids), WebhookEndpoint.active.is_(True))
        session.execute(query.values(active=False, updated_at=now))


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
    if outcome.delivered:
        return {"status": "delivered", "delivered_at": now, "lease_expires_at": None, "last_error": None}
    values = {"status": outcome.status, "last_error": outcome.error[:ERROR_LENGTH], "lease_expires_at": None}
    if values["status"] == "retry":
        wait = next_wait(outcome.claim.attempt, outcome.retry_after)
        values |= {"status": "pending", "next_attempt_at": now + wait}
    return values


def _fenced_update(session: Session, claim: Claim, values: dict) -> bool:
    """Apply `values` to the claimed row if this claim still holds it, and tell whether it did."""
    # Only the holder of the current attempt may record it: if the lease expired and another scheduler
    # re-claimed the row, `attempts` moved on and this (late) outcome is dropped.
    fence = and_(Delivery.id == claim.id, Delivery.status == "delivering", Delivery.attempts == claim.attempt)
    result = session.execute(update(Delivery).where(fence).values(**values))
    return result.rowcount == 1


def _alerts_by_id(session: Session, ids: set[int]) -> dict[int, Alert]:
    """Load the alerts with `ids`, keyed by id."""
    if not ids:
        return {}
    return {alert.id: alert for alert in session.scalars(select(Alert).where(Alert.id.in_(ids)))}


def _claim(row: Delivery, alert: Alert) -> Claim:
    """Copy what a sender needs out of the leased row and its alert."""
    return Claim(
        id=row.id,
        attempt=row.attempts,
        lease_expires_at=row.lease_expires_at,
        channel=row.channel,
        target=row.target,
        message_id=row.message_id,
        alert_type=alert.alert_type,
        payload=dict(alert.payload),
    )

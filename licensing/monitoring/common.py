"""What the monitoring jobs share: who they act as, and alerting once per event."""

from datetime import datetime

from sqlmodel import Session

from licensing.actors import Actor
from licensing.alerts.outbox import raise_alert


def job_actor(job: str, authority_id: int | None = None) -> Actor:
    """Return the system actor a scheduled job acts as, on behalf of `authority_id` when it has one."""
    return Actor(kind="system", id=None, label=f"scheduler:{job}", authority_id=authority_id)


def alert_once(
    session: Session,
    *,
    authority_id: int,
    alert_type: str,
    subject: tuple[str, int],
    now: datetime,
    key: str,
    detail: dict | None = None,
) -> bool:
    """Raise an alert unless one with dedupe key `alert_type:key` exists; tell whether it was raised."""
    alert = raise_alert(
        session,
        authority_id=authority_id,
        alert_type=alert_type,
        subject_kind=subject[0],
        subject_id=subject[1],
        now=now,
        dedupe_key=f"{alert_type}:{key}",
        detail=detail,
    )
    return alert is not None

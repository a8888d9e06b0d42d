"""What the monitoring tests share: counting the alerts a job raised."""

from collections import Counter

from sqlalchemy import select
from sqlmodel import Session

from licensing.persistence.models import Alert


def alerts(session: Session, alert_type: str | None = None) -> list[Alert]:
    """Return every alert (of one type), oldest first."""
    query = select(Alert).order_by(Alert.id)
    if alert_type:
        query = query.where(Alert.alert_type == alert_type)
    session.commit()  # end any read, so the next query sees the job's commits
    return list(session.scalars(query))


def alert_types(session: Session) -> Counter:
    """Count the alerts by type."""
    return Counter(alert.alert_type for alert in alerts(session))

"""What the monitoring tests share: counting the alerts a job raised."""

from collections import Counter

from sqlalchemy import select
from sqlmodel import Session

from licensing.persistence import unit_of_work
from licensing.persistence.models import Alert


def alerts(session: Session, alert_type: str | None = None) -> list[Alert]:
    """Return every alert (of one type), oldest first, as committed: read in a unit of work of its own."""
    query = select(Alert).order_by(Alert.id)
    if alert_type:
        query = query.where(Alert.alert_type == alert_type)
    with unit_of_work.reading(session.get_bind()) as reader:
        return list(reader.scalars(query))


def alert_types(session: Session) -> Counter:
    """Count the alerts by type."""
    return Counter(alert.alert_type for alert in alerts(session))

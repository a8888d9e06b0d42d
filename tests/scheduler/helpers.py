"""Records the scheduler tests share: a subscribed authority and alerts raised for it (synthetic only)."""

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from integrations.webhooks import new_secret
from licensing.alerts.outbox import raise_alert
from licensing.persistence import unit_of_work
from licensing.persistence.models import Delivery, EmailRecipient, WebhookEndpoint
from tests.factories import make_authority

ALERT_TYPE = "register_entry.recorded"


def make_webhook_endpoint(session: Session, url: str, now: datetime, **overrides) -> WebhookEndpoint:
    """Subscribe a new authority's webhook endpoint at `url` to ALERT_TYPE."""
    authority_id = overrides.pop("authority_id", None) or make_authority(session).id
    fields = {"authority_id": authority_id, "url": url, "secret": new_secret(), "alert_types": [ALERT_TYPE]}
    endpoint = WebhookEndpoint(**(fields | overrides), created_at=now, updated_at=now)
    session.add(endpoint)
    session.commit()
    return endpoint


def make_email_recipient(session: Session, now: datetime, **overrides) -> EmailRecipient:
    """Subscribe a new authority's e-mail address to ALERT_TYPE."""
    authority_id = overrides.pop("authority_id", None) or make_authority(session).id
    fields = {
        "authority_id": authority_id,
        "email_address": "alerts@council.example",
        "alert_types": [ALERT_TYPE],
    }
    recipient = EmailRecipient(**(fields | overrides), created_at=now, updated_at=now)
    session.add(recipient)
    session.commit()
    return recipient


def raise_alerts(session: Session, authority_id: int, now: datetime, count: int = 1) -> list[Delivery]:
    """Raise `count` alerts for the authority in one transaction and return their deliveries."""
    alerts = [
        raise_alert(
            session,
            authority_id=authority_id,
            alert_type=ALERT_TYPE,
            subject_kind="register_entry",
            subject_id=n + 1,
            now=now,
        )
        for n in range(count)
    ]
    session.commit()
    ids = [alert.id for alert in alerts]
    rows = list(session.scalars(select(Delivery).where(Delivery.alert_id.in_(ids)).order_by(Delivery.id)))
    session.commit()  # end the read too: on SQLite an open writer transaction blocks the schedulers
    return rows


def deliveries(engine: Engine) -> list[Delivery]:
    """Return every delivery as the database holds it now, read in a reading unit of work of its own."""
    with unit_of_work.reading(engine) as session:
        return list(session.scalars(select(Delivery).order_by(Delivery.id)))

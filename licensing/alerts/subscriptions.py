"""A council's alert subscriptions: signed webhook endpoints and e-mail recipients, per alert type.

Each endpoint has its own Standard Webhooks secret ("whsec_" + base64 of 32 random bytes), shown once.
Rotation keeps the previous secret signing beside the new one for 24 hours (the specification allows
several space-separated signatures), so a receiver can switch over without refusing genuine alerts.

SSRF: the service itself posts to these URLs, so an endpoint may not point into our own network. Only
https is accepted unless the environment allows http (development, testing), and a host that is, or
resolves to, an internal address (licensing.alerts.addresses, the one rule) is refused unless `allow_private`
(config WEBHOOK_ALLOW_PRIVATE) is set. The scheduler checks the same rule again at every send
(integrations.ssrf.GuardedTransport), because a name can be re-pointed after registration.

Deleting: an endpoint or recipient can be paused (active false) and resumed, but a deleted one is gone
for good: no longer listed, shown or changeable. Its row is kept, inactive and marked deleted, so that
its id is never given to a newer subscription a delivery still queued for the old one could then reach.
"""

import base64
import re
import secrets
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from sqlmodel import Session

from licensing.actors import Actor
from licensing.alerts import queries
from licensing.alerts.addresses import first_internal
from licensing.alerts.outbox import ALERT_TYPES
from licensing.audit import log as audit
from licensing.errors import NotFound, ValidationFailed
from licensing.persistence.db import by_id
from licensing.persistence.models import EmailRecipient, WebhookEndpoint

SECRET_OVERLAP = timedelta(hours=24)
URL_WIDTH = 500
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def new_secret() -> str:
    """Return a fresh Standard Webhooks signing secret."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def check_webhook_url(url: str, *, allow_http: bool, allow_private: bool) -> str:
    """Return the URL if the service may post to it, else raise ValidationFailed saying why."""
    parts = urlsplit((url or "").strip())
    if len(url or "") > URL_WIDTH:
        raise _bad_url(f"At most {URL_WIDTH} characters.")
    if parts.scheme != "https" and not (allow_http and parts.scheme == "http"):
        raise _bad_url("Must be an https:// URL." if not allow_http else "Must be an http(s):// URL.")
    if not parts.hostname or parts.username or parts.password:
        raise _bad_url("Must name a host, without user name or password.")
    if not allow_private:
        try:
            address = first_internal(parts.hostname, parts.port or 443)
        except LookupError:
            raise _bad_url("The host name does not resolve.") from None
        if address is not None:
            raise _bad_url(f"The host is or resolves to a non-public address ({address}).")
    return parts.geturl()


def add_webhook(
    session: Session, actor: Actor, url: str, alert_types: list[str], now: datetime, **url_rules
) -> tuple[WebhookEndpoint, str]:
    """Register a webhook endpoint of the actor's authority; return it and its secret (shown once)."""
    authority_id = actor.require_authority()
    checked = check_webhook_url(url, **url_rules)
    secret = new_secret()
    endpoint = WebhookEndpoint(authority_id=authority_id, url=checked, secret=secret, created_at=now)
    endpoint.alert_types, endpoint.updated_at = _types(alert_types), now
    session.add(endpoint)
    session.flush()
    detail = {"alert_types": endpoint.alert_types}
    audit.record(
        session, actor, "webhook_endpoint.added", "webhook_endpoint", endpoint.id, now=now, detail=detail
    )
    return endpoint, secret


def add_email(
    session: Session, actor: Actor, email_address: str, alert_types: list[str], now: datetime
) -> EmailRecipient:
    """Register an e-mail recipient of the actor's authority for some alert types."""
    authority_id = actor.require_authority()
    address = (email_address or "").strip()
    if len(address) > 320 or not _EMAIL.match(address):
        raise ValidationFailed("Not an e-mail address.", [_error("email_address", "Not an e-mail address.")])
    recipient = EmailRecipient(
        authority_id=authority_id, email_address=address, created_at=now, updated_at=now
    )
    recipient.alert_types = _types(alert_types)
    session.add(recipient)
    session.flush()
    detail = {"alert_types": recipient.alert_types}
    audit.record(
        session, actor, "email_recipient.added", "email_recipient", recipient.id, now=now, detail=detail
    )
    return recipient


def list_subscriptions(session: Session, actor: Actor) -> tuple[list[WebhookEndpoint], list[EmailRecipient]]:
    """Return the actor's authority's endpoints and recipients (not deleted), oldest first."""
    ids = (actor.require_authority(), *sorted(actor.answers_for))
    return (
        [row for i in ids for row in queries.kept_subscriptions(session, WebhookEndpoint, i)],
        [row for i in ids for row in queries.kept_subscriptions(session, EmailRecipient, i)],
    )


def own(session: Session, actor: Actor, model, record_id: int):
    """Return the actor's authority's endpoint or recipient; any other id, or a deleted one, is NotFound."""
    row = by_id(session, model, record_id)
    actor.require_authority()
    if row is None or not actor.answers(row.authority_id) or row.deleted_at is not None:
        raise NotFound("No such subscription.")
    return row


def change(session: Session, actor: Actor, model, record_id: int, fields: dict, now: datetime, **url_rules):
    """Change the alert types, active flag or (endpoints) URL of one of the actor's subscriptions."""
    row = own(session, actor, model, record_id)
    if not fields:
        raise ValidationFailed("Nothing to change.", [_error("", "Send at least one field to change.")])
    if "alert_types" in fields:
        row.alert_types = _types(fields["alert_types"])
    if "active" in fields:
        row.active = bool(fields["active"])
    if "url" in fields and model is WebhookEndpoint:
        row.url = check_webhook_url(fields["url"], **url_rules)
    row.updated_at = now
    action = f"{model.__tablename__}.changed"
    audit.record(
        session, actor, action, model.__tablename__, row.id, now=now, detail={"fields": sorted(fields)}
    )
    return row


def delete(session: Session, actor: Actor, model, record_id: int, now: datetime) -> None:
    """Delete one of the actor's subscriptions for good: inactive, and never found again."""
    row = own(session, actor, model, record_id)
    row.active, row.deleted_at, row.updated_at = False, now, now
    audit.record(session, actor, f"{model.__tablename__}.deleted", model.__tablename__, row.id, now=now)


def rotate_secret(
    session: Session, actor: Actor, endpoint_id: int, now: datetime
) -> tuple[WebhookEndpoint, str]:
    """Give an endpoint a new secret (returned once); the old one keeps signing for SECRET_OVERLAP."""
    endpoint = own(session, actor, WebhookEndpoint, endpoint_id)
    secret = new_secret()
    endpoint.previous_secret, endpoint.previous_secret_expires_at = endpoint.secret, now + SECRET_OVERLAP
    endpoint.secret, endpoint.updated_at = secret, now
    audit.record(session, actor, "webhook_endpoint.secret_rotated", "webhook_endpoint", endpoint.id, now=now)
    return endpoint, secret


def signing_secrets(endpoint: WebhookEndpoint, now: datetime) -> list[str]:
    """Return the secrets a delivery is signed with now: the current one, and the previous within 24 h."""
    expires = endpoint.previous_secret_expires_at
    recent = endpoint.previous_secret if expires is not None and now < expires else None
    return [endpoint.secret] + ([recent] if recent else [])


def _types(alert_types) -> list[str]:
    """Return the alert types, deduplicated in the given order, or raise ValidationFailed."""
    types = list(dict.fromkeys(alert_types or []))
    unknown = [t for t in types if t not in ALERT_TYPES]
    if not types or unknown:
        message = f"One or more of {', '.join(ALERT_TYPES)}."
        raise ValidationFailed("Unknown or missing alert types.", [_error("alert_types", message)])
    return types


def _bad_url(message: str) -> ValidationFailed:
    """Return the error for a webhook URL that is refused."""
    return ValidationFailed(f"This webhook URL cannot be used: {message}", [_error("url", message)])


def _error(field: str, message: str) -> dict:
    """Return one {field, message} validation error."""
    return {"field": field, "message": message}

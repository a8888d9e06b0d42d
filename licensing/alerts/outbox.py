"""The alert outbox: an alert and its deliveries are written in the transaction of the change they report.

Nothing is sent from here. Each active webhook endpoint and e-mail recipient of the authority that
subscribes to the alert's type gets one Delivery row, which the scheduler's delivery job claims and sends
(an outbox: the alert exists if and only if the change committed). Payloads are thin, ids only: the
receiver fetches the detail through the API, so every read of personal data is authenticated and audited
(docs/reference.md, "Access rules"). The link to the alert in the API is the app's to make, not ours: the
API adds it when it shows an alert and the scheduler when it sends one (app/links.py).
"""

import secrets
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from licensing.actors import Actor
from licensing.alerts import queries
from licensing.audit import log as audit
from licensing.errors import InvalidTransition, NotFound
from licensing.matching import DEFAULT_THRESHOLDS, person_from
from licensing.persistence.db import by_id
from licensing.persistence.models import Alert, Delivery, EmailRecipient, WebhookEndpoint
from licensing.persistence.unit_of_work import attempt
from licensing.reference import reorganisation
from licensing.screening.name_counts import KeyFrequencies
from licensing.screening.service import find_candidates

# Who "holds" a person: a council with a live licence or a pending application for them, matched at
# `probable` or better (the bands that route intelligence, licensing/intelligence/routing.py).
HOLDING_KINDS = ("licence", "application")
HOLDING_BANDS = ("match", "probable")
ALERT_TYPES = (
    "register_entry.recorded",
    "register_entry.amended",
    "register_entry.overturned",
    "intelligence.routed",
    "intelligence.updated",
    "intelligence.withdrawn",
    "licence.expiring",
    "licence.expired",
    "dbs.check_due",
    "dbs.lapsed",
    "dbs.new_info",
    "information_request.received",
    "information_request.answered",
    "information_request.due_soon",
    "information_request.overdue",
    "concern_report.received",
    "concern_report.decided",
    "concern_report.due_soon",
    "concern_report.overdue",
    "screening.new_match",
    "screening.possible_match",
)


def raise_alert(
    session: Session,
    *,
    authority_id: int,
    alert_type: str,
    subject_kind: str,
    subject_id: int,
    now: datetime,
    dedupe_key: str | None = None,
    detail: dict | None = None,
) -> Alert | None:
    """Write an alert and one pending delivery per matching subscription; None if `dedupe_key` was seen.

    `detail` (optional) holds non-personal facts the receiver needs without another request, such as
    the reason for a s.3(4) change; never names, dates of birth or identifiers of a person.
    """
    if alert_type not in ALERT_TYPES:
        raise ValueError(f"Unknown alert type {alert_type!r}.")
    # After a reorganisation the successor answers for the predecessor's records: the alert is its.
    licence_id = subject_id if subject_kind == "licence" else None
    authority_id = reorganisation.successor_id(session, authority_id, now.date(), licence_id)
    if dedupe_key is not None and queries.dedupe_key_taken(session, dedupe_key):
        return None
    alert = Alert(
        authority_id=authority_id,
        alert_type=alert_type,
        subject_kind=subject_kind,
        subject_id=subject_id,
        created_at=now,
        dedupe_key=dedupe_key,
    )
    if not _insert(session, alert, dedupe_key):
        return None
    alert.payload = thin_payload(alert, detail)
    moved = reorganisation.subscriber_authorities(session, authority_id, now.date())[1:]
    for channel, target in subscribers(session, authority_id, alert_type, also=moved):
        message_id = new_message_id()
        session.add(
            Delivery(
                alert_id=alert.id, channel=channel, target=target, message_id=message_id, next_attempt_at=now
            )
        )
    return alert


def holders_of(session: Session, record, now: datetime) -> dict[int, list[dict]]:
    """Return {authority id: its matched licences/applications} of every OTHER council holding the person.

    A read-only search of licences and pending applications by the record's identity (no Screening row:
    nobody's record is disclosed, each council is only told to look at its own).
    """
    return holders_of_each(session, [record], now)[0]


def holders_of_each(session: Session, records: list, now: datetime) -> list[dict[int, list[dict]]]:
    """Return `holders_of` for each of `records`, in order, searched together (an import's new entries).

    The search a screening runs (kinds, floor and bands alike), one per recording council for all its
    records at once rather than one per record.
    """
    frequencies = KeyFrequencies(session)
    by_authority: dict[int, list[int]] = {}
    for index, record in enumerate(records):
        by_authority.setdefault(record.authority_id, []).append(index)
    results: list[dict[int, list[dict]]] = [{} for _ in records]
    for authority_id, indexes in by_authority.items():
        found = find_candidates(
            session,
            {index: person_from(records[index]) for index in indexes},
            frequencies,
            kinds=HOLDING_KINDS,
            own_authority_id=authority_id,
            floor=DEFAULT_THRESHOLDS.weak,
        )
        for index in indexes:
            held = results[index]
            for candidate in found[index]:
                if candidate.band in HOLDING_BANDS and candidate.authority_id is not None:
                    entry = {"kind": candidate.kind, "id": candidate.id}
                    held.setdefault(candidate.authority_id, []).append(entry)
    return results


def thin_payload(alert: Alert, detail: dict | None = None) -> dict:
    """Return the alert's stored payload, type and ids, never personal data (senders add the alert's link)."""
    payload = {
        "type": alert.alert_type,
        "alert_id": alert.id,
        "subject": {"kind": alert.subject_kind, "id": alert.subject_id},
    }
    if detail:
        payload["detail"] = detail
    return payload


def subscribers(
    session: Session, authority_id: int, alert_type: str, also: tuple[int, ...] = ()
) -> list[tuple[str, str]]:
    """Return (channel, target id) of every active endpoint and recipient of the authority for the type.

    `also`: the predecessors whose subscriptions a reorganisation moved to the authority.
    """
    found = []
    for channel, model in (("webhook", WebhookEndpoint), ("email", EmailRecipient)):
        for owner in (authority_id, *also):
            rows = queries.active_subscriptions(session, model, owner)
            found += [(channel, str(row.id)) for row in rows if alert_type in row.alert_types]
    return found


def new_message_id() -> str:
    """Return a fresh Standard Webhooks message id, kept across every retry of one delivery."""
    return "msg_" + secrets.token_urlsafe(24)


def _insert(session: Session, alert: Alert, dedupe_key: str | None) -> bool:
    """Insert the alert; with a dedupe key, inside a savepoint so a concurrent twin only loses its own row."""
    if dedupe_key is None:
        session.add(alert)
        session.flush()
        return True
    try:
        with attempt(session):
            session.add(alert)
    except IntegrityError:  # another scheduler raised the same alert between our check and insert
        return False
    return True


def own_alert(session: Session, actor: Actor, alert_id: int) -> Alert:
    """Return one of the actor's authority's alerts; any other id is NotFound."""
    alert = by_id(session, Alert, alert_id)
    actor.require_authority()
    if alert is None or not actor.answers(alert.authority_id):
        raise NotFound("No such alert.")
    return alert


def list_alerts(
    session: Session, actor: Actor, *, after: tuple[int, int] | None = None, limit: int = 50
) -> tuple[list[Alert], tuple[int, int] | None]:
    """Return a page of the authority's alerts, unread first then newest first, and the key after it.

    The key is (read, id) with read 0 or 1: keyset order, so alerts raised meanwhile never shift a page.
    """
    page = queries.alerts_page(session, (actor.require_authority(), *actor.authority_ids), after, limit)
    return page.items, page.next_key


def list_deliveries(session: Session, *, state: str | None = None, limit: int = 200) -> list[Delivery]:
    """Return deliveries, newest first: all, `failed` (pending after a failed attempt) or `dead`."""
    return queries.deliveries_by_state(session, state, limit)


def retry_delivery(session: Session, actor: Actor, delivery_id: int, now: datetime) -> Delivery:
    """Make a dead or failed delivery due now, keeping its message id (receivers deduplicate on it)."""
    delivery = by_id(session, Delivery, delivery_id)
    if delivery is None:
        raise NotFound("No such delivery.")
    if not (delivery.status == "dead" or (delivery.status == "pending" and delivery.attempts > 0)):
        raise InvalidTransition(f"Only a dead or failed delivery is retried; this one is {delivery.status}.")
    before = delivery.status
    delivery.status, delivery.next_attempt_at, delivery.lease_expires_at = "pending", now, None
    detail = {"from": before, "attempts": delivery.attempts, "message_id": delivery.message_id}
    audit.record(session, actor, "delivery.retried", "delivery", delivery.id, now=now, detail=detail)
    return delivery

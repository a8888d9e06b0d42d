"""Every statement the alerts area runs: alerts, deliveries and their leases, subscriptions, the inbox.

Each function takes the session and the values it filters by, and returns rows, objects or counts. None
begins, commits or rolls back (the unit of work does), and none checks access or writes an audit event:
the services around them do.
"""

from collections.abc import Iterable
from datetime import date, datetime

from sqlalchemy import and_, case, func, or_, select, update
from sqlmodel import Session

from licensing.persistence import pages
from licensing.persistence.models import (
    Alert,
    Authority,
    ConcernReport,
    Delivery,
    EmailRecipient,
    InformationRequest,
    Licence,
    WebhookEndpoint,
)

# A webhook endpoint or an e-mail recipient: the two kinds of subscription share these columns.
Subscription = WebhookEndpoint | EmailRecipient
# SQLite sorts NULL first and PostgreSQL last: say it, so never-checked licences lead on both.
NEVER_CHECKED_FIRST = (Licence.dbs_last_checked_on.is_not(None), Licence.dbs_last_checked_on, Licence.id)

# --- Alerts ---------------------------------------------------------------------------------------------


def dedupe_key_taken(session: Session, dedupe_key: str) -> bool:
    """Tell whether an alert with this dedupe key already exists."""
    return session.scalars(select(Alert.id).where(Alert.dedupe_key == dedupe_key)).first() is not None


def alerts_by_id(session: Session, ids: set[int]) -> dict[int, Alert]:
    """Return the alerts with `ids`, keyed by id."""
    if not ids:
        return {}
    return {alert.id: alert for alert in session.scalars(select(Alert).where(Alert.id.in_(ids)))}


def alerts_page(
    session: Session, authority_ids: Iterable[int], after: tuple[int, int] | None, limit: int
) -> pages.Page:
    """Return a page of the authorities' alerts, unread first then newest first, keyed by (read, id)."""
    read = case((Alert.read_at.is_(None), 0), else_=1)
    query = select(Alert).where(Alert.authority_id.in_(set(authority_ids)))
    if after is not None:
        query = query.where(or_(read > after[0], and_(read == after[0], Alert.id < after[1])))
    rows = list(session.scalars(query.order_by(read, Alert.id.desc()).limit(limit + 1)))
    return pages.take(rows, limit, lambda alert: (0 if alert.read_at is None else 1, alert.id))


def latest_alerts(session: Session, authority_ids: Iterable[int], limit: int) -> list[Alert]:
    """Return the authorities' latest alerts, unread first, newest first within each."""
    query = select(Alert).where(Alert.authority_id.in_(set(authority_ids)))
    unread_first = Alert.read_at.is_not(None)
    query = query.order_by(unread_first, Alert.created_at.desc(), Alert.id.desc())
    return list(session.scalars(query.limit(limit)))


def alerts_with_council_code(session: Session, authority_id: int | None, limit: int) -> list:
    """Return (alert, its council's code) rows, unread first then newest first; one council's, or all."""
    query = select(Alert, Authority.code).join(Authority, Authority.id == Alert.authority_id)
    if authority_id is not None:
        query = query.where(Alert.authority_id == authority_id)
    return list(session.execute(query.order_by(Alert.read_at.is_not(None), Alert.id.desc()).limit(limit)))


# --- Deliveries -----------------------------------------------------------------------------------------


def deliveries_by_state(session: Session, state: str | None, limit: int) -> list[Delivery]:
    """Return deliveries, newest first: all, `failed` (pending after a failed attempt) or `dead`."""
    query = select(Delivery)
    if state == "dead":
        query = query.where(Delivery.status == "dead")
    elif state == "failed":
        query = query.where(Delivery.status == "pending", Delivery.attempts > 0)
    return list(session.scalars(query.order_by(Delivery.id.desc()).limit(limit)))


def delivery_backlog(session: Session, now: datetime) -> tuple[int, datetime | None, int]:
    """Return how many deliveries are due by `now`, when the longest-waiting fell due, and how many are dead.

    Both read the (status, next_attempt_at) index: the due ones are a range of it, the dead ones a prefix.
    """
    due = and_(Delivery.status == "pending", Delivery.next_attempt_at <= now)
    query = select(func.count(), func.min(Delivery.next_attempt_at)).where(due)
    waiting, oldest = session.execute(query).one()
    dead = session.scalar(select(func.count()).where(Delivery.status == "dead"))
    return waiting, oldest, dead


def in_flight_by_endpoint(session: Session) -> dict[tuple[str, str], int]:
    """Return how many deliveries each endpoint (channel, target) has being delivered now."""
    endpoint = (Delivery.channel, Delivery.target)
    busy = session.execute(
        select(*endpoint, func.count()).where(Delivery.status == "delivering").group_by(*endpoint)
    )
    return {(channel, target): count for channel, target, count in busy}


def due_by_endpoint(session: Session, now: datetime, per_endpoint: int) -> list:
    """Return (id, channel, target, place) of each endpoint's first `per_endpoint` due deliveries.

    `place` counts from 1 within the endpoint, oldest due first; the rows come place by place (every
    endpoint's first, then every endpoint's second...), oldest due first within a place.
    """
    endpoint = (Delivery.channel, Delivery.target)
    place = func.row_number().over(partition_by=endpoint, order_by=(Delivery.next_attempt_at, Delivery.id))
    due = and_(Delivery.status == "pending", Delivery.next_attempt_at <= now)
    ranked = (
        select(Delivery.id, *endpoint, Delivery.next_attempt_at, place.label("place")).where(due).subquery()
    )
    query = (
        select(ranked.c.id, ranked.c.channel, ranked.c.target, ranked.c.place)
        .where(ranked.c.place <= per_endpoint)
        .order_by(ranked.c.place, ranked.c.next_attempt_at, ranked.c.id)
    )
    return list(session.execute(query))


def lock_due_deliveries(session: Session, ids: list[int], now: datetime) -> list[Delivery]:
    """Lock and return those of the deliveries `ids` still due, in id order, skipping rows others hold."""
    if not ids:
        return []
    due = and_(Delivery.id.in_(ids), Delivery.status == "pending", Delivery.next_attempt_at <= now)
    query = select(Delivery).where(due).order_by(Delivery.id)
    return list(session.scalars(query.with_for_update(skip_locked=True)))


def lock_lapsed_deliveries(session: Session, now: datetime) -> list[Delivery]:
    """Lock and return the deliveries whose lease expired by `now`, skipping rows locked by others."""
    lapsed = and_(Delivery.status == "delivering", Delivery.lease_expires_at <= now)
    return list(session.scalars(select(Delivery).where(lapsed).with_for_update(skip_locked=True)))


def update_leased_delivery(
    session: Session, delivery_id: int, lease_expires_at: datetime, values: dict
) -> bool:
    """Set `values` on the delivery if it is still being delivered under this lease; tell whether it was."""
    fence = and_(
        Delivery.id == delivery_id,
        Delivery.status == "delivering",
        Delivery.lease_expires_at == lease_expires_at,
    )
    result = session.execute(update(Delivery).where(fence).values(**values))
    return result.rowcount == 1


# --- Subscriptions --------------------------------------------------------------------------------------


def active_subscriptions(session: Session, model: type[Subscription], authority_id: int) -> list:
    """Return the authority's active endpoints or recipients (`model`), oldest first."""
    query = select(model).where(model.authority_id == authority_id, model.active.is_(True))
    return list(session.scalars(query.order_by(model.id)))


def kept_subscriptions(session: Session, model: type[Subscription], authority_id: int) -> list:
    """Return the authority's endpoints or recipients (`model`) that are not deleted, oldest first."""
    query = select(model).where(model.authority_id == authority_id, model.deleted_at.is_(None))
    return list(session.scalars(query.order_by(model.id)))


def subscriptions_by_id(session: Session, model: type[Subscription], ids: set[int]) -> list:
    """Return the endpoints or recipients (`model`) with `ids`, in no particular order."""
    if not ids:
        return []
    return list(session.scalars(select(model).where(model.id.in_(ids))))


def disable_endpoints(session: Session, ids: set[int], now: datetime) -> None:
    """Make the active webhook endpoints among `ids` inactive, stamped changed at `now`."""
    query = update(WebhookEndpoint).where(WebhookEndpoint.id.in_(ids), WebhookEndpoint.active.is_(True))
    session.execute(query.values(active=False, updated_at=now))


# --- The inbox's deadlines ------------------------------------------------------------------------------


def open_requests_due_by(
    session: Session, authority_ids: Iterable[int], end: date, limit: int
) -> list[InformationRequest]:
    """Return the open s.3 requests the authority must answer by `end`, soonest due first."""
    query = select(InformationRequest).where(
        InformationRequest.recording_authority_id.in_(set(authority_ids)),
        InformationRequest.status == "open",
        InformationRequest.due_on <= end,
    )
    return list(session.scalars(query.order_by(InformationRequest.due_on).limit(limit)))


def open_reports_to_decide(session: Session, authority_ids: Iterable[int], limit: int) -> list[ConcernReport]:
    """Return the open concern reports about the authority's licences, oldest first."""
    query = select(ConcernReport).where(
        ConcernReport.issuing_authority_id.in_(set(authority_ids)), ConcernReport.status == "open"
    )
    return list(session.scalars(query.order_by(ConcernReport.reported_at).limit(limit)))


def licences_expiring_by(
    session: Session, authority_ids: Iterable[int], statuses: tuple[str, ...], end: date, limit: int
) -> list[Licence]:
    """Return the authority's licences in `statuses` that expire by `end`, soonest first."""
    query = select(Licence).where(
        Licence.authority_id.in_(set(authority_ids)), Licence.status.in_(statuses), Licence.expires_on <= end
    )
    return list(session.scalars(query.order_by(Licence.expires_on, Licence.id).limit(limit)))


def licences_dbs_checked_by(
    session: Session, authority_ids: Iterable[int], statuses: tuple[str, ...], checked_by: date, limit: int
) -> list[Licence]:
    """Return the authority's licences in `statuses` never DBS-checked or last checked by `checked_by`.

    Never-checked licences come first, then the longest since checked.
    """
    stale = or_(Licence.dbs_last_checked_on.is_(None), Licence.dbs_last_checked_on <= checked_by)
    query = select(Licence).where(
        Licence.authority_id.in_(set(authority_ids)), Licence.status.in_(statuses), stale
    )
    return list(session.scalars(query.order_by(*NEVER_CHECKED_FIRST).limit(limit)))

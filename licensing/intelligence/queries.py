"""The statements the intelligence area runs: a force's items, their routes and the councils routed to,
and the columns a council may see of what was routed to it.

Each function takes the session and the values it filters by and returns rows, never a statement; none
begins, commits or rolls back (the unit of work does), and none checks access or writes an audit event.
"""

from collections.abc import Iterable

from sqlalchemy import Row, select
from sqlmodel import Session

from licensing.persistence.models import Authority, Intelligence, IntelligenceRoute, PoliceForce


def item_by_reference(session: Session, force_id: int, force_reference: str) -> Intelligence | None:
    """Return the force's item with this reference, if any."""
    query = select(Intelligence).where(
        Intelligence.police_force_id == force_id, Intelligence.force_reference == force_reference
    )
    return session.scalars(query).one_or_none()


def routes_of(session: Session, intelligence_id: int) -> list[IntelligenceRoute]:
    """Return the item's routes, oldest first."""
    query = select(IntelligenceRoute).where(IntelligenceRoute.intelligence_id == intelligence_id)
    return list(session.scalars(query.order_by(IntelligenceRoute.id)))


def councils_routed_to(session: Session, intelligence_id: int) -> list[dict]:
    """Return {code, name, routed_at} of each council the item was routed to, by name; never its matches."""
    query = (
        select(Authority.code, Authority.name, IntelligenceRoute.routed_at)
        .join(IntelligenceRoute, IntelligenceRoute.authority_id == Authority.id)
        .where(IntelligenceRoute.intelligence_id == intelligence_id)
        .order_by(Authority.name)
    )
    return [{"code": code, "name": name, "routed_at": at} for code, name, at in session.execute(query)]


def routed_rows(
    session: Session, authority_ids: Iterable[int], *, before: int | None, limit: int
) -> list[Row]:
    """Return up to `limit` council-visible rows routed to the authorities, newest first, before `before`."""
    query = _council_columns(authority_ids).order_by(IntelligenceRoute.id.desc()).limit(limit)
    if before is not None:
        query = query.where(IntelligenceRoute.id < before)
    return list(session.execute(query).all())


def routed_row(session: Session, authority_ids: Iterable[int], intelligence_id: int) -> Row | None:
    """Return the council-visible row of one item routed to the authorities, if it was."""
    return session.execute(_council_columns(authority_ids).where(Intelligence.id == intelligence_id)).first()


def _council_columns(authority_ids: Iterable[int]):
    """Select the council-visible columns of items routed to `authority_ids` (never `summary`).

    More than one authority: a council and the predecessors it answers for after a reorganisation.
    """
    return (
        select(
            Intelligence.id,
            Intelligence.category,
            Intelligence.occurred_on,
            PoliceForce.name.label("force_name"),
            Intelligence.force_reference,
            Intelligence.shareable_summary,
            Intelligence.status,
            IntelligenceRoute.routed_at,
            IntelligenceRoute.matches,
            IntelligenceRoute.id.label("route_id"),
        )
        .join(IntelligenceRoute, IntelligenceRoute.intelligence_id == Intelligence.id)
        .join(PoliceForce, PoliceForce.id == Intelligence.police_force_id)
        .where(IntelligenceRoute.authority_id.in_(set(authority_ids)))
    )

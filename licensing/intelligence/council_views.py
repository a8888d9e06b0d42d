"""What a council sees of the police intelligence routed to it, every view audited.

Only category, date, force, reference, the shareable summary and which of the council's own records
matched (docs/reference.md, access rules); the restricted `summary` is never even selected.
"""

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session

from licensing.actors import Actor
from licensing.audit import log as audit
from licensing.errors import NotFound
from licensing.intelligence import queries
from licensing.persistence.db import MAX_ID

MAX_PAGE = 500


@dataclass
class CouncilView:
    """What a council may see of intelligence routed to it: never the restricted summary."""

    id: int
    category: str
    occurred_on: date
    force_name: str
    force_reference: str
    shareable_summary: str
    status: str
    routed_at: datetime
    matches: list[dict]


def routed_to_council(
    session: Session, actor: Actor, now: datetime, *, before: int | None = None, limit: int = 100
) -> tuple[list[CouncilView], int | None]:
    """List intelligence routed to the actor's authority, newest first; audit each item shown.

    Returns the page and the cursor of the next page (None at the end).
    """
    authority_id = actor.require_authority()
    limit = max(1, min(limit, MAX_PAGE))
    rows = queries.routed_rows(session, (authority_id, *actor.authority_ids), before=before, limit=limit + 1)
    page = rows[:limit]
    views = [_council_view(row) for row in page]
    for view in views:
        _audit_view(session, actor, view.id, "list", now)
    return views, (page[-1].route_id if len(rows) > limit else None)


def routed_item(session: Session, actor: Actor, intelligence_id: int, now: datetime) -> CouncilView:
    """Return one item routed to the actor's authority (NotFound otherwise); audit the view."""
    authority_id = actor.require_authority()
    if not 0 < intelligence_id <= MAX_ID:
        raise NotFound("No such intelligence has been routed to your authority.")
    row = queries.routed_row(session, (authority_id, *actor.authority_ids), intelligence_id)
    if row is None:
        raise NotFound("No such intelligence has been routed to your authority.")
    _audit_view(session, actor, row.id, "item", now)
    return _council_view(row)


def _council_view(row) -> CouncilView:
    """Build the council's view of one selected row."""
    return CouncilView(**{name: value for name, value in row._mapping.items() if name != "route_id"})


def _audit_view(session: Session, actor: Actor, intelligence_id: int, via: str, now: datetime) -> None:
    """Record that a council saw an item (docs/reference.md: every intelligence view is audited)."""
    audit.record(
        session, actor, "intelligence.viewed", "intelligence", intelligence_id, now=now, detail={"via": via}
    )

"""Aggregate statistics of the s.2 register: decisions per authority, decision, category and year.

Counts only, grouped in SQL: no identity, no record id and no reference ever leaves this module, so the
figures can be published. Every entry counts under the year of its decision whatever its status now (an
overturned decision was still made), and removed entries are left out (they should never have been made).
"""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import extract, func, select
from sqlmodel import Session

from licensing.actors import Actor
from licensing.errors import Forbidden, ValidationFailed
from licensing.persistence.models import Authority, RegisterEntry

READERS = ("council:read", "admin")
FIRST_YEAR, LAST_YEAR = 2000, 2100


@dataclass(frozen=True)
class DecisionCount:
    """How many decisions of one kind and category one authority made in one year."""

    authority_code: str
    authority_name: str
    decision: str
    category: str | None
    year: int
    count: int


def decision_counts(session: Session, actor: Actor, year: int | None = None) -> list[DecisionCount]:
    """Count register decisions per authority, decision, category and year (one year when given)."""
    if not any(scope in actor.scopes for scope in READERS):
        raise Forbidden("Statistics need the 'council:read' or 'admin' scope.")
    if year is not None and not FIRST_YEAR <= year <= LAST_YEAR:
        message = f"year must be between {FIRST_YEAR} and {LAST_YEAR}."
        raise ValidationFailed(message, [{"field": "year", "message": message}])
    entry_year = extract("year", RegisterEntry.decided_on)
    columns = (Authority.code, Authority.name, RegisterEntry.decision, RegisterEntry.category, entry_year)
    query = (
        select(*columns, func.count())
        .join(Authority, Authority.id == RegisterEntry.authority_id)
        .where(RegisterEntry.status != "removed")
        .group_by(*columns)
        .order_by(entry_year, Authority.code, RegisterEntry.decision, RegisterEntry.category)
    )
    if year is not None:
        # A range on the column, not on its extracted year, so an index on decided_on can serve it.
        query = query.where(
            RegisterEntry.decided_on >= date(year, 1, 1), RegisterEntry.decided_on < date(year + 1, 1, 1)
        )
    return [
        DecisionCount(code, name, decision, category, int(row_year), count)
        for code, name, decision, category, row_year, count in session.execute(query)
    ]

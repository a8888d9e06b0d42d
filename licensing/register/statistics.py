"""Aggregate statistics of the s.2 register: decisions per authority, decision, category and year.

Counts only, grouped in SQL: no identity, no record id and no reference ever leaves this module, so the
figures can be published. Every entry counts under the year of its decision whatever its status now (an
overturned decision was still made), and removed entries are left out (they should never have been made).
"""

from dataclasses import dataclass

from sqlmodel import Session

from licensing.actors import Actor
from licensing.errors import Forbidden, ValidationFailed
from licensing.register import queries

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
    return [
        DecisionCount(code, name, decision, category, int(row_year), count)
        for code, name, decision, category, row_year, count in queries.decision_totals(session, year)
    ]

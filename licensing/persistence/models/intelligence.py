"""Police safeguarding intelligence and where it was routed."""

from datetime import date, datetime

from sqlalchemy import Column, Index, UniqueConstraint
from sqlalchemy.types import JSON
from sqlmodel import Field, SQLModel

from licensing.persistence.models._base import Identity, identity_checks, one_of, stamp

CATEGORIES = ("arrest", "charge", "conviction", "caution", "clpd", "other")
STATUSES = ("active", "withdrawn")


class Intelligence(Identity, table=True):
    """One item of intelligence from a police force; the force reference makes re-pushes idempotent."""

    __tablename__ = "intelligence"
    __table_args__ = (
        UniqueConstraint("police_force_id", "force_reference"),
        one_of("category", CATEGORIES),
        one_of("status", STATUSES),
        # The nightly re-screen starts from the intelligence changed since yesterday.
        Index("ix_intelligence_updated_at", "updated_at"),
        *identity_checks(),
    )

    id: int | None = Field(default=None, primary_key=True)
    police_force_id: int = Field(foreign_key="police_force.id")
    force_reference: str = Field(max_length=64)
    category: str = Field(max_length=12)
    occurred_on: date
    summary: str = Field(default="", max_length=4000)
    shareable_summary: str = Field(default="", max_length=2000)
    status: str = Field(default="active", max_length=10)
    withdrawn_reason: str | None = Field(default=None, max_length=500)
    created_at: datetime = stamp()
    updated_at: datetime = stamp()


class IntelligenceRoute(SQLModel, table=True):
    """Intelligence delivered to one authority that licenses or is processing the matched person."""

    __tablename__ = "intelligence_route"
    __table_args__ = (UniqueConstraint("intelligence_id", "authority_id"),)

    id: int | None = Field(default=None, primary_key=True)
    intelligence_id: int = Field(foreign_key="intelligence.id")
    authority_id: int = Field(foreign_key="authority.id", index=True)
    score: float
    # The authority's own records that matched, as [{"kind": "licence", "id": 7}]; shown only to it.
    matches: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    routed_at: datetime = stamp()

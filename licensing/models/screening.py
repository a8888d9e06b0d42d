"""Match keys for candidate lookup, and the record of every screening that was run."""

from datetime import datetime

from sqlalchemy import Column, Index
from sqlalchemy.types import JSON
from sqlmodel import Field, SQLModel

from licensing.models._base import Identity, identity_checks, one_of, optional_stamp, stamp

RECORD_KINDS = ("register_entry", "licence", "application", "intelligence")
BANDS = ("match", "probable", "possible", "weak")
PURPOSES = ("application", "ad_hoc", "bulk", "rescreen", "intelligence")
RESOLUTIONS = ("same_person", "not_same_person")


class MatchKey(SQLModel, table=True):
    """One blocking key of one record; a screening probes these by index, never by scan."""

    __tablename__ = "match_key"
    __table_args__ = (
        one_of("record_kind", RECORD_KINDS),
        Index("ix_match_key_key", "key", "record_kind", "record_id"),
        Index("ix_match_key_record", "record_kind", "record_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=80)
    record_kind: str = Field(max_length=16)
    record_id: int


class Screening(Identity, table=True):
    """One check of a subject against the register: who ran it, for whom, why and when."""

    __tablename__ = "screening"
    __table_args__ = (
        one_of("purpose", PURPOSES),
        Index("ix_screening_authority_created_at", "authority_id", "created_at"),
        *identity_checks(),
    )

    id: int | None = Field(default=None, primary_key=True)
    authority_id: int | None = Field(default=None, foreign_key="authority.id")
    actor_kind: str = Field(max_length=16)
    actor_id: int | None = None
    actor_label: str = Field(max_length=200)
    purpose: str = Field(max_length=16)
    reason: str = Field(default="", max_length=500)
    application_id: int | None = Field(default=None, foreign_key="application.id", index=True)
    licence_id: int | None = Field(default=None, foreign_key="licence.id", index=True)
    created_at: datetime = stamp()


class ScreeningCandidate(SQLModel, table=True):
    """A record a screening found, with its score, band, evidence and the officer's resolution."""

    __tablename__ = "screening_candidate"
    __table_args__ = (
        one_of("candidate_kind", RECORD_KINDS),
        one_of("band", BANDS),
        one_of("resolution", RESOLUTIONS, nullable=True),
        Index("ix_screening_candidate_candidate", "candidate_kind", "candidate_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    screening_id: int = Field(foreign_key="screening.id", index=True)
    candidate_kind: str = Field(max_length=16)
    candidate_id: int
    score: float
    band: str = Field(max_length=10)
    evidence: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    resolution: str | None = Field(default=None, max_length=16)
    resolution_reason: str | None = Field(default=None, max_length=500)
    resolved_by: str | None = Field(default=None, max_length=200)
    resolved_at: datetime | None = optional_stamp()

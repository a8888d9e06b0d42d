"""Officers' rulings on candidate pairs that outlive a single screening."""

from datetime import datetime

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from licensing.models._base import one_of, stamp
from licensing.models.screening import RECORD_KINDS


class PairDecision(SQLModel, table=True):
    """'Not the same person': holds while both identities still match the fingerprints taken then."""

    __tablename__ = "pair_decision"
    __table_args__ = (
        UniqueConstraint("subject_kind", "subject_id", "candidate_kind", "candidate_id"),
        one_of("subject_kind", RECORD_KINDS),
        one_of("candidate_kind", RECORD_KINDS),
        Index("ix_pair_decision_candidate", "candidate_kind", "candidate_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    subject_kind: str = Field(max_length=16)
    subject_id: int
    candidate_kind: str = Field(max_length=16)
    candidate_id: int
    subject_fingerprint: str = Field(max_length=64)
    candidate_fingerprint: str = Field(max_length=64)
    reason: str = Field(default="", max_length=500)
    decided_by: str = Field(max_length=200)
    actor_kind: str = Field(max_length=16)
    actor_id: int | None = None
    authority_id: int | None = Field(default=None, foreign_key="authority.id")
    decided_at: datetime = stamp()

"""Officers' rulings on candidate pairs that outlive a single screening."""

from datetime import datetime

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from licensing.persistence.models._base import one_of, stamp
from licensing.persistence.models.screening import RECORD_KINDS


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


# The records whose finding holds a grant from the `possible` band up (README, "Grant gate and
# monitoring policy"): the statutory register's entries and police intelligence.
ADVERSE_KINDS = ("register_entry", "intelligence")
# Whether the s.3 information was asked for and came: `not_applicable` for the council's own entry
# (its reasons are in its own records) and for intelligence (s.3 covers register entries only).
INFORMATION_STATES = ("answered", "unanswered", "not_requested", "not_applicable")


class AdverseDecision(SQLModel, table=True):
    """A manager's decision that an adverse record found for an applicant does not stop this grant.

    It stands while the record is as it was weighed: a record changed since (`record_updated_at`) needs
    a new decision. The s.3 request it rests on, if any, is linked; `information` says whether one was
    made and answered.
    """

    __tablename__ = "adverse_decision"
    __table_args__ = (
        one_of("record_kind", ADVERSE_KINDS),
        one_of("information", INFORMATION_STATES),
        Index("ix_adverse_decision_application_record", "application_id", "record_kind", "record_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    application_id: int = Field(foreign_key="application.id")
    authority_id: int = Field(foreign_key="authority.id")
    screening_candidate_id: int = Field(foreign_key="screening_candidate.id")
    record_kind: str = Field(max_length=16)
    record_id: int
    record_updated_at: datetime = stamp()
    information: str = Field(max_length=16)
    information_request_id: int | None = Field(default=None, foreign_key="information_request.id")
    reason: str = Field(max_length=2000)
    decided_by: str = Field(max_length=200)
    actor_kind: str = Field(max_length=16)
    actor_id: int | None = None
    decided_at: datetime = stamp()

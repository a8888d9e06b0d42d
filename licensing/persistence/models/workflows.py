"""Statutory exchanges between councils: s.3 information requests and s.5/s.6 concern reports."""

from datetime import date, datetime

from sqlalchemy import Column, Index
from sqlalchemy.types import JSON
from sqlmodel import Field, SQLModel

from licensing.persistence.models._base import one_of, optional_stamp, stamp

REQUEST_STATUSES = ("open", "answered", "withdrawn")
REPORT_STATUSES = ("open", "decided")
REPORT_DECISIONS = ("no_action", "warning", "suspended", "revoked", "other")


class InformationRequest(SQLModel, table=True):
    """s.3: a searching council asks the recording council for what it relied on (20 working days)."""

    __tablename__ = "information_request"
    __table_args__ = (
        one_of("status", REQUEST_STATUSES),
        Index("ix_information_request_status_due_on", "status", "due_on"),
    )

    id: int | None = Field(default=None, primary_key=True)
    register_entry_id: int = Field(foreign_key="register_entry.id", index=True)
    requesting_authority_id: int = Field(foreign_key="authority.id", index=True)
    recording_authority_id: int = Field(foreign_key="authority.id", index=True)
    application_id: int | None = Field(default=None, foreign_key="application.id")
    screening_candidate_id: int | None = Field(default=None, foreign_key="screening_candidate.id")
    request_text: str = Field(default="", max_length=4000)
    status: str = Field(default="open", max_length=10)
    requested_at: datetime = stamp()
    due_on: date
    response_text: str | None = None
    attachments: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    responded_at: datetime | None = optional_stamp()


class ConcernReport(SQLModel, table=True):
    """s.5: a council reports a driver licensed elsewhere (10 working days); s.6: the decision back."""

    __tablename__ = "concern_report"
    __table_args__ = (
        one_of("status", REPORT_STATUSES),
        one_of("decision", REPORT_DECISIONS, nullable=True),
        Index("ix_concern_report_status_due_on", "status", "due_on"),
    )

    id: int | None = Field(default=None, primary_key=True)
    licence_id: int = Field(foreign_key="licence.id", index=True)
    reporting_authority_id: int = Field(foreign_key="authority.id", index=True)
    issuing_authority_id: int = Field(foreign_key="authority.id", index=True)
    concern_on: date
    due_on: date
    summary: str = Field(max_length=4000)
    status: str = Field(default="open", max_length=10)
    reported_at: datetime = stamp()
    decision: str | None = Field(default=None, max_length=12)
    decision_notes: str | None = None
    decided_at: datetime | None = optional_stamp()

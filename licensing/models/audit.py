"""The append-only, hash-chained audit log."""

from datetime import datetime

from sqlalchemy import CheckConstraint, Column, Index
from sqlalchemy.types import JSON
from sqlmodel import Field, SQLModel

from licensing.models._base import stamp


class AuditEvent(SQLModel, table=True):
    """Who did what to which record and why; `hash` covers `prev_hash` and this row's content."""

    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_record", "record_kind", "record_id"),)

    id: int | None = Field(default=None, primary_key=True)
    occurred_at: datetime = stamp()
    actor_kind: str = Field(max_length=16)
    actor_id: int | None = None
    actor_label: str = Field(max_length=200)
    authority_id: int | None = Field(default=None, index=True)
    action: str = Field(max_length=64)
    record_kind: str = Field(max_length=32)
    record_id: int | None = None
    reason: str = Field(default="", max_length=500)
    detail: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    prev_hash: str = Field(max_length=64, unique=True)
    hash: str = Field(max_length=64, unique=True)


class AuditHead(SQLModel, table=True):
    """The single row naming the chain's last event: locked by writers, and it reveals truncation."""

    __tablename__ = "audit_head"
    # One head means one chain: a second head row could only be the start of a fork.
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: int | None = Field(default=None, primary_key=True)
    last_event_id: int | None = None
    last_hash: str = Field(max_length=64)

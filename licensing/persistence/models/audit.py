"""The append-only, hash-chained audit log."""

from datetime import datetime

from sqlalchemy import DDL, CheckConstraint, Column, Index, event
from sqlalchemy.types import JSON
from sqlmodel import Field, SQLModel

from licensing.persistence.models._base import stamp


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


# The head follows the chain inside the database: every inserted event moves it, so a writer needs no
# statement of its own for that. The guard keeps it on the highest id whatever order rows arrive in.
# Migration 20261203_3d8f0a6c1e27 creates the same trigger on an existing database.
MOVE_HEAD = (
    "UPDATE audit_head SET last_event_id = NEW.id, last_hash = NEW.hash "
    "WHERE id = 1 AND (last_event_id IS NULL OR last_event_id < NEW.id)"
)
HEAD_TRIGGER_DDL = {
    "sqlite": [
        f"CREATE TRIGGER audit_head_follows AFTER INSERT ON audit_event BEGIN {MOVE_HEAD}; END",
    ],
    "postgresql": [
        "CREATE OR REPLACE FUNCTION audit_head_follows() RETURNS trigger LANGUAGE plpgsql AS "
        f"$$ BEGIN {MOVE_HEAD}; RETURN NULL; END $$",
        "CREATE TRIGGER audit_head_follows AFTER INSERT ON audit_event "
        "FOR EACH ROW EXECUTE FUNCTION audit_head_follows()",
    ],
}
for _dialect, _statements in HEAD_TRIGGER_DDL.items():
    for _statement in _statements:
        event.listen(AuditEvent.__table__, "after_create", DDL(_statement).execute_if(dialect=_dialect))

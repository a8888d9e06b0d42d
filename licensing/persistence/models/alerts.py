"""The alert outbox: alerts written with the change that caused them, and their deliveries."""

from datetime import datetime

from sqlalchemy import Column, Index, UniqueConstraint
from sqlalchemy.types import JSON
from sqlmodel import Field, SQLModel

from licensing.persistence.models._base import one_of, optional_stamp, stamp

CHANNELS = ("webhook", "email")
DELIVERY_STATUSES = ("pending", "delivering", "delivered", "dead")


class Alert(SQLModel, table=True):
    """Something an authority must know about; the payload is thin and holds no personal data."""

    __tablename__ = "alert"
    __table_args__ = (
        Index("ix_alert_authority_read_at", "authority_id", "read_at"),
        UniqueConstraint("dedupe_key"),
    )

    id: int | None = Field(default=None, primary_key=True)
    authority_id: int = Field(foreign_key="authority.id")
    alert_type: str = Field(max_length=48)
    subject_kind: str = Field(max_length=24)
    subject_id: int
    payload: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = stamp()
    read_at: datetime | None = optional_stamp()
    # Scheduled jobs name the event they alert about (e.g. "licence.expiring:42:30"), so a job that runs
    # twice raises it once; request-path alerts leave it empty.
    dedupe_key: str | None = Field(default=None, max_length=200)


class Delivery(SQLModel, table=True):
    """One channel's attempt history for one alert; claimed with a lease so nothing is lost."""

    __tablename__ = "delivery"
    __table_args__ = (
        UniqueConstraint("message_id"),
        one_of("channel", CHANNELS),
        one_of("status", DELIVERY_STATUSES),
        Index("ix_delivery_status_next_attempt_at", "status", "next_attempt_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    alert_id: int = Field(foreign_key="alert.id", index=True)
    channel: str = Field(max_length=10)
    target: str = Field(max_length=500)
    message_id: str = Field(max_length=64)
    status: str = Field(default="pending", max_length=12)
    attempts: int = 0
    next_attempt_at: datetime = stamp()
    lease_expires_at: datetime | None = optional_stamp()
    last_error: str | None = Field(default=None, max_length=1000)
    delivered_at: datetime | None = optional_stamp()

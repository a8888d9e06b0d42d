"""Where a council wants its alerts: signed webhook endpoints and e-mail recipients, per alert type."""

from datetime import datetime

from sqlalchemy import Column
from sqlalchemy.types import JSON
from sqlmodel import Field, SQLModel

from licensing.persistence.models._base import optional_stamp, stamp


class WebhookEndpoint(SQLModel, table=True):
    """A council's HTTPS receiver with its own Standard Webhooks `whsec_` secret."""

    __tablename__ = "webhook_endpoint"

    id: int | None = Field(default=None, primary_key=True)
    authority_id: int = Field(foreign_key="authority.id", index=True)
    url: str = Field(max_length=500)
    secret: str = Field(max_length=100)
    # After a rotation the old secret still signs for 24 hours, so the receiver can switch over without
    # refusing genuine alerts (Standard Webhooks allows several space-separated signatures).
    previous_secret: str | None = Field(default=None, max_length=100)
    previous_secret_expires_at: datetime | None = optional_stamp()
    alert_types: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    active: bool = True
    created_at: datetime = stamp()
    updated_at: datetime = stamp()
    # Deleted through the API: kept (so its id is never reused by a queued delivery), never shown again.
    deleted_at: datetime | None = optional_stamp()


class EmailRecipient(SQLModel, table=True):
    """A council address that receives thin GOV.UK Notify e-mails for some alert types."""

    __tablename__ = "email_recipient"

    id: int | None = Field(default=None, primary_key=True)
    authority_id: int = Field(foreign_key="authority.id", index=True)
    email_address: str = Field(max_length=320)
    alert_types: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    active: bool = True
    created_at: datetime = stamp()
    updated_at: datetime = stamp()
    # Deleted through the API: kept (so its id is never reused by a queued delivery), never shown again.
    deleted_at: datetime | None = optional_stamp()

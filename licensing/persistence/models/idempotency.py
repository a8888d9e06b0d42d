"""Responses kept for POSTs sent with an Idempotency-Key, so that a retried request is answered again."""

from datetime import datetime

from sqlalchemy import Column, Index, Text, UniqueConstraint
from sqlalchemy.types import JSON
from sqlmodel import Field, SQLModel

from licensing.persistence.models._base import stamp


class IdempotentResponse(SQLModel, table=True):
    """The first response to one client's key; `status_code` is null while that request is running."""

    __tablename__ = "idempotent_response"
    __table_args__ = (
        UniqueConstraint("client_id", "key"),
        Index("ix_idempotent_response_created_at", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    client_id: int = Field(foreign_key="api_client.id")
    key: str = Field(max_length=255)
    fingerprint: str = Field(max_length=64)  # SHA-256 of method, path and body
    status_code: int | None = None
    body: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    headers: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = stamp()

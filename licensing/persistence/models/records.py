"""Applications, licences and the statutory register (2022 Act s.2)."""

from datetime import date, datetime

from sqlalchemy import Column, ForeignKey, Index, Integer, UniqueConstraint
from sqlalchemy.types import JSON
from sqlmodel import Field, Relationship, SQLModel

from licensing.persistence.models._base import Identity, identity_checks, one_of, stamp

LICENCE_TYPES = ("hackney", "phv", "dual")
APPLICATION_KINDS = ("new", "renewal")
APPLICATION_STATUSES = ("pending", "granted", "refused", "withdrawn")
LICENCE_STATUSES = ("active", "suspended", "revoked", "expired", "surrendered")
DECISIONS = ("refusal_of_grant", "refusal_of_renewal", "suspension", "revocation")
DECISION_CATEGORIES = ("sexual_offences", "violence", "dishonesty", "driving", "other")
# The category of an entry brought in from NR3S, which keeps no reasons: never chosen by a council.
NOT_RECORDED = "not_recorded"
STORED_CATEGORIES = (*DECISION_CATEGORIES, NOT_RECORDED)
ENTRY_STATUSES = ("current", "overturned", "removed")
ENTRY_CHANGES = ("recorded", "amended", "overturned", "reinstated", "removed", "lifted")


class Application(Identity, table=True):
    """A new or renewal application for a driver licence, held by the receiving authority."""

    __tablename__ = "application"
    __table_args__ = (
        UniqueConstraint("authority_id", "ref"),
        one_of("kind", APPLICATION_KINDS),
        one_of("licence_type", LICENCE_TYPES),
        one_of("status", APPLICATION_STATUSES),
        Index("ix_application_status_authority", "status", "authority_id"),
        *identity_checks(),
    )

    id: int | None = Field(default=None, primary_key=True)
    authority_id: int = Field(foreign_key="authority.id")
    ref: str = Field(max_length=64)
    kind: str = Field(max_length=10)
    licence_type: str = Field(max_length=10)
    status: str = Field(default="pending", max_length=10)
    received_on: date
    decided_on: date | None = None
    created_at: datetime = stamp()
    updated_at: datetime = stamp()


class Licence(Identity, table=True):
    """A driver licence (badge) granted by one authority."""

    __tablename__ = "licence"
    __table_args__ = (
        UniqueConstraint("authority_id", "badge_number"),
        UniqueConstraint("authority_id", "ref"),
        one_of("licence_type", LICENCE_TYPES),
        one_of("status", LICENCE_STATUSES),
        Index("ix_licence_status_expires_on", "status", "expires_on"),
        Index("ix_licence_driving_licence_number", "driving_licence_number"),
        Index("ix_licence_badge_number", "badge_number"),  # the enforcement check by badge alone
        *identity_checks(),
    )

    id: int | None = Field(default=None, primary_key=True)
    authority_id: int = Field(foreign_key="authority.id")
    ref: str = Field(max_length=64)
    badge_number: str = Field(max_length=32)
    licence_type: str = Field(max_length=10)
    status: str = Field(default="active", max_length=12)
    granted_on: date
    expires_on: date
    display_name: str | None = Field(default=None, max_length=100)
    application_id: int | None = Field(default=None, foreign_key="application.id", index=True)
    dbs_certificate_number: str | None = Field(default=None, max_length=12)
    dbs_update_service: bool = False
    dbs_last_checked_on: date | None = None
    dbs_last_status: str | None = Field(default=None, max_length=24)
    # The driver's consent to Update Service status checks (DBS: checked only with the holder's consent).
    dbs_consent_on: date | None = None
    created_at: datetime = stamp()
    updated_at: datetime = stamp()
    history: list["LicenceStatusChange"] = Relationship(
        sa_relationship_kwargs={"order_by": "LicenceStatusChange.id", "viewonly": True, "lazy": "select"}
    )


class LicenceStatusChange(SQLModel, table=True):
    """One step in a licence's status history."""

    __tablename__ = "licence_status_change"
    __table_args__ = (one_of("status", LICENCE_STATUSES),)

    id: int | None = Field(default=None, primary_key=True)
    licence_id: int = Field(foreign_key="licence.id", index=True)
    status: str = Field(max_length=12)
    effective_on: date
    changed_at: datetime = stamp()
    actor_label: str = Field(max_length=200)
    # The s.2 entry this change recorded (a suspension or revocation); emptied if retention purges it.
    register_entry_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("register_entry.id", ondelete="SET NULL"), nullable=True),
    )


class RegisterEntry(Identity, table=True):
    """A s.2 register entry: a refusal, suspension or revocation. It never holds the reasons."""

    __tablename__ = "register_entry"
    __table_args__ = (
        UniqueConstraint("authority_id", "ref"),
        one_of("decision", DECISIONS),
        one_of("category", STORED_CATEGORIES, nullable=True),
        one_of("status", ENTRY_STATUSES),
        Index("ix_register_entry_first_recorded_at", "first_recorded_at"),
        # The nightly re-screen starts from the entries changed since yesterday.
        Index("ix_register_entry_updated_at", "updated_at"),
        *identity_checks(),
    )

    id: int | None = Field(default=None, primary_key=True)
    authority_id: int = Field(foreign_key="authority.id")
    ref: str = Field(max_length=64)
    decision: str = Field(max_length=20)
    category: str | None = Field(default=None, max_length=20)
    decided_on: date
    effective_on: date
    status: str = Field(default="current", max_length=12)
    # The entry's reference on NR3S, when it came from there or was matched to it (docs/nr3s.md).
    nr3s_ref: str | None = Field(default=None, max_length=64)
    first_recorded_at: datetime = stamp()
    updated_at: datetime = stamp()


class RegisterEntryChange(SQLModel, table=True):
    """The change history of a register entry (s.2: date of any later change)."""

    __tablename__ = "register_entry_change"
    __table_args__ = (one_of("change", ENTRY_CHANGES),)

    id: int | None = Field(default=None, primary_key=True)
    entry_id: int = Field(foreign_key="register_entry.id", index=True)
    change: str = Field(max_length=12)
    changed_on: date
    changed_at: datetime = stamp()
    actor_label: str = Field(max_length=200)
    fields: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))

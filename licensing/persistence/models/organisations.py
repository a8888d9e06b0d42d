"""Organisations and the people and systems that act for them."""

from datetime import datetime

from sqlalchemy import CheckConstraint, UniqueConstraint
from sqlmodel import Field, SQLModel

from licensing.persistence.models._base import one_of, optional_stamp, stamp

NATIONS = ("england", "wales", "scotland")
ROLES = ("officer", "manager", "admin")
# `council:decide` is an API key's equivalent of an officer's manager role (app/officer/access.py):
# refusing, suspending, reinstating and revoking, and deciding on an adverse record found for an applicant.
SCOPES = ("council:read", "council:write", "council:decide", "police:intelligence", "admin")


class Authority(SQLModel, table=True):
    """A licensing authority (council), identified by its ONS GSS code."""

    __tablename__ = "authority"
    __table_args__ = (one_of("nation", NATIONS),)

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=9, unique=True)
    name: str = Field(max_length=200)
    nation: str = Field(max_length=10)
    contact_email: str | None = Field(default=None, max_length=320)
    # The council's own page for reporting a concern about a licensed driver (https); the public check
    # links to it. Empty: the public check links to GOV.UK's "find your local council".
    concern_url: str | None = Field(default=None, max_length=500)


class PoliceForce(SQLModel, table=True):
    """A territorial police force that pushes safeguarding intelligence."""

    __tablename__ = "police_force"
    __table_args__ = (one_of("nation", NATIONS),)

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=9, unique=True)
    name: str = Field(max_length=200)
    nation: str = Field(max_length=10)


class User(SQLModel, table=True):
    """An officer who signs in to the web UI; belongs to exactly one authority."""

    __tablename__ = "users"
    __table_args__ = (one_of("role", ROLES),)

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=320, unique=True)
    name: str = Field(max_length=200)
    password_hash: str = Field(max_length=200)
    role: str = Field(max_length=10)
    authority_id: int = Field(foreign_key="authority.id", index=True)
    active: bool = True
    # Raised by sign-out, a password change and disabling: a session made under an older value has ended.
    session_version: int = 0
    created_at: datetime = stamp()


class ApiClient(SQLModel, table=True):
    """A machine client (council system or police force); its key is stored only as a hash."""

    __tablename__ = "api_client"
    __table_args__ = (
        CheckConstraint("(authority_id IS NULL) <> (police_force_id IS NULL)", name="one_organisation"),
        UniqueConstraint("key_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    key_id: str = Field(max_length=32)
    key_hash: str = Field(max_length=128)
    name: str = Field(max_length=200)
    scopes: str = Field(max_length=200)  # space-separated
    authority_id: int | None = Field(default=None, foreign_key="authority.id", index=True)
    police_force_id: int | None = Field(default=None, foreign_key="police_force.id", index=True)
    created_at: datetime = stamp()
    revoked_at: datetime | None = optional_stamp()
    last_used_at: datetime | None = optional_stamp()

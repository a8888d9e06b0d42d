"""How officers prove who they are beyond a password: a council's identity provider, a second factor."""

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from licensing.persistence.models._base import optional_stamp, stamp


class IdentityProvider(SQLModel, table=True):
    """A council's own OpenID Connect provider, through which its officers sign in."""

    __tablename__ = "identity_provider"

    id: int | None = Field(default=None, primary_key=True)
    authority_id: int = Field(foreign_key="authority.id", unique=True)
    issuer: str = Field(max_length=500)  # the provider's issuer URL, exactly as its ID tokens name it
    client_id: str = Field(max_length=200)
    # The name of the environment variable holding the client secret: the secret is never stored here.
    client_secret_env: str = Field(max_length=100)
    allowed_domains: str = Field(max_length=1000)  # space-separated e-mail domains
    email_claim: str = Field(default="email", max_length=100)  # the ID token claim holding the e-mail
    created_at: datetime = stamp()
    updated_at: datetime = stamp()


class IdentityLink(SQLModel, table=True):
    """The provider's subject an officer account signed in as first; the account answers to no other."""

    __tablename__ = "identity_link"
    __table_args__ = (UniqueConstraint("provider_id", "subject"),)

    user_id: int = Field(foreign_key="users.id", primary_key=True)
    provider_id: int = Field(foreign_key="identity_provider.id", index=True)
    subject: str = Field(max_length=255)
    linked_at: datetime = stamp()


class SecondFactor(SQLModel, table=True):
    """An officer's TOTP authenticator: unconfirmed until the officer gave a code from it."""

    __tablename__ = "second_factor"

    user_id: int = Field(foreign_key="users.id", primary_key=True)
    secret: str = Field(max_length=64)  # base32, as authenticator apps take it
    confirmed_at: datetime | None = optional_stamp()
    last_step: int = 0  # the last 30-second step a code was accepted for: a code works once
    failures: int = 0  # wrong codes in a row, which slow down the next attempt
    last_failure_at: datetime | None = optional_stamp()


class RecoveryCode(SQLModel, table=True):
    """A single-use code that stands in for the authenticator; only its SHA-256 is kept."""

    __tablename__ = "recovery_code"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True)
    code_hash: str = Field(max_length=64, unique=True)
    used_at: datetime | None = optional_stamp()

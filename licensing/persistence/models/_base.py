"""Shared pieces of the record definitions: naming convention, the identity columns, enum checks."""

from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, Column, DateTime, event
from sqlmodel import Field, SQLModel

from licensing.identity.fields import IDENTITY_FIELDS

# Stable constraint names keep Alembic's SQLite batch migrations and autogenerate diffs honest.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

SEXES = ("F", "M", "X")


def one_of(column: str, values: tuple[str, ...], nullable: bool = False) -> CheckConstraint:
    """Return a named CHECK constraint limiting `column` to `values`."""
    allowed = ", ".join(f"'{v}'" for v in values)
    condition = f"{column} IN ({allowed})"
    if nullable:
        condition = f"{column} IS NULL OR {condition}"
    return CheckConstraint(condition, name=column)


def stamp(**kwargs) -> datetime:
    """Declare a NOT NULL timestamp column (naive UTC)."""
    return Field(sa_column=Column(DateTime(), nullable=False, **kwargs))


def optional_stamp() -> datetime | None:
    """Declare a nullable timestamp column (naive UTC; a bare `datetime` annotation would be tz-aware)."""
    return Field(default=None, sa_column=Column(DateTime(), nullable=True))


class Identity(SQLModel):
    """The identifying details every person-bearing record carries (NR3S s.2(4) minimum and more)."""

    given_names: str = Field(max_length=200)
    family_name: str = Field(max_length=200)
    previous_names: str = Field(default="", max_length=2000)  # ';'-separated, as in the CSV contract
    date_of_birth: date | None = None
    sex: str | None = Field(default=None, max_length=1)
    address: str = Field(default="", max_length=500)
    # An identifier that is not valid is kept as given (licensing/identity/validation.py), hence the room.
    postcode: str | None = Field(default=None, max_length=16)
    ni_number: str | None = Field(default=None, max_length=20)
    driving_licence_number: str | None = Field(default=None, max_length=32)
    # What is wrong with the identity above, as [{"field", "warning"}]; rewritten with it.
    identity_warnings: list = Field(
        default_factory=list, sa_type=JSON, nullable=False, sa_column_kwargs={"server_default": "[]"}
    )


@event.listens_for(Identity, "before_insert", propagate=True)
@event.listens_for(Identity, "before_update", propagate=True)
def _write_warnings(_mapper, _connection, record: Identity) -> None:
    """Write a record's identity warnings from its identity, whichever service stored or changed it."""
    # Imported here: the rule lives in the domain layer, which imports these models.
    from licensing.identity.validation import identity_warnings

    record.identity_warnings = identity_warnings({name: getattr(record, name) for name in IDENTITY_FIELDS})


def identity_checks() -> list[CheckConstraint]:
    """Return the CHECK constraints of the identity fields, fresh for one table."""
    return [one_of("sex", SEXES, nullable=True)]

"""Authority reorganisations, held as data with the date they take effect.

A change row says that from `effective_on` the records of the predecessor authority are answered for by
the successor. A merge writes one row per predecessor, a recode one row, a split one row per successor
(the lead successor, which answers for whatever is not assigned, carries `lead`). A split's licences are
placed one by one in `licence_assignment`. Nothing is rewritten on the records themselves: a licence
keeps the authority that granted it.
"""

from datetime import date, datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from licensing.persistence.models._base import one_of, stamp

CHANGE_KINDS = ("merge", "split", "recode")
# What happens, from the date, to the predecessor's officers, API keys and alert subscriptions: they
# act and receive for the successor ("move"), or stop ("disable").
STAFF_OPTIONS = ("move", "disable")


class AuthorityChange(SQLModel, table=True):
    """One predecessor answered for by one successor from a date."""

    __tablename__ = "authority_change"
    __table_args__ = (
        UniqueConstraint("predecessor_id", "successor_id"),
        one_of("kind", CHANGE_KINDS),
        one_of("officers", STAFF_OPTIONS),
        one_of("api_keys", STAFF_OPTIONS),
        one_of("subscriptions", STAFF_OPTIONS),
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=8)
    effective_on: date
    predecessor_id: int = Field(foreign_key="authority.id", index=True)
    successor_id: int = Field(foreign_key="authority.id", index=True)
    # A split's lead successor answers for the predecessor's records no assignment places elsewhere.
    lead: bool = True
    officers: str = Field(default="move", max_length=8)
    api_keys: str = Field(default="move", max_length=8)
    subscriptions: str = Field(default="move", max_length=8)
    source: str = Field(default="", max_length=300)
    recorded_at: datetime = stamp()


class LicenceAssignment(SQLModel, table=True):
    """Where one licence of a split predecessor goes: its successor, and how it was placed."""

    __tablename__ = "licence_assignment"
    __table_args__ = (UniqueConstraint("licence_id"), one_of("placed_by", ("postcode", "mapping")))

    id: int | None = Field(default=None, primary_key=True)
    change_id: int = Field(foreign_key="authority_change.id", index=True)
    licence_id: int = Field(foreign_key="licence.id")
    successor_id: int = Field(foreign_key="authority.id", index=True)
    placed_by: str = Field(max_length=8)

"""Match keys for candidate lookup, and the record of every screening that was run."""

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, Column, Index, Integer, LargeBinary, SmallInteger, Text
from sqlalchemy.types import JSON
from sqlmodel import Field, SQLModel

from licensing.persistence.models._base import Identity, identity_checks, one_of, optional_stamp, stamp

RECORD_KINDS = ("register_entry", "licence", "application", "intelligence")
BANDS = ("match", "probable", "possible", "weak")
PURPOSES = ("application", "ad_hoc", "bulk", "rescreen", "intelligence")
RESOLUTIONS = ("same_person", "not_same_person")


class MatchKey(SQLModel, table=True):
    """One blocking key of one record; a screening probes these by index, never by scan.

    A key is stored as a 63-bit hash of its text (licensing/screening/key_index.py): eight bytes instead of a
    string of up to 80, so the index of a million records' dozen keys each stays small and takes a large
    import's inserts quickly. The primary key is the lookup index itself (SQLite keeps the table in that
    order,
    WITHOUT ROWID). A record's own keys are listed in RecordKeys, not found through a second index here:
    such an index would be as large as this table and double the cost of every insert.
    """

    __tablename__ = "match_key"
    __table_args__ = (
        CheckConstraint("record_kind IN (1, 2, 3, 4)", name="record_kind"),
        {"sqlite_with_rowid": False},
    )

    key_hash: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    record_kind: int = Field(sa_column=Column(SmallInteger, primary_key=True, autoincrement=False))
    record_id: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))


class RecordKeys(SQLModel, table=True):
    """The key hashes one record is stored under, packed: its match_key rows and its counted names.

    Listing them here lets a change or a deletion remove exactly the record's own keys and uncount
    exactly its own names, without a second index on match_key.
    """

    __tablename__ = "record_keys"
    __table_args__ = (
        CheckConstraint("record_kind IN (1, 2, 3, 4)", name="record_kind"),
        {"sqlite_with_rowid": False},
    )

    record_kind: int = Field(sa_column=Column(SmallInteger, primary_key=True, autoincrement=False))
    record_id: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))
    key_hashes: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    name_hashes: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


class NameCount(SQLModel, table=True):
    """How many indexed records carry one name key ("sn:khan", hashed): the register's name frequencies."""

    __tablename__ = "name_count"
    __table_args__ = ({"sqlite_with_rowid": False},)

    key_hash: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    count: int = Field(sa_column=Column(Integer, nullable=False))


class Screening(Identity, table=True):
    """One check of a subject against the register: who ran it, for whom, why and when."""

    __tablename__ = "screening"
    __table_args__ = (
        one_of("purpose", PURPOSES),
        Index("ix_screening_authority_created_at", "authority_id", "created_at"),
        *identity_checks(),
    )

    id: int | None = Field(default=None, primary_key=True)
    authority_id: int | None = Field(default=None, foreign_key="authority.id")
    actor_kind: str = Field(max_length=16)
    actor_id: int | None = None
    actor_label: str = Field(max_length=200)
    purpose: str = Field(max_length=16)
    reason: str = Field(default="", max_length=500)
    application_id: int | None = Field(default=None, foreign_key="application.id", index=True)
    licence_id: int | None = Field(default=None, foreign_key="licence.id", index=True)
    created_at: datetime = stamp()


class ScreeningCandidate(SQLModel, table=True):
    """A record a screening found, with its score, band, evidence and the officer's resolution."""

    __tablename__ = "screening_candidate"
    __table_args__ = (
        one_of("candidate_kind", RECORD_KINDS),
        one_of("band", BANDS),
        one_of("resolution", RESOLUTIONS, nullable=True),
        Index("ix_screening_candidate_candidate", "candidate_kind", "candidate_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    screening_id: int = Field(foreign_key="screening.id", index=True)
    candidate_kind: str = Field(max_length=16)
    candidate_id: int
    score: float
    band: str = Field(max_length=10)
    evidence: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    resolution: str | None = Field(default=None, max_length=16)
    resolution_reason: str | None = Field(default=None, max_length=500)
    resolved_by: str | None = Field(default=None, max_length=200)
    resolved_at: datetime | None = optional_stamp()


BULK_STATUSES = ("queued", "running", "done", "failed")


class BulkScreeningJob(SQLModel, table=True):
    """An officer's bulk screening: the uploaded people file, worked by a scheduler, and what it found.

    The upload is kept here until the job's files are purged, so a scheduler that dies part-way leaves a
    job another can claim again once the lease expires (`attempt` counts the claims; a worker writes only
    under its own). The results and warnings are written once, with status "done", never part of them.
    """

    __tablename__ = "bulk_screening_job"
    __table_args__ = (
        one_of("status", BULK_STATUSES),
        Index("ix_bulk_screening_job_status_lease_expires_at", "status", "lease_expires_at"),
        Index("ix_bulk_screening_job_authority_created_at", "authority_id", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    authority_id: int = Field(foreign_key="authority.id")
    actor_id: int | None = None
    actor_label: str = Field(max_length=200)
    source: str = Field(
        default="", max_length=200
    )  # the uploaded file's name, as the officer's browser gave it
    min_score: float | None = None
    status: str = Field(default="queued", max_length=10)
    total_rows: int = 0
    rows_done: int = 0
    attempt: int = 0
    lease_expires_at: datetime | None = optional_stamp()
    people: str = Field(sa_column=Column(Text, nullable=False))
    results: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    warnings: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    candidates: int = 0
    error: str = Field(default="", max_length=500)
    created_at: datetime = stamp()
    started_at: datetime | None = optional_stamp()
    finished_at: datetime | None = optional_stamp()

"""Every statement the audit log runs: the head row, events chained after it, and the chain read back.

Each function takes the session and returns what it read or wrote. None commits: events are written in
the caller's unit of work, with the change they describe. The hashing rule itself is in log.py; the
chaining insert asks the database to apply the same rule to the head's hash it reads.
"""

from collections.abc import Iterator, Sequence
from typing import Any, NamedTuple

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from licensing.persistence.db import driver_rows, insert_new
from licensing.persistence.models import AuditEvent, AuditHead

HEAD_ID = 1  # the one row of audit_head (its check constraint allows no other)
_HEAD = AuditHead.__table__
_EVENTS = AuditEvent.__table__
# The columns an event is inserted with; the chaining statement adds prev_hash and hash from the head.
_STORED = tuple(c.key for c in _EVENTS.columns if c.key not in ("id", "prev_hash", "hash"))


class Head(NamedTuple):
    """The audit head row: the last event's id (None for an empty chain) and hash."""

    last_event_id: int | None
    last_hash: str


_READ_HEAD = f"SELECT last_event_id, last_hash FROM audit_head WHERE id = {HEAD_ID}"


def head_row(session: Session, *, lock: bool = False) -> Head | None:
    """Read the head row from the database, never from a copy in the session; `lock`: FOR UPDATE.

    Through the driver's own cursor: every writing transaction in the country runs this while it holds
    up the others, and SQLAlchemy's statement machinery cost more than the round trip itself (figures:
    bench/README.md). SQLite has no FOR UPDATE; its writers already hold the database's write lock.
    """
    postgres = session.get_bind().dialect.name == "postgresql"
    rows = driver_rows(session, _READ_HEAD + (" FOR UPDATE" if lock and postgres else ""))
    return Head(*rows[0]) if rows else None


def create_head(session: Session, last_hash: str) -> None:
    """Make the head row of an empty chain with `last_hash`, unless a concurrent first writer made it."""
    # Two first writers may both find no head: a fixed id with ON CONFLICT DO NOTHING lets the second
    # wait for the first and then lock the row it made, so there is only ever one head.
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    insert = dialect.insert(_HEAD).values(id=HEAD_ID, last_event_id=None, last_hash=last_hash)
    session.connection().execute(insert.on_conflict_do_nothing(index_elements=["id"]))


def insert_after_head(session: Session, event: AuditEvent, content: str) -> tuple[int, str, str] | None:
    """Insert `event` after the head, locking the head, in one statement; return its id, prev_hash and hash.

    The database reads the head's hash and hashes it with `content`, the event's canonical content, as
    log.chain_hash does: one round trip to the server where reading the head and then inserting took
    two. None if there is no head row (nothing was inserted).
    """
    statement, processors = _chain_statement(session.get_bind().dialect)
    values = [getattr(event, name) for name in _STORED]
    values = [p(v) if p else v for v, p in zip(values, processors, strict=True)]
    rows = driver_rows(session, statement, (*values, content))
    return tuple(rows[0]) if rows else None


def insert_chained(session: Session, events: Sequence[AuditEvent]) -> None:
    """Insert events whose prev_hash and hash are set, in one statement, and set their ids in order.

    A trigger moves the head to the last of them (licensing/persistence/models/audit.py).
    """
    insert_new(session, events)


def events_after(session: Session, after_id: int, batch: int) -> Iterator[Any]:
    """Stream the rows of audit_event after `after_id` in id order, `batch` rows at a time."""
    query = select(_EVENTS).where(_EVENTS.c.id > after_id).order_by(_EVENTS.c.id)
    return iter(session.execute(query.execution_options(yield_per=batch)))


def event_count(session: Session) -> int:
    """Return how many events the log holds."""
    return session.scalar(select(func.count()).select_from(_EVENTS))


def _chain_statement(dialect) -> tuple[str, list]:
    """Return the statement of `insert_after_head` and each column's value processor, once per database kind.

    On PostgreSQL each value is cast to its column's type (an INSERT from a SELECT does not infer
    them) and the head row is locked FOR UPDATE; SQLite's writers already hold its write lock, and
    its `sha256_hex` is the function licensing.persistence.db registers on each connection.
    """
    if dialect.name in _CHAIN_STATEMENTS:
        return _CHAIN_STATEMENTS[dialect.name]
    postgres = dialect.name == "postgresql"
    types = [_EVENTS.c[n].type for n in _STORED]
    if postgres:
        markers = [f"CAST(%s AS {t.compile(dialect=dialect)})" for t in types]
        digest, lock = "encode(sha256(convert_to(last_hash || %s, 'UTF8')), 'hex')", " FOR UPDATE"
    else:
        markers, digest, lock = ["?"] * len(types), "sha256_hex(last_hash || ?)", ""
    statement = (
        f"INSERT INTO audit_event ({', '.join(_STORED)}, prev_hash, hash) "
        f"SELECT {', '.join(markers)}, last_hash, {digest} FROM audit_head WHERE id = {HEAD_ID}{lock} "
        "RETURNING id, prev_hash, hash"
    )
    processors = [t.dialect_impl(dialect).bind_processor(dialect) for t in types]
    _CHAIN_STATEMENTS[dialect.name] = statement, processors
    return statement, processors


_CHAIN_STATEMENTS: dict[str, tuple[str, list]] = {}

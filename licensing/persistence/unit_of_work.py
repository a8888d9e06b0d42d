"""The unit of work: the one place where a transaction begins and ends.

Whoever stands at the edge of the system opens one unit per piece of work, for reading or for writing:
the web app one per request (app/db.py), each CLI command and scheduler job its own, and a long import or
monitoring run one per batch. The unit commits when the work inside it succeeds and rolls back when it
raises; the services below it read and write through its session and never end a transaction
themselves, so a change is kept whole or not at all, with the audit events that the audit log chains
at the unit's flush (licensing/audit/log.py).

Reading or writing is also how the database is asked to order concurrent work:

- SQLite has one writer at a time. A writing unit takes the write lock as its transaction begins (BEGIN
  IMMEDIATE), so it waits for the writer before it, never fails half-way with SQLITE_BUSY for having
  read before writing, and writes the audit chain one unit after another. A reading unit reads a
  snapshot (BEGIN DEFERRED, in WAL mode): it neither waits for the writer nor holds it up.
- PostgreSQL runs both as its ordinary READ COMMITTED transactions: writers lock the rows they change
  (and the audit head), so they wait for each other only where they meet.

On both, a reading unit is read-only in the database itself (PRAGMA query_only, a READ ONLY
transaction): a write there is a mistake in the code that opened it, and fails at once.
"""

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session

READING, WRITING = "reading", "writing"
MODE = "crosscheck.unit"  # the execution option that tells a connection which unit it serves
_QUERY_ONLY = "crosscheck.query_only"  # whether a SQLite connection has PRAGMA query_only on
_MODE_ENGINES = "_crosscheck_unit_engines"  # on an engine: its copies with each mode's options
_MODE_ENGINES_LOCK = threading.Lock()


class UnitOfWork:
    """One unit of work on an engine, for reading or for writing, with the session that works in it.

    Use it as a context manager (`with writing(engine) as session:`), or call `end` when the work ends.
    The transaction begins at the session's first statement.
    """

    def __init__(self, engine: Engine, mode: str):
        """Open a unit on `engine`; `mode` is READING or WRITING."""
        if mode not in (READING, WRITING):
            raise ValueError(f"A unit of work is for {READING} or {WRITING}, not {mode!r}.")
        self.mode = mode
        self.session = Session(_engine_for(engine, mode), expire_on_commit=False)

    def __enter__(self) -> Session:
        """Return the unit's session."""
        return self.session

    def __exit__(self, kind, error, traceback) -> None:
        """Commit if the block succeeded, roll back if it raised."""
        self.end(succeeded=error is None)

    def end(self, *, succeeded: bool) -> None:
        """Commit the unit's work if it succeeded, else roll it back; close its session either way."""
        try:
            if succeeded:
                self.session.commit()
            else:
                self.session.rollback()
        finally:
            self.session.close()

    def undo(self) -> None:
        """Roll back what the unit did so far; it goes on in a fresh transaction of the same mode."""
        self.session.rollback()


def reading(engine: Engine) -> UnitOfWork:
    """Open a unit that only reads, from a snapshot on SQLite."""
    return UnitOfWork(engine, READING)


def writing(engine: Engine) -> UnitOfWork:
    """Open a unit that may write, holding SQLite's write lock from its first statement."""
    return UnitOfWork(engine, WRITING)


@contextmanager
def attempt(session: Session) -> Iterator[None]:
    """Run one step of a unit in a savepoint: if the step raises, it alone is undone and the unit goes on."""
    with session.begin_nested():
        yield


def begin_sqlite(connection: Connection) -> None:
    """Begin a SQLite transaction as its unit asks (a "begin" listener of every SQLite engine).

    A writing unit begins IMMEDIATE, taking the write lock; a reading unit begins DEFERRED with the
    connection set to refuse writes; a session outside any unit (tests, tools) gets SQLite's own
    default, DEFERRED, which takes the lock at its first write.
    """
    mode = connection.get_execution_options().get(MODE)
    read_only = mode == READING
    pooled = connection.connection.info  # lives as long as the DBAPI connection
    if pooled.get(_QUERY_ONLY, False) != read_only:
        connection.exec_driver_sql(f"PRAGMA query_only={int(read_only)}")
        pooled[_QUERY_ONLY] = read_only
    connection.exec_driver_sql("BEGIN IMMEDIATE" if mode == WRITING else "BEGIN DEFERRED")


def _engine_for(engine: Engine, mode: str) -> Engine:
    """Return `engine` with the execution options of `mode`, made once per engine and mode.

    Each copy registers its own listeners with SQLAlchemy (for PostgreSQL's read-only connections), so
    it is made once, not once per unit. The copies are kept on the engine itself, so they go with it.
    """
    with _MODE_ENGINES_LOCK:
        modes = engine.__dict__.setdefault(_MODE_ENGINES, {})
        if mode not in modes:
            options = {MODE: mode}
            if mode == READING and engine.dialect.name == "postgresql":
                options["postgresql_readonly"] = True  # psycopg begins the transaction READ ONLY
            modes[mode] = engine.execution_options(**options)
        return modes[mode]

"""Engines and sessions for SQLite (embedded default) and PostgreSQL (production)."""

from collections.abc import Sequence
from functools import cache

from sqlalchemy import Insert, Table, event, insert
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session, create_engine

SQLITE_MMAP_BYTES = 1 << 30


def make_engine(url: str, **kwargs) -> Engine:
    """Create an engine for `url`, configuring SQLite for safe concurrent use."""
    if make_url(url).get_backend_name() == "sqlite":
        return _sqlite_engine(url, **kwargs)
    return create_engine(url, pool_pre_ping=True, **kwargs)


def is_sqlite(engine: Engine) -> bool:
    """Tell whether `engine` talks to SQLite."""
    return engine.dialect.name == "sqlite"


def _sqlite_engine(url: str, **kwargs) -> Engine:
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, **kwargs)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Let SQLAlchemy, not pysqlite, emit BEGIN, so that we can make it BEGIN IMMEDIATE below.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        # In WAL mode NORMAL never corrupts the database (a power cut may lose the last commits), and
        # it saves an fsync on every commit.
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        # Read pages through a memory map instead of copying each one in: a screening reads scattered
        # rows of a large register. The map is the OS page cache, shared by every process on the file.
        cursor.execute(f"PRAGMA mmap_size={SQLITE_MMAP_BYTES}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        # Writers take the lock up front: a deferred transaction that read first and writes later
        # fails with SQLITE_BUSY under concurrency, and the audit chain needs serialised writers.
        # Sessions that only observe ask for DEFERRED (see `new_session`), so they never block writers.
        mode = connection.get_execution_options().get("sqlite_begin", "IMMEDIATE")
        connection.exec_driver_sql(f"BEGIN {mode}")

    return engine


def new_session(engine: Engine, *, observer: bool = False) -> Session:
    """Open a session that keeps loaded objects usable after commit.

    An `observer` session (tests, reports) takes no write lock on SQLite until it writes, so it can hold
    a transaction open while other connections write; it must not write after reading stale data.
    """
    bind = engine.execution_options(sqlite_begin="DEFERRED") if observer else engine
    return Session(bind, expire_on_commit=False)


def insert_new(session: Session, objects: Sequence) -> None:
    """Insert new objects of one table in one Core statement and set their ids, in order.

    A fraction of the cost of the ORM's unit of work for rows written once and never changed after
    (screenings, audit events). The objects stay out of the session: their values are what was written.
    """
    if objects:
        table = type(objects[0]).__table__
        columns = [c for c in table.columns if not c.primary_key]
        rows = [{c.key: getattr(o, c.key) for c in columns} for o in objects]
        for obj, row_id in zip(objects, insert_rows(session, table, rows), strict=True):
            obj.id = row_id


def insert_rows(session: Session, table: Table, rows: list[dict]) -> list[int]:
    """Insert `rows` into `table` in one statement; return their new ids in the order of `rows`."""
    if not rows:
        return []
    one, many = _inserts(table)
    if len(rows) == 1:
        return [session.execute(one, rows[0]).scalar_one()]
    return list(session.execute(many, rows).scalars())


@cache
def _inserts(table: Table) -> tuple[Insert, Insert]:
    """Return the insert of one row and of many (ids returned in row order) into `table`, built once."""
    returning = insert(table).returning
    return returning(table.c.id), returning(table.c.id, sort_by_parameter_order=True)


def driver_rows(session: Session, statement: str, params: tuple = ()) -> list[tuple]:
    """Run `statement` on the session's connection through the driver's own cursor; return its rows.

    For the hot reads where SQLAlchemy's statement and row objects cost more than the database's work;
    `statement` is written in the driver's own parameter style.
    """
    cursor = session.connection().connection.cursor()
    try:
        cursor.execute(statement, params)
        return cursor.fetchall()
    finally:
        cursor.close()


_SNAPSHOT = "crosscheck.snapshot_reads"
_WRITING = "crosscheck.writing_transaction"


def snapshot_reads(session: Session) -> None:
    """Let the session's next transactions read without SQLite's write lock until their first write.

    At the first write the read transaction ends (it wrote nothing) and a BEGIN IMMEDIATE one takes
    over, so writers still serialise, but what was read may be older than what is then written. Only
    for work whose writes do not depend on its reads being current: a screening records what it found,
    and the audit chain reads its head after `begin_writing`. PostgreSQL reads without locks anyway.
    """
    if is_sqlite(session.get_bind()) and not session.info.get(_SNAPSHOT):
        session.info[_SNAPSHOT] = session.get_bind()
        session.bind = session.get_bind().execution_options(sqlite_begin="DEFERRED")


def locked_reads(session: Session) -> None:
    """Undo `snapshot_reads` for the session's next transactions."""
    if session.info.get(_SNAPSHOT) is not None:
        session.bind = session.info.pop(_SNAPSHOT)


def begin_writing(session: Session) -> None:
    """Swap a snapshot transaction that has not written yet for a fresh write-locked one (SQLite)."""
    transaction = session.get_transaction()
    if not session.info.get(_SNAPSHOT) or transaction is None or session.info.get(_WRITING) is transaction:
        return
    session.info[_WRITING] = transaction
    connection = session.connection()
    connection.exec_driver_sql("COMMIT")
    connection.exec_driver_sql("BEGIN IMMEDIATE")


@event.listens_for(OrmSession, "before_flush")
def _before_flush(session: OrmSession, _context, _instances) -> None:
    """Take the write lock before a snapshot transaction's first flush."""
    begin_writing(session)


@event.listens_for(OrmSession, "do_orm_execute")
def _before_statement(state) -> None:
    """Take the write lock before a snapshot transaction's first INSERT, UPDATE or DELETE."""
    if state.is_insert or state.is_update or state.is_delete:
        begin_writing(state.session)

"""Engines and sessions for SQLite (embedded default) and PostgreSQL (production)."""

import hashlib
import time
from collections.abc import Sequence

from sqlalchemy import Table, event, exc
from sqlalchemy.engine import Connection, Dialect, Engine, make_url
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session, create_engine

SQLITE_MMAP_BYTES = 1 << 30
# A pooled server connection idle for longer than this is tested before use (see `_ping_when_idle`).
PING_AFTER_IDLE_S = 10.0
_CHECKED_IN = "crosscheck.checked_in"
# Values one statement binds at most: SQLite allows 32,766 (as commonly built), PostgreSQL 65,535.
MAX_BOUND_VALUES = 30_000
# The id columns' range: a larger id names nothing, and PostgreSQL would refuse it rather than miss it.
MAX_ID = 2**31 - 1


def make_engine(url: str, *, ping_after_idle: float = PING_AFTER_IDLE_S, **kwargs) -> Engine:
    """Create an engine for `url`, configuring SQLite for safe concurrent use."""
    if make_url(url).get_backend_name() == "sqlite":
        return _sqlite_engine(url, **kwargs)
    engine = create_engine(url, **kwargs)
    _ping_when_idle(engine, ping_after_idle)
    return engine


def _ping_when_idle(engine: Engine, idle_s: float) -> None:
    """Test a pooled connection before use when it has been idle for more than `idle_s` seconds.

    A stale connection (the server restarted, a firewall dropped it) is swapped for a new one before
    any work starts on it. SQLAlchemy's pool_pre_ping does that on every checkout, which is a round
    trip to the server for every request and every screening, a tenth of a screening's time on
    PostgreSQL. A connection that was in use moments ago is not tested: if the server went away in
    between, that one transaction fails, SQLAlchemy then discards every connection of the pool, and
    the next transaction reconnects.
    """

    @event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi_connection, record):
        record.info[_CHECKED_IN] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_connection, record, _proxy):
        checked_in = record.info.get(_CHECKED_IN)
        if checked_in is None or time.monotonic() - checked_in <= idle_s:
            return  # new, or in use moments ago
        try:
            with dbapi_connection.cursor() as cursor:
                cursor.execute("SELECT 1")
            dbapi_connection.rollback()
        except engine.dialect.loaded_dbapi.Error as error:
            # The pool throws this connection away and checks out another (SQLAlchemy's documented
            # pessimistic disconnect handling).
            raise exc.DisconnectionError() from error


def by_id(session: Session, model, record_id: int, **options):
    """Return the row of `model` with `record_id`, or None; an id beyond the columns' range names nothing."""
    return session.get(model, record_id, **options) if 0 < record_id <= MAX_ID else None


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
        # The audit chain hashes each event in its INSERT (licensing/audit/log.py); PostgreSQL has sha256.
        dbapi_connection.create_function("sha256_hex", 1, _sha256_hex, deterministic=True)

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        # Writers take the lock up front: a deferred transaction that read first and writes later
        # fails with SQLITE_BUSY under concurrency, and the audit chain needs serialised writers.
        # Sessions that only observe ask for DEFERRED (see `new_session`), so they never block writers.
        mode = connection.get_execution_options().get("sqlite_begin", "IMMEDIATE")
        connection.exec_driver_sql(f"BEGIN {mode}")

    return engine


def _sha256_hex(text: str | None) -> str | None:
    """Return the SHA-256 of `text` (UTF-8) in lowercase hex, as PostgreSQL's encode(sha256(...), 'hex')."""
    return None if text is None else hashlib.sha256(text.encode()).hexdigest()


def new_session(engine: Engine, *, observer: bool = False) -> Session:
    """Open a session that keeps loaded objects usable after commit.

    An `observer` session (tests, reports) takes no write lock on SQLite until it writes, so it can hold
    a transaction open while other connections write; it must not write after reading stale data.
    """
    bind = engine.execution_options(sqlite_begin="DEFERRED") if observer else engine
    return Session(bind, expire_on_commit=False)


def insert_new(session: Session, objects: Sequence) -> None:
    """Insert new objects of one table in one statement and set their ids, in order.

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
    """Insert `rows` (dicts with the same keys) into `table` in one statement; return their ids in order.

    Through the driver's own cursor, with each column's SQLAlchemy type preparing its values (JSON,
    dates on SQLite): SQLAlchemy's many-row insert cost as much again as the database's work (1.0
    against 0.7 ms for a screening's six candidates on PostgreSQL). Both databases number new rows in
    the order of a VALUES list, so the returned ids, sorted, are the rows' ids in order.
    """
    if not rows:
        return []
    begin_writing(session)  # what SQLAlchemy's own insert would have done (see _before_statement)
    dialect = session.get_bind().dialect
    names = tuple(rows[0])
    group, processors = _insert_parts(dialect, table, names)
    into = f"INSERT INTO {table.name} ({', '.join(table.c[n].name for n in names)}) VALUES "
    ids: list[int] = []
    step = max(1, MAX_BOUND_VALUES // len(names))
    for start in range(0, len(rows), step):
        chunk = rows[start : start + step]
        values = [p(row[n]) if p else row[n] for row in chunk for n, p in zip(names, processors, strict=True)]
        statement = into + ", ".join([group] * len(chunk)) + " RETURNING id"
        ids += sorted(row[0] for row in driver_rows(session, statement, tuple(values)))
    return ids


def _insert_parts(dialect: Dialect, table: Table, names: tuple[str, ...]) -> tuple[str, list]:
    """Return one row's VALUES group and each column's value processor, for inserts into `table`."""
    key = (dialect.name, table, names)  # one per database kind, not per engine
    if key not in _INSERT_PARTS:
        marker = "%s" if dialect.name == "postgresql" else "?"
        processors = [table.c[n].type.dialect_impl(dialect).bind_processor(dialect) for n in names]
        _INSERT_PARTS[key] = f"({', '.join([marker] * len(names))})", processors
    return _INSERT_PARTS[key]


_INSERT_PARTS: dict[tuple, tuple[str, list]] = {}


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
    if isinstance(session.get_bind(), Connection):
        return  # bound to one connection holding one transaction (its lock is already taken): keep it
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

"""Engines and sessions for SQLite (embedded default) and PostgreSQL (production)."""

from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, create_engine


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

"""Engines for SQLite (embedded default) and PostgreSQL (production), and driver-level reads and inserts.

Sessions and their transactions come from the unit of work (licensing/persistence/unit_of_work.py).
"""

import hashlib
import time
from collections.abc import Sequence

from sqlalchemy import Table, event, exc, text
from sqlalchemy.engine import Connection, Dialect, Engine, make_url
from sqlmodel import Session, create_engine

from licensing.persistence.unit_of_work import begin_sqlite

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
    trip to the server for every request and every screening, a share of a PostgreSQL screening worth
    saving (figures: bench/README.md). A connection that was in use moments ago is not tested: if the
    server went away in between, that one transaction fails, SQLAlchemy then discards every connection
    of the pool, and the next transaction reconnects.
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
        # Let SQLAlchemy, not pysqlite, emit BEGIN, so that the unit of work chooses how it begins.
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

    event.listen(engine, "begin", begin_sqlite)  # the write lock, or a read-only snapshot
    return engine


def _sha256_hex(text: str | None) -> str | None:
    """Return the SHA-256 of `text` (UTF-8) in lowercase hex, as PostgreSQL's encode(sha256(...), 'hex')."""
    return None if text is None else hashlib.sha256(text.encode()).hexdigest()


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
    dates on SQLite): SQLAlchemy's many-row insert cost more than the database's own work (figures:
    bench/README.md). Both databases number new rows in the order of a VALUES list, so the returned
    ids, sorted, are the rows' ids in order.
    """
    if not rows:
        return []
    dialect = session.get_bind().dialect
    names = tuple(rows[0])
    group, processors = _insert_parts(dialect, table, names)
    into = f"INSERT INTO {table.name} ({', '.join(table.c[n].name for n in names)}) VALUES "
    ids: list[int] = []
    step = max(1, MAX_BOUND_VALUES // len(names))
    for start in range(0, len(rows), step):
        chunk = rows[start : start + step]
        values = _prepared(chunk, names, processors)
        statement = into + ", ".join([group] * len(chunk)) + " RETURNING id"
        ids += sorted(row[0] for row in driver_rows(session, statement, tuple(values)))
    return ids


def insert_with_children(
    session: Session, table: Table, row: dict, children: Table, parent_key: str, child_rows: list[dict]
) -> tuple[int, list[int]]:
    """Insert one row of `table` and `child_rows` of `children` whose `parent_key` is its id; return the ids.

    The child rows leave `parent_key` out. On PostgreSQL one statement writes both (a WITH that
    inserts): each statement is a round trip to the server. On SQLite, with no children, or with more
    values than one statement may bind, two inserts do. Child ids come back in the order of `child_rows`.
    """
    dialect = session.get_bind().dialect
    names = tuple(child_rows[0]) if child_rows else ()
    too_many = len(row) + len(child_rows) * len(names) > MAX_BOUND_VALUES
    if dialect.name != "postgresql" or not child_rows or too_many:
        [parent_id] = insert_rows(session, table, [row])
        return parent_id, insert_rows(session, children, [{parent_key: parent_id} | r for r in child_rows])
    parent_names = tuple(row)
    parent_group, parent_processors = _insert_parts(dialect, table, parent_names)
    child_group, child_processors = _insert_parts(dialect, children, names, typed=True)
    values = _prepared([row], parent_names, parent_processors) + _prepared(
        child_rows, names, child_processors
    )
    columns = ", ".join(children.c[n].name for n in names)
    statement = (
        f"WITH parent AS (INSERT INTO {table.name} ({', '.join(table.c[n].name for n in parent_names)}) "
        f"VALUES {parent_group} RETURNING id) "
        f"INSERT INTO {children.name} ({children.c[parent_key].name}, {columns}) "
        f"SELECT parent.id, v.* FROM parent, (VALUES {', '.join([child_group] * len(child_rows))}) "
        f"AS v ({columns}) "
        f"RETURNING {children.c[parent_key].name}, id"
    )
    written = driver_rows(session, statement, tuple(values))
    return written[0][0], sorted(child_id for _, child_id in written)


def _insert_parts(
    dialect: Dialect, table: Table, names: tuple[str, ...], typed: bool = False
) -> tuple[str, list]:
    """Return one row's VALUES group and each column's value processor, for inserts into `table`.

    `typed` casts each value to its column's type, as a VALUES list not inserted directly needs on
    PostgreSQL.
    """
    key = (dialect.name, table, names, typed)  # one per database kind, not per engine
    if key not in _INSERT_PARTS:
        types = [table.c[n].type for n in names]
        marker = "%s" if dialect.name == "postgresql" else "?"
        markers = [f"CAST({marker} AS {t.compile(dialect=dialect)})" if typed else marker for t in types]
        processors = [t.dialect_impl(dialect).bind_processor(dialect) for t in types]
        _INSERT_PARTS[key] = f"({', '.join(markers)})", processors
    return _INSERT_PARTS[key]


def _prepared(rows: list[dict], names: tuple[str, ...], processors: list) -> list:
    """Return the values of `rows` for `names`, row after row, each prepared by its column's processor."""
    return [p(row[n]) if p else row[n] for row in rows for n, p in zip(names, processors, strict=True)]


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


# The database itself, below any record: whether it answers, its advisory locks, its migrations.


def answers(connection: Connection) -> bool:
    """Tell whether the database answers a trivial query (raises if the connection is gone)."""
    return connection.scalar(text("SELECT 1")) == 1


def try_advisory_lock(connection: Connection, *key: int) -> bool:
    """Take PostgreSQL's session-level advisory lock `key` (one bigint or two ints) if it is free.

    Tell whether it was taken. The lock belongs to the connection, which must be in autocommit and
    outside any unit of work; the server releases it when the connection ends.
    """
    return bool(connection.scalar(text(f"SELECT pg_try_advisory_lock({_lock_markers(key)})"), _lock(key)))


def advisory_unlock(connection: Connection, *key: int) -> bool:
    """Give up the advisory lock `key`; tell whether this connection held it."""
    return bool(connection.scalar(text(f"SELECT pg_advisory_unlock({_lock_markers(key)})"), _lock(key)))


def _lock_markers(key: tuple[int, ...]) -> str:
    """Return the markers of an advisory lock's key parts, ":k0" or ":k0, :k1"."""
    return ", ".join(f":k{i}" for i in range(len(key)))


def _lock(key: tuple[int, ...]) -> dict[str, int]:
    """Return the parameters of an advisory lock's key parts."""
    return {f"k{i}": part for i, part in enumerate(key)}


def applied_revisions(connection: Connection, version_table: str) -> frozenset[str]:
    """Return the migration revisions recorded in `version_table` (Alembic's), which must exist."""
    return frozenset(connection.execute(text(f"SELECT version_num FROM {version_table}")).scalars())

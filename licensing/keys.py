"""The match-key index: every record's blocking keys, so candidate lookup is an index probe."""

from collections.abc import Iterable

from sqlalchemy import delete, select
from sqlmodel import Session

from licensing.matching import Person, match_keys, person_from, probe_keys
from licensing.models import Application, Intelligence, Licence, MatchKey, RegisterEntry

KIND_MODELS = {
    "register_entry": RegisterEntry,
    "licence": Licence,
    "application": Application,
    "intelligence": Intelligence,
}
_TABLE = MatchKey.__table__
KEY_WIDTH = _TABLE.c.key.type.length
_SQLITE_INSERT = "INSERT INTO match_key (key, record_kind, record_id) VALUES (?, ?, ?)"


def keys_of(person: Person) -> set[str]:
    """Return the keys `person` is indexed and probed under, cut to the column's width."""
    return {key[:KEY_WIDTH] for key in match_keys(person)}


def probe_keys_of(person: Person) -> set[str]:
    """Return the keys a screening of `person` looks up (its stored keys and their near-date forms)."""
    return {key[:KEY_WIDTH] for key in probe_keys(person)}


def index_record(session: Session, kind: str, record) -> set[str]:
    """Make the stored keys of `record` match its identity; the caller commits."""
    wanted = keys_of(person_from(record))
    query = select(_TABLE.c.key).where(_TABLE.c.record_kind == kind, _TABLE.c.record_id == record.id)
    stored = set(session.execute(query).scalars())
    stale = stored - wanted
    if stale:
        session.execute(_delete_keys(kind, [record.id]).where(_TABLE.c.key.in_(stale)))
    add_keys(session, kind, [(record.id, wanted - stored)])
    return wanted


def drop_record(session: Session, kind: str, record_id: int) -> None:
    """Remove every key of one record (it was deleted or is no longer screenable)."""
    session.execute(_delete_keys(kind, [record_id]))


def drop_records(session: Session, kind: str, record_ids: list[int]) -> None:
    """Remove every key of many records in one statement."""
    if record_ids:
        session.execute(_delete_keys(kind, record_ids))


def add_keys(session: Session, kind: str, keyed: Iterable[tuple[int, Iterable[str]]]) -> int:
    """Insert the keys of many records with one executemany; return how many were written."""
    rows = [(k, kind, rid) for rid, keys in keyed for k in keys]
    if not rows:
        return 0
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        # COPY in the session's own transaction: an order of magnitude faster than executemany
        # for the ten-odd keys each imported record brings.
        cursor = connection.connection.driver_connection.cursor()
        with cursor, cursor.copy("COPY match_key (key, record_kind, record_id) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    else:
        # Plain tuples through the driver's executemany: building a dict and a bound parameter set
        # per key cost more than SQLite's own insert.
        connection.exec_driver_sql(_SQLITE_INSERT, rows)
    return len(rows)


def _delete_keys(kind: str, record_ids: list[int]):
    """Build the DELETE of the keys of `record_ids`."""
    return delete(_TABLE).where(_TABLE.c.record_kind == kind, _TABLE.c.record_id.in_(record_ids))


def reindex_kind(session: Session, kind: str, *, batch: int = 5000, on_batch=None) -> int:
    """Rebuild the keys of every record of `kind` in one transaction (after the key scheme changes)."""
    table = KIND_MODELS[kind].__table__
    session.execute(delete(_TABLE).where(_TABLE.c.record_kind == kind))
    last_id, written = 0, 0
    while rows := session.execute(
        select(table).where(table.c.id > last_id).order_by(table.c.id).limit(batch)
    ).all():
        written += add_keys(session, kind, [(row.id, keys_of(person_from(row))) for row in rows])
        last_id = rows[-1].id
        if on_batch:
            on_batch(len(rows))
    session.commit()
    return written

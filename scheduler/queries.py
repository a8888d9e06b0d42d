"""The statements the scheduler runs for itself: its leader lock, a PostgreSQL advisory lock.

They live here, not in `licensing`, because the lock is the job process's own coordination, not a record
of the register: `licensing` knows nothing of the scheduler. They run on a connection of their own in
autocommit, outside any unit of work, since a session-level advisory lock belongs to its connection.
The statements about alerts and their deliveries are licensing/alerts/queries.py's.
"""

from sqlalchemy import text
from sqlalchemy.engine import Connection


def try_advisory_lock(connection: Connection, key: int) -> bool:
    """Take the session-level advisory lock `key` if it is free; tell whether it was taken."""
    return bool(connection.scalar(text("SELECT pg_try_advisory_lock(:key)"), {"key": key}))


def advisory_unlock(connection: Connection, key: int) -> bool:
    """Give up the session-level advisory lock `key`; tell whether this connection held it."""
    return bool(connection.scalar(text("SELECT pg_advisory_unlock(:key)"), {"key": key}))


def ping(connection: Connection) -> None:
    """Ask the database for nothing, which raises if the connection is gone."""
    connection.scalar(text("SELECT 1"))

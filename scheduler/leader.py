"""Leader election: periodic jobs run on one scheduler only, the holder of a PostgreSQL advisory lock.

A session-level advisory lock belongs to one connection; it is released when that connection closes,
including when its process is killed, so a follower takes over at its next try. SQLite has one
scheduler by design (docs/reference.md, processes), which is therefore always the leader.
"""

import logging

from sqlalchemy.engine import Connection, Engine

from licensing.persistence.db import advisory_unlock, answers, is_sqlite, try_advisory_lock

log = logging.getLogger("crosscheck.scheduler")
# An arbitrary, fixed 64-bit key naming "the Crosscheck scheduler leader" among advisory locks.
LEADER_LOCK_KEY = 0x43524F5353434B01


class Leadership:
    """Hold, check and give up the leader lock on a connection of its own."""

    def __init__(self, engine: Engine):
        """Prepare to contend for leadership on `engine`'s database."""
        self.engine = engine
        self.connection: Connection | None = None

    def is_leader(self) -> bool:
        """Tell whether this process leads now, trying to take the lock if it does not."""
        if is_sqlite(self.engine):
            return True
        if self.connection is not None and self._still_held():
            return True
        return self._try_acquire()

    def release(self) -> None:
        """Give up the lock by closing its connection for good."""
        if self.connection is not None:
            try:  # unlock at once: the server notices a closed connection a moment later
                advisory_unlock(self.connection, LEADER_LOCK_KEY)
            except Exception:
                log.warning("could not unlock the leader lock; closing its connection releases it")
            # Invalidate, not close: close() would return the connection to the pool with the
            # session-level lock still held, and nobody could ever lead again.
            self.connection.invalidate()
            self.connection.close()
            self.connection = None

    def _try_acquire(self) -> bool:
        """Try once to take the lock on a fresh connection; keep the connection only if it was taken."""
        self.release()
        try:
            connection = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
            taken = try_advisory_lock(connection, LEADER_LOCK_KEY)
        except Exception:  # the database is away: not the leader now, try again at the next tick
            log.exception("leader election failed")
            return False
        if not taken:
            connection.close()
            return False
        self.connection = connection
        log.info("became the leader")
        return True

    def _still_held(self) -> bool:
        """Tell whether the lock's connection is alive (a dropped connection has lost the lock)."""
        try:
            answers(self.connection)
            return True
        except Exception:
            log.warning("lost the leader lock's connection")
            self.release()
            return False

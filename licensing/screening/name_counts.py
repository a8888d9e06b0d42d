"""How common each name is in the register, and how many records it holds, for the matching engine.

A shared "Mohammed Khan" is weak evidence and a shared rare surname strong: the engine blends the
register's own counts into its prior of name shares (licensing/matching/frequencies.py). The counts come
from name_count, kept by licensing/screening/key_index.py in the same transaction as each record's keys, and
so does the number of records counted (one row under TOTAL_KEY): counts and total are one consistent snapshot.

Both are read whole at most once per TTL per database and process: a screening must not cost a round
trip for the names it meets, and the table holds one row per distinct name group (a few hundred thousand
at most for a national register: some megabytes per process). A process whose snapshot is older than
the register is never far off: the prior weighs as much as ten thousand records, so a small register's
counts hardly move a share, and a large one's move it by no more than the records added since.
"""

import time
from functools import lru_cache

from sqlmodel import Session

from licensing.screening import queries
from licensing.screening.key_index import TOTAL_KEY, key_hash

TTL_SECONDS = 600.0
# Name keys repeat endlessly ("gn:mohammed"); hash each spelling once.
_name_hash = lru_cache(maxsize=100_000)(key_hash)
# Per database URL: (when read, every key's hash -> its count, the total under TOTAL_KEY).
_COUNTS: dict[str, tuple[float, dict[int, int]]] = {}


class KeyFrequencies:
    """A Frequencies backed by the register's name counts."""

    def __init__(self, session: Session, now: float | None = None):
        """Bind to the counts of `session`'s database, read at most once per TTL."""
        self.counts = name_counts(session, now)
        self.total = self.counts.get(TOTAL_KEY, 0)

    def __eq__(self, other) -> bool:
        """Tell whether `other` answers from the same counts: the engine's caches then outlive a screening."""
        return isinstance(other, KeyFrequencies) and other.counts is self.counts

    def __hash__(self) -> int:
        """Hash as the counts snapshot this answers from."""
        return id(self.counts)

    def count(self, key: str) -> int:
        """Return how many records carry name key `key` (0 when unseen)."""
        return self.counts.get(_name_hash(key), 0)


def name_counts(session: Session, now: float | None = None) -> dict[int, int]:
    """Return the count of every name key by its hash, read whole at most once per TTL per database."""
    url = str(session.get_bind().engine.url)  # bound to an engine, or to one of its connections
    moment = time.monotonic() if now is None else now
    cached = _COUNTS.get(url)
    if cached is None or moment - cached[0] >= TTL_SECONDS:
        cached = _COUNTS[url] = (moment, queries.name_count_rows(session))
    return cached[1]


def forget_totals() -> None:
    """Drop the cached name counts (after a bulk import, or between tests)."""
    _COUNTS.clear()

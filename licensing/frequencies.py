"""How common each name is in the register, and how many records it holds, for the matching engine.

A shared "Mohammed Khan" is weak evidence and a shared rare surname strong: the engine asks
`share("sn:khan")`, answered from name_count (kept by licensing/keys.py as records are indexed) over
the number of records. Both are read whole at most once per TTL per database and process: a screening
must not cost a count over a million rows, nor a round trip for the names it meets, and a name's share
hardly moves in ten minutes. The table holds one row per distinct name group (a few hundred thousand
at most for a national register: some megabytes per process).
"""

import time
from functools import lru_cache

from sqlalchemy import func, select
from sqlmodel import Session

from licensing.keys import key_hash
from licensing.models import Application, Intelligence, Licence, NameCount, RegisterEntry

TTL_SECONDS = 600.0
# Name keys repeat endlessly ("gn:mohammed"); hash each spelling once.
_name_hash = lru_cache(maxsize=100_000)(key_hash)
_NAMES = NameCount.__table__
# Per database URL: (when counted, value).
_TOTALS: dict[str, tuple[float, int]] = {}
_COUNTS: dict[str, tuple[float, dict[int, int]]] = {}  # every name key's hash -> its count


class KeyFrequencies:
    """A Frequencies backed by the register's name counts."""

    def __init__(self, session: Session, total: int | None = None, now: float | None = None):
        """Bind to `session`; `total` overrides the record count (tests, benchmarks)."""
        self.total = total if total is not None else record_total(session, now)
        self.counts = name_counts(session, now)

    def __eq__(self, other) -> bool:
        """Tell whether `other` answers from the same counts: the engine's caches then outlive a screening."""
        return isinstance(other, KeyFrequencies) and other.counts is self.counts and other.total == self.total

    def __hash__(self) -> int:
        """Hash as the counts snapshot and total this answers from."""
        return hash((id(self.counts), self.total))

    def share(self, key: str) -> float:
        """Return the fraction of records carrying name key `key` (0 when unseen or the register is empty)."""
        return min(1.0, self.counts.get(_name_hash(key), 0) / self.total) if self.total else 0.0


def name_counts(session: Session, now: float | None = None) -> dict[int, int]:
    """Return the count of every name key by its hash, read whole at most once per TTL per database."""
    query = select(_NAMES.c.key_hash, _NAMES.c.count).where(_NAMES.c.count > 0)
    return _fresh(_COUNTS, str(session.get_bind().url), now, lambda: dict(session.execute(query).all()))


def record_total(session: Session, now: float | None = None) -> int:
    """Return how many records the index can hold, counted at most once per TTL per database."""
    models = (RegisterEntry, Licence, Application, Intelligence)
    return _fresh(
        _TOTALS,
        str(session.get_bind().url),
        now,
        lambda: sum(session.scalar(select(func.count()).select_from(m.__table__)) for m in models),
    )


def _fresh(cache: dict, url: str, now: float | None, make):
    """Return the cached value for `url`, made anew when missing or older than the TTL."""
    moment = time.monotonic() if now is None else now
    cached = cache.get(url)
    if cached is None or moment - cached[0] >= TTL_SECONDS:
        cached = cache[url] = (moment, make())
    return cached[1]


def forget_totals() -> None:
    """Drop the cached record totals and name counts (after a bulk import, or between tests)."""
    _TOTALS.clear()
    _COUNTS.clear()

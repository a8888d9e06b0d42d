"""How common each name is in the register, and how many records it holds, for the matching engine.

A shared "Mohammed Khan" is weak evidence and a shared rare surname strong: the engine asks
`share("sn:khan")`, answered from name_count (kept by licensing/keys.py as records are indexed) over
the number of records. Both are read at most once per TTL per database and process: a screening must
not cost a count over a million rows, and a name's share hardly moves in ten minutes.
"""

import time
from collections.abc import Iterable
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
_COUNTS: dict[str, tuple[float, dict[int, int]]] = {}


class KeyFrequencies:
    """A Frequencies backed by the register's name counts."""

    def __init__(self, session: Session, total: int | None = None, now: float | None = None):
        """Bind to `session`; `total` overrides the record count (tests, benchmarks)."""
        self.session = session
        self.total = total if total is not None else record_total(session, now)
        self.counts = _fresh(_COUNTS, str(session.get_bind().url), now, dict)

    def share(self, key: str) -> float:
        """Return the fraction of records carrying name key `key` (0 when unseen or the register is empty)."""
        hashed = _name_hash(key)
        if hashed not in self.counts:
            self.load([key])
        return min(1.0, self.counts[hashed] / self.total) if self.total else 0.0

    def load(self, keys: Iterable[str]) -> None:
        """Read the counts of many name keys in one query (primary-key lookups) and cache them."""
        missing = [h for h in {_name_hash(k) for k in keys} if h not in self.counts]
        for start in range(0, len(missing), 1000):
            chunk = missing[start : start + 1000]
            found = dict(self.session.execute(select(_NAMES).where(_NAMES.c.key_hash.in_(chunk))).all())
            self.counts.update({h: max(found.get(h, 0), 0) for h in chunk})


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

"""How common each match key is in the register, read from the match_key table's own counts.

A shared "Mohammed Khan" key is weak evidence and a shared rare surname strong: the engine asks
`share(key)`. Counts are cached per instance, so make one instance per screening or per bulk run.
The denominator (how many records there are) is counted at most once per TTL per database,
because counting a million rows on every single screening would cost more than the screening.
"""

import time
from collections.abc import Iterable

from sqlalchemy import func, select
from sqlmodel import Session

from licensing.models import Application, Intelligence, Licence, MatchKey, RegisterEntry

TOTAL_TTL_SECONDS = 600.0
_TABLE = MatchKey.__table__
_TOTALS: dict[str, tuple[float, int]] = {}


class KeyFrequencies:
    """A Frequencies backed by match_key counts, cached for the life of one run."""

    def __init__(self, session: Session, total: int | None = None):
        """Bind to `session`; `total` overrides the record count (tests, benchmarks)."""
        self.session = session
        self.total = total if total is not None else record_total(session)
        self.counts: dict[str, int] = {}

    def share(self, key: str) -> float:
        """Return the fraction of records carrying `key` (0 when unseen or the register is empty)."""
        if key not in self.counts:
            self.load([key])
        return min(1.0, self.counts[key] / self.total) if self.total else 0.0

    def observe(self, key: str, count: int) -> None:
        """Remember a count already known from an index probe, saving a query."""
        self.counts[key] = count

    def load(self, keys: Iterable[str]) -> None:
        """Count many keys in one indexed GROUP BY query and cache them."""
        missing = [k for k in set(keys) if k not in self.counts]
        for start in range(0, len(missing), 1000):
            chunk = missing[start : start + 1000]
            query = select(_TABLE.c.key, func.count()).where(_TABLE.c.key.in_(chunk)).group_by(_TABLE.c.key)
            found = dict(self.session.execute(query).all())
            self.counts.update({k: found.get(k, 0) for k in chunk})


def record_total(session: Session, now: float | None = None) -> int:
    """Return how many screenable records exist, counted at most once per TTL per database."""
    url = str(session.get_bind().url)
    moment = time.monotonic() if now is None else now
    cached = _TOTALS.get(url)
    if cached and moment - cached[0] < TOTAL_TTL_SECONDS:
        return cached[1]
    total = sum(
        session.scalar(select(func.count()).select_from(model.__table__))
        for model in (RegisterEntry, Licence, Application, Intelligence)
    )
    _TOTALS[url] = (moment, total)
    return total


def forget_totals() -> None:
    """Drop the cached record counts (after a bulk import, or between tests)."""
    _TOTALS.clear()

"""How common a name is: the u-probability of name agreement in Fellegi-Sunter scoring.

The register answers `share("sn:<surname group>")` and `share("gn:<given-name group>")` (the keys that
`frequency_keys` yields for each record). Where it cannot (no frequencies, or a key it never counted) a
small table of the commonest names among drivers stands in, so "Mohammed Khan" is never strong evidence.
"""

import csv
from collections import Counter
from collections.abc import Iterable
from functools import cache

from licensing.matching.names import DATA, group_key
from licensing.matching.normalise import normal_token

SURNAME, GIVEN = "sn", "gn"
# Share assumed for a name the table does not list: roughly the median British surname / forename.
DEFAULT_SHARE = {SURNAME: 0.001, GIVEN: 0.003}
# Bounds keep one rare name from outweighing everything else, and one very common name from counting
# as nothing at all.
FLOOR = {SURNAME: 0.0001, GIVEN: 0.0003}
CEILING = 0.5


@cache
def _common() -> dict[str, float]:
    """Return the built-in shares of the commonest group keys, as {"sn:khan": 0.04, ...}."""
    with (DATA / "common_names.tsv").open(encoding="utf-8") as handle:
        rows = csv.DictReader(handle, delimiter="\t")
        kinds = {"surname": SURNAME, "given": GIVEN}
        return {f"{kinds[r['kind']]}:{group_key(normal_token(r['name']))}": float(r["share"]) for r in rows}


def share(frequencies, kind: str, group: str) -> float:
    """Return the share of records whose name of `kind` falls in `group`, bounded and never zero."""
    key = f"{kind}:{group}"
    value = frequencies.share(key) if frequencies is not None else 0.0
    if not value or value <= 0:
        value = _common().get(key, DEFAULT_SHARE[kind])
    return min(max(value, FLOOR[kind]), CEILING)


class NameFrequencies:
    """Frequencies counted from a collection of people (tests, benchmarks, an in-memory register)."""

    def __init__(self, counts: Counter, total: int):
        """Keep `counts` of frequency keys over `total` records."""
        self.counts = counts
        self.total = max(total, 1)

    @classmethod
    def from_people(cls, people: Iterable) -> "NameFrequencies":
        """Count the frequency keys of every person."""
        from licensing.matching.keys import frequency_keys

        counts: Counter = Counter()
        total = 0
        for person in people:
            counts.update(frequency_keys(person))
            total += 1
        return cls(counts, total)

    def share(self, key: str) -> float:
        """Return the fraction of counted records carrying `key`."""
        return self.counts.get(key, 0) / self.total

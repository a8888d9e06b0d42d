"""How common a name is: the u-probability of name agreement in Fellegi-Sunter scoring.

A name's share is a blend of two estimates. The prior is a table of name shares among licensed drivers
nationally, shipped with the engine (data/name_shares.csv; data/README.md says where it comes from).
The register's own counts (`count("sn:<surname group>")` over `total` records, the keys that
`frequency_keys` yields for each record) are blended in as they grow, as if the prior had been seen in
PRIOR_WEIGHT records:

    share = (count + PRIOR_WEIGHT * prior) / (total + PRIOR_WEIGHT)

So a register of ten records weighs a pair as a register of a million does: two records out of six
sharing a name make it no commoner than the prior says, while a national register's own counts
outweigh the prior a hundred to one. A name no record carries keeps its prior at any size: it is an
applicant's own spelling (a typo, another romanisation), and a count of none says nothing of how
common the name he means is; taken as one in a million it would weigh a misspelt "Hussian" as a rare
name.
"""

import csv
from collections import Counter
from collections.abc import Iterable
from functools import cache

from licensing.matching.keys import frequency_keys
from licensing.matching.names import DATA, GIVEN, SURNAME, group_key
from licensing.matching.normalise import normal_token

# The register outweighs the prior once it holds more records than this.
PRIOR_WEIGHT = 10_000
# Prior share of a name the table does not list: roughly the median British surname / forename.
DEFAULT_SHARE = {SURNAME: 0.001, GIVEN: 0.003}
# Bounds keep one rare name from outweighing everything else, and one very common name from counting
# as nothing at all.
FLOOR = {SURNAME: 0.0001, GIVEN: 0.0003}
CEILING = 0.5


@cache
def prior_shares() -> dict[str, float]:
    """Return the shipped prior share of each listed group key, as {"sn:khan": 0.043, ...}."""
    with (DATA / "name_shares.csv").open(encoding="utf-8") as handle:
        kinds = {"surname": SURNAME, "given": GIVEN}
        return {
            f"{kinds[r['kind']]}:{group_key(normal_token(r['name']))}": float(r["share"])
            for r in csv.DictReader(handle)
        }


def share(frequencies, kind: str, group: str) -> float:
    """Return the share of records whose name of `kind` falls in `group`, bounded and never zero."""
    key = f"{kind}:{group}"
    value = prior_shares().get(key, DEFAULT_SHARE[kind])
    count = frequencies.count(key) if frequencies is not None else 0
    if count:
        value = (count + PRIOR_WEIGHT * value) / (frequencies.total + PRIOR_WEIGHT)
    return min(max(value, FLOOR[kind]), CEILING)


class NameFrequencies:
    """Frequencies counted from a collection of people (tests, benchmarks, an in-memory register)."""

    def __init__(self, counts: Counter, total: int):
        """Keep `counts` of frequency keys over `total` records."""
        self.counts = counts
        self.total = total

    @classmethod
    def from_people(cls, people: Iterable) -> "NameFrequencies":
        """Count the frequency keys of every person."""
        counts: Counter = Counter()
        total = 0
        for person in people:
            counts.update(frequency_keys(person))
            total += 1
        return cls(counts, total)

    def count(self, key: str) -> int:
        """Return how many counted records carry `key`."""
        return self.counts.get(key, 0)

"""Write the matching engine's prior of name shares from the driver population model.

    python -m bench.name_shares [--people 1000000] [--seed 1]

There is no published count of licensed drivers' names. The synthetic generator's population model
(licensing/synthetic/names.py: the heritage mix of licensed drivers and, within each heritage, the commonest
names and how often each is given) is the estimate this project has; this draws `--people` drivers from
it and writes the share of drivers whose surname or given names fall in each name group to
licensing/matching/data/name_shares.csv, the groups rarer than MIN_SHARE left out (the engine gives an
unlisted name a default share). The register's own counts replace the prior as the register grows.
"""

import argparse
import csv
import random
from collections import Counter
from pathlib import Path

from licensing.matching import frequency_keys, person_of
from licensing.synthetic import generator

OUT = Path(__file__).resolve().parent.parent / "licensing" / "matching" / "data" / "name_shares.csv"
MIN_SHARE = 0.0002
KINDS = {"sn": "surname", "gn": "given"}


def shares(people: int, seed: int) -> dict[str, float]:
    """Return the share of `people` drawn drivers carrying each frequency key."""
    counts: Counter = Counter()
    for row in generator.people(people, random.Random(seed)):
        counts.update(frequency_keys(person_of(row)))
    return {key: n / people for key, n in counts.items()}


def write(found: dict[str, float], path: Path = OUT) -> int:
    """Write the shares at or above MIN_SHARE, commonest first, to three significant figures."""
    rows = sorted(((k, v) for k, v in found.items() if v >= MIN_SHARE), key=lambda kv: (-kv[1], kv[0]))
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle, lineterminator="\n")
        out.writerow(["kind", "name", "share"])
        for key, value in rows:
            kind, name = key.split(":", 1)
            out.writerow([KINDS[kind], name, f"{value:.3g}"])
    return len(rows)


def main(argv=None) -> None:
    """Parse options, draw the drivers and write the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    written = write(shares(args.people, args.seed))
    print(f"{written} name groups written to {OUT.relative_to(OUT.parents[3])}")


if __name__ == "__main__":
    main()

"""The one synthetic data generator: people, licences and register entries, deterministic from a seed.

Shared by the tests, `flask demo seed` and the benchmarks. Every row has the columns of the CSV
formats in docs/reference.md; dates are `datetime.date` objects until `write_csv` writes them in ISO
form. No row describes a real person: names, addresses and numbers are drawn at random from the pools in
this package (names.py, places.py).

    python -m licensing.synthetic.generator people 1000 --seed 1 --out people.csv
    python -m licensing.synthetic.generator register 40 --seed 1 --out entries.csv
    python -m licensing.synthetic.generator licences 300 --seed 1 --authorities E08000031,E08000039
    python -m licensing.synthetic.generator nr3s 10000 --seed 1 --authorities E08000031

An NR3S file (`nr3s_records`, `write_nr3s`) is one council's records as NR3S holds them: its headings,
day-first dates and decision words, and no sex, previous names or council reference (docs/nr3s.md).
"""

import argparse
import csv
import random
import sys
from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path
from typing import TextIO

from licensing.imports.formats import LICENCE_COLUMNS, PEOPLE_COLUMNS, REGISTER_COLUMNS
from licensing.imports.nr3s import EXPORT_DATE, EXPORT_HEADINGS
from licensing.synthetic.people import REFERENCE_DATE, make_person
from licensing.synthetic.records import BadgeNumbers, licence_fields, nr3s_fields, register_fields

REGISTER_ENTRY_COLUMNS = REGISTER_COLUMNS
# The columns NR3S holds, in the order an NR3S file gives them.
NR3S_FILE_COLUMNS = ("nr3s_ref", "licensing_authority", "family_name", "given_names", "date_of_birth",
                     "address", "postcode", "ni_number", "driving_licence_number", "decision",
                     "decided_on", "effective_on")  # fmt: skip
# Wolverhampton, Sheffield, Rotherham, Bradford, Cardiff, Glasgow: the demo's authorities.
DEFAULT_AUTHORITY_CODES = ("E08000031", "E08000039", "E08000018", "E08000032", "W06000015", "S12000049")

__all__ = [
    "LICENCE_COLUMNS",
    "NR3S_FILE_COLUMNS",
    "PEOPLE_COLUMNS",
    "REFERENCE_DATE",
    "REGISTER_COLUMNS",
    "REGISTER_ENTRY_COLUMNS",
    "licences",
    "make_person",
    "nr3s_records",
    "people",
    "register_entries",
    "write_csv",
    "write_nr3s",
    "write_rows",
]


def people(n: int, seed: int | random.Random = 0, prefix: str = "P") -> list[dict]:
    """Return `n` synthetic people with refs P000001, P000002, ...; the same seed gives the same people."""
    rng = _rng(seed)
    return [make_person(rng, ref=f"{prefix}{i:06d}") for i in range(1, n + 1)]


def licences(
    who: int | Iterable[dict],
    seed: int | random.Random = 0,
    authority_codes: Sequence[str] = DEFAULT_AUTHORITY_CODES,
    *,
    today: date = REFERENCE_DATE,
) -> list[dict]:
    """Return licence rows for `who`: a number of new people (refs L...), or people rows to license."""
    rng = _rng(seed)
    badges = BadgeNumbers(rng)
    rows = []
    for person in _people(who, rng, "L"):
        code = rng.choice(authority_codes)
        rows.append(dict(person) | licence_fields(rng, code, badges.take(code), today))
    return rows


def register_entries(
    who: int | Iterable[dict],
    seed: int | random.Random = 0,
    authority_codes: Sequence[str] = DEFAULT_AUTHORITY_CODES,
    *,
    today: date = REFERENCE_DATE,
) -> list[dict]:
    """Return register-entry rows for `who`: a number of new people (refs R...), or people rows."""
    rng = _rng(seed)
    return [
        dict(p) | register_fields(rng, rng.choice(authority_codes), today) for p in _people(who, rng, "R")
    ]


def nr3s_records(
    who: int | Iterable[dict],
    seed: int | random.Random = 0,
    authority_code: str = DEFAULT_AUTHORITY_CODES[0],
    *,
    today: date = REFERENCE_DATE,
) -> list[dict]:
    """Return one council's NR3S records for `who`: a number of new people, or people rows.

    Keyed by our column names (write them with `write_nr3s`); references NR3S-00000001, ...
    """
    rng = _rng(seed)
    return [
        {name: person.get(name) for name in NR3S_FILE_COLUMNS}
        | nr3s_fields(rng, authority_code, number, today)
        for number, person in enumerate(_people(who, rng, "N"), start=1)
    ]


def write_nr3s(handle: TextIO, rows: Iterable[dict], columns: Sequence[str] = NR3S_FILE_COLUMNS) -> int:
    """Write NR3S records to an open text stream under NR3S's headings, dates day first; return how many."""
    writer = csv.writer(handle, lineterminator="\n")
    writer.writerow([EXPORT_HEADINGS[c] for c in columns])
    count = 0
    for row in rows:
        writer.writerow([_nr3s_cell(row.get(c)) for c in columns])
        count += 1
    return count


def _nr3s_cell(value) -> str:
    """Return a value as NR3S file text: dates day first, empty for None."""
    return value.strftime(EXPORT_DATE) if isinstance(value, date) else _cell(value)


def write_csv(path: str | Path, rows: Iterable[dict], columns: Sequence[str]) -> int:
    """Write `rows` as UTF-8 CSV with a header row and ISO dates; return how many rows were written."""
    with Path(path).open("w", newline="", encoding="utf-8") as handle:
        return write_rows(handle, rows, columns)


def write_rows(handle: TextIO, rows: Iterable[dict], columns: Sequence[str]) -> int:
    """Write a header and `rows` as CSV to an open text stream; return how many rows were written."""
    writer = csv.DictWriter(handle, fieldnames=list(columns), extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    count = 0
    for row in rows:
        writer.writerow({c: _cell(row.get(c)) for c in columns})
        count += 1
    return count


def _people(who: int | Iterable[dict], rng: random.Random, prefix: str) -> Iterable[dict]:
    """Return `who` if it is rows, or that many new people drawn from `rng`."""
    if isinstance(who, int):
        return [make_person(rng, ref=f"{prefix}{i:06d}") for i in range(1, who + 1)]
    return who


def _rng(seed: int | random.Random) -> random.Random:
    """Return `seed` if it is already a generator, or a new one seeded with it."""
    return seed if isinstance(seed, random.Random) else random.Random(seed)


def _cell(value) -> str:
    """Return a value as CSV text: ISO dates, empty for None."""
    if value is None:
        return ""
    return value.isoformat() if isinstance(value, date) else str(value)


KINDS = {
    "people": (people, PEOPLE_COLUMNS),
    "licences": (licences, LICENCE_COLUMNS),
    "register": (register_entries, REGISTER_ENTRY_COLUMNS),
    "nr3s": (nr3s_records, NR3S_FILE_COLUMNS),
}


def main(argv: list[str] | None = None) -> int:
    """Write synthetic rows of one kind to a CSV file (or standard output)."""
    parser = argparse.ArgumentParser(prog="python -m licensing.synthetic.generator", description=main.__doc__)
    parser.add_argument("kind", choices=list(KINDS))
    parser.add_argument("n", type=int)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--authorities", default=",".join(DEFAULT_AUTHORITY_CODES), help="comma-separated GSS codes"
    )
    parser.add_argument("--out", default="-", help="file to write; '-' for standard output")
    args = parser.parse_args(argv)
    make, columns = KINDS[args.kind]
    extra = () if args.kind == "people" else (args.authorities.split(","),)
    if args.kind == "nr3s":  # one council's file
        extra = (args.authorities.split(",")[0],)
    rows = make(args.n, args.seed, *extra)
    if args.kind == "nr3s":
        count = _write_nr3s_to(args.out, rows)
    elif args.out == "-":
        count = write_rows(sys.stdout, rows, columns)
    else:
        count = write_csv(args.out, rows, columns)
    print(f"Wrote {count} {args.kind} rows (seed {args.seed}) to {args.out}.", file=sys.stderr)
    return 0


def _write_nr3s_to(out: str, rows: list[dict]) -> int:
    """Write an NR3S file to `out` ('-': standard output)."""
    if out == "-":
        return write_nr3s(sys.stdout, rows)
    with Path(out).open("w", newline="", encoding="utf-8") as handle:
        return write_nr3s(handle, rows)


if __name__ == "__main__":
    sys.exit(main())

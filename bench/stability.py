"""Stability benchmark: the same labelled pairs scored against registers of very different sizes.

    bench/.venv/bin/python -m bench.stability [--sizes 10,1000,100000,1000000] [--pairs 500] [--seed 1]
        [--db sqlite|postgres] [--doors-register 1000]

Each register holds N records from the generator: N - 1 drawn at random and imported through the CLI,
plus, one pair at a time, the pair's register entry recorded through the register service in a
transaction that is rolled back once the pair is scored. The applicant is screened as a screening
does (licensing.screening.service.find_candidates with the register's own name counts, read fresh), so the
figures include candidate generation: a record no key finds is "unfound".

Reported: the share of pairs whose band differs between any two sizes, the largest score drift of a
true match, the true matches found at the largest size but not at the smallest, and, on one register,
the same pairs screened through the API, the CLI (`flask register screen`) and the officer pages (a
new application's screening), with the largest difference between them. Writes
bench/out/stability-<seed>.json and prints Markdown.
"""

import argparse
import csv
import json
import os
import platform
import random
import time
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import select

from bench import corrupt, labelled
from bench.quality import OUT, add_authorities, flask
from bench.speed import fresh_database
from licensing.actors import Actor
from licensing.matching import DEFAULT_THRESHOLDS, band, person_of
from licensing.persistence import unit_of_work
from licensing.persistence.db import make_engine
from licensing.persistence.models import Authority
from licensing.register.entries import record_entry
from licensing.screening.name_counts import KeyFrequencies, forget_totals
from licensing.screening.service import find_candidates
from licensing.synthetic import generator

TODAY = generator.REFERENCE_DATE
NOW = datetime(TODAY.year, TODAY.month, TODAY.day, 12)
TRUE_SHARE = 0.75  # of the pairs; the rest are look-alikes who must not match


@dataclass
class Pair:
    """An applicant and the register entry he is (true) or only resembles (look-alike)."""

    ref: str
    applicant: dict
    entry: dict
    kind: str
    true: bool


def labelled_pairs(n: int, seed: int) -> list[Pair]:
    """Return `n` pairs: true matches spread over every corruption kind, then look-alikes over theirs."""
    rng = random.Random(seed)
    pool = generator.people(3 * n, rng, prefix="S")
    entries = generator.register_entries(labelled._refs(pool[:n], "Q"), rng, today=TODAY)
    others = pool[n:]
    pairs, kinds, lookalikes = [], corrupt.all_kinds(), list(corrupt.LOOKALIKES)
    n_true = int(n * TRUE_SHARE)
    for i, entry in enumerate(entries):
        person = labelled._as_person(entry)
        if i < n_true:
            kind, applicant = _disguise(kinds, i, person, rng, others[i])
        else:
            kind = lookalikes[i % len(lookalikes)]
            applicant = corrupt.LOOKALIKES[kind](person, rng, others[i])
        pairs.append(Pair(f"A{i:06d}", applicant | {"ref": f"A{i:06d}"}, entry, kind, i < n_true))
    return pairs


def _disguise(kinds: list[str], i: int, person: dict, rng, other: dict) -> tuple[str, dict]:
    """Return the first corruption kind from the i-th on that applies to `person`, and its result."""
    for step in range(len(kinds)):
        kind = kinds[(i + step) % len(kinds)]
        changed = corrupt.corrupt(kind, person, rng, other)
        if changed is not None and labelled.differs(person, changed):
            return kind, changed
    raise RuntimeError(f"no corruption applies to {person['ref']}")


def base_register(url: str, size: int, seed: int, work: Path) -> None:
    """Import `size` generator records (30% register entries, 70% licences) through the CLI."""
    rng = random.Random(seed + 1000)
    people = generator.people(size, rng, prefix="B")
    cut = int(size * labelled.ENTRY_SHARE)
    files = {
        "register": (generator.register_entries(people[:cut], rng, today=TODAY), generator.REGISTER_COLUMNS),
        "licences": (generator.licences(people[cut:], rng, today=TODAY), generator.LICENCE_COLUMNS),
    }
    paths = []
    for name, (rows, columns) in files.items():
        path = work / f"base-{size}-{name}.csv"
        generator.write_csv(path, rows, columns)
        paths.append(path)
    add_authorities(url, paths)
    for path, command in zip(paths, ("register", "licences"), strict=True):
        flask(url, command, "import", str(path))


def score_pairs(url: str, pairs: list[Pair]) -> dict[str, tuple[float, str | None]]:
    """Record each pair's entry, screen its applicant, roll back; return ref -> (score, band)."""
    engine = make_engine(url)
    scores = {}
    unit = unit_of_work.writing(engine)  # its work is undone after each pair, and never kept
    session = unit.session
    authorities = dict(session.execute(select(Authority.code, Authority.id)).all())
    for pair in pairs:
        actor = Actor("cli", None, "stability benchmark", authorities[pair.entry["authority_code"]])
        entry = record_entry(session, actor, _entry_fields(pair.entry), NOW)
        forget_totals()
        person = _person(pair.applicant)
        found = find_candidates(session, {0: person}, KeyFrequencies(session), kinds=("register_entry",))
        score = next((c.score for c in found[0] if c.id == entry.id), 0.0)
        scores[pair.ref] = (score, band(score))
        unit.undo()
    unit.end(succeeded=False)
    engine.dispose()
    return scores


def _entry_fields(row: dict) -> dict:
    """Return a generator register row as the register service's fields."""
    return {k: v for k, v in row.items() if k != "authority_code"}


def _person(row: dict):
    """Return a people row (dates as date objects or ISO text) as a Person."""
    values = labelled._as_person(row)
    if isinstance(values["date_of_birth"], str):
        values["date_of_birth"] = (
            date.fromisoformat(values["date_of_birth"]) if values["date_of_birth"] else None
        )
    return person_of(values)


def stability(by_size: dict[int, dict], pairs: list[Pair]) -> dict:
    """Return the band changes between sizes, the largest true-match drift and the true matches lost."""
    sizes = sorted(by_size)
    changed = [p for p in pairs if len({by_size[n][p.ref][1] for n in sizes}) > 1]
    drift = {p.ref: max(by_size[n][p.ref][0] for n in sizes) - min(by_size[n][p.ref][0] for n in sizes)
             for p in pairs if p.true}  # fmt: skip
    worst = max(drift, key=drift.get)
    smallest, largest = sizes[0], sizes[-1]
    lost = [p.ref for p in pairs if p.true and by_size[largest][p.ref][1] and not by_size[smallest][p.ref][1]]
    return {
        "pairs": len(pairs),
        "band_changed": len(changed),
        "band_changed_share": len(changed) / len(pairs),
        "band_changes": [
            {"ref": p.ref, "kind": p.kind, "true": p.true, **{str(n): by_size[n][p.ref] for n in sizes}}
            for p in changed
        ],
        "largest_true_drift": drift[worst],
        "largest_true_drift_pair": {"ref": worst, **{str(n): by_size[n][worst] for n in sizes}},
        "true_found_at_largest_unfound_at_smallest": lost,
        "true_at_match_by_size": {
            str(n): sum(1 for p in pairs if p.true and by_size[n][p.ref][1] == "match") for n in sizes
        },
    }


def three_doors(pairs: list[Pair], register: int, seed: int, work: Path) -> dict:
    """Screen every applicant through the CLI, the API and the officer pages on one register."""
    url = fresh_database("sqlite", "", work, name="")
    base_register(url, register, seed, work)
    entries = work / "pair-entries.csv"
    generator.write_csv(entries, [p.entry for p in pairs], generator.REGISTER_COLUMNS)
    flask(url, "register", "import", str(entries))
    applicants = work / "pair-applicants.csv"
    generator.write_csv(applicants, [p.applicant for p in pairs], generator.PEOPLE_COLUMNS)
    out = work / "pair-screened.csv"
    flask(url, "register", "screen", str(applicants), "--out", str(out), "--min-score", "0")
    cli = {}
    with out.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            cli[(row["ref"], row["candidate_ref"])] = float(row["score"])
    from bench import doors  # the web app, only for this part

    api, page = doors.screen_through_the_web(url, pairs)
    return _door_differences(pairs, cli, api, page)


def _door_differences(pairs: list[Pair], cli: dict, api: dict, page: dict) -> dict:
    """Return the largest score difference between the three ways in, per pair and overall."""
    rows, missing = [], []
    for p in pairs:
        key = (p.ref, p.entry["ref"])
        found = [d.get(key) for d in (cli, api, page)]
        if any(f is None for f in found) and any(
            f is not None and f >= DEFAULT_THRESHOLDS.weak for f in found
        ):
            missing.append({"ref": p.ref, "cli": found[0], "api": found[1], "page": found[2]})
        seen = [f for f in found if f is not None]
        if len(seen) == 3:
            rows.append(max(seen) - min(seen))
    return {
        "compared": len(rows),
        "largest_difference": max(rows, default=0.0),
        "shown_by_one_door_not_another": missing,
        "note": "the officer page shows scores to two decimals",
    }


def markdown(report: dict) -> str:
    """Render the report's headline figures."""
    s = report["stability"]
    sizes = ", ".join(f"{int(n):,}" for n in report["sizes"])
    lines = [
        f"Machine: {report['machine']['cores']} cores. Registers of {sizes} records; {s['pairs']} pairs "
        f"({report['true_pairs']} true, {s['pairs'] - report['true_pairs']} look-alikes).",
        "",
        "| measure | value |",
        "|---|---:|",
        f"| pairs whose band differs between sizes | {s['band_changed']} ({s['band_changed_share']:.2%}) |",
        f"| largest score drift of a true match | {s['largest_true_drift']:.4f} |",
        f"| true matches found at the largest size, unfound at the smallest | "
        f"{len(s['true_found_at_largest_unfound_at_smallest'])} |",
    ]
    for size, n in s["true_at_match_by_size"].items():
        lines.append(
            f"| true matches at `match`, register of {int(size):,} | {n} of {report['true_pairs']} |"
        )
    if "doors" in report:
        d = report["doors"]
        lines.append(f"| API / CLI / officer page: pairs compared | {d['compared']} |")
        lines.append(
            f"| API / CLI / officer page: largest score difference | {d['largest_difference']:.4f} |"
        )
        lines.append(f"| shown by one way in and not another | {len(d['shown_by_one_door_not_another'])} |")
    return "\n".join(lines)


def run(args) -> dict:
    """Score the pairs at every size (and through the three doors); return the report."""
    work = OUT / f"stability-{args.seed}"
    work.mkdir(parents=True, exist_ok=True)
    pairs = labelled_pairs(args.pairs, args.seed)
    by_size, timings = {}, {}
    for size in args.sizes:
        started = time.perf_counter()
        url = fresh_database(args.db, args.postgres_url, work, name="crosscheck_stability")
        base_register(url, size - 1, args.seed, work)
        by_size[size] = score_pairs(url, pairs)
        timings[str(size)] = round(time.perf_counter() - started, 1)
        print(f"register of {size:,}: scored {len(pairs)} pairs in {timings[str(size)]} s", flush=True)
    report = {
        "machine": {"cores": os.cpu_count(), "python": platform.python_version()},
        "sizes": args.sizes,
        "database": args.db,
        "true_pairs": sum(p.true for p in pairs),
        "by_kind": {p.ref: p.kind for p in pairs},
        "scores": {str(n): by_size[n] for n in args.sizes},
        "stability": stability(by_size, pairs),
        "timings_s": timings,
    }
    if args.doors_register:
        report["doors"] = three_doors(pairs, args.doors_register, args.seed, work)
    return report


def main(argv=None) -> None:
    """Parse options, run, print the table and write the JSON report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes", type=lambda t: [int(x) for x in t.split(",")], default=[10, 1000, 100_000, 1_000_000]
    )
    parser.add_argument("--pairs", type=int, default=500)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--postgres-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--doors-register", type=int, default=1000, help="0 skips the API/CLI/page check")
    args = parser.parse_args(argv)
    report = run(args)
    path = OUT / f"stability-{args.seed}.json"
    path.write_text(json.dumps(report, indent=2, default=str))
    print(markdown(report))
    print(f"\nJSON: {path.relative_to(OUT.parent.parent)}")


if __name__ == "__main__":
    main()

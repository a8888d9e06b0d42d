"""Quality benchmark: Crosscheck against exact surname + DOB search and splink 5, on one labelled set.

    bench/.venv/bin/python -m bench.quality [--register 5000 --true 2000 --lookalikes 1000 --no-match 2000]

Crosscheck runs through its command line (`flask register import`, `flask licences import`,
`flask register screen`) on a fresh SQLite database, the same code path a council's script uses.
Prints a Markdown table and writes bench/out/quality-<seed>.json.
"""

import argparse
import csv
import json
import os
import platform
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from bench import labelled
from bench.metrics import evaluate

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
MATCH = 0.9


def flask(database_url: str, *args: str) -> str:
    """Run one `flask` command against `database_url` and return its output; fail loudly."""
    env = os.environ | {
        "DATABASE_URL": database_url,
        "FLASK_APP": "app:create_app",
        "CROSSCHECK_ENV": "development",
    }
    result = subprocess.run(
        [sys.executable, "-m", "flask", *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise RuntimeError(f"flask {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def fresh_sqlite(directory: Path) -> str:
    """Create an empty, migrated SQLite database in `directory` and return its URL."""
    path = directory / "crosscheck.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    url = f"sqlite:///{path}"
    flask(url, "db", "upgrade")
    return url


def add_authorities(url: str, paths: list[Path]) -> None:
    """Load the reference authorities, then add any other code the register files mention."""
    flask(url, "reference", "load")
    with (ROOT / "licensing" / "reference" / "authorities.csv").open(encoding="utf-8") as handle:
        known = {row["code"] for row in csv.DictReader(handle)}
    codes = set()
    for path in paths:
        with path.open(encoding="utf-8") as handle:
            codes |= {row["authority_code"] for row in csv.DictReader(handle)}
    for code in sorted(codes - known):
        flask(url, "authorities", "add", code, f"Council {code}", "--nation", "england")


def crosscheck(paths: dict[str, Path], work: Path) -> tuple[dict, dict]:
    """Load the register and screen the applicants through the CLI; return scores and timings."""
    url = fresh_sqlite(work)
    add_authorities(url, [paths["register_entries"], paths["licences"]])
    timings = {}
    for name, command in (("register_entries", "register"), ("licences", "licences")):
        started = time.perf_counter()
        flask(url, command, "import", str(paths[name]))
        timings[f"import_{name}_s"] = round(time.perf_counter() - started, 2)
    out = work / "screening.csv"
    started = time.perf_counter()
    flask(url, "register", "screen", str(paths["applicants"]), "--out", str(out), "--min-score", "0")
    timings["screen_s"] = round(time.perf_counter() - started, 2)
    scored: dict[str, list[tuple[str, float]]] = {}
    with out.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            scored.setdefault(row["ref"], []).append((row["candidate_ref"], float(row["score"])))
    return scored, timings


def exact_search(paths: dict[str, Path]) -> dict:
    """Score 1 for every register record with the same surname and DOB (an NR3S-style search)."""
    index: dict[tuple, list[str]] = {}
    for name in ("register_entries", "licences"):
        for row in _rows(paths[name]):
            index.setdefault(_exact_key(row), []).append(row["ref"])
    return {
        row["ref"]: [(ref, 1.0) for ref in index.get(_exact_key(row), [])]
        for row in _rows(paths["applicants"])
    }


def _exact_key(row: dict) -> tuple:
    """Return the key of an exact surname + DOB search (case and spacing ignored)."""
    return (" ".join(row["family_name"].lower().split()), row["date_of_birth"])


def _rows(path: Path) -> list[dict]:
    """Read a CSV file's rows."""
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def run(args) -> dict:
    """Build the set, run the three systems and return the report."""
    work = OUT / f"quality-{args.seed}{'-without-ids' if args.without_ids else ''}"
    started = time.perf_counter()
    data = labelled.build(args.seed, args.register, args.true, args.lookalikes, args.no_match)
    if args.without_ids:
        data = labelled.without_identifiers(data)
    paths = labelled.write(data, work)
    report = {
        "machine": {
            "cores": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "sizes": {"register": args.register, "applicants": len(data.applicants)},
        "identifiers": "removed from both sides" if args.without_ids else "as generated",
        "applicants_by_class": Counter(labelled.kind_class(t) for t in data.truth),
        "build_s": round(time.perf_counter() - started, 2),
        "systems": {},
    }
    systems = {
        "crosscheck": lambda: crosscheck(paths, work),
        "exact surname+DOB": lambda: (exact_search(paths), {}),
    }
    if not args.no_splink:
        systems["splink 5"] = lambda: _splink(paths, args.seed)
    for name, runner in systems.items():
        started = time.perf_counter()
        scored, timings = runner()
        result = evaluate(data.truth, scored, MATCH)
        result["timings"] = timings | {"total_s": round(time.perf_counter() - started, 2)}
        report["systems"][name] = result
    return report


def _splink(paths: dict[str, Path], seed: int) -> tuple[dict, dict]:
    """Run splink (imported late: it is only in bench/requirements.txt)."""
    from bench import splink_run

    return splink_run.predict([paths["register_entries"], paths["licences"]], paths["applicants"], seed), {}


def main(argv=None) -> None:
    """Parse options, run, print the table and write the JSON report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--register", type=int, default=5000)
    parser.add_argument("--true", type=int, default=2000)
    parser.add_argument("--lookalikes", type=int, default=1000)
    parser.add_argument("--no-match", type=int, default=2000)
    parser.add_argument("--no-splink", action="store_true", help="skip the splink comparison")
    parser.add_argument(
        "--without-ids",
        action="store_true",
        help="remove NI and licence numbers from both sides (names only)",
    )
    args = parser.parse_args(argv)
    report = run(args)
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"quality-{args.seed}{'-without-ids' if args.without_ids else ''}.json"
    path.write_text(json.dumps(report, indent=2, default=str))
    from bench.metrics import markdown

    print(markdown(report))
    print(f"\nJSON: {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()

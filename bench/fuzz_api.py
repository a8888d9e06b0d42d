"""API fuzzing: schemathesis with every check and every phase against a real server, per kind of key.

    .venv/bin/python -m bench.fuzz_api --cases 20000 --key council|police|admin [--workers 2] [--seed 1]
        [--gunicorn-workers 2] [--max-rounds 20] [--max-minutes M] [--database-url postgresql+psycopg://...]

Makes a fresh database: SQLite under bench/out/fuzz-<key>/, or with --database-url a PostgreSQL database
whose public schema is DROPPED and made again (give one kept for this). Then `flask db upgrade` and
`flask demo seed` (reference data, synthetic licences and register entries from
licensing.synthetic.generator) and issues one API key (`flask clients create`): council (E08000031 with
council:read, council:write and council:decide), police (West Midlands Police, police:intelligence) or
admin (E08000031, admin). Starts `python -m gunicorn --config gunicorn.conf.py wsgi:app` on a free
loopback port, in development (the embedded default; the public rate limit is raised so the public check
is fuzzed rather than refused).

Then runs `schemathesis run` on the operations the key may call (its scopes, /me and the public check):
checks all (bench/fuzz_api.toml says which answers to schema-valid data are expected, and why),
phases examples, coverage, fuzzing and stateful, both generation modes, in rounds with a new
seed each until at least --cases test cases ran (or --max-rounds, or --max-minutes: schemathesis's own
--max-time, after which a round ends and reports what it ran). Prints and writes to
bench/out/fuzz-<key>.json: the cases run, the server's 5xx answers (counted from its access log, so a
5xx is counted even when schemathesis folds it into one failure), and the failures per check. The
schemathesis reports of each round stay beside it. The server is always stopped.
"""

import argparse
import json
import math
import os
import re
import socket
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import httpx
import sqlalchemy

from bench.api_throughput import stop_server
from bench.quality import OUT, ROOT, flask

KEYS = {
    "council": ("E08000031", "council:read council:write council:decide"),
    "police": ("E23000014", "police:intelligence"),
    "admin": ("E08000031", "admin"),
}
PHASES = "examples,coverage,fuzzing,stateful"
CONFIG = Path(__file__).with_suffix(".toml")  # which answers to schema-valid data are expected, and why
OPENAPI = "/api/v1/openapi.json"
METHODS = {"get", "put", "post", "patch", "delete"}
ACCESS_STATUS = re.compile(r'"status": (\d{3})')


def main() -> None:
    """Fuzz the API with one kind of key and report."""
    args = parse_args()
    work = OUT / f"fuzz-{args.key}"
    work.mkdir(parents=True, exist_ok=True)
    url, key = prepare(work, args.key, args.database_url)
    port = free_port()
    server = start_server(url, port, work / "server.log", args.gunicorn_workers)
    try:
        base = f"http://127.0.0.1:{port}"
        document = wait_for_document(base, server)
        schema_path = work / "openapi.json"
        schema_path.write_text(json.dumps(callable_by(document, KEYS[args.key][1].split())))
        rounds = run_rounds(args, base, key, schema_path, work, operation_count(schema_path))
    finally:
        stop_server(server)
    report = summarise(args, rounds, work / "server.log")
    (OUT / f"fuzz-{args.key}.json").write_text(json.dumps(report, indent=2))
    print_report(report)


def parse_args() -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=20_000, help="run at least this many test cases")
    parser.add_argument("--key", choices=sorted(KEYS), required=True)
    parser.add_argument("--workers", type=int, default=2, help="schemathesis's concurrent workers")
    parser.add_argument("--gunicorn-workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1, help="the first round's seed; each round adds one")
    parser.add_argument("--max-rounds", type=int, default=20)
    parser.add_argument("--max-minutes", type=float, help="stop when this time is spent")
    parser.add_argument("--database-url", help="a PostgreSQL database to empty and use instead of SQLite")
    return parser.parse_args()


def prepare(work: Path, kind: str, database_url: str | None) -> tuple[str, str]:
    """Make a fresh database with demo data and return its URL and a new key of `kind`."""
    url = empty_postgres(database_url) if database_url else empty_sqlite(work / "crosscheck.db")
    flask(url, "db", "upgrade")
    flask(url, "demo", "seed")
    organisation, scopes = KEYS[kind]
    name = f"fuzz {kind}"
    output = flask(url, "clients", "create", "--org", organisation, "--scopes", scopes, "--name", name)
    return url, output.strip().splitlines()[-1]


def empty_sqlite(path: Path) -> str:
    """Remove the SQLite database at `path` and return its URL."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return f"sqlite:///{path}"


def empty_postgres(url: str) -> str:
    """Drop and recreate the public schema of the PostgreSQL database at `url`; return the URL."""
    engine = sqlalchemy.create_engine(url)
    with engine.begin() as connection:
        connection.execute(sqlalchemy.text("DROP SCHEMA public CASCADE"))
        connection.execute(sqlalchemy.text("CREATE SCHEMA public"))
    engine.dispose()
    return url


def free_port() -> int:
    """Return a loopback port nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(url: str, port: int, log: Path, workers: int) -> subprocess.Popen:
    """Start gunicorn on loopback with the product's settings, its log (JSON lines) going to `log`."""
    env = os.environ | {
        "DATABASE_URL": url,
        "CROSSCHECK_ENV": "development",
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "WEB_CONCURRENCY": str(workers),
        "PUBLIC_CHECK_RATE_LIMIT": "1000000/minute",
    }
    command = [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py", "wsgi:app"]
    with log.open("w") as handle:
        return subprocess.Popen(command, cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT)


def wait_for_document(base: str, server: subprocess.Popen) -> dict:
    """Wait until the server answers and return its OpenAPI document."""
    for _ in range(300):
        if server.poll() is not None:
            raise RuntimeError("the server stopped at start-up: see its log")
        try:
            return httpx.get(base + OPENAPI, timeout=2).raise_for_status().json()
        except httpx.HTTPError:
            time.sleep(0.2)
    raise RuntimeError("the server did not answer within a minute")


def callable_by(document: dict, scopes: list[str]) -> dict:
    """Return the document with only the operations a key with `scopes` may call (or that need none)."""
    paths = {}
    for path, item in document["paths"].items():
        kept = {
            method: operation
            for method, operation in item.items()
            if method not in METHODS or operation.get("x-required-scope") in (None, *scopes)
        }
        if METHODS & set(kept):
            paths[path] = kept
    return document | {"paths": paths}


def operation_count(schema_path: Path) -> int:
    """Count the operations in a document."""
    document = json.loads(schema_path.read_text())
    return sum(len(METHODS & set(item)) for item in document["paths"].values())


def run_rounds(args, base: str, key: str, schema_path: Path, work: Path, operations: int) -> list[dict]:
    """Run schemathesis rounds until --cases test cases ran; return each round's report."""
    rounds, total = [], 0
    per_operation = max(10, math.ceil(args.cases / operations))
    deadline = time.monotonic() + args.max_minutes * 60 if args.max_minutes else None
    for number in range(args.max_rounds):
        report_path = work / f"round-{number + 1}.json"
        started = time.monotonic()
        budget = math.ceil(deadline - started) if deadline else None
        if budget is not None and budget < 1:
            break
        seed = args.seed + number
        exit_code = schemathesis(args, base, key, schema_path, report_path, per_operation, seed, budget)
        report = json.loads(report_path.read_text())
        cases = cases_run(report)
        rounds.append({"seed": args.seed + number, "exit_code": exit_code, "cases": cases, "report": report})
        total += cases
        seconds = time.monotonic() - started
        print(f"round {number + 1}: {cases} cases in {seconds:.0f} s, {total} in all", flush=True)
        if total >= args.cases or report["stop_reason"] == "interrupted":
            break
    return rounds


def schemathesis(args, base, key, schema_path, report_path, per_operation: int, seed: int, budget) -> int:
    """Run one schemathesis round (within `budget` seconds, if given) and return its exit code."""
    command = [
        *[str(Path(sys.executable).parent / "schemathesis"), "--config-file", str(CONFIG)],
        *["run", str(schema_path), "--url", base],
        *["--header", f"Authorization: Bearer {key}", "--checks", "all", "--phases", PHASES],
        *["--mode", "all", "--max-examples", str(per_operation), "--seed", str(seed)],
        *["--workers", str(args.workers), "--continue-on-failure", "--suppress-health-check", "all"],
        *["--generation-database", "none", "--request-timeout", "60", "--no-color"],
        *["--report", "json", "--report-json-path", str(report_path)],
        *(["--max-time", str(budget)] if budget else []),
    ]
    with report_path.with_suffix(".log").open("w") as log:  # run in the work folder: it keeps a replay store
        done = subprocess.run(
            command, cwd=report_path.parent, stdout=log, stderr=subprocess.STDOUT, check=False
        )
    return done.returncode


def cases_run(report: dict) -> int:
    """Return how many test cases a schemathesis JSON report counts."""
    return int(report["test_cases"]["generated"])


def summarise(args, rounds: list[dict], server_log: Path) -> dict:
    """Return the figures of the whole run."""
    statuses = Counter()
    for line in server_log.read_text(errors="replace").splitlines():
        # two workers share the log, so a line can be cut by the other's: count what can be read
        if '"crosscheck.access"' in line:
            found = ACCESS_STATUS.search(line)
            statuses[int(found.group(1)) if found else "unreadable"] += 1
    failures = Counter()
    for item in rounds:
        failures.update(failures_per_check(item["report"]))
    return {
        "key": args.key,
        "cases": sum(item["cases"] for item in rounds),
        "rounds": [{k: v for k, v in item.items() if k != "report"} for item in rounds],
        "requests": sum(statuses.values()),
        "server_5xx": sum(n for status, n in statuses.items() if isinstance(status, int) and status >= 500),
        "statuses": {str(status): n for status, n in sorted(statuses.items(), key=str)},
        "failures_per_check": dict(sorted(failures.items())),
        "conformance_failures": sum(failures.values()),
    }


def failures_per_check(report: dict) -> Counter:
    """Count the unique failures a schemathesis JSON report lists, by check (or kind of error)."""
    counted = Counter()
    for group in report["failures"]:
        counted[group["type"]] += group["count"]
    for error in report["errors"]:
        counted[f"error: {error['title']}"] += error["count"]
    return counted


def print_report(report: dict) -> None:
    """Print the run's figures."""
    print(
        f"{report['key']}: {report['cases']} cases, {report['requests']} requests, "
        f"{report['server_5xx']} 5xx answers, {report['conformance_failures']} failures"
    )
    for check, count in report["failures_per_check"].items():
        print(f"  {check}: {count}")


if __name__ == "__main__":
    main()

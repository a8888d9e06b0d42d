"""Speed benchmark: import, single and bulk screening at N register + licence records, per database.

    bench/.venv/bin/python -m bench.speed --records 1000000 [--db sqlite --db postgres]
        [--postgres-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres]

Imports run through `flask register import` / `flask licences import` in a child process (peak RSS
from its rusage); single screenings call the screening service with record=True, as the API does;
bulk screening runs `flask register screen`. Baselines measured in the same run (a primary-key
SELECT, one match-key probe) let the figures be read as ratios on a noisy shared machine.
Prints a Markdown table and writes bench/out/speed-<N>.json.
"""

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

from sqlalchemy.engine import make_url

from bench import labelled, latency
from bench.latency import cpu_seconds
from bench.quality import OUT, ROOT, add_authorities, flask

BENCH_DB = "crosscheck_bench"


def dataset(records: int, applicants: int, seed: int, out: Path = OUT) -> dict[str, Path]:
    """Write (or reuse) the register of `records` rows and `applicants` applicants; return paths."""
    directory = out / f"speed-{records}-{applicants}-{seed}"
    paths = {n: directory / f"{n}.csv" for n in ("register_entries", "licences", "applicants", "truth")}
    if not all(p.exists() for p in paths.values()):
        data = labelled.build(
            seed, records, applicants // 2, applicants // 4, applicants - 3 * (applicants // 4)
        )
        labelled.write(data, directory)
    return paths


def fresh_database(kind: str, postgres_url: str, directory: Path, name: str = BENCH_DB) -> str:
    """Create an empty, migrated database of `kind` and return its URL."""
    if kind == "sqlite":
        path = directory / "speed.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        url = f"sqlite:///{path}"
    else:
        url = _recreate_postgres(postgres_url, name)
    flask(url, "db", "upgrade")
    return url


def _recreate_postgres(admin_url: str, name: str = BENCH_DB) -> str:
    """Drop and create the benchmark's own PostgreSQL database; return its URL."""
    import psycopg

    admin = make_url(admin_url)
    plain = admin.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")
    return admin.set(database=name).render_as_string(hide_password=False)


def timed_child(url: str, *args: str) -> dict:
    """Run a flask command in a child process; return its wall time, CPU and peak memory.

    The command may start worker processes (large imports and screenings do), so memory and CPU are
    those of the whole tree: the peak of the summed proportional set size (PSS: a page shared by n
    processes counts 1/n to each, so forked workers are not counted twice), and every process's CPU.
    The importing process's own peak resident set (VmHWM) is reported too.
    """
    env = os.environ | {"CROSSCHECK_ENV": "development", "DATABASE_URL": url, "FLASK_APP": "app:create_app"}
    started = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-m", "flask", *args], cwd=ROOT, env=env, stdout=subprocess.DEVNULL
    )
    peak_pss, peak_main, cpu, sampled = 0, 0, 0.0, 0.0
    while True:
        tree = [child.pid, *descendants(child.pid)]
        peak_main = max(peak_main, _status_kib(child.pid, "VmHWM"))
        cpu = max(cpu, cpu_seconds(child.pid, reaped=True) + sum(cpu_seconds(p) for p in tree[1:]))
        if time.perf_counter() - sampled >= 0.5:  # reading PSS walks every page table: not too often
            peak_pss, sampled = max(peak_pss, sum(_pss_kib(p) for p in tree)), time.perf_counter()
        try:
            child.wait(timeout=0.05)
            break
        except subprocess.TimeoutExpired:
            continue
    elapsed = time.perf_counter() - started
    if child.returncode != 0:
        raise RuntimeError(f"flask {' '.join(args)} exited with {child.returncode}")
    return {
        "seconds": elapsed,
        "peak_pss_mib": peak_pss / 1024,
        "peak_rss_main_mib": peak_main / 1024,
        "cpu_s": cpu,
    }


def descendants(pid: int) -> list[int]:
    """Return the ids of every process below `pid` (its workers)."""
    try:
        with open(f"/proc/{pid}/task/{pid}/children", encoding="ascii") as children:
            direct = [int(c) for c in children.read().split()]
    except (FileNotFoundError, ProcessLookupError):
        return []
    return direct + [d for c in direct for d in descendants(c)]


def _status_kib(pid: int, name: str) -> int:
    """Return one KiB figure of /proc/<pid>/status (VmHWM: peak resident set), 0 once it has gone."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith(f"{name}:"):
                    return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError):
        pass
    return 0


def _pss_kib(pid: int) -> int:
    """Return a running process's proportional set size in KiB, 0 once it has gone."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as rollup:
            for line in rollup:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        pass
    return 0


def _count_rows(path: Path) -> int:
    """Return the number of data rows in a CSV file."""
    with path.open(encoding="utf-8") as handle:
        return sum(1 for _ in handle) - 1


def measure_import(url: str, paths: dict[str, Path]) -> dict:
    """Import both register files through the CLI; return rows/s and peak RSS of each."""
    add_authorities(url, [paths["register_entries"], paths["licences"]])
    result = {}
    for name, group in (("register_entries", "register"), ("licences", "licences")):
        rows = _count_rows(paths[name])
        run = timed_child(url, group, "import", str(paths[name]))
        result[name] = {"rows": rows, "rows_per_s": rows / run["seconds"]} | run
        result[name]["rows_per_cpu_s"] = rows / max(run["cpu_s"], 1e-9)
        print(f"imported {name}: {result[name]}", file=sys.stderr, flush=True)
    parts = list(result.values())
    rows, seconds = sum(r["rows"] for r in parts), sum(r["seconds"] for r in parts)
    peak = max(r["peak_pss_mib"] for r in parts)
    peak_main = max(r["peak_rss_main_mib"] for r in parts)
    cpu = sum(r["cpu_s"] for r in parts)
    result["total"] = {"rows": rows, "rows_per_s": rows / seconds, "seconds": seconds}
    result["total"] |= {"peak_pss_mib": peak, "peak_rss_main_mib": peak_main}
    result["total"] |= {"cpu_s": cpu, "rows_per_cpu_s": rows / max(cpu, 1e-9)}
    return result


def measure_bulk(url: str, paths: dict[str, Path], work: Path) -> dict:
    """Screen the applicants file through `flask register screen`; return applicants/s."""
    applicants = _count_rows(paths["applicants"])
    startup = timed_child(url, "authorities", "list")["seconds"]
    run = timed_child(url, "register", "screen", str(paths["applicants"]), "--out", str(work / "bulk.csv"))
    return {
        "applicants": applicants,
        "seconds": run["seconds"],
        "applicants_per_s": applicants / run["seconds"],
        "cli_startup_s": startup,
        "applicants_per_s_net_of_startup": applicants / max(run["seconds"] - startup, 1e-9),
        "peak_pss_mib": run["peak_pss_mib"],
        "cpu_s": run["cpu_s"],
        "applicants_per_cpu_s": applicants / max(run["cpu_s"], 1e-9),
        "workers": os.cpu_count(),  # the command's default for a file this size: one per core
    }


def run_one(kind: str, args, paths: dict[str, Path]) -> dict:
    """Run every measurement on one database."""
    work = paths["applicants"].parent
    url = fresh_database(kind, args.postgres_url, work, args.pg_database)
    result = {"import": measure_import(url, paths)}
    runs = [latency.measure(url, paths["applicants"], args.single) for _ in range(args.repeats)]
    result["single"] = {k: statistics.median(r[k] for r in runs) for k in runs[0]} | {"repeats": args.repeats}
    result["bulk"] = measure_bulk(url, paths, work)
    return result


def main(argv=None) -> None:
    """Parse options, run each database and print and save the report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000, help="register + licence records")
    parser.add_argument("--applicants", type=int, default=20_000, help="applicants in the bulk file")
    parser.add_argument("--single", type=int, default=500, help="single screenings per repeat")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--db", action="append", choices=("sqlite", "postgres"))
    parser.add_argument("--postgres-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    # Two runs at once must not share (and drop) one database or one output folder.
    parser.add_argument("--pg-database", default=BENCH_DB, help="database this run drops and creates")
    parser.add_argument("--out", type=Path, default=OUT, help="folder for the data and the report")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    paths = dataset(args.records, args.applicants, args.seed, args.out)
    report = {
        "machine": {
            "cores": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "records": args.records,
        "started": datetime.now().isoformat(timespec="seconds"),
        "dataset_s": round(time.perf_counter() - started, 1),
        "databases": {},
    }
    for kind in args.db or ["sqlite", "postgres"]:
        report["databases"][kind] = run_one(kind, args, paths)
        _save(report, args.records, args.out)
    print(latency.markdown(report))
    print(f"\nJSON: {_save(report, args.records, args.out)}")


def _save(report: dict, records: int, out: Path = OUT) -> Path:
    """Write the report so far (a long run keeps what it measured if stopped)."""
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"speed-{records}.json"
    path.write_text(json.dumps(report, indent=2, default=str))
    return path


if __name__ == "__main__":
    main()

"""API throughput: the screening endpoint through gunicorn against a trivial endpoint, in the same run.

    .venv/bin/python -m bench.api_throughput [--records 100000 | 1000000] [--db sqlite|postgres]
        [--duration 20] [--threads 8] [--workers N] [--reuse]

Builds (or with --reuse keeps) a database of N register + licence records with bench.speed's data
and import helpers, issues a council API key, starts `python -m gunicorn --config gunicorn.conf.py
wsgi:app` on a free loopback port, then drives for `--duration` seconds each, from `--threads` httpx
client threads: (a) GET /healthz and (b) POST /api/v1/screenings with generated applicants. Reports
requests/s, p50/p99 latency and errors of each, the ratio (b)/(a) (target >= 50%) and the core count.
Writes bench/out/api-throughput-<db>-<N>.json. Loopback only; the server is always stopped.
"""

import argparse
import csv
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

from bench.quality import OUT, ROOT, flask
from bench.speed import dataset, measure_import

THROUGHPUT_DB = "crosscheck_throughput"
ISSUER = "E08000031"  # the council the benchmark's key acts for; its own records are never candidates


def prepare_database(kind: str, args, paths: dict[str, Path]) -> str:
    """Return the URL of a database holding the dataset, importing it unless --reuse finds one."""
    if kind == "sqlite":
        path = paths["applicants"].parent / "throughput.db"
        url = f"sqlite:///{path}"
        if args.reuse and path.exists():
            return url
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    else:
        url, existed = _postgres_database(args.postgres_url, recreate=not args.reuse)
        if existed:
            return url
    flask(url, "db", "upgrade")
    print(f"importing {args.records} records into {kind}...", file=sys.stderr, flush=True)
    measure_import(url, paths)
    return url


def _postgres_database(admin_url: str, recreate: bool) -> tuple[str, bool]:
    """Create (or keep) the benchmark's PostgreSQL database; return its URL and whether it was kept."""
    import psycopg
    from sqlalchemy.engine import make_url

    admin = make_url(admin_url)
    plain = admin.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(plain, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (THROUGHPUT_DB,)).fetchone()
        if exists and recreate:
            conn.execute(f"DROP DATABASE {THROUGHPUT_DB} WITH (FORCE)")
        if not exists or recreate:
            conn.execute(f"CREATE DATABASE {THROUGHPUT_DB}")
    return admin.set(database=THROUGHPUT_DB).render_as_string(hide_password=False), bool(
        exists and not recreate
    )


def issue_key(url: str) -> str:
    """Create a council API client for ISSUER and return its key."""
    output = flask(url, "clients", "create", "--org", ISSUER, "--scopes", "council:read", "--name", "bench")
    return output.strip().splitlines()[0]


def applicants(path: Path) -> list[dict]:
    """Return the applicants of the dataset as screening request bodies."""
    with path.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    bodies = []
    for row in rows:
        body = {k: (v or None) for k, v in row.items() if k not in ("ref", "previous_names")}
        body["address"] = row["address"] or ""
        body["previous_names"] = [n for n in row["previous_names"].split(";") if n]
        bodies.append(body | {"purpose": "throughput benchmark"})
    return bodies


def free_port() -> int:
    """Return a loopback port nobody listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(url: str, port: int, workers: int | None) -> subprocess.Popen:
    """Start gunicorn with the project's settings on 127.0.0.1:`port`; wait until /healthz answers."""
    env = os.environ | {"DATABASE_URL": url, "HOST": "127.0.0.1", "PORT": str(port)}
    if workers:
        env["WEB_CONCURRENCY"] = str(workers)
    command = [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py", "wsgi:app"]
    server = subprocess.Popen(command, cwd=ROOT, env=env, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return server
        except httpx.TransportError:
            time.sleep(0.2)
    stop_server(server)
    raise RuntimeError("gunicorn did not answer /healthz within 60 s")


def stop_server(server: subprocess.Popen) -> None:
    """Stop gunicorn gracefully, then for good."""
    server.terminate()
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def drive(base: str, threads: int, duration: float, request) -> dict:
    """Call `request(client, i)` from `threads` threads for `duration` s; return rate and latencies."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    deadline = time.perf_counter() + duration

    def worker(offset: int) -> None:
        """Send requests back to back until the deadline, each thread on its own keep-alive client."""
        mine, failed, i = [], 0, offset
        with httpx.Client(base_url=base, timeout=30) as client:
            while time.perf_counter() < deadline:
                started = time.perf_counter()
                response = request(client, i)
                mine.append(time.perf_counter() - started)
                failed += response.status_code >= 300
                i += threads
        with lock:
            latencies.extend(mine)
            errors[0] += failed

    started = time.perf_counter()
    pool = [threading.Thread(target=worker, args=(n,)) for n in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    elapsed = time.perf_counter() - started
    ordered = sorted(latencies)
    return {
        "requests": len(ordered),
        "errors": errors[0],
        "seconds": elapsed,
        "requests_per_s": len(ordered) / elapsed,
        "p50_ms": 1000 * statistics.median(ordered),
        "p99_ms": 1000 * ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))],
    }


def measure(url: str, args, bodies: list[dict]) -> dict:
    """Serve `url` through gunicorn and drive both endpoints; return the figures."""
    key, port = issue_key(url), free_port()
    headers = {"Authorization": f"Bearer {key}"}
    server = start_server(url, port, args.workers)
    try:
        base = f"http://127.0.0.1:{port}"
        trivial = drive(base, args.threads, args.duration, lambda c, i: c.get("/healthz"))
        screening = drive(
            base,
            args.threads,
            args.duration,
            lambda c, i: c.post("/api/v1/screenings", json=bodies[i % len(bodies)], headers=headers),
        )
    finally:
        stop_server(server)
    return {
        "healthz": trivial,
        "screenings": screening,
        "ratio": screening["requests_per_s"] / trivial["requests_per_s"],
    }


def markdown(report: dict) -> str:
    """Return the report as a Markdown table."""
    lines = [
        "| database | endpoint | requests/s | p50 (ms) | p99 (ms) | errors |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for kind, result in report["results"].items():
        for name in ("healthz", "screenings"):
            r = result[name]
            lines.append(
                f"| {kind} | {name} | {r['requests_per_s']:,.0f} | {r['p50_ms']:.1f} | {r['p99_ms']:.1f} | "
                f"{r['errors']} |"
            )
        lines.append(f"| {kind} | **screenings / healthz** | **{result['ratio']:.1%}** | | | |")
    header = f"{report['records']:,} records, {report['cpu_count']} cores, {report['workers']} workers, "
    header += f"{report['threads']} client threads, {report['duration_s']} s per endpoint"
    return header + "\n\n" + "\n".join(lines)


def main(argv=None) -> None:
    """Run the benchmark on each database asked for and print its table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000, help="register + licence records")
    parser.add_argument("--applicants", type=int, default=2000, help="distinct applicants to screen")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--db", action="append", choices=("sqlite", "postgres"))
    parser.add_argument("--postgres-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--duration", type=float, default=20.0, help="seconds per endpoint (max 300)")
    parser.add_argument("--threads", type=int, default=8, help="client threads")
    parser.add_argument("--workers", type=int, default=None, help="gunicorn workers (default: its config)")
    parser.add_argument("--reuse", action="store_true", help="keep a database built by an earlier run")
    args = parser.parse_args(argv)
    args.duration = min(args.duration, 300.0)
    paths = dataset(args.records, args.applicants, args.seed)
    bodies = applicants(paths["applicants"])
    workers = args.workers or int(os.environ.get("WEB_CONCURRENCY") or (os.cpu_count() or 1) * 2 + 1)
    report = {
        "records": args.records,
        "cpu_count": os.cpu_count(),
        "workers": workers,
        "threads": args.threads,
        "duration_s": args.duration,
        "results": {},
    }
    for kind in args.db or ["sqlite"]:
        url = prepare_database(kind, args, paths)
        report["results"][kind] = measure(url, args, bodies)
        print(f"{kind}: {json.dumps(report['results'][kind])}", file=sys.stderr, flush=True)
    name = "-".join(report["results"])
    (OUT / f"api-throughput-{name}-{args.records}.json").write_text(json.dumps(report, indent=2))
    print(markdown(report))


if __name__ == "__main__":
    main()

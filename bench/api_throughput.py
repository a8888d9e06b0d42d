"""API throughput: the screening endpoint through gunicorn against trivial endpoints, in the same run.

    bench/.venv/bin/python -m bench.api_throughput [--records 100000 | 1000000] [--db sqlite|postgres]
        [--duration 20] [--connections 8] [--wrk-threads 2] [--workers N] [--reuse]

Builds (or with --reuse keeps) a database of N register + licence records with bench.speed's data
and import helpers, issues a council API key, starts `python -m gunicorn --config gunicorn.conf.py
wsgi:app` on a free loopback port, then drives each endpoint for `--duration` seconds with wrk (a
separate C process, so no client interpreter competes with the server for the GIL; `apt-get install
wrk`): (a) GET /healthz, (b) GET /api/v1/me (authenticates the key, one primary-key read, a tiny body)
and (c) POST /api/v1/screenings with the generated applicants in turn. Reports requests/s, p50/p99
latency, errors and core time (gunicorn's and wrk's) per request of each, the ratios (c)/(a) and (c)/(b)
(target >= 50%) and the core count. Then, with the server stopped, times the screening service alone
(bench.latency: 300 applicants screened and recorded, no HTTP) on the same database and reports the
highest (c)/(a) its core time leaves possible (`engine_ceiling`).
Writes bench/out/api-throughput-<db>-<N>.json. Loopback only; the server is always stopped.
"""

import argparse
import csv
import json
import os
import resource
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from bench import latency
from bench.latency import cpu_seconds
from bench.quality import OUT, ROOT, flask
from bench.speed import dataset, descendants, measure_import
from licensing.identity.fields import previous_names_of

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


def applicants(path: Path) -> Path:
    """Write the applicants of the dataset as screening request bodies, one JSON per line; return the file."""
    with path.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    out = path.parent / "screening-bodies.jsonl"
    with out.open("w", encoding="utf-8") as bodies:
        for row in rows:
            body = {k: (v or None) for k, v in row.items() if k not in ("ref", "previous_names")}
            body["address"] = row["address"] or ""
            body["previous_names"] = previous_names_of(row["previous_names"])
            bodies.write(json.dumps(body | {"purpose": "throughput benchmark"}) + "\n")
    return out


def free_port() -> int:
    """Return a loopback port nobody listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(url: str, port: int, workers: int | None) -> subprocess.Popen:
    """Start gunicorn with the project's settings on 127.0.0.1:`port`; wait until /healthz answers."""
    # development settings, which the published figures were measured with (production refuses SQLite)
    env = os.environ | {
        "CROSSCHECK_ENV": "development",
        "DATABASE_URL": url,
        "HOST": "127.0.0.1",
        "PORT": str(port),
    }
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


# wrk runs each thread's script in its own Lua state: `init` gets the arguments after `--`, `done` prints
# the whole run's figures as one JSON line for the parent to read.
WRK_SCRIPT = r"""
local bodies, key, method, path, n = {}, nil, "GET", "/", 0
function init(args)
  method, path, key = args[1], args[2], args[3]
  if args[4] then for line in io.lines(args[4]) do bodies[#bodies + 1] = line end end
  n = math.random(1, 100000)
end
function request()
  local headers = {}
  if key ~= "" then headers["Authorization"] = "Bearer " .. key end
  if #bodies == 0 then return wrk.format(method, path, headers) end
  n = n + 1
  headers["Content-Type"] = "application/json"
  return wrk.format(method, path, headers, bodies[n % #bodies + 1])
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "seconds": %f, "errors": %d, "p50_ms": %f, "p99_ms": %f}\n',
    summary.requests, summary.duration / 1e6, e.connect + e.read + e.write + e.status + e.timeout,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
"""


def drive(
    base: str,
    server: subprocess.Popen,
    args,
    method: str,
    path: str,
    key: str = "",
    bodies: Path | None = None,
) -> dict:
    """Drive `method path` with wrk (a separate process) for `args.duration` s; return rate and latencies.

    Also the core time gunicorn (master and workers, recycled ones included) and wrk took per request
    (`core_ms`): on PostgreSQL the database server's share comes on top of it.
    """
    script = OUT / "api-throughput.lua"
    script.write_text(WRK_SCRIPT)
    command = ["wrk", "-t", str(args.wrk_threads), "-c", str(args.connections), "-d", f"{args.duration:.0f}s"]
    command += ["--timeout", "30s", "-s", str(script), base, "--", method, path, key]
    command += [str(bodies)] if bodies else []
    before = _server_cpu(server) + _children_cpu()
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    core = _server_cpu(server) + _children_cpu() - before
    figures = json.loads(output.strip().splitlines()[-1])
    return figures | {
        "requests_per_s": figures["requests"] / figures["seconds"],
        "core_ms": core / figures["requests"] * 1000,
    }


def _server_cpu(server: subprocess.Popen) -> float:
    """Return the CPU seconds of gunicorn's master, its live workers and the workers it has reaped."""
    return cpu_seconds(server.pid, reaped=True) + sum(cpu_seconds(pid) for pid in descendants(server.pid))


def _children_cpu() -> float:
    """Return the CPU seconds of this process's finished children (wrk, once it has exited)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure(url: str, args, bodies: Path) -> dict:
    """Serve `url` through gunicorn and drive the three endpoints one after the other; return the figures."""
    key, port = issue_key(url), free_port()
    server = start_server(url, port, args.workers)
    try:
        base = f"http://127.0.0.1:{port}"
        drive(base, server, args, "GET", "/api/v1/me", key)  # warm every worker (imports, pool, page cache)
        result = {
            "healthz": drive(base, server, args, "GET", "/healthz"),
            "me": drive(base, server, args, "GET", "/api/v1/me", key),
            "screenings": drive(base, server, args, "POST", "/api/v1/screenings", key, bodies),
        }
    finally:
        stop_server(server)
    rate = {name: r["requests_per_s"] for name, r in result.items()}
    return result | {
        "ratio_healthz": rate["screenings"] / rate["healthz"],
        "ratio_me": rate["screenings"] / rate["me"],
    }


def engine_ceiling(url: str, result: dict, applicants_path: Path, n: int) -> dict:
    """Time the screening service alone (no HTTP) on the same data; return it and the ratio it allows.

    A /healthz request costs the core time gunicorn and wrk spent on it (measured by `drive`). A
    screening request does all of that and also screens and records, which cost the core time this
    process and (on PostgreSQL) its database server spend on them. So screenings / healthz can be at
    most healthz / (healthz + screening service), however little the rest of the request cost.
    """
    alone = latency.measure(url, applicants_path, n)
    healthz_ms = result["healthz"]["core_ms"]
    return {
        "service_core_ms": alone["screening_core_ms"],
        "service_p50_ms": alone["screening_p50_ms"],
        "healthz_core_ms": healthz_ms,
        "ceiling_healthz": healthz_ms / (healthz_ms + alone["screening_core_ms"]),
    }


def markdown(report: dict) -> str:
    """Return the report as a Markdown table."""
    lines = [
        "| database | endpoint | requests/s | p50 (ms) | p99 (ms) | errors | core ms / request |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for kind, result in report["results"].items():
        for name in ("healthz", "me", "screenings"):
            r = result[name]
            lines.append(
                f"| {kind} | {name} | {r['requests_per_s']:,.0f} | {r['p50_ms']:.1f} | {r['p99_ms']:.1f} | "
                f"{r['errors']} | {r['core_ms']:.2f} |"
            )
        engine = result["engine"]
        lines += [
            f"| {kind} | screening service alone (no HTTP) | | {engine['service_p50_ms']:.1f} | | | "
            f"{engine['service_core_ms']:.2f} |",
            f"| {kind} | **screenings / healthz** | **{result['ratio_healthz']:.1%}** | | | | |",
            f"| {kind} | screenings / me | {result['ratio_me']:.1%} | | | | |",
            f"| {kind} | **the most screenings / healthz could be** | **{engine['ceiling_healthz']:.1%}** |"
            " | | | |",
        ]
    header = (
        f"{report['records']:,} records, {report['cpu_count']} cores, {report['workers']} gunicorn workers, "
    )
    header += f"wrk {report['wrk_threads']} threads x {report['connections']} connections, "
    header += f"{report['duration_s']:.0f} s per endpoint"
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
    parser.add_argument("--connections", type=int, default=8, help="wrk's open connections")
    parser.add_argument("--wrk-threads", type=int, default=2, help="wrk's threads")
    parser.add_argument("--workers", type=int, default=None, help="gunicorn workers (default: its config)")
    parser.add_argument("--reuse", action="store_true", help="keep a database built by an earlier run")
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        parser.error("wrk is not installed (Debian: apt-get install wrk)")
    args.duration = min(args.duration, 300.0)
    paths = dataset(args.records, args.applicants, args.seed)
    bodies = applicants(paths["applicants"])
    report = {
        "records": args.records,
        "cpu_count": os.cpu_count(),
        "workers": args.workers or gunicorn_workers(),
        "wrk_threads": args.wrk_threads,
        "connections": args.connections,
        "duration_s": args.duration,
        "results": {},
    }
    for kind in args.db or ["sqlite"]:
        url = prepare_database(kind, args, paths)
        result = report["results"][kind] = measure(url, args, bodies)
        result["engine"] = engine_ceiling(url, result, paths["applicants"], 300)
        print(f"{kind}: {json.dumps(report['results'][kind])}", file=sys.stderr, flush=True)
    name = "-".join(report["results"])
    (OUT / f"api-throughput-{name}-{args.records}.json").write_text(json.dumps(report, indent=2))
    print(markdown(report))


def gunicorn_workers() -> int:
    """Return the worker count gunicorn.conf.py chooses on this machine."""
    settings: dict = {}
    exec((ROOT / "gunicorn.conf.py").read_text(), settings)  # the config file is plain Python
    return settings["workers"]


if __name__ == "__main__":
    main()

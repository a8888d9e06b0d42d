"""Single-screening latency through the screening service, with same-run baselines, and the table."""

import csv
import os
import random
import statistics
import time
from datetime import date, datetime
from functools import partial
from pathlib import Path

from sqlalchemy import func, select

from licensing.actors import Actor
from licensing.matching import person_of
from licensing.persistence import unit_of_work
from licensing.persistence.db import make_engine
from licensing.persistence.models import Authority, Licence, MatchKey
from licensing.screening.service import screen

NOW = datetime(2026, 11, 23, 10, 0, 0)
WARM_UP = 20


def _people(path: Path, limit: int) -> list:
    """Read up to `limit` applicants as engine Persons."""
    people = []
    with path.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            dob = date.fromisoformat(row["date_of_birth"]) if row["date_of_birth"] else None
            fields = {k: (v or None) for k, v in row.items()} | {"date_of_birth": dob}
            fields["previous_names"] = row["previous_names"] or ""
            fields["address"] = row["address"] or ""
            people.append(person_of(fields))
            if len(people) == limit:
                break
    return people


def cpu_seconds(pid: int, reaped: bool = False) -> float:
    """Return a running process's user + system CPU seconds so far (with `reaped`, its finished children's).

    On a machine shared with other work, wall time says how busy the machine was; CPU time says what
    the command itself cost (sampled every 50 ms, so the last moments are missed).
    """
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return 0.0
    ticks = sum(int(f) for f in fields[11 : 15 if reaped else 13])
    return ticks / os.sysconf("SC_CLK_TCK")


def _percentiles(samples: list[float]) -> tuple[float, float]:
    """Return p50 and p99 of `samples`, in milliseconds."""
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return statistics.median(ordered) * 1000, p99 * 1000


def _time_each(calls) -> list[float]:
    """Time each zero-argument call in `calls`."""
    samples = []
    for call in calls:
        started = time.perf_counter()
        call()
        samples.append(time.perf_counter() - started)
    return samples


def _server_pid(session) -> int | None:
    """Return the process id of the session's PostgreSQL backend (None on SQLite, which runs in ours)."""
    if session.get_bind().dialect.name != "postgresql":
        return None
    return session.execute(select(func.pg_backend_pid())).scalar_one()


def _fetch(session, query) -> list:
    """Run `query` and fetch every row."""
    return session.execute(query).all()


def measure(url: str, applicants: Path, n: int) -> dict:
    """Screen `n` applicants one at a time (recorded, as the API does); return p50/p99 and baselines.

    Each screening is a writing unit of its own, as a request is, and no other unit stays open
    meanwhile: an open reading unit would hold a snapshot, which on SQLite keeps the write-ahead log
    from being checkpointed, and on PostgreSQL would hold a second connection. So every unit reuses
    the pool's one connection, whose server process is the one measured.
    """
    engine = make_engine(url)
    rng = random.Random(n)
    with unit_of_work.reading(engine) as session:
        authority_id = session.execute(select(Authority.id).order_by(Authority.id)).scalars().first()
        last_id = session.execute(select(func.max(Licence.id))).scalar_one()
        keys = session.execute(select(MatchKey.key_hash).limit(5000)).scalars().all()
        server = _server_pid(session)
    actor = Actor(kind="api_client", id=None, label="bench", authority_id=authority_id)
    people = _people(applicants, n + WARM_UP)

    def one(person):
        """Return a call that screens `person` once, recorded in a writing unit of its own."""

        def screening():
            with unit_of_work.writing(engine) as unit:
                screen(unit, actor, person, purpose="application", now=NOW, record=True)

        return screening

    _time_each(one(p) for p in people[:WARM_UP])
    # Core time as well as wall time: waits (a slow disk's fsync) take time but no core.
    cpu_before = time.process_time() + (cpu_seconds(server) if server else 0.0)
    samples = _time_each(one(p) for p in people[WARM_UP:])
    core = time.process_time() + (cpu_seconds(server) if server else 0.0) - cpu_before
    screening = _percentiles(samples)
    with unit_of_work.reading(engine) as session:
        if server is not None:
            assert _server_pid(session) == server, "the screenings ran on another connection than measured"
        ids = [rng.randint(1, last_id) for _ in range(n)]
        by_pk = _percentiles(_time_each(partial(session.get, Licence, i) for i in ids))
        session.expunge_all()
        probes = [select(MatchKey.record_id).where(MatchKey.key_hash == rng.choice(keys)) for _ in range(n)]
        probe = _percentiles(_time_each(partial(_fetch, session, q) for q in probes))
    engine.dispose()
    return {
        "screening_p50_ms": screening[0],
        "screening_p99_ms": screening[1],
        "screening_core_ms": core / len(samples) * 1000,
        "pk_select_p50_ms": by_pk[0],
        "key_probe_p50_ms": probe[0],
        "screening_p50_over_pk_select": screening[0] / by_pk[0],
    }


def _import_memory(result: dict) -> float:
    """Return the import's peak memory over all its processes."""
    return result["import"]["total"]["peak_pss_mib"]


def _import_main(result: dict) -> float:
    """Return the importing process's own peak resident set."""
    return result["import"]["total"]["peak_rss_main_mib"]


def markdown(report: dict) -> str:
    """Render the speed report as one Markdown table, databases side by side."""
    dbs = report["databases"]
    names = list(dbs)
    lines = [
        f"Machine: {report['machine']['cores']} cores, Python {report['machine']['python']}; "
        f"{report['records']:,} register + licence records.",
        "",
        "| measure | target | " + " | ".join(names) + " |",
        "|---|---|" + "---:|" * len(names),
    ]
    rows = [
        ("import rows/s", "≥ 5,000", lambda d: d["import"]["total"]["rows_per_s"], "{:,.0f}"),
        ("import peak memory, all processes (PSS, MiB)", "< 1,024", _import_memory, "{:,.0f}"),
        ("import peak RSS of the importing process (MiB)", "", _import_main, "{:,.0f}"),
        ("single screening p50 (ms)", "≤ 5", lambda d: d["single"]["screening_p50_ms"], "{:.2f}"),
        ("single screening p99 (ms)", "≤ 50", lambda d: d["single"]["screening_p99_ms"], "{:.2f}"),
        ("bulk applicants/s (CLI)", "≥ 1,000", lambda d: d["bulk"]["applicants_per_s"], "{:,.0f}"),
        (
            "bulk applicants/s net of CLI start-up",
            "",
            lambda d: d["bulk"]["applicants_per_s_net_of_startup"],
            "{:,.0f}",
        ),
        ("baseline: PK SELECT p50 (ms)", "", lambda d: d["single"]["pk_select_p50_ms"], "{:.3f}"),
        ("baseline: one key probe p50 (ms)", "", lambda d: d["single"]["key_probe_p50_ms"], "{:.3f}"),
        (
            "screening p50 / PK SELECT p50",
            "",
            lambda d: d["single"]["screening_p50_over_pk_select"],
            "{:.1f}×",
        ),
    ]
    for label, target, get, fmt in rows:
        lines.append(f"| {label} | {target} | " + " | ".join(fmt.format(get(dbs[n])) for n in names) + " |")
    return "\n".join(lines)

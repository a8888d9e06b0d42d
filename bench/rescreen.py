"""Re-screen benchmark: licences re-screened per second (weekly full run) and the nightly run's cost.

Builds a register through the CLI imports (bench.speed's cached synthetic data set), then, in process:
- the full re-screen (licensing.monitoring.rescreen.rescreen_all) of every live licence, timed;
- the nightly re-screen (rescreen_new) after marking `--fresh` register entries as changed today.
Extrapolates both to 400,000 licences against 1,000,000 records (target: nightly <= 15 minutes).
The alerts raised are deleted after each run.
"""

import argparse
import json
import os
import platform
import sys
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select, update

from bench.quality import OUT, add_authorities, flask
from bench.speed import dataset, fresh_database
from licensing.clock import utcnow
from licensing.monitoring.rescreen import LIVE, rescreen_all, rescreen_new
from licensing.persistence import unit_of_work
from licensing.persistence.db import make_engine
from licensing.persistence.models import Licence, RegisterEntry

TARGET_LICENCES, TARGET_RECORDS, TARGET_SECONDS = 400_000, 1_000_000, 15 * 60


def build(kind: str, records: int, postgres_url: str) -> str:
    """Import `records` synthetic register entries and licences into a fresh database; return its URL."""
    paths = dataset(records, 1000, seed=1)
    url = fresh_database(kind, postgres_url, OUT)
    add_authorities(url, [paths["register_entries"], paths["licences"]])
    flask(url, "register", "import", str(paths["register_entries"]))
    flask(url, "licences", "import", str(paths["licences"]))
    return url


def timed(work) -> tuple[float, dict]:
    """Run `work()`; return its wall seconds and its summary."""
    started = time.perf_counter()
    done = work()
    return time.perf_counter() - started, dict(done)


def measure(url: str, fresh: int) -> dict:
    """Time a full and a nightly re-screen on `url`; discard their alerts."""
    engine = make_engine(url)
    now = utcnow().replace(microsecond=0)
    with unit_of_work.reading(engine) as session:
        licences = session.scalar(select(func.count()).where(Licence.status.in_(LIVE)))
        records = session.scalar(select(func.count()).select_from(RegisterEntry))
    full_s, full = timed(lambda: _discarding_alerts(engine, lambda: rescreen_all(engine, now)))
    # Everything imported just now would count as new: age it a month, then renew `fresh` entries.
    with unit_of_work.writing(engine) as session:
        session.execute(update(RegisterEntry).values(updated_at=now - timedelta(days=30)))
        ids = session.scalars(select(RegisterEntry.id).order_by(RegisterEntry.id).limit(fresh)).all()
        session.execute(update(RegisterEntry).where(RegisterEntry.id.in_(ids)).values(updated_at=now))
    since = now - timedelta(hours=1)
    nightly_s, nightly = timed(lambda: _discarding_alerts(engine, lambda: rescreen_new(engine, since, now)))
    engine.dispose()
    return {"licences": licences, "records": records, "full_s": full_s, "full": full,
            "fresh": len(ids), "nightly_s": nightly_s, "nightly": nightly}  # fmt: skip


def _discarding_alerts(engine, work) -> dict:
    """Run `work`, then delete the re-screen alerts it raised, so every run starts alike."""
    from licensing.persistence.models import Alert, Delivery

    done = work()
    raised = Alert.alert_type.in_(("screening.new_match", "screening.possible_match"))
    with unit_of_work.writing(engine) as session:
        session.execute(
            Delivery.__table__.delete().where(Delivery.alert_id.in_(select(Alert.id).where(raised)))
        )
        session.execute(Alert.__table__.delete().where(raised))
    return done


def extrapolate(result: dict) -> dict:
    """Scale the measured rates to 400k licences against 1M records."""
    rate = result["licences"] / result["full_s"]
    per_fresh = result["nightly_s"] / max(result["fresh"], 1)
    return {
        "full_licences_per_s": round(rate, 1),
        "full_400k_min": round(TARGET_LICENCES / rate / 60, 1),
        "nightly_s_per_fresh_record": round(per_fresh, 4),
        # The nightly run's cost follows the day's new records, not the licences: report it per record
        # and for 1,000 a day (compare runs at two sizes to see how it grows with the register).
        "nightly_1000_fresh_min": round(1000 * per_fresh / 60, 2),
    }


def main(argv=None) -> None:
    """Build, measure and print the re-screen figures as JSON."""
    parser = argparse.ArgumentParser(prog="python -m bench.rescreen", description=main.__doc__)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--fresh", type=int, default=1000, help="register entries changed 'today'")
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--postgres-url", default=os.environ.get("BENCH_POSTGRES_URL", ""))
    args = parser.parse_args(argv)
    url = build(args.db, args.records, args.postgres_url)
    result = measure(url, args.fresh)
    result |= extrapolate(result) | {
        "db": args.db,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
    }
    Path(OUT / f"rescreen-{args.db}-{args.records}.json").write_text(json.dumps(result, indent=2))
    json.dump(result, sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main()

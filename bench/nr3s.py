"""NR3S benchmark: one council's NR3S file imported, imported again, exported and re-imported, timed.

In a fresh SQLite file (or the PostgreSQL database `--url` names, emptied first): `--licensed` of the
file's people are licensed by another council, so the first import alerts it about each. Prints the
seconds and counts of each step as JSON; the second import and the re-import must say 0 inserted.

    python -m bench.nr3s 10000 [--licensed 500] [--url postgresql+psycopg://...]
"""

import argparse
import io
import json
import tempfile
import time
from pathlib import Path

from sqlalchemy import func, select
from sqlmodel import SQLModel

import licensing.persistence.models  # noqa: F401  (registers every table)
from licensing.actors import cli_actor
from licensing.clock import utcnow
from licensing.imports.nr3s import export_nr3s
from licensing.imports.pipeline import import_licences, import_nr3s
from licensing.persistence import unit_of_work
from licensing.persistence.db import make_engine
from licensing.persistence.models import Alert, Authority
from licensing.synthetic.generator import (
    LICENCE_COLUMNS,
    licences,
    nr3s_records,
    people,
    write_nr3s,
    write_rows,
)

RECORDING, LICENSING = "E08000031", "E08000039"


def main(argv=None) -> None:
    """Run the steps and print what each took."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int)
    parser.add_argument("--licensed", type=int, default=500, help="people of the file licensed elsewhere")
    parser.add_argument(
        "--url", default=None, help="a database to empty and use (default: a new SQLite file)"
    )
    args = parser.parse_args(argv)
    url = args.url or f"sqlite:///{Path(tempfile.mkdtemp()) / 'nr3s.db'}"
    engine = make_engine(url)
    SQLModel.metadata.drop_all(engine)
    SQLModel.metadata.create_all(engine)
    with unit_of_work.writing(engine) as session:
        for code in (RECORDING, LICENSING):
            session.add(Authority(code=code, name=f"Council {code}", nation="england"))
    who = people(args.n, seed=1, prefix="N")
    now = utcnow().replace(microsecond=0)
    held = io.StringIO()
    licensed = licences(who[: args.licensed], seed=2, authority_codes=(LICENSING,), today=now.date())
    write_rows(held, licensed, LICENCE_COLUMNS)
    file = io.StringIO()
    write_nr3s(file, nr3s_records(who, seed=3, authority_code=RECORDING))
    import_licences(engine, cli_actor("bench"), io.StringIO(held.getvalue()), io.StringIO(), now=now)
    steps = {
        "first import": lambda: _import(engine, file.getvalue(), now),
        "second import": lambda: _import(engine, file.getvalue(), now),
    }
    results = {name: _timed(step) for name, step in steps.items()}
    exported = io.StringIO()
    results["export"] = _timed(lambda: _export(engine, exported, now))
    results["export re-imported"] = _timed(lambda: _import(engine, exported.getvalue(), now))
    with unit_of_work.reading(engine) as session:
        alerts = session.scalar(select(func.count()).select_from(Alert))
    report = {"database": engine.dialect.name, "records": args.n, "licensed": args.licensed}
    print(json.dumps(report | {"alerts": alerts, "steps": results}, indent=2))


def _import(engine, text: str, now) -> dict:
    """Import an NR3S file of the recording council; return the report's counts."""
    report = import_nr3s(
        engine, cli_actor("bench"), io.StringIO(text), io.StringIO(), authority_code=RECORDING, now=now
    )
    return {"inserted": report.inserted, "updated": report.updated, "unchanged": report.unchanged}


def _export(engine, out: io.StringIO, now) -> dict:
    """Export the recording council's register; return how many entries."""
    with unit_of_work.writing(engine) as session:
        return {"entries": export_nr3s(session, cli_actor("bench"), RECORDING, out, now)}


def _timed(step) -> dict:
    """Run `step`; return its counts and wall seconds."""
    started = time.perf_counter()
    done = step()
    return done | {"seconds": round(time.perf_counter() - started, 2)}


if __name__ == "__main__":
    main()

"""`flask register import FILE.csv`, `flask register screen FILE.csv --out OUT.csv [--min-score X]`, and
`flask register import-nr3s FILE.csv --authority CODE [--dry-run]` and `flask register export-nr3s
--authority CODE [--out FILE.csv]` (docs/nr3s.md)."""

import functools
import io
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import inspect
from sqlalchemy.exc import SQLAlchemyError

from app import db
from licensing.actors import cli_actor
from licensing.audit import log as audit
from licensing.clock import utcnow
from licensing.csvfiles import csv_writer
from licensing.errors import NotFound, ValidationFailed
from licensing.imports.nr3s import export_nr3s
from licensing.imports.pipeline import ImportReport, import_nr3s, import_register
from licensing.imports.writing import settle
from licensing.screening.bulk import SCREEN_HEADER, BulkReport, ContractColumns, read_people, screen_rows
from licensing.screening.key_index import reindex

register = AppGroup("register", help="Import and screen register entries.")
NEEDED_TABLES = ("authority", "register_entry", "licence", "match_key", "audit_event")
# Below these sizes (about 20,000 import rows, or 1,000 people to screen) one process is as quick.
PARALLEL_IMPORT_FROM_BYTES = 4 * 1024 * 1024
PARALLEL_SCREEN_FROM_BYTES = 100 * 1024


def rejects_path(path: Path, kind: str = "rejects") -> Path:
    """Return FILE.rejects.csv (or FILE.<kind>.csv) beside FILE.csv."""
    return path.with_name(f"{path.stem if path.suffix.lower() == '.csv' else path.name}.{kind}.csv")


def warnings_summary(report, listed: Path) -> str:
    """Return "3 warnings (ni_number not valid 2, postcode not valid 1; listed in FILE.warnings.csv)"."""
    if not report.warnings:
        return "0 warnings"
    kinds = sorted(report.warning_kinds.items(), key=lambda item: (-item[1], item[0]))
    counted = ", ".join(f"{kind} {n}" for kind, n in kinds)
    return f"{report.warnings} warnings ({counted}; listed in {listed.name})"


def check_database() -> None:
    """Fail clearly when the database is unreachable or was never migrated."""
    try:
        tables = set(inspect(db.engine()).get_table_names())
    except SQLAlchemyError as error:
        raise click.ClickException(f"Cannot open the database: {error.__class__.__name__}.") from error
    if missing := [t for t in NEEDED_TABLES if t not in tables]:
        raise click.ClickException(f"The database lacks {', '.join(missing)}: run `flask db upgrade` first.")


@contextmanager
def csv_input(path: Path, label: str) -> Iterator[tuple[io.TextIOWrapper, Callable[[], None]]]:
    """Open a CSV as UTF-8 (BOM or not) with a byte progress bar on stderr; yield (text, tick)."""
    with (
        open(path, "rb") as raw,
        click.progressbar(length=path.stat().st_size, label=label, file=sys.stderr) as bar,
    ):
        text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
        done = [0]

        def tick(*_args) -> None:
            bar.update(raw.tell() - done[0])
            done[0] = raw.tell()

        try:
            yield text, tick
        except UnicodeDecodeError as error:
            raise click.ClickException(f"{path.name} is not UTF-8 text (byte {error.start}).") from error
        except ValidationFailed as error:
            raise click.ClickException(f"{path.name}: {error.detail}") from error
        tick()


def worker_count(path: Path, workers: int | None, from_bytes: int) -> int:
    """Return how many worker processes work on FILE.csv: as asked, else one per core for a large file."""
    if workers is not None:
        return workers
    return (os.cpu_count() or 1) if path.stat().st_size >= from_bytes else 0


def run_import(
    path: Path, command: str, service, workers: int | None = None, dry_run: bool = False
) -> ImportReport:
    """Run one import service over FILE.csv, writing FILE.rejects.csv and FILE.warnings.csv beside it."""
    check_database()
    rejects, listed = rejects_path(path), rejects_path(path, "warnings")
    with (
        csv_input(path, f"Importing {path.name}") as (text, tick),
        open(rejects, "w", newline="") as out,
        open(listed, "w", newline="") as warnings,
    ):
        now = utcnow()
        report = service(
            db.engine(),  # the import writes each batch in a unit of work of its own
            cli_actor(command),
            text,
            out,
            now=now,
            source=path.name,
            workers=worker_count(path, workers, PARALLEL_IMPORT_FROM_BYTES),
            on_batch=tick,
            warnings=warnings,
            **({"dry_run": True} if dry_run else {}),
        )
    click.echo(
        f"{path.name}{' (dry run: nothing kept)' if dry_run else ''}: {report.inserted} inserted, "
        f"{report.updated} updated, {report.unchanged} unchanged, "
        f"{report.rejected} rejected (listed in {rejects.name}; rejected rows do not fail the import), "
        f"{warnings_summary(report, listed)}."
    )
    return report


WORKERS_OPTION = click.option(
    "--workers",
    type=click.IntRange(0, 64),
    default=None,
    help="Worker processes (0: work in this one). Default: one per core for a large file.",
)


@register.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@WORKERS_OPTION
def import_command(file: Path, workers: int | None) -> None:
    """Import register entries from FILE.csv (re-importing updates by authority_code and ref)."""
    run_import(file, "register import", import_register, workers)


@register.command("import-nr3s")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--authority", "authority_code", required=True, help="The code of the council the file is of.")
@click.option("--dry-run", is_flag=True, help="Check the file and count what would change; keep nothing.")
@WORKERS_OPTION
def import_nr3s_command(file: Path, authority_code: str, dry_run: bool, workers: int | None) -> None:
    """Import a council's NR3S records from FILE.csv as its register entries (again: no change)."""
    service = functools.partial(import_nr3s, authority_code=authority_code)
    try:
        run_import(file, "register import-nr3s", service, workers, dry_run)
    except NotFound as error:
        raise click.ClickException(error.detail) from error


@register.command("export-nr3s")
@click.option("--authority", "authority_code", required=True, help="The code of the council to export.")
@click.option(
    "--out",
    "out_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="The file to write; standard output if left out.",
)
def export_nr3s_command(authority_code: str, out_path: Path | None) -> None:
    """Write a council's current register entries as an NR3S file (CSV)."""
    check_database()
    actor = cli_actor("register export-nr3s")
    try:
        with db.writing() as session:  # writing: the export is audited
            if out_path is None:
                count = export_nr3s(session, actor, authority_code, sys.stdout, utcnow())
            else:
                with open(out_path, "w", newline="", encoding="utf-8") as out:
                    count = export_nr3s(session, actor, authority_code, out, utcnow())
    except NotFound as error:
        raise click.ClickException(error.detail) from error
    if out_path is not None:
        click.echo(f"{count} register entries written to {out_path.name}.")


@register.command("screen")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--out", "out_path", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--min-score", type=click.FloatRange(0.0, 1.0), default=None, help="Default: the weak threshold."
)
@WORKERS_OPTION
def screen_command(file: Path, out_path: Path, min_score: float | None, workers: int | None) -> None:
    """Screen every person in FILE.csv against the register; write candidates to OUT.csv."""
    check_database()
    report, actor = BulkReport(), cli_actor("register screen")
    rejects, listed = rejects_path(file), rejects_path(file, "warnings")
    with (
        csv_input(file, f"Screening {file.name}") as (text, tick),
        open(out_path, "w", newline="") as out,
        open(rejects, "w", newline="") as rejected,
        open(listed, "w", newline="") as warnings,
        db.reading() as session,
    ):
        writer = csv_writer(out)
        writer.writerow(SCREEN_HEADER)
        people = read_people(text, rejected, warnings, report, utcnow().date())
        screen_rows(
            session,
            people,
            ContractColumns(writer),
            min_score=min_score,
            report=report,
            on_batch=tick,
            workers=worker_count(file, workers, PARALLEL_SCREEN_FROM_BYTES),
        )
    with db.writing() as session:
        _audit_bulk(session, actor, file, out_path, min_score, report)
    bands = ", ".join(f"{band} {report.bands[band]}" for band in ("match", "probable", "possible", "weak"))
    extra = f", below weak {report.bands['none']}" if report.bands["none"] else ""
    click.echo(
        f"{file.name}: screened {report.applicants} people, {sum(report.bands.values())} candidates "
        f"({bands}{extra}) written to {out_path.name}; "
        f"{report.rejected} rows rejected (listed in {rejects.name}); {warnings_summary(report, listed)}."
    )


def _audit_bulk(session, actor, file: Path, out_path: Path, min_score, report: BulkReport) -> None:
    """Record the run as one audit event: an operator searched everyone in the file."""
    detail = {
        "source": file.name,
        "output": out_path.name,
        "min_score": min_score,
        "applicants": report.applicants,
        "rejected": report.rejected,
        "warnings": report.warnings,
        "bands": dict(report.bands),
    }
    audit.record(session, actor, "screening.bulk", "screening", None, now=utcnow(), detail=detail)


@register.command("reindex")
def reindex_command() -> None:
    """Rebuild every record's match keys (run after the matching engine's keys change)."""
    check_database()
    with db.writing() as session:
        written = reindex(session)
    settle(db.engine())  # PostgreSQL: every key row was rewritten; vacuum them so probes read the index alone
    click.echo("Reindexed: " + ", ".join(f"{kind} {n} keys" for kind, n in written.items()) + ".")

"""`flask licences import FILE.csv`."""

from pathlib import Path

import click
from flask.cli import AppGroup

from app.cli.register import WORKERS_OPTION, run_import
from licensing.imports.pipeline import import_licences

licences = AppGroup("licences", help="Import driver licences.")


@licences.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@WORKERS_OPTION
def import_command(file: Path, workers: int | None) -> None:
    """Import licences from FILE.csv (re-importing updates by authority_code and ref)."""
    run_import(file, "licences import", import_licences, workers)

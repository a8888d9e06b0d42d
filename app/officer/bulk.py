"""Bulk screening: upload a people CSV, screen everyone, download the results CSV.

The same code path as `flask register screen` (people read by licensing.screening.bulk.read_people,
screen_rows scoring, one `screening.bulk` audit event) and the same files (docs/reference.md, CSV
formats), so a results file from either can be read by the same tools. The run happens within the
request; the results page then shows what was screened, the rows that could not be read and the
warnings, and offers each as a file, which only the council that ran it can download.
"""

import io
import secrets
from pathlib import Path

from flask import Blueprint, abort, current_app, render_template, send_file, url_for
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import DecimalField
from wtforms.validators import NumberRange, Optional

from app import db
from app.officer.access import actor, require_officer
from licensing.audit import log as audit
from licensing.clock import utcnow
from licensing.csvfiles import csv_writer, read_back
from licensing.errors import ValidationFailed
from licensing.persistence.models.screening import RECORD_KINDS
from licensing.screening.bulk import BULK_HEADER, BulkReport, read_people, screen_rows

bp = Blueprint("officer_bulk", __name__, url_prefix="/bulk-screening")
bp.before_request(require_officer)
MAX_BYTES = 2 * 1024 * 1024  # as MAX_CONTENT_LENGTH: Flask refuses larger bodies anyway


class UploadForm(FlaskForm):
    """A people CSV and the lowest score to report."""

    people = FileField("People CSV file", [FileRequired("Choose a CSV file of people")])
    min_score = DecimalField(
        "Lowest score to include (optional)", [Optional(), NumberRange(0, 1, "Enter a score from 0 to 1")]
    )


# Intelligence is visible only to councils that license, or are processing an application from, the
# matched person (docs/reference.md, access rules); a bulk file of people is neither, so it is never a
# candidate here.
COUNCIL_KINDS = tuple(kind for kind in RECORD_KINDS if kind != "intelligence")
# The files of one run, as `flask register screen` writes them: OUT.csv, FILE.rejects.csv, FILE.warnings.csv.
SUFFIXES = {"results": ".csv", "rejects": ".rejects.csv", "warnings": ".warnings.csv"}
PARTS = tuple(SUFFIXES)


@bp.route("", methods=["GET", "POST"])
def index():
    """Show the upload form, or screen the uploaded people and show the results page."""
    form = UploadForm()
    error = None
    if form.validate_on_submit():
        try:
            return _screen_upload(form)
        except (UnicodeDecodeError, ValidationFailed) as problem:
            db.undo()
            error = getattr(problem, "detail", "The file is not UTF-8 text: save it as CSV UTF-8")
            form.people.errors = [error]
    page = render_template("officer/bulk/index.html", form=form, error=None, header=BULK_HEADER)
    return page, 400 if form.errors or error else 200


def _screen_upload(form: UploadForm):
    """Screen every person in the uploaded file; store the results for this council; show them."""
    raw = form.people.data.read(MAX_BYTES + 1)
    if len(raw) > MAX_BYTES:
        raise ValidationFailed("The file must be smaller than 2 MB")
    text = io.StringIO(raw.decode("utf-8-sig"), newline="")
    files, report = {part: io.StringIO() for part in PARTS}, BulkReport()
    rows = csv_writer(files["results"])
    rows.writerow(BULK_HEADER)
    min_score = float(form.min_score.data) if form.min_score.data is not None else None
    session, officer = db.session(), actor()
    people = read_people(text, files["rejects"], files["warnings"], report, utcnow().date())
    screen_rows(
        session, people, rows, min_score=min_score, report=report, kinds=COUNCIL_KINDS,
        viewer_authority_id=officer.authority_id,
    )  # fmt: skip
    detail = {"source": form.people.data.filename, "applicants": report.applicants}
    detail |= {"rejected": report.rejected, "warnings": report.warnings}
    audit.record(session, officer, "screening.bulk", "screening", None, now=utcnow(), detail=detail)
    token = _store(officer.authority_id, {part: out.getvalue() for part, out in files.items()})
    return render_template(
        "officer/bulk/result.html", report=report, written=sum(report.bands.values()),
        download=url_for(".download", token=token), downloads=_links(token),
        rejects=_read(files["rejects"]), warnings=_read(files["warnings"]),
    )  # fmt: skip


@bp.get("/<token>.csv")
def download(token: str):
    """Send a results file this council produced."""
    return _send(token, "results")


@bp.get("/<token>/<any(rejects, warnings):part>.csv")
def download_part(token: str, part: str):
    """Send the rows a run could not read, or its warnings."""
    return _send(token, part)


def _send(token: str, part: str):
    """Send one file of a run this council made, or 404."""
    path = _results_dir() / f"{actor().authority_id}-{token}{SUFFIXES[part]}"
    if not token.isalnum() or not path.is_file():
        abort(404)
    name = f"screening-{part}.csv"
    return send_file(path, mimetype="text/csv", as_attachment=True, download_name=name)


def _links(token: str) -> dict:
    """Return the download address of a run's rejects and warnings files."""
    return {part: url_for(".download_part", token=token, part=part) for part in ("rejects", "warnings")}


def _read(content: io.StringIO) -> list[dict]:
    """Return the rows of a rejects or warnings file, by column name, as the file gave them, for a table."""
    return read_back(content.getvalue())


def _store(authority_id: int, contents: dict[str, str]) -> str:
    """Keep a run's files under the instance folder, named for its council; return their token."""
    token = secrets.token_hex(16)
    directory = _results_dir()
    directory.mkdir(parents=True, exist_ok=True)
    for part, content in contents.items():
        (directory / f"{authority_id}-{token}{SUFFIXES[part]}").write_text(content, encoding="utf-8")
    return token


def _results_dir() -> Path:
    """Return the folder of bulk screening results."""
    return Path(current_app.instance_path) / "bulk-screening"

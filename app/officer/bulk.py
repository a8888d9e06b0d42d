"""Bulk screening: upload a people CSV, watch it being screened, download the results CSV.

The upload is read whole with the import's row rules before anything is queued: a file with a date or
identifier that cannot be read is refused, every such row listed by its line. A file that reads is queued
as a job (licensing/screening/bulk.py) that a scheduler works; its page shows the rows done of the total,
reloading itself every few seconds without JavaScript (a refresh in <noscript>) and, with JavaScript,
updating in place from the job's JSON status (static/bulk-progress.js). The results and the warnings are
the same files as `flask register screen` writes (docs/reference.md, CSV formats), downloadable by the
council that ran the job until they are purged (BULK_RESULTS_DAYS after it ended).
"""

from flask import Blueprint, Response, current_app, jsonify, redirect, render_template, url_for
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import DecimalField
from wtforms.validators import NumberRange, Optional

from app import db
from app.officer.access import actor, require_officer
from licensing.clock import utcnow
from licensing.errors import ValidationFailed
from licensing.screening import bulk
from licensing.screening.bulk import BULK_HEADER, SHOWN_PROBLEMS, UnreadableRows

bp = Blueprint("officer_bulk", __name__, url_prefix="/bulk-screening")
bp.before_request(require_officer)
MAX_BYTES = 2 * 1024 * 1024  # as MAX_CONTENT_LENGTH: Flask refuses larger bodies anyway
REFRESH_SECONDS = 3  # how often a running job's page reloads itself without JavaScript
POLL_SECONDS = 1  # how often its script asks for the status (a small read of one row's counts)
FILE_NAMES = {"results": "screening-results.csv", "warnings": "screening-warnings.csv"}


class UploadForm(FlaskForm):
    """A people CSV and the lowest score to report."""

    people = FileField("People CSV file", [FileRequired("Choose a CSV file of people")])
    min_score = DecimalField(
        "Lowest score to include (optional)", [Optional(), NumberRange(0, 1, "Enter a score from 0 to 1")]
    )


@bp.route("", methods=["GET", "POST"])
def index():
    """Show the upload form, or check the uploaded file and queue it, then show its progress page."""
    form = UploadForm()
    problems, refused = [], False
    if form.validate_on_submit():
        try:
            return _queue_upload(form)
        except UnicodeDecodeError:
            refused, form.people.errors = True, ["The file is not UTF-8 text: save it as CSV UTF-8"]
        except UnreadableRows as unreadable:
            refused, problems = True, unreadable.problems
            form.people.errors = [unreadable.detail]
        except ValidationFailed as failure:
            refused, form.people.errors = True, [failure.detail]
        db.undo()
    jobs = [(job, _progress(job)) for job in bulk.recent_jobs(db.session(), actor())]
    page = render_template(
        "officer/bulk/index.html", form=form, header=BULK_HEADER, problems=problems[:SHOWN_PROBLEMS],
        problem_count=len(problems), days=current_app.config["BULK_RESULTS_DAYS"], jobs=jobs,
    )  # fmt: skip
    return page, 400 if form.errors or refused else 200


def _queue_upload(form: UploadForm):
    """Check the uploaded file whole and queue it as a job of this council; go to its page."""
    raw = form.people.data.read(MAX_BYTES + 1)
    if len(raw) > MAX_BYTES:
        raise ValidationFailed("The file must be smaller than 2 MB")
    text = raw.decode("utf-8-sig")
    min_score = float(form.min_score.data) if form.min_score.data is not None else None
    source = form.people.data.filename or "people.csv"
    job_id = bulk.create_job(db.session(), actor(), text, source, min_score, now=utcnow())
    return redirect(url_for(".job", job_id=job_id), 303)


@bp.get("/jobs/<int:job_id>")
def job(job_id: int):
    """Show a job's progress while it waits or runs, and its downloads once it is done."""
    status = bulk.job_status(db.session(), actor(), job_id)
    return render_template(
        "officer/bulk/job.html", job=status, progress=_progress(status), refresh=REFRESH_SECONDS,
        poll=POLL_SECONDS, days=current_app.config["BULK_RESULTS_DAYS"],
    )  # fmt: skip


@bp.get("/jobs/<int:job_id>/status.json")
def job_json(job_id: int):
    """Answer a job's status as JSON, for the page's script to update the progress in place."""
    status = bulk.job_status(db.session(), actor(), job_id)
    return jsonify(_progress(status) | {"status": status.status})


@bp.get("/jobs/<int:job_id>/<any(results, warnings):part>.csv")
def download(job_id: int, part: str):
    """Send a finished job's results or warnings file (404 for another council's, or before it is done)."""
    content = bulk.job_file(db.session(), actor(), job_id, part)
    disposition = f'attachment; filename="{FILE_NAMES[part]}"'
    return Response(content, mimetype="text/csv", headers={"Content-Disposition": disposition})


def _progress(status) -> dict:
    """Return a job's progress for the page and its script: rows done, the total, the percentage, words."""
    percent = 100 * status.rows_done // status.total_rows if status.total_rows else 0
    words = {
        "queued": "Waiting to start",
        "running": f"{status.rows_done:,} of {status.total_rows:,} people screened",
        "done": f"{status.total_rows:,} of {status.total_rows:,} people screened",
        "failed": "The screening failed",
    }[status.status]
    return {"rows_done": status.rows_done, "total_rows": status.total_rows, "percent": percent, "text": words}

"""Information requests (s.3) and concern reports (s.5/s.6), in and out, with due dates and overdue flags."""

from flask import Blueprint, render_template

from app import db
from app.officer.access import actor, require_officer
from licensing import concerns, requests
from licensing.clock import utcnow

bp = Blueprint("officer_workflows", __name__, url_prefix="/workflows")
bp.before_request(require_officer)
DIRECTIONS = ("incoming", "outgoing")


@bp.get("")
def index():
    """List the requests and reports the council received and sent."""
    session, officer, today = db.session(), actor(), utcnow().date()
    lists = {
        direction: {
            "requests": [
                requests.describe(session, r, today)
                for r in requests.list_requests(session, officer, direction=direction, today=today).items
            ],
            "reports": [
                concerns.describe(session, r)
                for r in concerns.list_reports(session, officer, direction=direction).items
            ],
        }
        for direction in DIRECTIONS
    }
    return render_template("officer/workflows/index.html", lists=lists, today=today)


@bp.get("/requests/<int:request_id>")
def request(request_id: int):
    """Show one information request the council made or must answer."""
    session, today = db.session(), utcnow().date()
    found = requests.visible_request(session, actor(), request_id)
    return render_template("officer/workflows/request.html", r=requests.describe(session, found, today))


@bp.get("/reports/<int:report_id>")
def report(report_id: int):
    """Show one concern report the council sent or received."""
    session = db.session()
    found = concerns.visible_report(session, actor(), report_id)
    return render_template("officer/workflows/report.html", r=concerns.describe(session, found))

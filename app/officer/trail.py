"""A record's "who has viewed or screened this" page."""

from flask import Blueprint, render_template

from app import db
from app.officer.access import actor, require_officer
from licensing.licences import record_trail

bp = Blueprint("officer_trail", __name__, url_prefix="/trail")
bp.before_request(require_officer)


@bp.get("/<any(application, licence, register_entry):kind>/<int:record_id>")
def show(kind: str, record_id: int):
    """Show who has viewed, screened or found one of the council's records."""
    lines = record_trail.record_trail(db.session(), actor(), kind, record_id)
    return render_template("officer/trail/show.html", kind=kind, record_id=record_id, lines=lines)

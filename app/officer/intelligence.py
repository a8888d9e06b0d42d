"""Police intelligence routed to this council: category, date, force, reference and the shared summary.

Each item shown is audited by the service (docs/reference.md, access rules: every view is audited).
"""

from flask import Blueprint, render_template

from app import db
from app.officer.access import actor, require_officer
from licensing.clock import utcnow
from licensing.intelligence import council_views

bp = Blueprint("officer_intelligence", __name__, url_prefix="/intelligence")
bp.before_request(require_officer)


@bp.get("")
@db.writes_on_get
def index():
    """List the intelligence routed to the council, newest first."""
    items, _ = council_views.routed_to_council(db.session(), actor(), utcnow(), limit=50)
    return render_template("officer/intelligence/index.html", items=items)


@bp.get("/<int:intelligence_id>")
@db.writes_on_get
def show(intelligence_id: int):
    """Show one item of intelligence routed to the council."""
    item = council_views.routed_item(db.session(), actor(), intelligence_id, utcnow())
    return render_template("officer/intelligence/show.html", item=item)

"""Police intelligence routed to this council: category, date, force, reference and the shared summary.

Each item shown is audited by the service (docs/reference.md, access rules: every view is audited).
"""

from flask import Blueprint, render_template

from app import db
from app.officer.access import actor, require_officer
from app.officer.paging import page_after, pagination
from licensing.clock import utcnow
from licensing.intelligence import council_views
from licensing.persistence import pages

bp = Blueprint("officer_intelligence", __name__, url_prefix="/intelligence")
bp.before_request(require_officer)
LIST = "routed_intelligence"  # the API's list: a cursor of one pages the other


@bp.get("")
@db.writes_on_get
def index():
    """List the intelligence routed to the council, newest first, a page at a time."""
    before = page_after(LIST)
    items, cursor = council_views.routed_to_council(
        db.session(), actor(), utcnow(), before=before and before[0], limit=pages.DEFAULT_LIMIT
    )
    page = pages.Page(items, cursor and (cursor,))
    return render_template("officer/intelligence/index.html", items=items, pagination=pagination(LIST, page))


@bp.get("/<int:intelligence_id>")
@db.writes_on_get
def show(intelligence_id: int):
    """Show one item of intelligence routed to the council."""
    item = council_views.routed_item(db.session(), actor(), intelligence_id, utcnow())
    return render_template("officer/intelligence/show.html", item=item)

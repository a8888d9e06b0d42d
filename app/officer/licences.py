"""Licences: search, view, and suspend / reinstate / revoke / surrender after a confirmation step.

The state table in licensing.licences decides which change is allowed from which status; this page only
offers the changes that table allows and asks the officer to confirm each with its effective date.
"""

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import Length, Optional

from app import db
from app.officer.access import MANAGERS, actor, check_role, has_role, require_officer
from app.officer.forms import DateField, show_service_errors
from licensing import licences
from licensing.clock import utcnow
from licensing.errors import DomainError, NotFound
from licensing.models.records import LICENCE_STATUSES

bp = Blueprint("officer_licences", __name__, url_prefix="/licences")
bp.before_request(require_officer)
# What each action is called on the page, and who may take it.
ACTIONS = {
    "suspend": ("Suspend", ("officer", *MANAGERS)),
    "reinstate": ("Reinstate", MANAGERS),
    "revoke": ("Revoke", MANAGERS),
    "surrender": ("Record the surrender of", ("officer", *MANAGERS)),
}


class SearchForm(FlaskForm):
    """Find a licence by badge number, or list them by status."""

    class Meta:
        csrf = False  # a GET search changes nothing

    badge = StringField("Badge number", [Optional(), Length(max=32)])
    status = StringField("Status", [Optional()])


class StatusForm(FlaskForm):
    """The date a confirmed status change takes effect."""

    effective_on = DateField("Date it takes effect")


@bp.get("")
def index():
    """Search the council's licences by badge number or status."""
    form = SearchForm(request.args)
    status = form.status.data if form.status.data in LICENCE_STATUSES else None
    page = licences.list_licences(
        db.session(), actor(), status=status, badge_number=form.badge.data or None, limit=50
    )
    return render_template(
        "officer/licences/index.html", form=form, licences=page.items, statuses=LICENCE_STATUSES
    )


@bp.get("/<int:licence_id>")
def show(licence_id: int):
    """Show a licence, its status history and the changes its status allows."""
    licence = licences.own_licence(db.session(), actor(), licence_id)
    allowed = [
        (action, label)
        for action, (label, roles) in ACTIONS.items()
        if licence.status in licences.TRANSITIONS[action][0] and has_role(*roles)
    ]
    return render_template("officer/licences/show.html", licence=licence, actions=allowed)


@bp.route("/<int:licence_id>/<any(suspend, reinstate, revoke, surrender):action>", methods=["GET", "POST"])
def change(licence_id: int, action: str):
    """Ask the officer to confirm a status change with its effective date, then make it."""
    label, roles = ACTIONS[action]
    check_role(*roles)
    session = db.session()
    licence = licences.own_licence(session, actor(), licence_id)
    form = StatusForm(effective_on=utcnow().date())
    error = None
    if form.validate_on_submit():
        try:
            licences.change_status(
                session, actor(), licence_id, action, effective_on=form.effective_on.data, now=utcnow()
            )
            return redirect(url_for(".show", licence_id=licence_id))
        except NotFound:
            abort(404)
        except DomainError as refusal:
            session.rollback()
            error = show_service_errors(form, refusal)
            licence = licences.own_licence(session, actor(), licence_id)
    page = render_template(
        "officer/licences/confirm.html", licence=licence, action=action, label=label, form=form, error=error
    )
    return page, 400 if form.errors or error else 200

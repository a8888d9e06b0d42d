"""Search: find any of the council's own applications, licences and register entries.

By name (spellings the matching engine calls one name find each other), date of birth, badge, NI number
or driving licence number, any together; the results come a page at a time (licensing/licences/finding.py).
"""

from flask import Blueprint, render_template, request, url_for
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import Length, Optional

from app import db
from app.officer.access import actor, require_officer
from app.officer.forms import DateField, show_service_errors
from app.officer.paging import page_after, pagination
from licensing.errors import ValidationFailed
from licensing.licences import finding

bp = Blueprint("officer_search", __name__, url_prefix="/search")
bp.before_request(require_officer)
LIST = "search"
RECORD_PAGES = {
    "licence": ("officer_licences.show", "licence_id"),
    "application": ("officer_applications.show", "application_id"),
    "register_entry": ("officer_register.show", "entry_id"),
}
KIND_NAMES = {"licence": "Licence", "application": "Application", "register_entry": "Register entry"}


class SearchForm(FlaskForm):
    """What an officer searches the council's records by."""

    class Meta:
        csrf = False  # a GET search changes nothing

    name = StringField("Name", [Optional(), Length(max=finding.NAME_WIDTH)])
    date_of_birth = DateField("Date of birth", required=False)
    badge_number = StringField("Badge number", [Optional(), Length(max=finding.BADGE_WIDTH)])
    ni_number = StringField("National Insurance number", [Optional(), Length(max=20)])
    driving_licence_number = StringField("Driving licence number", [Optional(), Length(max=30)])


@bp.get("")
def index():
    """Show the search form, and the council's records that match what was searched for."""
    form = SearchForm(request.args)
    searched = any(value for name, value in request.args.items() if name not in ("cursor", "trail"))
    page = error = None
    if searched and form.validate():
        query = finding.Query(
            name=form.name.data or "",
            date_of_birth=form.date_of_birth.data,
            badge_number=form.badge_number.data or "",
            ni_number=form.ni_number.data or "",
            driving_licence_number=form.driving_licence_number.data or "",
        )
        try:
            page = finding.search(db.session(), actor(), query, after=page_after(LIST, finding.KEY_TYPES))
        except ValidationFailed as refusal:
            error = show_service_errors(form, refusal)
    shown = render_template(
        "officer/search/index.html", form=form, page=page, error=error, searched=searched,
        pagination=pagination(LIST, page) if page else None, record_link=record_link, kind_names=KIND_NAMES,
    )  # fmt: skip
    return shown, 400 if form.errors or error else 200


def record_link(found: finding.Found) -> str:
    """Return the page of a record found."""
    endpoint, arg = RECORD_PAGES[found.kind]
    return url_for(endpoint, **{arg: found.id})

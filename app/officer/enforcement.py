"""Enforcement quick check: any council's licence by badge (with its issuing council, or at every council
that issued that number) or by driver number."""

from flask import Blueprint, render_template, request
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import Length, Optional

from app import db
from app.officer.access import actor, require_officer
from app.officer.forms import CouncilField, show_service_errors
from licensing.clock import utcnow
from licensing.errors import ValidationFailed
from licensing.licences import lookup

bp = Blueprint("officer_enforcement", __name__, url_prefix="/quick-check")
bp.before_request(require_officer)


class CheckForm(FlaskForm):
    """A badge, with its issuing council if known, or a driving licence number."""

    class Meta:
        csrf = False  # a GET check changes no record (the service audits it)

    authority = CouncilField("Issuing council", [Optional(), Length(max=9)], blank="Any council")
    badge = StringField("Badge number", [Optional(), Length(max=32)])
    driving_licence_number = StringField("Driving licence number", [Optional(), Length(max=40)])


@bp.get("")
@db.writes_on_get
def index():
    """Show the quick check form and, when asked, the licences found."""
    form = CheckForm(request.args)
    form.authority.load_councils(db.session())
    asked = any(request.args.get(name) for name in ("authority", "badge", "driving_licence_number"))
    found, error = None, None
    if asked and form.validate():
        try:
            found = lookup.enforcement_check(
                db.session(), actor(), authority_code=form.authority.data,
                badge_number=_typed(form.badge),
                driving_licence_number=_typed(form.driving_licence_number, upper=True), now=utcnow(),
            )  # fmt: skip
        except ValidationFailed as refusal:
            db.undo()
            error = show_service_errors(form, refusal)
    elif asked:
        error = "Check the values you entered"
    page = render_template("officer/enforcement/index.html", form=form, found=found, error=error)
    return page, 400 if error else 200


def _typed(field, upper: bool = False) -> str | None:
    """Return what the officer typed in a field, trimmed (upper-cased for codes), or None."""
    value = (field.data or "").strip()
    return (value.upper() if upper else value) or None

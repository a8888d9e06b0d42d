"""The council's own settings that residents see: the page where they report a concern about a driver.

Only the council's administrator (role admin) changes them: a setting shown to the public on the
council's behalf is the administrator's, as creating its officers' accounts is.
"""

from flask import Blueprint, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import Length

from app import auth, db
from app.officer.access import actor, require_officer, require_role
from app.officer.forms import show_service_errors
from licensing.access.users import authority_of
from licensing.clock import utcnow
from licensing.errors import ValidationFailed
from licensing.reference import CONCERN_URL_LENGTH, set_concern_url

bp = Blueprint("officer_council", __name__, url_prefix="/council")
bp.before_request(require_officer)
ADMINISTRATORS = ("admin",)


class ConcernPageForm(FlaskForm):
    """The council's page for reporting a concern about a licensed driver; empty for GOV.UK's."""

    url = StringField("Web address of your page for reporting a concern about a driver", [Length(max=2000)])


@bp.route("/concern-page", methods=["GET", "POST"])
@require_role(*ADMINISTRATORS)
def concern_page():
    """Show and change the page the public check links residents to, to report a concern."""
    authority = authority_of(db.session(), auth.current_officer())
    form = ConcernPageForm(data={"url": authority.concern_url or ""})
    error = None
    if request.method == "POST" and form.validate_on_submit():
        try:
            set_concern_url(db.session(), authority.code, form.url.data, now=utcnow(), actor=actor())
            return redirect(url_for(".concern_page", saved=1))
        except ValidationFailed as refusal:
            db.undo()
            error = show_service_errors(form, refusal)
    elif request.method == "POST":
        error = "Check the web address"
    page = render_template(
        "officer/council/concern_page.html",
        form=form,
        error=error,
        authority=authority,
        saved=request.method == "GET" and request.args.get("saved") == "1",
        longest=CONCERN_URL_LENGTH,
    )
    return page, 400 if error or form.errors else 200

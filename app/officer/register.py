"""Recording a s.2 register entry: a refusal, suspension or revocation resting on relevant information.

The entry holds identity, decision and dates only, never reasons (2022 Act s.2(4)); reasons travel only
in answer to a s.3 request. The form can start from one of the council's licences, copying its identity.
"""

from flask import Blueprint, redirect, render_template, request, url_for
from wtforms import RadioField, StringField
from wtforms.validators import InputRequired, Length, Optional

from app import db
from app.officer.access import actor, require_officer
from app.officer.forms import DateField, IdentityForm, choices, identity_values, show_service_errors
from licensing import licences, register
from licensing.clock import utcnow
from licensing.errors import DomainError
from licensing.models.records import DECISION_CATEGORIES, DECISIONS

bp = Blueprint("officer_register", __name__, url_prefix="/register")
bp.before_request(require_officer)


class EntryForm(IdentityForm):
    """A register entry: the driver, the decision and its dates."""

    ref = StringField("Your reference", [InputRequired("Enter your reference"), Length(max=64)])
    decision = RadioField(
        "Decision", choices=choices(DECISIONS),
        validators=[InputRequired("Select the decision")],
    )  # fmt: skip
    category = RadioField(
        "Kind of relevant information (optional)", validators=[Optional()],
        choices=choices(DECISION_CATEGORIES),
    )  # fmt: skip
    decided_on = DateField("Date of the decision")
    effective_on = DateField("Date it takes effect")


@bp.route("/new", methods=["GET", "POST"])
def new():
    """Show the register entry form (from a licence when given), or record the entry."""
    form = EntryForm(obj=_licence(request.args.get("licence", type=int)))
    error = None
    if form.validate_on_submit():
        fields = identity_values(form) | {name: form[name].data for name in ("ref", "decision")}
        fields |= {
            "category": form.category.data or None,
            "decided_on": form.decided_on.data,
            "effective_on": form.effective_on.data,
        }
        try:
            entry = register.record_entry(db.session(), actor(), fields, utcnow())
            return redirect(url_for(".show", entry_id=entry.id))
        except DomainError as refusal:
            db.session().rollback()
            error = show_service_errors(form, refusal)
    page = render_template("officer/register/new.html", form=form, error=error)
    return page, 400 if form.errors or error else 200


@bp.get("/<int:entry_id>")
def show(entry_id: int):
    """Show one of the council's register entries with its change history."""
    detail = register.entry_detail(db.session(), actor(), entry_id)
    return render_template("officer/register/show.html", detail=detail)


def _licence(licence_id: int | None):
    """Return the council's licence whose identity starts the form, if one was named."""
    if licence_id is None:
        return None
    licence = licences.own_licence(db.session(), actor(), licence_id)
    previous = "\n".join(n for n in licence.previous_names.split(";") if n)
    return _Prefill(licence, previous_names=previous, ref="", decision=None, category=None)


class _Prefill:
    """A licence's attributes with some replaced, as the starting values of a form."""

    def __init__(self, record, **overrides):
        self._record, self._overrides = record, overrides

    def __getattr__(self, name):
        return self._overrides[name] if name in self._overrides else getattr(self._record, name)

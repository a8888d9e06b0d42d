"""Recording a s.2 register entry: a refusal, suspension or revocation resting on relevant information.

The entry holds identity, decision and dates only, never reasons (2022 Act s.2(4)); reasons travel only
in answer to a s.3 request. The form can start from one of the council's licences, copying its identity.
"""

from flask import Blueprint, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from wtforms import RadioField, StringField
from wtforms.validators import InputRequired, Length, Optional

from app import db
from app.officer.access import MANAGERS, actor, check_role, require_officer
from app.officer.forms import DateField, IdentityForm, choices, identity_values, show_service_errors
from app.officer.paging import page_after, pagination
from licensing.clock import utcnow
from licensing.errors import DomainError, InvalidTransition, ValidationFailed
from licensing.identity.fields import previous_names_of
from licensing.licences import lifecycle
from licensing.persistence import pages
from licensing.persistence.models.records import DECISION_CATEGORIES, DECISIONS, ENTRY_STATUSES
from licensing.register import entries as register

bp = Blueprint("officer_register", __name__, url_prefix="/register")
bp.before_request(require_officer)
CHANGE_LABELS = {
    "overturned": "Overturned (for example, on appeal)",
    "reinstated": "Reinstated (the overturning or removal was itself reversed)",
    "amended": "Corrected (a date or the kind of information was wrong)",
    "removed": "Removed",
}


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


LIST = "register_entries"  # the API's list of entries: a cursor of one pages the other


@bp.get("")
def index():
    """List the council's own register entries, oldest first, a page at a time (of one status if chosen)."""
    status = request.args.get("status")
    status = status if status in ENTRY_STATUSES else None
    after = (page_after(LIST) or (0,))[0]
    limit = pages.DEFAULT_LIMIT
    rows = register.list_entries(db.session(), actor(), status=status, after=after, limit=limit + 1)
    page = pages.take(rows, limit, lambda entry: (entry.id,))
    return render_template(
        "officer/register/index.html", entries=page.items, pagination=pagination(LIST, page), status=status,
        statuses=ENTRY_STATUSES,
    )  # fmt: skip


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
            db.undo()
            error = show_service_errors(form, refusal)
    page = render_template("officer/register/new.html", form=form, error=error)
    return page, 400 if form.errors or error else 200


class AmendForm(FlaskForm):
    """A later change to an entry (s.2: kept up to date, e.g. overturned on appeal), with any corrections."""

    change = RadioField(
        "What changed", choices=choices(register.AMENDMENTS, CHANGE_LABELS),
        validators=[InputRequired("Select what changed")],
    )  # fmt: skip
    reason = RadioField("Why (optional)", [Optional()], choices=choices(register.CHANGE_REASONS))
    changed_on = DateField("Date of the change (today if left empty)", required=False)
    decided_on = DateField("Corrected date of the decision (corrections only)", required=False)
    effective_on = DateField("Corrected date it takes effect (corrections only)", required=False)
    category = RadioField(
        "Corrected kind of relevant information (corrections only)", [Optional()],
        choices=choices(DECISION_CATEGORIES),
    )  # fmt: skip


@bp.route("/<int:entry_id>/amend", methods=["GET", "POST"])
def amend(entry_id: int):
    """Show the change form for one of the council's entries, or apply the change (a manager's decision)."""
    check_role(*MANAGERS)
    session = db.session()
    detail = register.entry_detail(session, actor(), entry_id)
    form, error = AmendForm(), None
    if form.validate_on_submit():
        names = ("changed_on", "reason", "decided_on", "effective_on", "category")
        fields = {name: form[name].data for name in names if form[name].data}
        try:
            register.amend_entry(session, actor(), entry_id, form.change.data, fields, utcnow())
            return redirect(url_for(".show", entry_id=entry_id))
        except (ValidationFailed, InvalidTransition) as refusal:
            db.undo()
            error = show_service_errors(form, refusal)
            detail = register.entry_detail(session, actor(), entry_id)
    page = render_template("officer/register/amend.html", detail=detail, form=form, error=error)
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
    licence = lifecycle.own_licence(db.session(), actor(), licence_id)
    previous = "\n".join(previous_names_of(licence.previous_names))
    return _Prefill(licence, previous_names=previous, ref="", decision=None, category=None)


class _Prefill:
    """A licence's attributes with some replaced, as the starting values of a form."""

    def __init__(self, record, **overrides):
        self._record, self._overrides = record, overrides

    def __getattr__(self, name):
        return self._overrides[name] if name in self._overrides else getattr(self._record, name)

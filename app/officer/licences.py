"""Licences: search, view, DBS details, and suspend / reinstate / revoke / surrender after a confirmation.

The state table in licensing.licences.lifecycle decides which change is allowed from which status; this page
only offers the changes that table allows and asks the officer to confirm each with its effective date.
Suspending, reinstating and revoking are a manager's decisions, as in the API (`council:decide`); a
suspension or revocation records its s.2 register entry in the same change, so its confirmation asks
whether the decision rests on relevant information, and of what kind (licensing/register/recording.py).
"""

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from wtforms import RadioField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from app import db
from app.officer.access import MANAGERS, actor, check_role, has_role, require_officer
from app.officer.forms import DateField, choices, show_service_errors
from app.officer.paging import page_after, pagination
from licensing.clock import utcnow
from licensing.errors import DomainError, NotFound
from licensing.licences import attention, lifecycle
from licensing.persistence.models.records import DECISION_CATEGORIES, LICENCE_STATUSES
from licensing.register import recording

bp = Blueprint("officer_licences", __name__, url_prefix="/licences")
bp.before_request(require_officer)
# What each action is called on the page, and who may take it.
ACTIONS = {
    "suspend": ("Suspend", MANAGERS),
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


class RegisterChoiceForm(FlaskForm):
    """Whether a refusal, suspension or revocation goes on the s.2 register, and with what."""

    record_register_entry = RadioField(
        "Does the decision rest on relevant information (2022 Act s.2(1))?", choices=choices(("yes", "no")),
        validators=[InputRequired("Select yes if the decision rests on relevant information")],
    )  # fmt: skip
    category = RadioField(
        "If yes: the kind of relevant information", [Optional()], choices=choices(DECISION_CATEGORIES)
    )
    register_ref = StringField(
        "If yes: your reference for the register entry (optional)", [Optional(), Length(max=64)]
    )
    not_recorded_reason = TextAreaField(
        "If no: why not (kept in the audit trail, never on the register)", [Optional(), Length(max=500)]
    )


class DecisionForm(StatusForm, RegisterChoiceForm):
    """A suspension or revocation: when it takes effect, and its register entry."""


class DbsForm(FlaskForm):
    """A licence's DBS details."""

    dbs_certificate_number = StringField("DBS certificate number (12 digits)", [Optional(), Length(max=20)])
    dbs_update_service = RadioField(
        "Subscribed to the DBS Update Service?", choices=choices(("yes", "no")),
        validators=[InputRequired("Select yes if the driver subscribes to the Update Service")],
    )  # fmt: skip
    dbs_consent_on = DateField("Date the driver consented to status checks", required=False)


def register_choice(form: RegisterChoiceForm) -> dict:
    """Return a register choice form's answers as the service takes them."""
    return {
        "record_register_entry": form.record_register_entry.data != "no",
        "category": form.category.data or None,
        "register_ref": form.register_ref.data or None,
        "not_recorded_reason": form.not_recorded_reason.data or None,
    }


def dbs_values(form: DbsForm) -> dict:
    """Return a DBS form's answers as the service takes them."""
    return {
        "dbs_certificate_number": form.dbs_certificate_number.data or None,
        "dbs_update_service": form.dbs_update_service.data == "yes",
        "dbs_consent_on": form.dbs_consent_on.data,
    }


LIST = "licences"  # the API's list of licences: a cursor of one pages the other
DUE = {"expiring": "Expiring within a week", "dbs": "DBS check due within a week"}


@bp.get("")
def index():
    """List the council's licences a page at a time: by badge number, by status, or due for attention."""
    form = SearchForm(request.args)
    status = form.status.data if form.status.data in LICENCE_STATUSES else None
    due = request.args.get("due") if request.args.get("due") in DUE else None
    session = db.session()
    filters = {"status": status, "badge_number": form.badge.data or None, "due": due}
    page = lifecycle.list_licences(session, actor(), **filters, today=utcnow().date(), after=page_after(LIST))
    total = lifecycle.count_licences(session, actor(), **filters, today=utcnow().date())
    return render_template(
        "officer/licences/index.html", form=form, licences=page.items, statuses=LICENCE_STATUSES, total=total,
        pagination=pagination(LIST, page), due=due, due_labels=DUE,
    )  # fmt: skip


@bp.get("/<int:licence_id>")
def show(licence_id: int):
    """Show a licence, what the council holds about its driver, its DBS details, its status history and
    the changes its status allows."""
    session = db.session()
    licence = lifecycle.own_licence(session, actor(), licence_id)
    allowed = [
        (action, label)
        for action, (label, roles) in ACTIONS.items()
        if licence.status in lifecycle.TRANSITIONS[action][0] and has_role(*roles)
    ]
    entries = recording.entries_recorded_by(session, licence)
    return render_template(
        "officer/licences/show.html", licence=licence, actions=allowed, entries=entries,
        about=attention.about_licence(session, actor(), licence), alert_words=attention.alert_words,
    )  # fmt: skip


@bp.route("/<int:licence_id>/<any(suspend, reinstate, revoke, surrender):action>", methods=["GET", "POST"])
def change(licence_id: int, action: str):
    """Ask the officer to confirm a status change (and a decision's register entry), then make it."""
    label, roles = ACTIONS[action]
    check_role(*roles)
    session = db.session()
    licence = lifecycle.own_licence(session, actor(), licence_id)
    decision = action in lifecycle.REGISTERED
    form = (DecisionForm if decision else StatusForm)(effective_on=utcnow().date())
    error = None
    if form.validate_on_submit():
        register = register_choice(form) if decision else None
        try:
            lifecycle.change_status(
                session, actor(), licence_id, action, effective_on=form.effective_on.data, now=utcnow(),
                register=register,
            )  # fmt: skip
            return redirect(url_for(".show", licence_id=licence_id))
        except NotFound:
            abort(404)
        except DomainError as refusal:
            db.undo()
            error = show_service_errors(form, refusal)
            licence = lifecycle.own_licence(session, actor(), licence_id)
    page = render_template(
        "officer/licences/confirm.html", licence=licence, action=action, label=label, form=form, error=error,
        decision=decision,
    )  # fmt: skip
    return page, 400 if form.errors or error else 200


@bp.route("/<int:licence_id>/dbs", methods=["GET", "POST"])
def dbs(licence_id: int):
    """Show the licence's DBS details in a form, or change them."""
    session = db.session()
    licence = lifecycle.own_licence(session, actor(), licence_id)
    form, error = DbsForm(obj=_DbsShown(licence)), None
    if form.validate_on_submit():
        try:
            lifecycle.change_dbs(session, actor(), licence_id, dbs_values(form), utcnow())
            return redirect(url_for(".show", licence_id=licence_id))
        except DomainError as refusal:
            db.undo()
            error = show_service_errors(form, refusal)
            licence = lifecycle.own_licence(session, actor(), licence_id)
    page = render_template("officer/licences/dbs.html", licence=licence, form=form, error=error)
    return page, 400 if form.errors or error else 200


class _DbsShown:
    """A licence's DBS details as the form shows them first (the subscription as yes or no)."""

    def __init__(self, licence):
        """Take the licence's DBS details."""
        self.dbs_certificate_number = licence.dbs_certificate_number
        self.dbs_update_service = "yes" if licence.dbs_update_service else "no"
        self.dbs_consent_on = licence.dbs_consent_on

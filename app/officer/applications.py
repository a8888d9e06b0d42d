"""Applications: receive one (it is screened at once), compare each candidate, resolve, decide, grant.

The pages call the same services as the API (licensing.licences.applications, licensing.licences.gate,
licensing.licences.adverse_decisions, licensing.licences.lifecycle): the gate that refuses a grant here is the
one that refuses it there. A manager's decision on an adverse record is a manager's, as it is for an API key
with the `council:decide` scope.
"""

from datetime import timedelta

from flask import Blueprint, abort, current_app, redirect, render_template, url_for
from flask_wtf import FlaskForm
from wtforms import RadioField, StringField, TextAreaField
from wtforms.validators import AnyOf, InputRequired, Length, Optional, Regexp

from app import db
from app.officer.access import MANAGERS, actor, check_role, has_role, require_officer
from app.officer.forms import DateField, IdentityForm, choices, identity_values, show_service_errors
from app.officer.licences import DbsForm, RegisterChoiceForm, dbs_values, register_choice
from app.officer.paging import page_after, pagination
from licensing import words
from licensing.clock import utcnow
from licensing.errors import DomainError, InvalidTransition, NotFound, ValidationFailed
from licensing.identity.fields import previous_names_of
from licensing.licences import adverse, adverse_decisions, applications, gate, lifecycle
from licensing.persistence.models.records import APPLICATION_KINDS, LICENCE_TYPES
from licensing.persistence.models.screening import RESOLUTIONS

bp = Blueprint("officer_applications", __name__, url_prefix="/applications")
bp.before_request(require_officer)
IDENTITY_ROWS = (
    ("given_names", "Given names"),
    ("family_name", "Family name"),
    ("previous_names", "Previous names"),
    ("date_of_birth", "Date of birth"),
    ("sex", "Sex"),
    ("address", "Address"),
    ("postcode", "Postcode"),
    ("ni_number", "National Insurance number"),
    ("driving_licence_number", "Driving licence number"),
)
BADGE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9/\-]{0,31}$"
BADGE_MESSAGE = "Enter a badge number of letters, digits, / or -"


class ApplicationForm(IdentityForm):
    """A new or renewal application as the council received it."""

    ref = StringField("Your reference", [InputRequired("Enter your reference"), Length(max=64)])
    kind = RadioField(
        "Kind of application", choices=choices(APPLICATION_KINDS),
        validators=[InputRequired("Select the kind of application")],
    )  # fmt: skip
    licence_type = RadioField(
        "Licence type", choices=choices(LICENCE_TYPES, words.LICENCE_TYPES),
        validators=[InputRequired("Select the licence type")],
    )  # fmt: skip
    received_on = DateField("Date received")


class ResolveForm(FlaskForm):
    """An officer's ruling on one candidate, with the reason for it."""

    reason = TextAreaField("Reason", [InputRequired("Enter the reason for your decision"), Length(max=500)])
    resolution = StringField(validators=[AnyOf(RESOLUTIONS, message="Choose same person or not")])


class AdverseDecisionForm(FlaskForm):
    """A manager's decision that an adverse record, found to be the same person, does not stop the grant."""

    reason = TextAreaField(
        "Why the council may still grant, having weighed this record",
        [InputRequired("Enter why the council may still grant"), Length(max=2000)],
    )


class GrantForm(DbsForm):
    """The licence to grant on an application that passed the gate, with the driver's DBS details."""

    badge_number = StringField(
        "Badge number",
        [InputRequired("Enter the badge number"), Regexp(BADGE_PATTERN, message=BADGE_MESSAGE)],
    )
    granted_on = DateField("Date granted")
    expires_on = DateField("Expiry date")
    display_name = StringField("Name shown on the public check (optional)", [Optional(), Length(max=100)])
    dbs_update_service = RadioField(
        "Subscribed to the DBS Update Service?", [Optional()], choices=choices(("yes", "no"))
    )


class DecisionForm(RegisterChoiceForm):
    """A withdrawal (nothing to fill in) or a refusal with its date and its s.2 register entry, recorded
    with it unless the refusal does not rest on relevant information."""

    decided_on = DateField("Date of the decision")
    effective_on = DateField("Date the refusal takes effect (for the register)", required=False)


def max_screening_age() -> timedelta:
    """Return how recent the screening behind a grant must be."""
    return timedelta(days=current_app.config["SCREENING_MAX_AGE_DAYS"])


LIST = "applications"  # the API's list of applications: a cursor of one pages the other


@bp.get("")
def index():
    """List the council's applications, newest first, a page at a time."""
    page = applications.list_applications(db.session(), actor(), after=page_after(LIST))
    return render_template(
        "officer/applications/index.html", applications=page.items, pagination=pagination(LIST, page)
    )


@bp.route("/new", methods=["GET", "POST"])
def new():
    """Show the application form, or receive the application, screen it and show the results."""
    form = ApplicationForm()
    if form.validate_on_submit():
        fields = identity_values(form) | {name: form[name].data for name in ("ref", "kind", "licence_type")}
        fields |= {
            "received_on": form.received_on.data,
            "previous_names": fields["previous_names"].split(";"),
        }
        try:
            view = applications.create_application(db.session(), actor(), fields, utcnow())
        except DomainError as error:
            db.undo()
            return _form_page(form, show_service_errors(form, error))
        return redirect(url_for(".show", application_id=view.application.id))
    return _form_page(form)


def _form_page(form: ApplicationForm, error: str | None = None):
    """Render the application form, with status 400 when it holds errors."""
    page = render_template("officer/applications/new.html", form=form, error=error)
    return page, 400 if form.errors or error else 200


@bp.get("/<int:application_id>")
@db.writes_on_get
def show(
    application_id: int,
    forms: dict | None = None,
    grant_form: GrantForm | None = None,
    error=None,
    decision_forms: dict | None = None,
):
    """Show an application, its latest screening side by side with it, and what a grant still needs."""
    session, officer, now = db.session(), actor(), utcnow()
    view = applications.get_application(session, officer, application_id)
    # The screening shown below audits each view of another council's record; the gate names the same.
    status = gate.gate_status(session, view.application, now, max_screening_age())
    detail = gate.view_screening(session, officer, view.screening.id, now) if view.screening else None
    return render_template(
        "officer/applications/show.html",
        application=view.application,
        previous_names=previous_names_of(view.application.previous_names),
        gate=status,
        findings={finding.candidate.id: finding for finding in status.adverse_records},
        is_manager=has_role(*MANAGERS),
        information_text=adverse.information_text,
        detail=detail,
        rows=IDENTITY_ROWS,
        forms=forms or {},
        decision_forms=decision_forms or {},
        grant_form=grant_form or GrantForm(granted_on=now.date()),
        error=error,
    ), 400 if forms or decision_forms or error or (grant_form and grant_form.errors) else 200


@bp.post("/<int:application_id>/screenings/<int:screening_id>/candidates/<int:candidate_id>")
def resolve(application_id: int, screening_id: int, candidate_id: int):
    """Record 'same person' or 'not the same person' for one candidate, with the reason."""
    form = ResolveForm(prefix=f"candidate-{candidate_id}")
    session = db.session()
    if screening_id != _latest_screening_id(application_id):
        abort(404)
    if not form.validate_on_submit():
        return show(application_id, forms={candidate_id: form})
    try:
        gate.resolve_candidate(
            session, actor(), screening_id, candidate_id, form.resolution.data, form.reason.data, utcnow()
        )
    except NotFound:
        raise
    except DomainError as error:
        db.undo()
        return show(application_id, forms={candidate_id: form}, error=error.detail)
    return redirect(url_for(".show", application_id=application_id, _anchor=f"candidate-{candidate_id}"))


@bp.post("/<int:application_id>/adverse-decisions/<int:candidate_id>")
def decide_adverse(application_id: int, candidate_id: int):
    """Record a manager's decision on an adverse record found to be the same person, with the reason."""
    check_role(*MANAGERS)
    form = AdverseDecisionForm(prefix=f"decision-{candidate_id}")
    if not form.validate_on_submit():
        return show(application_id, decision_forms={candidate_id: form})
    session = db.session()
    try:
        adverse_decisions.record_decision(
            session, actor(), application_id, candidate_id, form.reason.data, utcnow()
        )
    except NotFound:
        raise
    except DomainError as error:
        db.undo()
        return show(
            application_id, decision_forms={candidate_id: form}, error=show_service_errors(form, error)
        )
    return redirect(url_for(".show", application_id=application_id, _anchor=f"candidate-{candidate_id}"))


@bp.post("/<int:application_id>/rescreen")
def rescreen(application_id: int):
    """Screen a pending application again (the gate needs a recent screening)."""
    gate.rescreen(db.session(), actor(), application_id, utcnow())
    return redirect(url_for(".show", application_id=application_id))


@bp.post("/<int:application_id>/grant")
def grant(application_id: int):
    """Grant a licence on the application when the gate allows it, else say why not."""
    form = GrantForm()
    if not form.validate_on_submit():
        return show(application_id, grant_form=form)
    try:
        licence = lifecycle.grant(
            db.session(), actor(), application_id,
            badge_number=form.badge_number.data, granted_on=form.granted_on.data,
            expires_on=form.expires_on.data, display_name=form.display_name.data,
            now=utcnow(), max_screening_age=max_screening_age(), dbs_details=dbs_values(form),
        )  # fmt: skip
    except NotFound:
        raise
    except DomainError as error:
        db.undo()
        return show(application_id, grant_form=form, error=show_service_errors(form, error))
    return redirect(url_for("officer_licences.show", licence_id=licence.id))


@bp.route("/<int:application_id>/<any(withdraw, refuse):decision>", methods=["GET", "POST"])
def decide(application_id: int, decision: str):
    """Confirm a withdrawal, or take a refusal (a manager's decision), then make it."""
    if decision == "refuse":
        check_role(*MANAGERS)
    session = db.session()
    view = applications.get_application(session, actor(), application_id)
    form, error = DecisionForm(decided_on=utcnow().date()), None
    if decision == "withdraw":  # the applicant's own choice, dated today by the service
        form.decided_on.required = False
        form.record_register_entry.validators = [Optional()]
    if form.validate_on_submit():
        try:
            _make_decision(decision, application_id, form)
            return redirect(url_for(".show", application_id=application_id))
        except (ValidationFailed, InvalidTransition) as refusal:
            db.undo()
            error = show_service_errors(form, refusal)
            view = applications.get_application(session, actor(), application_id)
    page = render_template(
        "officer/applications/decide.html", application=view.application, decision=decision, form=form,
        error=error,
    )  # fmt: skip
    return page, 400 if form.errors or error else 200


def _make_decision(decision: str, application_id: int, form: DecisionForm) -> None:
    """Withdraw or refuse the application through the service the API uses."""
    session, officer, now = db.session(), actor(), utcnow()
    if decision == "withdraw":
        applications.withdraw(session, officer, application_id, now)
        return
    applications.refuse(
        session, officer, application_id, now, decided_on=form.decided_on.data,
        effective_on=form.effective_on.data, register=register_choice(form),
    )  # fmt: skip


def _latest_screening_id(application_id: int) -> int | None:
    """Return the id of the application's latest screening (only that one is resolved here)."""
    view = applications.get_application(db.session(), actor(), application_id)
    return view.screening.id if view.screening else None
